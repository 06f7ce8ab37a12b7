"""REST API of work orders: create, read, and one POST endpoint per action of
workorders.actions (DESIGN.md section 7). Views validate input, call one
service, serialize."""

from django.db.models import Prefetch, prefetch_related_objects
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response

from core.actions import with_endpoints
from core.rest import ActionPermissions, DateTimeInput, FieldsBuiltOnce, IdRelatedField, query_id
from dispatch.api import RecordsResidentReads
from dispatch.models import Resident, ServiceItem
from workorders import actions, selectors, services
from workorders.models import Incident, IncidentKind, OrderHistory, WorkOrder


class HistorySerializer(FieldsBuiltOnce, serializers.ModelSerializer):
    actor = serializers.SlugRelatedField(slug_field="username", read_only=True, allow_null=True)

    class Meta:
        model = OrderHistory
        fields = ["at", "actor", "transition", "from_state", "to_state", "note", "channel"]


class OrderSerializer(FieldsBuiltOnce, serializers.ModelSerializer):
    state_display = serializers.CharField(source="get_state_display", read_only=True)
    resident_name = serializers.CharField(source="resident.name", read_only=True)
    area = serializers.CharField(source="resident.area.name", read_only=True)
    service_code = serializers.CharField(source="service.code", read_only=True)
    service_name = serializers.CharField(source="service.name", read_only=True)
    worker_name = serializers.CharField(source="worker.name", read_only=True, allow_null=True, default=None)
    partner_name = serializers.CharField(source="partner.name", read_only=True, allow_null=True, default=None)
    available_transitions = serializers.SerializerMethodField()
    # Until when finance may undo the payment (unsettle_fee); null when it is not paid.
    fee_undo_until = serializers.SerializerMethodField()
    history = HistorySerializer(many=True, read_only=True)

    class Meta:
        model = WorkOrder
        fields = [
            "id", "number", "state", "state_display", "resident", "resident_name", "area", "service",
            "service_code", "service_name", "channel", "urgency", "requested_for", "notes",
            "card_override_reason", "worker", "worker_name", "partner", "partner_name", "assigned_at",
            "approved_at", "approval_owed", "closing_reason", "paperwork_owed", "collected_at", "actual_start",
            "actual_end", "materials", "remarks", "returned_at", "expected_fee", "fee", "fee_status", "fee_paid_at",
            "fee_receipt", "fee_undo_until", "created_at", "updated_at", "available_transitions", "history",
        ]
        read_only_fields = fields

    def get_available_transitions(self, order: WorkOrder) -> list[str]:
        return actions.available(order, self.context["request"].user)

    @extend_schema_field(serializers.DateTimeField(allow_null=True))
    def get_fee_undo_until(self, order: WorkOrder) -> str | None:
        until = actions.fee_undo_until(order)
        return None if until is None else serializers.DateTimeField().to_representation(until)


class OrderCreateSerializer(FieldsBuiltOnce, serializers.ModelSerializer):
    resident = IdRelatedField(queryset=Resident.objects.select_related("area"))
    service = IdRelatedField(queryset=ServiceItem.objects.all())
    card_override_reason = serializers.CharField(max_length=255, required=False, allow_blank=True)
    # Between now and the horizon, or null for "as soon as possible": the service checks.
    requested_for = DateTimeInput(required=False, allow_null=True,
                                  label=WorkOrder._meta.get_field("requested_for").verbose_name,
                                  help_text=WorkOrder._meta.get_field("requested_for").help_text)

    class Meta:
        model = WorkOrder
        fields = ["resident", "service", "channel", "urgency", "requested_for", "notes", "card_override_reason"]
        extra_kwargs = {"channel": {"required": True}}


class IncidentSerializer(serializers.ModelSerializer):
    reporter = serializers.SlugRelatedField(slug_field="username", read_only=True)
    order_number = serializers.CharField(source="order.number", read_only=True)
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)

    class Meta:
        model = Incident
        fields = ["id", "order", "order_number", "kind", "kind_display", "note", "could_not_serve", "reporter",
                  "created_at"]
        read_only_fields = fields


class IncidentReportSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=IncidentKind.choices)
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)
    could_not_serve = serializers.BooleanField(required=False, default=False)


_HISTORY = Prefetch("history", OrderHistory.objects.select_related("actor"))


@with_endpoints(
    [action for action in actions.ACTIONS.values() if action.has_endpoint],
    response=OrderSerializer,
    answer=lambda view, order: Response(view.answer(order)),
)
class OrderViewSet(RecordsResidentReads, mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    permission_classes = [ActionPermissions]
    # Reading needs view; each action's endpoint checks the action's permission.
    action_permissions = {"create": ["workorders.add_workorder"], "*": ["workorders.view_workorder"]}

    def get_queryset(self):
        orders = selectors.orders_visible_to(self.request.user)
        if self.action in ("list", "retrieve"):
            orders = orders.prefetch_related(_HISTORY)
        params = self.request.query_params
        if params.get("state"):
            orders = orders.filter(state__in=params["state"].split(","))
        if params.get("worker"):
            worker_id = query_id(params["worker"])
            orders = orders.filter(worker_id=worker_id) if worker_id is not None else orders.none()
        if params.get("approval_owed") in ("true", "1"):
            # The lead's list: emergency starts whose consent is still to be recorded, in any state.
            orders = orders.filter(approval_owed=True)
        return orders

    def get_serializer_class(self):
        return OrderCreateSerializer if self.action == "create" else OrderSerializer

    # An order shows its resident's name and what was written about them.
    resident_of = "resident"

    @extend_schema(
        parameters=[
            OpenApiParameter("state", str, description=str(_("States, comma separated")), enum=None),
            OpenApiParameter("worker", int),
            OpenApiParameter("approval_owed", bool,
                             description=str(_("Only emergency starts whose approval is still to be recorded"))),
        ]
    )
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    @extend_schema(request=OrderCreateSerializer, responses={201: OrderSerializer})
    def create(self, request, *args, **kwargs):
        data = OrderCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        order = services.order_create(actor=request.user, **data.validated_data)
        return Response(self.answer(order), status=status.HTTP_201_CREATED)

    def answer(self, order: WorkOrder) -> dict:
        """The order a service just wrote, as the answer: the service's own
        object (its resident, area, service and assignee came with it), with
        only the history read back, actors included, in one query."""
        prefetch_related_objects([order], _HISTORY)
        return OrderSerializer(order, context=self.get_serializer_context()).data

    @extend_schema(methods=["GET"], responses={200: IncidentSerializer(many=True)},
                   summary="The incidents reported on the order, oldest first")
    @extend_schema(methods=["POST"], request=IncidentReportSerializer, responses={201: IncidentSerializer},
                   summary="Report a problem or an emergency met on site; it pops up on every board at once")
    @action(detail=True, methods=["get", "post"], url_path="incidents", pagination_class=None)
    def incidents(self, request, pk=None):
        order = self.get_object()  # 404 for unknown or invisible orders (another worker's)
        if request.method == "POST":
            data = IncidentReportSerializer(data=request.data)
            data.is_valid(raise_exception=True)
            incident = services.incident_report(actor=request.user, order_id=order.pk, **data.validated_data)
            return Response(IncidentSerializer(incident).data, status=status.HTTP_201_CREATED)
        if not request.user.has_perm("workorders.view_incident"):
            raise PermissionDenied
        return Response(IncidentSerializer(selectors.order_incidents(order.pk), many=True).data)
