"""Incidents on site (procedure step 6): a field worker reports a problem or an
emergency on one of his own orders; it is recorded for good, reaches every
board at once as an event and an alert, and an emergency names the
supervisor, whose board receives it. No note (it may be about the resident's
health) goes into an event."""

import json

import pytest
from channels.db import database_sync_to_async

from core.errors import Conflict, Forbidden, InvalidInput, NotFound
from realtime.models import Alert, Event
from tests.realtime.conftest import _fresh_channel_layer, board, token_for  # noqa: F401
from workorders import services
from workorders.models import Incident, State

HEALTH_NOTE = "Test Resident fell and hurt her hip; bleeding from the arm"


def _url(order) -> str:
    return f"/api/v1/orders/{order.pk}/incidents/"


@pytest.fixture
def nurses_order(users, order_in, people):
    """An order assigned to a worker who is not the field worker's login."""
    order = order_in("approved")
    return services.order_assign(actor=users["dispatcher"], order_id=order.pk, worker_id=people["nurse"].pk)


@pytest.mark.django_db
def test_a_worker_reports_a_problem_on_his_own_order(api, order_in, users):
    order = order_in("in_service")
    r = api("field_worker").post(_url(order), {"kind": "problem", "note": "Nobody opens the door"}, format="json")
    assert r.status_code == 201, r.content
    body = r.json()
    assert body["kind"] == "problem" and body["order"] == order.pk and body["reporter"] == "field_worker"
    incident = Incident.objects.get(pk=body["id"])
    assert incident.note == "Nobody opens the door" and incident.reporter == users["field_worker"]
    # History-free: the order did not change state, nor gain a history row.
    order.refresh_from_db()
    assert order.state == State.IN_SERVICE
    assert not order.history.filter(transition__icontains="incident").exists()


@pytest.mark.django_db
def test_the_report_is_an_event_and_an_alert_for_every_board(order_in, users):
    order = order_in("printed")
    incident = services.incident_report(actor=users["field_worker"], order_id=order.pk, kind="problem",
                                        note=HEALTH_NOTE, could_not_serve=True)
    event = Event.objects.filter(type="order.incident_reported").get()
    assert event.data["id"] == order.pk and event.data["number"] == order.number
    assert event.data["state"] == "printed"
    assert event.data["incident"] == {
        "id": incident.pk, "kind": "problem", "could_not_serve": True, "reported_by": "field_worker",
        "at": incident.created_at.isoformat(),
    }
    alert = Alert.objects.get(kind="incident")
    assert alert.data["number"] == order.number and alert.data["incident"] == incident.pk
    assert alert.data["incident_kind"] == "problem" and alert.data["could_not_serve"] is True
    assert alert.data["to_role"] is None
    raised = Event.objects.filter(type="alert.raised").last()
    assert raised.data["id"] == alert.pk and raised.id == event.id + 1
    # The payloads are plain JSON and carry no word of what the worker wrote.
    for row in Event.objects.filter(id__gte=event.id):
        text = json.dumps(row.data, ensure_ascii=False)
        assert json.loads(text) == row.data
        assert "hip" not in text and "bleeding" not in text and "note" not in row.data


@pytest.mark.django_db
def test_an_emergency_names_the_supervisor(order_in, users):
    order = order_in("in_service")
    services.incident_report(actor=users["field_worker"], order_id=order.pk, kind="emergency", note="")
    alert = Alert.objects.get(kind="incident")
    assert alert.data["incident_kind"] == "emergency" and alert.data["to_role"] == "supervisor"


@pytest.mark.django_db
def test_another_workers_order_is_not_found(api, nurses_order):
    r = api("field_worker").post(_url(nurses_order), {"kind": "emergency", "note": "x"}, format="json")
    assert r.status_code == 404
    assert api("field_worker").get(_url(nurses_order)).status_code == 404
    assert not Incident.objects.exists() and not Alert.objects.filter(kind="incident").exists()


@pytest.mark.django_db
def test_the_service_refuses_another_workers_order_too(users, nurses_order):
    with pytest.raises(NotFound):
        services.incident_report(actor=users["field_worker"], order_id=nurses_order.pk, kind="problem", note="x")


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["dispatcher", "dispatch_lead", "front_desk"])
def test_the_dispatch_group_and_the_desk_record_what_a_worker_phones_in(api, nurses_order, role):
    r = api(role).post(_url(nurses_order), {"kind": "problem", "note": "Worker called: stuck in traffic"},
                       format="json")
    assert r.status_code == 201, r.content
    assert Incident.objects.get().reporter.username == role


