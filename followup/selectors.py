"""Reads of the quality loop: the callback queue, escalations, spot checks."""

import datetime
import random
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Count, F, Max, Q, QuerySet
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from followup.models import (
    FAILED_RESULTS,
    CallResult,
    Escalation,
    FollowUpCall,
    PeriodicVisit,
    SpotCheck,
    SpotCheckItem,
)
from sla.calendar import WorkingCalendar
from workorders.models import State, WorkOrder


def add_working_days(
    start: datetime.datetime, days: int, *, calendar: WorkingCalendar | None = None
) -> datetime.datetime:
    """`start` plus `days` working days on the department's calendar (weekends,
    public holidays, make-up working days, closures: sla.calendar). A start
    on a day off counts from the beginning of the next working day, so "within
    one working day" of a Saturday return is Tuesday 00:00, a full working day
    later."""
    return (calendar or WorkingCalendar.load()).add_working_days(start, days)


@dataclass
class QueueEntry:
    """A returned order waiting for its follow-up call."""

    order: WorkOrder
    failed_attempts: int
    last_attempt_at: datetime.datetime | None
    callable_from: datetime.datetime
    due_at: datetime.datetime
    is_due: bool
    is_overdue: bool


def _returned_orders() -> QuerySet[WorkOrder]:
    failed = Q(followup_calls__result__in=FAILED_RESULTS)
    return (
        WorkOrder.objects.filter(state=State.RETURNED)
        .select_related("resident__area", "service", "worker", "partner")
        .prefetch_related("resident__phones")
        .annotate(
            failed_attempts=Count("followup_calls", filter=failed),
            last_attempt_at=Max("followup_calls__called_at", filter=failed),
        )
    )


def _entry(order: WorkOrder, now: datetime.datetime, calendar: WorkingCalendar | None = None) -> QueueEntry:
    returned_at = order.returned_at or order.updated_at
    due_at = add_working_days(returned_at, settings.FOLLOWUP_DUE_WORKING_DAYS, calendar=calendar)
    callable_from = returned_at
    if order.last_attempt_at is not None:
        # A failed attempt is retried after the interval; the promised due time
        # stands unless the retry falls after it, which pushes it to the retry.
        callable_from = order.last_attempt_at + datetime.timedelta(minutes=settings.FOLLOWUP_RETRY_MINUTES)
        due_at = max(due_at, callable_from)
    return QueueEntry(
        order=order,
        failed_attempts=order.failed_attempts,
        last_attempt_at=order.last_attempt_at,
        callable_from=callable_from,
        due_at=due_at,
        is_due=now >= callable_from,
        is_overdue=now > due_at,
    )


def followup_queue(*, now: datetime.datetime | None = None, due_only: bool = False) -> list[QueueEntry]:
    """Every returned order with its follow-up due time, soonest due first
    (overdue ones are the oldest). `due_only`: only those that may be called
    now (not waiting for a retry)."""
    now = now or timezone.now()
    calendar = WorkingCalendar.load()
    entries = [_entry(order, now, calendar) for order in _returned_orders()]
    if due_only:
        entries = [e for e in entries if e.is_due]
    entries.sort(key=lambda e: (e.due_at, e.order.returned_at or e.due_at, e.order.pk))
    return entries


def followup_queue_entry(*, order_id: int, now: datetime.datetime | None = None) -> QueueEntry | None:
    """One order's queue entry, or None when it is not waiting for a call."""
    order = _returned_orders().filter(pk=order_id).first()
    return _entry(order, now or timezone.now()) if order else None


def followup_script(order: WorkOrder) -> list[str]:
    """What the caller reads out, in the active language, with the resident's
    name, the service and the local day it was done filled in."""
    served_on = order.actual_end or order.returned_at
    values = {
        "name": order.resident.name,
        "service": order.service.name,
        # The resident's day, not UTC's: a morning visit in Beijing is the previous day in UTC.
        "date": formats.date_format(timezone.localtime(served_on), "SHORT_DATE_FORMAT") if served_on else "",
    }
    return [
        _("Hello, this is the community elderly-care service desk. May I speak with %(name)s?") % values,
        _("We are calling about the %(service)s service on %(date)s. Was it done as agreed?") % values,
        _("How would you rate its quality, from 1 (poor) to 5 (excellent)?"),
        _("Are you satisfied with the service?"),
        _("Is there anything else you need from us?"),
        _("Thank you for your time. Goodbye."),
    ]


