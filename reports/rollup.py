"""The statistics roll-up: each local day's figures, summed in the database
when a period is asked for, so a year is a few hundred thousand small rows
rather than millions of orders, intakes and calls.

What a day holds (`DailyFigure`), for everything, for each single value of
area, service, channel and partner (the statistics' filters), and for each
pair of values of two of them (area and channel, service and partner...; a
worker filter or three filters at once are answered from the base tables, see
`reports.stats`): orders taken by state, the three response steps' counts and
a histogram of their seconds, deadlines met and missed late, fees due by the
return day and paid by the payment day, intakes by outcome, no-card action and
referral, and reached follow-up calls per service (satisfied, quality sum).
The histograms below are kept for everything and single values only: a pair
of values would need one row per order and step (a pair's day holds a few
orders, each in a bucket of its own), so a pair's percentiles are read exact
from the base tables (one scan).

Percentiles cannot be summed: each step's seconds are counted in buckets that
double every BUCKETS_PER_DOUBLING buckets (bucket 0 holds 0 to 1 s, bucket b
holds 2^((b-1)/16) to 2^(b/16) seconds), and a median or 90th percentile read
from the summed histogram lies in the bucket of the exact value: within 4.5 %
of it (one bucket's width; under 1 s, within 1 s). `reports.stats` answers
exactly from the base tables when the period has at most EXACT_LIMIT values.

Refresh: `refresh()` (every scheduler pass, or on demand) recomputes the days
not rolled up yet and the days of everything changed since the last refresh
(a pass: DAYS_PER_PASS days at most, the changed ones first; those left over
are `RollupState.stale_days`):
an order's taking, return and payment days when the order changed
(`updated_at`), its taking day when its deadlines were recomputed. A day's rows
are deleted and computed again in one transaction, under a lock on the one
`RollupState` row (two scheduler copies refresh one after the other). Days
after `rolled_through` (today at least), the stale days and the days changed
since the last refresh are computed live at query time with the same code (`compute`), so no
figure is stale.
"""

import datetime
import itertools
import math
from collections import defaultdict
from collections.abc import Iterable
from decimal import Decimal

from django.db import IntegrityError, connection, transaction
from django.db.models import Case, Count, F, IntegerField, Min, Q, Sum, Value, When
from django.db.models.functions import Cast, Coalesce, Floor, Ln, TruncDate
from django.utils import timezone

from dispatch.models import IntakeRecord
from followup.models import CallResult, FollowUpCall
from reports.expressions import Seconds
from reports.models import DailyFigure, RollupState
from sla.models import OrderDeadline, Stage
from workorders.models import FeeStatus, State, WorkOrder

BUCKETS_PER_DOUBLING = 16
# Above this many values of a step in the period, percentiles come from the
# histograms: an exact percentile walks every order of the period (a filtered
# month of 80,000 orders took 1 to 2 s on the benchmark's shared machine).
EXACT_LIMIT = 2_000
# Changes committed up to this long after their timestamp are still seen.
CHANGE_MARGIN = datetime.timedelta(minutes=2)
# Days a refresh computes per query round (bounds memory on a first run).
BATCH_DAYS = 31
# Days one scheduler pass rolls up at most: about 0.5 s each with a city
# district's 2,700 orders a day on the benchmark's 2-core machine. A year's
# first roll-up then takes 37 passes (37 minutes with a pass a minute).
DAYS_PER_PASS = 10

FILTER_DIMENSIONS = ("area", "service", "channel", "partner")
DIMENSIONS = ("", *FILTER_DIMENSIONS)
# Two filters at once: ("area", "service"), ("area", "channel")... in the order
# of FILTER_DIMENSIONS, stored as dimension "area+service", key "3|12".
PAIRS = tuple(itertools.combinations(FILTER_DIMENSIONS, 2))

