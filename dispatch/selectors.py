"""Reads of the catalog and residents."""

from django.db.models import Q, QuerySet

from dispatch.models import Resident
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