def orders_past_attempt_limit() -> list[int]:
    """Ids of returned orders whose failed attempts reached FOLLOWUP_MAX_ATTEMPTS."""
    return list(
        _returned_orders()
        .filter(failed_attempts__gte=settings.FOLLOWUP_MAX_ATTEMPTS)
        .order_by("id")
        .values_list("id", flat=True)
    )


def calls() -> QuerySet[FollowUpCall]:
    return FollowUpCall.objects.select_related(
        "order__resident", "order__service", "order__worker", "order__partner", "caller"
    )


def escalations() -> QuerySet[Escalation]:
    return Escalation.objects.select_related(
        "order__resident", "order__service", "order__worker", "order__partner", "owner", "resolved_by", "call"
    ).prefetch_related("actions__author", "order__resident__phones")


def spot_check_population(*, period_start: datetime.date, period_end: datetime.date) -> list[int]:
    """Ids of the reached follow-up calls made in the period (local dates,
    inclusive), sorted: the population a spot check draws from."""
    tz = timezone.get_current_timezone()
    start = timezone.make_aware(datetime.datetime.combine(period_start, datetime.time.min), tz)
    end = timezone.make_aware(datetime.datetime.combine(period_end + datetime.timedelta(days=1), datetime.time.min), tz)
    return list(
        FollowUpCall.objects.filter(result=CallResult.REACHED, called_at__gte=start, called_at__lt=end)
        .order_by("id")
        .values_list("id", flat=True)
    )


def spot_check_sample_size(*, population: int, percentage: int | None, count: int | None) -> int:
    if count is not None:
        return min(count, population)
    # Round up: 10 % of 5 calls is one call, not none.
    return min(population, -(-population * (percentage or 0) // 100))


def spot_check_draw_ids(
    *, seed: int, period_start: datetime.date, period_end: datetime.date, percentage: int | None, count: int | None
) -> list[int]:
    """The sample a seed gives for a period: the same seed and period give the
    same calls, in the same order, on any machine (random.Random is stable
    for a given seed, and the population is sorted by id)."""
    population = spot_check_population(period_start=period_start, period_end=period_end)
    size = spot_check_sample_size(population=len(population), percentage=percentage, count=count)
    return random.Random(seed).sample(population, size)


def spot_check_redraw(spot_check: SpotCheck) -> list[int]:
    """Draw a recorded spot check again from its seed, to verify it."""
    return spot_check_draw_ids(
        seed=spot_check.seed, period_start=spot_check.period_start, period_end=spot_check.period_end,
        percentage=spot_check.percentage, count=spot_check.count,
    )


def spot_checks() -> QuerySet[SpotCheck]:
    return SpotCheck.objects.select_related("supervisor").prefetch_related(
        "items__call__order__resident", "items__call__order__service", "items__call__order__worker",
        "items__call__caller", "items__rechecked_by",
    )


def spot_check_mismatches() -> QuerySet[SpotCheckItem]:
    """Re-checked calls whose answers did not match, newest first."""
    return (
        SpotCheckItem.objects.filter(answers_match=False)
        .select_related("spot_check", "call__order__resident", "call__order__service", "call__order__worker",
                        "call__caller", "rechecked_by")
        .order_by("-rechecked_at", "-id")
    )


def visits() -> QuerySet[PeriodicVisit]:
    return PeriodicVisit.objects.select_related(
        "resident__area", "visitor_user", "visitor_worker", "created_by", "intake__service",
    )


def visits_scheduled() -> QuerySet[PeriodicVisit]:
    """The visits still to make, by day and, within a day, by the agreed
    hour (a card registration's), those with a day only after them."""
    return (
        visits().filter(status=PeriodicVisit.Status.SCHEDULED)
        .prefetch_related("resident__phones")
        .order_by("scheduled_for", F("scheduled_at").asc(nulls_last=True), "id")
    )


def residents_served_by(*, worker_id: int, month: datetime.date) -> list[int]:
    """Ids of residents whose service by this worker ended in the month of `month`."""
    first = month.replace(day=1)
    following = (first + datetime.timedelta(days=32)).replace(day=1)
    tz = timezone.get_current_timezone()
    start = timezone.make_aware(datetime.datetime.combine(first, datetime.time.min), tz)
    end = timezone.make_aware(datetime.datetime.combine(following, datetime.time.min), tz)
    return sorted(set(
        WorkOrder.objects.filter(worker_id=worker_id, actual_end__gte=start, actual_end__lt=end)
        .values_list("resident_id", flat=True)
    ))
