"""Printing use cases: the duplicate work order (alone or in a batch) and the
daily dispatch list.

Printing an order is accounting first: `workorders.services.order_print` runs
the `print` transition, the backfill or nothing (a reprint); this module adds
the print job with its new copy number and renders the PDF, all in the same
transaction, so a PDF that cannot be rendered leaves no trace and a print job
always has its PDF.
"""

import datetime
from dataclasses import dataclass

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.db.models import Max
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from core.errors import Conflict, Forbidden, InvalidInput, NotFound
from core.text import has_control_characters
from dispatch.models import Resident, ResidentAccess, Worker
from dispatch.services import resident_accesses_record
from printing import documents, selectors
from printing.models import REASON_LENGTH, PrintJob, PrintKind, PrintLanguage
from workorders import services as order_services
from workorders.models import OrderHistory, State, WorkOrder
from workorders.selectors import orders_visible_to

# A batch prints the day's paper that is still needed: first prints for
# assigned orders, reprints (or owed backfills) for orders out on the road.
# Orders already returned keep the paper they came back with.
BATCH_STATES = [State.ASSIGNED, State.PRINTED, State.IN_SERVICE]


@dataclass(frozen=True)
class PrintedDocument:
    pdf: bytes
    filename: str
    jobs: list[PrintJob]


# --- Who may print what -------------------------------------------------------------------
# Asked by the services and, before any input is read, by the API's views: a
# role that may not print is refused whatever it sends.


def may_print_orders(user: AbstractBaseUser) -> bool:
    """The front desk prints the orders (alone or a worker's batch)."""
    return user.has_perm("workorders.print_workorder")


def may_print_daily_list(user: AbstractBaseUser) -> bool:
    """Those who hand out the paper (front desk) or plan the workers' days (dispatchers, leads)."""
    return user.has_perm("workorders.print_workorder") or user.has_perm("workorders.assign_workorder")


def may_print_followup_sheet(user: AbstractBaseUser) -> bool:
    """Those who make the follow-up calls or oversee them."""
    return user.has_perm("workorders.log_followup_workorder") or user.has_perm("workorders.resolve_workorder")


def _allowed(allowed: bool) -> None:
    if not allowed:
        raise Forbidden(_("Your role may not do this."))


def _checked_language(language: str) -> str:
    if language not in PrintLanguage.values:
        message = _("Choose one of: %(languages)s.") % {"languages": ", ".join(PrintLanguage.values)}
        raise InvalidInput(message, fields={"language": [message]})
    return language


def _checked_reason(reason: str) -> str:
    reason = (reason or "").strip()
    message = ""
    if not reason:
        message = _("Say why the order is printed again (for example: the copy was lost, or jammed in the printer).")
    elif len(reason) > REASON_LENGTH:
        message = _("Keep the reason to %(count)s characters.") % {"count": REASON_LENGTH}
    elif has_control_characters(reason):
        message = _("Write the reason on one line.")
    if message:
        raise InvalidInput(message, fields={"reason": [message]})
    return reason


def _planned_job(*, actor: AbstractBaseUser, order_id: int, language: str) -> PrintJob:
    """The print job this print will be (kind, copy and reprint numbers), not
    saved yet. Call under the order's lock: nobody else can print it before
    `_record` saves the job in the same transaction.
    Raises NotFound, Conflict (a state without paper)."""
    order = order_services.order_lock(order_id=order_id)
    kind = order_services.print_kind(order)
    if kind is None:
        order_services.order_print(actor=actor, order_id=order_id)  # raises the Conflict that says why
    jobs = PrintJob.objects.filter(order_id=order.pk)
    if kind == PrintKind.REPRINT and not jobs.exists():
        # The order went through the print transition without a PDF (the demo
        # data, an old import): this is the first paper, not a reprint.
        kind = PrintKind.FIRST
    copy_number = (jobs.aggregate(top=Max("copy_number"))["top"] or 0) + 1
    reprint_number = jobs.filter(kind=PrintKind.REPRINT).count() + 1 if kind == PrintKind.REPRINT else 0
    return PrintJob(
        order=order, printed_by=actor, kind=kind, language=language, copy_number=copy_number,
        reprint_number=reprint_number,
    )


def _record(*, actor: AbstractBaseUser, job: PrintJob) -> None:
    """Account for a print whose PDF is rendered: the order's transition (or
    backfill, or nothing) and the job. Last in the transaction on purpose: the
    transition publishes an event, and from then until commit every other
    publisher waits (realtime's publish turn), so nothing slow comes after it."""
    order_services.order_print(actor=actor, order_id=job.order_id)
    job.last_history = OrderHistory.objects.filter(order_id=job.order_id).latest("id")
    job.save()


