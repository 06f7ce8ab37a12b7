from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SlaConfig(AppConfig):
    name = "sla"
    verbose_name = _("Service levels and calendar")

    def ready(self) -> None:
        from core import scheduler
        from sla import services

        scheduler.register("deadlines", services.deadlines_refresh, order=20)
        scheduler.register("overdue", services.overdue_mark, order=30)
