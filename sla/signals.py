"""Every service has its service level: a new service gets one, seeded with
the service's `response_target_minutes` in wall-clock minutes (what it
promised before it had a level), and the coordinator edits it on the
service's admin page."""

from typing import Any

from dispatch.models import ServiceItem
from sla.models import ServiceLevel, TargetUnit


def service_level_for_new_service(sender: type[ServiceItem], instance: ServiceItem, created: bool, raw: bool,
                                  **kwargs: Any) -> None:
    # Not for fixtures loaded raw: they bring their own rows.
    if created and not raw:
        ServiceLevel.objects.get_or_create(
            service=instance,
            defaults={"response_amount": max(instance.response_target_minutes, 1), "response_unit": TargetUnit.MINUTES},
        )
