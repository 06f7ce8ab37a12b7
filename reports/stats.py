"""Statistics for any period and filter, every figure computed in the database.

Counts, sums and means are aggregations. Medians and 90th percentiles are
PostgreSQL's `percentile_cont` there; SQLite has no ordered-set aggregates, so
there the database sorts the values and returns only the one or two rows
either side of the percentile's position (an ordered query with an offset),
interpolated the way `percentile_cont` does. No figure loads the rows into
Python.

Past days are read from the daily roll-up (`reports.rollup`: sums of each
day's figures per filter dimension, refreshed by the scheduler's pass) when
the filter is one of area, service, channel or partner or none; the days it
does not hold yet (today, days changed since the last refresh) are computed
live with the same queries and added, so the figures are those of the base
tables. A worker filter or two filters at once are answered from the base
tables (selective: a worker has a few thousand orders a year). Medians and
90th percentiles are exact up to rollup.EXACT_LIMIT values of a step; above it they come
from the roll-up's histograms, within 4.5 % (one bucket) of the exact value.
Escalations, overdue-now and compliance's "not done and past the deadline"
depend on the moment and always come from the base tables.

The period is in local dates, inclusive. What "in the period" means per table:
intakes and orders by when they were taken, follow-up calls by when they were
made, escalations by when opened and when resolved, fees due by the return
and fees paid by the payment.
"""

import datetime
import math
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import connection
from django.db.models import (
    Avg,
    Count,
    DecimalField,
    F,
    FloatField,
    Func,
    Q,
    QuerySet,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce, TruncWeek
from django.utils import timezone

from dispatch.models import IntakeRecord, ServiceItem
from followup.models import CallResult, Escalation, FollowUpCall
from reports import rollup
from reports.models import OrderDeadline, Stage
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
            ("resident__area", self.area), ("service", self.service), ("worker", self.worker),
            ("partner", self.partner), ("channel", self.channel),
        ):
            if value is not None:
                q &= Q(**{f"{prefix}{name}": value})
        return q


class Seconds(Func):
    """Seconds from the second expression to the first, as a float."""

    output_field = FloatField()
    arity = 2

    def as_sql(self, compiler, connection, **extra):
        return self.as_sqlite(compiler, connection, **extra)

    def as_sqlite(self, compiler, connection, **extra):
        return super().as_sql(
            compiler, connection, template="((julianday(%(expressions)s)) * 86400.0)", arg_joiner=") - julianday(",
            **extra,
        )

    def as_postgresql(self, compiler, connection, **extra):
        return super().as_sql(
            compiler, connection, template="EXTRACT(EPOCH FROM (%(expressions)s))::float", arg_joiner=" - ", **extra
        )


class PercentileCont(Func):
    """PostgreSQL's ordered-set aggregate `percentile_cont(p) WITHIN GROUP (ORDER BY x)`."""

    function = "PERCENTILE_CONT"
    contains_aggregate = True
    output_field = FloatField()
    template = "%(function)s(%(percentile)s) WITHIN GROUP (ORDER BY %(expressions)s)"

    def __init__(self, expression, percentile: float, **extra):
        super().__init__(expression, percentile=float(percentile), **extra)


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
        q &= Q(resident__area=f.area) | Q(resident__isnull=True, area=f.area)
    if f.worker is not None or f.partner is not None:
        q &= Q(order__isnull=False) & f.on_orders("order__")
    return q


def intake_outcomes(f: Filters) -> dict[str, Any]:
    """Requests by outcome, and the reasons recorded for those not served."""
    figures = _rolled_figures(f)
    if figures is not None:
        return figures.intake_outcomes()
    intakes = IntakeRecord.objects.filter(f.in_period("created_at") & _on_intakes(f))
    by_outcome = {o: 0 for o in IntakeRecord.Outcome.values}
    by_outcome.update(dict(intakes.values_list("outcome").annotate(n=Count("id")).order_by()))
    no_card = {a or "none": 0 for a in IntakeRecord.NoCardAction.values}
    no_card.update(
        {a or "none": n for a, n in intakes.filter(outcome=IntakeRecord.Outcome.NO_CARD)
         .values_list("no_card_action").annotate(n=Count("id")).order_by()}
    )
    referred = list(
        intakes.filter(outcome=IntakeRecord.Outcome.CANNOT_SERVE).exclude(referred_to="")
        .values("referred_to").annotate(count=Count("id")).order_by("-count", "referred_to")[:20]
    )
    return {"total": sum(by_outcome.values()), "by_outcome": by_outcome, "no_card_actions": no_card,
            "referred_to": referred}


def orders_by_state(f: Filters) -> dict[str, int]:
    figures = _rolled_figures(f)
    if figures is not None:
        return figures.orders_by_state()
    counts = {s: 0 for s in State.values}
    counts.update(
        dict(_orders(f).filter(f.in_period("created_at")).values_list("state").annotate(n=Count("id")).order_by())
    )
    return counts


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


