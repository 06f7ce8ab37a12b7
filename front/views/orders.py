"""A field worker's "my orders" with incident reports (procedure step 6), and
the page of one order: its history, prints, incidents and deadlines, and the
actions the user may take on it now."""

import datetime
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from core.errors import Conflict, DomainError, Forbidden
from core.forms import put_errors
from core.roles import has_role
from dispatch.models import PartnerUnit, ResidentAccess, Worker
from dispatch.services import resident_accesses_record
from front.navigation import DESK_ROLES, MY_ORDERS_ROLES
from front.views.desk import CollectForm
from printing.selectors import print_jobs_with_void
from sla.selectors import order_deadlines, overdue_orders
from workorders import selectors, services
from workorders.models import OPEN_STATES, TRANSITION_LABELS, FeeStatus, IncidentKind, State, WorkOrder

# --- Incidents and my orders ---------------------------------------------------------------


class IncidentForm(forms.Form):
    kind = forms.ChoiceField(
        label=gettext_lazy("What kind"), choices=IncidentKind.choices, initial=IncidentKind.PROBLEM,
        widget=forms.RadioSelect,
    )
    note = forms.CharField(
        label=gettext_lazy("What happened"), required=False, max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    could_not_serve = forms.BooleanField(label=gettext_lazy("I could not serve"), required=False)


def _incident_form(order: WorkOrder, data: Any = None) -> IncidentForm:
    return IncidentForm(data, prefix=f"incident-{order.pk}", auto_id="id_%s")


def _report_incident(request: HttpRequest, order: WorkOrder, form: IncidentForm) -> bool:
    """Run the incident service from a valid form; messages the outcome or
    puts the service's errors on the form. True when it was reported."""
    data = form.cleaned_data
    try:
        incident = services.incident_report(
            actor=request.user, order_id=order.pk, kind=data["kind"], note=data["note"],
            could_not_serve=data["could_not_serve"],
        )
    except DomainError as exc:
        put_errors(form, exc)
        return False
    at = timezone.localtime(incident.created_at).strftime("%H:%M")
    if incident.kind == IncidentKind.EMERGENCY:
        text = _("Emergency on %(number)s reported at %(time)s: the dispatch group and the supervisor have it now.")
    else:
        text = _("Problem on %(number)s reported at %(time)s: the dispatch group has it now.")
    messages.success(request, text % {"number": order.number, "time": at})
    return True


def _residents_read(request: HttpRequest, orders: list[WorkOrder]) -> None:
    residents = list({order.resident_id: order.resident for order in orders}.values())
    if residents:
        resident_accesses_record(actor=request.user, residents=residents, action=ResidentAccess.Action.VIEW)


def _my_orders_page(request: HttpRequest, *, failed: WorkOrder | None = None, failed_form: IncidentForm | None = None,
                    status: int = 200) -> HttpResponse:
    worker = selectors.worker_of(request.user)
    orders = selectors.my_orders(request.user) if worker is not None else []
    # The red marks of every screen (reports' scheduler), for these orders only.
    overdue = set(
        overdue_orders().filter(order_id__in=[o.pk for o in orders]).values_list("order_id", flat=True)
    ) if orders else set()
    today = timezone.localdate()
    rows = []
    for order in orders:
        when = order.requested_for or order.assigned_at
        rows.append({
            "order": order,
            "overdue": order.pk in overdue,
            "today": when is not None and timezone.localdate(when) == today,
            "phones": list(order.resident.phones.all()),
            "form": failed_form if failed is not None and failed.pk == order.pk else _incident_form(order),
        })
    _residents_read(request, orders)
    return render(request, "front/my_orders.html", {"worker": worker, "rows": rows}, status=status)


def _field_worker(request: HttpRequest) -> None:
    if not has_role(request.user, *MY_ORDERS_ROLES):
        raise PermissionDenied


@require_GET
@login_required
def my_orders(request: HttpRequest) -> HttpResponse:
    """A field worker's open orders on his phone, each with a way to report a
    problem on site."""
    _field_worker(request)
    return _my_orders_page(request)


@require_POST
@login_required
def my_orders_incident(request: HttpRequest, pk: int) -> HttpResponse:
    _field_worker(request)
    order = selectors.orders_visible_to(request.user).filter(pk=pk, worker__user=request.user).first()
    if order is None:
        raise Http404
    form = _incident_form(order, request.POST)
    if form.is_valid() and _report_incident(request, order, form):
        return redirect("my-orders")
    return _my_orders_page(request, failed=order, failed_form=form, status=400)


# --- the order page -------------------------------------------------------------------------


class NoteForm(forms.Form):
    note = forms.CharField(label=gettext_lazy("Note"), required=False, max_length=2000)


class ReasonForm(forms.Form):
    reason = forms.CharField(label=gettext_lazy("Reason"), max_length=255)


class AssignForm(forms.Form):
    worker = forms.ModelChoiceField(label=gettext_lazy("Worker"), queryset=Worker.objects.none(), required=False)
    partner = forms.ModelChoiceField(
        label=gettext_lazy("or partner unit"), queryset=PartnerUnit.objects.none(), required=False
    )
    note = forms.CharField(label=gettext_lazy("Note"), required=False, max_length=2000)

    def __init__(self, *args: Any, order: WorkOrder, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Offered: who may take it. The service checks again (skill, activity).
        workers = Worker.objects.filter(active=True)
        if order.service.required_skill_id is not None:
            workers = workers.filter(skills=order.service.required_skill_id)
        self.fields["worker"].queryset = workers
        self.fields["partner"].queryset = PartnerUnit.objects.filter(active=True, services=order.service_id)


class EmergencyStartForm(forms.Form):
    worker = forms.ModelChoiceField(label=gettext_lazy("Worker"), queryset=Worker.objects.filter(active=True))
    note = forms.CharField(label=gettext_lazy("Note"), required=False, max_length=2000)


def _id(value: Any) -> int | None:
    return value.pk if value is not None else None


# Each action the page offers: its form, and the one service call it makes.
ORDER_ACTIONS: dict[str, tuple[type[forms.Form], Any]] = {
    "request_approval": (NoteForm, lambda u, pk, d: services.order_request_approval(actor=u, order_id=pk, note=d["note"])),
    "approve": (NoteForm, lambda u, pk, d: services.order_approve(actor=u, order_id=pk, note=d["note"])),
    "reject": (ReasonForm, lambda u, pk, d: services.order_reject(actor=u, order_id=pk, reason=d["reason"])),
    "assign": (AssignForm, lambda u, pk, d: services.order_assign(
        actor=u, order_id=pk, worker_id=_id(d["worker"]), partner_id=_id(d["partner"]), note=d["note"])),
    "reassign": (AssignForm, lambda u, pk, d: services.order_reassign(
        actor=u, order_id=pk, worker_id=_id(d["worker"]), partner_id=_id(d["partner"]), note=d["note"])),
    "collect": (CollectForm, lambda u, pk, d: services.order_collect(
        actor=u, order_id=pk, note=_("Collected by %(name)s") % {"name": d["worker"].name})),
    "redispatch": (ReasonForm, lambda u, pk, d: services.order_redispatch(actor=u, order_id=pk, reason=d["reason"])),
    "emergency_start": (EmergencyStartForm, lambda u, pk, d: services.order_emergency_start(
        actor=u, order_id=pk, worker_id=d["worker"].pk, note=d["note"])),
    "cancel": (ReasonForm, lambda u, pk, d: services.order_cancel(actor=u, order_id=pk, reason=d["reason"])),
    "settle_fee": (NoteForm, lambda u, pk, d: services.order_settle_fee(actor=u, order_id=pk, note=d["note"])),
}
# Done on other screens: printing posts to the print API (the PDF opens), the
# return has the desk's form, follow-up transitions the follow-up screens'.
LINKED_ACTIONS = {"print", "return_order", "log_followup", "resolve", "close_unreachable"}
FOLLOWUP_ACTIONS = {"log_followup", "resolve", "close_unreachable"}


def _action_form(name: str, order: WorkOrder, data: Any = None) -> forms.Form:
    form_class = ORDER_ACTIONS[name][0]
    kwargs: dict[str, Any] = {"prefix": name, "auto_id": "id_%s"}
    if form_class is AssignForm:
        kwargs["order"] = order
    if form_class is CollectForm and data is None:
        kwargs["initial"] = {"worker": order.worker_id}
    return form_class(data, **kwargs)


def _page_actions(order: WorkOrder, user: Any) -> list[str]:
    names = selectors.order_available_transitions(order, user)
    if order.fee_status == FeeStatus.DUE and user.has_perm("workorders.settle_fee_workorder"):
        names.append("settle_fee")
    return names


def _url_or_none(name: str) -> str | None:
    try:
        return reverse(name)
    except NoReverseMatch:  # the follow-up screens are another issue's
        return None


def _visible_order(request: HttpRequest, pk: int) -> WorkOrder:
    # As the API: a role that reads no orders gets 403, an order the user
    # cannot see (another worker's) 404.
    if not request.user.has_perm("workorders.view_workorder"):
        raise PermissionDenied
    order = selectors.orders_visible_to(request.user).filter(pk=pk).first()
    if order is None:
        raise Http404
    return order


def _history_rows(order: WorkOrder) -> list[dict[str, Any]]:
    states = dict(State.choices)
    return [
        {
            "at": entry.at, "actor": entry.actor, "action": TRANSITION_LABELS.get(entry.transition, entry.transition),
            "from": states.get(entry.from_state, entry.from_state), "to": states.get(entry.to_state, entry.to_state),
            "note": entry.note, "channel": entry.channel,
        }
        for entry in order.history.select_related("actor").order_by("id")
    ]


def _print_rows(order: WorkOrder) -> list[dict[str, Any]]:
    return [
        {
            "job": job,
            "voided_by": TRANSITION_LABELS.get(job.voided_transition, job.voided_transition)
            if job.voided_by_id else None,
        }
        for job in print_jobs_with_void(order.pk)
    ]


def _deadlines(order: WorkOrder) -> dict[str, Any] | None:
    """The order's deadlines as times (the selector gives ISO text), with `overdue`."""
    data = order_deadlines(order_ids=[order.pk]).get(order.pk)
    if data is None or not any(data.get(k) for k in ("dispatch_by", "start_by", "followup_by", "due_at")):
        return None
    times = {k: datetime.datetime.fromisoformat(v) if v else None
             for k, v in data.items() if k in ("dispatch_by", "start_by", "followup_by", "due_at")}
    return {**times, "stage": data.get("stage"), "overdue": bool(data.get("overdue"))}


def _order_page(request: HttpRequest, order: WorkOrder, *, failed: str = "", failed_form: forms.Form | None = None,
                conflict: str = "", status: int = 200) -> HttpResponse:
    user = request.user
    names = _page_actions(order, user)
    followups_url = _url_or_none("followup-queue")
    actions = []
    for name in names:
        if name in ORDER_ACTIONS:
            form = failed_form if name == failed else _action_form(name, order)
            actions.append({"name": name, "label": TRANSITION_LABELS[name], "form": form})
        elif name == "print" or (name == "return_order" and has_role(user, *DESK_ROLES)):
            actions.append({"name": name, "label": TRANSITION_LABELS[name]})
        elif name in FOLLOWUP_ACTIONS and followups_url:
            actions.append({"name": name, "label": TRANSITION_LABELS[name], "url": followups_url})
    if order.paperwork_owed and user.has_perm("workorders.print_workorder") and "print" not in names:
        actions.insert(0, {"name": "print", "label": TRANSITION_LABELS["backfill_print"]})
    deadlines = _deadlines(order)
    may_report = user.has_perm("workorders.add_incident") and order.state in OPEN_STATES
    context = {
        "order": order,
        "history": _history_rows(order),
        "prints": _print_rows(order),
        "incidents": selectors.order_incidents(order.pk) if user.has_perm("workorders.view_incident") else None,
        "deadlines": deadlines,
        "overdue": bool(deadlines and deadlines["overdue"]),
        "actions": actions,
        "conflict": conflict,
        "phones": list(order.resident.phones.all()),
        "show_health_notes": user.has_perm("dispatch.view_health_notes"),
        "incident_form": (failed_form if failed == "incident" else _incident_form(order)) if may_report else None,
        "back_url": reverse("my-orders") if has_role(user, *MY_ORDERS_ROLES) else None,
    }
    _residents_read(request, [order])
    return render(request, "front/order_page.html", context, status=status)


@require_GET
@login_required
def order_page(request: HttpRequest, pk: int) -> HttpResponse:
    """Everything about one order, its history, prints and incidents, and the
    actions the user may take on it now."""
    return _order_page(request, _visible_order(request, pk))


@require_POST
@login_required
def order_action(request: HttpRequest, pk: int, name: str) -> HttpResponse:
    """Run one action from the order page through its service. Bad input: the
    page again with the errors by the fields (400); a conflict (someone was
    first, the state moved on): the page with the reason (409)."""
    order = _visible_order(request, pk)
    if name not in ORDER_ACTIONS:
        raise Http404
    form = _action_form(name, order, request.POST)
    if not form.is_valid():
        return _order_page(request, order, failed=name, failed_form=form, status=400)
    try:
        updated = ORDER_ACTIONS[name][1](request.user, order.pk, form.cleaned_data)
    except DomainError as exc:
        order = _visible_order(request, pk)
        if isinstance(exc, Conflict | Forbidden):
            status = 409 if isinstance(exc, Conflict) else 403
            return _order_page(request, order, conflict=str(exc.message), status=status)
        put_errors(form, exc)
        return _order_page(request, order, failed=name, failed_form=form, status=exc.status_code)
    messages.success(request, _("%(action)s: done. %(number)s is now %(state)s.") % {
        "action": TRANSITION_LABELS[name], "number": updated.number, "state": updated.get_state_display(),
    })
    return redirect("order-page", pk=pk)


@require_POST
@login_required
def order_incident(request: HttpRequest, pk: int) -> HttpResponse:
    """Report an incident from the order page (a dispatcher writing down what a
    worker phoned in, or the worker himself)."""
    order = _visible_order(request, pk)
    if not request.user.has_perm("workorders.add_incident"):
        raise PermissionDenied
    form = _incident_form(order, request.POST)
    if form.is_valid() and _report_incident(request, order, form):
        return redirect("order-page", pk=pk)
    return _order_page(request, order, failed="incident", failed_form=form, status=400)