RESPONSE_STEPS = {
    "intake_to_assign": ("assigned_at", "created_at"),
    "assign_to_collect": ("collected_at", "assigned_at"),
    "collect_to_return": ("returned_at", "collected_at"),
}
STAGE_FIELDS = {
    Stage.DISPATCH: ("dispatch_by", "dispatched_at"),
    Stage.START: ("start_by", "started_at"),
    Stage.FOLLOWUP: ("followup_by", "followed_up_at"),
}

Ranges = list[tuple[datetime.date, datetime.date]]
Row = tuple[datetime.date, str, str, str, int, Decimal]


def to_ranges(days: Iterable[datetime.date]) -> Ranges:
    """Consecutive days as inclusive (first, last) ranges."""
    out: Ranges = []
    for day in sorted(set(days)):
        if out and day - out[-1][1] == datetime.timedelta(days=1):
            out[-1] = (out[-1][0], day)
        else:
            out.append((day, day))
    return out


def days_of(ranges: Ranges) -> set[datetime.date]:
    return {first + datetime.timedelta(days=i) for first, last in ranges for i in range((last - first).days + 1)}


def _midnight(day: datetime.date, tz) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min), tz)


def in_ranges(field_name: str, ranges: Ranges, tz) -> Q:
    q = Q(pk__in=[])
    for first, last in ranges:
        q |= Q(**{f"{field_name}__gte": _midnight(first, tz),
                  f"{field_name}__lt": _midnight(last + datetime.timedelta(days=1), tz)})
    return q


def seconds_between(end: str, start: str) -> Seconds:
    return Seconds(F(end), F(start))


def bucket_of(seconds) -> Case:
    """The histogram bucket of a number of seconds (an expression)."""
    scale = BUCKETS_PER_DOUBLING / math.log(2)
    return Case(
        When(Q(_seconds__lt=1), then=Value(0)),
        default=Cast(Floor(Ln(seconds) * Value(scale)), IntegerField()) + Value(1),
        output_field=IntegerField(),
    )


def bucket_bounds(bucket: int) -> tuple[float, float]:
    if bucket <= 0:
        return 0.0, 1.0
    return 2 ** ((bucket - 1) / BUCKETS_PER_DOUBLING), 2 ** (bucket / BUCKETS_PER_DOUBLING)


def percentile(histogram: dict[int, int], p: float) -> float | None:
    """`percentile_cont(p)` estimated from a histogram {bucket: count}: the
    values at the two ranks around p * (n - 1), each placed evenly inside its
    bucket, interpolated. Within one bucket's width of the exact value."""
    n = sum(histogram.values())
    if n == 0:
        return None
    ordered = sorted((b, c) for b, c in histogram.items() if c)

    def at_rank(rank: int) -> float:
        before = 0
        for bucket, count in ordered:
            if rank < before + count:
                low, high = bucket_bounds(bucket)
                return low + (high - low) * (rank - before + 0.5) / count
            before += count
        low, high = bucket_bounds(ordered[-1][0])
        return high

    position = p * (n - 1)
    low_rank = math.floor(position)
    value = at_rank(low_rank)
    if position > low_rank:
        value += (at_rank(low_rank + 1) - value) * (position - low_rank)
    return round(value, 3)


# --- Computing days' figures -------------------------------------------------------------


def _dimension_expressions(source: str) -> dict[str, F | Coalesce]:
    """Each filter dimension's value for a row of `source` ("orders",
    "related": rows reached through `order__`, or "intakes")."""
    if source == "intakes":
        return {
            "_area": Coalesce(F("resident__area_id"), F("area_id")), "_service": F("service_id"),
            "_channel": F("channel"), "_partner": F("order__partner_id"),
        }
    order = "" if source == "orders" else "order__"
    return {
        "_area": F(f"{order}resident__area_id"), "_service": F(f"{order}service_id"),
        "_channel": F(f"{order}channel"), "_partner": F(f"{order}partner_id"),
    }