def compliance(f: Filters, *, now: datetime.datetime | None = None) -> dict[str, dict[str, Any]]:
    """Per stage, orders taken in the period that met the deadline, missed it
    (done late, or not done and past it while still open), and the rate of met
    among those decided. Reads the deadlines the scheduler stored."""
    now = now or timezone.now()
    figures = _rolled_figures(f, now=now)
    if figures is not None:
        return figures.compliance()
    rows = OrderDeadline.objects.filter(f.on_orders("order__") & f.in_period("order__created_at"))
    aggregates = {}
    for stage, (by, at) in _STAGE_FIELDS.items():
        aggregates[f"{stage}_met"] = Count("pk", filter=Q(**{f"{by}__isnull": False, f"{at}__lte": F(by)}))
        aggregates[f"{stage}_missed"] = Count(
            "pk",
            filter=Q(**{f"{by}__isnull": False, f"{at}__gt": F(by)})
            | Q(**{f"{by}__isnull": False, f"{at}__isnull": True, f"{by}__lt": now, "order__state__in": OPEN_STATES}),
        )
    found = rows.aggregate(**aggregates)
    out = {}
    for stage in _STAGE_FIELDS:
        met, missed = found[f"{stage}_met"], found[f"{stage}_missed"]
        out[str(stage)] = {"met": met, "missed": missed, "rate": round(met / (met + missed), 4) if met + missed else None}
    return out


def satisfaction(f: Filters) -> dict[str, Any]:
    """Reached follow-up calls made in the period: satisfied share, mean quality,
    overall and per service."""
    figures = _rolled_figures(f)
    if figures is not None:
        return figures.satisfaction()
    calls = FollowUpCall.objects.filter(
        f.in_period("called_at") & f.on_orders("order__"), result=CallResult.REACHED
    )
    measures = {
        "reached": Count("id"),
        "satisfied": Count("id", filter=Q(satisfied=True)),
        "mean_quality": Avg("quality"),
    }
    total = calls.aggregate(**measures)
    per_service = list(
        calls.values(code=F("order__service__code"), name=F("order__service__name"))
        .annotate(**measures).order_by("code")
    )

    return {**_finish_satisfaction(total), "per_service": [_finish_satisfaction(r) for r in per_service]}


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


def fees(f: Filters) -> dict[str, Any]:
    figures = _rolled_figures(f)
    if figures is not None:
        return figures.fees()
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


def weekly_orders(f: Filters) -> list[dict[str, Any]]:
    """Orders taken per week (weeks start on Monday, local time)."""
    figures = _rolled_figures(f)
    if figures is not None:
        return figures.weekly_orders()
    rows = (
        _orders(f).filter(f.in_period("created_at"))
        .annotate(week=TruncWeek("created_at", tzinfo=f.tz)).values("week")
        .annotate(orders=Count("id")).order_by("week")
    )
    return [{"week": timezone.localtime(r["week"], f.tz).date().isoformat() if isinstance(r["week"], datetime.datetime)
             else r["week"].isoformat(), "orders": r["orders"]} for r in rows]


def overdue_now(f: Filters, *, now: datetime.datetime | None = None) -> dict[str, int]:
    """Open orders past their current deadline now, per stage (not the period)."""
    now = now or timezone.now()
    counts = {str(s): 0 for s in Stage.values}
    counts.update(
        dict(
            OrderDeadline.objects.filter(f.on_orders("order__"), due_at__lt=now, order__state__in=OPEN_STATES)
            .exclude(stage="").values_list("stage").annotate(n=Count("pk")).order_by()
        )
    )
    return counts


def statistics(f: Filters, *, with_service: bool = True, with_fees: bool = False) -> dict[str, Any]:
    """Every figure for the period and filters. `with_service`: the service
    figures (supervisor, lead); `with_fees`: the fee figures (finance, supervisor)."""
    out: dict[str, Any] = {"period": {"from": f.first_day.isoformat(), "to": f.last_day.isoformat()}}
    now = timezone.now()
    figures = _rolled_figures(f, now=now)
    if with_service:
        if figures is None:
            out.update(
                intakes=intake_outcomes(f), orders_by_state=orders_by_state(f), response_times=response_times(f),
                compliance=compliance(f, now=now), satisfaction=satisfaction(f), escalations=escalations(f),
                weekly_orders=weekly_orders(f), overdue_now=overdue_now(f, now=now),
            )
        else:
            out.update(
                intakes=figures.intake_outcomes(), orders_by_state=figures.orders_by_state(),
                response_times=figures.response_times(), compliance=figures.compliance(),
                satisfaction=figures.satisfaction(), escalations=escalations(f), weekly_orders=figures.weekly_orders(),
                overdue_now=overdue_now(f, now=now),
            )
    if with_fees:
        out["fees"] = fees(f) if figures is None else figures.fees()
    return out


