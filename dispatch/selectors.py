"""Reads of the catalog and residents."""

from django.db.models import Q, QuerySet

from dispatch.models import Resident, ServiceItem
from dispatch.phones import parse_phone


def residents_by_phone(raw: str, residents: QuerySet[Resident] | None = None) -> QuerySet[Resident]:
    """Residents with this phone in any written form: one indexed equality query
    on the E.164 column. Raises InvalidInput when `raw` is not a phone number."""
    e164 = parse_phone(raw)
    residents = Resident.objects.all() if residents is None else residents
    return residents.filter(phones__number=e164).distinct()


def residents_search(q: str, residents: QuerySet[Resident] | None = None) -> QuerySet[Resident]:
    q = q.strip()
    residents = Resident.objects.all() if residents is None else residents
    return residents.filter(
        Q(name__icontains=q) | Q(address__icontains=q) | Q(card_number__iexact=q)
    )


def assignment_suggestions(
    *, service: ServiceItem, resident: Resident, open_states: list[str], limit: int = 8
) -> dict[str, list[dict]]:
    """Who could take an order for `service` at `resident`'s home: active workers
    with the skill the service needs, fewest open orders first, those who served
    this resident before ahead of equals; and active partner units providing the
    service. `open_states` are the order states that count as open work (the
    caller, which owns orders, says which). Raises nothing."""
    from django.db.models import Count, Exists, OuterRef

    from dispatch.models import PartnerUnit, Worker

    workers = Worker.objects.filter(active=True)
    if service.required_skill_id is not None:
        workers = workers.filter(skills=service.required_skill_id)
    # Served: an order of theirs there came back with the service's times
    # (being assigned, or sent back before serving, is not having served).
    served_here = Worker.objects.filter(
        pk=OuterRef("pk"), orders__resident=resident, orders__actual_end__isnull=False
    )
    workers = workers.annotate(
        open_orders=Count("orders", filter=Q(orders__state__in=open_states), distinct=True),
        served_resident=Exists(served_here),
    ).order_by("open_orders", "-served_resident", "name")[:limit]
    partners = PartnerUnit.objects.filter(active=True, services=service).order_by("name")[:limit]
    return {
        "workers": [
            {"id": w.pk, "name": w.name, "open_orders": w.open_orders, "served_resident": w.served_resident}
            for w in workers
        ],
        "partners": [{"id": p.pk, "name": p.name} for p in partners],
    }
