"""The quality loop's use cases: the one place that changes follow-up rows.

Each runs in one transaction and locks what it changes. The work order moves
only through `workorders.services` (log_followup, resolve, close_unreachable),
inside the same transaction, so a call and its order's new state are written
together or not at all.
"""

import datetime
import logging
import secrets
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.db import IntegrityError, transaction
from django.db.models import Count
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from core.actions import implements
from core.errors import Conflict, InvalidInput, NotFound
from core.roles import Role, require_perm
from core.times import AGREED_HORIZON, EARLIEST_TIME, PAST_GRACE, local_minute, time_refused
from dispatch import services as intakes
from dispatch.models import IntakeRecord, Resident, ServiceItem, Worker
from followup import actions, selectors
from followup.models import (
    FAILED_RESULTS,
    CallResult,
    Escalation,
    EscalationAction,
    FollowUpCall,
    PeriodicVisit,
    SpotCheck,
    SpotCheckItem,
)
from realtime.services import raise_alert
from workorders import services as orders
from workorders.models import State, WorkOrder

logger = logging.getLogger(__name__)

# Procedure step 8: quality this low is a complaint even from a "satisfied" resident.
LOWEST_ACCEPTABLE_QUALITY = 3


def _field_error(field: str, message: str) -> InvalidInput:
    return InvalidInput(message, fields={field: [message]})


# --- Follow-up calls --------------------------------------------------------------------


def followup_log_call(
    *,
    actor: AbstractBaseUser,
    order_id: int,
    result: str,
    quality: int | None = None,
    satisfied: bool | None = None,
    comments: str = "",
    needs_more: bool = False,
    needs_more_what: str = "",
    attempt: int | None = None,
) -> FollowUpCall:
    """Record one follow-up call on a returned order and move the order on:

    - reached, satisfied and quality >= 3: the order closes;
    - reached, unsatisfied or quality <= 2: the order is escalated, an
      escalation is opened for a dispatch lead and the boards are alerted;
    - no answer / wrong number: recorded, retried after FOLLOWUP_RETRY_MINUTES;
      the FOLLOWUP_MAX_ATTEMPTS-th such attempt closes the order as unreachable;
    - refused: the resident declined the call; the order closes with that
      reason (calling again would not change the answer).

    `attempt`: which attempt the caller was making (the calls they saw,
    plus one); a call logged by someone else meanwhile makes it a conflict.
    Without it, the calls logged before this one waited for the order's lock.

    Raises Forbidden (role), NotFound, Conflict (the order is not waiting for
    a call, or another call on it was logged while this one was), InvalidInput
    (answers missing for a reached call, or given for one that was not).
    """
    require_perm(actor, "followup.add_followupcall")
    # The calls this caller could know of, read before the order's lock: one
    # logged by someone else while this one waited for the lock is the same
    # attempt to reach the resident (two callers at once, a form sent twice),
    # and two "no answer" must not count twice towards the unreachable limit.
    known = attempt - 1 if attempt is not None else FollowUpCall.objects.filter(order_id=order_id).count()
    comments, needs_more_what = comments.strip(), needs_more_what.strip()
    if result not in CallResult.values:
        raise _field_error("result", _("Unknown call result."))
    if result == CallResult.REACHED:
        if quality is None or not 1 <= quality <= 5:
            raise _field_error("quality", _("Give the quality of the service, from 1 to 5."))
        if satisfied is None:
            raise _field_error("satisfied", _("Say whether the resident is satisfied."))
    else:
        if quality is not None or satisfied is not None:
            raise _field_error("quality", _("Quality and satisfaction are recorded only when the resident was reached."))
        needs_more, needs_more_what = False, ""
    if needs_more and not needs_more_what:
        raise _field_error("needs_more_what", _("Say what else the resident needs."))

    now = timezone.now()
    try:
        with transaction.atomic():
            # The order's row lock serializes two callers on one order: the
            # second sees the first one's result and gets a conflict.
            order = orders.order_lock(order_id=order_id)
            if order.state != State.RETURNED:
                raise Conflict(
                    _("Order %(number)s is %(state)s; it is not waiting for a follow-up call.")
                    % {"number": order.number, "state": order.get_state_display()},
                    state=order.state,
                )
            attempt = FollowUpCall.objects.filter(order=order).count() + 1
            if attempt != known + 1:
                raise Conflict(_("Someone else logged a call on this order just now; reload it."), state=order.state)
            call = FollowUpCall.objects.create(
                order=order, attempt=attempt, caller=actor, called_at=now, result=result,
                quality=quality if result == CallResult.REACHED else None,
                satisfied=satisfied if result == CallResult.REACHED else None,
                comments=comments, needs_more=needs_more, needs_more_what=needs_more_what,
            )
            # History notes hold no answers: a field worker reads their orders' history.
            note = _("Follow-up call %(attempt)d: %(result)s") % {"attempt": attempt, "result": call.get_result_display()}
            if result == CallResult.REACHED:
                closes = bool(satisfied) and quality >= LOWEST_ACCEPTABLE_QUALITY
                order = orders.order_log_followup(actor=actor, order_id=order.pk, satisfied=closes, note=note)
                if not closes:
                    _escalation_open(order=order, call=call, now=now)
            elif result == CallResult.REFUSED:
                order = orders.order_close_unreachable(
                    actor=actor, order_id=order.pk, reason=_("The resident declined the follow-up call."),
                )
            else:
                failed = FollowUpCall.objects.filter(order=order, result__in=FAILED_RESULTS).count()
                if failed >= settings.FOLLOWUP_MAX_ATTEMPTS:
                    order = orders.order_close_unreachable(actor=actor, order_id=order.pk, reason=_unreachable_reason(failed))
    except IntegrityError:
        # Two attempts numbered alike: only where row locks do not exist.
        raise Conflict(_("Someone else logged a call on this order just now; reload it.")) from None
    call.order = order
    return call


