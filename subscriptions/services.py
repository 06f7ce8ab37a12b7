"""Use cases of recurring services: the life of a subscription, and the
scheduler's step that creates each occurrence's order ahead (core.scheduler).

Safe in two scheduler copies at once: the record that an occurrence was
taken care of (`SubscriptionOccurrence`, unique per subscription and time) is
inserted in the transaction that creates its order; of two copies, one
inserts and the other gets IntegrityError and does nothing.
"""

import datetime
import itertools
import logging
from dataclasses import dataclass

from dateutil.rrule import rrulestr
from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from core.actions import implements
from core.errors import DomainError, InvalidInput, NotFound
from core.roles import require_perm
from core.times import EARLIEST_TIME, LATEST_TIME, agreed_time_check, time_refused
from dispatch.models import Resident, ServiceItem, Worker
from realtime.services import raise_alert
from sla.calendar import WorkingCalendar
from subscriptions import actions
from subscriptions.models import Subscription, SubscriptionHistory, SubscriptionOccurrence
from workorders import services as orders
from workorders.models import WorkOrder

logger = logging.getLogger(__name__)

SUBSCRIPTION_ALERT = "subscription.not_ordered"


# --- Subscriptions --------------------------------------------------------------------------


# Each occurrence becomes a work order: a rule firing every few minutes is a
# typing mistake, not a service.
MIN_OCCURRENCE_GAP = datetime.timedelta(hours=1)


def _validated_rule(rule: str, starts_at: datetime.datetime) -> str:
    rule = rule.strip()
    if rule.upper().startswith("RRULE:"):
        rule = rule[6:]

    def refuse(message: str) -> InvalidInput:
        return InvalidInput(message, fields={"rule": [message]})

    if not rule:
        raise refuse(_("Give a schedule."))
    start = timezone.localtime(starts_at).replace(tzinfo=None)
    try:
        first = list(itertools.islice(rrulestr(rule, dtstart=start), 50))
    except (ValueError, TypeError) as exc:
        raise refuse(_("This is not a valid iCalendar RRULE: %(error)s") % {"error": exc}) from None
    if not first:
        raise refuse(_("This schedule has no occurrence."))
    if any(later - earlier < MIN_OCCURRENCE_GAP for earlier, later in itertools.pairwise(first)):
        raise refuse(_("Occurrences must be at least an hour apart."))
    return rule


def occurrences_between(
    subscription: Subscription, after: datetime.datetime, until: datetime.datetime
) -> list[datetime.datetime]:
    """The subscription's occurrences in (after, until], aware. The rule is
    read in local wall-clock time from `starts_at`, so "Tuesday 9:00" stays
    9:00 across a DST change."""
    tz = timezone.get_current_timezone()
    start_local = timezone.localtime(subscription.starts_at).replace(tzinfo=None)
    rule = rrulestr(subscription.rule, dtstart=start_local)
    lower = max(after, subscription.starts_at - datetime.timedelta(microseconds=1))
    upper = min(until, subscription.ends_at) if subscription.ends_at else until
    if upper <= lower:
        return []
    found = rule.between(
        timezone.localtime(lower).replace(tzinfo=None), timezone.localtime(upper).replace(tzinfo=None), inc=True
    )
    return [t for t in (timezone.make_aware(naive, tz) for naive in found) if lower < t <= upper]


def _record(subscription: Subscription, *, actor, action: str, from_status: str, note: str = "") -> None:
    SubscriptionHistory.objects.create(
        subscription=subscription, actor=actor, action=action, from_status=from_status,
        to_status=subscription.status, note=note,
    )


def subscription_create(
    *,
    actor: AbstractBaseUser,
    resident: Resident,
    service: ServiceItem,
    rule: str,
    starts_at: datetime.datetime,
    ends_at: datetime.datetime | None = None,
    preferred_worker: Worker | None = None,
    notes: str = "",
) -> Subscription:
    """Subscribe a resident to a recurring service. Raises Forbidden,
    InvalidInput (bad RRULE, a start before 2000 or more than a year ahead,
    an end before the start or after 2099, inactive resident or service, a
    worker without the service's skill)."""
    require_perm(actor, "subscriptions.add_subscription")
    if not EARLIEST_TIME <= starts_at:
        raise time_refused("starts_at", _("Give a start from the year 2000 on."))
    agreed_time_check(field="starts_at", value=starts_at, now=timezone.now())
    if ends_at is not None and ends_at >= LATEST_TIME:
        raise time_refused("ends_at", _("Give an end before the year 2100, or none."))
    rule = _validated_rule(rule, starts_at)
    if ends_at is not None and ends_at <= starts_at:
        raise InvalidInput(_("The end is before the start."), fields={"ends_at": [_("The end is before the start.")]})
    if not resident.active:
        raise InvalidInput(_("This resident is no longer active."), fields={"resident": [_("This resident is no longer active.")]})
    if not service.active:
        raise InvalidInput(_("This service is no longer offered."), fields={"service": [_("This service is no longer offered.")]})
    if preferred_worker is not None and service.required_skill_id is not None:
        if not preferred_worker.skills.filter(pk=service.required_skill_id).exists():
            message = _("%(name)s does not have the skill %(service)s needs.") % {
                "name": preferred_worker.name, "service": service.name,
            }
            raise InvalidInput(message, fields={"preferred_worker": [message]})
    with transaction.atomic():
        subscription = Subscription.objects.create(
            resident=resident, service=service, rule=rule, starts_at=starts_at, ends_at=ends_at,
            preferred_worker=preferred_worker, notes=notes, created_by=actor,
        )
        _record(subscription, actor=actor, action="create", from_status="")
    return subscription


