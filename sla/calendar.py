"""The department's working-day calendar: which days count, which hours, and
"the deadline N minutes / N working hours / N working days after this moment".

A day is a working day when it is a weekday and not a public holiday of
HOLIDAY_COUNTRY (the `holidays` package), or when it is one of that country's
official make-up working days (China moves weekend days to working days around
its long holidays; `holidays` lists them as `weekend_workdays`), and in either
case not inside one of the department's own closures. Working hours are the
opening hours of the weekday (`OpeningHours`, edited in the admin), or
SLA_DEFAULT_OPENING_HOURS.

The closures and opening hours are edited with the service levels, and
every promise counted in working time uses this one calendar: the deadlines
here, followup's callback due time.

A `WorkingCalendar` is a snapshot of those tables: load one per request or per
scheduler pass (`WorkingCalendar.load()`), not per order.
"""

import bisect
import datetime
import functools
import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field

import holidays
from django.conf import settings
from django.utils import timezone

from sla.models import Closure, OpeningHours, TargetUnit

# Safety net for a misconfigured calendar (every day closed): no deadline is
# searched for further than this.
_MAX_DAYS_AHEAD = 3 * 366


# Spans built in this process, by (calendar key, time zone, first, last): see
# `WorkingCalendar._span_over`. Emptied when full; a span is never changed.
_SPANS: dict[tuple, "_Span"] = {}
_SPANS_KEPT = 16


@functools.lru_cache(maxsize=8)
def _country_holidays(country: str) -> holidays.HolidayBase:
    # Expands years lazily as dates are asked for; one instance per country for
    # the life of the process (public holidays do not change at run time).
    return holidays.country_holidays(country)


def default_hours() -> tuple[datetime.time, datetime.time]:
    opens, closes = settings.SLA_DEFAULT_OPENING_HOURS.split("-")
    return datetime.time.fromisoformat(opens.strip()), datetime.time.fromisoformat(closes.strip())


@dataclass(frozen=True)
class _Span:
    """The working days and opening intervals of whole years, from `first` to
    `last`, in local wall-clock time (naive datetimes), ascending. Built once
    per calendar snapshot, so a deadline is a bisection, not a walk over days:
    a scheduler pass computes 100,000 orders' deadlines at once.

    `worked_before[i]` and `worked_through[i]` are the working time of the
    intervals before interval `i` and through it."""

    first: datetime.date
    last: datetime.date
    reach: datetime.date
    days: list[datetime.date]
    opens: list[datetime.datetime]
    closes: list[datetime.datetime]
    worked_before: list[datetime.timedelta]
    worked_through: list[datetime.timedelta]


@dataclass(frozen=True)
class WorkingCalendar:
    country: str
    closures: tuple[tuple[datetime.date, datetime.date], ...] = ()
    hours: dict[int, tuple[datetime.time, datetime.time]] = field(default_factory=dict)
    tz: datetime.tzinfo = field(default_factory=timezone.get_current_timezone)
    # Answers already worked out for this snapshot: a scheduler pass asks
    # about the same few weeks of days for every order.
    _working: dict[datetime.date, bool] = field(default_factory=dict, compare=False, repr=False)
    # The `_Span` of precomputed working days and hours, under the key "span".
    _spans: dict[str, "_Span"] = field(default_factory=dict, compare=False, repr=False)

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
        opens, closes = self._hours_of(day)
        return self._at(day, opens), self._at(day, closes)

    def _hours_of(self, day: datetime.date) -> tuple[datetime.time, datetime.time]:
        return self.hours.get(day.weekday(), default_hours())

    def _at(self, day: datetime.date, time: datetime.time) -> datetime.datetime:
        return timezone.make_aware(datetime.datetime.combine(day, time), self.tz)

    # --- deadlines ------------------------------------------------------------------

    def add_working_days(self, start: datetime.datetime, days: int) -> datetime.datetime:
        """`start` plus `days` working days, at the same local wall-clock time.
        A start on a day off counts from the beginning of the next working day,
        so "within one working day" of a Saturday return is Tuesday 00:00 (a
        full working day later), not Monday."""
        local = start.astimezone(self.tz)
        day = local.date()
        span = self._span_from(day)
        # The first working day on or after `day`, then `days` further on.
        index = bisect.bisect_left(span.days, day)
        working = index < len(span.days) and span.days[index] == day
        clock = local.time() if working else datetime.time.min
        index += max(days, 0)
        while index >= len(span.days):
            span = self._span_beyond(span, "days")
        # Same wall-clock time on the target day (a DST change shifts it by the hour).
        return datetime.datetime.combine(span.days[index], clock, tzinfo=self.tz)

    def add_working_hours(self, start: datetime.datetime, hours: float) -> datetime.datetime:
        """`start` plus `hours` of opening hours on working days. A start
        outside opening hours counts from the next opening.

        Counted in local wall-clock time, on the opening intervals of the
        span (see `_Span`): where `start` falls, then by bisection where the
        working time it needs runs out."""
        remaining = datetime.timedelta(hours=hours)
        local = start.astimezone(self.tz).replace(tzinfo=None)
        span = self._span_from(local.date())
        first = bisect.bisect_right(span.closes, local)  # the first interval still open after `local`
        while first >= len(span.closes):
            span = self._span_beyond(span, "closes")
        begin = max(span.opens[first], local)
        if begin + remaining <= span.closes[first]:
            return (begin + remaining).replace(tzinfo=self.tz)
        target = span.worked_before[first] + (begin - span.opens[first]) + remaining
        last = bisect.bisect_left(span.worked_through, target, lo=first + 1)
        while last >= len(span.closes):
            span = self._span_beyond(span, "closes")
            last = bisect.bisect_left(span.worked_through, target, lo=first + 1)
        return (span.opens[last] + (target - span.worked_before[last])).replace(tzinfo=self.tz)

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

    # --- the span of precomputed working time -------------------------------------------

    def _span_from(self, day: datetime.date) -> "_Span":
        """The span covering `day` and the year after it (further when an
        amount needs it: `_span_beyond`)."""
        span = self._spans.get("span")
        if span is not None and span.first <= day <= span.reach:
            return span
        first = min(day, span.first) if span else day
        last = max(day, span.last) if span else day
        return self._span_over(first, last + datetime.timedelta(days=366))

    def _span_beyond(self, span: "_Span", needed: str) -> "_Span":
        """A span reaching _MAX_DAYS_AHEAD days further than `span`, for more
        working days or hours (`needed`: "days" or "closes") than it holds.
        Raises ValueError when those days add none: every day closed."""
        wider = self._span_over(span.first, span.last + datetime.timedelta(days=_MAX_DAYS_AHEAD))
        if len(getattr(wider, needed)) == len(getattr(span, needed)):
            raise ValueError("no working time within three years: check the closures")
        return wider

    def _span_over(self, first: datetime.date, last: datetime.date) -> "_Span":
        """The span of the whole years from `first` to `last`. Shared by the
        snapshots of one process with the same calendar (its `key`, and time
        zone): building one costs tens of milliseconds, and the API loads a
        calendar per request."""
        first, last = datetime.date(first.year, 1, 1), datetime.date(last.year, 12, 31)
        cache_key = (self.key, str(self.tz), first, last)
        span = _SPANS.get(cache_key)
        if span is None:
            if len(_SPANS) >= _SPANS_KEPT:
                _SPANS.clear()
            span = _SPANS[cache_key] = self._build_span(first, last)
        self._spans["span"] = span
        return span

    def _build_span(self, first: datetime.date, last: datetime.date) -> "_Span":
        days, opens, closes, worked_before, worked_through = [], [], [], [], []
        worked = datetime.timedelta(0)
        day = first
        while day <= last:
            if self.is_working_day(day):
                days.append(day)
                open_time, close_time = self._hours_of(day)
                opening = datetime.datetime.combine(day, open_time)
                closing = datetime.datetime.combine(day, close_time)
                # A day whose hours are empty counts as a working day, with no working hours.
                if opening < closing:
                    opens.append(opening)
                    closes.append(closing)
                    worked_before.append(worked)
                    worked += closing - opening
                    worked_through.append(worked)
            day += datetime.timedelta(days=1)
        # A start after `reach` widens the span first: its deadline is most likely beyond `last`.
        reach = last - datetime.timedelta(days=62)
        return _Span(first, last, reach, days, opens, closes, worked_before, worked_through)

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


