"""Spot checks (the supervisor's): draw a reproducible sample of calls,
re-check each one, and see the mismatches found."""

import datetime

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core.errors import DomainError
from core.forms import put_errors
from core.roles import roles_required
from followup import selectors, services
from followup.models import SpotCheckItem
from followup.roles import SPOT_CHECK_ROLES
from followup.views.common import SEARCH, VIEW, YES_NO, residents_read


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
        "mismatches": list(selectors.spot_check_mismatches().select_related("call__order__resident")[:50]),
    }
    residents_read(request, (item.call.order.resident for item in context["mismatches"]), SEARCH)
    return render(request, "followup/spot_checks.html", context, status=status)


@require_http_methods(["GET", "POST"])
@roles_required(*SPOT_CHECK_ROLES)
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
        put_errors(form, exc)
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
    residents_read(request, (item.call.order.resident for item in check.items.all()), VIEW)
    return render(request, "followup/spot_check.html", context, status=status)


@require_GET
@roles_required(*SPOT_CHECK_ROLES)
def spot_check_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _spot_check_page(request, pk)


@require_POST
@roles_required(*SPOT_CHECK_ROLES)
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
        put_errors(form, exc)
        return _spot_check_page(request, pk, forms_by_item={item_pk: form}, status=exc.status_code)
    messages.success(request, _("The re-check is recorded."))
    return redirect(reverse("spot-check-detail", kwargs={"pk": pk}) + f"#item-{item_pk}")
