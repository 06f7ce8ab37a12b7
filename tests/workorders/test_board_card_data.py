"""What a board's card learns from an order's event (issue #16): the actions
the state and its conditions allow, the agreed time, an emergency reported on
site until the service ends; and the lead's pop-up when approval is asked."""

import datetime

from django.utils import timezone

from realtime.models import Alert, Event
from workorders import services
from workorders.models import WorkOrder


def _card(order) -> dict:
    return Event.objects.filter(type__startswith="order.", data__id=order.pk).last().data


def test_the_card_names_the_actions_the_conditions_allow(order_in, users, people, catalog):
    assert set(_card(order_in("received"))["can"]) == {"assign", "emergency_start", "cancel"}
    wound = services.order_create(
        actor=users["front_desk"], resident=people["with_card"], service=catalog["wound"], channel="phone",
    )
    # Needs approval: asking for it, not assigning, until approved.
    assert set(_card(wound)["can"]) == {"request_approval", "cancel"}  # normal: no emergency start
    services.order_request_approval(actor=users["dispatcher"], order_id=wound.pk)
    approved = services.order_approve(actor=users["dispatch_lead"], order_id=wound.pk)
    assert set(_card(approved)["can"]) == {"assign", "cancel"}


def test_the_card_carries_the_agreed_time(users, people, catalog):
    agreed = (timezone.now() + datetime.timedelta(days=1)).replace(hour=15, minute=0, second=0, microsecond=0)
    order = services.order_create(
        actor=users["front_desk"], resident=people["with_card"], service=catalog["clean"], channel="phone",
        requested_for=agreed,
    )
    assert datetime.datetime.fromisoformat(_card(order)["requested_for"]) == agreed
    asap = services.order_create(
        actor=users["front_desk"], resident=people["with_card"], service=catalog["clean"], channel="phone",
    )
    assert _card(asap)["requested_for"] is None


def test_an_emergency_marks_the_card_until_the_service_ends(order_in, users, run_transition):
    order = order_in("in_service")
    services.incident_report(actor=users["field_worker"], order_id=order.pk, kind="problem", note="Door locked")
    assert WorkOrder.objects.get(pk=order.pk).emergency_at is None
    services.incident_report(actor=users["field_worker"], order_id=order.pk, kind="emergency", note="Fell")
    marked = WorkOrder.objects.get(pk=order.pk)
    assert marked.emergency_at is not None
    assert _card(order)["emergency_at"] == marked.emergency_at.isoformat()
    # Acknowledging the pop-up does not deal with the emergency...
    Alert.objects.filter(kind="incident").update(acknowledged_at=timezone.now())
    from front.api import board_snapshot

    card = next(c for c in board_snapshot()["orders"] if c["id"] == order.pk)
    assert card["emergency_at"] == marked.emergency_at.isoformat()
    # ...the end of the service does.
    returned = run_transition(marked, "return_order")
    assert returned.emergency_at is None and _card(order)["emergency_at"] is None


def test_sending_back_to_dispatch_clears_the_mark(order_in, users):
    order = order_in("in_service")
    services.incident_report(actor=users["field_worker"], order_id=order.pk, kind="emergency", note="")
    services.order_redispatch(actor=users["dispatcher"], order_id=order.pk, reason="Ambulance took her")
    assert WorkOrder.objects.get(pk=order.pk).emergency_at is None


def test_asking_approval_alerts_the_lead_until_answered(users, people, catalog):
    def ask():
        order = services.order_create(
            actor=users["front_desk"], resident=people["with_card"], service=catalog["wound"], channel="phone",
        )
        services.order_request_approval(actor=users["dispatcher"], order_id=order.pk, note="Doctor's letter")
        return order

    def open_alerts(order):
        return set(Alert.objects.filter(data__id=order.pk, acknowledged_at__isnull=True).values_list("kind", "data__to_role"))

    approved, rejected = ask(), ask()
    # The new request is handled; the lead's question pops up instead.
    assert open_alerts(approved) == {("order.approval_requested", "dispatch_lead")}
    services.order_approve(actor=users["dispatch_lead"], order_id=approved.pk, note="Letter seen")
    services.order_reject(actor=users["dispatch_lead"], order_id=rejected.pk, reason="Not covered")
    assert open_alerts(approved) == open_alerts(rejected) == set()
    answered = Alert.objects.get(kind="order.approval_requested", data__id=approved.pk)
    assert answered.acknowledged_by == users["dispatch_lead"]


def test_cancelling_an_order_that_awaits_approval_ends_the_leads_question(users, people, catalog):
    order = services.order_create(
        actor=users["front_desk"], resident=people["with_card"], service=catalog["wound"], channel="phone",
    )
    services.order_request_approval(actor=users["dispatcher"], order_id=order.pk)
    services.order_cancel(actor=users["dispatcher"], order_id=order.pk, reason="Resident called back")
    assert not Alert.objects.filter(data__id=order.pk, acknowledged_at__isnull=True).exists()
