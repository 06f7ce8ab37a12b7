"""REST API of the quality loop (DESIGN.md section 7): the callback queue and
calls (`followups/`), escalations, spot checks and home visits, and the
intakes (dispatch's API, whose home visits are booked here as visits).

Views validate input, call one service, serialize. Satisfaction answers are
behind follow-up permissions that field workers do not hold (403).
"""

from django.contrib.auth import get_user_model
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.response import Response

from core.actions import with_endpoints
from core.rest import MAX_ID, ActionPermissions, query_id
from core.roles import Role
from dispatch import api as dispatch_api
from dispatch.api import RecordsResidentReads
from dispatch.models import ResidentAccess
from dispatch.services import resident_accesses_record
from followup import actions, selectors, services
from followup.models import (
    CallResult,
    Escalation,
    EscalationAction,
    FollowUpCall,
    PeriodicVisit,
    SpotCheck,
    SpotCheckItem,
)
from workorders.models import WorkOrder


def _truthy(value: str | None) -> bool | None:
    if value is None or value == "":
        return None
    return value.lower() in ("1", "true", "yes", "on")


# --- Shared pieces ----------------------------------------------------------------------


class OrderSummarySerializer(serializers.ModelSerializer):
    """The order as the caller needs it: who, what, who served, when."""

    resident_name = serializers.CharField(source="resident.name", read_only=True)
    service_code = serializers.CharField(source="service.code", read_only=True)
    service_name = serializers.CharField(source="service.name", read_only=True)
    worker_name = serializers.CharField(source="worker.name", read_only=True, allow_null=True, default=None)
    partner_name = serializers.CharField(source="partner.name", read_only=True, allow_null=True, default=None)

    class Meta:
        model = WorkOrder
        fields = [
            "id", "number", "state", "resident", "resident_name", "service", "service_code", "service_name",
            "worker", "worker_name", "partner", "partner_name", "actual_start", "actual_end", "returned_at",
        ]
        read_only_fields = fields


class PhoneSerializer(serializers.Serializer):
    number = serializers.CharField()
    label = serializers.CharField()
    is_primary = serializers.BooleanField()


def _phones(order: WorkOrder) -> list[dict]:
    return [{"number": str(p.number), "label": p.label, "is_primary": p.is_primary} for p in order.resident.phones.all()]


class FollowUpCallSerializer(serializers.ModelSerializer):
    order_number = serializers.CharField(source="order.number", read_only=True)
    order_state = serializers.CharField(source="order.state", read_only=True)
    caller = serializers.SlugRelatedField(slug_field="username", read_only=True)
    result_display = serializers.CharField(source="get_result_display", read_only=True)
    escalation = serializers.SerializerMethodField()

    class Meta:
        model = FollowUpCall
        fields = [
            "id", "order", "order_number", "order_state", "attempt", "caller", "called_at", "result",
            "result_display", "quality", "satisfied", "comments", "needs_more", "needs_more_what", "escalation",
        ]
        read_only_fields = fields

    def get_escalation(self, call: FollowUpCall) -> int | None:
        escalation = getattr(call, "escalation", None)
        return escalation.pk if escalation else None


# --- Callback queue and calls -----------------------------------------------------------


class QueueEntrySerializer(serializers.Serializer):
    order = OrderSummarySerializer()
    phones = serializers.SerializerMethodField()
    address = serializers.CharField(source="order.resident.address")
    failed_attempts = serializers.IntegerField()
    last_attempt_at = serializers.DateTimeField(allow_null=True)
    callable_from = serializers.DateTimeField()
    due_at = serializers.DateTimeField()
    is_due = serializers.BooleanField()
    is_overdue = serializers.BooleanField()

    def get_phones(self, entry) -> PhoneSerializer(many=True):
        return _phones(entry.order)


class QueueEntryDetailSerializer(QueueEntrySerializer):
    calls = serializers.SerializerMethodField()
    script = serializers.SerializerMethodField()

    def get_calls(self, entry) -> FollowUpCallSerializer(many=True):
        calls = selectors.calls().select_related("escalation").filter(order=entry.order)
        return FollowUpCallSerializer(calls, many=True).data

    def get_script(self, entry) -> list[str]:
        # Read out by the caller, in the caller's language (the request's).
        return selectors.followup_script(entry.order)


