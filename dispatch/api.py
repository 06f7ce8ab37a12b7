"""REST API of the catalog, residents and intakes (DESIGN.md section 7)."""

from operator import attrgetter

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from phonenumber_field.serializerfields import PhoneNumberField
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from core.rest import ActionPermissions, DateTimeInput, EmptyInput, IdRelatedField, JSONParser
from dispatch import selectors, services
from dispatch.models import (
    Channel,
    EmergencyContact,
    IntakeRecord,
    PartnerUnit,
    Resident,
    ResidentAccess,
    ResidentPhone,
    ServiceArea,
    ServiceItem,
    Worker,
)


class RecordsResidentReads:
    """For a viewset whose answers show residents' data: every answer that
    shows it is in the access log, as the screens' and the admin's reads are
    (a list: each resident on the page, as found in a search; one object: a
    view). `resident_of` leads from an answered row to its resident ("": the
    row is one); `residents_shown` may be overridden where a row shows many."""

    resident_of = ""

    def residents_shown(self, rows) -> list[Resident]:
        if not self.resident_of:
            return list(rows)
        return [attrgetter(self.resident_of)(row) for row in rows]

    def record_reads(self, rows, action: str) -> None:
        services.resident_accesses_record(actor=self.request.user, residents=self.residents_shown(rows), action=action)

    def paginate_queryset(self, queryset):
        page = super().paginate_queryset(queryset)
        if page is not None and self.action == "list":
            self.record_reads(page, ResidentAccess.Action.SEARCH)
        return page

    def get_object(self):
        shown = super().get_object()
        if self.action == "retrieve":
            self.record_reads([shown], ResidentAccess.Action.VIEW)
        return shown


class ServiceAreaSerializer(serializers.ModelSerializer):
    office_phone = PhoneNumberField()

    class Meta:
        model = ServiceArea
        fields = ["id", "name", "office_phone", "served"]


class ServiceItemSerializer(serializers.ModelSerializer):
    required_skill = serializers.SlugRelatedField(slug_field="code", read_only=True, allow_null=True)
    needs_approval = serializers.BooleanField(read_only=True)

    class Meta:
        model = ServiceItem
        fields = [
            "id", "code", "name", "name_en", "standard", "procedure", "category", "price", "unit",
            "chargeable", "needs_card", "approval", "needs_approval", "required_skill",
            "expected_minutes", "response_target_minutes", "active",
        ]
        # The deadlines are the service level's (sla), edited on the service's
        # admin page; this only seeded it when the service was made.
        extra_kwargs = {
            "response_target_minutes": {
                "read_only": True,
                "help_text": _("Only seeds the service's service level when the service is created; "
                               "its deadlines are the service level's."),
            },
        }


class WorkerSerializer(serializers.ModelSerializer):
    phone = PhoneNumberField()
    skills = serializers.SlugRelatedField(slug_field="code", many=True, read_only=True)

    class Meta:
        model = Worker
        fields = ["id", "name", "phone", "skills", "active"]


class PartnerSerializer(serializers.ModelSerializer):
    phone = PhoneNumberField()
    phone_alt = PhoneNumberField(required=False, allow_blank=True)
    services = serializers.SlugRelatedField(slug_field="code", many=True, read_only=True)

    class Meta:
        model = PartnerUnit
        fields = ["id", "name", "contact_person", "phone", "phone_alt", "services", "active"]


class ResidentPhoneSerializer(serializers.ModelSerializer):
    # Accepted as typed; the service parses it and names what it read.
    number = serializers.CharField(max_length=40)

    class Meta:
        model = ResidentPhone
        fields = ["number", "label", "is_primary"]

    def to_representation(self, instance):
        data = super().to_representation(instance)
        data["number"] = str(instance.number)
        return data


class EmergencyContactSerializer(serializers.ModelSerializer):
    phone = serializers.CharField(max_length=40)

    class Meta:
        model = EmergencyContact
        fields = ["name", "relation", "phone"]

    def to_representation(self, instance):
        data = super().to_representation(instance)
        data["phone"] = str(instance.phone)
        return data


class ResidentSerializer(serializers.ModelSerializer):
    area = IdRelatedField(queryset=ServiceArea.objects.all())
    area_name = serializers.CharField(source="area.name", read_only=True)
    phones = ResidentPhoneSerializer(many=True)
    emergency_contacts = EmergencyContactSerializer(many=True, required=False)
    card_valid = serializers.SerializerMethodField()

    class Meta:
        model = Resident
        fields = [
            "id", "name", "address", "area", "area_name", "phones", "card_number", "card_valid_until",
            "card_valid", "emergency_contacts", "access_notes", "health_notes", "active",
        ]
        read_only_fields = ["active"]

    def get_card_valid(self, resident: Resident) -> bool:
        return resident.has_valid_card()

    def to_representation(self, instance):
        data = super().to_representation(instance)
        request = self.context.get("request")
        # Health notes are for the roles that plan care; the desk may write
        # them at registration but does not read them back.
        if request is None or not request.user.has_perm("dispatch.view_health_notes"):
            data.pop("health_notes", None)
        return data


class ResidentAccessSerializer(serializers.ModelSerializer):
    user = serializers.SlugRelatedField(slug_field="username", read_only=True)

    class Meta:
        model = ResidentAccess
        fields = ["at", "user", "action"]