# --- the calendar as the coordinator sees it -------------------------------------------

# The languages the `holidays` package names a country's holidays in, by ours;
# a language it does not have for the country gets the English names.
_HOLIDAY_LANGUAGES = {"zh-hans": "zh_CN", "en": "en_US", "sv": "sv"}


@functools.lru_cache(maxsize=32)
def _named_holidays(country: str, language: str, years: tuple[int, ...]) -> holidays.HolidayBase:
    supported = holidays.country_holidays(country, years=years[:1]).supported_languages
    wanted = _HOLIDAY_LANGUAGES.get(language, "en_US")
    if wanted not in supported:
        wanted = "en_US" if "en_US" in supported else None
    return holidays.country_holidays(country, years=years, language=wanted)


@dataclass(frozen=True)
class WeekdayHours:
    weekday: int
    opens: datetime.time
    closes: datetime.time
    default: bool  # no row for it: SLA_DEFAULT_OPENING_HOURS applies
    weekend: bool  # the country's weekend: worked only on its make-up working days

    @property
    def label(self) -> str:
        return str(OpeningHours.Weekday(self.weekday).label)


@dataclass(frozen=True)
class CalendarDay:
    first: datetime.date
    last: datetime.date
    kind: str  # "holiday", "workday" (a weekend day worked), "closure"
    name: str


def effective_calendar(today: datetime.date, *, language: str, days: int = 365) -> dict:
    """What the department's calendar is from `today` for `days` days, as the
    deadlines count it: each weekday's hours (its row, or the default), and
    the public holidays with their names, the weekend days worked instead
    (China's 调休) and the department's closures, by date."""
    calendar = WorkingCalendar.load()
    last = today + datetime.timedelta(days=days)
    weekend = _country_holidays(calendar.country).weekend
    default = default_hours()
    weekdays = [
        WeekdayHours(day, *calendar.hours.get(day, default), default=day not in calendar.hours, weekend=day in weekend)
        for day in range(7)
    ]
    named = _named_holidays(calendar.country, language, tuple(range(today.year, last.year + 1)))
    found = [
        CalendarDay(day, day, "holiday", name)
        for day, name in named.items()
        if today <= day <= last
    ]
    found += [
        CalendarDay(day, day, "workday", "")
        for day in getattr(named, "weekend_workdays", ())
        if today <= day <= last
    ]
    found += [
        CalendarDay(row.first_day, row.last_day, "closure", row.reason)
        for row in Closure.objects.filter(last_day__gte=today, first_day__lte=last).order_by("first_day", "id")
    ]
    found.sort(key=lambda entry: (entry.first, entry.kind))
    return {"weekdays": weekdays, "days": found, "first": today, "last": last, "country": calendar.country}