class CallCreateSerializer(serializers.Serializer):
    order = serializers.IntegerField(min_value=1, max_value=MAX_ID)
    result = serializers.ChoiceField(choices=CallResult.choices)
    quality = serializers.IntegerField(min_value=1, max_value=5, required=False, allow_null=True, default=None)
    satisfied = serializers.BooleanField(required=False, allow_null=True, default=None)
    comments = serializers.CharField(required=False, allow_blank=True, default="", max_length=4000)
    needs_more = serializers.BooleanField(required=False, default=False)
    needs_more_what = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)
    attempt = serializers.IntegerField(
        required=False, allow_null=True, default=None, min_value=1, max_value=1000,
        help_text="Which attempt this is, as the caller saw the queue (its failed attempts plus one): "
                  "a call someone else logged meanwhile makes this one a 409",
    )


class FollowUpViewSet(RecordsResidentReads, viewsets.GenericViewSet):
    """The callback queue: every returned order with its due time, soonest
    due first; POST logs one call."""

    resident_of = "order.resident"

    permission_classes = [ActionPermissions]
    action_permissions = {"create": ["followup.add_followupcall"], "*": ["followup.view_followupcall"]}
    queryset = WorkOrder.objects.none()  # for the schema's path parameter; reads go through selectors
    serializer_class = QueueEntrySerializer
    lookup_value_regex = r"\d+"

    @extend_schema(
        parameters=[OpenApiParameter("due", OpenApiTypes.BOOL, description="Only calls that may be made now")],
        responses=QueueEntrySerializer(many=True),
        summary="The callback queue",
    )
    def list(self, request):
        entries = selectors.followup_queue(due_only=bool(_truthy(request.query_params.get("due"))))
        page = self.paginate_queryset(entries)
        return self.get_paginated_response(QueueEntrySerializer(page, many=True).data)

    @extend_schema(responses=QueueEntryDetailSerializer, summary="One order waiting for its call, with the script")
    def retrieve(self, request, pk=None):
        entry = selectors.followup_queue_entry(order_id=int(pk))
        if entry is None:
            raise NotFound(_("This order is not waiting for a follow-up call."))
        self.record_reads([entry], ResidentAccess.Action.VIEW)
        return Response(QueueEntryDetailSerializer(entry, context=self.get_serializer_context()).data)

    @extend_schema(request=CallCreateSerializer, responses={201: FollowUpCallSerializer}, summary="Log a follow-up call")
    def create(self, request):
        data = CallCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        call = services.followup_log_call(actor=request.user, order_id=values.pop("order"), **values)
        call = selectors.calls().select_related("escalation").get(pk=call.pk)
        return Response(FollowUpCallSerializer(call).data, status=status.HTTP_201_CREATED)


class FollowUpCallViewSet(RecordsResidentReads, viewsets.ReadOnlyModelViewSet):
    """Recorded follow-up calls, newest first."""

    resident_of = "order.resident"

    permission_classes = [ActionPermissions]
    action_permissions = {"*": ["followup.view_followupcall"]}
    serializer_class = FollowUpCallSerializer

    def get_queryset(self):
        calls = selectors.calls().select_related("escalation").order_by("-called_at", "-id")
        params = self.request.query_params
        if params.get("order"):
            order_id = query_id(params["order"])
            calls = calls.filter(order_id=order_id) if order_id is not None else calls.none()
        if params.get("result"):
            calls = calls.filter(result__in=params["result"].split(","))
        if _truthy(params.get("satisfied")) is not None:
            calls = calls.filter(satisfied=_truthy(params["satisfied"]))
        return calls

    @extend_schema(
        parameters=[
            OpenApiParameter("order", int),
            OpenApiParameter("result", str, description="Results, comma separated"),
            OpenApiParameter("satisfied", OpenApiTypes.BOOL),
        ]
    )
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)


# --- Escalations ------------------------------------------------------------------------


class EscalationActionSerializer(serializers.ModelSerializer):
    author = serializers.SlugRelatedField(slug_field="username", read_only=True, allow_null=True)

    class Meta:
        model = EscalationAction
        fields = ["at", "author", "kind", "note"]


