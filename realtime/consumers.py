"""The board socket at /ws/board/ (DESIGN.md section 6).

A board resumes from the last event id it saw: it gets every later event from
the table, then live ones, in id order, each once. Live events reach a consumer
through the channel layer as text encoded once by `publish`; the consumer only
forwards them. Whenever ids jump (a message the layer dropped, a slow reader,
a Redis restart) or a heartbeat finds the table ahead, the consumer reads the
missing rows from the table: the layer is a fast path, the table the truth.

A socket stays open while the login it was opened with does and its user may
watch the board: it checks again when told to (a logout, a token deleted, a
change of the user's groups or account, sent to the user's group by
realtime.signals from any process), every RECHECK_EVERY_BEATS heartbeats
(what a lost notice or an expired session costs), and before every
acknowledgement; it closes with CLOSE_SIGNED_OUT or CLOSE_FORBIDDEN
(realtime.events) after an error message saying why.
"""

import asyncio
import json
import logging
import random
import time
from typing import Any

from channels.consumer import get_handler_name
from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncWebsocketConsumer
from django.conf import settings
from django.utils.translation import gettext as _

from realtime import selectors, services
from realtime.auth import Credential, SocketCheck, session_digest, socket_check
from realtime.events import BOARD_GROUP, CLOSE_FORBIDDEN, CLOSE_RATE_LIMITED, CLOSE_SIGNED_OUT, board_user_group

logger = logging.getLogger(__name__)

# A client that says nothing after connecting gets the events from the moment
# it connected; browsers send "resume" within a few milliseconds.
RESUME_WAIT_SECONDS = 2.0
# Presence changes in bursts (a shift starting, a server restart): a process
# broadcasts it at most this often, and each board sends its client the latest.
PRESENCE_DEBOUNCE_SECONDS = 0.5
# A socket checks its login and roles on every this many heartbeats (once a
# minute at 20 s) besides when told to: a thread hop and three indexed reads
# per socket, spread as the heartbeats are.
RECHECK_EVERY_BEATS = 3

_PONG = json.dumps({"type": "pong"})
_RESYNC = json.dumps({"type": "resync"})


def _error(code: str, detail: str) -> str:
    return json.dumps({"type": "error", "code": code, "detail": detail}, ensure_ascii=False)