def _unreachable_reason(failed: int) -> str:
    return _("Not reached after %(count)d follow-up attempts.") % {"count": failed}


def followups_close_unreachable() -> int:
    """Close every returned order whose failed attempts reached the limit (the
    limit may have been lowered since they were logged). Idempotent and safe
    in two processes: each close locks the order, and one that another process
    closed first is skipped. Returns how many this call closed."""
    closed = 0
    for order_id in selectors.orders_past_attempt_limit():
        failed = FollowUpCall.objects.filter(order_id=order_id, result__in=FAILED_RESULTS).count()
        try:
            orders.order_close_unreachable(actor=None, order_id=order_id, reason=_unreachable_reason(failed))
        except (Conflict, NotFound):
            continue
        closed += 1
    return closed


# --- Escalations ------------------------------------------------------------------------


def _least_busy(role: str) -> AbstractBaseUser | None:
    """The active user of the role with the fewest open escalations (then the
    oldest account), so complaints spread over the leads."""
    candidates = list(get_user_model().objects.filter(is_active=True, groups__name=role).order_by("id"))
    if not candidates:
        return None
    load = dict(
        Escalation.objects.filter(resolved_at__isnull=True, owner__in=candidates)
        .values("owner").annotate(n=Count("id")).values_list("owner", "n")
    )
    return min(candidates, key=lambda user: (load.get(user.pk, 0), user.pk))


def _alert_data(escalation: Escalation) -> dict[str, Any]:
    # What a board shows; the resident's answers stay in the escalation.
    return {
        **orders.order_event_data(escalation.order),
        "escalation": escalation.pk,
        "level": escalation.level,
        "owner": escalation.owner.get_username() if escalation.owner else None,
        "due_at": escalation.due_at.isoformat(),
    }


