from django.contrib import admin

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
    Skill,
    Worker,
)


@admin.register(ServiceArea)
class ServiceAreaAdmin(admin.ModelAdmin):
    list_display = ["name", "office_phone", "served"]
    list_filter = ["served"]
    search_fields = ["name"]


@admin.register(Skill)
class SkillAdmin(admin.ModelAdmin):
    list_display = ["code", "name"]
    search_fields = ["code", "name"]


@admin.register(ServiceItem)
class ServiceItemAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "name_en", "category", "price", "unit", "chargeable", "needs_card", "approval", "active"]
    list_filter = ["category", "chargeable", "needs_card", "approval", "active"]
    search_fields = ["code", "name", "name_en"]


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
class ResidentAdmin(NeverDeleted, admin.ModelAdmin):
    """A resident who leaves is made inactive or anonymised, never deleted."""

    list_display = ["name", "area", "card_number", "card_valid_until", "active"]
    list_filter = ["area", "active"]
    search_fields = ["name", "address", "card_number", "phones__number"]
    inlines = [ResidentPhoneInline, EmergencyContactInline]


@admin.register(IntakeRecord)
class IntakeRecordAdmin(AppendOnlyAdmin, admin.ModelAdmin):
    list_display = ["created_at", "outcome", "channel", "service", "created_by"]
    list_filter = ["outcome", "channel"]
    date_hierarchy = "created_at"


@admin.register(ResidentAccess)
class ResidentAccessAdmin(ReadOnlyAdmin, admin.ModelAdmin):
    """The access log: read-only for the supervisor."""

    list_display = ["at", "user", "action", "resident"]
    list_filter = ["action"]
    date_hierarchy = "at"