def _subscription_move(
    *, actor: AbstractBaseUser, subscription_id: int, move: actions.SubscriptionAction, note: str
) -> Subscription:
    require_perm(actor, move.permission)
    with transaction.atomic():
        # Locked: a pause and an end at once must not both read "active".
        subscription = Subscription.objects.select_for_update().filter(pk=subscription_id).first()
        if subscription is None:
            raise NotFound(_("No such subscription."))
        move.possible(subscription)
        from_status = subscription.status
        subscription.status = move.to
        fields = ["status"]
        if move is actions.END:
            now = timezone.now()
            if subscription.ends_at is None or subscription.ends_at > now:
                subscription.ends_at = max(now, subscription.starts_at + datetime.timedelta(seconds=1))
                fields.append("ends_at")
        subscription.save(update_fields=fields)
        _record(subscription, actor=actor, action=move.name, from_status=from_status, note=note)
    return subscription


@implements(actions.PAUSE)
def subscription_pause(*, actor: AbstractBaseUser, subscription_id: int, note: str = "") -> Subscription:
    """Stop creating orders until resumed; orders already created stay.
    Raises Forbidden, NotFound, Conflict (not active)."""
    return _subscription_move(actor=actor, subscription_id=subscription_id, move=actions.PAUSE, note=note)


@implements(actions.RESUME)
def subscription_resume(*, actor: AbstractBaseUser, subscription_id: int, note: str = "") -> Subscription:
    """Create orders again, from the next occurrence on (paused ones are not
    made up). Raises Forbidden, NotFound, Conflict (not paused)."""
    return _subscription_move(actor=actor, subscription_id=subscription_id, move=actions.RESUME, note=note)


@implements(actions.END)
def subscription_end(*, actor: AbstractBaseUser, subscription_id: int, note: str = "") -> Subscription:
    """End the subscription now (or keep an earlier end). Raises Forbidden,
    NotFound, Conflict (already ended)."""
    return _subscription_move(actor=actor, subscription_id=subscription_id, move=actions.END, note=note)


def subscriptions_schedule(*, now: datetime.datetime | None = None, calendar: WorkingCalendar | None = None) -> dict[str, int]:
    """Create the order of every active subscription's occurrence due within
    SUBSCRIPTION_LEAD_HOURS, once: the occurrence row (unique per subscription
    and time) is inserted in the order's transaction. An occurrence on a
    closure day is recorded as skipped; one the resident can no longer have
    (card expired, moved away) is recorded as not ordered, and the pass's
    occurrences not ordered make one alert to the dispatchers
    (`_not_ordered_alert_raise`). Occurrences that passed while paused or
    while the scheduler was down are not made up. Returns counts per outcome.
    Raises nothing of its own."""
    now = now or timezone.now()
    calendar = calendar or WorkingCalendar.load()
    until = now + datetime.timedelta(hours=settings.SUBSCRIPTION_LEAD_HOURS)
    counts = {outcome: 0 for outcome in SubscriptionOccurrence.Outcome.values}
    active = (
        Subscription.objects.filter(status=Subscription.Status.ACTIVE, starts_at__lte=until)
        .filter(Q(ends_at__isnull=True) | Q(ends_at__gt=now))
        .select_related("resident__area", "service", "preferred_worker", "created_by")
        .order_by("id")
    )
    # One query for what every subscription already has in the window, not one each.
    done = set(
        SubscriptionOccurrence.objects.filter(subscription__in=active, occurs_at__gt=now, occurs_at__lte=until)
        .values_list("subscription_id", "occurs_at")
    )
    not_ordered: list[_NotOrdered] = []
    for subscription in active:
        for occurs_at in occurrences_between(subscription, now, until):
            if (subscription.pk, occurs_at) in done:
                continue
            outcome, why = _occurrence_take(subscription=subscription, occurs_at=occurs_at, calendar=calendar)
            if outcome:
                counts[outcome] += 1
            if outcome == SubscriptionOccurrence.Outcome.FAILED:
                not_ordered.append(_NotOrdered(subscription.pk, occurs_at, why))
    _not_ordered_alert_raise(not_ordered)
    return counts