class ResidentViewSet(RecordsResidentReads, mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    serializer_class = ResidentSerializer
    # The actions below read the id from the path themselves: only digits route.
    lookup_value_regex = "[0-9]+"
    permission_classes = [ActionPermissions]
    action_permissions = {
        "create": ["dispatch.add_resident"],
        "access_log": ["dispatch.view_residentaccess"],
        "export": ["dispatch.export_resident"],
        "anonymise": ["dispatch.anonymise_resident"],
        "*": ["dispatch.view_resident"],
    }

    def get_queryset(self):
        residents = Resident.objects.select_related("area").prefetch_related("phones", "emergency_contacts")
        params = self.request.query_params
        if params.get("phone"):
            residents = selectors.residents_by_phone(params["phone"], residents)
        if params.get("q"):
            residents = selectors.residents_search(params["q"], residents)
        return residents

    @extend_schema(
        parameters=[
            OpenApiParameter("phone", str, description=str(_("A phone in any usual format"))),
            OpenApiParameter("q", str, description=str(_("Part of a name or address, or a card number"))),
        ]
    )
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    def perform_create(self, serializer):
        data = serializer.validated_data
        serializer.instance = services.resident_create(actor=self.request.user, **data)

    @extend_schema(responses={200: ResidentAccessSerializer(many=True)})
    @action(detail=True, methods=["get"], url_path="access-log")
    def access_log(self, request, pk=None):
        """Who read this resident's record, newest first (supervisor)."""
        resident = get_object_or_404(Resident, pk=pk)
        page = self.paginator.paginate_queryset(resident.accesses.select_related("user"), request, view=self)
        return self.paginator.get_paginated_response(ResidentAccessSerializer(page, many=True).data)

    @extend_schema(request=None, responses={200: OpenApiTypes.OBJECT})
    @action(detail=True, methods=["get"])
    def export(self, request, pk=None):
        """Everything stored about this resident, as JSON (supervisor)."""
        return Response(services.resident_export(actor=request.user, resident_id=int(pk)))

    @extend_schema(request=EmptyInput, responses={200: ResidentSerializer})
    @action(detail=True, methods=["post"], parser_classes=[JSONParser])
    def anonymise(self, request, pk=None):
        """Remove a leaving resident's personal data; orders and statistics stay (supervisor)."""
        EmptyInput.check(request)
        resident = services.resident_anonymise(actor=request.user, resident_id=int(pk))
        return Response(self.get_serializer(resident).data)


class IntakeSerializer(serializers.ModelSerializer):
    """An intake record as read: any outcome, a served request's included."""

    reply = serializers.SerializerMethodField()

    class Meta:
        model = IntakeRecord
        fields = [
            "id", "outcome", "channel", "resident", "caller_phone", "service", "referred_to", "area",
            "no_card_action", "home_visit_at", "notes", "created_at", "reply",
        ]
        read_only_fields = fields

    def get_reply(self, record: IntakeRecord) -> str:
        return services.intake_reply(record)

    def to_representation(self, instance):
        data = super().to_representation(instance)
        data["caller_phone"] = str(instance.caller_phone) if instance.caller_phone else ""
        return data


class IntakeCreateSerializer(serializers.ModelSerializer):
    """Input for the three outcomes that do not create an order; a served
    request is taken at POST /orders/."""

    serializer_related_field = IdRelatedField
    outcome = serializers.ChoiceField(
        choices=[c for c in IntakeRecord.Outcome.choices if c[0] != IntakeRecord.Outcome.SERVED]
    )
    channel = serializers.ChoiceField(choices=Channel.choices)
    caller_phone = serializers.CharField(max_length=40, required=False, allow_blank=True)
    no_card_action = serializers.ChoiceField(
        choices=[c for c in IntakeRecord.NoCardAction.choices if c[0]], required=False
    )
    home_visit_at = DateTimeInput(required=False, allow_null=True,
                                  label=IntakeRecord._meta.get_field("home_visit_at").verbose_name)

    class Meta:
        model = IntakeRecord
        fields = [
            "outcome", "channel", "resident", "caller_phone", "service", "referred_to", "area",
            "no_card_action", "home_visit_at", "notes",
        ]


class IntakeViewSet(RecordsResidentReads, mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """The intakes that are no order. Routed by followup's subclass
    (followup.api.IntakeViewSet), which books a home visit taken here as a
    visit: dispatch, below followup, records only the intake."""

    serializer_class = IntakeSerializer
    permission_classes = [ActionPermissions]
    action_permissions = {"create": ["dispatch.add_intakerecord"], "*": ["dispatch.view_intakerecord"]}
    queryset = IntakeRecord.objects.select_related("area", "order", "resident")

    # What its resident asked and said (an intake without one has no row to record).
    resident_of = "resident"

    @extend_schema(request=IntakeCreateSerializer, responses={201: IntakeSerializer})
    def create(self, request, *args, **kwargs):
        serializer = IntakeCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        record = self.take(**serializer.validated_data)
        return Response(self.get_serializer(self.get_queryset().get(pk=record.pk)).data,
                        status=status.HTTP_201_CREATED)

    def take(self, **data) -> IntakeRecord:
        """Record the intake: the one service `create` calls."""
        return services.intake_take(actor=self.request.user, **data)


class ServiceAreaViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = ServiceAreaSerializer
    permission_classes = [ActionPermissions]
    action_permissions = {"*": ["dispatch.view_servicearea"]}
    queryset = ServiceArea.objects.all()


class ServiceItemViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = ServiceItemSerializer
    permission_classes = [ActionPermissions]
    action_permissions = {"*": ["dispatch.view_serviceitem"]}
    queryset = ServiceItem.objects.select_related("required_skill")


class WorkerViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = WorkerSerializer
    permission_classes = [ActionPermissions]
    action_permissions = {"*": ["dispatch.view_worker"]}
    queryset = Worker.objects.prefetch_related("skills")


class PartnerViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = PartnerSerializer
    permission_classes = [ActionPermissions]
    action_permissions = {"*": ["dispatch.view_partnerunit"]}
    queryset = PartnerUnit.objects.prefetch_related("services")
