from django.contrib import admin

from workorders.models import Incident, OrderHistory, WorkOrder


class HistoryInline(admin.TabularInline):
    model = OrderHistory
    extra = 0
    can_delete = False
    readonly_fields = ["at", "actor", "transition", "from_state", "to_state", "note", "channel"]

    def has_add_permission(self, request, obj=None) -> bool:
        return False


class IncidentInline(admin.TabularInline):
    model = Incident
    extra = 0
    can_delete = False
    readonly_fields = ["created_at", "reporter", "kind", "could_not_serve", "note"]
    fields = readonly_fields

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(WorkOrder)
class WorkOrderAdmin(admin.ModelAdmin):
    """Read-only: orders change only through the service layer (API and screens)."""

    list_display = ["number", "state", "urgency", "service", "worker", "partner", "fee_status", "created_at"]
    list_filter = ["state", "urgency", "fee_status", "channel"]
    search_fields = ["number"]
    date_hierarchy = "created_at"
    inlines = [HistoryInline, IncidentInline]

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in WorkOrder._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Incident)
class IncidentAdmin(admin.ModelAdmin):
    """Read-only: incidents are reported through the service (API and screens)
    and are a record, never changed or deleted."""

    list_display = ["created_at", "order", "kind", "could_not_serve", "reporter"]
    list_filter = ["kind", "could_not_serve"]
    search_fields = ["order__number"]
    date_hierarchy = "created_at"

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in Incident._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
