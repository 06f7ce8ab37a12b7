"""The department's working-day calendar: which days count, which hours, and
"the deadline N minutes / N working hours / N working days after this moment".

A day is a working day when it is a weekday and not a public holiday of
HOLIDAY_COUNTRY (the `holidays` package), or when it is one of that country's
official make-up working days (China moves weekend days to working days around
its long holidays; `holidays` lists them as `weekend_workdays`), and in either
case not inside one of the department's own closures. Working hours are the
opening hours of the weekday (`OpeningHours`, edited in the admin), or
SLA_DEFAULT_OPENING_HOURS.

Why here, in `reports`, and not in a `calendars` app: DESIGN.md gives the SLA
calendars to `reports`, and the closures and opening hours are edited with the
service levels there. `followup` needs the same working days for its callback
due time; it imports this module alone, which reads only its own two tables and
imports no domain app, so the import cannot form a cycle. A second copy of the
rule in followup would be the worse choice (STYLE.md: call the first one).

A `WorkingCalendar` is a snapshot of those tables: load one per request or per
scheduler pass (`WorkingCalendar.load()`), not per order.
"""

import datetime
import functools
import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field

import holidays
from django.conf import settings
from django.utils import timezone

from reports.models import Closure, OpeningHours, TargetUnit

# Safety net for a misconfigured calendar (every day closed): no deadline is
# searched for further than this.
_MAX_DAYS_AHEAD = 3 * 366


@functools.lru_cache(maxsize=8)
def _country_holidays(country: str) -> holidays.HolidayBase:
    # Expands years lazily as dates are asked for; one instance per country for
    # the life of the process (public holidays do not change at run time).
    return holidays.country_holidays(country)


def default_hours() -> tuple[datetime.time, datetime.time]:
    opens, closes = settings.SLA_DEFAULT_OPENING_HOURS.split("-")
    return datetime.time.fromisoformat(opens.strip()), datetime.time.fromisoformat(closes.strip())


@dataclass(frozen=True)
class WorkingCalendar:
    country: str
    closures: tuple[tuple[datetime.date, datetime.date], ...] = ()
    hours: dict[int, tuple[datetime.time, datetime.time]] = field(default_factory=dict)
    tz: datetime.tzinfo = field(default_factory=timezone.get_current_timezone)
    # Answers already worked out for this snapshot: a scheduler pass asks
    # about the same few weeks of days for every order.
    _working: dict[datetime.date, bool] = field(default_factory=dict, compare=False, repr=False)

    @classmethod
    def load(cls, *, country: str | None = None) -> "WorkingCalendar":
        """The calendar as the admin has it now."""
        return cls(
            country=(country or settings.HOLIDAY_COUNTRY).upper(),
            closures=tuple(Closure.objects.order_by("first_day").values_list("first_day", "last_day")),
            hours={row.weekday: (row.opens, row.closes) for row in OpeningHours.objects.all()},
        )

    # --- days ---------------------------------------------------------------------

    def is_public_working_day(self, day: datetime.date) -> bool:
        """Working by the country's calendar alone (weekends, public holidays,
        make-up working days), before the department's closures."""
        return _country_holidays(self.country).is_working_day(day)

    def is_closed(self, day: datetime.date) -> bool:
        return any(first <= day <= last for first, last in self.closures)

    def is_working_day(self, day: datetime.date) -> bool:
        known = self._working.get(day)
        if known is None:
            known = self._working[day] = self.is_public_working_day(day) and not self.is_closed(day)
        return known

    def next_working_day(self, day: datetime.date) -> datetime.date:
        """`day` itself when it is a working day, else the next one."""
        for _ in range(_MAX_DAYS_AHEAD):
            if self.is_working_day(day):
                return day
            day += datetime.timedelta(days=1)
        raise ValueError("no working day within three years: check the closures")

    def opening_hours(self, day: datetime.date) -> tuple[datetime.datetime, datetime.datetime]:
        """The working day's opening and closing moments. A make-up Saturday
        works the hours set for Saturday if any, else the default hours."""
        opens, closes = self.hours.get(day.weekday(), default_hours())
        return self._at(day, opens), self._at(day, closes)

    def _at(self, day: datetime.date, time: datetime.time) -> datetime.datetime:
        return timezone.make_aware(datetime.datetime.combine(day, time), self.tz)

    # --- deadlines ------------------------------------------------------------------

    def add_working_days(self, start: datetime.datetime, days: int) -> datetime.datetime:
        """`start` plus `days` working days, at the same local wall-clock time.
        A start on a day off counts from the beginning of the next working day,
        so "within one working day" of a Saturday return is Tuesday 00:00 (a
        full working day later), not Monday."""
        local = timezone.localtime(start, self.tz)
        day = local.date()
        clock = local.time().replace(tzinfo=None)
        if not self.is_working_day(day):
            day, clock = self.next_working_day(day), datetime.time.min
        for _ in range(days):
            day = self.next_working_day(day + datetime.timedelta(days=1))
        # Same wall-clock time on the target day (a DST change shifts it by the hour).
        return self._at(day, clock)

    def add_working_hours(self, start: datetime.datetime, hours: float) -> datetime.datetime:
        """`start` plus `hours` of opening hours on working days. A start
        outside opening hours counts from the next opening."""
        remaining = datetime.timedelta(hours=hours)
        local = timezone.localtime(start, self.tz)
        day = local.date()
        for _ in range(_MAX_DAYS_AHEAD):
            day = self.next_working_day(day)
            opens, closes = self.opening_hours(day)
            begin = max(opens, local)
            if begin < closes:
                if begin + remaining <= closes:
                    return begin + remaining
                remaining -= closes - begin
            day += datetime.timedelta(days=1)
        raise ValueError("no working hours within three years: check the closures")

    def deadline(self, start: datetime.datetime, amount: float, unit: str) -> datetime.datetime:
        """The moment `amount` `unit`s after `start`: wall-clock minutes, working
        hours or working days. Raises ValueError for an unknown unit."""
        if unit == TargetUnit.MINUTES:
            return start + datetime.timedelta(minutes=amount)
        if unit == TargetUnit.WORKING_HOURS:
            return self.add_working_hours(start, amount)
        if unit == TargetUnit.WORKING_DAYS:
            return self.add_working_days(start, int(amount))
        raise ValueError(f"unknown unit {unit!r}")

    # --- identity -------------------------------------------------------------------

    @functools.cached_property
    def key(self) -> str:
        """Changes whenever anything that moves a deadline changes: stored with
        computed deadlines, so the scheduler knows which to compute again."""
        parts: Iterable[str] = [
            self.country,
            settings.SLA_DEFAULT_OPENING_HOURS,
            *(f"c{a}:{b}" for a, b in self.closures),
            *(f"h{d}:{o}:{c}" for d, (o, c) in sorted(self.hours.items())),
        ]
        return hashlib.sha256("|".join(parts).encode()).hexdigest()[:32]


def deadline(
    start: datetime.datetime, amount: float, unit: str, *, calendar: WorkingCalendar | None = None
) -> datetime.datetime:
    """The deadline `amount` minutes / working hours / working days after
    `start`, on the department's calendar as it is now (or `calendar`).
    Raises ValueError for an unknown unit."""
    return (calendar or WorkingCalendar.load()).deadline(start, amount, unit)


def add_working_days(start: datetime.datetime, days: int) -> datetime.datetime:
    """`start` plus `days` working days on the department's calendar as it is now."""
    return WorkingCalendar.load().add_working_days(start, days)