@dataclass(frozen=True)
class _NotOrdered:
    subscription_id: int
    occurs_at: datetime.datetime
    reason: str


# Subscriptions named in the alert; `failed` counts them all. The alert goes
# to every board: a few ids to start from, the occurrences hold the rest.
_ALERT_SUBSCRIPTIONS_MAX = 20


def _not_ordered_alert_raise(not_ordered: list[_NotOrdered]) -> None:
    """One `subscription.not_ordered` alert for all of a pass's occurrences
    not ordered: an hourly subscription whose resident's card expired fails
    every occurrence of the lead time at once, and each was a pop-up with a
    sound (48 of them). While the alert of an earlier pass is open, this
    updates it (realtime.services.raise_alert: one open alert per reason).
    Its own transaction after the occurrences': if the process stops in
    between, the occurrences are recorded as failed and only the pop-up is
    missing."""
    if not not_ordered:
        return
    first = min(not_ordered, key=lambda item: (item.occurs_at, item.subscription_id))
    subscriptions = sorted({item.subscription_id for item in not_ordered})
    with transaction.atomic():
        raise_alert(
            kind=SUBSCRIPTION_ALERT,
            data={
                "failed": len(not_ordered),
                "subscriptions": subscriptions[:_ALERT_SUBSCRIPTIONS_MAX],
                "subscriptions_count": len(subscriptions),
                # The first occurrence, in the fields one occurrence's alert had.
                "subscription": first.subscription_id,
                "occurs_at": first.occurs_at.isoformat(),
                "reason": first.reason,
            },
        )


def _occurrence_take(
    *, subscription: Subscription, occurs_at: datetime.datetime, calendar: WorkingCalendar
) -> tuple[str | None, str]:
    # The outcome (None: the subscription is no longer active, or the other
    # scheduler copy took the occurrence) and, when not ordered, why.
    try:
        with transaction.atomic():
            # Locked and re-read: a pause committed since we listed it wins.
            current = Subscription.objects.select_for_update().filter(pk=subscription.pk).values_list("status", flat=True).first()
            if current != Subscription.Status.ACTIVE:
                return None, ""
            occurrence = SubscriptionOccurrence.objects.create(
                subscription=subscription, occurs_at=occurs_at, outcome=SubscriptionOccurrence.Outcome.ORDERED
            )
            if calendar.is_closed(timezone.localtime(occurs_at, calendar.tz).date()):
                _occurrence_close(occurrence, SubscriptionOccurrence.Outcome.SKIPPED_CLOSURE, _("The department is closed."))
                return occurrence.outcome, ""
            try:
                # A savepoint of its own: a refused order leaves the occurrence row.
                with transaction.atomic():
                    order = _occurrence_order(subscription, occurs_at)
            except DomainError as exc:
                _occurrence_close(occurrence, SubscriptionOccurrence.Outcome.FAILED, str(exc.message)[:255])
                # Alerted with the pass's others once the pass is through.
                return occurrence.outcome, str(exc.message)
            SubscriptionOccurrence.objects.filter(pk=occurrence.pk).update(order=order)
            return SubscriptionOccurrence.Outcome.ORDERED, ""
    except IntegrityError:
        # The other scheduler copy took this occurrence: its order is the one.
        return None, ""


def _occurrence_close(occurrence: SubscriptionOccurrence, outcome: str, reason: str) -> None:
    occurrence.outcome, occurrence.reason = outcome, reason
    occurrence.save(update_fields=["outcome", "reason"])


def _occurrence_order(subscription: Subscription, occurs_at: datetime.datetime) -> WorkOrder:
    order = orders.order_create(
        actor=subscription.created_by, resident=subscription.resident, service=subscription.service,
        channel="api", requested_for=occurs_at, notes=subscription.notes,
    )
    worker = subscription.preferred_worker
    if worker is not None and not subscription.service.needs_approval:
        try:
            # The scheduled work of the department (actor None): the dispatcher
            # agreed to the preferred worker when the subscription was set up.
            with transaction.atomic():
                order = orders.order_assign(actor=None, order_id=order.pk, worker_id=worker.pk,
                                            note=_("Preferred worker of the subscription"))
        except DomainError:
            # Inactive or without the skill now: the order waits for a dispatcher.
            logger.info("subscription %s: preferred worker not assigned", subscription.pk)
    return order
