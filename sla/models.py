"""Service levels and the working calendar they are counted on, and the
deadlines and overdue marks of orders (DESIGN.md section 1: cases past their
target are marked red, reassignable and watched by a lead).

Deadlines and overdue marks are derived data: `OrderDeadline` is recomputed
from an order's history whenever the order or the calendar changed, and an
`OverdueMark` is the proof that an alert went out once for an order, stage and
level.
"""

from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.models import TypedLine
from dispatch.models import ServiceItem
from workorders.models import WorkOrder


class TargetUnit(models.TextChoices):
    # Minutes are wall-clock minutes (a desk target: register within 5); working
    # hours count only opening hours of working days; working days skip
    # weekends, public holidays and closures, like "answer within 2 working days".
    MINUTES = "minutes", _("Minutes")
    WORKING_HOURS = "working_hours", _("Working hours")
    WORKING_DAYS = "working_days", _("Working days")


class Closure(models.Model):
    """Days the department is closed besides public holidays (a staff day, a
    move). Dates are local and inclusive."""

    first_day = models.DateField(_("first day"))
    last_day = models.DateField(_("last day"))
    reason = TypedLine(_("reason"), max_length=200)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["first_day", "id"]
        verbose_name = _("closure")
        verbose_name_plural = _("closures")
        constraints = [
            models.CheckConstraint(condition=Q(last_day__gte=F("first_day")), name="closure_period_order"),
        ]

    def __str__(self) -> str:
        return f"{self.first_day}..{self.last_day} {self.reason}"


class OpeningHours(models.Model):
    """The hours the department works on a weekday; "working hours" targets
    count only these. A weekday without a row works SLA_DEFAULT_OPENING_HOURS."""

    class Weekday(models.IntegerChoices):
        MONDAY = 0, _("Monday")
        TUESDAY = 1, _("Tuesday")
        WEDNESDAY = 2, _("Wednesday")
        THURSDAY = 3, _("Thursday")
        FRIDAY = 4, _("Friday")
        SATURDAY = 5, _("Saturday")
        SUNDAY = 6, _("Sunday")

    weekday = models.PositiveSmallIntegerField(_("weekday"), choices=Weekday.choices, unique=True)
    opens = models.TimeField(_("opens"))
    closes = models.TimeField(_("closes"))
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["weekday"]
        verbose_name = _("opening hours")
        verbose_name_plural = _("opening hours")
        constraints = [models.CheckConstraint(condition=Q(closes__gt=F("opens")), name="opening_hours_order")]

    def __str__(self) -> str:
        return f"{self.get_weekday_display()} {self.opens:%H:%M}-{self.closes:%H:%M}"


class ServiceLevel(models.Model):
    """A service's promised response (dispatched by) and start, in the unit the
    promise is made in. Kept here rather than as a field on ServiceItem: a
    service level is a promise with its own vocabulary (units, calendars), and
    the catalog stays free of it.

    Every service has exactly one: creating a service creates it (sla.signals,
    seeded with the service's `response_target_minutes` in wall-clock minutes),
    and the service's admin page edits it. It is never deleted on its own
    (the admin grants no delete); it goes with its service."""

    service = models.OneToOneField(
        ServiceItem, verbose_name=_("service"), on_delete=models.CASCADE, related_name="service_level"
    )
    response_amount = models.PositiveIntegerField(_("dispatch within"), validators=[MinValueValidator(1)])
    response_unit = models.CharField(_("unit"), max_length=20, choices=TargetUnit.choices, default=TargetUnit.MINUTES)
    start_amount = models.PositiveIntegerField(
        _("start within"), null=True, blank=True, validators=[MinValueValidator(1)],
        help_text=_("From the request; empty: only an agreed time is promised."),
    )
    start_unit = models.CharField(
        _("start unit"), max_length=20, choices=TargetUnit.choices, default=TargetUnit.WORKING_DAYS
    )

    class Meta:
        ordering = ["service__code"]
        verbose_name = _("service level")
        verbose_name_plural = _("service levels")

    def __str__(self) -> str:
        return f"{self.service.code}: {self.response_amount} {self.get_response_unit_display()}"


