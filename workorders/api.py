"""REST API of work orders: create, read, and one POST endpoint per transition
(DESIGN.md section 7). Views validate input, call one service, serialize."""

from django.db.models import Prefetch, prefetch_related_objects
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response

from core.rest import MAX_ID, ActionPermissions, FieldsBuiltOnce, IdRelatedField, query_id
from dispatch.models import Resident, ServiceItem
from workorders import selectors, services
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
    history = HistorySerializer(many=True, read_only=True)

    class Meta:
        model = WorkOrder
        fields = [
            "id", "number", "state", "state_display", "resident", "resident_name", "area", "service",
            "service_code", "service_name", "channel", "urgency", "requested_for", "notes",
            "card_override_reason", "worker", "worker_name", "partner", "partner_name", "assigned_at",
            "approved_at", "closing_reason", "paperwork_owed", "collected_at", "actual_start", "actual_end",
            "materials", "remarks", "returned_at", "fee", "fee_status", "fee_paid_at", "created_at",
            "updated_at", "available_transitions", "history",
        ]
        read_only_fields = fields

    def get_available_transitions(self, order: WorkOrder) -> list[str]:
        return selectors.order_available_transitions(order, self.context["request"].user)


class OrderCreateSerializer(FieldsBuiltOnce, serializers.ModelSerializer):
    resident = IdRelatedField(queryset=Resident.objects.select_related("area"))
    service = IdRelatedField(queryset=ServiceItem.objects.all())
    card_override_reason = serializers.CharField(max_length=255, required=False, allow_blank=True)

    class Meta:
        model = WorkOrder
        fields = ["resident", "service", "channel", "urgency", "requested_for", "notes", "card_override_reason"]
        extra_kwargs = {"channel": {"required": True}}


class NoteSerializer(serializers.Serializer):
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)


class ReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=255)


class AssignSerializer(NoteSerializer):
    worker = serializers.IntegerField(required=False, allow_null=True, default=None, min_value=1, max_value=MAX_ID)
    partner = serializers.IntegerField(required=False, allow_null=True, default=None, min_value=1, max_value=MAX_ID)


class EmergencyStartSerializer(NoteSerializer):
    worker = serializers.IntegerField(min_value=1, max_value=MAX_ID)


class ReturnSerializer(serializers.Serializer):
    actual_start = serializers.DateTimeField()
    actual_end = serializers.DateTimeField()
    fee = serializers.DecimalField(max_digits=10, decimal_places=2, required=False, allow_null=True, default=None)
    materials = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)
    remarks = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)


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


def _transition_action(name: str, serializer_class, run, summary: str):
    """One POST endpoint for one transition: validate, run the service, answer the order."""

    @extend_schema(request=serializer_class, responses={200: OrderSerializer}, summary=summary)
    def endpoint(self, request, pk=None):
        order = self.get_object()  # 404 for unknown or invisible orders
        data = serializer_class(data=request.data)
        data.is_valid(raise_exception=True)
        updated = run(request.user, order.pk, data.validated_data)
        return Response(self.answer(updated))

    endpoint.__name__ = name
    return action(detail=True, methods=["post"], url_path=name)(endpoint)


class OrderViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    permission_classes = [ActionPermissions]
    # Transitions check their role in the service (403 there); reading needs view.
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
        return orders

    def get_serializer_class(self):
        return OrderCreateSerializer if self.action == "create" else OrderSerializer

    @extend_schema(
        parameters=[
            OpenApiParameter("state", str, description=str(_("States, comma separated")), enum=None),
            OpenApiParameter("worker", int),
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

    request_approval = _transition_action(
        "request_approval",
        NoteSerializer, lambda u, pk, d: services.order_request_approval(actor=u, order_id=pk, **d),
        "Ask the lead to approve an external or special service",
    )
    approve = _transition_action(
        "approve",
        NoteSerializer, lambda u, pk, d: services.order_approve(actor=u, order_id=pk, **d),
        "Approve",
    )
    reject = _transition_action(
        "reject",
        ReasonSerializer, lambda u, pk, d: services.order_reject(actor=u, order_id=pk, **d),
        "Refuse approval, with a reason",
    )
    assign = _transition_action(
        "assign",
        AssignSerializer,
        lambda u, pk, d: services.order_assign(
            actor=u, order_id=pk, worker_id=d["worker"], partner_id=d["partner"], note=d["note"]
        ),
        "Assign a worker or a partner unit",
    )
    reassign = _transition_action(
        "reassign",
        AssignSerializer,
        lambda u, pk, d: services.order_reassign(
            actor=u, order_id=pk, worker_id=d["worker"], partner_id=d["partner"], note=d["note"]
        ),
        "Give the order to another worker or partner unit",
    )
    collect = _transition_action(
        "collect",
        NoteSerializer, lambda u, pk, d: services.order_collect(actor=u, order_id=pk, **d),
        "The worker collects the printed order",
    )
    redispatch = _transition_action(
        "redispatch",
        ReasonSerializer, lambda u, pk, d: services.order_redispatch(actor=u, order_id=pk, **d),
        "Back to the queue: the worker could not serve",
    )
    emergency_start = _transition_action(
        "emergency_start",
        EmergencyStartSerializer,
        lambda u, pk, d: services.order_emergency_start(actor=u, order_id=pk, worker_id=d["worker"], note=d["note"]),
        "Serve an urgent request at once, paperwork afterwards",
    )
    return_order = _transition_action(
        "return_order",
        ReturnSerializer, lambda u, pk, d: services.order_return(actor=u, order_id=pk, **d),
        "Take back the filled-in order",
    )
    cancel = _transition_action(
        "cancel",
        ReasonSerializer, lambda u, pk, d: services.order_cancel(actor=u, order_id=pk, **d),
        "Cancel, with a reason",
    )
    settle_fee = _transition_action(
        "settle_fee",
        NoteSerializer, lambda u, pk, d: services.order_settle_fee(actor=u, order_id=pk, **d),
        "Finance confirms the fee paid",
    )


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