def _escalation_open(*, order: WorkOrder, call: FollowUpCall, now: datetime.datetime) -> Escalation:
    owner = _least_busy(Role.DISPATCH_LEAD) or _least_busy(Role.SUPERVISOR)
    if owner is None:
        # Still opened and alerted: every lead sees unowned escalations.
        logger.warning("escalation for order %s opened without an owner: no active dispatch lead", order.pk)
    escalation = Escalation.objects.create(
        order=order, call=call, owner=owner, level=Escalation.Level.LEAD, opened_at=now,
        due_at=now + datetime.timedelta(hours=settings.ESCALATION_DUE_HOURS),
    )
    EscalationAction.objects.create(
        escalation=escalation, at=now, author=call.caller, kind=EscalationAction.Kind.OPENED, note=call.comments,
    )
    raise_alert(kind="escalation.opened", data=_alert_data(escalation))
    return escalation


def _locked_escalation(escalation_id: int) -> Escalation:
    escalation = (
        Escalation.objects.select_for_update(of=("self",))
        .select_related("order", "owner")
        .filter(pk=escalation_id)
        .first()
    )
    if escalation is None:
        raise NotFound(_("No such escalation."))
    return escalation


def _open_or_conflict(escalation: Escalation) -> None:
    if escalation.resolved_at is not None:
        raise Conflict(_("This escalation is already resolved."), resolved_at=escalation.resolved_at.isoformat())


@implements(actions.ESCALATION_NOTE)
def escalation_add_note(*, actor: AbstractBaseUser, escalation_id: int, note: str) -> Escalation:
    """Record an action taken on an open escalation.
    Raises Forbidden, NotFound, Conflict (resolved), InvalidInput (empty note)."""
    require_perm(actor, "followup.change_escalation")
    if not note.strip():
        raise _field_error("note", _("Write what was done."))
    with transaction.atomic():
        escalation = _locked_escalation(escalation_id)
        _open_or_conflict(escalation)
        EscalationAction.objects.create(escalation=escalation, author=actor, kind=EscalationAction.Kind.NOTE, note=note.strip())
    return escalation


@implements(actions.ESCALATION_REASSIGN)
def escalation_reassign(*, actor: AbstractBaseUser, escalation_id: int, owner_id: int, note: str = "") -> Escalation:
    """Give an open escalation to another dispatch lead or supervisor.
    Raises Forbidden, NotFound, Conflict (resolved), InvalidInput (the owner
    is not an active lead or supervisor, or already owns it)."""
    require_perm(actor, "followup.change_escalation")
    owner = (
        get_user_model().objects.filter(
            pk=owner_id, is_active=True, groups__name__in=[Role.DISPATCH_LEAD, Role.SUPERVISOR]
        ).first()
    )
    if owner is None:
        raise _field_error("owner", _("Choose an active dispatch lead or supervisor."))
    with transaction.atomic():
        escalation = _locked_escalation(escalation_id)
        _open_or_conflict(escalation)
        if escalation.owner_id == owner.pk:
            raise _field_error("owner", _("The escalation already belongs to them."))
        before = escalation.owner.get_username() if escalation.owner else "-"
        escalation.owner = owner
        escalation.save(update_fields=["owner"])
        EscalationAction.objects.create(
            escalation=escalation, author=actor, kind=EscalationAction.Kind.REASSIGNED,
            note=f"{before} -> {owner.get_username()}" + (f": {note.strip()}" if note.strip() else ""),
        )
    return escalation


@implements(actions.ESCALATION_RESOLVE)
def escalation_resolve(*, actor: AbstractBaseUser, escalation_id: int, outcome: str) -> Escalation:
    """Record how the complaint ended and close its order (`resolve`).
    Raises Forbidden, NotFound, Conflict (already resolved, order not
    escalated), InvalidInput (no outcome)."""
    require_perm(actor, "followup.change_escalation")
    require_perm(actor, "workorders.resolve_workorder")
    outcome = outcome.strip()
    if not outcome:
        raise _field_error("outcome", _("Describe the outcome."))
    with transaction.atomic():
        escalation = _locked_escalation(escalation_id)
        _open_or_conflict(escalation)
        now = timezone.now()
        escalation.order = orders.order_resolve(
            actor=actor, order_id=escalation.order_id, note=_("Escalation %(id)d resolved") % {"id": escalation.pk}
        )
        escalation.resolved_at, escalation.resolved_by, escalation.outcome = now, actor, outcome
        escalation.save(update_fields=["resolved_at", "resolved_by", "outcome"])
        EscalationAction.objects.create(
            escalation=escalation, at=now, author=actor, kind=EscalationAction.Kind.RESOLVED, note=outcome
        )
    return escalation


