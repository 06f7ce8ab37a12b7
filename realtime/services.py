"""Publishing, alerts, board presence and the notices to a user's board
sockets: the only code that writes realtime's tables. Domain services call
`publish` and `raise_alert` inside their own transaction; realtime imports
nothing from the domain apps."""

import asyncio
import datetime
import json
import logging
import os
from typing import Any

from asgiref.sync import SyncToAsync, async_to_sync
from channels.layers import get_channel_layer
from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone

from realtime.auth import session_digest
from realtime.events import BOARD_GROUP, EVENT_TYPES, board_user_group
from realtime.models import Alert, BoardPresence, Event

logger = logging.getLogger(__name__)

# Key of the PostgreSQL advisory lock that orders event ids by commit (see
# `_take_publish_turn`). Any constant unique to this purpose.
_PUBLISH_LOCK_KEY = 0x626F617264  # "board"


class AlertNotFound(LookupError):
    """No alert with this id."""


def _take_publish_turn() -> None:
    # Boards rely on "id order = commit order": a board that sees event n+2
    # before n+1 asks the table for what lies between, and must find every
    # committed row there. Two transactions that took ids n+1 and n+2 but
    # committed the other way round would break that, so publishers take a
    # transaction-scoped lock before taking an id; it is released at commit.
    # Publishing comes last in a use case, so the lock is held for a moment.
    # SQLite needs nothing: its write transactions are serialized already.
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_PUBLISH_LOCK_KEY])


def publish(event_type: str, data: dict[str, Any]) -> Event:
    """Write an event row in the caller's transaction and send it after commit.

    Must be called inside the transaction that made the change: if that
    transaction rolls back, the event row goes with it and nothing is sent.
    Raises ValueError for an undeclared type or missing fields.
    """
    return publish_many(event_type, [data])[0]


def publish_many(event_type: str, datas: list[dict[str, Any]]) -> list[Event]:
    """`publish` for many events of one type (a scheduler pass marking
    thousands of orders): one lock, one insert and one channel-layer message
    for all of them. Same contract and errors as `publish`."""
    for data in datas:
        _check(event_type, data)
    if not datas:
        return []
    # savepoint=False: inside the caller's transaction this adds nothing (no
    # savepoint round trips); alone it makes lock and insert one transaction.
    with transaction.atomic(savepoint=False):
        _take_publish_turn()
        # Ids come back in insertion order, taken under the publish turn.
        events = Event.objects.bulk_create([Event(type=event_type, data=data) for data in datas])
    # Encoded once here, not once per board: every consumer forwards this text.
    batch = [[event.id, event.as_text()] for event in events]
    transaction.on_commit(lambda: _send(batch))
    return events


def _check(event_type: str, data: dict[str, Any]) -> None:
    fields = EVENT_TYPES.get(event_type)
    if fields is None:
        raise ValueError(f"undeclared event type {event_type!r}")
    missing = [name for name in fields if name not in data]
    if missing:
        raise ValueError(f"event {event_type!r} lacks {missing}")
    # Payloads are plain JSON: fail here, not in a consumer, if one is not.
    json.dumps(data)


def _send(batch: list[list]) -> None:
    """Hands one commit's [[event id, text], ...] to the channel layer."""
    # The table is the source of truth: a channel layer that is down costs the
    # boards a catch-up (on their next heartbeat or reconnect), never the
    # request that made the change.
    loop = _server_loop()
    if loop is not None:
        try:
            # Do not wait for the layer: hand the events to the server's loop,
            # which sends what one commit published as one group message.
            loop.call_soon_threadsafe(_enqueue, loop, batch)
            return
        except RuntimeError:  # the loop has closed
            pass
    try:
        async_to_sync(get_channel_layer().group_send)(BOARD_GROUP, {"type": "board.events", "events": batch})
    except Exception:  # noqa: BLE001 - any layer failure is survivable by design
        logger.warning("channel layer unavailable; events %s stay in the log for catch-up", [e[0] for e in batch])


def _server_loop() -> asyncio.AbstractEventLoop | None:
    """The ASGI server's event loop when this code runs in one of its sync
    threads (a view, a consumer's database call), else None (a management
    command, a script)."""
    # asgiref records the loop for the threads sync_to_async runs code in.
    local = SyncToAsync.threadlocal
    if getattr(local, "main_event_loop_pid", None) != os.getpid():
        return None
    loop = getattr(local, "main_event_loop", None)
    return None if loop is None or loop.is_closed() else loop


