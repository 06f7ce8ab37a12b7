import json

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Event(models.Model):
    """The outbox: one row per state change, written in the change's transaction.

    The id is the stream's position; a board that reconnects asks for the rows
    after the last id it saw. Rows are never updated or deleted.
    """

    type = models.CharField(_("type"), max_length=60)
    at = models.DateTimeField(_("at"), default=timezone.now)
    data = models.JSONField(_("data"))

    class Meta:
        ordering = ["id"]
        verbose_name = _("event")
        verbose_name_plural = _("events")

    def __str__(self) -> str:
        return f"{self.id} {self.type}"

    def as_message(self) -> dict:
        return {"type": "event", "id": self.id, "event": self.type, "at": self.at.isoformat(), "data": self.data}

    def as_text(self) -> str:
        """The message as sent on the socket. Live and replayed events go
        through here, so a client sees the same bytes either way."""
        return json.dumps(self.as_message(), ensure_ascii=False, separators=(",", ":"))


class Alert(models.Model):
    """Something a dispatcher must answer: pops up with a sound on every board
    until the first dispatcher acknowledges it. One open alert per reason: a
    repeat while it is open counts and updates it instead of popping up again."""

    class Level(models.TextChoices):
        NORMAL = "normal", _("Normal")
        ESCALATED = "escalated", _("Escalated to the dispatch lead")

    kind = models.CharField(_("kind"), max_length=60)
    # What the alert is about: its kind and the order in its data
    # (realtime.services.alert_reason). Empty on alerts older than the rule.
    reason = models.CharField(_("reason"), max_length=100, blank=True, default="", editable=False)
    data = models.JSONField(_("data"), default=dict)
    raised_at = models.DateTimeField(_("raised at"), default=timezone.now)
    count = models.PositiveIntegerField(_("times raised"), default=1)
    last_raised_at = models.DateTimeField(_("last raised at"), default=timezone.now)
    level = models.CharField(_("level"), max_length=20, choices=Level.choices, default=Level.NORMAL)
    last_sounded_at = models.DateTimeField(_("last sounded at"), default=timezone.now)
    sound_count = models.PositiveIntegerField(_("times sounded"), default=1)
    escalated_at = models.DateTimeField(_("escalated at"), null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("acknowledged by"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="+",
    )
    acknowledged_at = models.DateTimeField(_("acknowledged at"), null=True, blank=True)
    ack_seconds = models.FloatField(_("seconds until acknowledged"), null=True, blank=True)

    class Meta:
        ordering = ["raised_at", "id"]
        verbose_name = _("alert")
        verbose_name_plural = _("alerts")
        indexes = [models.Index(fields=["acknowledged_at", "raised_at"])]
        constraints = [
            # The rule "one open alert per reason", kept by the database too:
            # raise_alerts looks the open one up under the publishing lock.
            models.UniqueConstraint(
                fields=["reason"], condition=models.Q(acknowledged_at__isnull=True) & ~models.Q(reason=""),
                name="realtime_alert_one_open_per_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.id} {self.kind}"

    def as_data(self) -> dict:
        """The alert as a board shows it: the `alert.raised` payload, and the
        snapshot's entry once later events are applied."""
        return {
            "id": self.id,
            "kind": self.kind,
            "level": self.level,
            "raised_at": self.raised_at.isoformat(),
            "sound_count": self.sound_count,
            "count": self.count,
            "last_raised_at": self.last_raised_at.isoformat(),
            "escalated_at": self.escalated_at.isoformat() if self.escalated_at else None,
            "data": self.data,
        }


class BoardPresence(models.Model):
    """One row per open board socket: who is watching the board now. Rows of a
    process that died expire when their `seen_at` gets old."""

    channel_name = models.CharField(max_length=200, unique=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    joined_at = models.DateTimeField(default=timezone.now)
    seen_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("board presence")
        verbose_name_plural = _("board presence")

    def __str__(self) -> str:
        return self.channel_name
