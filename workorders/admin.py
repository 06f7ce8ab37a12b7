from django.contrib import admin

from core.admin import ReadOnlyAdmin
from dispatch.admin import ResidentReadsRecorded
from workorders.models import Incident, OrderHistory, WorkOrder


class HistoryInline(ReadOnlyAdmin, admin.TabularInline):
    model = OrderHistory
    extra = 0
    fields = ["at", "actor", "transition", "from_state", "to_state", "note", "channel"]


class IncidentInline(ReadOnlyAdmin, admin.TabularInline):
    model = Incident
    extra = 0
    fields = ["created_at", "reporter", "kind", "could_not_serve", "note"]


@admin.register(WorkOrder)
class WorkOrderAdmin(ResidentReadsRecorded, ReadOnlyAdmin, admin.ModelAdmin):
    """Read-only: orders change only through the service layer (API and screens).
    An order's page shows its resident and what was written about them: in
    the access log, as the order page's reads are."""

    resident_of = "resident"

    list_display = ["number", "state", "urgency", "service", "worker", "partner", "fee_status", "created_at"]
    list_filter = ["state", "urgency", "fee_status", "channel"]
    search_fields = ["number"]
    date_hierarchy = "created_at"
    inlines = [HistoryInline, IncidentInline]


@admin.register(Incident)
class IncidentAdmin(ResidentReadsRecorded, ReadOnlyAdmin, admin.ModelAdmin):
    """Read-only: incidents are reported through the service (API and screens)
    and are a record, never changed or deleted. What a worker wrote on site
    is about the resident: its page is in the access log."""

    resident_of = "order.resident"

    list_display = ["created_at", "order", "kind", "could_not_serve", "reporter"]
    list_filter = ["kind", "could_not_serve"]
    search_fields = ["order__number"]
    date_hierarchy = "created_at"
