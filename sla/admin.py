"""The calendar and service levels are edited here by the coordinator; a change
takes effect on the next scheduler pass (deadlines are recomputed when the
calendar changes)."""

from django.contrib import admin

from sla.models import Closure, OpeningHours, ServiceLevel


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
