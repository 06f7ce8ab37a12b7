from django.contrib import admin

from workorders.models import OrderHistory, WorkOrder


class HistoryInline(admin.TabularInline):
    model = OrderHistory
    extra = 0
    can_delete = False
    readonly_fields = ["at", "actor", "transition", "from_state", "to_state", "note", "channel"]

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(WorkOrder)
class WorkOrderAdmin(admin.ModelAdmin):
    """Read-only: orders change only through the service layer (API and screens)."""

    list_display = ["number", "state", "urgency", "service", "worker", "partner", "fee_status", "created_at"]
    list_filter = ["state", "urgency", "fee_status", "channel"]
    search_fields = ["number"]
    date_hierarchy = "created_at"
    inlines = [HistoryInline]

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in WorkOrder._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
