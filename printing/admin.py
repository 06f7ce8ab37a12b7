from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from core.admin import ReadOnlyAdmin
from printing.models import PrintJob
from printing.selectors import print_jobs_annotated


@admin.register(PrintJob)
class PrintJobAdmin(ReadOnlyAdmin, admin.ModelAdmin):
    """Read-only print history: jobs are written only by printing's services."""

    list_display = ["order", "copy_number", "kind", "reprint_number", "language", "printed_by", "printed_at", "reason", "void"]
    list_filter = ["kind", "language"]
    search_fields = ["order__number"]
    date_hierarchy = "printed_at"

    def get_queryset(self, request):
        return print_jobs_annotated(super().get_queryset(request))

    @admin.display(description=_("void (by)"))
    def void(self, job: PrintJob) -> str:
        return job.void_cause or ""