def dimension_and_key(chosen: dict[str, object]) -> tuple[str, str]:
    """The roll-up's (dimension, key) for {filter dimension: value}, none,
    one or two of them: ("", ""), ("area", "3"), ("area+channel", "3|web")."""
    names = [name for name in FILTER_DIMENSIONS if name in chosen]
    return "+".join(names), "|".join(str(chosen[name]) for name in names)


class _Collector:
    """Sums figures per (day, dimension, key). Refreshing, each grouped row
    (a day and one value of every dimension) adds to everything, to its
    area, service, channel and partner, and to each pair of them (not the
    histograms: see the module's docstring); live, every row is under ("", "")."""

    def __init__(self, by_dimension: bool):
        self.by_dimension = by_dimension
        self.sums: dict[tuple[datetime.date, str, str, str], list] = {}

    def grouped(self, queryset, source: str, day_field: str, tz, extra: tuple[str, ...] = ()):
        """The queryset grouped by the local day of `day_field` (as `_day`),
        the dimensions when refreshing, and `extra`."""
        queryset = queryset.annotate(_day=TruncDate(day_field, tzinfo=tz))
        names = ["_day"]
        if self.by_dimension:
            expressions = _dimension_expressions(source)
            queryset = queryset.annotate(**expressions)
            names += list(expressions)
        return queryset.values(*names, *extra)

    def add(self, row: dict, figure: str, count, amount=None) -> None:
        if not count and not amount:
            return
        count, amount = int(count or 0), Decimal(amount or 0)
        for dimension, key in self._keys(row, with_pairs=not figure.startswith("hist:")):
            found = self.sums.setdefault((row["_day"], dimension, key, figure), [0, Decimal(0)])
            found[0] += count
            found[1] += amount

    def _keys(self, row: dict, *, with_pairs: bool) -> list[tuple[str, str]]:
        """The (dimension, key)s a grouped row adds to: everything and its single
        values, and with `with_pairs` its pairs too. Worked out once per row
        (kept in the row), not for each of its figures."""
        cached = "_pair_keys" if with_pairs else "_keys"
        if cached not in row:
            keys = [("", "")]
            if self.by_dimension:
                # No partner is not a value of that dimension.
                values = {name: row[f"_{name}"] for name in FILTER_DIMENSIONS if row[f"_{name}"] is not None}
                keys += [(name, str(value)) for name, value in values.items()]
                if with_pairs:
                    keys += [dimension_and_key({first: values[first], second: values[second]})
                             for first, second in PAIRS if first in values and second in values]
            row[cached] = keys
        return row[cached]

    def rows(self) -> list["Row"]:
        return [(day, dimension, key, figure, n, amount) for (day, dimension, key, figure), (n, amount) in self.sums.items()]


