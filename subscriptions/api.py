"""REST API of recurring services (`subscriptions/`)."""

from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, viewsets
from rest_framework.response import Response

from core.actions import with_endpoints
from core.rest import ActionPermissions, DateTimeInput
from dispatch.models import Resident, ServiceItem, Worker
from subscriptions import actions, selectors, services
from subscriptions.models import Subscription, SubscriptionHistory, SubscriptionOccurrence


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
    starts_at = DateTimeInput()
    ends_at = DateTimeInput(required=False, allow_null=True, default=None)
    preferred_worker = serializers.PrimaryKeyRelatedField(
        queryset=Worker.objects.all(), required=False, allow_null=True, default=None
    )
    notes = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)


@with_endpoints(
    list(actions.ACTIONS.values()),
    response=SubscriptionSerializer,
    answer=lambda view, subscription: Response(SubscriptionSerializer(view.get_queryset().get(pk=subscription.pk)).data),
)
class SubscriptionViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Recurring services. `?resident=`, `?status=` filter the list."""

    permission_classes = [ActionPermissions]
    action_permissions = {
        "create": ["subscriptions.add_subscription"],
        **{name: [action.permission] for name, action in actions.ACTIONS.items()},
        "*": ["subscriptions.view_subscription"],
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
