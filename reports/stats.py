"""Statistics for any period and filter, every figure computed in the database.

Counts, sums and means are aggregations. Medians and 90th percentiles are
PostgreSQL's `percentile_cont` there; SQLite has no ordered-set aggregates, so
there the database sorts the values and returns only the one or two rows
either side of the percentile's position (an ordered query with an offset),
interpolated the way `percentile_cont` does. No figure loads the rows into
Python.

Past days are read from the daily roll-up (`reports.rollup`: sums of each
day's figures per filter value and pair of values, refreshed by the
scheduler's pass) when the filters are none, one or two of area, service,
channel and partner; the days it does not hold yet (today, days changed since
the last refresh) are computed live with the same queries and added, so the
figures are those of the base tables. A worker filter or three filters at
once are answered from the base tables, one scan per table (a worker has a
few thousand orders a year). Medians and 90th percentiles are exact up
to rollup.EXACT_LIMIT values of a step, and always for two filters; above it
they come from the roll-up's histograms, within 4.5 % (one bucket) of the
exact value.
Escalations, overdue now (per stage and per escalation level) and
compliance's "not done and past the deadline" depend on the moment and always
come from the base tables, in one aggregate each over the open orders'
deadlines (partial indexes `deadline_due_open` and `deadline_pending` hold
just the rows they can count).

The period is in local dates, inclusive. What "in the period" means per table:
intakes (also per week, by outcome) and orders by when they were taken,
follow-up calls by when they were made, escalations by when opened and when
resolved, fees due by the return and fees paid by the payment.
"""