def compute(
    ranges: Ranges, tz, *, where: dict[str, Q] | None = None, histograms: bool = True, counts: bool = True,
) -> list["Row"]:
    """The figures of the days in `ranges` as (day, dimension, key, figure,
    count, amount) rows: for everything and every value of every dimension
    (the refresh, `where` None), or, with `where` (Q objects for "orders",
    "related" (through order__) and "intakes"), of the rows those select,
    under ("", "") (the live part of a query). Each figure family is one
    aggregate query grouped by day (and the dimensions): no row is read one
    by one."""
    out = _Collector(by_dimension=where is None)
    where = where or {"orders": Q(), "related": Q(), "intakes": Q()}
    if not ranges:
        return out.rows()
    orders = WorkOrder.objects.filter(where["orders"])
    if counts:
        taken = orders.filter(in_ranges("created_at", ranges, tz))
        measures = {"n_orders": Count("id")}
        for i, state in enumerate(State.values):
            measures[f"n_state{i}"] = Count("id", filter=Q(state=state))
        for i, (end, start) in enumerate(RESPONSE_STEPS.values()):
            measures[f"n_step{i}"] = Count("id", filter=Q(**{f"{end}__isnull": False, f"{start}__isnull": False}))
        for row in out.grouped(taken, "orders", "created_at", tz).annotate(**measures).order_by():
            out.add(row, "orders", row["n_orders"])
            for i, state in enumerate(State.values):
                out.add(row, f"state:{state}", row[f"n_state{i}"])
            for i, name in enumerate(RESPONSE_STEPS):
                out.add(row, f"steps:{name}", row[f"n_step{i}"])

        deadlines = OrderDeadline.objects.filter(where["related"] & in_ranges("order__created_at", ranges, tz))
        measures = {}
        for stage, (by, at) in STAGE_FIELDS.items():
            measures[f"met_{stage}"] = Count("pk", filter=Q(**{f"{by}__isnull": False, f"{at}__lte": F(by)}))
            measures[f"late_{stage}"] = Count("pk", filter=Q(**{f"{by}__isnull": False, f"{at}__gt": F(by)}))
        for row in out.grouped(deadlines, "related", "order__created_at", tz).annotate(**measures).order_by():
            for stage in STAGE_FIELDS:
                out.add(row, f"met:{stage}", row[f"met_{stage}"])
                out.add(row, f"late:{stage}", row[f"late_{stage}"])

        for figure, status, day_field in (("fee_due", FeeStatus.DUE, "returned_at"), ("fee_paid", FeeStatus.PAID, "fee_paid_at")):
            fees = orders.filter(in_ranges(day_field, ranges, tz), fee_status=status)
            for row in out.grouped(fees, "orders", day_field, tz).annotate(n=Count("id"), total=Sum("fee")).order_by():
                out.add(row, figure, row["n"], row["total"])

        intakes = IntakeRecord.objects.filter(where["intakes"] & in_ranges("created_at", ranges, tz))
        measures = {}
        for i, outcome in enumerate(IntakeRecord.Outcome.values):
            measures[f"outcome{i}"] = Count("id", filter=Q(outcome=outcome))
        for i, action in enumerate(IntakeRecord.NoCardAction.values):
            measures[f"action{i}"] = Count("id", filter=Q(outcome=IntakeRecord.Outcome.NO_CARD, no_card_action=action))
        for row in out.grouped(intakes, "intakes", "created_at", tz).annotate(**measures).order_by():
            for i, outcome in enumerate(IntakeRecord.Outcome.values):
                out.add(row, f"outcome:{outcome}", row[f"outcome{i}"])
            for i, action in enumerate(IntakeRecord.NoCardAction.values):
                out.add(row, f"nocard:{action}", row[f"action{i}"])
        referred = intakes.filter(outcome=IntakeRecord.Outcome.CANNOT_SERVE).exclude(referred_to="")
        for row in out.grouped(referred, "intakes", "created_at", tz, ("referred_to",)).annotate(n=Count("id")).order_by():
            out.add(row, f"referred:{row['referred_to']}", row["n"])

        calls = FollowUpCall.objects.filter(
            where["related"] & in_ranges("called_at", ranges, tz), result=CallResult.REACHED
        )
        grouped = out.grouped(calls, "related", "called_at", tz, ("order__service_id",)).annotate(
            reached=Count("id"), satisfied=Count("id", filter=Q(satisfied=True)), marks=Count("quality"),
            quality=Sum("quality"),
        )
        for row in grouped.order_by():
            service = row["order__service_id"]
            out.add(row, f"reached@{service}", row["reached"])
            out.add(row, f"satisfied@{service}", row["satisfied"])
            out.add(row, f"quality@{service}", row["marks"], row["quality"])

    if histograms:
        taken = orders.filter(in_ranges("created_at", ranges, tz))
        for name, (end, start) in RESPONSE_STEPS.items():
            measured = taken.filter(**{f"{end}__isnull": False, f"{start}__isnull": False}).annotate(
                _seconds=seconds_between(end, start)
            ).annotate(_bucket=bucket_of(F("_seconds")))
            for row in out.grouped(measured, "orders", "created_at", tz, ("_bucket",)).annotate(n=Count("id")).order_by():
                out.add(row, f"hist:{name}:{row['_bucket']}", row["n"])
    return out.rows()


