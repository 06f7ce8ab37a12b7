"""Subscriptions change only through their services (API), so the admin
shows them read-only."""

from django.contrib import admin

from core.admin import ReadOnlyAdmin
from subscriptions.models import Subscription, SubscriptionHistory, SubscriptionOccurrence


class HistoryInline(ReadOnlyAdmin, admin.TabularInline):
    extra = 0
    model = SubscriptionHistory
    fields = ["at", "actor", "action", "from_status", "to_status", "note"]
    readonly_fields = fields


class OccurrenceInline(ReadOnlyAdmin, admin.TabularInline):
    extra = 0
    model = SubscriptionOccurrence
    fields = ["occurs_at", "outcome", "order", "reason"]
    readonly_fields = fields


@admin.register(Subscription)
class SubscriptionAdmin(ReadOnlyAdmin, admin.ModelAdmin):
    list_display = ["id", "service", "rule", "starts_at", "ends_at", "status"]
    list_filter = ["status", "service"]
    list_select_related = ["service"]
    inlines = [HistoryInline, OccurrenceInline]
