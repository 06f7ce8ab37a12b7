from django.contrib import admin

from realtime.models import Alert, Event


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Event)
class EventAdmin(ReadOnlyAdmin):
    list_display = ["id", "type", "at"]
    list_filter = ["type"]


@admin.register(Alert)
class AlertAdmin(ReadOnlyAdmin):
    list_display = ["id", "kind", "level", "raised_at", "acknowledged_by", "ack_seconds", "escalated_at"]
    list_filter = ["kind", "level"]
