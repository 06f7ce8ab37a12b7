from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SlaConfig(AppConfig):
    name = "sla"
    verbose_name = _("Service levels and calendar")

    def ready(self) -> None:
        from django.db.models.signals import post_save

        from core import scheduler
        from dispatch.models import ServiceItem
        from sla import services, signals

        scheduler.register("deadlines", services.deadlines_refresh, order=20)
        scheduler.register("overdue", services.overdue_mark, order=30)
        post_save.connect(
            signals.service_level_for_new_service, sender=ServiceItem, dispatch_uid="sla.service_level_for_new_service"
        )
