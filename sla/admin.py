"""The calendar and service levels are edited here by the coordinator; a change
takes effect on the next scheduler pass (deadlines are recomputed when the
calendar changes).

A service's deadlines are set in one place, its service level, edited on the
service's own page (the catalog's admin, extended here: sla is above
dispatch). The calendar's list pages show the calendar as it is in effect,
defaults and public holidays included, not only the rows typed in."""

from typing import Any

from django.contrib import admin
from django.forms.models import BaseInlineFormSet
from django.http import HttpRequest, HttpResponse
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from dispatch.admin import ServiceItemAdmin
from dispatch.models import ServiceItem
from sla.calendar import effective_calendar
from sla.models import Closure, OpeningHours, ServiceLevel


class ShowsEffectiveCalendar:
    """A list page of the calendar's rows, with the calendar they make: each
    weekday's hours (the default where no row sets them) and the coming
    year's public holidays, weekend working days and closures."""

    change_list_template = "admin/sla/calendar_change_list.html"

    def changelist_view(self, request: HttpRequest, extra_context: dict | None = None) -> HttpResponse:
        extra = {
            **(extra_context or {}),
            "effective_calendar": effective_calendar(timezone.localdate(), language=translation.get_language() or "en"),
        }
        return super().changelist_view(request, extra)


@admin.register(Closure)
class ClosureAdmin(ShowsEffectiveCalendar, admin.ModelAdmin):
    list_display = ["first_day", "last_day", "reason"]
    date_hierarchy = "first_day"


@admin.register(OpeningHours)
class OpeningHoursAdmin(ShowsEffectiveCalendar, admin.ModelAdmin):
    list_display = ["weekday", "opens", "closes"]


@admin.register(ServiceLevel)
class ServiceLevelAdmin(admin.ModelAdmin):
    """Edited, never added or deleted on its own: each service has exactly
    one, made with the service and gone with it."""

    list_display = ["service", "response_amount", "response_unit", "start_amount", "start_unit"]
    list_select_related = ["service"]
    search_fields = ["service__code", "service__name"]
    readonly_fields = ["service"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class OneLevelFormSet(BaseInlineFormSet):
    def save_new(self, form: Any, commit: bool = True) -> ServiceLevel:
        # A new service got its level when it was saved (sla.signals), just
        # before this form: the form's values go into that row.
        existing = ServiceLevel.objects.filter(service=self.instance).values_list("pk", flat=True).first()
        if existing is not None:
            form.instance.pk = existing
            form.instance._state.adding = False
        return super().save_new(form, commit=commit)


class ServiceLevelInline(admin.StackedInline):
    model = ServiceLevel
    formset = OneLevelFormSet
    min_num = 1
    max_num = 1
    extra = 0
    can_delete = False


admin.site.unregister(ServiceItem)


@admin.register(ServiceItem)
class ServiceItemWithLevelAdmin(ServiceItemAdmin):
    """The catalog's service page, with its deadlines: the service level is
    the one place they are set, so the service's own response target (which
    only seeds the level of a service made elsewhere) is not on the form."""

    inlines = [ServiceLevelInline, *ServiceItemAdmin.inlines]
    exclude = ["response_target_minutes"]
    list_display = [*ServiceItemAdmin.list_display, "service_level"]
    list_select_related = ["service_level"]

    @admin.display(description=_("service level"))
    def service_level(self, service: ServiceItem) -> str:
        level = getattr(service, "service_level", None)
        return "" if level is None else f"{level.response_amount} {level.get_response_unit_display()}"
