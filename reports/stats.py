"""Statistics for any period and filter, every figure computed in the database.

Counts, sums and means are aggregations. Medians and 90th percentiles are
PostgreSQL's `percentile_cont` there; SQLite has no ordered-set aggregates, so
there the database sorts the values and returns only the one or two rows
either side of the percentile's position (an ordered query with an offset),
interpolated the way `percentile_cont` does. No figure loads the rows into
Python.

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

from dispatch.models import IntakeRecord
from followup.models import CallResult, Escalation, FollowUpCall
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


def _percentiles(queryset: QuerySet, expression, percentiles: dict[str, float]) -> dict[str, float | None]:
    """Continuous percentiles of `expression` over the rows where it is not null."""
    queryset = queryset.annotate(_value=expression).filter(_value__isnull=False)
    if connection.vendor == "postgresql":
        found = queryset.aggregate(**{name: PercentileCont(F("_value"), p) for name, p in percentiles.items()})
        return {name: (round(value, 3) if value is not None else None) for name, value in found.items()}
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


def intake_outcomes(f: Filters) -> dict[str, Any]:
    """Requests by outcome, and the reasons recorded for those not served."""
    q = f.in_period("created_at")
    if f.channel is not None:
        q &= Q(channel=f.channel)
    if f.service is not None:
        q &= Q(service=f.service)
    if f.area is not None:
        # An out-of-area caller's area is on the intake; a resident's on the record.
        q &= Q(resident__area=f.area) | Q(resident__isnull=True, area=f.area)
    if f.worker is not None or f.partner is not None:
        q &= Q(order__isnull=False) & f.on_orders("order__")
    intakes = IntakeRecord.objects.filter(q)
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
    """Seconds of each step for orders taken in the period: count, median, p90."""
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
        out[name] = {"count": subset.count(), **_percentiles(subset, Seconds(F(end), F(start)), {"median": 0.5, "p90": 0.9})}
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

    def finish(row: dict) -> dict:
        row["rate"] = round(row["satisfied"] / row["reached"], 4) if row["reached"] else None
        row["mean_quality"] = round(row["mean_quality"], 3) if row["mean_quality"] is not None else None
        return row

    return {**finish(total), "per_service": [finish(r) for r in per_service]}


def escalations(f: Filters) -> dict[str, int]:
    base = Escalation.objects.filter(f.on_orders("order__"))
    return base.aggregate(
        opened=Count("id", filter=f.in_period("opened_at")),
        closed=Count("id", filter=f.in_period("resolved_at")),
        open_now=Count("id", filter=Q(resolved_at__isnull=True)),
    )


def fees(f: Filters) -> dict[str, Any]:
    money = DecimalField(max_digits=14, decimal_places=2)
    zero = Value(Decimal("0"), output_field=money)
    found = _orders(f).aggregate(
        due_count=Count("id", filter=Q(fee_status=FeeStatus.DUE) & f.in_period("returned_at")),
        due_amount=Coalesce(Sum("fee", filter=Q(fee_status=FeeStatus.DUE) & f.in_period("returned_at")), zero),
        paid_count=Count("id", filter=Q(fee_status=FeeStatus.PAID) & f.in_period("fee_paid_at")),
        paid_amount=Coalesce(Sum("fee", filter=Q(fee_status=FeeStatus.PAID) & f.in_period("fee_paid_at")), zero),
    )
    return {k: (str(Decimal(v).quantize(Decimal("0.01"))) if "amount" in k else v) for k, v in found.items()}


def weekly_orders(f: Filters) -> list[dict[str, Any]]:
    """Orders taken per week (weeks start on Monday, local time)."""
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
    if with_service:
        out.update(
            intakes=intake_outcomes(f), orders_by_state=orders_by_state(f), response_times=response_times(f),
            compliance=compliance(f), satisfaction=satisfaction(f), escalations=escalations(f),
            weekly_orders=weekly_orders(f), overdue_now=overdue_now(f),
        )
    if with_fees:
        out["fees"] = fees(f)
    return out