# Per loop: events committed but not yet handed to the layer, oldest first.
_pending: dict[asyncio.AbstractEventLoop, list[list]] = {}


def _enqueue(loop: asyncio.AbstractEventLoop, events: list[list]) -> None:
    batch = _pending.get(loop)
    if batch is None:
        batch = _pending[loop] = []
        # Runs after the callbacks already queued: an order's event and its
        # alert, committed together, usually go out as one message.
        loop.create_task(_flush(loop))
    batch.extend(events)


async def _flush(loop: asyncio.AbstractEventLoop) -> None:
    batch = _pending.pop(loop, [])
    try:
        await get_channel_layer().group_send(BOARD_GROUP, {"type": "board.events", "events": batch})
    except Exception:  # noqa: BLE001 - any layer failure is survivable by design
        logger.warning("channel layer unavailable; events %s stay in the log for catch-up", [e[0] for e in batch])


# --- Alerts ---------------------------------------------------------------------------


def alert_reason(kind: str, data: dict[str, Any]) -> str:
    """What an alert is about, for "one open alert per reason": its kind and
    the order its data names (`id`, as in every order's event data), or the
    kind alone for an alert about no order (one summary of a kind at a time)."""
    # realtime knows no domain model: the kind and the data are all it reads.
    order_id = data.get("id")
    return kind if order_id is None else f"{kind}:{order_id}"[:100]


def raise_alert(*, kind: str, data: dict[str, Any]) -> Alert:
    """Raise an alert on every board (pop-up and sound) and publish
    `alert.raised`; while an alert for the same reason (`alert_reason`) is
    still open, update that one instead. Call it inside the transaction that
    made the reason for it, like `publish`. Raises ValueError when `data` is
    not plain JSON."""
    return raise_alerts(kind=kind, datas=[data])[0]


def raise_alerts(*, kind: str, datas: list[dict[str, Any]]) -> list[Alert]:
    """`raise_alert` for many reasons at once (a scheduler pass finding
    thousands of overdue orders), in a fixed number of statements; returns
    each item's alert in the order given. A reason with an open alert, or
    given twice, gets one alert: its `count` goes up, its `data` becomes the
    latest, and `alert.raised` goes out again with its id and new state (the
    board replaces the pop-up it shows; one worker pressing "emergency" 30
    times is one pop-up). Same contract and errors as `raise_alert`."""
    for data in datas:
        json.dumps(data)
    if not datas:
        return []
    reasons = [alert_reason(kind, data) for data in datas]
    with transaction.atomic(savepoint=False):
        # The publishing turn before reading the open alerts: raisers take
        # turns, so two that raise for one reason at once do not both find
        # none and insert (the constraint would fail the second's whole use
        # case). The turn before the rows, as everywhere.
        _take_publish_turn()
        now = timezone.now()
        open_ones = {
            alert.reason: alert
            for alert in Alert.objects.select_for_update().filter(acknowledged_at__isnull=True, reason__in=set(reasons))
        }
        new: list[Alert] = []
        repeated: dict[str, Alert] = {}
        for reason, data in zip(reasons, datas, strict=True):
            alert = open_ones.get(reason)
            if alert is None:
                alert = open_ones[reason] = Alert(
                    kind=kind, reason=reason, data=data, raised_at=now, last_sounded_at=now, last_raised_at=now
                )
                new.append(alert)
            else:
                alert.count += 1
                alert.data, alert.last_raised_at = data, now
                if alert.pk is not None:
                    repeated[reason] = alert
        Alert.objects.bulk_create(new)
        Alert.objects.bulk_update(list(repeated.values()), ["count", "data", "last_raised_at"])
        # One event per alert, with its state after all of this call's items.
        changed = {alert.reason: alert for alert in [*new, *repeated.values()]}
        publish_many("alert.raised", [changed[reason].as_data() for reason in dict.fromkeys(reasons)])
    return [open_ones[reason] for reason in reasons]