class EscalationSerializer(serializers.ModelSerializer):
    order = OrderSummarySerializer(read_only=True)
    owner = serializers.SlugRelatedField(slug_field="username", read_only=True, allow_null=True)
    owner_id = serializers.IntegerField(read_only=True, allow_null=True)
    resolved_by = serializers.SlugRelatedField(slug_field="username", read_only=True, allow_null=True)
    call = FollowUpCallSerializer(read_only=True)
    is_open = serializers.BooleanField(read_only=True)
    is_overdue = serializers.SerializerMethodField()
    actions = EscalationActionSerializer(many=True, read_only=True)

    class Meta:
        model = Escalation
        fields = [
            "id", "order", "call", "owner", "owner_id", "level", "opened_at", "due_at", "raised_at", "is_open",
            "is_overdue", "resolved_at", "resolved_by", "outcome", "actions",
        ]
        read_only_fields = fields

    def get_is_overdue(self, escalation: Escalation) -> bool:
        return escalation.resolved_at is None and escalation.due_at < timezone.now()


class OwnerSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    username = serializers.CharField()
    name = serializers.CharField()
    role = serializers.CharField()


@with_endpoints(actions.ESCALATION_ACTIONS, response=EscalationSerializer,
                answer=lambda view, escalation: view.answer(escalation))
class EscalationViewSet(RecordsResidentReads, viewsets.ReadOnlyModelViewSet):
    """Complaints from follow-up calls, each with its owner, due time, actions
    and outcome. Most urgent first."""

    resident_of = "order.resident"

    permission_classes = [ActionPermissions]
    action_permissions = {
        **{action.name: [action.permission] for action in actions.ESCALATION_ACTIONS},
        "*": ["followup.view_escalation"],
    }
    serializer_class = EscalationSerializer

    def get_queryset(self):
        escalations = selectors.escalations().select_related("call__escalation", "call__caller", "call__order")
        params = self.request.query_params
        if _truthy(params.get("open")) is not None:
            escalations = escalations.filter(resolved_at__isnull=_truthy(params["open"]))
        if params.get("level"):
            escalations = escalations.filter(level=params["level"])
        if _truthy(params.get("mine")):
            escalations = escalations.filter(owner=self.request.user)
        return escalations

    @extend_schema(
        parameters=[
            OpenApiParameter("open", OpenApiTypes.BOOL),
            OpenApiParameter("level", str, enum=Escalation.Level.values),
            OpenApiParameter("mine", OpenApiTypes.BOOL, description="Only those the caller owns"),
        ]
    )
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    def answer(self, escalation: Escalation) -> Response:
        return Response(self.get_serializer(self.get_queryset().get(pk=escalation.pk)).data)

    @extend_schema(responses=OwnerSerializer(many=True), summary="Who may own an escalation")
    @action(detail=False, methods=["get"], pagination_class=None)
    def owners(self, request):
        people = []
        for role in (Role.DISPATCH_LEAD, Role.SUPERVISOR):
            for user in get_user_model().objects.filter(is_active=True, groups__name=role).order_by("username"):
                people.append({"id": user.pk, "username": user.get_username(),
                               "name": user.get_full_name() or user.get_username(), "role": role.value})
        return Response(OwnerSerializer(people, many=True).data)


# --- Spot checks ------------------------------------------------------------------------


class SpotCheckItemSerializer(serializers.ModelSerializer):
    call = FollowUpCallSerializer(read_only=True)
    order = OrderSummarySerializer(source="call.order", read_only=True)
    phones = serializers.SerializerMethodField()
    rechecked_by = serializers.SlugRelatedField(slug_field="username", read_only=True, allow_null=True)
    spot_check = serializers.PrimaryKeyRelatedField(read_only=True)

    class Meta:
        model = SpotCheckItem
        fields = ["id", "spot_check", "position", "call", "order", "phones", "rechecked_at", "rechecked_by",
                  "answers_match", "note"]
        read_only_fields = fields

    def get_phones(self, item: SpotCheckItem) -> PhoneSerializer(many=True):
        return _phones(item.call.order)


