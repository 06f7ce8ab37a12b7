"""Print jobs: the accounting of every printed work order (DESIGN.md section 5).

A print job is one duplicate (copy 1 for the dispatch group, copy 2 for the
front desk) printed for one order. Each job carries a copy number that is new
for its order and never reused. A job's copies are void once the order is
reassigned, redispatched or cancelled after it was printed; that is read from
the order's append-only history (`workorders.OrderHistory`) rather than written
here, because `workorders` must not know about `printing`. They are void too
once a reprint given with a reason (a lost or jammed copy) replaced them: that
is read from the later print job, which records the reason.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.models import TypedLine
from workorders.models import OrderHistory, WorkOrder

# How long the reason for a reprint may be: a line ("jammed in the printer").
REASON_LENGTH = 200

# Transitions after which the paper already handed out no longer describes the
# order (another worker, back to the queue, cancelled).
VOIDING_TRANSITIONS = ("reassign", "redispatch", "cancel")


class PrintKind(models.TextChoices):
    # Same values as `workorders.services.PrintKind`, which decides the kind.
    FIRST = "print", _("First print")
    REPRINT = "reprint", _("Reprint")
    BACKFILL = "backfill", _("Backfilled after an emergency start")


class PrintLanguage(models.TextChoices):
    ZH_HANS = "zh-hans", _("Simplified Chinese")
    EN = "en", _("English")
    SV = "sv", _("Swedish")


class PrintJob(models.Model):
    """One printed duplicate. Append-only: rows are never changed or deleted.

    `copy_number` counts every print of the order (1, 2, 3...): the number on
    the paper names one print. `reprint_number` counts the order's reprints,
    so the page can say "REPRINT n"; a first print (also the first print
    after a reassignment) and a backfill are not reprints.
    """

    order = models.ForeignKey(WorkOrder, verbose_name=_("work order"), on_delete=models.PROTECT, related_name="print_jobs")
    printed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("printed by"), on_delete=models.PROTECT, related_name="+"
    )
    printed_at = models.DateTimeField(_("printed at"), default=timezone.now, db_index=True)
    kind = models.CharField(_("kind"), max_length=10, choices=PrintKind.choices)
    language = models.CharField(_("language"), max_length=10, choices=PrintLanguage.choices)
    copy_number = models.PositiveIntegerField(_("copy number"))
    reprint_number = models.PositiveIntegerField(
        _("reprint number"), default=0, help_text=_("n of “REPRINT n”; 0 when this is not a reprint")
    )
    # Why the paper was printed again (lost, jammed, torn). A reprint with a
    # reason replaces the paper out there: every earlier copy of the order is
    # void from then on (DESIGN.md section 5), read by
    # `printing.selectors.print_jobs_annotated`.
    reason = TypedLine(_("reason for the reprint"), max_length=REASON_LENGTH, blank=True)
    # The order's latest history entry when this was printed: a voiding
    # transition with a later id voids these copies. Ids, not times, so two
    # events in the same clock tick still have an order.
    last_history = models.ForeignKey(
        OrderHistory, verbose_name=_("history entry at print time"), on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["order", "copy_number"]
        verbose_name = _("print job")
        verbose_name_plural = _("print jobs")
        constraints = [
            # A copy number names one sheet pair for ever: never reused.
            models.UniqueConstraint(fields=["order", "copy_number"], name="printjob_copy_number_unique"),
            models.CheckConstraint(condition=models.Q(copy_number__gte=1), name="printjob_copy_number_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.order} #{self.copy_number} ({self.kind})"

    def save(self, *args, **kwargs) -> None:
        if self.pk is not None:
            raise ValueError("print jobs are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError("print jobs are never deleted")

    # --- Void: on jobs read through `printing.selectors.print_jobs_annotated` ---

    @property
    def replaced_first(self) -> bool:
        """Whether a reprint voided these copies before any transition did."""
        replaced_at = getattr(self, "replaced_at", None)
        if replaced_at is None:
            return False
        voided_at = getattr(self, "voided_at", None)
        return voided_at is None or replaced_at < voided_at

    @property
    def is_void(self) -> bool:
        return getattr(self, "voided_by_id", None) is not None or getattr(self, "replaced_at", None) is not None

    @property
    def void_cause(self) -> str | None:
        """What voided the copies first: a transition's name, "reprint", or None."""
        if self.replaced_first:
            return "reprint"
        return getattr(self, "voided_transition", None)

    @property
    def void_at(self):
        if self.replaced_first:
            return self.replaced_at
        return getattr(self, "voided_at", None)
