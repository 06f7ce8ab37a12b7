"""The work order's use cases: the one place that changes an order.

Each runs in one transaction: lock the row, check the role, run the FSM
transition (guards and state), save, append the history row and publish the
event, which goes out only after commit. Either all of it is written or none.
"""

import datetime
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_fsm import ConcurrentTransition, TransitionNotAllowed

from core.actions import implements
from core.errors import Conflict, InvalidInput, NotEligible, NotFound
from core.roles import require_perm
from core.text import has_control_characters
from core.times import PAST_GRACE, agreed_time_check, local_minute, time_refused
from dispatch.models import Channel, IntakeRecord, PartnerUnit, Resident, ServiceItem, Worker
from realtime.services import alerts_acknowledge_for, publish, raise_alert
from workorders import actions
from workorders.models import (
    OPEN_STATES,
    RECEIPT_LENGTH,
    FeeStatus,
    Incident,
    IncidentKind,
    OrderHistory,
    State,
    Urgency,
    WorkOrder,
)
from workorders.selectors import orders_visible_to

# Who is told when an emergency start skipped the approval its service needs:
# `to_role` in the alert's data, as an incident's alert names the supervisor.
APPROVAL_OWED_ALERT_KIND = "order.approval_owed"
APPROVAL_REQUESTED_ALERT_KIND = "order.approval_requested"
APPROVAL_ROLE = "dispatch_lead"


def order_event_data(order: WorkOrder) -> dict[str, Any]:
    """What a board needs to show an order's card. No phones, addresses or
    health notes: events are stored and fanned out to every board."""
    return {
        "id": order.pk,
        "number": order.number,
        "state": order.state,
        "urgency": order.urgency,
        "service": order.service.code,
        "service_name": order.service.name,
        "resident": order.resident.name,
        "area": order.resident.area.name,
        "worker": order.worker.name if order.worker else None,
        "partner": order.partner.name if order.partner else None,
        "paperwork_owed": order.paperwork_owed,
        "approval_owed": order.approval_owed,
        "created_at": order.created_at.isoformat(),
        "requested_for": order.requested_for.isoformat() if order.requested_for else None,
        "emergency_at": order.emergency_at.isoformat() if order.emergency_at else None,
        # The board's buttons: the transitions the state and its conditions
        # allow now (the roles are the board's own to filter).
        "can": [t.name for t in order.get_available_state_transitions()],
    }


def _field_error(field: str, message: str) -> InvalidInput:
    return InvalidInput(message, fields={field: [message]})


def catalog_fee(service: ServiceItem, at: datetime.datetime | None = None) -> Decimal:
    """What the catalog charges for the service on the day it is served
    (`at`: the agreed time; none: today): its price list's price when it is
    chargeable, else nothing. An order keeps it from its intake on
    (`expected_fee`), whatever the catalog says later."""
    if not service.chargeable:
        return Decimal("0")
    return service.price_on(timezone.localdate(at) if at is not None else timezone.localdate())


