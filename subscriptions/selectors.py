"""Reads of subscriptions."""

from django.db.models import QuerySet

from subscriptions.models import Subscription


def subscriptions() -> QuerySet[Subscription]:
    return Subscription.objects.select_related(
        "resident__area", "service", "preferred_worker", "created_by"
    ).prefetch_related("history__actor", "occurrences")
