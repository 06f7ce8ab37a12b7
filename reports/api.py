"""REST API of reports: statistics and their exports (`stats/`), the overdue
list and deadlines that screens mark red with, and subscriptions.

The order API (`workorders.api`) cannot carry the overdue flag itself:
workorders may not import reports (reports imports the domain apps). Screens
therefore ask `GET /api/v1/stats/overdue/` for the red list, or
`GET /api/v1/orders-deadlines/?ids=1,2,3` for the deadlines of the orders
they show.
"""

import datetime

from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from core.rest import ActionPermissions
from dispatch.models import Channel, Resident, ServiceItem, Worker
from reports import exports, selectors, services, stats
from reports.models import Subscription, SubscriptionHistory, SubscriptionOccurrence
from workorders.selectors import orders_visible_to

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


# --- Overdue and deadlines --------------------------------------------------------------------


class OverdueOrderSerializer(serializers.Serializer):
    """A row of `selectors.overdue_list`."""

    id = serializers.IntegerField(source="order_id")
    number = serializers.CharField()
    state = serializers.CharField()
    service = serializers.CharField()
    stage = serializers.CharField()
    due_at = serializers.DateTimeField()
    overdue_minutes = serializers.SerializerMethodField()
    levels = serializers.ListField(child=serializers.CharField())

    def get_overdue_minutes(self, row) -> int:
        return int((self.context["now"] - row["due_at"]).total_seconds() // 60)


class OverdueView(APIView):
    """Open orders past the deadline of their current stage (the red list,
    the 1000 most overdue), with the escalation levels alerted so far."""

    @extend_schema(responses={200: OpenApiTypes.OBJECT})
    def get(self, request):
        if not request.user.has_perm("workorders.view_all_workorders"):
            raise PermissionDenied()
        now = timezone.now()
        rows = selectors.overdue_list(now=now, limit=1000)
        return Response({"count": len(rows), "results": OverdueOrderSerializer(rows, many=True, context={"now": now}).data})


class OrderDeadlinesView(APIView):
    """Deadlines of the given orders (at most 200), computed now: `dispatch_by`,
    `start_by`, `followup_by`, the current `stage`, its `due_at` and `overdue`.
    Orders the caller may not see are left out."""

    @extend_schema(parameters=[OpenApiParameter("ids", str, required=True, description="Order ids, comma separated")],
                   responses={200: OpenApiTypes.OBJECT})
    def get(self, request):
        if not request.user.has_perm("workorders.view_workorder"):
            raise PermissionDenied()
        raw = [part.strip() for part in request.query_params.get("ids", "").split(",") if part.strip()]
        if not raw or not all(part.isdigit() for part in raw) or len(raw) > 200:
            raise ValidationError({"ids": [_("Give up to 200 order ids, comma separated.")]})
        visible = list(orders_visible_to(request.user).filter(pk__in=[int(p) for p in raw]).values_list("pk", flat=True))
        found = selectors.order_deadlines(order_ids=visible)
        return Response({str(order_id): data for order_id, data in found.items()})


# --- Subscriptions ---------------------------------------------------------------------------------


class SubscriptionHistorySerializer(serializers.ModelSerializer):
    actor = serializers.CharField(source="actor.username", default=None, read_only=True)

    class Meta:
        model = SubscriptionHistory
        fields = ["at", "actor", "action", "from_status", "to_status", "note"]


class OccurrenceSerializer(serializers.ModelSerializer):
    order_number = serializers.CharField(source="order.number", default=None, read_only=True)

    class Meta:
        model = SubscriptionOccurrence
        fields = ["occurs_at", "outcome", "order", "order_number", "reason"]


class SubscriptionSerializer(serializers.ModelSerializer):
    history = SubscriptionHistorySerializer(many=True, read_only=True)
    occurrences = OccurrenceSerializer(many=True, read_only=True)
    service_code = serializers.CharField(source="service.code", read_only=True)

    class Meta:
        model = Subscription
        fields = [
            "id", "resident", "service", "service_code", "rule", "starts_at", "ends_at", "preferred_worker",
            "notes", "status", "created_at", "history", "occurrences",
        ]
        read_only_fields = fields


class SubscriptionCreateSerializer(serializers.Serializer):
    resident = serializers.PrimaryKeyRelatedField(queryset=Resident.objects.all())
    service = serializers.PrimaryKeyRelatedField(queryset=ServiceItem.objects.all())
    rule = serializers.CharField(max_length=500)
    starts_at = serializers.DateTimeField()
    ends_at = serializers.DateTimeField(required=False, allow_null=True, default=None)
    preferred_worker = serializers.PrimaryKeyRelatedField(
        queryset=Worker.objects.all(), required=False, allow_null=True, default=None
    )
    notes = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)


class SubscriptionNoteSerializer(serializers.Serializer):
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)


def _move(name: str, run, summary: str):
    @extend_schema(request=SubscriptionNoteSerializer, responses={200: SubscriptionSerializer}, summary=summary)
    def endpoint(self, request, pk=None):
        subscription = self.get_object()
        data = SubscriptionNoteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        run(actor=request.user, subscription_id=subscription.pk, note=data.validated_data["note"])
        return Response(SubscriptionSerializer(self.get_queryset().get(pk=subscription.pk)).data)

    endpoint.__name__ = name
    return action(detail=True, methods=["post"], url_path=name)(endpoint)


class SubscriptionViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Recurring services. `?resident=`, `?status=` filter the list."""

    permission_classes = [ActionPermissions]
    action_permissions = {
        "create": ["reports.add_subscription"],
        "pause": ["reports.change_subscription"],
        "resume": ["reports.change_subscription"],
        "end": ["reports.change_subscription"],
        "*": ["reports.view_subscription"],
    }
    serializer_class = SubscriptionSerializer

    def get_queryset(self):
        rows = selectors.subscriptions()
        params = self.request.query_params
        if params.get("resident", "").isdigit():
            rows = rows.filter(resident_id=params["resident"])
        if params.get("status"):
            rows = rows.filter(status=params["status"])
        return rows

    @extend_schema(request=SubscriptionCreateSerializer, responses={201: SubscriptionSerializer})
    def create(self, request, *args, **kwargs):
        data = SubscriptionCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        subscription = services.subscription_create(actor=request.user, **data.validated_data)
        return Response(SubscriptionSerializer(self.get_queryset().get(pk=subscription.pk)).data, status=201)

    pause = _move("pause", services.subscription_pause, "Pause")
    resume = _move("resume", services.subscription_resume, "Resume")
    end = _move("end", services.subscription_end, "End")