# --- Refreshing ---------------------------------------------------------------------------


def changed_days(since: datetime.datetime, tz) -> set[datetime.date]:
    """Local days whose figures changed at or after `since` (less the margin):
    orders changed (their taking, return and payment days) and orders whose
    deadlines were recomputed (their taking day)."""
    since = since - CHANGE_MARGIN
    days: set[datetime.date] = set()
    changed = (
        WorkOrder.objects.filter(updated_at__gte=since)
        .annotate(
            _taken=TruncDate("created_at", tzinfo=tz), _returned=TruncDate("returned_at", tzinfo=tz),
            _paid=TruncDate("fee_paid_at", tzinfo=tz),
        )
        .values_list("_taken", "_returned", "_paid").distinct().order_by()
    )
    for row in changed:
        days.update(day for day in row if day is not None)
    recomputed = (
        OrderDeadline.objects.filter(computed_at__gte=since)
        .annotate(_taken=TruncDate("order__created_at", tzinfo=tz))
        .values_list("_taken", flat=True).distinct().order_by()
    )
    days.update(recomputed)
    return days


def current_state() -> RollupState | None:
    return RollupState.objects.filter(pk=1).first()


def _first_day(tz) -> datetime.date | None:
    firsts = [
        WorkOrder.objects.aggregate(first=Min("created_at"))["first"],
        IntakeRecord.objects.aggregate(first=Min("created_at"))["first"],
        FollowUpCall.objects.aggregate(first=Min("called_at"))["first"],
        WorkOrder.objects.aggregate(first=Min("fee_paid_at"))["first"],
    ]
    firsts = [t for t in firsts if t is not None]
    return timezone.localtime(min(firsts), tz).date() if firsts else None


def scheduled_refresh(*, now: datetime.datetime) -> int:
    """The scheduler's step (core.scheduler): a pass rolls up DAYS_PER_PASS
    days at most. Returns the number of days computed."""
    return refresh(now=now, max_days=DAYS_PER_PASS)


def refresh(*, now: datetime.datetime | None = None, max_days: int | None = None) -> int:
    """Roll up the days changed since the last refresh and the days before
    today not rolled up yet: all of them when `max_days` is None, else that
    many at most, the changed ones first, oldest first; the changed days left
    over are kept in `stale_days` for the next call. Returns the number of
    days computed. Safe in two copies: the second waits for the first's lock,
    then finds less to do.

    `max_days` keeps a scheduler pass short when many days are to do: the
    first roll-up of a year (after migration 0005, minutes), or a calendar
    change (every open order's taking day): the pass's other work, overdue
    marks and their alerts, comes round again in time. Meanwhile the days
    not rolled up are computed live or read from the base tables."""
    now = now or timezone.now()
    tz = timezone.get_current_timezone()
    yesterday = timezone.localtime(now, tz).date() - datetime.timedelta(days=1)
    try:
        RollupState.objects.get_or_create(pk=1)
    except IntegrityError:
        pass  # the other copy created it
    with transaction.atomic():
        state = RollupState.objects.select_for_update().get(pk=1)
        if state.rolled_through is None:
            first, stale = _first_day(tz) or yesterday, []
        else:
            first = state.rolled_through + datetime.timedelta(days=1)
            stale = sorted(stale_days(state) | {d for d in changed_days(state.seen_at, tz) if d <= state.rolled_through})
        budget = len(stale) if max_days is None else max_days
        days, stale = set(stale[:budget]), stale[budget:]
        last = yesterday if max_days is None else min(yesterday, first + datetime.timedelta(days=budget - len(days) - 1))
        days |= days_of([(first, last)]) if first <= last else set()
        for start, end in to_ranges(days):
            while start <= end:
                batch_end = min(end, start + datetime.timedelta(days=BATCH_DAYS - 1))
                _recompute([(start, batch_end)], tz)
                start = batch_end + datetime.timedelta(days=1)
        state.rolled_through = max(last, state.rolled_through or last)
        state.seen_at, state.stale_days = now, [day.isoformat() for day in stale]
        state.save()
    return len(days)