class BoardConsumer(AsyncWebsocketConsumer):
    user: Any = None
    # The client's message allowance (a token bucket) and when it was last filled.
    allowance: float = 0.0
    allowance_at: float | None = None
    closing = False  # closed by the server (a flood, a login that ended): ignore the rest
    credential: Credential | None = None
    session_digest: str | None = None  # of the session it was opened with, if any

    async def connect(self) -> None:
        user = self.scope.get("user")
        user_id = user.pk if user is not None and user.is_authenticated else None
        self.credential = Credential.of(self.scope)
        if user_id is None or self.credential is None:
            await self.close(code=CLOSE_FORBIDDEN)  # before accepting: the handshake's HTTP 403
            return
        # Join the user's group before checking: a logout or a revocation
        # committed after the check is then surely told to this socket.
        self.user_group = board_user_group(user_id)
        await self.channel_layer.group_add(self.user_group, self.channel_name)
        check = await database_sync_to_async(socket_check)(credential=self.credential, user_id=user_id)
        if check.close_code is not None:
            await self.channel_layer.group_discard(self.user_group, self.channel_name)
            await self.close(code=CLOSE_FORBIDDEN)
            return
        self.user = user
        self.may_ack = check.may_ack
        self.session_digest = session_digest(self.credential.key) if self.credential.kind == "session" else None
        self.lock = asyncio.Lock()  # one writer of the stream at a time: live, replay, heartbeat
        self.streaming = False
        self.position: int | None = None  # id of the last event sent
        self.pending: dict[int, str] = {}  # live events that came before "resume"
        self.resumed = False
        self.presence_text: str | None = None
        self.presence_sent: str | None = None
        self.presence_task: asyncio.Task | None = None
        # Join the group before reading the head: an event committed after the
        # read is then surely delivered live (or found by a later catch-up).
        await self.channel_layer.group_add(BOARD_GROUP, self.channel_name)
        self.head_at_connect = await database_sync_to_async(self._join)()
        await self.accept()
        _local_boards(asyncio.get_running_loop()).add(self.channel_name)
        _announce_presence(self.channel_layer)
        self.tasks = [asyncio.create_task(self._heartbeat()), asyncio.create_task(self._implicit_resume())]

    async def dispatch(self, message: dict[str, Any]) -> None:
        # Channels' own dispatch first closes stale database connections by a
        # hop to the one thread that runs sync code, for every message: with
        # 100 boards, one commit's group message cost 100 hops queued in front
        # of the HTTP views sharing that thread (half the intake's latency at
        # N = 100, bench/RESULTS.md). This consumer reaches the database only
        # through database_sync_to_async, which closes them itself in that thread.
        handler = getattr(self, get_handler_name(message), None)
        if handler is None:
            raise ValueError(f"No handler for message type {message['type']}")
        await handler(message)

    async def disconnect(self, code: int) -> None:
        if self.user is None:
            return
        for task in [*self.tasks, self.presence_task]:
            if task is not None:
                task.cancel()
        try:
            await self.channel_layer.group_discard(BOARD_GROUP, self.channel_name)
            await self.channel_layer.group_discard(self.user_group, self.channel_name)
        except Exception:  # noqa: BLE001 - a layer that is down has forgotten us anyway
            logger.warning("board: channel layer unavailable while leaving")
        _local_boards(asyncio.get_running_loop()).discard(self.channel_name)
        await database_sync_to_async(services.presence_leave)(channel_name=self.channel_name)
        _announce_presence(self.channel_layer)

    # One thread hop each (the check, then this): connecting a room full of
    # boards at once (a server restart) is bound by these calls, which run one at a time.
    def _join(self) -> int | None:
        services.presence_join(user=self.user, channel_name=self.channel_name)
        return selectors.last_event_id()

    # --- from the client ----------------------------------------------------------

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        if self.closing:
            return  # closing; what is still in flight is dropped
        if not self._within_rate():
            # One client must not keep the consumer's loop and database busy
            # for every other board in this process.
            logger.warning("board: a client sent too many messages; closing its socket")
            await self._close_with("rate_limited", _("Too many messages; reconnect in a moment."), CLOSE_RATE_LIMITED)
            return
        if text_data is not None and len(text_data) > settings.BOARD_MESSAGE_MAX_CHARS:
            await self.send(text_data=_error("too_large", _("This message is too large.")))
            return
        try:
            message = json.loads(text_data or "")
            kind = message.get("type")
        except (ValueError, AttributeError, RecursionError):
            await self.send(text_data=_error("invalid", _("Messages are JSON objects with a type.")))
            return
        if kind == "resume":
            last = message.get("last_event_id")
            if last is not None and (not isinstance(last, int) or isinstance(last, bool) or last < 0):
                await self.send(text_data=_error("invalid", _("last_event_id must be an event id or null.")))
                return
            async with self.lock:
                self.resumed = True
                await self._start_stream(last)
        elif kind == "ack":
            await self._acknowledge(message.get("alert"))
        elif kind == "ping":
            await self.send(text_data=_PONG)
        else:
            await self.send(text_data=_error("invalid", _("Unknown message type.")))

    def _within_rate(self) -> bool:
        """Takes one message from the allowance: BOARD_MESSAGE_BURST at once,
        refilled at BOARD_MESSAGES_PER_SECOND. False when it is used up."""
        now = time.monotonic()
        burst = settings.BOARD_MESSAGE_BURST
        if self.allowance_at is None:
            self.allowance = float(burst)
        else:
            self.allowance = min(burst, self.allowance + (now - self.allowance_at) * settings.BOARD_MESSAGES_PER_SECOND)
        self.allowance_at = now
        if self.allowance < 1:
            return False
        self.allowance -= 1
        return True

    async def _acknowledge(self, alert_id: Any) -> None:
        if not isinstance(alert_id, int) or isinstance(alert_id, bool):
            await self.send(text_data=_error("invalid", _("alert must be an alert id.")))
            return
        if not self.may_ack:
            await self.send(text_data=_error("forbidden", _("Your role may not acknowledge alerts.")))
            return
        check, won = await database_sync_to_async(self._acknowledge_if_allowed)(alert_id)
        if check.close_code is not None:
            await self._end(check.close_code)
        elif not check.may_ack:
            await self.send(text_data=_error("forbidden", _("Your role may not acknowledge alerts.")))
        elif won is None:
            await self.send(text_data=_error("not_found", _("No such alert.")))
        else:
            # Everyone, this client included, closes the pop-up on `alert.acknowledged`.
            await self.send(text_data=json.dumps({"type": "ack_result", "alert": alert_id, "won": won}))

    def _acknowledge_if_allowed(self, alert_id: int) -> tuple[SocketCheck, bool | None]:
        # The right checked in the same hop as the acknowledgement: a login
        # that ended a moment ago, before its notice came, acknowledges nothing.
        check = socket_check(credential=self.credential, user_id=self.user.pk)
        self.may_ack = check.may_ack
        if check.close_code is not None or not check.may_ack:
            return check, None
        try:
            _alert, won = services.alert_acknowledge(actor=check.user, alert_id=alert_id)
        except services.AlertNotFound:
            return check, None
        return check, won

    # --- the right to stay -------------------------------------------------------------

    async def board_recheck(self, message: dict[str, Any]) -> None:
        """The user's login or roles changed somewhere (realtime.signals)."""
        if self.user is None or self.closing:
            return  # refused or closing already
        ended = message.get("ended_session")
        if ended is not None and ended == self.session_digest:
            await self._end(CLOSE_SIGNED_OUT)  # this session is logging out, and is gone in a moment
            return
        await self._recheck()

    async def _recheck(self) -> None:
        check = await database_sync_to_async(socket_check)(credential=self.credential, user_id=self.user.pk)
        if check.close_code is not None:
            await self._end(check.close_code)
        else:
            self.may_ack = check.may_ack

    async def _end(self, code: int) -> None:
        if code == CLOSE_SIGNED_OUT:
            await self._close_with("signed_out", _("You are signed out. Sign in again to watch the board."), code)
        else:
            await self._close_with("role_changed", _("Your role no longer lets you watch the board."), code)

    async def _close_with(self, error: str, detail: str, code: int) -> None:
        if self.closing:
            return
        self.closing = True
        await self.send(text_data=_error(error, detail))
        await self.close(code=code)

    # --- the stream (callers hold self.lock) -------------------------------------------

    async def _start_stream(self, last: int | None) -> None:
        if last is None:
            last = self.head_at_connect if self.position is None else self.position
        limit = settings.ORDER_EVENTS_REPLAY_LIMIT
        head = await database_sync_to_async(selectors.last_event_id)()
        if last is not None and last > (head or 0):
            # An id this log never gave out: the client's state is from elsewhere.
            await self._resync()
            return
        rows = await database_sync_to_async(selectors.events_after)(last, limit=limit + 1)
        if len(rows) > limit:
            await self._resync()
            return
        self.position = last
        self.streaming = True
        for row in rows:
            await self.send(text_data=row.as_text())
            self.position = row.id
        pending, self.pending = self.pending, {}
        for event_id in sorted(pending):
            await self._forward(event_id, pending[event_id])

    async def _resync(self) -> None:
        self.streaming = False
        self.position = None
        self.pending = {}
        await self.send(text_data=_RESYNC)

    async def _forward(self, event_id: int, text: str) -> None:
        if self.position is not None and event_id <= self.position:
            return  # already sent from the table
        if self.position is not None and event_id != self.position + 1:
            # Ids jumped: the layer lost something, or a transaction rolled back
            # its id. Id order is commit order, so every committed row before
            # this one is in the table now.
            # That read sent this event too; the table, not the message, decides.
            await self._catch_up()
            return
        await self.send(text_data=text)
        self.position = event_id

    async def _catch_up(self) -> None:
        limit = settings.ORDER_EVENTS_REPLAY_LIMIT
        rows = await database_sync_to_async(selectors.events_after)(self.position, limit=limit + 1)
        if len(rows) > limit:
            await self._resync()
            return
        for row in rows:
            await self.send(text_data=row.as_text())
            self.position = row.id

    async def _implicit_resume(self) -> None:
        await asyncio.sleep(RESUME_WAIT_SECONDS)
        async with self.lock:
            if not self.resumed:
                self.resumed = True
                await self._start_stream(None)

    async def _heartbeat(self) -> None:
        # The first beat comes at a random point of the interval: boards that
        # connected together (a server restart) then do not all read the
        # table in the same millisecond, every interval.
        delay = settings.BOARD_HEARTBEAT_SECONDS * random.uniform(0.5, 1.0)
        beats = 0
        while not self.closing:
            await asyncio.sleep(delay)
            delay = settings.BOARD_HEARTBEAT_SECONDS
            beats += 1
            try:
                if beats % RECHECK_EVERY_BEATS == 0:
                    await self._recheck()
                    if self.closing:
                        return
                head = await _table_head()
                async with self.lock:
                    if self.streaming and head is not None and (self.position or 0) < head:
                        # Covers events whose live message never came and no
                        # later event revealed (a Redis restart, a full channel).
                        await self._catch_up()
                    await self.send(text_data=json.dumps({"type": "ping", "last_event_id": self.position}))
                _presence_tick(self.channel_layer)
            except asyncio.CancelledError:
                raise
            except Exception:  # noqa: BLE001 - a failed beat must not end the heartbeat
                logger.exception("board heartbeat failed")

    # --- from the channel layer ----------------------------------------------------------

    async def board_events(self, message: dict[str, Any]) -> None:
        # One message per commit: [[id, text], ...], each text encoded once by
        # `publish` for every board in this process.
        for index, (event_id, text) in enumerate(message["events"]):
            if index:
                # Let the other boards take this commit's first event before
                # this one sends the next: the new card everywhere first.
                await asyncio.sleep(0)
            async with self.lock:
                if not self.streaming:
                    if len(self.pending) < settings.ORDER_EVENTS_REPLAY_LIMIT:
                        self.pending[event_id] = text
                    # Past the limit the buffer is dropped on purpose: the
                    # replay from the table on "resume" covers it.
                    continue
                await self._forward(event_id, text)

    async def board_presence(self, message: dict[str, Any]) -> None:
        self.presence_text = message["text"]
        if self.presence_task is None or self.presence_task.done():
            self.presence_task = asyncio.create_task(self._debounced_presence())

    async def _debounced_presence(self) -> None:
        await asyncio.sleep(PRESENCE_DEBOUNCE_SECONDS)
        await self._send_presence()

    async def _send_presence(self) -> None:
        text = self.presence_text
        if text is not None and text != self.presence_sent:
            self.presence_sent = text
            await self.send(text_data=text)



