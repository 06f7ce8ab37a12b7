"""The callback queue: every returned order is in it, due within one working
day of its return (the department's calendar, sla.calendar), failed
attempts wait for the retry interval, overdue ones come first. Time is frozen."""

import datetime

import pytest
from freezegun import freeze_time

from followup.selectors import add_working_days, followup_queue
from tests.followup.conftest import local

# The calendar's closures and opening hours are rows in the database.
pytestmark = pytest.mark.django_db

THURSDAY_10 = local(2026, 11, 19, 10, 0)
FRIDAY_15 = local(2026, 11, 20, 15, 0)
SATURDAY_10 = local(2026, 11, 21, 10, 0)


def _entry(order):
    return next(e for e in followup_queue() if e.order.pk == order.pk)


@pytest.mark.parametrize(
    ("start", "due"),
    [
        (THURSDAY_10, local(2026, 11, 20, 10, 0)),  # next day
        (FRIDAY_15, local(2026, 11, 23, 15, 0)),  # the weekend does not count
        (SATURDAY_10, local(2026, 11, 24, 0, 0)),  # counted from Monday's start
    ],
)
def test_due_time_is_one_working_day_after_the_return(start, due):
    assert add_working_days(start, 1) == due


def test_two_working_days_skip_the_weekend():
    assert add_working_days(FRIDAY_15, 2) == local(2026, 11, 24, 15, 0)


def test_a_returned_order_is_due_at_once_and_overdue_after_one_working_day(returned):
    with freeze_time(THURSDAY_10) as clock:
        order = returned()
        entry = _entry(order)
        assert entry.due_at == local(2026, 11, 20, 10, 0)
        assert entry.is_due and not entry.is_overdue
        clock.move_to(local(2026, 11, 20, 9, 59))
        assert not _entry(order).is_overdue
        clock.move_to(local(2026, 11, 20, 10, 1))
        assert _entry(order).is_overdue


def test_an_order_returned_on_friday_is_not_overdue_over_the_weekend(returned):
    with freeze_time(FRIDAY_15) as clock:
        order = returned()
        clock.move_to(local(2026, 11, 22, 23, 0))  # Sunday night
        assert not _entry(order).is_overdue
        clock.move_to(local(2026, 11, 23, 15, 1))  # Monday afternoon
        assert _entry(order).is_overdue


def test_a_failed_attempt_waits_for_the_retry_interval(returned, log_call, settings):
    with freeze_time(THURSDAY_10) as clock:
        order = returned()
        clock.move_to(local(2026, 11, 19, 11, 0))
        log_call(order, "no_answer")
        entry = _entry(order)
        assert entry.failed_attempts == 1
        assert entry.callable_from == local(2026, 11, 19, 13, 0)
        assert not entry.is_due and not entry.is_overdue
        assert order.pk not in {e.order.pk for e in followup_queue(due_only=True)}
        clock.move_to(local(2026, 11, 19, 13, 0))
        assert _entry(order).is_due
        # The promise of one working day stands: the retry fell before it.
        assert _entry(order).due_at == local(2026, 11, 20, 10, 0)


def test_a_retry_after_the_due_time_pushes_it(returned, log_call):
    with freeze_time(THURSDAY_10) as clock:
        order = returned()
        clock.move_to(local(2026, 11, 20, 9, 30))
        log_call(order, "wrong_number")
        entry = _entry(order)
        assert entry.due_at == entry.callable_from == local(2026, 11, 20, 11, 30)
        clock.move_to(local(2026, 11, 20, 11, 29))
        assert not _entry(order).is_overdue and not _entry(order).is_due
        clock.move_to(local(2026, 11, 20, 11, 31))
        assert _entry(order).is_overdue and _entry(order).is_due


def test_the_queue_lists_oldest_due_first_and_only_returned_orders(returned, log_call, order_in):
    with freeze_time(FRIDAY_15) as clock:
        newer = returned()
        clock.move_to(THURSDAY_10 + datetime.timedelta(days=7))  # the next Thursday
        newest = returned()
    with freeze_time(THURSDAY_10):
        oldest = returned()
    with freeze_time(local(2026, 11, 26, 12, 0)):
        closed = returned()
        log_call(closed)
        order_in("in_service", urgency="normal")
        queue = followup_queue()
        assert [e.order.pk for e in queue] == [oldest.pk, newer.pk, newest.pk]
        assert [e.is_overdue for e in queue] == [True, True, False]


def test_the_queue_api_gives_the_caller_what_the_call_needs(api, returned, people):
    with freeze_time(THURSDAY_10) as clock:
        order = returned()
        clock.move_to(local(2026, 11, 20, 12, 0))
        body = api("front_desk").get("/api/v1/followups/").json()
    (entry,) = body["results"]
    assert entry["order"]["number"] == order.number
    assert entry["order"]["service_name"] == "Home cleaning"
    assert entry["order"]["worker_name"] == people["cleaner"].name
    assert entry["order"]["resident_name"] == people["with_card"].name
    assert entry["phones"][0] == {"number": "+8613800138000", "label": "", "is_primary": True}
    assert entry["is_due"] is True and entry["is_overdue"] is True
    assert entry["due_at"].startswith("2026-11-20T10:00:00")


def test_the_queue_api_filters_what_may_be_called_now(api, returned, log_call):
    with freeze_time(THURSDAY_10):
        waiting, ready = returned(), returned()
        log_call(waiting, "no_answer")
        everything = api("front_desk").get("/api/v1/followups/").json()["results"]
        due = api("front_desk").get("/api/v1/followups/?due=true").json()["results"]
    assert {e["order"]["id"] for e in everything} == {waiting.pk, ready.pk}
    assert [e["order"]["id"] for e in due] == [ready.pk]


def test_one_queue_entry_has_its_calls_and_the_script(api, returned, log_call, people):
    order = returned()
    log_call(order, "no_answer")
    body = api("front_desk").get(f"/api/v1/followups/{order.pk}/", HTTP_ACCEPT_LANGUAGE="en").json()
    assert [c["result"] for c in body["calls"]] == ["no_answer"]
    assert people["with_card"].name in body["script"][0]
    assert "Home cleaning" in body["script"][1]


def test_an_order_not_waiting_for_a_call_has_no_queue_entry(api, returned, log_call):
    order = returned()
    log_call(order)
    assert api("front_desk").get(f"/api/v1/followups/{order.pk}/").status_code == 404