def stale_days(state: RollupState) -> set[datetime.date]:
    """The days seen changed that the roll-up has not computed again yet."""
    return {datetime.date.fromisoformat(day) for day in state.stale_days}


# DailyFigure's columns with their PostgreSQL types, for a binary COPY.
_COLUMNS = (("day", "date"), ("dimension", "text"), ("key", "text"), ("figure", "text"), ("count", "int8"),
            ("amount", "numeric"))


def _recompute(ranges: Ranges, tz) -> None:
    """Replace the days' rows. On PostgreSQL by a binary COPY: Django's
    bulk_create spent more time preparing the rows in Python than the
    database spent storing them."""
    for first, last in ranges:
        DailyFigure.objects.filter(day__gte=first, day__lte=last).delete()
    rows = compute(ranges, tz)
    if connection.vendor != "postgresql":
        DailyFigure.objects.bulk_create(
            (DailyFigure(**dict(zip((name for name, _type in _COLUMNS), row, strict=True))) for row in rows),
            batch_size=5000,
        )
        return
    table = connection.ops.quote_name(DailyFigure._meta.db_table)
    columns = ", ".join(connection.ops.quote_name(name) for name, _type in _COLUMNS)
    with connection.cursor() as cursor, cursor.copy(f"COPY {table} ({columns}) FROM STDIN (FORMAT BINARY)") as copy:
        copy.set_types([pg_type for _name, pg_type in _COLUMNS])
        for row in rows:
            copy.write_row(row)


# --- Reading ------------------------------------------------------------------------------


def _rolled_rows(dimension: str, key: str, ranges: Ranges):
    q = Q(pk__in=[])
    for first, last in ranges:
        q |= Q(day__gte=first, day__lte=last)
    return DailyFigure.objects.filter(q, dimension=dimension, key=key)


def rolled_sums(dimension: str, key: str, ranges: Ranges) -> dict[str, tuple[int, Decimal]]:
    """{figure: (count, amount)} summed over the rolled-up days of `ranges`."""
    if not ranges:
        return {}
    rows = _rolled_rows(dimension, key, ranges).values("figure").annotate(n=Sum("count"), total=Sum("amount")).order_by()
    return {r["figure"]: (r["n"], r["total"]) for r in rows}


def rolled_weekly(dimension: str, key: str, ranges: Ranges, figures: list[str]) -> dict[tuple[datetime.date, str], int]:
    """{(week (its Monday), figure): count} of `figures` summed over the
    rolled-up days of `ranges`: one query for every weekly series."""
    from django.db.models.functions import TruncWeek

    if not ranges:
        return {}
    rows = (
        _rolled_rows(dimension, key, ranges).filter(figure__in=figures)
        .annotate(week=TruncWeek("day")).values("week", "figure").annotate(n=Sum("count")).order_by()
    )
    return {
        (r["week"].date() if isinstance(r["week"], datetime.datetime) else r["week"], r["figure"]): r["n"] for r in rows
    }


def merge(rows: Iterable[Row], into: dict[str, list]) -> dict[str, list]:
    """Add (day, dimension, key, figure, count, amount) rows into {figure: [count, amount]}."""
    for _day, _dimension, _key, figure, count, amount in rows:
        found = into.setdefault(figure, [0, Decimal(0)])
        found[0] += count
        found[1] += amount
    return into


def weekly_of(rows: Iterable[Row], figures: list[str]) -> dict[tuple[datetime.date, str], int]:
    """{(week (its Monday), figure): count} of `figures` in computed day rows."""
    weeks: dict[tuple[datetime.date, str], int] = defaultdict(int)
    wanted = set(figures)
    for day, _dimension, _key, figure, count, _amount in rows:
        if figure in wanted:
            weeks[(day - datetime.timedelta(days=day.weekday()), figure)] += count
    return weeks