class Stage(models.TextChoices):
    DISPATCH = "dispatch", _("Dispatch")
    START = "start", _("Start of service")
    FOLLOWUP = "followup", _("Follow-up call")


class OrderDeadline(models.Model):
    """An order's deadlines and the first times each was met, recomputed from
    its history by the scheduler (`deadlines_refresh`) when the order changed
    (`updated_at` after `computed_at`) or the calendar did (`calendar_key`).
    `due_at` is the deadline of the stage the order is in now (none once
    closed): the one indexed column the overdue list and red marks read."""

    order = models.OneToOneField(WorkOrder, primary_key=True, on_delete=models.CASCADE, related_name="deadline")
    dispatch_by = models.DateTimeField(_("dispatch by"), null=True)
    start_by = models.DateTimeField(_("start by"), null=True)
    followup_by = models.DateTimeField(_("follow-up by"), null=True)
    dispatched_at = models.DateTimeField(_("dispatched at"), null=True)
    started_at = models.DateTimeField(_("started at"), null=True)
    followed_up_at = models.DateTimeField(_("followed up at"), null=True)
    stage = models.CharField(_("current stage"), max_length=20, choices=Stage.choices, blank=True)
    due_at = models.DateTimeField(_("due at"), null=True)
    calendar_key = models.CharField(max_length=64)
    # Indexed: the statistics roll-up finds the orders recomputed since it last ran.
    computed_at = models.DateTimeField(db_index=True)

    class Meta:
        verbose_name = _("order deadlines")
        verbose_name_plural = _("order deadlines")
        indexes = [
            # The rows with a due time (the open orders' current deadlines, a
            # tenth of the table): overdue now, the red list and the marks read
            # `due_at < moment` and join on the order without the table.
            models.Index(fields=["due_at", "order", "stage"], condition=Q(due_at__isnull=False), name="deadline_due_open"),
            # The rows that can be missed while not done (a deadline, the stage
            # not done): statistics' "past the deadline now" counts only these.
            models.Index(
                fields=["order", "dispatch_by", "dispatched_at", "start_by", "started_at", "followup_by", "followed_up_at"],
                condition=Q(dispatch_by__isnull=False, dispatched_at__isnull=True)
                | Q(start_by__isnull=False, started_at__isnull=True)
                | Q(followup_by__isnull=False, followed_up_at__isnull=True),
                name="deadline_pending",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.order_id} {self.stage} {self.due_at}"


class OverdueMark(models.Model):
    """An order found past its deadline for a stage, at one escalation level:
    the alert for it went out once. The unique constraint is what makes two
    scheduler copies raise one alert, not two."""

    class Level(models.TextChoices):
        DISPATCHER = "dispatcher", _("Dispatcher")
        LEAD = "dispatch_lead", _("Dispatch lead")
        SUPERVISOR = "supervisor", _("Supervisor")

    order = models.ForeignKey(WorkOrder, on_delete=models.PROTECT, related_name="overdue_marks")
    stage = models.CharField(_("stage"), max_length=20, choices=Stage.choices)
    level = models.CharField(_("level"), max_length=20, choices=Level.choices)
    due_at = models.DateTimeField(_("was due at"))
    marked_at = models.DateTimeField(_("marked at"), default=timezone.now)
    alert_id = models.BigIntegerField(_("alert"), null=True)

    class Meta:
        ordering = ["marked_at", "id"]
        verbose_name = _("overdue mark")
        verbose_name_plural = _("overdue marks")
        constraints = [
            models.UniqueConstraint(fields=["order", "stage", "level"], name="overdue_mark_once_per_level"),
        ]

    def __str__(self) -> str:
        return f"{self.order_id} {self.stage} {self.level}"