def _print(
    *, actor: AbstractBaseUser, order_ids: list[int], language: str, reason: str = ""
) -> tuple[bytes, list[PrintJob]]:
    """Plan, render, then record the prints of these orders, in this order,
    inside the caller's transaction, and who printed whose record. If
    rendering fails, nothing is recorded. A `reason` makes each print a
    replacing reprint (see `order_reprint_pdf`)."""
    _lock_orders(order_ids)
    jobs = [_planned_job(actor=actor, order_id=order_id, language=language) for order_id in order_ids]
    if reason:
        for job in jobs:
            if not replaceable(job.order):
                raise Conflict(_not_reprintable(job.order))
            job.reason = reason
    pdf = documents.render_orders(_sheets(jobs))
    _printed(actor=actor, residents=[job.order.resident for job in jobs])
    for job in jobs:
        _record(actor=actor, job=job)
    return pdf, jobs


def _printed(*, actor: AbstractBaseUser, residents: list[Resident]) -> None:
    """Every paper with a resident's name, address and phone on it is a read
    of their record: in the access log, once per resident per paper."""
    resident_accesses_record(actor=actor, residents=residents, action=ResidentAccess.Action.PRINT)


def _lock_orders(order_ids: list[int]) -> None:
    # Locked in id order: two batches that share orders then wait for each
    # other instead of deadlocking. `of=("self",)` as in workorders: only the order row.
    list(WorkOrder.objects.select_for_update(of=("self",)).filter(pk__in=order_ids).order_by("pk").values_list("pk"))


def _sheets(jobs: list[PrintJob]) -> list[documents.OrderSheet]:
    orders = (
        WorkOrder.objects.select_related("resident", "service", "worker", "partner")
        .prefetch_related("resident__phones", "resident__emergency_contacts")
        .in_bulk([job.order_id for job in jobs])
    )
    return [documents.sheet_for(orders[job.order_id], job) for job in jobs]


def order_print_pdf(*, actor: AbstractBaseUser, order_id: int, language: str) -> PrintedDocument:
    """Print an order in duplicate: the first print of an assigned order runs
    the `print` transition, an emergency order's owed copies are backfilled,
    any later print is a reprint ("REPRINT n"). Every print gets a print job
    with a new copy number.

    Raises Forbidden (role), NotFound, Conflict (not assigned yet, or a state
    without paper such as cancelled), InvalidInput (unknown language).
    """
    _allowed(may_print_orders(actor))
    language = _checked_language(language)
    with transaction.atomic():
        pdf, jobs = _print(actor=actor, order_ids=[order_id], language=language)
    return PrintedDocument(pdf=pdf, filename=f"{jobs[0].order.number}.pdf", jobs=jobs)


# Where a copy can be lost or jammed: printed and waiting, or out with the
# worker. Once returned, the signed copy is back and is never made void.
COPIES_OUT = {State.PRINTED, State.IN_SERVICE}


def replaceable(order: WorkOrder) -> bool:
    """Whether a reprint with a reason may replace (and void) the order's copies."""
    return order.state in COPIES_OUT and order_services.print_kind(order) == PrintKind.REPRINT


def _not_reprintable(order: WorkOrder) -> str:
    if order.state == State.ASSIGNED:
        return _("%(number)s has not been printed yet: print it, there is no copy to replace.") % {
            "number": order.number}
    if order.paperwork_owed:
        return _("%(number)s still owes its copies from the emergency start: print them first.") % {
            "number": order.number}
    if order.state in COPIES_OUT:
        return _("%(number)s is %(state)s: it has no paper to print again.") % {
            "number": order.number, "state": order.get_state_display()}
    return _("%(number)s is %(state)s: its copies are back and stay as they are; print it again without a reason "
             "for a copy to keep.") % {"number": order.number, "state": order.get_state_display()}


def order_reprint_pdf(*, actor: AbstractBaseUser, order_id: int, language: str, reason: str) -> PrintedDocument:
    """Print an order's paper again because a copy was lost or jammed: a
    reprint ("REPRINT n", a new copy number) that records why, and after
    which every earlier copy of the order is void (DESIGN.md section 5; the
    void copies are read by `selectors.print_jobs_annotated`). The reason is
    required.

    Raises Forbidden (role), NotFound, InvalidInput (no reason, unknown
    language; by field), Conflict (not printed yet, copies owed from an
    emergency start, or a state without paper such as cancelled).
    """
    _allowed(may_print_orders(actor))
    language = _checked_language(language)
    reason = _checked_reason(reason)
    with transaction.atomic():
        pdf, jobs = _print(actor=actor, order_ids=[order_id], language=language, reason=reason)
    return PrintedDocument(pdf=pdf, filename=f"{jobs[0].order.number}-copy-{jobs[0].copy_number}.pdf", jobs=jobs)


def _worker(worker_id: int) -> Worker:
    worker = Worker.objects.filter(pk=worker_id).first()
    if worker is None:
        raise NotFound(_("No such worker."))
    return worker


