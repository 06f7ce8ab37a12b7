"""The front desk's print, hand-out and take-back desk (procedure steps 5
and 7).

Printing is the API's `POST /api/v1/orders/{id}/print/` (the printing app makes
the PDF); handing out and taking back are forms here that call one work order
service each. A scanner types the order number and Enter into the return box.
"""

import datetime
import re
from decimal import Decimal
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core.actions import form_class, service_arguments
from core.errors import DomainError
from core.forms import put_errors
from core.roles import has_role
from dispatch.models import Worker
from front.navigation import DESK_ROLES
from workorders import actions, selectors
from workorders.models import State, WorkOrder

# An order is "out longer than expected" this long after its service's
# expected duration: the way there and back, and some waiting at the door.
RETURN_ALLOWANCE = datetime.timedelta(minutes=60)


def _desk_role(request: HttpRequest) -> None:
    if not has_role(request.user, *DESK_ROLES):
        raise PermissionDenied


def _desk_order(request: HttpRequest, pk: int) -> WorkOrder:
    """The order at the desk: 403 for another role, 404 for an unknown one."""
    _desk_role(request)
    order = selectors.orders_visible_to(request.user).filter(pk=pk).first()
    if order is None:
        raise Http404
    return order


def _collect_form(order: WorkOrder, data: Any = None) -> forms.Form:
    workers = [(worker.pk, worker.name) for worker in Worker.objects.filter(active=True)]
    form = form_class(actions.COLLECT, options={"worker": workers}, required=["worker"])
    return form(data, initial={"worker": order.worker_id}, auto_id=f"collect-{order.pk}-%s")


def _out_too_long(order: WorkOrder, now: datetime.datetime) -> bool:
    started = order.collected_at or order.assigned_at
    if started is None:
        return False
    return now - started > datetime.timedelta(minutes=order.service.expected_minutes) + RETURN_ALLOWANCE


def _desk_page(request: HttpRequest, *, scan_error: str = "", scanned: str = "", status: int = 200) -> HttpResponse:
    queues = selectors.desk_queues(request.user)
    now = timezone.now()
    out = [{"order": o, "late": _out_too_long(o, now)} for o in queues["out"]]
    context = {
        "to_print": queues["to_print"],
        "to_collect": [{"order": o, "form": _collect_form(o)} for o in queues["to_collect"]],
        "out": out,
        "late_count": sum(1 for row in out if row["late"]),
        "scan_error": scan_error,
        "scanned": scanned,
    }
    return render(request, "front/desk.html", context, status=status)


@require_GET
@login_required
def desk(request: HttpRequest) -> HttpResponse:
    _desk_role(request)
    return _desk_page(request)


# What a person types for an order number: the whole number in any case
# ("wo-2026-000093"), or its short forms: the sequence with or without its
# zeros ("93", "000093"), with the year before it ("2026-93"), or with the
# prefix ("WO-2026-93"). Order numbers are prefix-year-sequence
# (workorders.services.order_create).
SHORT_NUMBER = re.compile(r"^(?:(?:[A-Za-z]{1,5}-)?(?P<year>\d{4})-)?0*(?P<sequence>[1-9]\d{0,8})$")
# An ambiguous short form lists this many of the orders it matches.
AMBIGUOUS_SHOWN = 5


def scanned_orders(user: Any, typed: str) -> list[WorkOrder]:
    """The orders the user may see that a scanned or typed number names: the
    one with that whole number, else those whose number ends in that sequence
    (and has that year, when given). One order: found; several: ambiguous."""
    typed = "".join(typed.split())
    exact = selectors.order_by_number(user, typed)
    if exact is not None:
        return [exact]
    short = SHORT_NUMBER.match(typed)
    if short is None:
        return []
    found = selectors.orders_visible_to(user).filter(number__endswith=f"-{int(short['sequence']):06d}")
    if short["year"]:
        found = found.filter(number__contains=f"-{short['year']}-")
    return list(found.order_by("-id")[:AMBIGUOUS_SHOWN + 1])


@require_GET
@login_required
def desk_scan(request: HttpRequest) -> HttpResponse:
    """The return box: the scanned number opens that order's return form. A
    short form of the number ("93", "000093", "2026-93") is enough when it
    names one order."""
    _desk_role(request)
    number = request.GET.get("number", "").strip()
    if not number:
        return _desk_page(request, scan_error=_("Scan or type an order number."), scanned=number, status=400)
    found = scanned_orders(request.user, number)
    if not found:
        message = _("No order has the number “%(number)s”.") % {"number": number}
        return _desk_page(request, scan_error=message, scanned=number, status=404)
    if len(found) > 1:
        shown = ", ".join(order.number for order in found[:AMBIGUOUS_SHOWN])
        message = _("“%(number)s” matches several orders (%(orders)s). Type the whole number, or the year and the number.") % {
            "number": number, "orders": shown + (", …" if len(found) > AMBIGUOUS_SHOWN else "")}
        return _desk_page(request, scan_error=message, scanned=number, status=400)
    order = found[0]
    if order.state != State.IN_SERVICE:
        message = _("Order %(number)s is %(state)s; only an order out with a worker can be taken back.") % {
            "number": order.number, "state": order.get_state_display()
        }
        return _desk_page(request, scan_error=message, scanned=number, status=409)
    return redirect("desk-return", pk=order.pk)


@require_POST
@login_required
def desk_collect(request: HttpRequest, pk: int) -> HttpResponse:
    """The worker signs for the printed order: who took it goes into the history."""
    order = _desk_order(request, pk)
    form = _collect_form(order, request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose the worker who takes the order."))
        return redirect("desk")
    try:
        order = actions.COLLECT.run(actor=request.user, target_id=pk, **service_arguments(actions.COLLECT, form.cleaned_data))
    except DomainError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("%(number)s handed out to %(name)s.") % {
            "number": order.number, "name": dict(form.fields["worker"].choices)[form.cleaned_data["worker"]],
        })
    return redirect("desk")


@require_http_methods(["GET", "POST"])
@login_required
def desk_return(request: HttpRequest, pk: int) -> HttpResponse:
    """Take back the filled-in order: actual times, fee, materials, remarks.
    The form offers the collection and now; the service holds the times
    between them (workorders.services.order_return) and its field errors
    show by the fields."""
    order = _desk_order(request, pk)
    return_form = form_class(actions.RETURN_ORDER)
    if request.method == "POST":
        form = return_form(request.POST)
        if form.is_valid():
            try:
                order = actions.RETURN_ORDER.run(
                    actor=request.user, target_id=order.pk, **service_arguments(actions.RETURN_ORDER, form.cleaned_data)
                )
            except DomainError as exc:
                put_errors(form, exc)
            else:
                messages.success(request, _("%(number)s taken back.") % {"number": order.number})
                return redirect("desk")
    else:
        now = timezone.localtime()
        start = timezone.localtime(order.collected_at) if order.collected_at else now
        # The form counts in minutes: the end is now rounded up, so an order
        # taken back in the minute it went out still ends after it starts
        # (and "now" lies within the return's grace).
        end = (now + datetime.timedelta(minutes=1)).replace(second=0, microsecond=0)
        form = return_form(initial={
            "actual_start": start,
            "actual_end": end,
            # The price when the request was taken, as the paper says.
            "fee": order.expected_fee if order.expected_fee is not None
            else (order.service.price if order.service.chargeable else Decimal("0")),
        })
    return render(request, "front/desk_return.html", {"order": order, "form": form})