def escalations_escalate_overdue(*, now: datetime.datetime | None = None) -> int:
    """Raise every open lead-level escalation past its due time to a
    supervisor (second level), with a new due time and a board alert.
    Idempotent and safe in two processes at once: each is raised by a
    conditional UPDATE that only one wins. Returns how many this call raised."""
    now = now or timezone.now()
    raised = 0
    overdue = list(
        Escalation.objects.filter(level=Escalation.Level.LEAD, resolved_at__isnull=True, due_at__lt=now)
        .order_by("due_at", "id")
        .values_list("id", "owner__username")
    )
    for escalation_id, previous_owner in overdue:
        with transaction.atomic():
            supervisor = _least_busy(Role.SUPERVISOR)
            won = Escalation.objects.filter(
                pk=escalation_id, level=Escalation.Level.LEAD, resolved_at__isnull=True, due_at__lt=now
            ).update(
                level=Escalation.Level.SUPERVISOR, raised_at=now, owner=supervisor,
                due_at=now + datetime.timedelta(hours=settings.ESCALATION_DUE_HOURS),
            )
            if not won:
                continue
            escalation = Escalation.objects.select_related("order__resident__area", "order__service", "owner").get(
                pk=escalation_id
            )
            EscalationAction.objects.create(
                escalation=escalation, at=now, author=None, kind=EscalationAction.Kind.RAISED,
                note=f"{previous_owner or '-'} -> {supervisor.get_username() if supervisor else '-'}",
            )
            raise_alert(kind="escalation.raised", data=_alert_data(escalation))
            raised += 1
    return raised


# --- Spot checks ------------------------------------------------------------------------


def spot_check_draw(
    *,
    actor: AbstractBaseUser,
    period_start: datetime.date,
    period_end: datetime.date,
    percentage: int | None = None,
    count: int | None = None,
    seed: int | None = None,
) -> SpotCheck:
    """Draw a random sample of the reached follow-up calls in a period, by
    percentage or count, and record it with its seed (a new random one when
    none is given); the same seed and period draw the same sample again.
    Raises Forbidden, InvalidInput (period: from EARLIEST_TIME to today, in
    order; both or neither of percentage and count, nothing to draw)."""
    require_perm(actor, "followup.add_spotcheck")
    # Calls are made before today is over, and none before the window of stored times.
    for field, day in (("period_start", period_start), ("period_end", period_end)):
        _day_check(field, day, first=_earliest_day(), last=timezone.localdate())
    if period_end < period_start:
        raise _field_error("period_end", _("The period ends before it starts."))
    if (percentage is None) == (count is None):
        raise _field_error("percentage", _("Give either a percentage or a count."))
    if percentage is not None and not 1 <= percentage <= 100:
        raise _field_error("percentage", _("The percentage is between 1 and 100."))
    if count is not None and count < 1:
        raise _field_error("count", _("The count is at least 1."))
    if seed is None:
        seed = secrets.randbits(48)
    population = selectors.spot_check_population(period_start=period_start, period_end=period_end)
    sample = selectors.spot_check_draw_ids(
        seed=seed, period_start=period_start, period_end=period_end, percentage=percentage, count=count
    )
    if not sample:
        raise _field_error("period_start", _("No follow-up call reached a resident in this period."))
    with transaction.atomic():
        check = SpotCheck.objects.create(
            supervisor=actor, period_start=period_start, period_end=period_end, percentage=percentage,
            count=count, seed=seed, population=len(population),
        )
        SpotCheckItem.objects.bulk_create(
            SpotCheckItem(spot_check=check, call_id=call_id, position=index) for index, call_id in enumerate(sample, 1)
        )
    return check


