"""REST API of reports: the statistics and their exports (`stats/`)."""

import datetime

from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from dispatch.models import Channel
from reports import exports, stats

# --- Statistics -----------------------------------------------------------------------------

STAT_PARAMETERS = [
    OpenApiParameter("from", OpenApiTypes.DATE, description="First day (local), default: 30 days ago"),
    OpenApiParameter("to", OpenApiTypes.DATE, description="Last day (local, inclusive), default: today"),
    OpenApiParameter("area", int),
    OpenApiParameter("service", int),
    OpenApiParameter("worker", int),
    OpenApiParameter("partner", int),
    OpenApiParameter("channel", str, enum=Channel.values),
]


class StatsFilterSerializer(serializers.Serializer):
    area = serializers.IntegerField(required=False, min_value=1)
    service = serializers.IntegerField(required=False, min_value=1)
    worker = serializers.IntegerField(required=False, min_value=1)
    partner = serializers.IntegerField(required=False, min_value=1)
    channel = serializers.ChoiceField(choices=Channel.choices, required=False)


def _filters(request) -> stats.Filters:
    params = request.query_params
    data = {key: params[key] for key in ("area", "service", "worker", "partner", "channel") if params.get(key)}
    fields = StatsFilterSerializer(data=data)
    fields.is_valid(raise_exception=True)
    today = timezone.localdate()
    days = {}
    for key, default in (("from", today - datetime.timedelta(days=30)), ("to", today)):
        raw = params.get(key)
        if not raw:
            days[key] = default
            continue
        try:
            days[key] = datetime.date.fromisoformat(raw)
        except ValueError:
            raise ValidationError({key: [_("Give a date as YYYY-MM-DD.")]}) from None
    if days["to"] < days["from"]:
        raise ValidationError({"to": [_("The end is before the start.")]})
    if (days["to"] - days["from"]).days > 3 * 366:
        raise ValidationError({"to": [_("Choose a period of at most three years.")]})
    return stats.Filters(first_day=days["from"], last_day=days["to"], **fields.validated_data)


def _sections(user) -> tuple[bool, bool]:
    with_service = user.has_perm("reports.view_statistics")
    with_fees = user.has_perm("reports.view_fee_statistics")
    if not (with_service or with_fees):
        raise PermissionDenied()
    return with_service, with_fees


class StatisticsView(APIView):
    """Every figure for the period and filters. Service figures for leads and
    supervisors, fee figures for finance and supervisors. Service sections:
    `intakes`, `orders_by_state`, `response_times`, `compliance`,
    `satisfaction`, `escalations`, `weekly_orders`, `weekly_intakes` (requests
    per week by outcome and `total`), `overdue_now` (per stage) and
    `overdue_by_level` (the same orders by the escalation level reached:
    `dispatcher`, `dispatch_lead`, `supervisor`)."""

    @extend_schema(parameters=STAT_PARAMETERS, responses={200: OpenApiTypes.OBJECT})
    def get(self, request):
        with_service, with_fees = _sections(request.user)
        return Response(stats.statistics(_filters(request), with_service=with_service, with_fees=with_fees))


class StatisticsExportView(APIView):
    """The same figures as a file: `csv` (one long table) or `xlsx` (a sheet per table)."""

    @extend_schema(parameters=STAT_PARAMETERS, responses={(200, "text/csv"): OpenApiTypes.BINARY,
                                                          (200, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"): OpenApiTypes.BINARY})
    def get(self, request, kind: str):
        with_service, with_fees = _sections(request.user)
        f = _filters(request)
        figures = stats.statistics(f, with_service=with_service, with_fees=with_fees)
        name = f"statistics-{f.first_day}-{f.last_day}.{kind}"
        if kind == "csv":
            response = HttpResponse(exports.as_csv(figures), content_type="text/csv; charset=utf-8")
        else:
            response = HttpResponse(
                exports.as_xlsx(figures),
                content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            )
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response
