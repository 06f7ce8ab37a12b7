"""GET /api/v1/events/?since=<id>: the event log after an id, for clients that
poll instead of holding a socket, with the socket's resync rule.

Readable by the board roles (BOARD_ROLES). The front desk is not among them:
its screens do not follow the stream yet; add its group to BOARD_ROLES when
one does.
"""

from django.conf import settings
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import BasePermission
from rest_framework.response import Response
from rest_framework.views import APIView

from config.query import query_id
from realtime import selectors


class WatchesBoard(BasePermission):
    def has_permission(self, request, view) -> bool:
        return selectors.may_watch_board(request.user)


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