def spot_check_record(
    *, actor: AbstractBaseUser, item_id: int, answers_match: bool, note: str = ""
) -> SpotCheckItem:
    """Record the re-check call of one sampled follow-up: whether the
    resident's answers match the recorded ones. Raises Forbidden, NotFound,
    Conflict (already recorded), InvalidInput (a mismatch without a note)."""
    require_perm(actor, "followup.change_spotcheck")
    if not answers_match and not note.strip():
        raise _field_error("note", _("Say what did not match."))
    with transaction.atomic():
        item = SpotCheckItem.objects.select_for_update().filter(pk=item_id).first()
        if item is None:
            raise NotFound(_("No such spot-check item."))
        if item.rechecked_at is not None:
            raise Conflict(_("This call was already re-checked."))
        item.rechecked_at, item.rechecked_by = timezone.now(), actor
        item.answers_match, item.note = answers_match, note.strip()
        item.save(update_fields=["rechecked_at", "rechecked_by", "answers_match", "note"])
    return item


# --- Days people give --------------------------------------------------------------------


def _earliest_day() -> datetime.date:
    return timezone.localtime(EARLIEST_TIME).date()


def _day_check(field: str, day: datetime.date, *, first: datetime.date, last: datetime.date) -> None:
    """Raise InvalidInput (on `field`) unless `day` lies from `first` to `last`."""
    if not first <= day <= last:
        raise time_refused(field, _("Give a date from %(first)s to %(last)s.") % {
            "first": first.isoformat(), "last": last.isoformat(),
        })


# --- Periodic visits --------------------------------------------------------------------


def _visitor(visitor_user_id: int | None, visitor_worker_id: int | None) -> dict[str, Any]:
    if visitor_user_id is not None and visitor_worker_id is not None:
        raise _field_error("visitor_worker", _("Choose either a staff member or a worker."))
    if visitor_user_id is not None:
        user = get_user_model().objects.filter(pk=visitor_user_id, is_active=True).first()
        if user is None:
            raise _field_error("visitor_user", _("No such active user."))
        return {"visitor_user": user, "visitor_worker": None}
    if visitor_worker_id is not None:
        worker = Worker.objects.filter(pk=visitor_worker_id, active=True).first()
        if worker is None:
            raise _field_error("visitor_worker", _("No such active worker."))
        return {"visitor_user": None, "visitor_worker": worker}
    return {"visitor_user": None, "visitor_worker": None}


def visits_schedule(
    *,
    actor: AbstractBaseUser,
    scheduled_for: datetime.date,
    resident_ids: list[int] | None = None,
    served_by_worker_id: int | None = None,
    served_in_month: datetime.date | None = None,
    visitor_user_id: int | None = None,
    visitor_worker_id: int | None = None,
    reason: str = "",
) -> list[PeriodicVisit]:
    """Schedule home visits on a day: to the residents named, or to every
    resident a worker served in a month. A resident who already has a visit
    scheduled that day is skipped, so scheduling twice adds nothing.
    Returns the visits created. Raises Forbidden, InvalidInput (no residents,
    a date in the past or past AGREED_HORIZON, a month not begun, unknown or
    inactive visitor or resident)."""
    require_perm(actor, "followup.add_periodicvisit")
    today = timezone.localdate()
    if scheduled_for < today:
        raise _field_error("scheduled_for", _("The date is in the past."))
    # A visit is agreed like any time: within the horizon, not in 2062 for 2026.
    _day_check("scheduled_for", scheduled_for, first=today, last=(timezone.localtime() + AGREED_HORIZON).date())
    if (resident_ids is None) == (served_by_worker_id is None):
        raise _field_error("residents", _("Name the residents, or a worker and a month."))
    if served_by_worker_id is not None:
        if served_in_month is None:
            raise _field_error("month", _("Give the month."))
        # Served: a month that has begun.
        _day_check("month", served_in_month, first=_earliest_day(), last=today)
        resident_ids = selectors.residents_served_by(worker_id=served_by_worker_id, month=served_in_month)
    residents = list(Resident.objects.filter(pk__in=resident_ids or [], active=True).order_by("id"))
    if len(residents) != len(set(resident_ids or [])) and served_by_worker_id is None:
        raise _field_error("residents", _("Some residents do not exist or are no longer active."))
    if not residents:
        raise _field_error("residents", _("No resident to visit."))
    visitor = _visitor(visitor_user_id, visitor_worker_id)
    with transaction.atomic():
        already = set(
            PeriodicVisit.objects.filter(
                resident__in=residents, scheduled_for=scheduled_for, status=PeriodicVisit.Status.SCHEDULED
            ).values_list("resident_id", flat=True)
        )
        made = [
            PeriodicVisit.objects.create(
                resident=resident, scheduled_for=scheduled_for, created_by=actor, reason=reason.strip()[:255], **visitor
            )
            for resident in residents
            if resident.pk not in already
        ]
    return made