def order_create(
    *,
    actor: AbstractBaseUser,
    resident: Resident,
    service: ServiceItem,
    channel: str,
    urgency: str = Urgency.NORMAL,
    requested_for: datetime.datetime | None = None,
    notes: str = "",
    card_override_reason: str = "",
) -> WorkOrder:
    """Take a request that can be served: record the intake and create the order
    in `received`, then alert the boards.

    Raises Forbidden (role), InvalidInput (inactive resident or service, a time
    in the past or more than core.times.AGREED_HORIZON ahead),
    NotEligible (no valid card for a card-only service without an override
    reason, or a resident outside our areas).
    """
    require_perm(actor, "workorders.add_workorder")
    if channel not in Channel.values:
        raise _field_error("channel", _("Unknown channel."))
    if urgency not in Urgency.values:
        raise _field_error("urgency", _("Unknown urgency."))
    if not resident.active:
        raise _field_error("resident", _("This resident is no longer active."))
    if not service.active:
        raise _field_error("service", _("This service is no longer offered."))
    now = timezone.now()
    if requested_for is not None:
        if requested_for < now - PAST_GRACE:
            raise _field_error("requested_for", _("The requested time is in the past."))
        agreed_time_check(field="requested_for", value=requested_for, now=now)
    if not resident.area.served:
        raise NotEligible(
            _("%(name)s lives in %(area)s, outside our service area: refer the caller to its community office.")
            % {"name": resident.name, "area": resident.area.name}
        )
    card_override_reason = card_override_reason.strip()
    if service.needs_card and not resident.has_valid_card():
        if not card_override_reason:
            message = _("%(service)s needs a valid service card, and this resident has none. A dispatcher may override with a reason.") % {
                "service": service.name
            }
            raise NotEligible(message, fields={"card_override_reason": [message]})
        require_perm(actor, "dispatch.override_card_check")
    elif card_override_reason:
        card_override_reason = ""

    with transaction.atomic():
        intake = IntakeRecord.objects.create(
            outcome=IntakeRecord.Outcome.SERVED, channel=channel, resident=resident, service=service,
            notes=notes, created_by=actor, created_at=now,
        )
        order = WorkOrder(
            resident=resident, service=service, channel=channel, urgency=urgency, requested_for=requested_for,
            notes=notes, intake=intake, card_override_reason=card_override_reason, created_by=actor, created_at=now,
            expected_fee=catalog_fee(service, requested_for),
        )
        order.save()
        # Numbered from the primary key: unique without a shared counter row
        # that every intake would have to lock.
        order.number = f"WO-{timezone.localtime(now).year}-{order.pk:06d}"
        order.save(update_fields=["number"])
        OrderHistory.objects.create(
            order=order, at=now, actor=actor, transition="create", from_state="", to_state=order.state,
            note=card_override_reason, channel=channel,
        )
        publish("order.received", order_event_data(order))
        raise_alert(kind="order.received", data=order_event_data(order))
    return order


def order_lock(*, order_id: int) -> WorkOrder:
    """The order, locked until the end of the caller's transaction, for another
    app's use case that changes its own rows together with the order (a
    follow-up call). Call inside `transaction.atomic()`. Raises NotFound."""
    return _locked(order_id)


def _locked(order_id: int) -> WorkOrder:
    """The order, locked until the end of the caller's transaction."""
    # The row lock makes a second actor wait for the first to commit; it then
    # sees the new state and gets a conflict instead of a double transition.
    # `of=("self",)`: PostgreSQL cannot lock the nullable side of an outer join.
    order = (
        WorkOrder.objects.select_for_update(of=("self",))
        .select_related("resident__area", "service", "worker", "partner")
        .filter(pk=order_id)
        .first()
    )
    if order is None:
        raise NotFound(_("No such work order."))
    return order


def _conflict(order: WorkOrder, message: str) -> Conflict:
    return Conflict(message, state=order.state)


def _run_transition(
    *,
    actor: AbstractBaseUser | None,
    order_id: int,
    name: str,
    note: str = "",
    channel: str = Channel.API,
    prepare: Callable[[WorkOrder], dict[str, Any]] | None = None,
    event: str | None = None,
) -> WorkOrder:
    """Lock the order, check role and state, run transition `name` with the
    arguments `prepare` builds from the locked order, save, record, publish.
    `actor` None is the department's scheduled work (no role to check; the
    history row names no one)."""
    action = actions.ACTIONS[name]
    if actor is not None:
        require_perm(actor, action.permission)
    with transaction.atomic():
        order = _locked(order_id)
        actions.transition_possible(order, name)
        bound = getattr(order, name)
        kwargs = prepare(order) if prepare else {}
        from_state = order.state
        try:
            bound(**kwargs)
            order.save()
        except (TransitionNotAllowed, ConcurrentTransition):
            # Someone else changed the order between our read and our write.
            raise _conflict(order, _("Someone else changed this order just now; reload it.")) from None
        OrderHistory.objects.create(
            order=order, actor=actor, transition=name, from_state=from_state, to_state=order.state,
            note=note, channel=channel,
        )
        publish(event or action.event, order_event_data(order))
    return order


def _validated_assignee(
    order: WorkOrder, worker_id: int | None, partner_id: int | None
) -> dict[str, Any]:
    if (worker_id is None) == (partner_id is None):
        raise _field_error("worker", _("Choose either a worker or a partner unit."))
    if worker_id is not None:
        return {"worker": _validated_worker(order, worker_id), "partner": None}
    partner = PartnerUnit.objects.filter(pk=partner_id).first()
    if partner is None:
        raise _field_error("partner", _("No such partner unit."))
    if not partner.active:
        raise _field_error("partner", _("%(name)s is not active.") % {"name": partner.name})
    if not partner.services.filter(pk=order.service_id).exists():
        raise _field_error(
            "partner", _("%(name)s does not provide %(service)s.") % {"name": partner.name, "service": order.service.name}
        )
    return {"worker": None, "partner": partner}


