"""Every transition from every state: allowed ones move the order and write one
history row and one event; the others are refused with a conflict naming the
current state, and change nothing."""

import pytest

from core.errors import Conflict, InvalidInput
from realtime.models import Event
from tests.conftest import PATHS
from workorders import services
from workorders.models import OrderHistory, WorkOrder

# DESIGN.md section 3, written out independently of the model.
ALLOWED = {
    "request_approval": ({"received"}, "awaiting_approval"),
    "approve": ({"awaiting_approval"}, "approved"),
    "reject": ({"awaiting_approval"}, "rejected"),
    "assign": ({"received", "approved"}, "assigned"),
    "reassign": ({"assigned", "printed"}, "assigned"),
    "print": ({"assigned"}, "printed"),
    "collect": ({"printed"}, "in_service"),
    "redispatch": ({"printed", "in_service"}, "received"),
    "emergency_start": ({"received"}, "in_service"),
    "return_order": ({"in_service"}, "returned"),
    "cancel": ({"received", "awaiting_approval", "approved", "assigned", "printed"}, "cancelled"),
    "log_followup": ({"returned"}, "closed"),  # satisfied; the unsatisfied target is tested below
    "resolve": ({"escalated"}, "closed"),
    "close_unreachable": ({"returned"}, "closed"),
}

# A print of an order whose paper exists is a reprint: no transition, no event.
REPRINT_STATES = {"printed", "in_service", "returned", "escalated", "closed"}

CASES = [(name, state) for name in ALLOWED for state in PATHS]


@pytest.mark.parametrize(("name", "state"), CASES)
def test_transition_from_state(name, state, order_in, run_transition, users, people, catalog):
    if (name, state) == ("request_approval", "received"):
        # Cleaning needs no approval (test_asking_approval_for_a_service_that_needs_none_is_refused).
        order = services.order_create(
            actor=users["front_desk"], resident=people["with_card"], service=catalog["wound"], channel="phone",
        )
    else:
        order = order_in(state)
    sources, target = ALLOWED[name]
    history_before = OrderHistory.objects.filter(order=order).count()
    events_before = Event.objects.count()
    events_before_of_orders = Event.objects.filter(type__startswith="order.").count()
    if name == "print" and state in REPRINT_STATES:
        assert run_transition(order, name).state == state
        assert OrderHistory.objects.filter(order=order).count() == history_before
        assert Event.objects.count() == events_before
    elif state in sources:
        result = run_transition(order, name)
        assert result.state == target
        assert WorkOrder.objects.get(pk=order.pk).state == target
        last = OrderHistory.objects.filter(order=order).last()
        assert (last.transition, last.from_state, last.to_state) == (name, state, target)
        assert OrderHistory.objects.filter(order=order).count() == history_before + 1
        # One order event per transition; acting on a new order also closes
        # its pop-up (`alert.acknowledged`), which is not an order event.
        order_events = Event.objects.filter(type__startswith="order.")
        assert order_events.count() == events_before_of_orders + 1
        assert order_events.last().data["state"] == target
    else:
        with pytest.raises(Conflict) as caught:
            run_transition(order, name)
        assert caught.value.extra["state"] == state
        assert WorkOrder.objects.get(pk=order.pk).state == state
        assert OrderHistory.objects.filter(order=order).count() == history_before
        assert Event.objects.count() == events_before


def test_an_unsatisfied_follow_up_escalates_the_order(order_in, run_transition):
    order = run_transition(order_in("returned"), "log_followup_unsatisfied")
    assert order.state == "escalated"
    last = OrderHistory.objects.filter(order=order).last()
    assert (last.transition, last.from_state, last.to_state) == ("log_followup", "returned", "escalated")
    assert Event.objects.last().type == "order.escalated"


def test_it_refuses_to_assign_a_service_needing_approval_before_approval(catalog, people, users):
    from workorders import services

    wound = services.order_create(
        actor=users["front_desk"], resident=people["with_card"], service=catalog["wound"], channel="phone"
    )
    with pytest.raises(Conflict, match="approval"):
        services.order_assign(actor=users["dispatcher"], order_id=wound.pk, worker_id=people["nurse"].pk)
    assert WorkOrder.objects.get(pk=wound.pk).state == "received"


def test_it_refuses_emergency_start_for_a_normal_order(order_in, run_transition):
    order = order_in("received", urgency="normal")
    with pytest.raises(Conflict, match="urgent"):
        run_transition(order, "emergency_start")