def _locked_visit(visit_id: int) -> PeriodicVisit:
    visit = PeriodicVisit.objects.select_for_update().filter(pk=visit_id).first()
    if visit is None:
        raise NotFound(_("No such visit."))
    if visit.status != PeriodicVisit.Status.SCHEDULED:
        raise Conflict(_("This visit is %(status)s.") % {"status": visit.get_status_display()}, status=visit.status)
    return visit


@implements(actions.VISIT_RECORD)
def visit_record(
    *, actor: AbstractBaseUser, visit_id: int, findings: str, visited_at: datetime.datetime | None = None
) -> PeriodicVisit:
    """Record that a scheduled visit took place, with its findings; its time
    (now when not given) lies between the start of the day it was planned on
    and now. Raises Forbidden, NotFound, Conflict (not scheduled), InvalidInput
    (no findings, a time in the future or before the visit was planned)."""
    require_perm(actor, "followup.change_periodicvisit")
    if not findings.strip():
        raise _field_error("findings", _("Write down the findings."))
    now = timezone.now()
    if visited_at is not None and visited_at > now + PAST_GRACE:
        raise _field_error("visited_at", _("The visit time is in the future."))
    with transaction.atomic():
        visit = _locked_visit(visit_id)
        # From the start of the day it was planned on: a lead may put a visit
        # made this morning on the list this afternoon, not one of last year.
        planned = timezone.localtime(visit.created_at).replace(hour=0, minute=0, second=0, microsecond=0)
        if visited_at is not None and visited_at < planned:
            raise time_refused(
                "visited_at",
                _("The visit time is before the visit was planned (%(time)s).") % {"time": local_minute(planned)},
            )
        visit.status, visit.visited_at, visit.findings = PeriodicVisit.Status.VISITED, visited_at or now, findings.strip()
        visit.save(update_fields=["status", "visited_at", "findings"])
    return visit


@implements(actions.VISIT_CANCEL)
def visit_cancel(*, actor: AbstractBaseUser, visit_id: int, reason: str) -> PeriodicVisit:
    """Cancel a scheduled visit, with the reason kept in its findings.
    Raises Forbidden, NotFound, Conflict (not scheduled), InvalidInput (no reason)."""
    require_perm(actor, "followup.change_periodicvisit")
    if not reason.strip():
        raise _field_error("reason", _("Give a reason."))
    with transaction.atomic():
        visit = _locked_visit(visit_id)
        visit.status, visit.findings = PeriodicVisit.Status.CANCELLED, reason.strip()
        visit.save(update_fields=["status", "findings"])
    return visit


# --- Home visits booked at intake ---------------------------------------------------------

# The boards' alert for a visit the desk booked: someone must go. About no
# order, so one open alert stands for every booking not yet seen
# (realtime.services.alert_reason): its count says how many, its data the latest.
VISIT_BOOKED_ALERT = "visit.booked"