def _validated_worker(order: WorkOrder, worker_id: int) -> Worker:
    worker = Worker.objects.filter(pk=worker_id).first()
    if worker is None:
        raise _field_error("worker", _("No such worker."))
    if not worker.active:
        raise _field_error("worker", _("%(name)s is not active.") % {"name": worker.name})
    skill = order.service.required_skill_id
    if skill is not None and not worker.skills.filter(pk=skill).exists():
        raise _field_error(
            "worker",
            _("%(name)s does not have the skill %(service)s needs.") % {"name": worker.name, "service": order.service.name},
        )
    return worker


@implements(actions.REQUEST_APPROVAL)
def order_request_approval(*, actor: AbstractBaseUser, order_id: int, note: str = "") -> WorkOrder:
    """Send an external or special service to the lead for approval: the
    request's pop-up is handled, and the lead's pops up (`to_role`) until an
    approval or a rejection answers it. Raises Forbidden, NotFound, Conflict
    (state, or a service that needs no approval)."""
    with transaction.atomic():
        order = _run_transition(actor=actor, order_id=order_id, name="request_approval", note=note)
        alerts_acknowledge_for(kind="order.received", data_id=order.pk, actor=actor)
        raise_alert(kind=APPROVAL_REQUESTED_ALERT_KIND, data={**order_event_data(order), "to_role": APPROVAL_ROLE})
    return order


def _answer_approval_request(actor: AbstractBaseUser, order: WorkOrder) -> WorkOrder:
    alerts_acknowledge_for(kind=APPROVAL_REQUESTED_ALERT_KIND, data_id=order.pk, actor=actor)
    return order


@implements(actions.APPROVE)
def order_approve(*, actor: AbstractBaseUser, order_id: int, note: str = "") -> WorkOrder:
    """Approve an order awaiting approval. Raises Forbidden, NotFound, Conflict."""
    with transaction.atomic():
        return _answer_approval_request(actor, _run_transition(
            actor=actor, order_id=order_id, name="approve", note=note,
            prepare=lambda order: {"by": actor, "at": timezone.now()},
        ))


@implements(actions.REJECT)
def order_reject(*, actor: AbstractBaseUser, order_id: int, reason: str) -> WorkOrder:
    """Refuse approval, with the reason given to the resident.
    Raises Forbidden, NotFound, Conflict, InvalidInput (no reason)."""
    if not reason.strip():
        raise _field_error("reason", _("Give a reason."))
    with transaction.atomic():
        return _answer_approval_request(actor, _run_transition(
            actor=actor, order_id=order_id, name="reject", note=reason,
            prepare=lambda order: {"reason": reason.strip()},
        ))


@implements(actions.ASSIGN)
def order_assign(
    *, actor: AbstractBaseUser, order_id: int, worker_id: int | None = None, partner_id: int | None = None, note: str = ""
) -> WorkOrder:
    """Assign a worker with the needed skill, or a partner unit that provides the
    service. Raises Forbidden, NotFound, Conflict (state, approval missing),
    InvalidInput (both or neither given, inactive, lacking skill or service)."""
    with transaction.atomic():
        order = _run_transition(
            actor=actor, order_id=order_id, name="assign", note=note,
            prepare=lambda order: {**_validated_assignee(order, worker_id, partner_id), "at": timezone.now()},
        )
        # Handled: the request's pop-up stops sounding on every board, in this commit.
        alerts_acknowledge_for(kind="order.received", data_id=order.pk, actor=actor)
    return order


@implements(actions.REASSIGN)
def order_reassign(
    *, actor: AbstractBaseUser, order_id: int, worker_id: int | None = None, partner_id: int | None = None, note: str = ""
) -> WorkOrder:
    """Give an assigned or printed order to someone else; printed copies become
    void, so a printed order's reassignment says why (`note`). Raises as
    `order_assign`, and InvalidInput for the same assignee or a printed
    order's missing reason."""

    def prepare(order: WorkOrder) -> dict[str, Any]:
        if order.state == State.PRINTED and not note.strip():
            raise _field_error("note", _("Say why: the printed copies become void."))
        assignee = _validated_assignee(order, worker_id, partner_id)
        if assignee["worker"] == order.worker and assignee["partner"] == order.partner:
            raise _field_error("worker", _("The order is already assigned there."))
        return {**assignee, "at": timezone.now()}

    return _run_transition(actor=actor, order_id=order_id, name="reassign", note=note, prepare=prepare)