def alert_acknowledge(*, actor: AbstractBaseUser, alert_id: int) -> tuple[Alert, bool]:
    """Acknowledge an alert for every board: the first acknowledgement is
    stored (who, after how long) and published as `alert.acknowledged`; a later
    one changes nothing. Returns the alert and whether this call was the first.
    Raises AlertNotFound. The caller checks the actor's role."""
    with transaction.atomic():
        raised_at = Alert.objects.filter(pk=alert_id).values_list("raised_at", flat=True).first()
        if raised_at is None:
            raise AlertNotFound(alert_id)
        won = _acknowledge(actor=actor, alert_id=alert_id, raised_at=raised_at)
        alert = Alert.objects.select_related("acknowledged_by").get(pk=alert_id)
    return alert, won


def alerts_acknowledge_for(*, kind: str, data_id: int, actor: AbstractBaseUser | None) -> list[int]:
    """Acknowledge, as `actor`, the open alerts of this kind raised about the
    object whose id is `data_id` (an `order.received` alert once its order is
    assigned, started or cancelled: a handled request must stop sounding).
    `actor` None is the department's scheduled work: the acknowledgement then
    names no one. Call it inside the transaction that handled the object, like `publish`.
    Returns the ids of the alerts this call acknowledged. Raises nothing of its own."""
    acknowledged = []
    with transaction.atomic(savepoint=False):
        # Open alerts are few (the index on acknowledged_at finds them); the
        # JSON lookup only filters those.
        open_ones = Alert.objects.filter(kind=kind, acknowledged_at__isnull=True, data__id=data_id)
        for alert_id, raised_at in open_ones.values_list("id", "raised_at"):
            if _acknowledge(actor=actor, alert_id=alert_id, raised_at=raised_at):
                acknowledged.append(alert_id)
    return acknowledged


def _acknowledge(*, actor: AbstractBaseUser | None, alert_id: int, raised_at: datetime.datetime) -> bool:
    # Lock order: the publish turn before an alert's row, everywhere. An order
    # service acknowledges its alert after publishing the order's event (it
    # holds the turn); an acknowledgement that locked the row first and then
    # waited for the turn would deadlock with it.
    _take_publish_turn()
    now = timezone.now()
    ack_seconds = round(max((now - raised_at).total_seconds(), 0.0), 3)
    # A conditional UPDATE, not read-then-write: of two dispatchers clicking
    # at once exactly one matches `acknowledged_at IS NULL`, on any database.
    won = bool(
        Alert.objects.filter(pk=alert_id, acknowledged_at__isnull=True).update(
            acknowledged_by=actor, acknowledged_at=now, ack_seconds=ack_seconds
        )
    )
    if won:
        publish(
            "alert.acknowledged",
            {
                "id": alert_id,
                "by": actor.get_username() if actor is not None else None,
                "by_name": _display_name(actor) if actor is not None else "",
                "at": now.isoformat(),
                "ack_seconds": ack_seconds,
            },
        )
    return won


def alerts_tick(*, now: datetime.datetime | None = None) -> dict[str, int]:
    """One round of the alert worker: sound again every unacknowledged alert
    whose last sound is older than ALERT_REPEAT_SECONDS (`alert.repeated`), and
    escalate to the lead those raised more than ALERT_ESCALATE_SECONDS ago
    (`alert.escalated`). Idempotent and safe to run in several processes at
    once: each alert is changed by a conditional UPDATE that only one wins.
    Returns how many were repeated and escalated. Raises nothing of its own."""
    now = now or timezone.now()
    repeat_before = now - datetime.timedelta(seconds=settings.ALERT_REPEAT_SECONDS)
    escalate_before = now - datetime.timedelta(seconds=settings.ALERT_ESCALATE_SECONDS)
    done = {"repeated": 0, "escalated": 0}
    with transaction.atomic():
        _take_publish_turn()  # before the rows: the lock order of `_acknowledge`
        # skip_locked: a second worker passes over the rows the first holds
        # instead of waiting for them (PostgreSQL; SQLite serializes writers).
        due = list(
            Alert.objects.select_for_update(skip_locked=True)
            .filter(acknowledged_at__isnull=True, escalated_at__isnull=True, raised_at__lte=escalate_before)
            .order_by("id")
        )
        for alert in due:
            if Alert.objects.filter(pk=alert.pk, acknowledged_at__isnull=True, escalated_at__isnull=True).update(
                escalated_at=now, level=Alert.Level.ESCALATED
            ):
                publish(
                    "alert.escalated",
                    {"id": alert.pk, "level": Alert.Level.ESCALATED, "escalated_at": now.isoformat(),
                     "to_role": settings.ALERT_ESCALATION_ROLE},
                )
                done["escalated"] += 1
    with transaction.atomic():
        _take_publish_turn()
        due = list(
            Alert.objects.select_for_update(skip_locked=True)
            .filter(acknowledged_at__isnull=True, last_sounded_at__lte=repeat_before)
            .order_by("id")
        )
        for alert in due:
            # Matching the last_sounded_at we read: a worker that read the same
            # row before another one sounded it updates nothing.
            if Alert.objects.filter(
                pk=alert.pk, acknowledged_at__isnull=True, last_sounded_at=alert.last_sounded_at
            ).update(last_sounded_at=now, sound_count=F("sound_count") + 1):
                publish("alert.repeated", {"id": alert.pk, "sound_count": alert.sound_count + 1})
                done["repeated"] += 1
    return done


