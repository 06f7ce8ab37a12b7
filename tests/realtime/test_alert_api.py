"""Alerts over HTTP (GET /api/v1/alerts/, POST /api/v1/alerts/<id>/acknowledge/),
the same acknowledgement as the socket's, and the request alert acknowledged
by whoever handles its order."""

import pytest
from channels.db import database_sync_to_async
from rest_framework.test import APIClient

from realtime.models import Alert, Event
from realtime.services import alert_acknowledge
from tests.conftest import race
from tests.realtime.conftest import create_order

pytestmark = pytest.mark.django_db(transaction=True)


def ack_url(alert_id: int) -> str:
    return f"/api/v1/alerts/{alert_id}/acknowledge/"


@pytest.fixture
def alert(users, people, catalog):
    create_order(users, people, catalog)
    return Alert.objects.get()


@pytest.mark.parametrize("role", ["dispatcher", "dispatch_lead"])
def test_a_dispatcher_acknowledges_an_alert_over_http(role, api, users, alert):
    response = api(role).post(ack_url(alert.pk))
    assert response.status_code == 200
    body = response.json()
    assert body["id"] == alert.pk and body["first"] is True
    assert body["acknowledged_by"] == role and body["ack_seconds"] >= 0 and body["acknowledged_at"]
    alert.refresh_from_db()
    assert alert.acknowledged_by == users[role]
    acked = Event.objects.get(type="alert.acknowledged")
    assert acked.data["id"] == alert.pk and acked.data["by"] == role


def test_a_second_acknowledgement_answers_who_was_first_and_changes_nothing(api, alert):
    first = api("dispatcher").post(ack_url(alert.pk)).json()
    response = api("dispatch_lead").post(ack_url(alert.pk))
    assert response.status_code == 200
    body = response.json()
    assert body["first"] is False
    assert body["acknowledged_by"] == "dispatcher"
    assert body["acknowledged_at"] == first["acknowledged_at"] and body["ack_seconds"] == first["ack_seconds"]
    assert Event.objects.filter(type="alert.acknowledged").count() == 1


@pytest.mark.parametrize("role", ["supervisor", "front_desk", "field_worker", "coordinator", "finance", "nobody"])
def test_other_roles_may_not_acknowledge(role, api, alert):
    response = api(role).post(ack_url(alert.pk))
    assert response.status_code == 403
    assert response.json()["code"]
    assert Alert.objects.get(pk=alert.pk).acknowledged_at is None
    assert not Event.objects.filter(type="alert.acknowledged").exists()


def test_anonymous_is_refused(alert):
    assert APIClient().post(ack_url(alert.pk)).status_code == 401
    assert APIClient().get("/api/v1/alerts/").status_code == 401
    assert Alert.objects.get(pk=alert.pk).acknowledged_at is None


@pytest.mark.parametrize("alert_id", [999999, 2**63, 10**30])
def test_an_unknown_alert_is_404_json(alert_id, api, users):
    response = api("dispatcher").post(ack_url(alert_id))
    assert response.status_code == 404
    assert response.json()["code"] == "not_found" and response.json()["detail"]


def test_the_list_shows_open_alerts_by_default_and_all_on_request(api, users, people, catalog):
    create_order(users, people, catalog)
    create_order(users, people, catalog)
    older, newer = Alert.objects.order_by("id")
    alert_acknowledge(actor=users["dispatcher"], alert_id=older.pk)

    for query in ("", "?open=1", "?open=true"):
        response = api("supervisor").get("/api/v1/alerts/" + query)
        assert response.status_code == 200
        assert [a["id"] for a in response.json()["results"]] == [newer.pk]
        assert response.json()["results"][0]["acknowledged_by"] is None

    every = api("dispatcher").get("/api/v1/alerts/?open=0").json()["results"]
    assert [a["id"] for a in every] == [newer.pk, older.pk]
    assert every[1]["acknowledged_by"] == "dispatcher" and every[1]["ack_seconds"] is not None

    bad = api("dispatcher").get("/api/v1/alerts/?open=maybe")
    assert bad.status_code == 400 and "open" in bad.json()["fields"]
    assert api("front_desk").get("/api/v1/alerts/").status_code == 403


async def test_an_http_acknowledgement_closes_the_popup_on_every_board(board, take_request, users):
    one = await board("dispatcher", resume=None)
    two = await board("supervisor", resume=None)
    await take_request()
    raised = [m for m in await one.events(2) if m["event"] == "alert.raised"][0]
    await two.events(2)

    def ack():
        client = APIClient()
        client.force_authenticate(users["dispatch_lead"])
        return client.post(ack_url(raised["data"]["id"]))

    response = await database_sync_to_async(ack)()
    assert response.status_code == 200
    for client in (one, two):
        acked = await client.next()
        assert acked["event"] == "alert.acknowledged"
        assert acked["data"]["id"] == raised["data"]["id"] and acked["data"]["by"] == "dispatch_lead"
    await one.close()
    await two.close()


