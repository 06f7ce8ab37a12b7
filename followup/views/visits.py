"""Home visits (the dispatch lead's, the supervisor's): schedule them, then
record what was found or cancel them."""

import datetime
from typing import Any

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from core.actions import form_class, service_arguments
from core.errors import DomainError
from core.forms import put_errors
from core.roles import roles_required
from dispatch.models import Resident, Worker
from followup import actions, selectors, services
from followup.models import PeriodicVisit
from followup.roles import VISIT_ROLES
from followup.views.common import SEARCH, residents_read


class ScheduleForm(forms.Form):
    scheduled_for = forms.DateField(label=gettext_lazy("Visit on"), widget=forms.DateInput(attrs={"type": "date"}))
    served_by_worker = forms.ModelChoiceField(
        label=gettext_lazy("Everyone served by"), queryset=Worker.objects.order_by("name"), required=False
    )
    month = forms.DateField(
        label=gettext_lazy("in the month"), required=False, input_formats=["%Y-%m"],
        widget=forms.DateInput(attrs={"type": "month"}, format="%Y-%m"),
    )
    resident = forms.ModelChoiceField(
        label=gettext_lazy("or one resident"), queryset=Resident.objects.filter(active=True).order_by("name"),
        required=False,
    )
    visitor_worker = forms.ModelChoiceField(
        label=gettext_lazy("Visitor (optional)"), queryset=Worker.objects.filter(active=True).order_by("name"),
        required=False,
    )
    reason = forms.CharField(label=gettext_lazy("Reason"), required=False, max_length=255)


def _form(action: actions.VisitAction, pk: int, data: Any = None) -> forms.Form:
    return form_class(action)(data, auto_id=f"{'visit' if action is actions.VISIT_RECORD else 'cancel'}-{pk}-%s")


def _visits_page(request: HttpRequest, *, schedule_form: ScheduleForm | None = None,
                 visit_forms: dict[tuple[str, int], forms.Form] | None = None, status: int = 200) -> HttpResponse:
    visit_forms = visit_forms or {}
    scheduled = selectors.visits_scheduled()
    context = {
        "schedule_form": schedule_form or ScheduleForm(initial={
            "scheduled_for": timezone.localdate() + datetime.timedelta(days=1), "month": timezone.localdate(),
        }),
        "scheduled": [
            {"visit": v,
             "record_form": visit_forms.get(("record", v.pk)) or _form(actions.VISIT_RECORD, v.pk),
             "cancel_form": visit_forms.get(("cancel", v.pk)) or _form(actions.VISIT_CANCEL, v.pk)}
            for v in scheduled
        ],
        "done": list(selectors.visits().exclude(status=PeriodicVisit.Status.SCHEDULED).order_by("-scheduled_for", "-id")[:30]),
        "may_change": request.user.has_perm("followup.change_periodicvisit"),
        "may_schedule": request.user.has_perm("followup.add_periodicvisit"),
    }
    residents_read(request, [*(row["visit"].resident for row in context["scheduled"]),
                             *(visit.resident for visit in context["done"])], SEARCH)
    return render(request, "followup/visits.html", context, status=status)


@require_http_methods(["GET", "POST"])
@roles_required(*VISIT_ROLES)
def visit_list(request: HttpRequest) -> HttpResponse:
    """Home visits: schedule them (for one resident, or for everyone a worker
    served in a month), then record what was found."""
    if request.method == "GET":
        return _visits_page(request)
    form = ScheduleForm(request.POST)
    if not form.is_valid():
        return _visits_page(request, schedule_form=form, status=400)
    data = form.cleaned_data
    one = data["resident"]
    try:
        made = services.visits_schedule(
            actor=request.user, scheduled_for=data["scheduled_for"],
            resident_ids=[one.pk] if one else None,
            served_by_worker_id=None if one else (data["served_by_worker"].pk if data["served_by_worker"] else None),
            served_in_month=None if one else data["month"],
            visitor_worker_id=data["visitor_worker"].pk if data["visitor_worker"] else None, reason=data["reason"],
        )
    except DomainError as exc:
        if "residents" in exc.fields:
            # "Name the residents, or a worker and a month": said by the worker's choice.
            exc.fields["served_by_worker"] = exc.fields.pop("residents")
        put_errors(form, exc)
        return _visits_page(request, schedule_form=form, status=exc.status_code)
    messages.success(request, _("%(n)d visits scheduled.") % {"n": len(made)})
    return redirect("visit-list")


def _visit_action(request: HttpRequest, pk: int, action: actions.VisitAction, done: str) -> HttpResponse:
    form = _form(action, pk, request.POST)
    if not form.is_valid():
        return _visits_page(request, visit_forms={(action.name, pk): form}, status=400)
    try:
        action.run(actor=request.user, target_id=pk, **service_arguments(action, form.cleaned_data))
    except DomainError as exc:
        if exc.status_code == 404:
            raise Http404 from None
        put_errors(form, exc)
        if exc.status_code == 409:
            messages.error(request, str(exc.message))
            return redirect("visit-list")
        return _visits_page(request, visit_forms={(action.name, pk): form}, status=exc.status_code)
    messages.success(request, done)
    return redirect("visit-list")


@require_POST
@roles_required(*VISIT_ROLES)
def visit_record(request: HttpRequest, pk: int) -> HttpResponse:
    return _visit_action(request, pk, actions.VISIT_RECORD, _("The visit is recorded."))


@require_POST
@roles_required(*VISIT_ROLES)
def visit_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    return _visit_action(request, pk, actions.VISIT_CANCEL, _("The visit is cancelled."))
