"""The statistics roll-up (see reports.rollup): derived data, recomputed from
the base tables whenever something of a day changed."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from dispatch.models import IntakeRecord

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
        # Who reads the statistics (the roles' grants in reports.roles).
        permissions = [
            ("view_statistics", _("Can read service statistics")),
            ("view_fee_statistics", _("Can read fee statistics")),
        ]
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
