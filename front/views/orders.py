"""A field worker's "my orders" with incident reports (procedure step 6), and
the page of one order: its history, prints, incidents and deadlines, and the
actions the user may take on it now."""

import datetime
from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from core.actions import form_class, service_arguments
from core.errors import Conflict, DomainError, Forbidden
from core.forms import put_errors
from core.roles import has_role
from dispatch.models import PartnerUnit, ResidentAccess, Worker
from dispatch.services import resident_accesses_record
from front.navigation import DESK_ROLES, MY_ORDERS_ROLES
from printing.selectors import print_jobs_with_void
from printing.services import replaceable as printing_replaceable
from sla.selectors import order_deadlines, overdue_orders
from workorders import actions, selectors, services
from workorders.models import OPEN_STATES, IncidentKind, State, WorkOrder

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
            # Whom to call when the resident does not open or is unwell.
            "contacts": list(order.resident.emergency_contacts.all()),
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


def _options(order: WorkOrder) -> dict[str, Callable[[], list[tuple[int, str]]]]:
    """Who a form offers where an action's input names a worker or a partner
    (`style["options"]` in workorders.actions). The service checks again."""

    def workers(*, skilled: bool) -> list[tuple[int, str]]:
        found = Worker.objects.filter(active=True)
        if skilled and order.service.required_skill_id is not None:
            found = found.filter(skills=order.service.required_skill_id)
        return [(worker.pk, worker.name) for worker in found]

    return {
        "skilled_workers": lambda: workers(skilled=True),
        "active_workers": lambda: workers(skilled=False),
        "service_partners": lambda: [
            (partner.pk, partner.name)
            for partner in PartnerUnit.objects.filter(active=True, services=order.service_id)
        ],
    }


def _action_form(action: actions.OrderAction, order: WorkOrder, data: Any = None) -> forms.Form:
    providers = _options(order)
    options = {
        name: providers[field.style["options"]]()
        for name, field in action.input().fields.items() if "options" in field.style
    }
    # A worker collecting the order is named on the page (and on the desk's form).
    required = ["worker"] if action is actions.COLLECT else []
    initial = {"worker": order.worker_id} if action is actions.COLLECT and data is None else None
    form = form_class(action, options=options, required=required)
    return form(data, prefix=action.name, auto_id="id_%s", initial=initial)


def _page_actions(order: WorkOrder, user: Any) -> list[actions.OrderAction]:
    return [actions.ACTIONS[name] for name in actions.offered(order, user)]


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
            "at": entry.at, "actor": entry.actor, "action": actions.label(entry.transition),
            "from": states.get(entry.from_state, entry.from_state), "to": states.get(entry.to_state, entry.to_state),
            "note": entry.note, "channel": entry.channel,
        }
        for entry in order.history.select_related("actor").order_by("id")
    ]


def _print_rows(order: WorkOrder) -> list[dict[str, Any]]:
    # Void by what came first: a transition (reassigned, cancelled...) or a
    # reprint that replaced a lost or jammed copy.
    return [
        {
            "job": job,
            "replaced": job.replaced_first,
            "voided_by": actions.label(job.voided_transition) if job.voided_by_id else None,
        }
        for job in print_jobs_with_void(order.pk)
    ]


def _may_reprint(order: WorkOrder, user: Any) -> bool:
    """A lost or jammed copy can be printed again (with a reason) by those who
    print, once the order has paper out and owes none."""
    return user.has_perm(actions.PRINT_ORDER.permission) and not order.paperwork_owed and printing_replaceable(order)


def _may_see_contacts(order: WorkOrder, user: Any) -> bool:
    """The resident's emergency contacts: for the roles that read residents
    (desk, dispatch, supervisor) and for the worker at the door; not for
    finance, which reads orders for their fees."""
    return user.has_perm("dispatch.view_resident") or (order.worker is not None and order.worker.user_id == user.pk)


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
    offered = []
    for action in _page_actions(order, user):
        entry = {"name": action.name, "label": action.label}
        if action.screen == actions.FORM:
            entry["form"] = failed_form if action.name == failed else _action_form(action, order)
        elif action.screen == actions.DESK and not has_role(user, *DESK_ROLES):
            continue
        elif action.screen == actions.FOLLOWUP:
            entry["url"] = reverse("followup-queue")
        offered.append(entry)
    if order.paperwork_owed and user.has_perm(actions.PRINT_ORDER.permission) and not any(
        entry["name"] == actions.PRINT_ORDER.name for entry in offered
    ):
        offered.insert(0, {"name": actions.PRINT_ORDER.name, "label": actions.label("backfill_print")})
    deadlines = _deadlines(order)
    may_report = user.has_perm("workorders.add_incident") and order.state in OPEN_STATES
    context = {
        "order": order,
        "history": _history_rows(order),
        "prints": _print_rows(order),
        "incidents": selectors.order_incidents(order.pk) if user.has_perm("workorders.view_incident") else None,
        "deadlines": deadlines,
        "overdue": bool(deadlines and deadlines["overdue"]),
        "actions": offered,
        "may_reprint": _may_reprint(order, user),
        "conflict": conflict,
        "phones": list(order.resident.phones.all()),
        "contacts": list(order.resident.emergency_contacts.all()) if _may_see_contacts(order, user) else None,
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
    action = actions.ACTIONS.get(name)
    if action is None or action.screen != actions.FORM:
        raise Http404
    try:
        # The order's state before the input, as the API.
        if action.check is not None:
            action.check(order)
    except DomainError as exc:
        return _order_page(request, order, conflict=str(exc.message), status=exc.status_code)
    form = _action_form(action, order, request.POST)
    if not form.is_valid():
        return _order_page(request, order, failed=name, failed_form=form, status=400)
    try:
        updated = action.run(actor=request.user, target_id=order.pk, **service_arguments(action, form.cleaned_data))
    except DomainError as exc:
        order = _visible_order(request, pk)
        if isinstance(exc, Conflict | Forbidden):
            return _order_page(request, order, conflict=str(exc.message), status=exc.status_code)
        put_errors(form, exc)
        return _order_page(request, order, failed=name, failed_form=form, status=exc.status_code)
    messages.success(request, _("%(action)s: done. %(number)s is now %(state)s.") % {
        "action": action.label, "number": updated.number, "state": updated.get_state_display(),
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
