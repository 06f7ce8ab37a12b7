from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "reports"
    verbose_name = _("Statistics and reports")

    def ready(self) -> None:
        from core import scheduler
        from reports import rollup

        # Last in a pass, and a few days at a time: the days it rolls up
        # include what the steps before changed.
        scheduler.register("rolled_up_days", rollup.scheduled_refresh, order=40)
