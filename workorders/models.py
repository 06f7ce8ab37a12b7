"""The work order and its state machine (DESIGN.md section 3).

Transitions here hold guards and state changes only. They are called by
`workorders.services`, which locks the row, checks the role (the permission
each action declares in workorders.actions), writes history and publishes
the event; nothing else changes `state` (the field is protected).
"""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from django_fsm import RETURN_VALUE, ConcurrentTransitionMixin, FSMField, transition

from core.models import AppendOnly, TypedLine, TypedText
from core.text import LONG_TEXT_LENGTH, NOTE_LENGTH, no_control_characters
from core.times import EARLIEST_TIME, LATEST_TIME
from dispatch.models import Channel, IntakeRecord, PartnerUnit, Resident, ServiceItem, Worker


class State(models.TextChoices):
    RECEIVED = "received", _("Received")
    AWAITING_APPROVAL = "awaiting_approval", _("Awaiting approval")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    ASSIGNED = "assigned", _("Assigned")
    PRINTED = "printed", _("Printed")
    IN_SERVICE = "in_service", _("In service")
    RETURNED = "returned", _("Returned")
    ESCALATED = "escalated", _("Escalated")
    CLOSED = "closed", _("Closed")
    CANCELLED = "cancelled", _("Cancelled")


OPEN_STATES = [
    State.RECEIVED, State.AWAITING_APPROVAL, State.APPROVED, State.ASSIGNED,
    State.PRINTED, State.IN_SERVICE, State.RETURNED, State.ESCALATED,
]
CANCELLABLE = [State.RECEIVED, State.AWAITING_APPROVAL, State.APPROVED, State.ASSIGNED, State.PRINTED]


class Urgency(models.TextChoices):
    NORMAL = "normal", _("Normal")
    URGENT = "urgent", _("Urgent")


class FeeStatus(models.TextChoices):
    # Money words with their own context: a bare "Due" shares its msgid with
    # the deadlines' "Due" (期限, "Senast"), which is not money owed.
    NONE = "none", pgettext_lazy("fee status", "No charge")
    DUE = "due", pgettext_lazy("fee status", "Payment due")
    PAID = "paid", pgettext_lazy("fee status", "Paid")


# A receipt number as finance writes it from the receipt book or the till.
RECEIPT_LENGTH = 40


def sane_time(field: str, *, name: str) -> models.CheckConstraint:
    """The check constraint that holds a nullable time a person gave between
    EARLIEST_TIME and LATEST_TIME (core.times says why)."""
    return models.CheckConstraint(
        condition=models.Q(**{f"{field}__isnull": True})
        | models.Q(**{f"{field}__gte": EARLIEST_TIME, f"{field}__lt": LATEST_TIME}),
        name=name,
    )


def _approval_satisfied(order: "WorkOrder") -> bool:
    return not order.service.needs_approval or order.approved_at is not None


def _approval_pending(order: "WorkOrder") -> bool:
    return not _approval_satisfied(order)


def _is_urgent(order: "WorkOrder") -> bool:
    return order.urgency == Urgency.URGENT


