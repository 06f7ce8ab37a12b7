from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DispatchConfig(AppConfig):
    name = "dispatch"
    verbose_name = _("Catalog and people")

    def ready(self) -> None:
        from django.db.models.signals import post_save

        from core import scheduler
        from dispatch import services
        from dispatch.models import ServiceItem

        # Before the subscriptions create the day's orders at the day's prices.
        scheduler.register("prices", services.prices_apply, order=5)

        def price_list_started(sender, instance, created, raw=False, **kwargs) -> None:
            if created and not raw:
                services.service_price_started(service=instance)

        post_save.connect(price_list_started, sender=ServiceItem, dispatch_uid="dispatch.price_list_started")
