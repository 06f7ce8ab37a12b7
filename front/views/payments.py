"""Finance's payments list (procedure step 7: chargeable services are paid at
finance): the returned orders whose fee is due or paid, oldest return first,
filtered by month of return, with a "Confirm paid" step per due order: a
page that shows the fee and asks for the receipt's number. A payment
confirmed by mistake is undone from the list within settings.FEE_UNDO_MINUTES.

Confirming calls `services.order_settle_fee`, undoing `order_unsettle_fee`,
which decide who may (finance's `settle_fee_workorder`); a supervisor reads
the list but is refused the confirmation and its POST, as in the API (403). One page holds at most
`PAGE_SIZE` orders and costs the same few queries however many a month has.
"""

import datetime
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import QuerySet, Sum
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core.actions import form_class, service_arguments
from core.errors import Conflict, Forbidden, InvalidInput, NotFound
from core.forms import put_errors
from core.roles import roles_required
from dispatch.models import ResidentAccess
from dispatch.services import resident_accesses_record
from front.navigation import PAYMENTS_ROLES
from workorders import actions, selectors, services
from workorders.models import FeeStatus, WorkOrder

PAGE_SIZE = 100
CENT = Decimal("0.01")
# The list's two piles; an order without a fee never needs finance.
LISTED = [FeeStatus.DUE, FeeStatus.PAID]


class PaymentFilter(forms.Form):
    """The list's filters, read from the query string (a link can be kept)."""

    status = forms.ChoiceField(
        label=gettext_lazy("Fee"), required=False,
        choices=[(s.value, s.label) for s in LISTED],
    )
    # Years 1000-2999: a month whose bounds a datetime can hold.
    month = forms.RegexField(label=gettext_lazy("Returned in"), required=False, regex=r"^[12]\d{3}-(0[1-9]|1[0-2])$")

    def values(self) -> tuple[str, str]:
        """The status and month asked for; due and every month for a filter
        unset or invalid (the other one still applies)."""
        self.is_valid()  # cleaned_data keeps the fields that are valid
        return self.cleaned_data.get("status") or FeeStatus.DUE, self.cleaned_data.get("month") or ""


