"""The quality loop's screens (procedure step 8, issue 6): the callback queue
and one call at a time for the front desk, complaints for the dispatch lead,
spot checks for the supervisor.

Pages are plain forms: a view parses the input, calls one service and
redirects to what happened; a service's error goes next to its field and the
form comes back with everything typed (400, or 409 when the order or the
escalation moved on meanwhile). Satisfaction answers appear only on pages of
roles that hold the follow-up permissions; field workers get 403.
"""

import datetime
from collections.abc import Callable
from functools import wraps
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from dispatch.errors import DomainError
from dispatch.models import Resident, Worker
from dispatch.roles import Role, has_role
from dispatch.screens import ESCALATION_ROLES, FOLLOWUP_ROLES, INTAKE_ROLES, SPOT_CHECK_ROLES
from followup import selectors, services
from followup.models import CallResult, Escalation, FollowUpCall, PeriodicVisit, SpotCheckItem
from workorders.models import State, WorkOrder


def _roles_required(*roles: str) -> Callable[[Callable[..., HttpResponse]], Callable[..., HttpResponse]]:
    def decorate(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @login_required
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not has_role(request.user, *roles):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapped

    return decorate


def _put_errors(form: forms.Form, exc: DomainError) -> None:
    """A service's field messages next to the form's fields; the rest on top."""
    for field, errors in (exc.fields or {"__all__": [exc.message]}).items():
        for error in errors:
            form.add_error(field if field in form.fields else None, str(error))


# --- the callback queue and one call ----------------------------------------------------


@require_GET
@_roles_required(*FOLLOWUP_ROLES)
def followup_queue(request: HttpRequest) -> HttpResponse:
    entries = selectors.followup_queue()
    context = {
        "entries": entries,
        "overdue_count": sum(1 for e in entries if e.is_overdue),
        "due_count": sum(1 for e in entries if e.is_due),
        "now": timezone.now(),
    }
    return render(request, "followup/queue.html", context)


YES_NO = [("yes", gettext_lazy("Yes")), ("no", gettext_lazy("No"))]


class CallForm(forms.Form):
    """Parsing only: which answers a result needs is the service's rule."""

    result = forms.ChoiceField(
        label=gettext_lazy("Result"), choices=CallResult.choices, widget=forms.RadioSelect,
        error_messages={"required": gettext_lazy("Choose the result of the call.")},
    )
    quality = forms.TypedChoiceField(
        label=gettext_lazy("Quality of the service"), choices=[(str(n), str(n)) for n in range(1, 6)],
        coerce=int, empty_value=None, required=False, widget=forms.RadioSelect,
    )
    satisfied = forms.ChoiceField(label=gettext_lazy("Satisfied"), choices=YES_NO, required=False, widget=forms.RadioSelect)
    comments = forms.CharField(
        label=gettext_lazy("Comments"), required=False, max_length=4000, widget=forms.Textarea(attrs={"rows": 3})
    )
    needs_more = forms.BooleanField(label=gettext_lazy("Needs something else"), required=False)
    needs_more_what = forms.CharField(
        label=gettext_lazy("What else is needed"), required=False, max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def answers(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        reached = data["result"] == CallResult.REACHED
        satisfied = {"yes": True, "no": False}.get(data.pop("satisfied"))
        # Answers left on the form from before the result was changed are not sent.
        data["quality"] = data["quality"] if reached else None
        data["satisfied"] = satisfied if reached else None
        return data


def _order_or_404(pk: int) -> WorkOrder:
    order = (
        WorkOrder.objects.select_related("resident", "service", "worker", "partner")
        .prefetch_related("resident__phones").filter(pk=pk).first()
    )
    if order is None:
        raise Http404
    return order


def _call_page(request: HttpRequest, order: WorkOrder, entry: selectors.QueueEntry | None, form: CallForm, *,
               status: int = 200, conflict: str = "") -> HttpResponse:
    """The call screen; `entry` is None when the order left the queue while
    the caller was typing (a conflict): the page then keeps what they typed."""
    context = {
        "entry": entry,
        "order": order,
        "phones": list(order.resident.phones.all()),
        "previous": list(selectors.calls().filter(order=order)),
        "script": selectors.followup_script(order),
        "form": form,
        "may_call": request.user.has_perm("followup.add_followupcall"),
        "conflict": conflict,
    }
    return render(request, "followup/call.html", context, status=status)


def _not_waiting(request: HttpRequest, order: WorkOrder, *, message: str = "", status: int = 409) -> HttpResponse:
    latest = selectors.calls().filter(order=order).order_by("-called_at", "-id").first()
    context = {"order": order, "message": message, "latest": latest}
    return render(request, "followup/not_waiting.html", context, status=status)


@require_http_methods(["GET", "POST"])
@_roles_required(*FOLLOWUP_ROLES)
def followup_call(request: HttpRequest, pk: int) -> HttpResponse:
    """One returned order's call: phone, service, worker, the script, and the
    form the caller fills in while talking."""
    entry = selectors.followup_queue_entry(order_id=pk)
    order = entry.order if entry else _order_or_404(pk)
    if request.method == "GET":
        return _call_page(request, order, entry, CallForm()) if entry else _not_waiting(request, order)
    if not request.user.has_perm("followup.add_followupcall"):
        raise PermissionDenied
    form = CallForm(request.POST)
    if not form.is_valid():
        return _call_page(request, order, entry, form, status=400)
    try:
        call = services.followup_log_call(actor=request.user, order_id=pk, **form.answers())
    except DomainError as exc:
        if exc.status_code == 409:
            # Someone else's call changed the order: say so, keep what was typed.
            order = _order_or_404(pk)
            return _call_page(request, order, None, form, status=409, conflict=str(exc.message))
        _put_errors(form, exc)
        return _call_page(request, order, entry, form, status=exc.status_code)
    return redirect("followup-call-result", pk=call.pk)


def _call_outcome(call: FollowUpCall) -> tuple[str, str]:
    """What the call did to the order, as (key, sentence) for the result page."""
    order = call.order
    escalation = getattr(call, "escalation", None)
    if escalation is not None:
        owner = (escalation.owner.get_full_name() or escalation.owner.get_username()) if escalation.owner else _("nobody yet")
        return "escalated", _("The resident is not satisfied: the order is escalated to %(owner)s, due %(due)s.") % {
            "owner": owner, "due": timezone.localtime(escalation.due_at).strftime("%Y-%m-%d %H:%M"),
        }
    if call.result == CallResult.REACHED and order.state == State.CLOSED:
        return "closed", _("The order is closed.")
    if order.state == State.CLOSED:
        return "unreachable", _("The order is closed without a follow-up: %(reason)s") % {"reason": order.closing_reason}
    entry = selectors.followup_queue_entry(order_id=order.pk)
    if entry is not None:
        return "retry", _("Attempt %(attempt)d recorded. Call again from %(time)s.") % {
            "attempt": call.attempt, "time": timezone.localtime(entry.callable_from).strftime("%Y-%m-%d %H:%M"),
        }
    return "recorded", _("The call is recorded; the order is now %(state)s.") % {"state": order.get_state_display()}


@require_GET
@_roles_required(*FOLLOWUP_ROLES)
def followup_call_result(request: HttpRequest, pk: int) -> HttpResponse:
    call = selectors.calls().select_related("escalation__owner").filter(pk=pk).first()
    if call is None:
        raise Http404
    outcome, sentence = _call_outcome(call)
    context = {
        "call": call,
        "order": call.order,
        "outcome": outcome,
        "sentence": sentence,
        "may_take_request": has_role(request.user, *INTAKE_ROLES),
        "next_entry": next((e for e in selectors.followup_queue(due_only=True)), None),
    }
    return render(request, "followup/call_result.html", context)


# --- escalations ------------------------------------------------------------------------


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
@_roles_required(*ESCALATION_ROLES)
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
@_roles_required(*ESCALATION_ROLES)
def escalation_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _escalation_page(request, pk)


def _escalation_action(request: HttpRequest, pk: int, form: forms.Form, form_name: str,
                       run: Callable[[dict[str, Any]], Escalation], done: str) -> HttpResponse:
    if not form.is_valid():
        return _escalation_page(request, pk, status=400, **{form_name: form})
    try:
        run(form.cleaned_data)
    except DomainError as exc:
        _put_errors(form, exc)
        problem = str(exc.message) if exc.status_code == 409 else ""
        return _escalation_page(request, pk, status=exc.status_code, problem=problem, **{form_name: form})
    messages.success(request, done)
    return redirect("escalation-detail", pk=pk)


@require_POST
@_roles_required(*ESCALATION_ROLES)
def escalation_note(request: HttpRequest, pk: int) -> HttpResponse:
    return _escalation_action(
        request, pk, NoteForm(request.POST), "note_form",
        lambda data: services.escalation_add_note(actor=request.user, escalation_id=pk, note=data["note"]),
        _("The note is added."),
    )


@require_POST
@_roles_required(*ESCALATION_ROLES)
def escalation_reassign(request: HttpRequest, pk: int) -> HttpResponse:
    return _escalation_action(
        request, pk, ReassignForm(request.POST, auto_id="reassign-%s"), "reassign_form",
        lambda data: services.escalation_reassign(
            actor=request.user, escalation_id=pk, owner_id=data["owner"], note=data["note"]
        ),
        _("The escalation is reassigned."),
    )


@require_POST
@_roles_required(*ESCALATION_ROLES)
def escalation_resolve(request: HttpRequest, pk: int) -> HttpResponse:
    return _escalation_action(
        request, pk, ResolveForm(request.POST), "resolve_form",
        lambda data: services.escalation_resolve(actor=request.user, escalation_id=pk, outcome=data["outcome"]),
        _("The escalation is resolved and its order closed."),
    )


# --- spot checks ------------------------------------------------------------------------


class DrawForm(forms.Form):
    period_start = forms.DateField(label=gettext_lazy("From"), widget=forms.DateInput(attrs={"type": "date"}))
    period_end = forms.DateField(label=gettext_lazy("To"), widget=forms.DateInput(attrs={"type": "date"}))
    percentage = forms.IntegerField(label=gettext_lazy("Percentage"), required=False, min_value=1, max_value=100)
    count = forms.IntegerField(label=gettext_lazy("or a count"), required=False, min_value=1)
    seed = forms.IntegerField(
        label=gettext_lazy("Seed (optional: repeats an earlier draw)"), required=False, min_value=0, max_value=2**62
    )


class RecheckForm(forms.Form):
    answers_match = forms.ChoiceField(
        label=gettext_lazy("Do the answers match?"), choices=YES_NO, widget=forms.RadioSelect,
        error_messages={"required": gettext_lazy("Say whether the answers match.")},
    )
    note = forms.CharField(label=gettext_lazy("Note"), required=False, max_length=4000)


def _spot_checks_page(request: HttpRequest, draw_form: DrawForm, *, status: int = 200) -> HttpResponse:
    context = {
        "draw_form": draw_form,
        "checks": list(selectors.spot_checks()[:20]),
        "mismatches": list(selectors.spot_check_mismatches()[:50]),
    }
    return render(request, "followup/spot_checks.html", context, status=status)


@require_http_methods(["GET", "POST"])
@_roles_required(*SPOT_CHECK_ROLES)
def spot_check_list(request: HttpRequest) -> HttpResponse:
    """Draw a sample (POST), the recent samples, and the mismatches found."""
    if request.method == "GET":
        today = timezone.localdate()
        return _spot_checks_page(request, DrawForm(initial={
            "period_start": today - datetime.timedelta(days=30), "period_end": today, "percentage": 10,
        }))
    form = DrawForm(request.POST)
    if not form.is_valid():
        return _spot_checks_page(request, form, status=400)
    try:
        check = services.spot_check_draw(actor=request.user, **form.cleaned_data)
    except DomainError as exc:
        _put_errors(form, exc)
        return _spot_checks_page(request, form, status=exc.status_code)
    messages.success(request, _("%(n)d calls drawn with seed %(seed)d.") % {"n": check.items.count(), "seed": check.seed})
    return redirect("spot-check-detail", pk=check.pk)


def _spot_check_page(request: HttpRequest, pk: int, *, forms_by_item: dict[int, RecheckForm] | None = None,
                     status: int = 200) -> HttpResponse:
    check = selectors.spot_checks().prefetch_related("items__call__order__resident__phones").filter(pk=pk).first()
    if check is None:
        raise Http404
    forms_by_item = forms_by_item or {}
    items = [
        {"item": item, "form": forms_by_item.get(item.pk) or RecheckForm(auto_id=f"item-{item.pk}-%s")}
        for item in check.items.all()
    ]
    context = {
        "check": check,
        "items": items,
        # Anyone can verify the sample: the recorded seed draws the same calls.
        "reproduced": selectors.spot_check_redraw(check) == [item.call_id for item in check.items.all()],
    }
    return render(request, "followup/spot_check.html", context, status=status)


@require_GET
@_roles_required(*SPOT_CHECK_ROLES)
def spot_check_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _spot_check_page(request, pk)


@require_POST
@_roles_required(*SPOT_CHECK_ROLES)
def spot_check_record(request: HttpRequest, pk: int, item_pk: int) -> HttpResponse:
    if not SpotCheckItem.objects.filter(pk=item_pk, spot_check_id=pk).exists():
        raise Http404
    form = RecheckForm(request.POST, auto_id=f"item-{item_pk}-%s")
    if not form.is_valid():
        return _spot_check_page(request, pk, forms_by_item={item_pk: form}, status=400)
    try:
        services.spot_check_record(
            actor=request.user, item_id=item_pk, answers_match=form.cleaned_data["answers_match"] == "yes",
            note=form.cleaned_data["note"],
        )
    except DomainError as exc:
        _put_errors(form, exc)
        return _spot_check_page(request, pk, forms_by_item={item_pk: form}, status=exc.status_code)
    messages.success(request, _("The re-check is recorded."))
    return redirect(reverse("spot-check-detail", kwargs={"pk": pk}) + f"#item-{item_pk}")


# --- periodic visits --------------------------------------------------------------------


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


class VisitRecordForm(forms.Form):
    findings = forms.CharField(label=gettext_lazy("Findings"), max_length=4000, widget=forms.Textarea(attrs={"rows": 2}))


class VisitCancelForm(forms.Form):
    reason = forms.CharField(label=gettext_lazy("Why cancelled"), max_length=255)


VISIT_ROLES = (Role.DISPATCH_LEAD, Role.SUPERVISOR)


def _visits_page(request: HttpRequest, *, schedule_form: ScheduleForm | None = None,
                 visit_forms: dict[tuple[str, int], forms.Form] | None = None, status: int = 200) -> HttpResponse:
    visit_forms = visit_forms or {}
    scheduled = selectors.visits().filter(status=PeriodicVisit.Status.SCHEDULED)
    context = {
        "schedule_form": schedule_form or ScheduleForm(initial={
            "scheduled_for": timezone.localdate() + datetime.timedelta(days=1), "month": timezone.localdate(),
        }),
        "scheduled": [
            {"visit": v,
             "record_form": visit_forms.get(("record", v.pk)) or VisitRecordForm(auto_id=f"visit-{v.pk}-%s"),
             "cancel_form": visit_forms.get(("cancel", v.pk)) or VisitCancelForm(auto_id=f"cancel-{v.pk}-%s")}
            for v in scheduled
        ],
        "done": list(selectors.visits().exclude(status=PeriodicVisit.Status.SCHEDULED).order_by("-scheduled_for", "-id")[:30]),
        "may_change": request.user.has_perm("followup.change_periodicvisit"),
        "may_schedule": request.user.has_perm("followup.add_periodicvisit"),
    }
    return render(request, "followup/visits.html", context, status=status)


@require_http_methods(["GET", "POST"])
@_roles_required(*VISIT_ROLES)
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
        _put_errors(form, exc)
        return _visits_page(request, schedule_form=form, status=exc.status_code)
    messages.success(request, _("%(n)d visits scheduled.") % {"n": len(made)})
    return redirect("visit-list")


def _visit_action(request: HttpRequest, pk: int, kind: str, form: forms.Form,
                  run: Callable[[dict[str, Any]], PeriodicVisit], done: str) -> HttpResponse:
    if not form.is_valid():
        return _visits_page(request, visit_forms={(kind, pk): form}, status=400)
    try:
        run(form.cleaned_data)
    except DomainError as exc:
        if exc.status_code == 404:
            raise Http404 from None
        _put_errors(form, exc)
        if exc.status_code == 409:
            messages.error(request, str(exc.message))
            return redirect("visit-list")
        return _visits_page(request, visit_forms={(kind, pk): form}, status=exc.status_code)
    messages.success(request, done)
    return redirect("visit-list")


@require_POST
@_roles_required(*VISIT_ROLES)
def visit_record(request: HttpRequest, pk: int) -> HttpResponse:
    return _visit_action(
        request, pk, "record", VisitRecordForm(request.POST, auto_id=f"visit-{pk}-%s"),
        lambda data: services.visit_record(actor=request.user, visit_id=pk, findings=data["findings"]),
        _("The visit is recorded."),
    )


@require_POST
@_roles_required(*VISIT_ROLES)
def visit_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    return _visit_action(
        request, pk, "cancel", VisitCancelForm(request.POST, auto_id=f"cancel-{pk}-%s"),
        lambda data: services.visit_cancel(actor=request.user, visit_id=pk, reason=data["reason"]),
        _("The visit is cancelled."),
    )
