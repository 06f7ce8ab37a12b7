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
