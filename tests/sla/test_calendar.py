"""The working-day calendar: weekends, Chinese and Swedish public holidays,
China's make-up working days, the department's closures and opening hours,
and the three units of a deadline."""

import datetime

import pytest

from sla.calendar import WorkingCalendar, deadline
from sla.models import Closure, OpeningHours, TargetUnit
from tests.service_levels import local

pytestmark = pytest.mark.django_db

FRIDAY_15 = local(2026, 11, 20, 15, 0)


def test_a_working_day_after_friday_is_monday():
    assert deadline(FRIDAY_15, 1, TargetUnit.WORKING_DAYS) == local(2026, 11, 23, 15, 0)


def test_a_start_on_saturday_counts_from_monday_morning():
    assert deadline(local(2026, 11, 21, 10, 0), 1, TargetUnit.WORKING_DAYS) == local(2026, 11, 24, 0, 0)


def test_chinese_national_day_week_does_not_count():
    # 1-7 October 2026 are days off (holidays, a Sunday and two moved days).
    assert deadline(local(2026, 9, 30, 10, 0), 1, TargetUnit.WORKING_DAYS) == local(2026, 10, 8, 10, 0)


def test_a_chinese_make_up_saturday_is_a_working_day():
    # Saturday 14 February 2026 is worked in exchange for a day of the Spring Festival.
    calendar = WorkingCalendar.load()
    assert calendar.is_working_day(datetime.date(2026, 2, 14))
    assert not calendar.is_working_day(datetime.date(2026, 2, 7))  # an ordinary Saturday
    assert deadline(local(2026, 2, 13, 10, 0), 1, TargetUnit.WORKING_DAYS) == local(2026, 2, 14, 10, 0)


def test_the_spring_festival_is_skipped():
    # Monday 16 February (eve) to Monday 23 February 2026 are days off.
    assert deadline(local(2026, 2, 14, 10, 0), 1, TargetUnit.WORKING_DAYS) == local(2026, 2, 24, 10, 0)


def test_swedish_easter_is_skipped(settings):
    settings.HOLIDAY_COUNTRY = "SE"
    # Good Friday 3 April, the weekend and Easter Monday 6 April 2026.
    assert deadline(local(2026, 4, 2, 10, 0), 1, TargetUnit.WORKING_DAYS) == local(2026, 4, 7, 10, 0)


def test_swedish_national_day_on_a_saturday_changes_nothing_but_ascension_day_counts(settings):
    settings.HOLIDAY_COUNTRY = "SE"
    # Ascension Day is Thursday 14 May 2026.
    assert deadline(local(2026, 5, 13, 9, 0), 1, TargetUnit.WORKING_DAYS) == local(2026, 5, 15, 9, 0)
    # A Chinese make-up Saturday is no working day in Sweden.
    assert not WorkingCalendar.load().is_working_day(datetime.date(2026, 2, 14))


def test_a_closure_is_skipped_like_a_holiday():
    Closure.objects.create(first_day=datetime.date(2026, 11, 23), last_day=datetime.date(2026, 11, 24), reason="Move")
    assert deadline(FRIDAY_15, 1, TargetUnit.WORKING_DAYS) == local(2026, 11, 25, 15, 0)


def test_working_hours_run_on_into_the_next_working_day():
    # Opening hours 08:30-17:30: one hour on Friday, one on Monday.
    assert deadline(local(2026, 11, 20, 16, 30), 2, TargetUnit.WORKING_HOURS) == local(2026, 11, 23, 9, 30)


def test_working_hours_start_at_the_next_opening():
    assert deadline(local(2026, 11, 20, 19, 0), 1, TargetUnit.WORKING_HOURS) == local(2026, 11, 23, 9, 30)
    assert deadline(local(2026, 11, 23, 7, 0), 1, TargetUnit.WORKING_HOURS) == local(2026, 11, 23, 9, 30)


def test_opening_hours_set_for_a_weekday_are_used():
    OpeningHours.objects.create(weekday=4, opens=datetime.time(9, 0), closes=datetime.time(12, 0))
    # Friday closes at noon: half an hour there, the rest from Monday's 08:30.
    assert deadline(local(2026, 11, 20, 11, 30), 1, TargetUnit.WORKING_HOURS) == local(2026, 11, 23, 9, 0)


def test_working_hours_skip_a_chinese_holiday_and_use_the_make_up_day():
    # Friday 13 February 2026 16:30 + 2 h: one hour on Friday, one on Saturday 14th (worked).
    assert deadline(local(2026, 2, 13, 16, 30), 2, TargetUnit.WORKING_HOURS) == local(2026, 2, 14, 9, 30)


def test_minutes_are_wall_clock_minutes():
    saturday_night = local(2026, 11, 21, 23, 58)
    assert deadline(saturday_night, 5, TargetUnit.MINUTES) == local(2026, 11, 22, 0, 3)


def test_the_calendar_key_changes_with_a_closure():
    before = WorkingCalendar.load().key
    Closure.objects.create(first_day=datetime.date(2026, 12, 1), last_day=datetime.date(2026, 12, 1), reason="Training")
    assert WorkingCalendar.load().key != before


def test_an_unknown_unit_is_refused():
    with pytest.raises(ValueError):
        deadline(FRIDAY_15, 1, "fortnights")


def test_followups_due_time_uses_the_same_calendar():
    from followup.selectors import add_working_days

    assert add_working_days(local(2026, 9, 30, 10, 0), 1) == local(2026, 10, 8, 10, 0)
