"""Service levels, working-day calendars, recurring services and the
scheduler's bookkeeping (issue 7).

`reports` imports the domain apps, never the reverse; the one exception is
`reports.calendar`, which followup calls for its due times (see that module).

Deadlines and overdue marks are derived data: `OrderDeadline` is recomputed
from an order's history whenever the order or the calendar changed, and an
`OverdueMark` is the proof that an alert went out once for an order, stage and
level. Subscriptions and their occurrences are records of what was promised
and done: never deleted.
"""

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.models import AppendOnly
from dispatch.models import IntakeRecord, Resident, ServiceItem, Worker
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
    reason = models.CharField(_("reason"), max_length=200)
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
    service level is a promise with its own vocabulary (units, calendars) that
    belongs to reports, and the catalog stays free of it. A service without a
    row promises its `response_target_minutes` in wall-clock minutes."""

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
        permissions = [
            ("view_statistics", _("Can read service statistics")),
            ("view_fee_statistics", _("Can read fee statistics")),
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


class Subscription(models.Model):
    """A resident's recurring service: an iCalendar RRULE from `starts_at`
    (local time of the rule's first occurrence) until `ends_at`. The
    scheduler creates each occurrence's order SUBSCRIPTION_LEAD_HOURS ahead."""

    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        PAUSED = "paused", _("Paused")
        ENDED = "ended", _("Ended")

    resident = models.ForeignKey(Resident, verbose_name=_("resident"), on_delete=models.PROTECT, related_name="subscriptions")
    service = models.ForeignKey(ServiceItem, verbose_name=_("service"), on_delete=models.PROTECT, related_name="subscriptions")
    rule = models.CharField(_("schedule (RRULE)"), max_length=500, help_text=_("For example FREQ=WEEKLY;BYDAY=TU"))
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"), null=True, blank=True)
    preferred_worker = models.ForeignKey(
        Worker, verbose_name=_("preferred worker"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    notes = models.TextField(_("special instructions"), blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.ACTIVE, db_index=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("subscription")
        verbose_name_plural = _("subscriptions")
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__isnull=True) | Q(ends_at__gt=F("starts_at")), name="subscription_period_order"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.service.code} {self.rule}"

    def delete(self, *args, **kwargs):
        raise ValueError("subscriptions are ended, never deleted")


class SubscriptionHistory(AppendOnly, models.Model):
    """Append-only: created, paused, resumed, ended."""

    subscription = models.ForeignKey(Subscription, on_delete=models.PROTECT, related_name="history")
    at = models.DateTimeField(_("at"), default=timezone.now)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    action = models.CharField(_("action"), max_length=20)
    from_status = models.CharField(_("from"), max_length=10, blank=True)
    to_status = models.CharField(_("to"), max_length=10)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("subscription history entry")
        verbose_name_plural = _("subscription history")

    def __str__(self) -> str:
        return f"{self.action}: {self.from_status} -> {self.to_status}"



class SubscriptionOccurrence(models.Model):
    """One occurrence of a subscription, taken care of once: its order, or why
    there is none (a closure, the resident no longer eligible). The unique key
    (subscription, occurs_at) is inserted in the transaction that creates the
    order, so two schedulers never create it twice."""

    class Outcome(models.TextChoices):
        ORDERED = "ordered", _("Order created")
        SKIPPED_CLOSURE = "closure", _("Skipped: department closed")
        FAILED = "failed", _("Not ordered (see reason)")

    subscription = models.ForeignKey(Subscription, on_delete=models.PROTECT, related_name="occurrences")
    occurs_at = models.DateTimeField(_("occurs at"))
    outcome = models.CharField(_("outcome"), max_length=10, choices=Outcome.choices)
    order = models.OneToOneField(
        WorkOrder, null=True, blank=True, on_delete=models.PROTECT, related_name="subscription_occurrence"
    )
    reason = models.CharField(_("reason"), max_length=255, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        ordering = ["occurs_at", "id"]
        verbose_name = _("subscription occurrence")
        verbose_name_plural = _("subscription occurrences")
        constraints = [
            models.UniqueConstraint(fields=["subscription", "occurs_at"], name="subscription_occurrence_once"),
        ]

    def __str__(self) -> str:
        return f"{self.subscription_id} {self.occurs_at:%Y-%m-%d %H:%M}"


# The roll-up's figures read per week (the statistics' weekly series): orders
# taken, intakes by outcome. Their own small index (`daily_figure_weekly`).
WEEKLY_FIGURES = ["orders", *(f"outcome:{o}" for o in IntakeRecord.Outcome.values)]


class DailyFigure(models.Model):
    """The statistics roll-up (see reports.rollup): one figure of one local day
    for everything (`dimension` ""), for one value (`key`) of one filter
    dimension (area, service, channel, partner), or for a pair of values of
    two of them (`dimension` "area+channel", `key` "3|web"). `count` is a number of rows;
    `amount` a sum (fees, quality marks). Derived data: a day's rows are
    deleted and computed again whenever something of that day changed."""

    day = models.DateField()
    dimension = models.CharField(max_length=20, blank=True)
    key = models.CharField(max_length=40, blank=True)
    figure = models.CharField(max_length=300)
    count = models.BigIntegerField(default=0)
    amount = models.DecimalField(max_digits=16, decimal_places=2, default=0)

    class Meta:
        verbose_name = _("daily figure")
        verbose_name_plural = _("daily figures")
        indexes = [
            # Read without visiting the table (PostgreSQL: the other columns included).
            models.Index(fields=["dimension", "key", "day"], include=["figure", "count", "amount"],
                         name="daily_figure_lookup"),
            # The weekly series: without it, a year's series read every figure of the
            # key (30 ms against 4); over every figure, it was a third of the table's size.
            models.Index(fields=["dimension", "key", "figure", "day"], include=["count"], name="daily_figure_weekly",
                         condition=Q(figure__in=WEEKLY_FIGURES)),
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.dimension}={self.key} {self.figure}: {self.count}"


class RollupState(models.Model):
    """The one row saying how far the roll-up goes: every day up to
    `rolled_through` is in DailyFigure as of `seen_at` (changes to orders and
    deadlines from `seen_at` on are not in it yet), except the `stale_days`
    (ISO dates): days seen changed that a pass left to the next ones. Locked
    while refreshing, so two scheduler copies refresh one after the other."""

    rolled_through = models.DateField(null=True)
    seen_at = models.DateTimeField(null=True)
    stale_days = models.JSONField(default=list, blank=True)

    def __str__(self) -> str:
        return f"rolled through {self.rolled_through} as of {self.seen_at}"

