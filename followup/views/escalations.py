"""Complaints (the dispatch lead's, the supervisor's): the list, one
escalation, and its note, reassignment and resolution."""

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from core.actions import form_class, service_arguments
from core.errors import DomainError
from core.forms import put_errors
from core.roles import Role, roles_required
from followup import actions, selectors
from followup.roles import ESCALATION_ROLES
from followup.views.common import SEARCH, VIEW, residents_read


def _owners() -> list[tuple[int, str]]:
    people = (
        get_user_model().objects.filter(is_active=True, groups__name__in=[Role.DISPATCH_LEAD, Role.SUPERVISOR])
        .distinct().order_by("username")
    )
    return [(user.pk, user.get_full_name() or user.get_username()) for user in people]


def _form(action: actions.EscalationAction, data: Any = None) -> forms.Form:
    options = {"owner": _owners()} if action is actions.ESCALATION_REASSIGN else None
    auto_id = "reassign-%s" if action is actions.ESCALATION_REASSIGN else "id_%s"
    return form_class(action, options=options)(data, auto_id=auto_id)


@require_GET
@roles_required(*ESCALATION_ROLES)
def escalation_list(request: HttpRequest) -> HttpResponse:
    show = request.GET.get("show", "open")
    escalations = selectors.escalations()
    if show != "all":
        escalations = escalations.filter(resolved_at__isnull=True)
    now = timezone.now()
    rows = [{"escalation": e, "overdue": e.is_open and e.due_at < now} for e in escalations]
    residents_read(request, (row["escalation"].order.resident for row in rows), SEARCH)
    return render(request, "followup/escalations.html", {"rows": rows, "show": show})


def _escalation_page(request: HttpRequest, pk: int, *, status: int = 200, problem: str = "",
                     **forms_given: forms.Form) -> HttpResponse:
    escalation = selectors.escalations().select_related("call__caller").filter(pk=pk).first()
    if escalation is None:
        raise Http404
    context = {
        "escalation": escalation,
        "order": escalation.order,
        "overdue": escalation.is_open and escalation.due_at < timezone.now(),
        "note_form": forms_given.get("note_form") or _form(actions.ESCALATION_NOTE),
        "reassign_form": forms_given.get("reassign_form") or _form(actions.ESCALATION_REASSIGN),
        "resolve_form": forms_given.get("resolve_form") or _form(actions.ESCALATION_RESOLVE),
        "may_change": request.user.has_perm("followup.change_escalation"),
        # A conflict (someone resolved it meanwhile) is said on top: the forms may be gone.
        "problem": problem,
    }
    residents_read(request, [escalation.order.resident], VIEW)
    return render(request, "followup/escalation.html", context, status=status)


@require_GET
@roles_required(*ESCALATION_ROLES)
def escalation_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _escalation_page(request, pk)


def _escalation_action(request: HttpRequest, pk: int, action: actions.EscalationAction, form_name: str,
                       done: str) -> HttpResponse:
    form = _form(action, request.POST)
    if not form.is_valid():
        return _escalation_page(request, pk, status=400, **{form_name: form})
    try:
        action.run(actor=request.user, target_id=pk, **service_arguments(action, form.cleaned_data))
    except DomainError as exc:
        put_errors(form, exc)
        problem = str(exc.message) if exc.status_code == 409 else ""
        return _escalation_page(request, pk, status=exc.status_code, problem=problem, **{form_name: form})
    messages.success(request, done)
    return redirect("escalation-detail", pk=pk)


@require_POST
@roles_required(*ESCALATION_ROLES)
def escalation_note(request: HttpRequest, pk: int) -> HttpResponse:
    return _escalation_action(request, pk, actions.ESCALATION_NOTE, "note_form", _("The note is added."))


@require_POST
@roles_required(*ESCALATION_ROLES)
def escalation_reassign(request: HttpRequest, pk: int) -> HttpResponse:
    return _escalation_action(request, pk, actions.ESCALATION_REASSIGN, "reassign_form",
                              _("The escalation is reassigned."))


@require_POST
@roles_required(*ESCALATION_ROLES)
def escalation_resolve(request: HttpRequest, pk: int) -> HttpResponse:
    return _escalation_action(request, pk, actions.ESCALATION_RESOLVE, "resolve_form",
                              _("The escalation is resolved and its order closed."))
