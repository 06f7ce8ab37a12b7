"""Reads of the service levels: overdue orders (the red marks of every
screen) and the deadlines of given orders."""

import datetime
from collections import defaultdict

from django.db.models import F, QuerySet
from django.utils import timezone

from sla import deadlines as deadline_rules
from sla.calendar import WorkingCalendar
from sla.models import OrderDeadline, OverdueMark
from workorders.models import OPEN_STATES


def overdue_orders(*, now: datetime.datetime | None = None) -> QuerySet[OrderDeadline]:
    """Open orders past the deadline of the stage they are in, most overdue
    first, as the scheduler last computed them (at most one pass old)."""
    now = now or timezone.now()
    # `due_at < now` alone names rows with a stage (a row has a due time
    # exactly when it has a stage): a `stage <> ''` condition besides would
    # make PostgreSQL expect a few hundred rows of tens of thousands.
    return OrderDeadline.objects.filter(due_at__lt=now, order__state__in=OPEN_STATES).order_by("due_at", "order_id")


def overdue_list(*, now: datetime.datetime, limit: int) -> list[dict]:
    """The first `limit` rows of `overdue_orders` as the red list shows them:
    order id and number, state, service code, stage, deadline, and the
    escalation levels alerted for that stage (oldest first). Plain values in
    two queries: as model instances with their related rows, a list of 1000
    spent a second building objects nobody read."""
    rows = list(
        overdue_orders(now=now).values(
            "order_id", "stage", "due_at", number=F("order__number"), state=F("order__state"),
            service=F("order__service__code"),
        )[:limit]
    )
    levels: dict[tuple[int, str], list[str]] = defaultdict(list)
    marks = OverdueMark.objects.filter(order_id__in=[row["order_id"] for row in rows]).order_by("marked_at", "id")
    for order_id, stage, level in marks.values_list("order_id", "stage", "level"):
        levels[(order_id, stage)].append(level)
    for row in rows:
        row["levels"] = levels[(row["order_id"], row["stage"])]
    return rows


def overdue_order_ids(*, now: datetime.datetime | None = None) -> list[int]:
    """Ids of the orders `overdue_orders` lists: what a screen marks red."""
    return list(overdue_orders(now=now).values_list("order_id", flat=True))


def order_deadlines(
    *, order_ids: list[int], now: datetime.datetime | None = None, calendar: WorkingCalendar | None = None
) -> dict[int, dict]:
    """Deadlines of the given orders computed now from their history on the
    current calendar (not the stored copy), with `overdue`. Unknown ids are
    left out."""
    now = now or timezone.now()
    computed = deadline_rules.compute_many(list(order_ids), calendar=calendar or WorkingCalendar.load())
    return {order_id: d.as_data(now) for order_id, d in computed.items()}
