from django.contrib import admin

from core.admin import ReadOnlyAdmin
from realtime.models import Alert, Event


@admin.register(Event)
class EventAdmin(ReadOnlyAdmin, admin.ModelAdmin):
    list_display = ["id", "type", "at"]
    list_filter = ["type"]


@admin.register(Alert)
class AlertAdmin(ReadOnlyAdmin, admin.ModelAdmin):
    list_display = ["id", "kind", "level", "raised_at", "count", "acknowledged_by", "ack_seconds", "escalated_at"]
    list_filter = ["kind", "level"]