def _month_bounds(month: str) -> tuple[datetime.datetime, datetime.datetime]:
    """The month's first moment and the next month's, in the local time zone:
    "returned in November" is the desk's November, not UTC's."""
    year, number = (int(part) for part in month.split("-"))
    start = datetime.datetime(year, number, 1)
    end = datetime.datetime(year + number // 12, number % 12 + 1, 1)
    return timezone.make_aware(start), timezone.make_aware(end)


def _payments(user: AbstractBaseUser, status: str, month: str) -> QuerySet[WorkOrder]:
    orders = (
        selectors.orders_visible_to(user)
        .filter(fee_status=status, returned_at__isnull=False)
        .select_related("fee_paid_by")
        .order_by("returned_at", "id")
    )
    if month:
        start, end = _month_bounds(month)
        orders = orders.filter(returned_at__gte=start, returned_at__lt=end)
    return orders


def _months(user: AbstractBaseUser, chosen: str) -> list[str]:
    """The months with an order to list, newest first, as YYYY-MM; the chosen
    one too, even if it has none (a kept link)."""
    found = {
        timezone.localtime(at).strftime("%Y-%m")
        for at in selectors.orders_visible_to(user).filter(fee_status__in=LISTED)
        .datetimes("returned_at", "month")
    }
    if chosen:
        found.add(chosen)
    return sorted(found, reverse=True)


def _just_confirmed(user: AbstractBaseUser, since: datetime.datetime) -> list[WorkOrder]:
    """The payments this user confirmed since `since`, newest first: what an
    undo may still take back. Numbers and receipts only, no resident."""
    return list(
        selectors.orders_visible_to(user)
        .filter(fee_status=FeeStatus.PAID, fee_paid_by=user, fee_paid_at__gte=since)
        .order_by("-fee_paid_at", "-id")[:PAGE_SIZE]
    )


def _list_url(status: str, month: str, page: str = "") -> str:
    query = {key: value for key, value in (("status", status), ("month", month), ("page", page)) if value}
    return reverse("payments") + (f"?{urlencode(query)}" if query else "")


@require_GET
@roles_required(*PAYMENTS_ROLES)
def payments(request: HttpRequest) -> HttpResponse:
    """The orders whose fee is due (or paid), a page at a time, with their total."""
    filters = PaymentFilter(request.GET)
    status, month = filters.values()
    orders = _payments(request.user, status, month)
    # To the cent on every database (SQLite sums decimals without their places).
    total = (orders.aggregate(total=Sum("fee"))["total"] or Decimal(0)).quantize(CENT)
    page = Paginator(orders, PAGE_SIZE).get_page(request.GET.get("page"))
    may_undo = request.user.has_perm(actions.UNSETTLE_FEE.permission)
    undo_since = timezone.now() - datetime.timedelta(minutes=settings.FEE_UNDO_MINUTES)
    context = {
        "filters": filters,
        "status": status,
        "month": month,
        "months": _months(request.user, month),
        "statuses": LISTED,
        "page": page,
        "total": total,
        "may_settle": request.user.has_perm(actions.SETTLE_FEE.permission) and status == FeeStatus.DUE,
        # Confirmed by mistake a moment ago: undone from the list it was confirmed on.
        "undo_since": undo_since if may_undo else None,
        "just_confirmed": _just_confirmed(request.user, undo_since) if may_undo and status == FeeStatus.DUE else [],
        "undo_minutes": settings.FEE_UNDO_MINUTES,
        "previous_url": _list_url(status, month, str(page.previous_page_number())) if page.has_previous() else None,
        "next_url": _list_url(status, month, str(page.next_page_number())) if page.has_next() else None,
    }
    # The list names each order's resident: found in a search, for the access log.
    resident_accesses_record(actor=request.user, residents=[order.resident for order in page],
                             action=ResidentAccess.Action.SEARCH)
    return render(request, "front/payments.html", context)


def _back(request: HttpRequest) -> str:
    """The list the form was on (its filters and page); the due list otherwise."""
    filters = PaymentFilter(request.POST)
    status, month = filters.values()
    page = request.POST.get("page", "")
    return _list_url(status, month, page if page.isdigit() else "")


def _conflict_sentence(order_id: int, exc: Conflict) -> str:
    """Why it could not be confirmed, in a sentence: who was first, or the
    service's own reason (no fee on the order)."""
    order = WorkOrder.objects.select_related("fee_paid_by").filter(pk=order_id).first()
    if order is not None and order.fee_status == FeeStatus.PAID and order.fee_paid_by is not None:
        return _("%(number)s was already confirmed paid by %(user)s at %(time)s; nothing was changed.") % {
            "number": order.number,
            "user": order.fee_paid_by.get_username(),
            "time": timezone.localtime(order.fee_paid_at).strftime("%Y-%m-%d %H:%M"),
        }
    return str(exc.message)


def _settle_form(data: Any = None) -> forms.Form:
    form = form_class(actions.SETTLE_FEE)(data, prefix="settle")
    # The one thing to type: the cursor waits in it, and a bad one is marked.
    form.fields["receipt"].widget.attrs.update({"autofocus": True, "autocomplete": "off", "spellcheck": "false"})
    return form


def _due_order(request: HttpRequest, pk: int) -> WorkOrder:
    order = (
        selectors.orders_visible_to(request.user)
        .select_related("resident", "service", "worker", "partner")
        .filter(pk=pk).first()
    )
    if order is None:
        raise Http404(_("No such work order."))
    return order


@require_http_methods(["GET", "POST"])
@roles_required(*PAYMENTS_ROLES)
def payments_settle(request: HttpRequest, pk: int) -> HttpResponse:
    """Confirm one order's fee paid in two steps: the page shows the order and
    its fee and asks for the receipt's number; its POST settles through the
    service, then back to the list with what happened (and an undo for the
    next minutes). A missing or bad receipt number: the page again with the
    error by the field (400); a conflict is a sentence on the list."""
    if not request.user.has_perm(actions.SETTLE_FEE.permission):
        # The supervisor reads the list; the confirmation is finance's.
        raise PermissionDenied(_("Only finance confirms payments."))
    order = _due_order(request, pk)
    params = request.POST if request.method == "POST" else request.GET
    status, month = PaymentFilter(params).values()
    page = params.get("page", "")
    back = _list_url(status, month, page if page.isdigit() else "")
    try:
        actions.fee_due(order)
    except Conflict as exc:
        messages.error(request, _conflict_sentence(pk, exc))
        return redirect(back)
    form, code = _settle_form(), 200
    if request.method == "POST":
        form = _settle_form(request.POST)
        if form.is_valid():
            try:
                order = services.order_settle_fee(
                    actor=request.user, order_id=pk, **service_arguments(actions.SETTLE_FEE, form.cleaned_data))
            except Forbidden as exc:
                raise PermissionDenied(str(exc.message)) from exc
            except NotFound as exc:
                raise Http404(str(exc.message)) from exc
            except Conflict as exc:
                messages.error(request, _conflict_sentence(pk, exc))
                return redirect(back)
            except InvalidInput as exc:
                put_errors(form, exc)
            else:
                minutes = settings.FEE_UNDO_MINUTES
                messages.success(request, ngettext(
                    "Fee of %(fee)s for %(number)s confirmed paid, receipt %(receipt)s. "
                    "You can undo it for a minute.",
                    "Fee of %(fee)s for %(number)s confirmed paid, receipt %(receipt)s. "
                    "You can undo it for %(minutes)d minutes.",
                    minutes,
                ) % {
                    "fee": formats.localize(order.fee), "number": order.number, "receipt": order.fee_receipt,
                    "minutes": minutes,
                })
                return redirect(back)
        code = 400
        if form.errors.get("receipt"):
            form.fields["receipt"].widget.attrs["aria-invalid"] = "true"
    # The page names the resident: opened on purpose, for the access log.
    resident_accesses_record(actor=request.user, residents=[order.resident], action=ResidentAccess.Action.VIEW)
    context = {"order": order, "form": form, "status": status, "month": month, "page": page, "back": back,
               "undo_minutes": settings.FEE_UNDO_MINUTES}
    return render(request, "front/payments_confirm.html", context, status=code)


@require_POST
@roles_required(*PAYMENTS_ROLES)
def payments_undo(request: HttpRequest, pk: int) -> HttpResponse:
    """Undo a payment confirmed a moment ago through the service (within
    settings.FEE_UNDO_MINUTES); back to the list the form was on."""
    try:
        order = services.order_unsettle_fee(actor=request.user, order_id=pk)
    except Forbidden as exc:
        raise PermissionDenied(str(exc.message)) from exc
    except NotFound as exc:
        raise Http404(str(exc.message)) from exc
    except Conflict as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("Payment for %(number)s undone: its fee of %(fee)s is due again.") % {
            "fee": formats.localize(order.fee), "number": order.number,
        })
    return redirect(_back(request))