# States in which the order's paper exists (or is owed) and may be printed again.
REPRINTABLE = {State.PRINTED, State.IN_SERVICE, State.RETURNED, State.ESCALATED, State.CLOSED}


class PrintKind:
    FIRST = "print"
    REPRINT = "reprint"
    BACKFILL = "backfill"


def print_kind(order: WorkOrder) -> str | None:
    """What the order's next print is (a PrintKind value), by its state: the
    first print of an assigned order, a backfill of an emergency order's owed
    copies, otherwise a reprint; None in a state without paper. Read under the
    order's lock, it is what `order_print` will do."""
    if order.state == State.ASSIGNED:
        return PrintKind.FIRST
    if order.state not in REPRINTABLE:
        return None
    return PrintKind.BACKFILL if order.paperwork_owed else PrintKind.REPRINT


@implements(actions.PRINT_ORDER)
def order_print(*, actor: AbstractBaseUser, order_id: int) -> tuple[WorkOrder, str]:
    """Account for a print of the order and say which kind it was: the first
    print of an assigned order runs the `print` transition; an emergency
    order's owed copies are a backfill (no state change, clears
    `paperwork_owed`); any later print is a reprint. The PDF and the copy
    numbers belong to `printing`, which calls this inside its transaction.
    Raises Forbidden, NotFound, Conflict (nothing to print in this state)."""
    require_perm(actor, actions.PRINT_ORDER.permission)
    with transaction.atomic():
        order = _locked(order_id)
        kind = print_kind(order)
        if kind == PrintKind.FIRST:
            return _run_transition(actor=actor, order_id=order_id, name="print"), kind
        if kind is None:
            raise _conflict(
                order,
                _("Order %(number)s is %(state)s; it cannot be printed now.")
                % {"number": order.number, "state": order.get_state_display()},
            )
        if kind == PrintKind.REPRINT:
            return order, kind
        order.paperwork_owed = False
        order.save(update_fields=["paperwork_owed", "updated_at"])
        OrderHistory.objects.create(
            order=order, actor=actor, transition="backfill_print", from_state=order.state,
            to_state=order.state, note=_("Copies printed after the emergency start"),
        )
        publish("order.paperwork_backfilled", order_event_data(order))
        return order, PrintKind.BACKFILL


@implements(actions.COLLECT)
def order_collect(
    *, actor: AbstractBaseUser, order_id: int, collected_by_id: int | None = None, note: str = ""
) -> WorkOrder:
    """The worker signs for the printed order at the desk and goes out; the
    history names who collected it when given. Raises Forbidden, NotFound,
    Conflict, InvalidInput (an unknown or inactive worker)."""
    if collected_by_id is not None:
        worker = Worker.objects.filter(pk=collected_by_id, active=True).first()
        if worker is None:
            raise _field_error("worker", _("Choose the worker who takes the order."))
        note = " · ".join(part for part in (_("Collected by %(name)s") % {"name": worker.name}, note.strip()) if part)
    return _run_transition(
        actor=actor, order_id=order_id, name="collect", note=note, prepare=lambda order: {"at": timezone.now()}
    )


@implements(actions.REDISPATCH)
def order_redispatch(*, actor: AbstractBaseUser, order_id: int, reason: str) -> WorkOrder:
    """The worker could not serve: back to `received` for a new assignment;
    printed copies become void. Raises Forbidden, NotFound, Conflict, InvalidInput."""
    if not reason.strip():
        raise _field_error("reason", _("Give a reason."))
    return _run_transition(actor=actor, order_id=order_id, name="redispatch", note=reason.strip())


@implements(actions.EMERGENCY_START)
def order_emergency_start(*, actor: AbstractBaseUser, order_id: int, worker_id: int, note: str = "") -> WorkOrder:
    """Serve first, paperwork afterwards: an urgent order goes straight to
    `in_service` with this worker and owes its printed copies. A service that
    needs approval and has none is served too, but the order then owes the
    approval (`order_record_approval`) and the boards get an alert for the
    dispatch lead.
    Raises Forbidden, NotFound, Conflict (not urgent, wrong state), InvalidInput."""
    with transaction.atomic():
        order = _run_transition(
            actor=actor, order_id=order_id, name="emergency_start", note=note,
            prepare=lambda order: {"worker": _validated_worker(order, worker_id), "at": timezone.now()},
        )
        # Handled: the request's pop-up stops sounding on every board, in this commit.
        alerts_acknowledge_for(kind="order.received", data_id=order.pk, actor=actor)
        if order.approval_owed:
            # The procedure's approval could not wait for the emergency; the
            # lead must know at once that it is owed, not find it at the close.
            raise_alert(kind=APPROVAL_OWED_ALERT_KIND, data={**order_event_data(order), "to_role": APPROVAL_ROLE})
    return order


