from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EnquiriesConfig(AppConfig):
    name = "enquiries"
    verbose_name = _("Written requests")

    def ready(self) -> None:
        from enquiries import actions, services  # noqa: F401 - services implement the actions
        from realtime import events

        events.declare(actions.EVENT_TYPES)