# --- From the roll-up -----------------------------------------------------------------------

# More days than this to compute live (changed since the last refresh, or not
# rolled up yet): the base tables answer instead.
LIVE_DAYS_LIMIT = 7


def _rolled_figures(f: Filters, *, now: datetime.datetime | None = None) -> "_RolledFigures | None":
    """The period's figures from the roll-up and the days it does not hold
    yet, or None when the base tables must answer: a worker filter or two
    filters at once (the roll-up keeps one dimension at a time), another time
    zone, no roll-up yet, or more than LIVE_DAYS_LIMIT days to compute live."""
    now = now or timezone.now()
    if f.worker is not None:
        return None
    chosen = [(name, value) for name, value in (
        ("area", f.area), ("service", f.service), ("channel", f.channel), ("partner", f.partner),
    ) if value is not None]
    if len(chosen) > 1 or str(f.tz) != str(timezone.get_current_timezone()):
        return None
    state = rollup.current_state()
    if state is None or state.rolled_through is None:
        return None
    period = rollup.days_of([(f.first_day, f.last_day)])
    changed = rollup.changed_days(state.seen_at, f.tz)
    rolled = {day for day in period if day <= state.rolled_through and day not in changed}
    live = period - rolled
    today = timezone.localtime(now, f.tz).date()
    if sum(1 for day in live if day <= today) > LIVE_DAYS_LIMIT:
        return None
    dimension, key = chosen[0] if chosen else ("", "")
    return _RolledFigures(f, now, dimension, str(key), rollup.to_ranges(rolled), rollup.to_ranges(live))


class _RolledFigures:
    """Sums of the roll-up's days and of the live days' figures, and the
    sections built from them the way the base-table functions build theirs."""

    def __init__(self, f: Filters, now: datetime.datetime, dimension: str, key: str, rolled, live):
        self.f, self.now, self.dimension, self.key, self.rolled, self.live = f, now, dimension, key, rolled, live
        self.where = {"orders": f.on_orders(), "related": f.on_orders("order__"), "intakes": _on_intakes(f)}
        live_rows = rollup.compute(live, f.tz, where=self.where, histograms=False)
        self.figures = {name: [n, amount] for name, (n, amount) in rollup.rolled_sums(dimension, self.key, rolled).items()}
        rollup.merge(live_rows, self.figures)
        self.weeks = rollup.rolled_weekly(dimension, self.key, rolled)
        for week, n in rollup.weekly_of(live_rows).items():
            self.weeks[week] = self.weeks.get(week, 0) + n

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
        if max(counts.values()) <= rollup.EXACT_LIMIT:
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

    def compliance(self) -> dict[str, dict[str, Any]]:
        # Not done yet and past the deadline while open: depends on the moment, never rolled up.
        pending = OrderDeadline.objects.filter(
            self.f.on_orders("order__") & self.f.in_period("order__created_at"), order__state__in=OPEN_STATES
        ).aggregate(**{
            str(stage): Count("pk", filter=Q(**{f"{by}__isnull": False, f"{at}__isnull": True, f"{by}__lt": self.now}))
            for stage, (by, at) in _STAGE_FIELDS.items()
        })
        out = {}
        for stage in _STAGE_FIELDS:
            met, missed = self.count(f"met:{stage}"), self.count(f"late:{stage}") + pending[str(stage)]
            out[str(stage)] = {"met": met, "missed": missed, "rate": round(met / (met + missed), 4) if met + missed else None}
        return out

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

        def measures(rows) -> dict[str, Any]:
            rows = list(rows)
            marks = sum(r["marks"] for r in rows)
            return {
                "reached": sum(r["reached"] for r in rows), "satisfied": sum(r["satisfied"] for r in rows),
                "mean_quality": float(sum(r["sum"] for r in rows)) / marks if marks else None,
            }

        services = sorted(
            ({"code": names[pk][0], "name": names[pk][1], **measures([row])} for pk, row in per_service.items() if row["reached"]),
            key=lambda r: r["code"],
        )
        return {**_finish_satisfaction(measures(per_service.values())),
                "per_service": [_finish_satisfaction(r) for r in services]}

    def fees(self) -> dict[str, Any]:
        return _finish_fees({
            "due_count": self.count("fee_due"), "due_amount": self.amount("fee_due"),
            "paid_count": self.count("fee_paid"), "paid_amount": self.amount("fee_paid"),
        })

    def weekly_orders(self) -> list[dict[str, Any]]:
        return [{"week": week.isoformat(), "orders": n} for week, n in sorted(self.weeks.items()) if n]
