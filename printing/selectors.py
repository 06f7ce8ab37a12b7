"""Reads for printing: print history with the void status of each job, and a
worker's orders for one day."""

import datetime

from django.db.models import OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from printing.models import VOIDING_TRANSITIONS, PrintJob, PrintKind
from workorders.models import OrderHistory, State, WorkOrder


def print_jobs_with_void(order_id: int) -> QuerySet[PrintJob]:
    """The order's print jobs, oldest first, each annotated with the history
    entry that voided its copies (`voided_by_id`, `voided_transition`,
    `voided_at`) and the reprint that replaced them (`replaced_by_copy`,
    `replaced_at`, `replaced_reason`); all None while the copies are still
    good. `PrintJob.is_void`, `void_cause` and `void_at` combine the two."""
    return print_jobs_annotated(PrintJob.objects.filter(order_id=order_id))


def print_jobs_annotated(jobs: QuerySet[PrintJob]) -> QuerySet[PrintJob]:
    """`jobs` with the void annotations of `print_jobs_with_void`."""
    voiding = OrderHistory.objects.filter(
        order_id=OuterRef("order_id"), id__gt=OuterRef("last_history_id"), transition__in=VOIDING_TRANSITIONS
    ).order_by("id")
    # A later reprint given with a reason replaced the paper: the lost or
    # jammed copy, and every earlier one, is void.
    replacing = PrintJob.objects.filter(
        order_id=OuterRef("order_id"), copy_number__gt=OuterRef("copy_number"), kind=PrintKind.REPRINT,
    ).exclude(reason="").order_by("copy_number")
    return (
        jobs.select_related("printed_by", "order")
        .annotate(
            voided_by_id=Subquery(voiding.values("id")[:1]),
            voided_transition=Subquery(voiding.values("transition")[:1]),
            voided_at=Subquery(voiding.values("at")[:1]),
            replaced_by_copy=Subquery(replacing.values("copy_number")[:1]),
            replaced_at=Subquery(replacing.values("printed_at")[:1]),
            replaced_reason=Subquery(replacing.values("reason")[:1]),
        )
        .order_by("order_id", "copy_number")
    )


def day_bounds(day: datetime.date) -> tuple[datetime.datetime, datetime.datetime]:
    """Start and end of `day` in the department's time zone."""
    start = timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))
    end = timezone.make_aware(datetime.datetime.combine(day + datetime.timedelta(days=1), datetime.time.min))
    return start, end


def worker_orders_on(orders: QuerySet[WorkOrder], *, worker_id: int, day: datetime.date) -> QuerySet[WorkOrder]:
    """The worker's orders that belong to `day`: those agreed for a time on
    that day, and "as soon as possible" ones assigned on that day. Earliest
    first; an order without a time sorts at its assignment time."""
    start, end = day_bounds(day)
    on_day = Q(requested_for__gte=start, requested_for__lt=end) | Q(
        requested_for__isnull=True, assigned_at__gte=start, assigned_at__lt=end
    )
    # Coalesce: one time line for both kinds, and the same order on every database
    # (PostgreSQL and SQLite put NULLs at opposite ends).
    return orders.filter(on_day, worker_id=worker_id).order_by(Coalesce("requested_for", "assigned_at"), "id")


# The daily list shows the day's work, done or not; only what will not happen is left out.
DAILY_LIST_STATES = [State.ASSIGNED, State.PRINTED, State.IN_SERVICE, State.RETURNED, State.ESCALATED, State.CLOSED]
