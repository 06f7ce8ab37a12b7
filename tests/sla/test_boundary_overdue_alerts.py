"""Overdue alerts stay one per order: an order that reaches the next level
(or the next stage) while its overdue alert is still open updates that alert,
which the board shows in place of the old one; once someone acknowledged it,
the next level pops up anew. A pass still alerts each order (not a summary):
each alert names the order to act on, and its red mark points to it."""

import datetime

import pytest

from realtime.models import Alert, Event
from realtime.services import alert_acknowledge
from sla.models import OverdueMark
from tests.service_levels import local

pytestmark = pytest.mark.django_db

FRIDAY_16 = local(2026, 11, 20, 16, 0)
DISPATCH_BY = local(2026, 11, 23, 9, 0)
MINUTE = datetime.timedelta(minutes=1)


def _overdue_alerts():
    return Alert.objects.filter(kind="order.overdue").order_by("id")


def test_levels_reached_while_the_alert_is_open_update_it(levels, new_order, scheduler):
    order = new_order("clean", at=FRIDAY_16)
    other = new_order("clean", at=FRIDAY_16)
    scheduler(DISPATCH_BY + MINUTE)
    scheduler(DISPATCH_BY + 61 * MINUTE)
    scheduler(DISPATCH_BY + 241 * MINUTE)
    alerts = list(_overdue_alerts())
    assert [a.data["order"] for a in alerts] == [order.pk, other.pk]  # one each, not one per level
    alert = alerts[0]
    assert alert.data["to_role"] == "supervisor" and alert.data["level"] == "supervisor" and alert.count == 3
    assert set(OverdueMark.objects.filter(order=order).values_list("alert_id", flat=True)) == {alert.pk}
    # Each level went to the boards as the alert's new state, under its one id.
    raised = [e.data for e in Event.objects.filter(type="alert.raised").order_by("id") if e.data["id"] == alert.pk]
    assert [(e["data"]["to_role"], e["count"]) for e in raised] == [
        ("dispatcher", 1), ("dispatch_lead", 2), ("supervisor", 3),
    ]


def test_after_an_acknowledgement_the_next_level_raises_a_new_alert(levels, new_order, scheduler, users):
    new_order("clean", at=FRIDAY_16)
    scheduler(DISPATCH_BY + MINUTE)
    (first,) = _overdue_alerts()
    alert_acknowledge(actor=users["dispatcher"], alert_id=first.pk)
    scheduler(DISPATCH_BY + 61 * MINUTE)
    assert [(a.pk == first.pk, a.data["to_role"], a.count) for a in _overdue_alerts()] == [
        (True, "dispatcher", 1), (False, "dispatch_lead", 1),
    ]