import datetime
import math
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import connection
from django.db.models import (
    Count,
    DecimalField,
    F,
    Q,
    QuerySet,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce, TruncWeek
from django.utils import timezone

from dispatch.models import IntakeRecord, Resident, ServiceItem
from followup.models import CallResult, Escalation, FollowUpCall
from reports import rollup
from reports.expressions import PercentileCont, Seconds
from reports.models import WEEKLY_FIGURES
from sla.models import OrderDeadline, OverdueMark, Stage
from workorders.models import OPEN_STATES, FeeStatus, State, WorkOrder


@dataclass(frozen=True)
class Filters:
    first_day: datetime.date
    last_day: datetime.date
    area: int | None = None
    service: int | None = None
    worker: int | None = None
    partner: int | None = None
    channel: str | None = None
    tz: datetime.tzinfo = field(default_factory=timezone.get_current_timezone)

    @property
    def start(self) -> datetime.datetime:
        return timezone.make_aware(datetime.datetime.combine(self.first_day, datetime.time.min), self.tz)

    @property
    def end(self) -> datetime.datetime:
        following = self.last_day + datetime.timedelta(days=1)
        return timezone.make_aware(datetime.datetime.combine(following, datetime.time.min), self.tz)

    def in_period(self, field_name: str) -> Q:
        return Q(**{f"{field_name}__gte": self.start, f"{field_name}__lt": self.end})

    def on_orders(self, prefix: str = "") -> Q:
        """The area, service, worker, partner and channel filters on an order
        reached through `prefix` ("" for WorkOrder itself)."""
        q = Q()
        for name, value in (
            ("service", self.service), ("worker", self.worker), ("partner", self.partner), ("channel", self.channel),
        ):
            if value is not None:
                q &= Q(**{f"{prefix}{name}": value})
        if self.area is not None:
            q &= Q(**{f"{prefix}resident__in": self.area_residents()})
        return q

    def area_residents(self) -> QuerySet:
        """The area's residents as a subquery. Joined to the resident table
        instead, PostgreSQL hashed all 100,000 residents of the benchmark to
        filter one day's thousand orders or intakes (0.1 s); `IN (subquery)`
        reads only the area's."""
        return Resident.objects.filter(area=self.area).values("pk")


def _percentiles(
    queryset: QuerySet, expression, percentiles: dict[str, float], count: int | None = None
) -> dict[str, float | None]:
    """Continuous percentiles of `expression` over the rows where it is not
    null (`count` of them, when already known)."""
    queryset = queryset.annotate(_value=expression).filter(_value__isnull=False)
    if connection.vendor == "postgresql":
        found = queryset.aggregate(**{name: PercentileCont(F("_value"), p) for name, p in percentiles.items()})
        return {name: (round(value, 3) if value is not None else None) for name, value in found.items()}
    if count is None:
        count = queryset.count()
    result: dict[str, float | None] = {}
    ordered = queryset.order_by("_value").values_list("_value", flat=True)
    for name, p in percentiles.items():
        if count == 0:
            result[name] = None
            continue
        position = p * (count - 1)
        low = math.floor(position)
        values = list(ordered[low:low + 2])
        value = values[0] if len(values) == 1 or position == low else values[0] + (values[1] - values[0]) * (position - low)
        result[name] = round(value, 3)
    return result


def _orders(f: Filters) -> QuerySet[WorkOrder]:
    return WorkOrder.objects.filter(f.on_orders())


def _on_intakes(f: Filters) -> Q:
    """The filters on intakes (their channel and service, the resident's area
    or an out-of-area caller's, and the worker and partner of their order)."""
    q = Q()
    if f.channel is not None:
        q &= Q(channel=f.channel)
    if f.service is not None:
        q &= Q(service=f.service)
    if f.area is not None:
        # An out-of-area caller's area is on the intake; a resident's on the record.
        q &= Q(resident__in=f.area_residents()) | Q(resident__isnull=True, area=f.area)
    if f.worker is not None or f.partner is not None:
        q &= Q(order__isnull=False) & f.on_orders("order__")
    return q


def _base_intakes(f: Filters) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """Requests by outcome with the reasons recorded for those not served, and
    requests per week by outcome, from the base tables in one scan: the
    period's intakes grouped by week, outcome, no-card action and referral
    (a few hundred groups for a year)."""
    rows = (
        IntakeRecord.objects.filter(f.in_period("created_at") & _on_intakes(f))
        .annotate(week=TruncWeek("created_at", tzinfo=f.tz))
        .values("week", "outcome", "no_card_action", "referred_to").annotate(n=Count("id")).order_by()
    )
    by_outcome = {o: 0 for o in IntakeRecord.Outcome.values}
    no_card = {a or "none": 0 for a in IntakeRecord.NoCardAction.values}
    referred: dict[str, int] = {}
    weekly: dict[tuple[datetime.date, str], int] = {}
    for row in rows:
        outcome, n = row["outcome"], row["n"]
        by_outcome[outcome] = by_outcome.get(outcome, 0) + n
        if outcome == IntakeRecord.Outcome.NO_CARD:
            action = row["no_card_action"] or "none"
            no_card[action] = no_card.get(action, 0) + n
        if outcome == IntakeRecord.Outcome.CANNOT_SERVE and row["referred_to"]:
            referred[row["referred_to"]] = referred.get(row["referred_to"], 0) + n
        week = (_week_day(row["week"], f.tz), outcome)
        weekly[week] = weekly.get(week, 0) + n
    top = sorted(({"referred_to": name, "count": n} for name, n in referred.items()),
                 key=lambda r: (-r["count"], r["referred_to"]))[:20]
    intakes = {"total": sum(by_outcome.values()), "by_outcome": by_outcome, "no_card_actions": no_card,
               "referred_to": top}
    return intakes, _finish_weekly_intakes(weekly)


def _base_orders(f: Filters) -> tuple[dict[str, int], list[dict[str, Any]]]:
    """Orders taken in the period by state, and per week (weeks start on
    Monday, local time), from the base tables in one scan."""
    counts = {s: 0 for s in State.values}
    weeks: dict[datetime.date, int] = {}
    rows = (
        _orders(f).filter(f.in_period("created_at"))
        .annotate(week=TruncWeek("created_at", tzinfo=f.tz)).values("week", "state")
        .annotate(n=Count("id")).order_by()
    )
    for row in rows:
        counts[row["state"]] = counts.get(row["state"], 0) + row["n"]
        week = _week_day(row["week"], f.tz)
        weeks[week] = weeks.get(week, 0) + row["n"]
    return counts, [{"week": week.isoformat(), "orders": n} for week, n in sorted(weeks.items())]


RESPONSE_INTERVALS = {
    "intake_to_assign": ("assigned_at", "created_at"),
    "assign_to_collect": ("collected_at", "assigned_at"),
    "collect_to_return": ("returned_at", "collected_at"),
}


def response_times(f: Filters) -> dict[str, dict[str, Any]]:
    """Seconds of each step for orders taken in the period: count, median, p90.
    Exact (`percentile_cont`) up to rollup.EXACT_LIMIT values of a step in the
    period; above, read from the roll-up's histograms, within one bucket's
    width (4.5 %) of the exact value."""
    figures = _rolled_figures(f)
    if figures is not None:
        return figures.response_times()
    return _exact_response_times(f)


def _exact_response_times(f: Filters, counts: dict[str, int] | None = None) -> dict[str, dict[str, Any]]:
    orders = _orders(f).filter(f.in_period("created_at"))
    if connection.vendor == "postgresql":
        # One scan for all three steps: ordered-set aggregates skip the nulls
        # of the steps an order has not reached.
        aggregates = {}
        for name, (end, start) in RESPONSE_INTERVALS.items():
            seconds = Seconds(F(end), F(start))
            aggregates[f"{name}__count"] = Count("id", filter=Q(**{f"{end}__isnull": False, f"{start}__isnull": False}))
            aggregates[f"{name}__median"] = PercentileCont(seconds, 0.5)
            aggregates[f"{name}__p90"] = PercentileCont(seconds, 0.9)
        found = orders.aggregate(**aggregates)
        return {
            name: {
                measure: (round(found[f"{name}__{measure}"], 3) if measure != "count" and found[f"{name}__{measure}"]
                          is not None else found[f"{name}__{measure}"])
                for measure in ("count", "median", "p90")
            }
            for name in RESPONSE_INTERVALS
        }
    out = {}
    for name, (end, start) in RESPONSE_INTERVALS.items():
        subset = orders.filter(**{f"{end}__isnull": False, f"{start}__isnull": False})
        count = counts[name] if counts is not None else subset.count()
        out[name] = {
            "count": count,
            **_percentiles(subset, Seconds(F(end), F(start)), {"median": 0.5, "p90": 0.9}, count=count),
        }
    return out


_STAGE_FIELDS = {
    Stage.DISPATCH: ("dispatch_by", "dispatched_at"),
    Stage.START: ("start_by", "started_at"),
    Stage.FOLLOWUP: ("followup_by", "followed_up_at"),
}


def _base_compliance(f: Filters, pending: dict[str, int]) -> dict[str, dict[str, Any]]:
    """Per stage, orders taken in the period that met the deadline, missed it
    (done late, or not done and past it while still open: `pending`, see
    `pending_now`), and the rate of met among those decided; met and late
    counted here from the deadlines the scheduler stored (the roll-up's
    `_RolledFigures.compliance` sums the same per day)."""
    rows = OrderDeadline.objects.filter(f.on_orders("order__") & f.in_period("order__created_at"))
    aggregates = {}
    for stage, (by, at) in _STAGE_FIELDS.items():
        aggregates[f"{stage}_met"] = Count("pk", filter=Q(**{f"{by}__isnull": False, f"{at}__lte": F(by)}))
        aggregates[f"{stage}_late"] = Count("pk", filter=Q(**{f"{by}__isnull": False, f"{at}__gt": F(by)}))
    found = rows.aggregate(**aggregates)
    return _finish_compliance({
        str(stage): (found[f"{stage}_met"], found[f"{stage}_late"] + pending[str(stage)]) for stage in _STAGE_FIELDS
    })


def _finish_compliance(counts: dict[str, tuple[int, int]]) -> dict[str, dict[str, Any]]:
    """{stage: (met, missed)} with the rate of met among the decided."""
    return {
        stage: {"met": met, "missed": missed, "rate": round(met / (met + missed), 4) if met + missed else None}
        for stage, (met, missed) in counts.items()
    }


def pending_now(f: Filters, *, now: datetime.datetime) -> dict[str, int]:
    """Per stage, open orders taken in the period whose deadline has passed
    at `now` with the stage not done: the part of "missed" that depends on
    the moment, so never rolled up. The WHERE names only rows that can be
    pending (a deadline, nothing done, past it): a partial index
    (`deadline_pending`) holds just those, about the open orders, instead of
    every deadline of the period."""
    can_be_pending = Q(pk__in=[])
    counts = {}
    for stage, (by, at) in _STAGE_FIELDS.items():
        pending = Q(**{f"{by}__isnull": False, f"{at}__isnull": True, f"{by}__lt": now})
        can_be_pending |= pending
        counts[str(stage)] = Count("pk", filter=pending)
    return OrderDeadline.objects.filter(
        can_be_pending, order__in=_open_orders(f).filter(f.in_period("created_at"))
    ).aggregate(**counts)


def _open_orders(f: Filters) -> QuerySet[WorkOrder]:
    """The open orders the filters select, as a subquery (`order__in=`) for
    the deadline figures of the moment. Written as a join instead,
    PostgreSQL expects a tenth of the open orders' deadlines that are really
    there and looks each row's resident up one by one (an area: 0.3 s on the
    benchmark's year, against 0.1 s for this semi-join)."""
    return _orders(f).filter(state__in=OPEN_STATES).values("pk")


def _base_satisfaction(f: Filters) -> dict[str, Any]:
    """Reached follow-up calls made in the period: satisfied share, mean quality,
    overall and per service, from the base tables in one query (the overall
    figures are the services' summed)."""
    calls = FollowUpCall.objects.filter(
        f.in_period("called_at") & f.on_orders("order__"), result=CallResult.REACHED
    )
    per_service = list(
        calls.values(code=F("order__service__code"), name=F("order__service__name"))
        .annotate(reached=Count("id"), satisfied=Count("id", filter=Q(satisfied=True)), marks=Count("quality"),
                  sum=Sum("quality"))
        .order_by("code")
    )
    return _satisfaction_of(per_service)


def _satisfaction_of(per_service: list[dict[str, Any]]) -> dict[str, Any]:
    """The satisfaction section from per-service rows (code, name, reached,
    satisfied, marks: the quality marks given, sum: their sum)."""

    def measures(rows) -> dict[str, Any]:
        marks = sum(r["marks"] for r in rows)
        return {
            "reached": sum(r["reached"] for r in rows), "satisfied": sum(r["satisfied"] for r in rows),
            "mean_quality": float(sum(r["sum"] or 0 for r in rows)) / marks if marks else None,
        }

    services = [{"code": r["code"], "name": r["name"], **measures([r])} for r in per_service if r["reached"]]
    return {**_finish_satisfaction(measures(per_service)),
            "per_service": [_finish_satisfaction(r) for r in services]}


def _finish_satisfaction(row: dict) -> dict:
    row["rate"] = round(row["satisfied"] / row["reached"], 4) if row["reached"] else None
    row["mean_quality"] = round(row["mean_quality"], 3) if row["mean_quality"] is not None else None
    return row


def escalations(f: Filters) -> dict[str, int]:
    base = Escalation.objects.filter(f.on_orders("order__"))
    return base.aggregate(
        opened=Count("id", filter=f.in_period("opened_at")),
        closed=Count("id", filter=f.in_period("resolved_at")),
        open_now=Count("id", filter=Q(resolved_at__isnull=True)),
    )


def _base_fees(f: Filters) -> dict[str, Any]:
    """Fees due by the return and paid by the payment, from the base tables."""
    money = DecimalField(max_digits=14, decimal_places=2)
    zero = Value(Decimal("0"), output_field=money)
    found = _orders(f).aggregate(
        due_count=Count("id", filter=Q(fee_status=FeeStatus.DUE) & f.in_period("returned_at")),
        due_amount=Coalesce(Sum("fee", filter=Q(fee_status=FeeStatus.DUE) & f.in_period("returned_at")), zero),
        paid_count=Count("id", filter=Q(fee_status=FeeStatus.PAID) & f.in_period("fee_paid_at")),
        paid_amount=Coalesce(Sum("fee", filter=Q(fee_status=FeeStatus.PAID) & f.in_period("fee_paid_at")), zero),
    )
    return _finish_fees(found)


def _finish_fees(found: dict[str, Any]) -> dict[str, Any]:
    return {k: (str(Decimal(v).quantize(Decimal("0.01"))) if "amount" in k else v) for k, v in found.items()}


def escalation_lags() -> list[tuple[str, datetime.timedelta]]:
    """The escalation levels and how long after the deadline each is reached
    (SLA_LEAD_LAG_MINUTES, SLA_SUPERVISOR_LAG_MINUTES: the lags the scheduler
    alerts at), shortest lag first."""
    lags = [
        (OverdueMark.Level.DISPATCHER, datetime.timedelta(0)),
        (OverdueMark.Level.LEAD, datetime.timedelta(minutes=settings.SLA_LEAD_LAG_MINUTES)),
        (OverdueMark.Level.SUPERVISOR, datetime.timedelta(minutes=settings.SLA_SUPERVISOR_LAG_MINUTES)),
    ]
    return sorted(lags, key=lambda level_lag: level_lag[1])


def overdue_figures(f: Filters, *, now: datetime.datetime) -> dict[str, dict[str, int]]:
    """Open orders past their current deadline now (not the period), in one
    aggregate: per stage (`overdue_now`), and per escalation level reached by
    now (`overdue_by_level`: the highest level whose lag has passed since the
    deadline; the scheduler alerts that level at its next pass at the latest)."""
    aggregates = {f"stage_{stage}": Count("pk", filter=Q(stage=stage)) for stage in Stage.values}
    lags = escalation_lags()
    for level, lag in lags:
        aggregates[f"past_{level}"] = Count("pk", filter=Q(due_at__lt=now - lag))
    # No `stage <> ''` here: a deadline row has a due time exactly when it has
    # a stage (sla.deadlines), and PostgreSQL, taking the two conditions
    # for independent, would expect a few hundred rows instead of tens of
    # thousands and join them one by one.
    found = OrderDeadline.objects.filter(due_at__lt=now, order__in=_open_orders(f)).aggregate(**aggregates)
    # Past a level's lag and not past the next one's: at that level now.
    past = [found[f"past_{level}"] for level, _lag in lags] + [0]
    return {
        "overdue_now": {str(stage): found[f"stage_{stage}"] for stage in Stage.values},
        "overdue_by_level": {str(level): past[i] - past[i + 1] for i, (level, _lag) in enumerate(lags)},
    }


def _week_day(week, tz) -> datetime.date:
    return timezone.localtime(week, tz).date() if isinstance(week, datetime.datetime) else week


def _finish_weekly_intakes(counts: dict[tuple[datetime.date, str], int]) -> list[dict[str, Any]]:
    """{(week, outcome): n} as one row per week with a request, every outcome named."""
    weeks: dict[datetime.date, dict[str, int]] = {}
    for (week, outcome), n in counts.items():
        if n:
            weeks.setdefault(week, {o: 0 for o in IntakeRecord.Outcome.values})[outcome] = n
    return [{"week": week.isoformat(), "total": sum(by.values()), **by} for week, by in sorted(weeks.items())]


def statistics(f: Filters, *, with_service: bool = True, with_fees: bool = False) -> dict[str, Any]:
    """Every figure for the period and filters. `with_service`: the service
    figures (supervisor, lead); `with_fees`: the fee figures (finance, supervisor).
    A reader of the fees alone costs no service query."""
    out: dict[str, Any] = {"period": {"from": f.first_day.isoformat(), "to": f.last_day.isoformat()}}
    now = timezone.now()
    figures = _rolled_figures(f, now=now)
    if with_service:
        pending = pending_now(f, now=now)
        if figures is None:
            intakes, weekly_intakes = _base_intakes(f)
            by_state, weekly_orders = _base_orders(f)
            out.update(
                intakes=intakes, orders_by_state=by_state, response_times=_exact_response_times(f),
                compliance=_base_compliance(f, pending), satisfaction=_base_satisfaction(f), escalations=escalations(f),
                weekly_orders=weekly_orders, weekly_intakes=weekly_intakes,
            )
        else:
            out.update(
                intakes=figures.intake_outcomes(), orders_by_state=figures.orders_by_state(),
                response_times=figures.response_times(), compliance=figures.compliance(pending),
                satisfaction=figures.satisfaction(), escalations=escalations(f), weekly_orders=figures.weekly_orders(),
                weekly_intakes=figures.weekly_intakes(),
            )
        out.update(overdue_figures(f, now=now))
    if with_fees:
        out["fees"] = _base_fees(f) if figures is None else figures.fees()
    return out


# --- From the roll-up -----------------------------------------------------------------------


# More days than this to compute live (changed since the last refresh, or not
# rolled up yet): the base tables answer instead.
LIVE_DAYS_LIMIT = 7


def _rolled_figures(f: Filters, *, now: datetime.datetime | None = None) -> "_RolledFigures | None":
    """The period's figures from the roll-up and the days it does not hold
    yet, or None when the base tables must answer: a worker filter or three
    filters at once (the roll-up keeps single values and pairs), another time
    zone, no roll-up yet, or more than LIVE_DAYS_LIMIT days to compute live."""
    now = now or timezone.now()
    if f.worker is not None:
        return None
    chosen = {name: value for name, value in (
        ("area", f.area), ("service", f.service), ("channel", f.channel), ("partner", f.partner),
    ) if value is not None}
    if len(chosen) > 2 or str(f.tz) != str(timezone.get_current_timezone()):
        return None
    state = rollup.current_state()
    if state is None or state.rolled_through is None:
        return None
    period = rollup.days_of([(f.first_day, f.last_day)])
    changed = rollup.changed_days(state.seen_at, f.tz)
    changed |= rollup.stale_days(state)
    rolled = {day for day in period if day <= state.rolled_through and day not in changed}
    live = period - rolled
    today = timezone.localtime(now, f.tz).date()
    if sum(1 for day in live if day <= today) > LIVE_DAYS_LIMIT:
        return None
    dimension, key = rollup.dimension_and_key(chosen)
    return _RolledFigures(f, now, dimension, key, rollup.to_ranges(rolled), rollup.to_ranges(live))


class _RolledFigures:
    """Sums of the roll-up's days and of the live days' figures, and the
    sections built from them the way the base-table functions build theirs."""

    def __init__(self, f: Filters, now: datetime.datetime, dimension: str, key: str, rolled, live):
        self.f, self.now, self.dimension, self.key, self.rolled, self.live = f, now, dimension, key, rolled, live
        self.where = {"orders": f.on_orders(), "related": f.on_orders("order__"), "intakes": _on_intakes(f)}
        live_rows = rollup.compute(live, f.tz, where=self.where, histograms=False)
        self.figures = {name: [n, amount] for name, (n, amount) in rollup.rolled_sums(dimension, self.key, rolled).items()}
        rollup.merge(live_rows, self.figures)
        self.weeks = rollup.rolled_weekly(dimension, self.key, rolled, WEEKLY_FIGURES)
        for week_figure, n in rollup.weekly_of(live_rows, WEEKLY_FIGURES).items():
            self.weeks[week_figure] = self.weeks.get(week_figure, 0) + n

    def count(self, figure: str) -> int:
        return self.figures.get(figure, (0, 0))[0]

    def amount(self, figure: str) -> Decimal:
        return self.figures.get(figure, (0, Decimal(0)))[1]

    def with_prefix(self, prefix: str) -> dict[str, list]:
        return {name[len(prefix):]: value for name, value in self.figures.items() if name.startswith(prefix)}

    def intake_outcomes(self) -> dict[str, Any]:
        by_outcome = {o: self.count(f"outcome:{o}") for o in IntakeRecord.Outcome.values}
        no_card = {a or "none": self.count(f"nocard:{a}") for a in IntakeRecord.NoCardAction.values}
        referred = sorted(
            ({"referred_to": name, "count": n} for name, (n, _amount) in self.with_prefix("referred:").items() if n),
            key=lambda r: (-r["count"], r["referred_to"]),
        )[:20]
        return {"total": sum(by_outcome.values()), "by_outcome": by_outcome, "no_card_actions": no_card,
                "referred_to": referred}

    def orders_by_state(self) -> dict[str, int]:
        return {s: self.count(f"state:{s}") for s in State.values}

    def response_times(self) -> dict[str, dict[str, Any]]:
        counts = {name: self.count(f"steps:{name}") for name in RESPONSE_INTERVALS}
        if max(counts.values()) <= rollup.EXACT_LIMIT or "+" in self.dimension:
            # A pair of filters has no histograms (see reports.rollup).
            return _exact_response_times(self.f, counts)
        histograms: dict[str, dict[int, int]] = {name: {} for name in RESPONSE_INTERVALS}
        live_rows = rollup.compute(self.live, self.f.tz, where=self.where, counts=False)
        merged = rollup.merge(live_rows, {name: list(value) for name, value in self.figures.items() if name.startswith("hist:")})
        for name, (n, _amount) in merged.items():
            _hist, step, bucket = name.split(":")
            histograms[step][int(bucket)] = n
        return {
            name: {"count": counts[name], "median": rollup.percentile(histograms[name], 0.5),
                   "p90": rollup.percentile(histograms[name], 0.9)}
            for name in RESPONSE_INTERVALS
        }

    def compliance(self, pending: dict[str, int]) -> dict[str, dict[str, Any]]:
        """Met and late from the roll-up, `pending` (see `pending_now`) added to the missed."""
        return _finish_compliance({
            str(stage): (self.count(f"met:{stage}"), self.count(f"late:{stage}") + pending[str(stage)])
            for stage in _STAGE_FIELDS
        })

    def satisfaction(self) -> dict[str, Any]:
        per_service: dict[int, dict[str, Any]] = {}
        for name, (n, amount) in self.figures.items():
            measure, _at, service = name.partition("@")
            if service and measure in ("reached", "satisfied", "quality"):
                row = per_service.setdefault(int(service), {"reached": 0, "satisfied": 0, "marks": 0, "sum": Decimal(0)})
                if measure == "quality":
                    row["marks"] += n
                    row["sum"] += amount
                else:
                    row[measure] += n
        names = {
            pk: (code, name)
            for pk, code, name in ServiceItem.objects.filter(pk__in=list(per_service)).values_list("pk", "code", "name")
        } if per_service else {}
        return _satisfaction_of(sorted(
            ({"code": names[pk][0], "name": names[pk][1], **row} for pk, row in per_service.items()),
            key=lambda r: r["code"],
        ))

    def fees(self) -> dict[str, Any]:
        return _finish_fees({
            "due_count": self.count("fee_due"), "due_amount": self.amount("fee_due"),
            "paid_count": self.count("fee_paid"), "paid_amount": self.amount("fee_paid"),
        })

    def weekly_orders(self) -> list[dict[str, Any]]:
        return [{"week": week.isoformat(), "orders": n} for (week, figure), n in sorted(self.weeks.items())
                if figure == "orders" and n]

    def weekly_intakes(self) -> list[dict[str, Any]]:
        return _finish_weekly_intakes({
            (week, figure.partition(":")[2]): n for (week, figure), n in self.weeks.items() if figure != "orders"
        })