@implements(actions.RECORD_APPROVAL)
def order_record_approval(*, actor: AbstractBaseUser, order_id: int, reason: str) -> WorkOrder:
    """Record the lead's (or the supervisor's) consent to an emergency start
    that served a service needing approval before anyone approved it, with
    the reason, in whatever state the order has reached since. Not a state
    transition, but recorded in the history like one; the owed-approval alert
    stops sounding. Raises Forbidden, NotFound, Conflict (no approval owed),
    InvalidInput (no reason)."""
    require_perm(actor, actions.RECORD_APPROVAL.permission)
    reason = reason.strip()
    if not reason:
        raise _field_error("reason", _("Give a reason."))
    with transaction.atomic():
        order = _locked(order_id)
        actions.approval_owed(order)
        order.approved_by, order.approved_at, order.approval_owed = actor, timezone.now(), False
        order.save(update_fields=["approved_by", "approved_at", "approval_owed", "updated_at"])
        OrderHistory.objects.create(
            order=order, actor=actor, transition=actions.RECORD_APPROVAL.name, from_state=order.state,
            to_state=order.state, note=reason,
        )
        publish(actions.RECORD_APPROVAL.event, order_event_data(order))
        alerts_acknowledge_for(kind=APPROVAL_OWED_ALERT_KIND, data_id=order.pk, actor=actor)
    return order


@implements(actions.RETURN_ORDER)
def order_return(
    *,
    actor: AbstractBaseUser,
    order_id: int,
    actual_start: datetime.datetime,
    actual_end: datetime.datetime,
    fee: Decimal | None = None,
    materials: str = "",
    remarks: str = "",
) -> WorkOrder:
    """Take back the filled-in order: actual times and the fee due (when no
    fee is given: the fee expected at the intake, or for an order taken
    before that was kept, the catalog's price now). The service lies
    between the order's collection (or its emergency start) and now, each
    give or take PAST_GRACE (a time read off a watch, typed to the minute),
    and ends after it starts.
    Raises Forbidden, NotFound, Conflict, InvalidInput (times, negative fee)."""
    now = timezone.now()
    if actual_end < actual_start:
        raise _field_error("actual_end", _("The end is before the start."))
    if actual_end == actual_start:
        raise _field_error("actual_end", _("The end is the start: give the time the service ended."))
    if actual_end > now + PAST_GRACE:
        raise _field_error("actual_end", _("The end is in the future."))
    if fee is not None and fee < 0:
        raise _field_error("fee", _("The fee cannot be negative."))

    def prepare(order: WorkOrder) -> dict[str, Any]:
        # The worker had the order from its collection on (an emergency start
        # collects at once); an old row without it counts from the assignment.
        out_since = order.collected_at or order.assigned_at or order.created_at
        if actual_start < out_since - PAST_GRACE:
            raise time_refused(
                "actual_start",
                _("The start is before the worker had the order (%(time)s).") % {"time": local_minute(out_since)},
            )
        expected = order.expected_fee if order.expected_fee is not None else catalog_fee(order.service)
        due = fee if fee is not None else expected
        return {
            "actual_start": actual_start, "actual_end": actual_end, "fee": due,
            "materials": materials, "remarks": remarks, "at": now,
        }

    return _run_transition(actor=actor, order_id=order_id, name="return_order", note=remarks, prepare=prepare)


@implements(actions.CANCEL)
def order_cancel(*, actor: AbstractBaseUser, order_id: int, reason: str) -> WorkOrder:
    """Cancel an order not yet in service; printed copies become void.
    Raises Forbidden, NotFound, Conflict, InvalidInput (no reason)."""
    if not reason.strip():
        raise _field_error("reason", _("Give a reason."))
    with transaction.atomic():
        order = _run_transition(
            actor=actor, order_id=order_id, name="cancel", note=reason.strip(),
            prepare=lambda order: {"reason": reason.strip()},
        )
        # Handled: the request's pop-up stops sounding on every board, in this
        # commit, and so does the lead's approval question about it.
        alerts_acknowledge_for(kind="order.received", data_id=order.pk, actor=actor)
        alerts_acknowledge_for(kind=APPROVAL_REQUESTED_ALERT_KIND, data_id=order.pk, actor=actor)
    return order


