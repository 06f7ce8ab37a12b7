from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorkordersConfig(AppConfig):
    name = "workorders"
    verbose_name = _("Work orders")

    def ready(self) -> None:
        from realtime import events
        from workorders import actions, services  # noqa: F401 - services implement the actions

        events.declare(actions.event_types())
