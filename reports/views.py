"""The reports' screens: the statistics page (`/stats/`) and the monthly
report PDF (`GET /api/v1/stats/monthly.pdf?month=YYYY-MM`).

Both read the figures from `reports.stats.statistics` for one period and
filter, and show the sections the reader's permissions allow: the service
figures with `reports.view_statistics`, the fees with
`reports.view_fee_statistics`. Nothing here changes data.
"""

import calendar
import datetime
from typing import Any
from urllib.parse import urlencode

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.exceptions import ValidationError
from rest_framework.views import APIView

from dispatch.models import Channel, PartnerUnit, ServiceArea, ServiceItem, Worker
from printing.api import LanguageSerializer
from printing.models import PrintLanguage
from reports import charts, monthly, stats
from reports.api import STAT_PARAMETERS, StatsFilterSerializer

# The API's limit too: a longer period is a job for the exports, not a page.
LONGEST_PERIOD_DAYS = 3 * 366
FILTER_NAMES = ("area", "service", "worker", "partner", "channel")


def _sections_of(user) -> tuple[bool, bool]:
    """Which sections the user reads: (service figures, fee figures). Django's
    PermissionDenied: a 403 page here, a 403 JSON answer under DRF."""
    with_service = user.has_perm("reports.view_statistics")
    with_fees = user.has_perm("reports.view_fee_statistics")
    if not (with_service or with_fees):
        raise PermissionDenied
    return with_service, with_fees


def month_days(first: datetime.date) -> tuple[datetime.date, datetime.date]:
    """The first and last day of `first`'s month."""
    start = first.replace(day=1)
    return start, start.replace(day=calendar.monthrange(start.year, start.month)[1])


def period_days(period: str, today: datetime.date) -> tuple[datetime.date, datetime.date]:
    """This week (Monday to Sunday), this month or last month around `today`."""
    if period == "this_week":
        monday = today - datetime.timedelta(days=today.weekday())
        return monday, monday + datetime.timedelta(days=6)
    if period == "last_month":
        return month_days(today.replace(day=1) - datetime.timedelta(days=1))
    return month_days(today)