@implements(actions.LOG_FOLLOWUP)
def order_log_followup(*, actor: AbstractBaseUser, order_id: int, satisfied: bool, note: str = "") -> WorkOrder:
    """Record the outcome of a follow-up call that reached the resident: a
    satisfied resident closes the order, an unsatisfied one escalates it.
    `followup.services.followup_log_call` calls this with the call it records;
    the note must hold no satisfaction answers (a field worker reads the
    history of their own orders). Raises Forbidden, NotFound, Conflict."""
    return _run_transition(
        actor=actor, order_id=order_id, name="log_followup", note=note,
        prepare=lambda order: {"satisfied": satisfied},
        event="order.followed_up" if satisfied else "order.escalated",
    )


@implements(actions.RESOLVE)
def order_resolve(*, actor: AbstractBaseUser, order_id: int, note: str = "") -> WorkOrder:
    """Close an escalated order once its escalation is handled; called by
    `followup.services.escalation_resolve`, which records the outcome.
    Raises Forbidden, NotFound, Conflict."""
    return _run_transition(actor=actor, order_id=order_id, name="resolve", note=note)


@implements(actions.CLOSE_UNREACHABLE)
def order_close_unreachable(*, actor: AbstractBaseUser | None, order_id: int, reason: str) -> WorkOrder:
    """Close a returned order whose resident could not be followed up, with the
    reason (attempts exhausted, declined). `actor` None: the scheduled check.
    Raises Forbidden, NotFound, Conflict, InvalidInput (no reason)."""
    if not reason.strip():
        raise _field_error("reason", _("Give a reason."))
    return _run_transition(
        actor=actor, order_id=order_id, name="close_unreachable", note=reason.strip(),
        prepare=lambda order: {"reason": reason.strip()[:255]},
    )


def _payment_note(order: WorkOrder, note: str) -> str:
    parts = [f"{order.fee}", _("receipt %(receipt)s") % {"receipt": order.fee_receipt}, note.strip()]
    return " · ".join(part for part in parts if part)


@implements(actions.SETTLE_FEE)
def order_settle_fee(*, actor: AbstractBaseUser, order_id: int, receipt: str, note: str = "") -> WorkOrder:
    """Finance confirms the fee paid, with the number of the receipt given to
    the resident (kept on the order and in the history). Not a state
    transition, but recorded in the history like one; it may be undone
    within settings.FEE_UNDO_MINUTES (`order_unsettle_fee`).
    Raises Forbidden, NotFound, Conflict (no fee due), InvalidInput (no
    receipt number, too long, control characters)."""
    require_perm(actor, actions.SETTLE_FEE.permission)
    receipt = receipt.strip()
    if not receipt:
        raise _field_error("receipt", _("Give the receipt number."))
    if len(receipt) > RECEIPT_LENGTH:
        raise _field_error("receipt", _("A receipt number has at most %(n)d characters.") % {"n": RECEIPT_LENGTH})
    if has_control_characters(receipt):
        raise _field_error("receipt", _("The receipt number holds a character that cannot be printed."))
    with transaction.atomic():
        order = _locked(order_id)
        actions.fee_due(order)
        order.fee_status, order.fee_paid_at, order.fee_paid_by = FeeStatus.PAID, timezone.now(), actor
        order.fee_receipt = receipt
        order.save(update_fields=["fee_status", "fee_paid_at", "fee_paid_by", "fee_receipt", "updated_at"])
        OrderHistory.objects.create(
            order=order, actor=actor, transition=actions.SETTLE_FEE.name, from_state=order.state,
            to_state=order.state, note=_payment_note(order, note),
        )
        publish(actions.SETTLE_FEE.event, order_event_data(order))
    return order


