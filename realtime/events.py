"""Every event type the system sends, with the fields its `data` must hold.

The wire vocabulary (DESIGN.md section 6): realtime's alert events, and the
types each app declares here when it is ready. `publish` refuses a type that
is not declared, or data that lacks a declared field, so a typo cannot reach
a board.

Besides events, the board socket carries a few control messages, listed in
`CONTROL_MESSAGES` (server to client) and `CLIENT_MESSAGES` (client to server).
"""

# An alert's whole state is in `alert.raised`; the others carry what changed.
# One alert stands for one reason (its kind and the order in its data, see
# realtime.services.alert_reason): a repeat while it is open sends
# `alert.raised` again with the same id and the new state (`count` reports so
# far, the latest `data`), which a board applies as it applies a new one, by id.
# Not `alert.repeated`: a board applies only its sound_count, and the pop-up
# would keep the old data (a problem on site that became an emergency).
ALERT_RAISED_FIELDS = ("id", "kind", "level", "raised_at", "sound_count", "count", "data")
ALERT_ACKNOWLEDGED_FIELDS = ("id", "by", "by_name", "at", "ack_seconds")
ALERT_REPEATED_FIELDS = ("id", "sound_count")
ALERT_ESCALATED_FIELDS = ("id", "level", "escalated_at", "to_role")

# Every declared type with the fields its data must hold: realtime's own, and
# those the apps declare when they are ready (workorders: its orders' events,
# from workorders.actions).
EVENT_TYPES: dict[str, tuple[str, ...]] = {
    "alert.raised": ALERT_RAISED_FIELDS,
    "alert.acknowledged": ALERT_ACKNOWLEDGED_FIELDS,
    "alert.repeated": ALERT_REPEATED_FIELDS,
    "alert.escalated": ALERT_ESCALATED_FIELDS,
}


def declare(types: dict[str, tuple[str, ...]]) -> None:
    """Add event types an app publishes. Raises ValueError for a type
    declared already with other fields."""
    for event_type, fields in types.items():
        if EVENT_TYPES.setdefault(event_type, tuple(fields)) != tuple(fields):
            raise ValueError(f"event type {event_type!r} is declared twice with different fields")


# Server to client, besides {"type": "event", ...}:
#   {"type": "resync"}                                   too far behind: reload GET /api/v1/board/
#   {"type": "ping", "last_event_id": <id|null>}        heartbeat; a silent socket is a dead one
#   {"type": "pong"}                                     answer to a client ping
#   {"type": "presence", "users": [{"username", "name"}]} who is on the board now
#   {"type": "ack_result", "alert": <id>, "won": <bool>} this client's ack stored, or someone was first
#   {"type": "error", "code": "<code>", "detail": "<message>"}
CONTROL_MESSAGES = ("resync", "ping", "pong", "presence", "ack_result", "error")
# Client to server: resume, ack, ping.
CLIENT_MESSAGES = ("resume", "ack", "ping")

# Close codes of the board socket; before closing, the server sends the error
# message named here, so the page can say why. A handshake that is refused
# (no login, no board role, a foreign origin) is an HTTP 403 instead.
CLOSE_SIGNED_OUT = 4401  # "signed_out": the login ended (logout, token revoked, session
#                          expired, user deactivated or deleted); a reconnect is refused
CLOSE_FORBIDDEN = 4403  # "role_changed": the user's roles no longer include a board role
CLOSE_RATE_LIMITED = 4429  # "rate_limited": too many messages
CLOSE_TOO_BIG = 1009  # "too_large": a frame or message over Daphne's limit (1 MiB)

BOARD_GROUP = "board"


def board_user_group(user_id: int) -> str:
    """The channel-layer group of one user's board sockets, in every process.
    realtime.services.board_sockets_recheck sends it {"type": "board.recheck"}
    when the user's login or roles change, with "ended_session" (a digest of
    the session key) on a logout; never a client message."""
    return f"board.user.{int(user_id)}"
