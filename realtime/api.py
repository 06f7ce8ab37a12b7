"""GET /api/v1/events/?since=<id>: the event log after an id, for clients that
poll instead of holding a socket, with the socket's resync rule. And the alerts
for API clients: GET /api/v1/alerts/ lists them, POST
/api/v1/alerts/<id>/acknowledge/ does what the socket's `ack` does.

Readable by the board roles (BOARD_ROLES); alerts are acknowledged by
ALERT_ACK_ROLES. The front desk is not among them: its screens do not follow
the stream yet; add its group to BOARD_ROLES when one does.
"""

from django.conf import settings
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field, inline_serializer
from rest_framework import serializers
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.generics import ListAPIView
from rest_framework.permissions import BasePermission
from rest_framework.response import Response
from rest_framework.views import APIView

from core.rest import MAX_ID, EmptyInput, JSONParser, query_id
from realtime import selectors, services
from realtime.models import Alert


class WatchesBoard(BasePermission):
    def has_permission(self, request, view) -> bool:
        return selectors.may_watch_board(request.user)


class AcknowledgesAlerts(BasePermission):
    def has_permission(self, request, view) -> bool:
        return selectors.may_acknowledge(request.user)


class EventsView(APIView):
    permission_classes = [WatchesBoard]

    @extend_schema(
        parameters=[OpenApiParameter("since", int, required=True, description=str(_("Last event id seen; 0 for all")))],
        responses=inline_serializer(
            "EventFeed",
            {
                "resync": serializers.BooleanField(),
                "last_event_id": serializers.IntegerField(allow_null=True),
                "events": serializers.ListField(child=serializers.DictField()),
            },
        ),
        summary="Events after an id; resync=true means reload GET /api/v1/board/",
    )
    def get(self, request):
        since = query_id(request.query_params.get("since", ""))
        if since is None:
            raise ValidationError({"since": [_("Give the last event id seen (0 for all).")]})
        limit = settings.ORDER_EVENTS_REPLAY_LIMIT
        head = selectors.last_event_id()
        rows = selectors.events_after(since, limit=limit + 1)
        if len(rows) > limit or since > (head or 0):
            return Response({"resync": True, "last_event_id": head, "events": []})
        return Response(
            {
                "resync": False,
                "last_event_id": rows[-1].id if rows else since,
                "events": [row.as_message() for row in rows],
            }
        )


# Not an enum in the schema: drf-spectacular would make it a component named
# after the field, colliding with the escalations' `level` (a generated name).
@extend_schema_field({"type": "string", "description": " or ".join(Alert.Level.values)})
class AlertLevelField(serializers.CharField):
    pass


class AlertSerializer(serializers.ModelSerializer):
    level = AlertLevelField(read_only=True)
    acknowledged_by = serializers.SlugRelatedField(slug_field="username", read_only=True, allow_null=True)

    class Meta:
        model = Alert
        fields = [
            "id",
            "kind",
            "level",
            "data",
            "raised_at",
            "count",
            "last_raised_at",
            "sound_count",
            "last_sounded_at",
            "escalated_at",
            "acknowledged_by",
            "acknowledged_at",
            "ack_seconds",
        ]
        read_only_fields = fields


class AcknowledgementSerializer(AlertSerializer):
    first = serializers.BooleanField(read_only=True, help_text=str(_("Whether this call stored the acknowledgement")))

    class Meta(AlertSerializer.Meta):
        fields = [*AlertSerializer.Meta.fields, "first"]
        read_only_fields = fields


class AlertsView(ListAPIView):
    permission_classes = [WatchesBoard]
    serializer_class = AlertSerializer

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "open",
                bool,
                description=str(_("true (the default): only alerts nobody has acknowledged; false: all")),
            ),
        ],
        summary="Alerts: the open ones oldest first (default), or all newest first",
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        raw = self.request.query_params.get("open", "true").lower()
        if raw not in ("1", "true", "0", "false"):
            raise ValidationError({"open": [_("Give true or false.")]})
        return selectors.alerts(open_only=raw in ("1", "true"))


class AlertAcknowledgeView(APIView):
    permission_classes = [AcknowledgesAlerts]
    # It reads nothing: a body, if any, is JSON (an empty object).
    parser_classes = [JSONParser]

    @extend_schema(
        request=EmptyInput,
        responses=AcknowledgementSerializer,
        summary="Acknowledge an alert on every board; first=false when someone else was first",
    )
    def post(self, request, pk: int):
        # A second acknowledgement is not a conflict: the alert is closed, as
        # the caller wanted, and the answer names who was first (the socket's
        # `ack_result` with won=false likewise). A client's retry is safe.
        if pk > MAX_ID:
            raise NotFound(_("No such alert."))
        EmptyInput.check(request)
        try:
            alert, first = services.alert_acknowledge(actor=request.user, alert_id=pk)
        except services.AlertNotFound:
            raise NotFound(_("No such alert.")) from None
        alert.first = first
        return Response(AcknowledgementSerializer(alert).data)