def test_emergency_start_owes_paperwork_until_the_backfill_print(order_in, run_transition, users):
    from workorders import services

    order = run_transition(order_in("received"), "emergency_start")
    assert order.paperwork_owed and order.worker is not None
    order, kind = services.order_print(actor=users["front_desk"], order_id=order.pk)
    assert kind == "backfill"
    assert order.state == "in_service" and not order.paperwork_owed
    assert OrderHistory.objects.filter(order=order).last().transition == "backfill_print"
    assert services.order_print(actor=users["front_desk"], order_id=order.pk)[1] == "reprint"


def test_redispatch_clears_the_assignee_and_keeps_an_approval(order_in, run_transition, users, people):
    from workorders import services

    order = order_in("approved")
    order = run_transition(order, "assign")
    order = run_transition(order, "print")
    order = run_transition(order, "redispatch")
    assert order.state == "received" and order.worker is None
    again = services.order_assign(actor=users["dispatcher"], order_id=order.pk, worker_id=people["nurse"].pk)
    assert again.state == "assigned"


def test_the_state_field_cannot_be_set_directly(order_in):
    order = order_in("received")
    with pytest.raises(AttributeError):
        order.state = "closed"


def test_history_rows_are_append_only(order_in):
    row = OrderHistory.objects.filter(order=order_in("assigned")).first()
    with pytest.raises(ValueError):
        row.save()
    with pytest.raises(ValueError):
        row.delete()


def test_a_failure_inside_a_transition_writes_nothing(order_in, users, people, monkeypatch):
    from workorders import services

    order = order_in("received")

    def broken_publish(*args, **kwargs):
        raise RuntimeError("event log unavailable")

    monkeypatch.setattr(services, "publish", broken_publish)
    with pytest.raises(RuntimeError):
        services.order_assign(actor=users["dispatcher"], order_id=order.pk, worker_id=people["cleaner"].pk)
    order = WorkOrder.objects.get(pk=order.pk)
    assert order.state == "received" and order.worker is None
    assert list(OrderHistory.objects.filter(order=order).values_list("transition", flat=True)) == ["create"]


@pytest.mark.parametrize("state", ["assigned", "printed"])
def test_reassigning_to_the_assignee_it_already_has_is_refused(state, api, order_in, users, people):
    order = order_in(state)
    before = OrderHistory.objects.filter(order=order).count()
    with pytest.raises(InvalidInput) as refused:
        services.order_reassign(actor=users["dispatcher"], order_id=order.pk, worker_id=order.worker_id, note="Ill")
    assert refused.value.fields == {"worker": ["The order is already assigned there."]}
    response = api("dispatcher").post(
        f"/api/v1/orders/{order.pk}/reassign/", {"worker": order.worker_id, "note": "Ill"}, format="json"
    )
    assert response.status_code == 400 and response.json()["fields"] == {"worker": ["The order is already assigned there."]}
    order.refresh_from_db()
    assert order.state == state and order.worker == people["cleaner"]
    assert OrderHistory.objects.filter(order=order).count() == before


def test_asking_approval_for_a_service_that_needs_none_is_refused(api, order_in):
    order = order_in("received")  # cleaning
    response = api("dispatcher").post(f"/api/v1/orders/{order.pk}/request_approval/", {}, format="json")
    assert response.status_code == 409
    assert response.json()["detail"] == "Home cleaning needs no approval: assign it."
    assert "request_approval" not in api("dispatcher").get(f"/api/v1/orders/{order.pk}/").json()["available_transitions"]


def test_reassigning_a_printed_order_says_why_and_an_assigned_one_need_not(api, order_in, people):
    printed, assigned = order_in("printed"), order_in("assigned")
    body = {"partner": people["partner"].pk}
    response = api("dispatcher").post(f"/api/v1/orders/{printed.pk}/reassign/", body, format="json")
    assert response.status_code == 400
    assert response.json()["fields"] == {"note": ["Say why: the printed copies become void."]}
    assert WorkOrder.objects.get(pk=printed.pk).state == "printed"
    response = api("dispatcher").post(f"/api/v1/orders/{printed.pk}/reassign/", {**body, "note": "Jammed"}, format="json")
    assert response.status_code == 200 and response.json()["history"][-1]["note"] == "Jammed"
    assert api("dispatcher").post(f"/api/v1/orders/{assigned.pk}/reassign/", body, format="json").status_code == 200