class SpotCheckSerializer(serializers.ModelSerializer):
    supervisor = serializers.SlugRelatedField(slug_field="username", read_only=True)
    items = SpotCheckItemSerializer(many=True, read_only=True)
    mismatches = serializers.SerializerMethodField()

    class Meta:
        model = SpotCheck
        fields = ["id", "supervisor", "period_start", "period_end", "percentage", "count", "seed", "population",
                  "drawn_at", "mismatches", "items"]
        read_only_fields = fields

    def get_mismatches(self, check: SpotCheck) -> int:
        return sum(1 for item in check.items.all() if item.answers_match is False)


class SpotCheckDrawSerializer(serializers.Serializer):
    period_start = serializers.DateField()
    period_end = serializers.DateField()
    percentage = serializers.IntegerField(min_value=1, max_value=100, required=False, allow_null=True, default=None)
    count = serializers.IntegerField(min_value=1, max_value=MAX_ID, required=False, allow_null=True, default=None)
    seed = serializers.IntegerField(min_value=0, max_value=2**62, required=False, allow_null=True, default=None)


class SpotCheckRecordSerializer(serializers.Serializer):
    item = serializers.IntegerField(min_value=1, max_value=MAX_ID)
    answers_match = serializers.BooleanField()
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=4000)


class SpotCheckViewSet(RecordsResidentReads, mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Supervisors' random re-checks of follow-up calls, reproducible from
    their recorded seed."""

    def residents_shown(self, rows) -> list:
        # A check shows each re-checked call's resident, with their phones.
        return [item.call.order.resident for check in rows for item in check.items.all()]

    permission_classes = [ActionPermissions]
    action_permissions = {
        "create": ["followup.add_spotcheck"],
        "record": ["followup.change_spotcheck"],
        "*": ["followup.view_spotcheck"],
    }
    serializer_class = SpotCheckSerializer

    def get_queryset(self):
        return selectors.spot_checks().prefetch_related("items__call__escalation")

    @extend_schema(request=SpotCheckDrawSerializer, responses={201: SpotCheckSerializer}, summary="Draw a sample")
    def create(self, request, *args, **kwargs):
        data = SpotCheckDrawSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        check = services.spot_check_draw(actor=request.user, **data.validated_data)
        body = self.get_serializer(self.get_queryset().get(pk=check.pk)).data
        return Response(body, status=status.HTTP_201_CREATED)

    @extend_schema(request=SpotCheckRecordSerializer, responses=SpotCheckItemSerializer, summary="Record a re-check call")
    @action(detail=True, methods=["post"])
    def record(self, request, pk=None):
        check = self.get_object()
        data = SpotCheckRecordSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        if not check.items.filter(pk=data.validated_data["item"]).exists():
            raise serializers.ValidationError({"item": [_("This call is not in this spot check.")]})
        item = services.spot_check_record(
            actor=request.user, item_id=data.validated_data["item"],
            answers_match=data.validated_data["answers_match"], note=data.validated_data["note"],
        )
        item = SpotCheckItem.objects.select_related("call__order__resident", "call__caller", "rechecked_by").get(pk=item.pk)
        return Response(SpotCheckItemSerializer(item).data)

    @extend_schema(responses=SpotCheckItemSerializer(many=True), summary="Re-checks whose answers did not match")
    @action(detail=False, methods=["get"])
    def mismatches(self, request):
        items = selectors.spot_check_mismatches().prefetch_related("call__order__resident__phones")
        page = self.paginator.paginate_queryset(items, request, view=self)
        resident_accesses_record(actor=request.user, residents=[item.call.order.resident for item in page],
                                 action=ResidentAccess.Action.SEARCH)
        return self.get_paginated_response(SpotCheckItemSerializer(page, many=True).data)


# --- Periodic visits --------------------------------------------------------------------


class PeriodicVisitSerializer(serializers.ModelSerializer):
    resident_name = serializers.CharField(source="resident.name", read_only=True)
    intake = serializers.PrimaryKeyRelatedField(read_only=True, allow_null=True,
                                                help_text="The intake that booked it (a card registration)")
    address = serializers.CharField(source="resident.address", read_only=True)
    visitor_user_name = serializers.CharField(source="visitor_user.username", read_only=True, allow_null=True, default=None)
    visitor_worker_name = serializers.CharField(source="visitor_worker.name", read_only=True, allow_null=True, default=None)
    created_by = serializers.SlugRelatedField(slug_field="username", read_only=True)

    class Meta:
        model = PeriodicVisit
        fields = ["id", "resident", "resident_name", "address", "scheduled_for", "scheduled_at", "intake",
                  "visitor_user", "visitor_user_name", "visitor_worker", "visitor_worker_name", "reason", "status",
                  "created_by", "created_at", "visited_at", "findings"]
        read_only_fields = fields


class VisitScheduleSerializer(serializers.Serializer):
    scheduled_for = serializers.DateField()
    residents = serializers.ListField(child=serializers.IntegerField(min_value=1, max_value=MAX_ID), required=False, allow_null=True, default=None)
    served_by_worker = serializers.IntegerField(required=False, allow_null=True, default=None, min_value=1, max_value=MAX_ID)
    month = serializers.DateField(required=False, allow_null=True, default=None,
                                  help_text="Any day of the month the worker served in")
    visitor_user = serializers.IntegerField(required=False, allow_null=True, default=None, min_value=1, max_value=MAX_ID)
    visitor_worker = serializers.IntegerField(required=False, allow_null=True, default=None, min_value=1, max_value=MAX_ID)
    reason = serializers.CharField(required=False, allow_blank=True, default="", max_length=255)


@with_endpoints(actions.VISIT_ACTIONS, response=PeriodicVisitSerializer,
                answer=lambda view, visit: Response(view.get_serializer(view.get_queryset().get(pk=visit.pk)).data))
class PeriodicVisitViewSet(RecordsResidentReads, mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Home visits organised by the dispatch lead."""

    resident_of = "resident"

    permission_classes = [ActionPermissions]
    action_permissions = {
        "create": ["followup.add_periodicvisit"],
        **{action.name: [action.permission] for action in actions.VISIT_ACTIONS},
        "*": ["followup.view_periodicvisit"],
    }
    serializer_class = PeriodicVisitSerializer

    def get_queryset(self):
        visits = selectors.visits()
        params = self.request.query_params
        if params.get("status"):
            visits = visits.filter(status__in=params["status"].split(","))
        if params.get("resident"):
            resident_id = query_id(params["resident"])
            visits = visits.filter(resident_id=resident_id) if resident_id is not None else visits.none()
        return visits

    @extend_schema(
        parameters=[
            OpenApiParameter("status", str, description="Statuses, comma separated"),
            OpenApiParameter("resident", int),
        ]
    )
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    @extend_schema(request=VisitScheduleSerializer, responses={201: PeriodicVisitSerializer(many=True)},
                   summary="Schedule visits to residents, or to everyone a worker served in a month")
    def create(self, request, *args, **kwargs):
        data = VisitScheduleSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        d = data.validated_data
        made = services.visits_schedule(
            actor=request.user, scheduled_for=d["scheduled_for"], resident_ids=d["residents"],
            served_by_worker_id=d["served_by_worker"], served_in_month=d["month"],
            visitor_user_id=d["visitor_user"], visitor_worker_id=d["visitor_worker"], reason=d["reason"],
        )
        visits = self.get_queryset().filter(pk__in=[v.pk for v in made])
        return Response(self.get_serializer(visits, many=True).data, status=status.HTTP_201_CREATED)


# --- Intakes ------------------------------------------------------------------------------


class IntakeSerializer(dispatch_api.IntakeSerializer):
    """An intake as read, with the home visit it booked."""

    home_visit = serializers.PrimaryKeyRelatedField(read_only=True, allow_null=True, default=None,
                                                    help_text="The visit booked to register the caller, if any")

    class Meta(dispatch_api.IntakeSerializer.Meta):
        fields = [*dispatch_api.IntakeSerializer.Meta.fields, "home_visit"]
        read_only_fields = fields


class IntakeViewSet(dispatch_api.IntakeViewSet):
    """Intakes that are no order (a served request is `POST orders/`). A
    home visit booked to register the caller (`no_card_action`
    `home_visit`) is scheduled on the lead's visit list at `home_visit_at`."""

    serializer_class = IntakeSerializer
    queryset = dispatch_api.IntakeViewSet.queryset.select_related("home_visit")

    @extend_schema(request=dispatch_api.IntakeCreateSerializer, responses={201: IntakeSerializer})
    def create(self, request, *args, **kwargs):
        return super().create(request, *args, **kwargs)

    def take(self, **data):
        return services.intake_take(actor=self.request.user, **data)