class StatisticsForm(forms.Form):
    """The period and filters of the page, read from the query string with
    the API's names (`from`, `to`, `area`...), so the export links carry the
    same query."""

    PERIODS = [
        ("this_week", gettext_lazy("This week")),
        ("this_month", gettext_lazy("This month")),
        ("last_month", gettext_lazy("Last month")),
        ("custom", gettext_lazy("From … to …")),
    ]

    period = forms.ChoiceField(label=gettext_lazy("Period"), choices=PERIODS, initial="this_month",
                               widget=forms.RadioSelect)
    area = forms.ModelChoiceField(ServiceArea.objects.order_by("name"), required=False,
                                  label=gettext_lazy("Area"), empty_label=gettext_lazy("All areas"))
    service = forms.ModelChoiceField(ServiceItem.objects.order_by("code"), required=False,
                                     label=gettext_lazy("Service"), empty_label=gettext_lazy("All services"))
    worker = forms.ModelChoiceField(Worker.objects.order_by("name"), required=False,
                                    label=gettext_lazy("Worker"), empty_label=gettext_lazy("All workers"))
    partner = forms.ModelChoiceField(PartnerUnit.objects.order_by("name"), required=False,
                                     label=gettext_lazy("Partner unit"), empty_label=gettext_lazy("All partner units"))
    channel = forms.ChoiceField(required=False, label=gettext_lazy("Channel"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # "from" is a Python keyword: these two are added by name.
        date_input = {"type": "date"}
        self.fields["from"] = forms.DateField(label=_("From"), required=False,
                                              widget=forms.DateInput(attrs=date_input, format="%Y-%m-%d"))
        self.fields["to"] = forms.DateField(label=_("To (inclusive)"), required=False,
                                            widget=forms.DateInput(attrs=date_input, format="%Y-%m-%d"))
        self.fields["channel"].choices = [("", _("All channels")), *Channel.choices]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        period = data.get("period")
        if period == "custom":
            for name in ("from", "to"):
                if data.get(name) is None and name not in self.errors:
                    self.add_error(name, _("Give a date."))
            if self.errors:
                return data
            first, last = data["from"], data["to"]
            if last < first:
                self.add_error("to", _("The end is before the start."))
            elif (last - first).days > LONGEST_PERIOD_DAYS:
                self.add_error("to", _("Choose a period of at most three years."))
        elif period:
            first, last = period_days(period, timezone.localdate())
        else:
            return data
        data["first_day"], data["last_day"] = first, last
        return data

    def is_valid(self) -> bool:
        valid = super().is_valid()
        for name in self.errors:
            if name in self.fields:
                # Read out with the field: its message is the paragraph under it.
                self.fields[name].widget.attrs.update(
                    {"aria-invalid": "true", "aria-describedby": f"{self[name].auto_id}-error"}
                )
        return valid

    def filters(self) -> stats.Filters:
        data = self.cleaned_data
        chosen = {name: getattr(data[name], "pk", data[name]) for name in FILTER_NAMES if data.get(name)}
        return stats.Filters(first_day=data["first_day"], last_day=data["last_day"], **chosen)


def filter_names(f: stats.Filters) -> list[tuple[str, str]]:
    """The filters in force as (what, which) in words, for headings."""
    out = []
    for label, model, value in (
        (_("Area"), ServiceArea, f.area), (_("Service"), ServiceItem, f.service), (_("Worker"), Worker, f.worker),
        (_("Partner unit"), PartnerUnit, f.partner),
    ):
        if value is not None:
            out.append((label, str(model.objects.filter(pk=value).values_list("name", flat=True).first() or value)))
    if f.channel:
        out.append((_("Channel"), str(dict(Channel.choices).get(f.channel, f.channel))))
    return out


def _filter_params(f: stats.Filters) -> dict[str, Any]:
    """The filters in force as the API's query parameters."""
    return {name: getattr(f, name) for name in FILTER_NAMES if getattr(f, name) is not None}


@login_required
@require_GET
def statistics_page(request: HttpRequest) -> HttpResponse:
    """The period and filter form, the charts and their tables, links to the
    exports and the monthly PDF. 400 with the errors beside the fields when
    the form is wrong."""
    with_service, with_fees = _sections_of(request.user)
    data = request.GET.copy()
    data.setdefault("period", "this_month")
    form = StatisticsForm(data)
    if not form.is_valid():
        return render(request, "reports/statistics.html", {"form": form, "sections": []}, status=400)
    f = form.filters()
    figures = stats.statistics(f, with_service=with_service, with_fees=with_fees)
    # svg() escapes every text it writes.
    drawn = {chart.key: mark_safe(charts.svg(chart)) for chart in charts.charts(figures)}
    sections = [{"table": table, "chart": drawn.get(table.key)} for table in charts.tables(figures)]
    query = urlencode({"from": f.first_day.isoformat(), "to": f.last_day.isoformat(), **_filter_params(f)})
    # The month the period starts in: the whole of it, with the same filters.
    month = f.first_day.strftime("%Y-%m")
    context = {
        "form": form,
        "filters": f,
        "filter_names": filter_names(f),
        "sections": sections,
        "csv_url": reverse("stats-export", kwargs={"kind": "csv"}) + "?" + query,
        "xlsx_url": reverse("stats-export", kwargs={"kind": "xlsx"}) + "?" + query,
        "monthly_url": reverse("stats-monthly-pdf") + "?" + urlencode({"month": month, **_filter_params(f)}),
        "month": month,
    }
    return render(request, "reports/statistics.html", context)


# --- the monthly report PDF ---------------------------------------------------------------------


def _month(raw: str | None) -> datetime.date:
    """The first day of the month `YYYY-MM`; without one, last month."""
    if not raw:
        return month_days(timezone.localdate().replace(day=1) - datetime.timedelta(days=1))[0]
    try:
        first = datetime.date.fromisoformat(f"{raw}-01")
    except ValueError:
        raise ValidationError({"month": [_("Give a month as YYYY-MM.")]}) from None
    if not 2000 <= first.year <= 2999:
        raise ValidationError({"month": [_("Give a month between the years 2000 and 2999.")]})
    return first


class MonthlyReportView(APIView):
    """The month's figures and charts as a PDF in the reader's language (as
    the printed orders: `?language=`, else the request's). Service figures
    for leads and supervisors, fee figures for finance and supervisors."""

    @extend_schema(
        parameters=[
            OpenApiParameter("month", str, description="YYYY-MM; default: last month"),
            OpenApiParameter("language", str, enum=PrintLanguage.values, required=False),
            *[p for p in STAT_PARAMETERS if p.name not in ("from", "to")],
        ],
        responses={(200, "application/pdf"): OpenApiTypes.BINARY},
    )
    def get(self, request):
        with_service, with_fees = _sections_of(request.user)
        params = request.query_params
        first = _month(params.get("month"))
        fields = StatsFilterSerializer(data={key: params[key] for key in FILTER_NAMES if params.get(key)})
        fields.is_valid(raise_exception=True)
        choice = LanguageSerializer(data={"language": params["language"]} if params.get("language") else {})
        choice.is_valid(raise_exception=True)
        language = choice.validated_language()
        first, last = month_days(first)
        f = stats.Filters(first_day=first, last_day=last, **fields.validated_data)
        figures = stats.statistics(f, with_service=with_service, with_fees=with_fees)
        with translation.override(language):
            named = filter_names(f)
        pdf = monthly.render_monthly(
            figures=figures, month=first, language=language, filters=named, printed_by=request.user.get_username(),
        )
        response = HttpResponse(pdf, content_type="application/pdf")
        response["Content-Disposition"] = f'inline; filename="monthly-report-{first:%Y-%m}.pdf"'
        return response