@implements(actions.UNSETTLE_FEE)
def order_unsettle_fee(*, actor: AbstractBaseUser, order_id: int, note: str = "") -> WorkOrder:
    """Undo a payment confirmed by mistake, within settings.FEE_UNDO_MINUTES
    of its confirmation: the fee is due again and the receipt number is
    cleared; the history keeps both rows (the confirmation and its undoing,
    with the receipt it named). Later a correction is the accounts' business,
    not a click. Raises Forbidden, NotFound, Conflict (not paid, or the
    window has passed)."""
    require_perm(actor, actions.UNSETTLE_FEE.permission)
    with transaction.atomic():
        order = _locked(order_id)
        # The window is counted under the lock, against the confirmation now stored.
        actions.fee_undoable(order)
        if order.fee_paid_by_id != actor.pk:
            # An undo takes back one's own mistake; another's receipt is theirs to correct.
            raise _conflict(order, _("Only the person who confirmed the payment on %(number)s may undo it.")
                            % {"number": order.number})
        history_note = _payment_note(order, note)
        order.fee_status, order.fee_paid_at, order.fee_paid_by, order.fee_receipt = FeeStatus.DUE, None, None, ""
        order.save(update_fields=["fee_status", "fee_paid_at", "fee_paid_by", "fee_receipt", "updated_at"])
        OrderHistory.objects.create(
            order=order, actor=actor, transition=actions.UNSETTLE_FEE.name, from_state=order.state,
            to_state=order.state, note=history_note,
        )
        publish(actions.UNSETTLE_FEE.event, order_event_data(order))
    return order


# --- Incidents on site (procedure step 6) -------------------------------------------

INCIDENT_ALERT_KIND = "incident"
# Who an emergency goes to besides the dispatch group: `to_role` in the alert's
# data, as `alert.escalated` names the role it escalates to.
EMERGENCY_ROLE = "supervisor"


def incident_event_data(incident: Incident) -> dict[str, Any]:
    """The incident as boards get it. No note: what a worker writes on site
    may be about the resident's health, and events go to every board."""
    return {
        "id": incident.pk,
        "kind": incident.kind,
        "could_not_serve": incident.could_not_serve,
        "reported_by": incident.reporter.get_username(),
        "at": incident.created_at.isoformat(),
    }


def incident_report(
    *, actor: AbstractBaseUser, order_id: int, kind: str, note: str, could_not_serve: bool = False
) -> Incident:
    """Record what a worker met on site and tell the dispatch group at once: an
    `order.incident_reported` event and an alert on every board; an emergency's
    alert names the supervisor (`to_role`), whose board shows it too. The
    order itself does not change (a worker who could not serve is sent back
    by a dispatcher, `order_redispatch`).

    A field worker reports on his own orders only; the dispatch group and the
    front desk record what a worker tells them by phone.
    Raises Forbidden (role), NotFound (unknown order, or another worker's),
    InvalidInput (unknown kind, a problem without a note), Conflict (the order
    is closed, cancelled or rejected)."""
    require_perm(actor, "workorders.add_incident")
    if kind not in IncidentKind.values:
        raise _field_error("kind", _("Choose a problem or an emergency."))
    note = note.strip()
    if kind == IncidentKind.PROBLEM and not note:
        raise _field_error("note", _("Say what happened."))
    with transaction.atomic():
        # No row lock: the report changes nothing on the order, and a report
        # that lands just after a transition is still true.
        order = orders_visible_to(actor).filter(pk=order_id).first()
        if order is None:
            raise NotFound(_("No such work order."))
        if order.state not in OPEN_STATES:
            raise _conflict(
                order,
                _("Order %(number)s is %(state)s; call the dispatch group instead.")
                % {"number": order.number, "state": order.get_state_display()},
            )
        incident = Incident.objects.create(
            order=order, reporter=actor, kind=kind, note=note, could_not_serve=could_not_serve
        )
        if kind == IncidentKind.EMERGENCY:
            # The card stays marked after the pop-up is acknowledged, until the
            # service ends: one column, no lock (a transition clears it).
            marked = WorkOrder.objects.filter(pk=order.pk, state=order.state).update(emergency_at=incident.created_at)
            if marked:  # else a transition moved the order on meanwhile: no mark to show
                order.emergency_at = incident.created_at
        card = order_event_data(order)
        publish("order.incident_reported", {**card, "incident": incident_event_data(incident)})
        raise_alert(
            kind=INCIDENT_ALERT_KIND,
            data={
                **card,
                "incident": incident.pk,
                "incident_kind": kind,
                "could_not_serve": could_not_serve,
                "reported_by": actor.get_username(),
                "to_role": EMERGENCY_ROLE if kind == IncidentKind.EMERGENCY else None,
            },
        )
    return incident
