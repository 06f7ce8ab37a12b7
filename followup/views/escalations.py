"""Complaints (the dispatch lead's, the supervisor's): the list, one
escalation, and its note, reassignment and resolution."""

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from core.errors import DomainError
from core.forms import put_errors
from core.roles import Role, roles_required
from followup import selectors, services
from followup.models import Escalation
from followup.roles import ESCALATION_ROLES


class NoteForm(forms.Form):
    note = forms.CharField(label=gettext_lazy("What was done"), max_length=4000, widget=forms.Textarea(attrs={"rows": 3}))


class ReassignForm(forms.Form):
    owner = forms.TypedChoiceField(label=gettext_lazy("New owner"), coerce=int, choices=[])
    note = forms.CharField(label=gettext_lazy("Why (optional)"), required=False, max_length=2000)

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        people = (
            get_user_model().objects.filter(is_active=True, groups__name__in=[Role.DISPATCH_LEAD, Role.SUPERVISOR])
            .distinct().order_by("username")
        )
        self.fields["owner"].choices = [("", _("Choose…"))] + [
            (user.pk, user.get_full_name() or user.get_username()) for user in people
        ]


class ResolveForm(forms.Form):
    outcome = forms.CharField(
        label=gettext_lazy("Outcome"), max_length=4000, widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": gettext_lazy("Describe the outcome.")},
    )


@require_GET
@roles_required(*ESCALATION_ROLES)
def escalation_list(request: HttpRequest) -> HttpResponse:
    show = request.GET.get("show", "open")
    escalations = selectors.escalations()
    if show != "all":
        escalations = escalations.filter(resolved_at__isnull=True)
    now = timezone.now()
    rows = [{"escalation": e, "overdue": e.is_open and e.due_at < now} for e in escalations]
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
        "note_form": forms_given.get("note_form") or NoteForm(),
        "reassign_form": forms_given.get("reassign_form") or ReassignForm(auto_id="reassign-%s"),
        "resolve_form": forms_given.get("resolve_form") or ResolveForm(),
        "may_change": request.user.has_perm("followup.change_escalation"),
        # A conflict (someone resolved it meanwhile) is said on top: the forms may be gone.
        "problem": problem,
    }
    return render(request, "followup/escalation.html", context, status=status)


@require_GET
@roles_required(*ESCALATION_ROLES)
def escalation_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _escalation_page(request, pk)


def _escalation_action(request: HttpRequest, pk: int, form: forms.Form, form_name: str,
                       run: Callable[[dict[str, Any]], Escalation], done: str) -> HttpResponse:
    if not form.is_valid():
        return _escalation_page(request, pk, status=400, **{form_name: form})
    try:
        run(form.cleaned_data)
    except DomainError as exc:
        put_errors(form, exc)
        problem = str(exc.message) if exc.status_code == 409 else ""
        return _escalation_page(request, pk, status=exc.status_code, problem=problem, **{form_name: form})
    messages.success(request, done)
    return redirect("escalation-detail", pk=pk)


@require_POST
@roles_required(*ESCALATION_ROLES)
def escalation_note(request: HttpRequest, pk: int) -> HttpResponse:
    return _escalation_action(
        request, pk, NoteForm(request.POST), "note_form",
        lambda data: services.escalation_add_note(actor=request.user, escalation_id=pk, note=data["note"]),
        _("The note is added."),
    )


@require_POST
@roles_required(*ESCALATION_ROLES)
def escalation_reassign(request: HttpRequest, pk: int) -> HttpResponse:
    return _escalation_action(
        request, pk, ReassignForm(request.POST, auto_id="reassign-%s"), "reassign_form",
        lambda data: services.escalation_reassign(
            actor=request.user, escalation_id=pk, owner_id=data["owner"], note=data["note"]
        ),
        _("The escalation is reassigned."),
    )


@require_POST
@roles_required(*ESCALATION_ROLES)
def escalation_resolve(request: HttpRequest, pk: int) -> HttpResponse:
    return _escalation_action(
        request, pk, ResolveForm(request.POST), "resolve_form",
        lambda data: services.escalation_resolve(actor=request.user, escalation_id=pk, outcome=data["outcome"]),
        _("The escalation is resolved and its order closed."),
    )
