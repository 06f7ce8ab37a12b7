"""Each order's deadlines come from its history on the current calendar: a
change of the calendar moves them, and the scheduler stores the new ones."""

import datetime

import pytest
from freezegun import freeze_time

from sla import services
from sla.models import Closure, OrderDeadline
from sla.selectors import order_deadlines
from tests.service_levels import local

pytestmark = pytest.mark.django_db

FRIDAY_16 = local(2026, 11, 20, 16, 0)


def test_deadlines_follow_the_service_level(levels, new_order):
    order = new_order("clean", at=FRIDAY_16)
    found = order_deadlines(order_ids=[order.pk], now=FRIDAY_16)[order.pk]
    # 2 working hours: 1.5 on Friday to 17:30, 0.5 from Monday's 08:30.
    assert found["dispatch_by"] == local(2026, 11, 23, 9, 0).isoformat()
    assert found["start_by"] == local(2026, 11, 24, 16, 0).isoformat()  # 2 working days
    assert found["followup_by"] is None
    assert found["stage"] == "dispatch" and found["overdue"] is False


def test_a_new_service_s_level_promises_its_minutes(new_order, catalog):
    order = new_order("wound", at=FRIDAY_16)  # its level: response_target_minutes, 60 (default), in minutes
    found = order_deadlines(order_ids=[order.pk], now=FRIDAY_16)[order.pk]
    assert found["dispatch_by"] == (FRIDAY_16 + datetime.timedelta(minutes=60)).isoformat()
    assert found["start_by"] is None


def test_an_agreed_time_sets_the_start_with_grace(levels, new_order):
    order = new_order("clean", at=FRIDAY_16, requested_for=local(2026, 11, 21, 10, 0))
    found = order_deadlines(order_ids=[order.pk], now=FRIDAY_16)[order.pk]
    assert found["start_by"] == local(2026, 11, 21, 10, 30).isoformat()


def test_the_stage_moves_with_the_order(levels, new_order, run_transition):
    order = new_order("clean", at=FRIDAY_16)
    with freeze_time(local(2026, 11, 23, 8, 45)):
        run_transition(order, "assign")
    found = order_deadlines(order_ids=[order.pk], now=local(2026, 11, 23, 9, 0))[order.pk]
    assert found["stage"] == "start" and found["due_at"] == found["start_by"]
    with freeze_time(local(2026, 11, 23, 10, 0)):
        for step in ("print", "collect"):
            order = run_transition(order, step)
    with freeze_time(local(2026, 11, 23, 14, 0)):
        run_transition(order, "return_order")
    found = order_deadlines(order_ids=[order.pk], now=local(2026, 11, 23, 15, 0))[order.pk]
    assert found["stage"] == "followup"
    assert found["followup_by"] == local(2026, 11, 24, 14, 0).isoformat()


def test_a_new_closure_moves_the_deadline_and_the_scheduler_stores_it(levels, new_order, scheduler):
    order = new_order("clean", at=FRIDAY_16)
    scheduler(FRIDAY_16 + datetime.timedelta(minutes=1))
    stored = OrderDeadline.objects.get(order=order)
    assert stored.dispatch_by == local(2026, 11, 23, 9, 0)

    Closure.objects.create(first_day=datetime.date(2026, 11, 23), last_day=datetime.date(2026, 11, 23), reason="Staff day")
    assert order_deadlines(order_ids=[order.pk])[order.pk]["dispatch_by"] == local(2026, 11, 24, 9, 0).isoformat()
    scheduler(FRIDAY_16 + datetime.timedelta(minutes=2))
    stored.refresh_from_db()
    assert stored.dispatch_by == local(2026, 11, 24, 9, 0)
    assert stored.start_by == local(2026, 11, 25, 16, 0)


def test_a_pass_computes_only_what_changed(levels, new_order, scheduler):
    new_order("clean", at=FRIDAY_16)
    assert scheduler(FRIDAY_16 + datetime.timedelta(minutes=1))["deadlines"] == 1
    assert scheduler(FRIDAY_16 + datetime.timedelta(minutes=2))["deadlines"] == 0


def test_deadlines_refresh_respects_the_batch_size(settings, levels, new_order):
    settings.SCHEDULER_BATCH_SIZE = 100
    for _ in range(3):
        new_order("clean", at=FRIDAY_16)
    with freeze_time(FRIDAY_16 + datetime.timedelta(minutes=1)):
        assert services.deadlines_refresh() == 3
