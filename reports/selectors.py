"""Reads of reports: overdue orders, fresh deadlines of given orders,
subscriptions. The statistics are in `reports.stats`."""

import datetime

from django.db.models import QuerySet
from django.utils import timezone

from reports import deadlines as deadline_rules
from reports.calendar import WorkingCalendar
from reports.models import OrderDeadline, Subscription
from workorders.models import OPEN_STATES


def overdue_orders(*, now: datetime.datetime | None = None) -> QuerySet[OrderDeadline]:
    """Open orders past the deadline of the stage they are in, most overdue
    first, as the scheduler last computed them (at most one pass old).
    Each row carries its order (`order`), the stage and the deadline."""
    now = now or timezone.now()
    return (
        OrderDeadline.objects.filter(due_at__lt=now, order__state__in=OPEN_STATES)
        .exclude(stage="")
        .select_related("order__service", "order__resident__area", "order__worker", "order__partner")
        .prefetch_related("order__overdue_marks")
        .order_by("due_at", "order_id")
    )


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


def subscriptions() -> QuerySet[Subscription]:
    return Subscription.objects.select_related(
        "resident__area", "service", "preferred_worker", "created_by"
    ).prefetch_related("history__actor", "occurrences")