def _visit_alert_data(visit: PeriodicVisit) -> dict[str, Any]:
    # What a board shows: no phone, address or notes (events are fanned out and kept).
    return {
        "visit": visit.pk,
        "resident": visit.resident.name,
        "area": visit.resident.area.name,
        "scheduled_at": visit.scheduled_at.isoformat(),
        "service_name": visit.intake.service.name if visit.intake.service_id else "",
        "url": f"{reverse('visit-list')}#visit-{visit.pk}",
    }


def registration_visit_book(
    *,
    actor: AbstractBaseUser,
    channel: str,
    resident: Resident | None = None,
    home_visit_at: datetime.datetime | None = None,
    caller_phone: str = "",
    service: ServiceItem | None = None,
    notes: str = "",
) -> PeriodicVisit:
    """Book the home visit that registers an eligible resident without a
    valid service card (procedure step 2, third outcome): the intake is
    recorded (dispatch.services.intake_no_card, with its rules for the
    time) and the visit scheduled at the agreed time, in one transaction; it
    is on the lead's home-visit list, recorded or cancelled there like any
    visit, and every board gets an alert.

    The desk books it (the intake's permission): it agrees the time with
    the caller, as it agrees an order's. Raises Forbidden, InvalidInput (no
    resident or an inactive one, a valid card already, a time not in the
    future or past AGREED_HORIZON, another visit to the resident that day)."""
    require_perm(actor, "dispatch.add_intakerecord")
    if resident is None:
        raise _field_error("resident", _("Find or register the resident first: the visit needs their address."))
    if not resident.active:
        raise _field_error("resident", _("This resident is no longer active."))
    if resident.has_valid_card():
        raise _field_error(
            "no_card_action", _("%(name)s holds a valid service card already.") % {"name": resident.name}
        )
    with transaction.atomic():
        record = intakes.intake_no_card(
            actor=actor, channel=channel, action=IntakeRecord.NoCardAction.HOME_VISIT, resident=resident,
            caller_phone=caller_phone, service=service, home_visit_at=home_visit_at, notes=notes,
        )
        day = timezone.localdate(home_visit_at)
        taken = _field_error(
            "home_visit_at",
            _("%(name)s has a home visit on %(day)s already; agree another day.")
            % {"name": resident.name, "day": day.isoformat()},
        )
        # One scheduled visit a day per resident (the constraint): said by
        # the time's field. The check is the message; the constraint, inside
        # a savepoint, catches the booking at another desk in the same moment.
        if PeriodicVisit.objects.filter(
            resident=resident, scheduled_for=day, status=PeriodicVisit.Status.SCHEDULED
        ).exists():
            raise taken
        try:
            with transaction.atomic():
                visit = PeriodicVisit.objects.create(
                    resident=resident, scheduled_for=day, scheduled_at=home_visit_at, intake=record,
                    created_by=actor, created_at=record.created_at,
                )
        except IntegrityError:
            raise taken from None
        raise_alert(kind=VISIT_BOOKED_ALERT, data=_visit_alert_data(visit))
    return visit


def intake_take(
    *,
    actor: AbstractBaseUser,
    outcome: str,
    no_card_action: str = "",
    home_visit_at: datetime.datetime | None = None,
    referred_to: str = "",
    area: Any = None,
    **call: Any,
) -> IntakeRecord:
    """Record an intake that does not become an order: the one entry of the
    intake screen and the intakes API. A home visit to register the caller
    is booked as a visit (`registration_visit_book`); every other outcome is
    dispatch.services.intake_take's, which cannot schedule a visit (dispatch
    lies below followup). `call`: channel, resident, caller_phone, service,
    notes. Raises what those two raise."""
    if outcome == IntakeRecord.Outcome.NO_CARD and no_card_action == IntakeRecord.NoCardAction.HOME_VISIT:
        return registration_visit_book(actor=actor, home_visit_at=home_visit_at, **call).intake
    return intakes.intake_take(
        actor=actor, outcome=outcome, no_card_action=no_card_action, home_visit_at=home_visit_at,
        referred_to=referred_to, area=area, **call,
    )
