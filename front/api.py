"""The live board's API: GET /api/v1/board/ (the snapshot a board starts from)
and the assign dialog's suggestions. The board's events come from realtime's
socket; its buttons call the order API.

A board loads the snapshot, then resumes the event stream from the snapshot's
`last_event_id`; applying those events to the snapshot gives what a fresh
snapshot would show (tests/realtime/test_snapshot.py proves it).
"""

from typing import Any

from django.db import connection, transaction
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.permissions import BasePermission
from rest_framework.response import Response
from rest_framework.views import APIView

from dispatch.selectors import assignment_suggestions
from realtime import selectors as realtime_selectors
from workorders.models import State, WorkOrder
from workorders.selectors import approval_owed_orders
from workorders.services import order_event_data

# The board's columns; `approved` shows in the first one, ready to assign.
BOARD_STATES = [
    State.RECEIVED, State.AWAITING_APPROVAL, State.APPROVED, State.ASSIGNED,
    State.PRINTED, State.IN_SERVICE, State.RETURNED,
]
# A worker's open work, for the "fewest open orders" suggestion.
WORKER_OPEN_STATES = [State.ASSIGNED, State.PRINTED, State.IN_SERVICE]


def board_snapshot() -> dict[str, Any]:
    """Open orders (as event cards), open alerts, the orders that owe their
    approval (an emergency start skipped it; in any state, closed too, until
    the lead records it), and the id of the last event they include. Every
    order event carries `approval_owed`: a board keeps its owed list by it."""
    outermost = not connection.in_atomic_block
    with transaction.atomic():
        if connection.vendor == "postgresql" and outermost:
            # One snapshot for all three reads (only possible as the first
            # statement; inside a caller's transaction the rule below suffices).
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        # The id first: every change up to it is in the reads below. A change
        # after it that they show anyway comes again as an event, and applying
        # it twice is harmless: each order event carries the whole card.
        last = realtime_selectors.last_event_id()
        orders = (
            WorkOrder.objects.filter(state__in=BOARD_STATES)
            .select_related("resident__area", "service", "worker", "partner")
            .order_by("id")
        )
        cards = [order_event_data(order) for order in orders]
        alerts = [alert.as_data() for alert in realtime_selectors.open_alerts()]
        owed = [order_event_data(order) for order in approval_owed_orders()]
    return {"last_event_id": last, "orders": cards, "alerts": alerts, "approval_owed": owed}


class WatchesBoard(BasePermission):
    def has_permission(self, request, view) -> bool:
        return realtime_selectors.may_watch_board(request.user)


class BoardSnapshotView(APIView):
    permission_classes = [WatchesBoard]

    @extend_schema(
        responses=inline_serializer(
            "BoardSnapshot",
            {
                "last_event_id": serializers.IntegerField(allow_null=True),
                "orders": serializers.ListField(child=serializers.DictField()),
                "alerts": serializers.ListField(child=serializers.DictField()),
                "approval_owed": serializers.ListField(child=serializers.DictField()),
            },
        ),
        summary="Open orders, open alerts and orders owing their approval, with the last event id they include",
    )
    def get(self, request):
        return Response(board_snapshot())


class AssignSuggestionsView(APIView):
    permission_classes = [WatchesBoard]

    @extend_schema(
        responses=inline_serializer(
            "AssignSuggestions",
            {
                "workers": serializers.ListField(child=serializers.DictField()),
                "partners": serializers.ListField(child=serializers.DictField()),
            },
        ),
        summary="Workers and partner units that could take this order",
    )
    def get(self, request, pk: int):
        order = get_object_or_404(WorkOrder.objects.select_related("service", "resident"), pk=pk)
        return Response(
            assignment_suggestions(service=order.service, resident=order.resident, open_states=WORKER_OPEN_STATES)
        )
