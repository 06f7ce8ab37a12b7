"""Read-only: follow-up rows change only through `followup.services` (API and
screens), and the record of a complaint is never deleted. A page showing
what a resident said (a call's comments, a complaint, a visit's findings) is
in the access log, as the screens' reads are."""

from django.contrib import admin

from core.admin import ReadOnlyAdmin
from dispatch.admin import ResidentReadsRecorded
from followup.models import Escalation, EscalationAction, FollowUpCall, PeriodicVisit, SpotCheck, SpotCheckItem


class ReadOnlyInline(ReadOnlyAdmin, admin.TabularInline):
    extra = 0


@admin.register(FollowUpCall)
class FollowUpCallAdmin(ResidentReadsRecorded, ReadOnlyAdmin, admin.ModelAdmin):
    resident_of = "order.resident"
    list_display = ["order", "attempt", "result", "quality", "satisfied", "caller", "called_at"]
    list_filter = ["result", "satisfied", "quality"]
    search_fields = ["order__number"]


class EscalationActionInline(ReadOnlyInline):
    model = EscalationAction
    fields = ["at", "author", "kind", "note"]


@admin.register(Escalation)
class EscalationAdmin(ResidentReadsRecorded, ReadOnlyAdmin, admin.ModelAdmin):
    resident_of = "order.resident"
    list_display = ["order", "level", "owner", "opened_at", "due_at", "resolved_at"]
    list_filter = ["level"]
    search_fields = ["order__number"]
    inlines = [EscalationActionInline]


class SpotCheckItemInline(ReadOnlyInline):
    model = SpotCheckItem
    fields = ["position", "call", "rechecked_at", "rechecked_by", "answers_match", "note"]


@admin.register(SpotCheck)
class SpotCheckAdmin(ReadOnlyAdmin, admin.ModelAdmin):
    list_display = ["id", "supervisor", "period_start", "period_end", "percentage", "count", "seed", "drawn_at"]
    inlines = [SpotCheckItemInline]


@admin.register(PeriodicVisit)
class PeriodicVisitAdmin(ResidentReadsRecorded, ReadOnlyAdmin, admin.ModelAdmin):
    resident_of = "resident"
    list_shows_residents = True
    list_display = ["resident", "scheduled_for", "status", "visitor_user", "visitor_worker", "visited_at"]
    list_filter = ["status"]
