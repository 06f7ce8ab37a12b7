"""An emergency may skip the paper, not the approval record. The front desk
starts an urgent order for a service that needs approval (external,
special): it is served at once, as `emergency_start` promises, but the order
owes its approval until the dispatch lead (or the supervisor) records it,
after the fact, with a reason; the lead is alerted at once, and the order is
listed as owing it (the API, the board) in whatever state it reaches."""

import datetime
import json

import pytest
from django.utils import timezone

from core.errors import Conflict
from realtime.models import Alert, Event
from workorders import services
from workorders.models import OrderHistory, WorkOrder


@pytest.fixture
def urgent_wound(users, people, catalog):
    """An urgent order for wound care, a service that needs (special) approval."""
    return services.order_create(
        actor=users["front_desk"], resident=people["with_card"], service=catalog["wound"], channel="phone",
        urgency="urgent",
    )


@pytest.fixture
def started(api, urgent_wound, people):
    """The wound-care order started at once by the front desk, through the API."""
    response = api("front_desk").post(f"/api/v1/orders/{urgent_wound.pk}/emergency_start/",
                                      {"worker": people["nurse"].pk}, format="json")
    assert response.status_code == 200, response.content
    return WorkOrder.objects.get(pk=urgent_wound.pk)


def test_assign_is_refused_but_the_emergency_start_serves_and_owes_the_approval(api, urgent_wound, people, started):
    # The same order through the ordinary door: no approval, no assignment.
    other = services.order_create(actor=urgent_wound.created_by, resident=urgent_wound.resident,
                                  service=urgent_wound.service, channel="phone", urgency="urgent")
    refused = api("dispatcher").post(f"/api/v1/orders/{other.pk}/assign/", {"worker": people["nurse"].pk},
                                     format="json")
    assert refused.status_code == 409
    assert started.state == "in_service" and started.worker == people["nurse"]
    assert started.approval_owed and started.approved_at is None and started.approved_by is None
    answer = api("dispatch_lead").get(f"/api/v1/orders/{started.pk}/").json()
    assert answer["approval_owed"] is True and answer["approved_at"] is None


def test_an_urgent_service_without_approval_rules_owes_nothing(api, order_in, run_transition):
    order = run_transition(order_in("received"), "emergency_start")
    assert order.paperwork_owed and not order.approval_owed
    assert not Alert.objects.filter(kind="order.approval_owed").exists()


def test_the_lead_is_alerted_at_once_and_the_card_says_it(started):
    alert = Alert.objects.get(kind="order.approval_owed")
    assert alert.data["id"] == started.pk and alert.data["to_role"] == "dispatch_lead"
    assert alert.acknowledged_at is None
    card = Event.objects.filter(type="order.emergency_started").get().data
    assert card["approval_owed"] is True and card["paperwork_owed"] is True


def test_the_lead_records_the_approval_after_the_fact_with_a_reason(api, started, users):
    response = api("dispatch_lead").post(f"/api/v1/orders/{started.pk}/record_approval/",
                                         {"reason": "Bleeding; approved by phone at the start"}, format="json")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["approval_owed"] is False and body["approved_at"] and body["state"] == "in_service"
    order = WorkOrder.objects.get(pk=started.pk)
    assert order.approved_by == users["dispatch_lead"] and not order.approval_owed
    last = OrderHistory.objects.filter(order=order).last()
    assert (last.transition, last.actor, last.from_state, last.to_state, last.note) == (
        "record_approval", users["dispatch_lead"], "in_service", "in_service", "Bleeding; approved by phone at the start"
    )
    event = Event.objects.filter(type="order.approval_recorded").get()
    assert event.data["id"] == order.pk and event.data["approval_owed"] is False
    json.loads(event.as_text())
    # Recorded: the alert stops sounding on every board.
    assert Alert.objects.get(kind="order.approval_owed").acknowledged_by == users["dispatch_lead"]
    again = api("dispatch_lead").post(f"/api/v1/orders/{started.pk}/record_approval/", {"reason": "x"}, format="json")
    assert again.status_code == 409


@pytest.mark.parametrize(("role", "status"), [
    ("front_desk", 403), ("dispatcher", 403), ("field_worker", 404), ("finance", 403), ("supervisor", 200),
])
def test_only_the_lead_and_the_supervisor_may_record_it(api, started, role, status):
    response = api(role).post(f"/api/v1/orders/{started.pk}/record_approval/", {"reason": "Agreed"}, format="json")
    assert response.status_code == status, response.content
    assert WorkOrder.objects.get(pk=started.pk).approval_owed is (status != 200)


def test_a_recorded_approval_needs_a_reason(api, started):
    for body in ({}, {"reason": ""}, {"reason": "   "}):
        response = api("dispatch_lead").post(f"/api/v1/orders/{started.pk}/record_approval/", body, format="json")
        assert response.status_code == 400 and "reason" in response.json()["fields"]
    assert WorkOrder.objects.get(pk=started.pk).approval_owed


def test_an_order_that_owes_no_approval_is_409_before_the_input(api, order_in):
    order = order_in("in_service")
    response = api("dispatch_lead").post(f"/api/v1/orders/{order.pk}/record_approval/", {}, format="json")
    assert response.status_code == 409


def test_the_order_is_served_and_closed_but_still_owes_the_approval_until_recorded(api, started, users):
    desk = users["front_desk"]
    services.order_return(actor=desk, order_id=started.pk, actual_start=started.collected_at,
                          actual_end=timezone.now() + datetime.timedelta(minutes=1))
    closed = services.order_log_followup(actor=desk, order_id=started.pk, satisfied=True)
    assert closed.state == "closed" and closed.approval_owed and closed.approved_at is None
    owed = api("dispatch_lead").get("/api/v1/orders/", {"approval_owed": "true"}).json()["results"]
    assert [o["number"] for o in owed] == [started.number]
    board = api("dispatch_lead").get("/api/v1/board/").json()
    assert [o["id"] for o in board["approval_owed"]] == [started.pk]
    assert started.pk not in [o["id"] for o in board["orders"]]
    recorded = api("supervisor").post(f"/api/v1/orders/{started.pk}/record_approval/",
                                      {"reason": "Served in an emergency; the right call"}, format="json")
    assert recorded.status_code == 200 and recorded.json()["state"] == "closed"
    assert api("dispatch_lead").get("/api/v1/orders/", {"approval_owed": "true"}).json()["results"] == []
    assert api("dispatch_lead").get("/api/v1/board/").json()["approval_owed"] == []


def test_the_ordinary_approval_settles_an_owed_one(started, users, people):
    # Sent back to dispatch after the emergency, the order goes the ordinary way.
    order = services.order_redispatch(actor=users["dispatcher"], order_id=started.pk, reason="Needs a nurse tomorrow")
    assert order.approval_owed
    with pytest.raises(Conflict):
        services.order_assign(actor=users["dispatcher"], order_id=order.pk, worker_id=people["nurse"].pk)
    services.order_request_approval(actor=users["dispatcher"], order_id=order.pk)
    order = services.order_approve(actor=users["dispatch_lead"], order_id=order.pk)
    assert not order.approval_owed and order.approved_by == users["dispatch_lead"]
