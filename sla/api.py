"""REST API of the service levels: the overdue list and the deadlines that
screens mark red with (`GET /api/v1/stats/overdue/`, and
`GET /api/v1/orders-deadlines/?ids=1,2,3` for the orders a screen shows)."""

from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from sla import selectors
from workorders.selectors import orders_visible_to


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
