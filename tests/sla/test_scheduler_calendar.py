"""The calendar's deadlines are answered from precomputed working intervals
(a bisection, for the scheduler's 100,000 orders a pass). These tests hold
that fast path to the rule it replaced: the walk day by day written out here,
over many random starts across weekends, Chinese and Swedish holidays, make-up
working days, closures and uneven opening hours."""

import datetime
import random
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from sla.calendar import WorkingCalendar

SHANGHAI = ZoneInfo("Asia/Shanghai")
STOCKHOLM = ZoneInfo("Europe/Stockholm")


def walk_working_days(calendar: WorkingCalendar, start: datetime.datetime, days: int) -> datetime.datetime:
    """The rule, day by day: a start on a day off counts from the next working
    day's midnight; then `days` working days on, at the same wall-clock time."""
    local = timezone.localtime(start, calendar.tz)
    day, clock = local.date(), local.time().replace(tzinfo=None)
    if not calendar.is_working_day(day):
        day, clock = calendar.next_working_day(day), datetime.time.min
    for _ in range(days):
        day = calendar.next_working_day(day + datetime.timedelta(days=1))
    return timezone.make_aware(datetime.datetime.combine(day, clock), calendar.tz)


def walk_working_hours(calendar: WorkingCalendar, start: datetime.datetime, hours: float) -> datetime.datetime:
    """The rule, day by day: opening hours of working days from `start` (or
    the next opening) until `hours` have passed."""
    remaining = datetime.timedelta(hours=hours)
    local = timezone.localtime(start, calendar.tz)
    day = local.date()
    for _ in range(5000):
        day = calendar.next_working_day(day)
        opens, closes = calendar.opening_hours(day)
        begin = max(opens, local)
        if begin < closes:
            if begin + remaining <= closes:
                return begin + remaining
            remaining -= closes - begin
        day += datetime.timedelta(days=1)
    raise AssertionError("the walk found no end")


def _starts(rnd: random.Random, tz, first: datetime.date, days: int, count: int) -> list[datetime.datetime]:
    """Random moments (to the microsecond) and, as often, the moments where an
    off-by-one hides: openings, closings, midnights."""
    starts = []
    for _ in range(count):
        day = first + datetime.timedelta(days=rnd.randrange(days))
        clock = rnd.choice([
            datetime.time(rnd.randrange(24), rnd.randrange(60), rnd.randrange(60), rnd.randrange(1_000_000)),
            datetime.time(8, 30), datetime.time(17, 30), datetime.time(0, 0), datetime.time(9, 0), datetime.time(12, 0),
            datetime.time(17, 29, 59, 999_999), datetime.time(23, 59, 59, 999_999),
        ])
        starts.append(timezone.make_aware(datetime.datetime.combine(day, clock), tz))
    return starts


HOURS = [0, 0.25, 0.5, 1, 2, 3.5, 4, 8, 9, 9.5, 18, 40, 100]
DAYS = [0, 1, 2, 3, 5, 10, 30]

CALENDARS = {
    "china, default hours": lambda: WorkingCalendar(country="CN", tz=SHANGHAI),
    "china, a closure and a short Friday": lambda: WorkingCalendar(
        country="CN", tz=SHANGHAI,
        closures=((datetime.date(2026, 3, 2), datetime.date(2026, 3, 4)), (datetime.date(2026, 10, 9), datetime.date(2026, 10, 9))),
        hours={4: (datetime.time(9, 0), datetime.time(12, 0)), 5: (datetime.time(10, 0), datetime.time(15, 30))},
    ),
    "sweden, summer time, a Wednesday without hours": lambda: WorkingCalendar(
        country="SE", tz=STOCKHOLM,
        closures=((datetime.date(2026, 7, 6), datetime.date(2026, 7, 31)),),
        hours={2: (datetime.time(9, 0), datetime.time(9, 0)), 0: (datetime.time(7, 15), datetime.time(19, 45))},
    ),
}


@pytest.mark.parametrize("name", list(CALENDARS))
@pytest.mark.parametrize("unit", ["hours", "days"])
def test_working_time_agrees_with_the_day_by_day_walk(settings, name, unit):
    settings.SLA_DEFAULT_OPENING_HOURS = "08:30-17:30"
    calendar, reference = CALENDARS[name](), CALENDARS[name]()
    rnd = random.Random(f"{unit} {name}")
    fast_add, walk = {
        "hours": (calendar.add_working_hours, walk_working_hours), "days": (calendar.add_working_days, walk_working_days),
    }[unit]
    for start in _starts(rnd, calendar.tz, datetime.date(2025, 12, 1), 420, 600):
        amount = rnd.choice([*HOURS, rnd.uniform(0, 60)]) if unit == "hours" else rnd.choice(DAYS)
        fast, slow = fast_add(start, amount), walk(reference, start, amount)
        # The same moment, and the same wall clock and offset.
        assert (fast, fast.isoformat()) == (slow, slow.isoformat()), (start, amount)


def test_starts_years_apart_on_one_calendar_agree_with_the_walk():
    # The precomputed span is widened when a start falls outside it (a closed
    # order's return years ago, then today's order): answers stay the walk's.
    calendar, reference = WorkingCalendar(country="CN", tz=SHANGHAI), WorkingCalendar(country="CN", tz=SHANGHAI)
    for year in (2026, 2021, 2029, 2019):
        start = timezone.make_aware(datetime.datetime(year, 9, 30, 16, 0), SHANGHAI)
        assert calendar.add_working_hours(start, 3) == walk_working_hours(reference, start, 3)
        assert calendar.add_working_days(start, 2) == walk_working_days(reference, start, 2)


def test_amounts_longer_than_the_span_reach_beyond_it():
    calendar, reference = WorkingCalendar(country="SE", tz=STOCKHOLM), WorkingCalendar(country="SE", tz=STOCKHOLM)
    start = timezone.make_aware(datetime.datetime(2026, 12, 30, 10, 0), STOCKHOLM)
    assert calendar.add_working_days(start, 1200) == walk_working_days(reference, start, 1200)
    assert calendar.add_working_hours(start, 12_000) == walk_working_hours(reference, start, 12_000)


def test_a_closure_of_years_is_skipped():
    closures = ((datetime.date(2026, 6, 1), datetime.date(2029, 3, 30)),)
    calendar = WorkingCalendar(country="CN", tz=SHANGHAI, closures=closures)
    reference = WorkingCalendar(country="CN", tz=SHANGHAI, closures=closures)
    start = timezone.make_aware(datetime.datetime(2026, 5, 29, 17, 0), SHANGHAI)
    assert calendar.add_working_hours(start, 2) == walk_working_hours(reference, start, 2)
    assert calendar.add_working_days(start, 1) == walk_working_days(reference, start, 1)
    assert calendar.add_working_days(start, 1).date() == datetime.date(2029, 4, 2)


def test_a_calendar_closed_for_good_is_refused():
    calendar = WorkingCalendar(country="CN", tz=SHANGHAI, closures=((datetime.date(2026, 1, 1), datetime.date(2099, 12, 31)),))
    start = timezone.make_aware(datetime.datetime(2026, 5, 29, 17, 0), SHANGHAI)
    with pytest.raises(ValueError):
        calendar.add_working_hours(start, 1)
    with pytest.raises(ValueError):
        calendar.add_working_days(start, 1)
