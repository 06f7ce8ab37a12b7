"""Recurring services (DESIGN.md section 1: subscriptions generate their
orders on schedule): a resident's subscription, its history and each
occurrence taken care of once. Records of what was promised and done: never
deleted."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.models import AppendOnly, TypedLine, TypedText
from core.text import NOTE_LENGTH
from dispatch.models import Resident, ServiceItem, Worker
from workorders.models import WorkOrder


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
    notes = TypedText(_("special instructions"), max_length=NOTE_LENGTH, blank=True)
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
    note = TypedText(_("note"), max_length=NOTE_LENGTH, blank=True)

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
    reason = TypedLine(_("reason"), max_length=255, blank=True)
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