# Presence is kept per process, not per board: with hundreds of boards open,
# a query or a write per board per heartbeat would queue up on the one thread
# that runs the consumers' database calls and stall new handshakes.
_boards: dict[asyncio.AbstractEventLoop, set[str]] = {}  # open board channels of this process
_presence_planned: set[asyncio.AbstractEventLoop] = set()  # a broadcast is coming
_presence_last: dict[asyncio.AbstractEventLoop, tuple[float, str]] = {}  # when, what was broadcast


# Per loop: when the table's last id was last read, and that read (shared by all boards).
_heads: dict[asyncio.AbstractEventLoop, tuple[float, asyncio.Task]] = {}


async def _table_head() -> int | None:
    """The event table's last id, read at most about once per heartbeat
    interval per process: each board's heartbeat compares its position with
    it and reads the table only when behind, instead of every board reading
    the table every interval (N reads through the one sync thread)."""
    loop = asyncio.get_running_loop()
    read_at, read = _heads.get(loop, (0.0, None))
    if read is None or (read.done() and loop.time() - read_at >= settings.BOARD_HEARTBEAT_SECONDS / 2):
        read = loop.create_task(database_sync_to_async(selectors.last_event_id)())
        _heads[loop] = (loop.time(), read)
    # shield: one board's heartbeat cancelled (its socket closed) must not
    # cancel the read the others wait for.
    return await asyncio.shield(read)