class WorkOrder(ConcurrentTransitionMixin, models.Model):
    number = models.CharField(_("number"), max_length=20, unique=True, null=True, editable=False)
    resident = models.ForeignKey(Resident, verbose_name=_("resident"), on_delete=models.PROTECT, related_name="orders")
    service = models.ForeignKey(ServiceItem, verbose_name=_("service"), on_delete=models.PROTECT, related_name="orders")
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    urgency = models.CharField(_("urgency"), max_length=10, choices=Urgency.choices, default=Urgency.NORMAL)
    requested_for = models.DateTimeField(_("requested for"), null=True, blank=True, help_text=_("Empty: as soon as possible"))
    notes = TypedText(_("special instructions"), max_length=NOTE_LENGTH, blank=True)
    intake = models.OneToOneField(IntakeRecord, null=True, blank=True, on_delete=models.PROTECT, related_name="order")
    card_override_reason = TypedLine(_("reason for serving without a valid card"), max_length=255, blank=True)

    state = FSMField(_("state"), default=State.RECEIVED, choices=State.choices, protected=True, db_index=True)

    worker = models.ForeignKey(Worker, verbose_name=_("worker"), null=True, blank=True, on_delete=models.PROTECT, related_name="orders")
    partner = models.ForeignKey(PartnerUnit, verbose_name=_("partner unit"), null=True, blank=True, on_delete=models.PROTECT, related_name="orders")
    assigned_at = models.DateTimeField(_("assigned at"), null=True, blank=True)
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    closing_reason = TypedLine(_("reason"), max_length=255, blank=True, help_text=_("Why it was rejected, cancelled or closed without a follow-up"))
    paperwork_owed = models.BooleanField(_("paperwork owed"), default=False)
    # An emergency start of a service that needs approval serves first; the
    # lead's (or the supervisor's) consent is owed until recorded (record_approval).
    approval_owed = models.BooleanField(_("approval owed"), default=False)
    # An emergency a worker reported on site: the board marks the card until
    # the service ends (returned), goes back to dispatch or is cancelled.
    emergency_at = models.DateTimeField(_("emergency reported at"), null=True, blank=True, editable=False)
    collected_at = models.DateTimeField(_("collected at"), null=True, blank=True)

    actual_start = models.DateTimeField(_("actual start"), null=True, blank=True)
    actual_end = models.DateTimeField(_("actual end"), null=True, blank=True)
    materials = TypedText(_("materials used"), max_length=NOTE_LENGTH, blank=True)
    remarks = TypedText(_("remarks"), max_length=NOTE_LENGTH, blank=True)
    returned_at = models.DateTimeField(_("returned at"), null=True, blank=True)
    # The catalog's price when the request was taken (0: not chargeable; null:
    # taken before it was recorded). Kept with the order, so that a later
    # price change does not rewrite what the resident was told; the return
    # records the fee actually charged in `fee`.
    expected_fee = models.DecimalField(
        _("expected fee"), max_digits=10, decimal_places=2, null=True, blank=True,
        help_text=_("The catalog price when the request was taken"),
    )
    fee = models.DecimalField(_("fee"), max_digits=10, decimal_places=2, default=Decimal("0"))
    fee_status = models.CharField(_("fee status"), max_length=10, choices=FeeStatus.choices, default=FeeStatus.NONE)
    fee_paid_at = models.DateTimeField(_("fee paid at"), null=True, blank=True)
    fee_paid_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    fee_receipt = TypedLine(_("receipt number"), max_length=RECEIPT_LENGTH, blank=True,
                            validators=[no_control_characters])

    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("created at"), default=timezone.now, db_index=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("work order")
        verbose_name_plural = _("work orders")
        permissions = [
            ("view_all_workorders", _("Can see every work order, not only one's own")),
            ("request_approval_workorder", _("Can ask for approval")),
            ("approve_workorder", _("Can approve or reject")),
            ("assign_workorder", _("Can assign, reassign and redispatch")),
            ("print_workorder", _("Can print work orders")),
            ("collect_workorder", _("Can hand out printed orders")),
            ("emergency_start_workorder", _("Can start an urgent order at once")),
            ("return_workorder", _("Can take back returned orders")),
            ("cancel_workorder", _("Can cancel work orders")),
            ("settle_fee_workorder", _("Can settle fees")),
            ("log_followup_workorder", _("Can log follow-up calls and close unreachable orders")),
            ("resolve_workorder", _("Can resolve escalated orders")),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~(models.Q(worker__isnull=False) & models.Q(partner__isnull=False)),
                name="order_worker_or_partner",
            ),
            models.CheckConstraint(condition=models.Q(fee__gte=0), name="order_fee_not_negative"),
            models.CheckConstraint(
                condition=models.Q(expected_fee__isnull=True) | models.Q(expected_fee__gte=0),
                name="order_expected_fee_not_negative",
            ),
            sane_time("requested_for", name="order_requested_for_sane"),
            sane_time("actual_start", name="order_actual_start_sane"),
            sane_time("actual_end", name="order_actual_end_sane"),
        ]
        indexes = [
            models.Index(fields=["worker", "state"]),
            models.Index(fields=["state", "urgency"]),
            # Statistics (reports.rollup): fees due by return and paid by payment
            # day, and the orders changed since the roll-up last ran.
            models.Index(fields=["returned_at"], name="order_returned_at"),
            models.Index(fields=["fee_paid_at"], name="order_fee_paid_at"),
            models.Index(fields=["updated_at"], name="order_updated_at"),
            # Statistics: open orders of a period (compliance, overdue now)
            # without walking every order of the period.
            models.Index(fields=["created_at", "id"], condition=models.Q(state__in=OPEN_STATES), name="order_open_created"),
            # The owed approvals every board lists: few, among all orders ever.
            models.Index(fields=["id"], condition=models.Q(approval_owed=True), name="order_approval_owed"),
        ]

    def __str__(self) -> str:
        return self.number or f"#{self.pk}"

    # --- transitions: guards and state only -------------------------------------

    @transition(state, source=State.RECEIVED, target=State.AWAITING_APPROVAL, conditions=[_approval_pending])
    def request_approval(self) -> None:
        pass

    @transition(state, source=State.AWAITING_APPROVAL, target=State.APPROVED)
    def approve(self, *, by, at) -> None:
        self.approved_by, self.approved_at = by, at
        self.approval_owed = False

    @transition(state, source=State.AWAITING_APPROVAL, target=State.REJECTED)
    def reject(self, *, reason: str) -> None:
        self.closing_reason = reason

    @transition(state, source=[State.RECEIVED, State.APPROVED], target=State.ASSIGNED,
                conditions=[_approval_satisfied])
    def assign(self, *, worker: Worker | None, partner: PartnerUnit | None, at) -> None:
        self.worker, self.partner, self.assigned_at = worker, partner, at

    @transition(state, source=[State.ASSIGNED, State.PRINTED], target=State.ASSIGNED)
    def reassign(self, *, worker: Worker | None, partner: PartnerUnit | None, at) -> None:
        self.worker, self.partner, self.assigned_at = worker, partner, at

    @transition(state, source=State.ASSIGNED, target=State.PRINTED)
    def print(self) -> None:
        pass

    @transition(state, source=State.PRINTED, target=State.IN_SERVICE)
    def collect(self, *, at) -> None:
        self.collected_at = at

    @transition(state, source=[State.PRINTED, State.IN_SERVICE], target=State.RECEIVED)
    def redispatch(self) -> None:
        self.worker = self.partner = self.assigned_at = self.collected_at = None
        self.emergency_at = None

    @transition(state, source=State.RECEIVED, target=State.IN_SERVICE, conditions=[_is_urgent])
    def emergency_start(self, *, worker: Worker, at) -> None:
        self.worker, self.partner, self.assigned_at, self.collected_at = worker, None, at, at
        self.paperwork_owed = True
        # Serve first: the start skips the paper and the approval, not the record of either.
        self.approval_owed = not _approval_satisfied(self)

    @transition(state, source=State.IN_SERVICE, target=State.RETURNED)
    def return_order(self, *, actual_start, actual_end, fee: Decimal, materials: str, remarks: str, at) -> None:
        self.actual_start, self.actual_end, self.returned_at = actual_start, actual_end, at
        self.fee, self.materials, self.remarks = fee, materials, remarks
        self.fee_status = FeeStatus.DUE if fee > 0 else FeeStatus.NONE
        self.emergency_at = None

    @transition(state, source=CANCELLABLE, target=State.CANCELLED)
    def cancel(self, *, reason: str) -> None:
        self.closing_reason = reason
        self.emergency_at = None

    @transition(state, source=State.RETURNED, target=RETURN_VALUE(State.CLOSED, State.ESCALATED))
    def log_followup(self, *, satisfied: bool) -> str:
        # Whether a call counts as satisfied (quality too) is the follow-up
        # procedure's rule, decided by the caller; the order only moves.
        return State.CLOSED if satisfied else State.ESCALATED

    @transition(state, source=State.ESCALATED, target=State.CLOSED)
    def resolve(self) -> None:
        pass

    @transition(state, source=State.RETURNED, target=State.CLOSED)
    def close_unreachable(self, *, reason: str) -> None:
        self.closing_reason = reason