@pytest.mark.django_db
@pytest.mark.parametrize("role, status", [("finance", 403), ("supervisor", 403), ("coordinator", 403),
                                          ("nobody", 403), (None, 401)])
def test_other_roles_may_not_report(api, order_in, role, status):
    order = order_in("in_service")
    r = api(role).post(_url(order), {"kind": "problem", "note": "x"}, format="json")
    assert r.status_code == status
    assert not Incident.objects.exists()


@pytest.mark.django_db
def test_a_problem_needs_a_note_and_the_kind_must_be_known(api, order_in):
    order = order_in("in_service")
    worker = api("field_worker")
    r = worker.post(_url(order), {"kind": "problem", "note": "  "}, format="json")
    assert r.status_code == 400 and "note" in r.json()["fields"]
    r = worker.post(_url(order), {"kind": "fire", "note": "x"}, format="json")
    assert r.status_code == 400 and "kind" in r.json()["fields"]
    # An emergency may be reported with one tap: the dispatcher calls back.
    assert worker.post(_url(order), {"kind": "emergency"}, format="json").status_code == 201


@pytest.mark.django_db
@pytest.mark.parametrize("state", ["cancelled", "closed", "rejected"])
def test_a_finished_order_takes_no_incident(users, order_in, state):
    order = order_in(state)
    with pytest.raises(Conflict):
        services.incident_report(actor=users["dispatcher"], order_id=order.pk, kind="problem", note="x")
    assert not Incident.objects.exists()


@pytest.mark.django_db
def test_unknown_kind_and_role_are_refused_by_the_service(users, order_in):
    order = order_in("in_service")
    with pytest.raises(InvalidInput):
        services.incident_report(actor=users["field_worker"], order_id=order.pk, kind="fire", note="x")
    with pytest.raises(Forbidden):
        services.incident_report(actor=users["finance"], order_id=order.pk, kind="problem", note="x")


@pytest.mark.django_db
def test_the_list_shows_the_orders_incidents_to_those_who_see_the_order(api, order_in, users):
    order, other = order_in("in_service"), order_in("in_service")
    services.incident_report(actor=users["field_worker"], order_id=order.pk, kind="problem", note="First")
    services.incident_report(actor=users["dispatcher"], order_id=order.pk, kind="emergency", note="Second")
    services.incident_report(actor=users["dispatcher"], order_id=other.pk, kind="problem", note="Elsewhere")
    for role in ["field_worker", "dispatcher", "supervisor", "front_desk"]:
        r = api(role).get(_url(order))
        assert r.status_code == 200, role
        assert [i["note"] for i in r.json()] == ["First", "Second"]
    assert api("finance").get(_url(order)).status_code == 403
    assert api("coordinator").get(_url(order)).status_code == 403


@pytest.mark.django_db
def test_incidents_are_never_changed_or_deleted(users, order_in):
    incident = services.incident_report(
        actor=users["field_worker"], order_id=order_in("in_service").pk, kind="problem", note="x"
    )
    incident.note = "rewritten"
    with pytest.raises(ValueError):
        incident.save()
    with pytest.raises(ValueError):
        incident.delete()


@pytest.mark.django_db(transaction=True)
async def test_a_supervisors_board_receives_an_emergency(board, users, order_in):  # noqa: F811 (fixture)
    order = await database_sync_to_async(order_in)("in_service")
    supervisor = await board("supervisor", resume=None)
    dispatcher = await board("dispatcher", resume=None)
    await database_sync_to_async(services.incident_report)(
        actor=users["field_worker"], order_id=order.pk, kind="emergency", note=HEALTH_NOTE
    )
    for client in (supervisor, dispatcher):
        reported, raised = await client.events(2)
        assert reported["event"] == "order.incident_reported" and reported["data"]["number"] == order.number
        assert raised["event"] == "alert.raised" and raised["data"]["kind"] == "incident"
        assert raised["data"]["data"]["to_role"] == "supervisor"
        assert raised["data"]["data"]["incident_kind"] == "emergency"
        assert "hip" not in json.dumps(raised) + json.dumps(reported)
        await client.close()
