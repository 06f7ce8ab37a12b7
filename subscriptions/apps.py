from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SubscriptionsConfig(AppConfig):
    name = "subscriptions"
    verbose_name = _("Recurring services")

    def ready(self) -> None:
        from core import scheduler
        from subscriptions import services  # also implements the actions

        # First in a pass: the orders it creates get their deadlines in the same pass.
        scheduler.register("subscriptions", services.subscriptions_schedule, order=10)