class OrderHistory(AppendOnly, models.Model):
    """Append-only: one row per transition. Rows are never changed or deleted."""

    order = models.ForeignKey(WorkOrder, on_delete=models.PROTECT, related_name="history")
    at = models.DateTimeField(_("at"), default=timezone.now)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    transition = models.CharField(_("transition"), max_length=40)
    from_state = models.CharField(_("from"), max_length=20, blank=True)
    to_state = models.CharField(_("to"), max_length=20)
    note = TypedText(_("note"), max_length=LONG_TEXT_LENGTH, blank=True)
    channel = models.CharField(_("channel"), max_length=10, blank=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("history entry")
        verbose_name_plural = _("history")

    def __str__(self) -> str:
        return f"{self.transition}: {self.from_state} -> {self.to_state}"


class IncidentKind(models.TextChoices):
    PROBLEM = "problem", _("Problem")
    EMERGENCY = "emergency", _("Emergency")


class Incident(AppendOnly, models.Model):
    """Something unexpected a worker met on site (procedure step 6), reported at
    once to the dispatch group; an emergency also goes to the supervisor.
    Append-only: a report is a record of what was said, never edited."""

    order = models.ForeignKey(WorkOrder, verbose_name=_("work order"), on_delete=models.PROTECT, related_name="incidents")
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("reported by"), on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField(_("kind"), max_length=10, choices=IncidentKind.choices)
    note = TypedText(_("what happened"), max_length=NOTE_LENGTH, blank=True)
    could_not_serve = models.BooleanField(_("could not serve"), default=False)
    created_at = models.DateTimeField(_("reported at"), default=timezone.now, db_index=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("incident")
        verbose_name_plural = _("incidents")

    def __str__(self) -> str:
        return f"{self.order} {self.kind}"
