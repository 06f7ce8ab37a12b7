"""The scheduler's pass works in batches (deadlines read and written a few
thousand orders at a time, overdue marks and their alerts a few hundred
orders per transaction): these tests hold the batches to what one order at a
time gave."""

import datetime

import pytest
from freezegun import freeze_time

from core.scheduler import scheduler_pass
from realtime.models import Alert
from sla import deadlines, services
from sla.calendar import WorkingCalendar
from sla.models import OrderDeadline, OverdueMark
from tests.conftest import race
from tests.service_levels import local
from workorders.models import OrderHistory, WorkOrder

pytestmark = pytest.mark.django_db

FRIDAY_16 = local(2026, 11, 20, 16, 0)
DISPATCH_BY = local(2026, 11, 23, 9, 0)  # 2 working hours later (see test_deadlines)
FIELDS = ["dispatch_by", "start_by", "followup_by", "dispatched_at", "started_at", "followed_up_at", "stage", "due_at"]


def _one_by_one(order: WorkOrder, calendar: WorkingCalendar) -> deadlines.Deadlines:
    """The order's deadlines from its own rows, read through the ORM one order at a time."""
    history = list(OrderHistory.objects.filter(order=order).order_by("id").values_list("transition", "at"))
    targets = deadlines.service_targets([order.service_id])[order.service_id]
    return deadlines.compute(order=order, history=history, targets=targets, calendar=calendar)


def test_stored_deadlines_are_those_computed_one_order_at_a_time(settings, levels, new_order, run_transition):
    settings.SCHEDULER_BATCH_SIZE = 100
    orders = []
    # Orders taken across a weekend, a make-up Saturday and the Spring Festival, in several states.
    for at in (FRIDAY_16, local(2026, 11, 21, 11, 5), local(2026, 2, 13, 17, 10), local(2026, 2, 14, 8, 0)):
        orders.append(new_order("clean", at=at))
        orders.append(new_order("visit", at=at))
        orders.append(new_order("clean", at=at, requested_for=at + datetime.timedelta(days=3)))
        with freeze_time(at + datetime.timedelta(hours=1)):
            assigned = run_transition(new_order("clean", at=at), "assign")
        with freeze_time(at + datetime.timedelta(hours=2)):
            for step in ("print", "collect", "return_order"):
                assigned = run_transition(assigned, step)
        orders.append(assigned)
    with freeze_time(local(2026, 11, 23, 12, 0)):
        assert services.deadlines_refresh() == len(orders)
    calendar = WorkingCalendar.load()
    for order in orders:
        order.refresh_from_db()
        stored = OrderDeadline.objects.get(order=order)
        expected = _one_by_one(order, calendar)
        assert {name: getattr(stored, name) for name in FIELDS} == {name: getattr(expected, name) for name in FIELDS}
        assert stored.calendar_key == calendar.key


def _alerts_by_order() -> dict[int, list[str]]:
    found: dict[int, list[str]] = {}
    for alert in Alert.objects.filter(kind="order.overdue").order_by("id"):
        found.setdefault(alert.data["order"], []).append(alert.data["to_role"])
    return found


def _check_marks_point_to_their_alert(order) -> None:
    """Every mark of the order's stage names an alert, raised about this order."""
    alert_ids = set(OverdueMark.objects.filter(order=order).values_list("alert_id", flat=True))
    assert None not in alert_ids
    assert {a.data["order"] for a in Alert.objects.filter(pk__in=alert_ids)} == {order.pk}


def test_marks_made_in_several_batches_alert_each_order_once_at_its_highest_level(
    monkeypatch, levels, new_order, scheduler
):
    monkeypatch.setattr(services, "_MARK_BATCH", 2)
    late = [new_order("clean", at=FRIDAY_16) for _ in range(5)]
    earlier = [new_order("clean", at=local(2026, 11, 20, 11, 0)) for _ in range(2)]  # due Friday 13:00
    scheduler(DISPATCH_BY + datetime.timedelta(minutes=90))
    for order in late:
        assert list(OverdueMark.objects.filter(order=order).order_by("id").values_list("level", flat=True)) == [
            "dispatcher", "dispatch_lead",
        ]
        _check_marks_point_to_their_alert(order)
    for order in earlier:
        assert OverdueMark.objects.filter(order=order).count() == 3
        _check_marks_point_to_their_alert(order)
    assert _alerts_by_order() == {
        **{order.pk: ["dispatch_lead"] for order in late}, **{order.pk: ["supervisor"] for order in earlier},
    }
    scheduler(DISPATCH_BY + datetime.timedelta(hours=5))
    assert _alerts_by_order() == {
        # The open lead's alert of each late order now names the supervisor.
        **{order.pk: ["supervisor"] for order in late}, **{order.pk: ["supervisor"] for order in earlier},
    }
    assert OverdueMark.objects.count() == 7 * 3


@pytest.mark.django_db(transaction=True)
def test_two_schedulers_marking_in_batches_mark_each_level_once_and_alert_each_order_once(monkeypatch, levels, new_order):
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("concurrent schedulers are checked on PostgreSQL (DATABASE_URL)")
    monkeypatch.setattr(services, "_MARK_BATCH", 3)
    late = [new_order("clean", at=FRIDAY_16) for _ in range(13)]
    # Both passes finish (a pass that raised would be missing from the results).
    finished = race([lambda: bool(scheduler_pass(now=DISPATCH_BY + datetime.timedelta(hours=5)))] * 2)
    assert finished == [True, True]
    assert OverdueMark.objects.count() == 13 * 3
    assert _alerts_by_order() == {order.pk: ["supervisor"] for order in late}
    for order in late:
        _check_marks_point_to_their_alert(order)
