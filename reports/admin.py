"""The calendar and service levels are edited here by the coordinator; a change
takes effect on the next scheduler pass (deadlines are recomputed when the
calendar changes). Subscriptions change only through their services (API),
so the admin shows them read-only."""

from django.contrib import admin

from reports.models import (
    Closure,
    OpeningHours,
    ServiceLevel,
    Subscription,
    SubscriptionHistory,
    SubscriptionOccurrence,
)


@admin.register(Closure)
class ClosureAdmin(admin.ModelAdmin):
    list_display = ["first_day", "last_day", "reason"]
    date_hierarchy = "first_day"


@admin.register(OpeningHours)
class OpeningHoursAdmin(admin.ModelAdmin):
    list_display = ["weekday", "opens", "closes"]


@admin.register(ServiceLevel)
class ServiceLevelAdmin(admin.ModelAdmin):
    list_display = ["service", "response_amount", "response_unit", "start_amount", "start_unit"]
    list_select_related = ["service"]
    autocomplete_fields = ["service"]


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


class HistoryInline(ReadOnlyInline):
    model = SubscriptionHistory
    fields = ["at", "actor", "action", "from_status", "to_status", "note"]
    readonly_fields = fields


class OccurrenceInline(ReadOnlyInline):
    model = SubscriptionOccurrence
    fields = ["occurs_at", "outcome", "order", "reason"]
    readonly_fields = fields


@admin.register(Subscription)
class SubscriptionAdmin(admin.ModelAdmin):
    list_display = ["id", "service", "rule", "starts_at", "ends_at", "status"]
    list_filter = ["status", "service"]
    list_select_related = ["service"]
    inlines = [HistoryInline, OccurrenceInline]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