# --- A user's board sockets ---------------------------------------------------------


def board_sockets_recheck(*, user_id: int, ended_session: str | None = None) -> None:
    """After the current transaction commits (at once outside one), tell every
    board socket of this user, in every process, to check whether it may stay
    open (realtime.auth.socket_check): a socket closes when its token was
    deleted, its session ended, its user was deactivated or deleted, or lost
    the board roles. `ended_session`, the key of a session being logged out,
    closes that session's sockets without a check: Django deletes the session
    only after telling that it logs out. Called by realtime.signals.
    Raises nothing of its own."""
    message: dict[str, Any] = {"type": "board.recheck"}
    if ended_session:
        message["ended_session"] = session_digest(ended_session)
    group = board_user_group(user_id)
    # After commit: a socket that checked before would find the old rights.
    transaction.on_commit(lambda: _send_to_group(group, message))


# Notices handed to the server's loop, kept until sent (a task nobody holds may be collected).
_notices: set[asyncio.Task] = set()


def _send_to_group(group: str, message: dict[str, Any]) -> None:
    # A notice that is lost (a layer that is down) costs the sockets the
    # wait for their periodic check, never the change that sent it.
    loop = _server_loop()
    if loop is not None:
        try:
            loop.call_soon_threadsafe(_spawn_notice, loop, group, message)
            return
        except RuntimeError:  # the loop has closed
            pass
    try:
        async_to_sync(get_channel_layer().group_send)(group, message)
    except Exception:  # noqa: BLE001 - the sockets' periodic check covers it
        logger.warning("channel layer unavailable; board sockets wait for their periodic check")


def _spawn_notice(loop: asyncio.AbstractEventLoop, group: str, message: dict[str, Any]) -> None:
    async def send() -> None:
        try:
            await get_channel_layer().group_send(group, message)
        except Exception:  # noqa: BLE001 - the sockets' periodic check covers it
            logger.warning("channel layer unavailable; board sockets wait for their periodic check")

    task = loop.create_task(send())
    _notices.add(task)
    task.add_done_callback(_notices.discard)


# --- Board presence -----------------------------------------------------------------


def _display_name(user: AbstractBaseUser) -> str:
    full = getattr(user, "get_full_name", lambda: "")()
    return full or user.get_username()


def presence_join(*, user: AbstractBaseUser, channel_name: str) -> None:
    """Record that this board socket is open. Raises nothing of its own."""
    now = timezone.now()
    BoardPresence.objects.update_or_create(
        channel_name=channel_name, defaults={"user": user, "joined_at": now, "seen_at": now}
    )


def presence_seen(*, channel_names: list[str]) -> None:
    """Refresh the presence of these sockets (one process's boards) at once."""
    BoardPresence.objects.filter(channel_name__in=channel_names).update(seen_at=timezone.now())


def presence_leave(*, channel_name: str) -> None:
    """Forget this board socket, and any left by a process that died."""
    BoardPresence.objects.filter(channel_name=channel_name).delete()
    stale = timezone.now() - datetime.timedelta(seconds=settings.BOARD_HEARTBEAT_SECONDS * 3)
    BoardPresence.objects.filter(seen_at__lt=stale).delete()