def orders_print_batch(
    *, actor: AbstractBaseUser, worker_id: int, day: datetime.date, language: str
) -> PrintedDocument:
    """Print, in one PDF, every order of one worker for one day that still
    needs paper (assigned, printed, in service), each in duplicate and in
    time order. Each order is accounted as if printed alone: assigned orders
    run the `print` transition, the others are reprints (or backfills). All
    or nothing: if one order cannot be printed, none is.

    Raises Forbidden, NotFound (no such worker, or nothing to print that
    day), Conflict (an order changed meanwhile), InvalidInput (language).
    """
    _allowed(may_print_orders(actor))
    language = _checked_language(language)
    worker = _worker(worker_id)
    with transaction.atomic():
        candidates = selectors.worker_orders_on(
            orders_visible_to(actor).filter(state__in=BATCH_STATES), worker_id=worker.pk, day=day
        )
        order_ids = list(candidates.values_list("pk", flat=True))
        if not order_ids:
            raise NotFound(_("%(worker)s has no orders to print on %(day)s.") % {"worker": worker.name, "day": day})
        _lock_orders(order_ids)
        # Read again under the locks: an order reassigned to someone else or
        # cancelled meanwhile is no longer this worker's paper.
        order_ids = list(candidates.filter(pk__in=order_ids).values_list("pk", flat=True))
        pdf, jobs = _print(actor=actor, order_ids=order_ids, language=language)
    return PrintedDocument(pdf=pdf, filename=f"orders-{day.isoformat()}-worker-{worker.pk}.pdf", jobs=jobs)


def daily_list_pdf(*, actor: AbstractBaseUser, worker_id: int, day: datetime.date, language: str) -> PrintedDocument:
    """The daily dispatch list of one worker: a table of the day's orders
    (assigned through closed). Changes no order; the residents on it are in the
    access log. For the roles that hand out
    the paper (front desk) or plan the workers' days (dispatchers, leads).

    Raises Forbidden, NotFound (no such worker), InvalidInput (language).
    """
    _allowed(may_print_daily_list(actor))
    language = _checked_language(language)
    worker = _worker(worker_id)
    orders = selectors.worker_orders_on(
        orders_visible_to(actor).filter(state__in=selectors.DAILY_LIST_STATES), worker_id=worker.pk, day=day
    ).prefetch_related("resident__phones")
    rows = []
    # The labels in the rows are in the print language too, not the request's.
    with translation.override(language):
        for order in orders:
            phone = order.resident.primary_phone
            rows.append(documents.DailyListRow(
                time=documents.local_time(order.requested_for) if order.requested_for else _("As soon as possible"),
                number=order.number, resident=order.resident.name, address=order.resident.address,
                phone=documents.readable_phone(phone.number) if phone else "", service=_service_name(order, language),
                urgent=order.urgency == "urgent", state=str(order.get_state_display()), notes=order.notes,
            ))
    pdf = documents.render_daily_list(
        language=language, worker=worker.name, day=day, rows=rows, printed_by=actor.get_username()
    )
    _printed(actor=actor, residents=[order.resident for order in orders])
    return PrintedDocument(pdf=pdf, filename=f"daily-list-{day.isoformat()}-worker-{worker.pk}.pdf", jobs=[])



def followup_sheet_pdf(*, actor: AbstractBaseUser, language: str) -> PrintedDocument:
    """The follow-up call sheet: every returned order waiting for its call,
    oldest return first, for a caller who works from paper. Changes no order;
    the residents on it are in the access log.
    For the roles that make or oversee the calls.

    Raises Forbidden, InvalidInput (language).
    """
    _allowed(may_print_followup_sheet(actor))
    language = _checked_language(language)
    orders = (
        orders_visible_to(actor).filter(state=State.RETURNED)
        .select_related("resident", "service", "worker", "partner")
        .prefetch_related("resident__phones")
        .order_by("returned_at", "id")
    )
    rows = []
    with translation.override(language):
        for order in orders:
            phone = order.resident.primary_phone
            assignee = order.worker or order.partner
            rows.append(documents.FollowUpSheetRow(
                returned=documents.local_time(order.returned_at) if order.returned_at else "",
                number=order.number, resident=order.resident.name,
                phone=documents.readable_phone(phone.number) if phone else "",
                service=_service_name(order, language), worker=assignee.name if assignee else "",
            ))
    pdf = documents.render_followup_sheet(language=language, rows=rows, printed_by=actor.get_username())
    _printed(actor=actor, residents=[order.resident for order in orders])
    return PrintedDocument(pdf=pdf, filename=f"followup-sheet-{timezone.localdate().isoformat()}.pdf", jobs=[])


def _service_name(order: WorkOrder, language: str) -> str:
    if language != "zh-hans" and order.service.name_en:
        return order.service.name_en
    return order.service.name