@pytest.mark.parametrize("attempt", range(3))
def test_two_acknowledgements_at_once_over_http_store_one(attempt, postgres_only, users, alert):
    def ack(role):
        client = APIClient()
        client.force_authenticate(users[role])

        def call():
            response = client.post(ack_url(alert.pk))
            return response.status_code, response.json()["first"], response.json()["acknowledged_by"]

        return call

    results = race([ack("dispatcher"), ack("dispatch_lead")])
    assert [(status, first) for status, first, _by in results] == [(200, False), (200, True)]
    stored = Alert.objects.select_related("acknowledged_by").get(pk=alert.pk)
    # Both answers name the one stored acknowledgement.
    assert {by for _status, _first, by in results} == {stored.acknowledged_by.username}
    assert Event.objects.filter(type="alert.acknowledged").count() == 1


# --- Handling the order answers its alert -------------------------------------------


@pytest.mark.parametrize(
    ("step", "actor", "event"),
    [
        ("assign", "dispatcher", "order.assigned"),
        ("emergency_start", "dispatcher", "order.emergency_started"),
        ("cancel", "front_desk", "order.cancelled"),
    ],
)
def test_handling_an_order_acknowledges_its_request_alert(step, actor, event, users, order_in, run_transition):
    other = order_in("received")
    order = order_in("received")
    alert = Alert.objects.get(data__id=order.pk)
    before = Event.objects.order_by("-id").values_list("id", flat=True).first()

    run_transition(order, step)

    alert.refresh_from_db()
    assert alert.acknowledged_by == users[actor] and alert.ack_seconds is not None
    # The order's event, then the acknowledgement, in the same commit.
    assert list(Event.objects.filter(id__gt=before).values_list("type", flat=True)) == [event, "alert.acknowledged"]
    assert Event.objects.get(type="alert.acknowledged").data["id"] == alert.pk
    assert Alert.objects.get(data__id=other.pk).acknowledged_at is None


def test_an_alert_already_acknowledged_keeps_its_acknowledgement(users, order_in, run_transition):
    order = order_in("received")
    alert = Alert.objects.get()
    alert_acknowledge(actor=users["dispatch_lead"], alert_id=alert.pk)

    run_transition(order, "assign")

    alert.refresh_from_db()
    assert alert.acknowledged_by == users["dispatch_lead"]
    assert Event.objects.filter(type="alert.acknowledged").count() == 1


def test_a_refused_transition_leaves_the_alert_open(users, people, order_in):
    from core.errors import InvalidInput
    from workorders.services import order_assign

    order = order_in("received")
    with pytest.raises(InvalidInput):
        order_assign(actor=users["dispatcher"], order_id=order.pk, worker_id=people["inactive"].pk)
    assert Alert.objects.get().acknowledged_at is None
    assert not Event.objects.filter(type="alert.acknowledged").exists()


async def test_boards_see_the_handled_orders_popup_close(board, take_request, users, people):
    from workorders.services import order_assign

    client = await board("dispatcher", resume=None)
    order = await take_request()
    await client.events(2)
    await database_sync_to_async(order_assign)(
        actor=users["dispatcher"], order_id=order.pk, worker_id=people["cleaner"].pk
    )
    assigned, acked = await client.events(2)
    assert assigned["event"] == "order.assigned" and assigned["data"]["id"] == order.pk
    assert acked["event"] == "alert.acknowledged" and acked["id"] == assigned["id"] + 1
    await client.close()


@pytest.mark.parametrize("attempt", range(3))
def test_assigning_while_someone_acknowledges_stores_one_ack_without_deadlock(
    attempt, postgres_only, users, people, order_in
):
    # The assignment holds the publish turn when it reaches the alert's row;
    # an acknowledgement must not hold the row while it waits for the turn.
    order = order_in("received", urgency="normal")
    alert = Alert.objects.get(data__id=order.pk)
    desk = APIClient()
    desk.force_authenticate(users["dispatcher"])
    lead = APIClient()
    lead.force_authenticate(users["dispatch_lead"])
    statuses = race(
        [
            lambda: (
                desk.post(
                    f"/api/v1/orders/{order.pk}/assign/", {"worker": people["cleaner"].pk}, format="json"
                ).status_code
            ),
            lambda: lead.post(ack_url(alert.pk)).status_code,
        ]
    )
    assert statuses == [200, 200]
    assert Event.objects.filter(type="alert.acknowledged", data__id=alert.pk).count() == 1
    assert Alert.objects.get(pk=alert.pk).acknowledged_by in (users["dispatcher"], users["dispatch_lead"])
