"""Publishing: the only way domain code tells the boards that something changed."""

import json
import logging
from typing import Any

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import transaction

from realtime.events import BOARD_GROUP, EVENT_TYPES
from realtime.models import Event

logger = logging.getLogger(__name__)


def publish(event_type: str, data: dict[str, Any]) -> Event:
    """Write an event row in the caller's transaction and send it after commit.

    Must be called inside the transaction that made the change: if that
    transaction rolls back, the event row goes with it and nothing is sent.
    Raises ValueError for an undeclared type or missing fields.
    """
    fields = EVENT_TYPES.get(event_type)
    if fields is None:
        raise ValueError(f"undeclared event type {event_type!r}")
    missing = [name for name in fields if name not in data]
    if missing:
        raise ValueError(f"event {event_type!r} lacks {missing}")
    # Payloads are plain JSON: fail here, not in a consumer, if one is not.
    json.dumps(data)
    event = Event.objects.create(type=event_type, data=data)
    transaction.on_commit(lambda: _send(event))
    return event


def _send(event: Event) -> None:
    # The table is the source of truth: a channel layer that is down costs the
    # boards a catch-up on reconnect, never the request that made the change.
    try:
        async_to_sync(get_channel_layer().group_send)(
            BOARD_GROUP, {"type": "board.event", "message": event.as_message()}
        )
    except Exception:  # noqa: BLE001 - any layer failure is survivable by design
        logger.warning("channel layer unavailable; event %s stays in the log for catch-up", event.id)
