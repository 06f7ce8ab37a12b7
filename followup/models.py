"""The quality loop (procedure step 8): follow-up calls, escalations of
unsatisfied residents, supervisors' spot checks and periodic home visits.

Only `followup.services` changes these rows. Calls, escalations and their
actions are the record of how a complaint was handled: never deleted.
"""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.models import AppendOnly, TypedLine, TypedText
from core.text import LONG_TEXT_LENGTH, NOTE_LENGTH
from dispatch.models import IntakeRecord, Resident, Worker
from workorders.models import WorkOrder, sane_time


class NeverDeleted(models.Model):
    class Meta:
        abstract = True

    def delete(self, *args, **kwargs):
        raise ValueError(f"{type(self).__name__} rows are never deleted")


class CallResult(models.TextChoices):
    REACHED = "reached", _("Reached")
    NO_ANSWER = "no_answer", _("No answer")
    WRONG_NUMBER = "wrong_number", _("Wrong number")
    REFUSED = "refused", _("Refused to answer")


# Attempts that did not reach anyone: retried, and counted toward the limit.
FAILED_RESULTS = [CallResult.NO_ANSWER, CallResult.WRONG_NUMBER]


class FollowUpCall(NeverDeleted):
    order = models.ForeignKey(WorkOrder, verbose_name=_("work order"), on_delete=models.PROTECT, related_name="followup_calls")
    attempt = models.PositiveSmallIntegerField(_("attempt"))
    caller = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("caller"), on_delete=models.PROTECT, related_name="+")
    called_at = models.DateTimeField(_("called at"), default=timezone.now, db_index=True)
    result = models.CharField(_("result"), max_length=20, choices=CallResult.choices)
    quality = models.PositiveSmallIntegerField(
        _("quality (1-5)"), null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    satisfied = models.BooleanField(_("satisfied"), null=True, blank=True)
    comments = TypedText(_("comments"), max_length=LONG_TEXT_LENGTH, blank=True)
    needs_more = models.BooleanField(_("needs something else"), default=False)
    needs_more_what = TypedText(_("what else is needed"), max_length=NOTE_LENGTH, blank=True)

    class Meta:
        ordering = ["called_at", "id"]
        verbose_name = _("follow-up call")
        verbose_name_plural = _("follow-up calls")
        constraints = [
            # Numbered under the order's lock; the constraint catches a race the
            # lock cannot (SQLite has no row locks).
            models.UniqueConstraint(fields=["order", "attempt"], name="followup_call_attempt_unique"),
            models.CheckConstraint(
                condition=Q(result="reached", quality__gte=1, quality__lte=5, satisfied__isnull=False)
                | (~Q(result="reached") & Q(quality__isnull=True, satisfied__isnull=True)),
                name="followup_call_answers_only_when_reached",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.order} #{self.attempt} {self.result}"


class Escalation(NeverDeleted):
    """An unsatisfied resident's case, owned by a dispatch lead until resolved;
    past its due time it goes to a supervisor (second level)."""

    class Level(models.TextChoices):
        LEAD = "lead", _("Dispatch lead")
        SUPERVISOR = "supervisor", _("Supervisor")

    order = models.ForeignKey(WorkOrder, verbose_name=_("work order"), on_delete=models.PROTECT, related_name="escalations")
    call = models.OneToOneField(
        FollowUpCall, verbose_name=_("follow-up call"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="escalation",
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("owner"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    level = models.CharField(_("level"), max_length=20, choices=Level.choices, default=Level.LEAD)
    opened_at = models.DateTimeField(_("opened at"), default=timezone.now)
    due_at = models.DateTimeField(_("due at"), db_index=True)
    raised_at = models.DateTimeField(_("raised to the supervisor at"), null=True, blank=True)
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("resolved by"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )
    outcome = TypedText(_("outcome"), max_length=LONG_TEXT_LENGTH, blank=True)

    class Meta:
        ordering = ["due_at", "id"]
        verbose_name = _("escalation")
        verbose_name_plural = _("escalations")
        constraints = [
            models.UniqueConstraint(fields=["order"], condition=Q(resolved_at__isnull=True), name="escalation_one_open_per_order"),
        ]

    def __str__(self) -> str:
        return f"{self.order} ({self.level})"

    @property
    def is_open(self) -> bool:
        return self.resolved_at is None


class EscalationAction(AppendOnly, models.Model):
    """What was done about an escalation, by whom and when. Append-only."""

    class Kind(models.TextChoices):
        OPENED = "opened", _("Opened")
        NOTE = "note", _("Note")
        REASSIGNED = "reassigned", _("Reassigned")
        RAISED = "raised", _("Raised to the supervisor")
        RESOLVED = "resolved", _("Resolved")

    escalation = models.ForeignKey(Escalation, on_delete=models.PROTECT, related_name="actions")
    at = models.DateTimeField(_("at"), default=timezone.now)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("author"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.NOTE)
    note = TypedText(_("note"), max_length=LONG_TEXT_LENGTH, blank=True)

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("escalation action")
        verbose_name_plural = _("escalation actions")

    def __str__(self) -> str:
        return f"{self.escalation_id} {self.kind}"



class SpotCheck(models.Model):
    """A supervisor's random sample of reached follow-up calls in a period, to
    be called again. The seed is kept so anyone can draw the same sample."""

    supervisor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("supervisor"), on_delete=models.PROTECT, related_name="+"
    )
    period_start = models.DateField(_("period start"))
    period_end = models.DateField(_("period end"))
    percentage = models.PositiveSmallIntegerField(
        _("percentage"), null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(100)]
    )
    count = models.PositiveIntegerField(_("count"), null=True, blank=True, validators=[MinValueValidator(1)])
    seed = models.BigIntegerField(_("seed"))
    population = models.PositiveIntegerField(_("calls in the period"))
    drawn_at = models.DateTimeField(_("drawn at"), default=timezone.now)

    class Meta:
        ordering = ["-drawn_at", "-id"]
        verbose_name = _("spot check")
        verbose_name_plural = _("spot checks")
        constraints = [
            models.CheckConstraint(
                condition=Q(percentage__isnull=True) ^ Q(count__isnull=True), name="spotcheck_percentage_or_count"
            ),
            models.CheckConstraint(condition=Q(period_end__gte=models.F("period_start")), name="spotcheck_period_order"),
        ]

    def __str__(self) -> str:
        return f"{self.period_start}..{self.period_end} #{self.pk}"


class SpotCheckItem(models.Model):
    spot_check = models.ForeignKey(SpotCheck, on_delete=models.PROTECT, related_name="items")
    call = models.ForeignKey(FollowUpCall, verbose_name=_("follow-up call"), on_delete=models.PROTECT, related_name="+")
    position = models.PositiveIntegerField(_("position in the sample"))
    rechecked_at = models.DateTimeField(_("re-checked at"), null=True, blank=True)
    rechecked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    answers_match = models.BooleanField(_("answers match"), null=True, blank=True)
    note = TypedText(_("note"), max_length=LONG_TEXT_LENGTH, blank=True)

    class Meta:
        ordering = ["spot_check", "position"]
        verbose_name = _("spot-check item")
        verbose_name_plural = _("spot-check items")
        constraints = [models.UniqueConstraint(fields=["spot_check", "call"], name="spotcheck_call_once")]

    def __str__(self) -> str:
        return f"{self.spot_check_id}/{self.position}"


class PeriodicVisit(models.Model):
    """A home visit to a resident: one a lead organises (procedure step 8), on
    a day; or one the front desk booked at intake to register an eligible
    resident for a service card (step 2), at the hour agreed with them, with
    the intake it was booked at."""

    class Status(models.TextChoices):
        SCHEDULED = "scheduled", _("Scheduled")
        VISITED = "visited", _("Visited")
        CANCELLED = "cancelled", _("Cancelled")

    resident = models.ForeignKey(Resident, verbose_name=_("resident"), on_delete=models.PROTECT, related_name="periodic_visits")
    scheduled_for = models.DateField(_("scheduled for"), db_index=True)
    # The hour agreed with the resident (its local day is `scheduled_for`);
    # a lead's periodic visits have a day only.
    scheduled_at = models.DateTimeField(_("agreed time"), null=True, blank=True)
    intake = models.OneToOneField(
        IntakeRecord, verbose_name=_("booked at intake"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="home_visit",
    )
    visitor_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("visitor (staff)"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )
    visitor_worker = models.ForeignKey(
        Worker, verbose_name=_("visitor (worker)"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reason = TypedLine(_("reason"), max_length=255, blank=True)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.SCHEDULED)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    visited_at = models.DateTimeField(_("visited at"), null=True, blank=True)
    findings = TypedText(_("findings"), max_length=LONG_TEXT_LENGTH, blank=True)

    class Meta:
        ordering = ["scheduled_for", "id"]
        verbose_name = _("periodic visit")
        verbose_name_plural = _("periodic visits")
        constraints = [
            models.CheckConstraint(
                condition=~(Q(visitor_user__isnull=False) & Q(visitor_worker__isnull=False)),
                name="visit_one_visitor",
            ),
            models.UniqueConstraint(
                fields=["resident", "scheduled_for"], condition=Q(status="scheduled"), name="visit_once_a_day",
            ),
            sane_time("visited_at", name="visit_visited_at_sane"),
            sane_time("scheduled_at", name="visit_scheduled_at_sane"),
        ]

    def __str__(self) -> str:
        return f"{self.resident_id} {self.scheduled_for}"

    @property
    def registers_card(self) -> bool:
        """Booked at intake to register the resident for a service card."""
        return self.intake_id is not None
