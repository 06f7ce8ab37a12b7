"""The callback queue and one call at a time (the front desk): the call
screen, and the page that says what the call did to the order."""

import urllib.parse
from typing import Any

from django import forms
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from core.errors import DomainError
from core.forms import put_errors
from core.roles import has_role, roles_required
from dispatch.roles import INTAKE_ROLES
from followup import selectors, services
from followup.models import CallResult, FollowUpCall
from followup.roles import FOLLOWUP_ROLES
from followup.views.common import SEARCH, VIEW, YES_NO, residents_read
from workorders.models import State, WorkOrder


@require_GET
@roles_required(*FOLLOWUP_ROLES)
def followup_queue(request: HttpRequest) -> HttpResponse:
    entries = selectors.followup_queue()
    context = {
        "entries": entries,
        "overdue_count": sum(1 for e in entries if e.is_overdue),
        "due_count": sum(1 for e in entries if e.is_due),
        "now": timezone.now(),
    }
    residents_read(request, (entry.order.resident for entry in entries), SEARCH)
    return render(request, "followup/queue.html", context)


class CallForm(forms.Form):
    """Parsing only: which answers a result needs is the service's rule."""

    # The attempt the caller is making, as the page showed it: a call someone
    # else logged meanwhile turns this one into a conflict, not a second attempt.
    attempt = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)

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
    residents_read(request, [order.resident], VIEW)
    return render(request, "followup/call.html", context, status=status)


def _not_waiting(request: HttpRequest, order: WorkOrder, *, message: str = "", status: int = 409) -> HttpResponse:
    latest = selectors.calls().filter(order=order).order_by("-called_at", "-id").first()
    context = {"order": order, "message": message, "latest": latest}
    return render(request, "followup/not_waiting.html", context, status=status)


@require_http_methods(["GET", "POST"])
@roles_required(*FOLLOWUP_ROLES)
def followup_call(request: HttpRequest, pk: int) -> HttpResponse:
    """One returned order's call: phone, service, worker, the script, and the
    form the caller fills in while talking."""
    entry = selectors.followup_queue_entry(order_id=pk)
    order = entry.order if entry else _order_or_404(pk)
    if request.method == "GET":
        if entry is None:
            return _not_waiting(request, order)
        return _call_page(request, order, entry, CallForm(initial={"attempt": entry.failed_attempts + 1}))
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
        put_errors(form, exc)
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


# Enough for what a caller says they need; a longer text is cut so that the
# link stays well inside what browsers and proxies take (Chinese text is
# nine bytes a character once escaped). The call itself keeps all of it.
NEED_IN_LINK = 500


def _new_request_url(request: HttpRequest, call: FollowUpCall) -> str | None:
    """The intake for the resident who needs something else, with what they
    need already in its notes; None when there is no need or the user does
    not take requests."""
    if not call.needs_more or not has_role(request.user, *INTAKE_ROLES):
        return None
    query = {"resident": call.order.resident_id, "notes": call.needs_more_what[:NEED_IN_LINK]}
    return reverse("intake") + "?" + urllib.parse.urlencode(query)


@require_GET
@roles_required(*FOLLOWUP_ROLES)
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
        "new_request_url": _new_request_url(request, call),
        "next_entry": next((e for e in selectors.followup_queue(due_only=True)), None),
    }
    residents_read(request, [call.order.resident], VIEW)
    return render(request, "followup/call_result.html", context)
