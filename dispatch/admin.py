from operator import attrgetter
from typing import Any

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.admin import AppendOnlyAdmin, NeverDeleted, ReadOnlyAdmin
from dispatch.models import (
    EmergencyContact,
    IntakeRecord,
    PartnerUnit,
    Resident,
    ResidentAccess,
    ResidentPhone,
    ServiceArea,
    ServiceItem,
    ServicePrice,
    Skill,
    Worker,
)
from dispatch.services import resident_accesses_record


class ResidentReadsRecorded:
    """For an admin whose pages show a resident's data: each page that shows
    it is in the access log, as every read through the API and the screens
    is (the admin is one more door). `resident_of` leads from a row to its
    resident ("" : the row is one); `list_shows_residents`: the list page
    shows them too, each then counted as found in a search."""

    resident_of = ""
    list_shows_residents = False

    def _record(self, request: HttpRequest, rows: Any, action: str) -> None:
        residents: list[Resident] = [attrgetter(self.resident_of)(row) if self.resident_of else row for row in rows]
        resident_accesses_record(actor=request.user, residents=residents, action=action)

    def _shown(self, response: HttpResponse, key: str) -> Any:
        # A page the admin rendered (not a redirect after a save, not a refusal).
        if response.status_code != 200:
            return None
        return (getattr(response, "context_data", None) or {}).get(key)

    def changelist_view(self, request: HttpRequest, extra_context: dict | None = None) -> HttpResponse:
        response = super().changelist_view(request, extra_context)
        changelist = self._shown(response, "cl")
        if self.list_shows_residents and changelist is not None:
            self._record(request, changelist.result_list, ResidentAccess.Action.SEARCH)
        return response

    def change_view(self, request: HttpRequest, object_id: str, form_url: str = "",
                    extra_context: dict | None = None) -> HttpResponse:
        response = super().change_view(request, object_id, form_url, extra_context)
        original = self._shown(response, "original")
        if original is not None:
            self._record(request, [original], ResidentAccess.Action.VIEW)
        return response

    def history_view(self, request: HttpRequest, object_id: str, extra_context: dict | None = None) -> HttpResponse:
        response = super().history_view(request, object_id, extra_context)
        shown = self._shown(response, "object")
        if shown is not None:
            self._record(request, [shown], ResidentAccess.Action.VIEW)
        return response


@admin.register(ServiceArea)
class ServiceAreaAdmin(admin.ModelAdmin):
    list_display = ["name", "office_phone", "served"]
    list_filter = ["served"]
    search_fields = ["name"]


@admin.register(Skill)
class SkillAdmin(admin.ModelAdmin):
    list_display = ["code", "name"]
    search_fields = ["code", "name"]


class ServicePriceForm(forms.ModelForm):
    """A price in effect (from today or earlier) is history: it stays as it
    was; a change is a new row from tomorrow on."""

    class Meta:
        model = ServicePrice
        fields = ["price", "effective_from"]

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk and self.instance.effective_from <= timezone.localdate():
            for field in self.fields.values():
                field.disabled = True

    def clean_effective_from(self):
        day = self.cleaned_data["effective_from"]
        in_effect = self.instance.pk and self.instance.effective_from <= timezone.localdate()
        if not in_effect and day <= timezone.localdate():
            raise ValidationError(_("A new price takes effect from tomorrow at the earliest; today's is history."))
        return day


class ServicePriceFormSet(forms.BaseInlineFormSet):
    def clean(self) -> None:
        super().clean()
        for form in self.forms:
            instance = form.instance
            if form.cleaned_data.get("DELETE") and instance.pk and instance.effective_from <= timezone.localdate():
                raise ValidationError(_("A price that has been in effect is history and is never deleted."))


class ServicePriceInline(admin.TabularInline):
    model = ServicePrice
    form = ServicePriceForm
    formset = ServicePriceFormSet
    extra = 1
    fields = ["effective_from", "price", "created_at"]
    readonly_fields = ["created_at"]


@admin.register(ServiceItem)
class ServiceItemAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "name_en", "category", "price", "unit", "chargeable", "needs_card", "approval", "active"]
    list_filter = ["category", "chargeable", "needs_card", "approval", "active"]
    search_fields = ["code", "name", "name_en"]
    inlines = [ServicePriceInline]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        # A service's price changes through its price list (below), from a
        # day on; the field is today's, kept by the scheduler.
        return ["price"] if obj is not None else []


@admin.register(Worker)
class WorkerAdmin(admin.ModelAdmin):
    list_display = ["name", "phone", "active"]
    list_filter = ["active", "skills"]
    search_fields = ["name"]
    filter_horizontal = ["skills"]


@admin.register(PartnerUnit)
class PartnerUnitAdmin(admin.ModelAdmin):
    list_display = ["name", "contact_person", "phone", "active"]
    list_filter = ["active"]
    search_fields = ["name", "contact_person"]
    filter_horizontal = ["services"]


class ResidentPhoneInline(admin.TabularInline):
    model = ResidentPhone
    extra = 1


class EmergencyContactInline(admin.TabularInline):
    model = EmergencyContact
    extra = 1


@admin.register(Resident)
class ResidentAdmin(ResidentReadsRecorded, NeverDeleted, admin.ModelAdmin):
    """A resident who leaves is made inactive or anonymised, never deleted.
    Every page of residents is in the access log (ResidentReadsRecorded)."""

    list_shows_residents = True

    list_display = ["name", "area", "card_number", "card_valid_until", "active"]
    list_filter = ["area", "active"]
    search_fields = ["name", "address", "card_number", "phones__number"]
    inlines = [ResidentPhoneInline, EmergencyContactInline]


@admin.register(IntakeRecord)
class IntakeRecordAdmin(ResidentReadsRecorded, AppendOnlyAdmin, admin.ModelAdmin):
    # Its page shows the resident, the caller's phone and the notes.
    resident_of = "resident"

    list_display = ["created_at", "outcome", "channel", "service", "created_by"]
    list_filter = ["outcome", "channel"]
    date_hierarchy = "created_at"


@admin.register(ResidentAccess)
class ResidentAccessAdmin(ReadOnlyAdmin, admin.ModelAdmin):
    """The access log: read-only for the supervisor."""

    list_display = ["at", "user", "action", "resident"]
    list_filter = ["action"]
    date_hierarchy = "at"