def _local_boards(loop: asyncio.AbstractEventLoop) -> set[str]:
    return _boards.setdefault(loop, set())


def _presence_tick(layer: Any) -> None:
    """Called on every board's heartbeat; once per interval per process it
    marks this process's boards as seen and re-broadcasts who is on the
    board if that changed (a board on another process that died quietly)."""
    loop = asyncio.get_running_loop()
    last = _presence_last.get(loop)
    if last is not None and loop.time() - last[0] < settings.BOARD_HEARTBEAT_SECONDS:
        return
    _presence_last[loop] = (loop.time(), last[1] if last else "")
    seen = sorted(_local_boards(loop))

    async def mark_seen() -> None:
        try:
            await database_sync_to_async(services.presence_seen)(channel_names=seen)
        except Exception:  # noqa: BLE001 - the next tick tries again
            logger.warning("board: presence update failed")
        _announce_presence(layer)

    loop.create_task(mark_seen())


def _announce_presence(layer: Any) -> None:
    """Tell every board who is on the board, at most once per
    PRESENCE_DEBOUNCE_SECONDS per process and only when it changed: a
    broadcast per join would cost N messages for each of N boards joining."""
    loop = asyncio.get_running_loop()
    if loop in _presence_planned:
        return
    _presence_planned.add(loop)

    async def broadcast() -> None:
        await asyncio.sleep(PRESENCE_DEBOUNCE_SECONDS)
        _presence_planned.discard(loop)
        try:
            users = await database_sync_to_async(selectors.board_presence)()
            text = json.dumps({"type": "presence", "users": users}, ensure_ascii=False)
            last = _presence_last.get(loop)
            if last is not None and last[1] == text:
                return
            _presence_last[loop] = (loop.time(), text)
            await layer.group_send(BOARD_GROUP, {"type": "board.presence", "text": text})
        except Exception:  # noqa: BLE001 - presence is refreshed on a later heartbeat
            logger.warning("board: presence broadcast failed")

    loop.create_task(broadcast())
