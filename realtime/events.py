"""Every event type the system sends, with the fields its `data` must hold.

The one list of the wire vocabulary (DESIGN.md section 6). `publish` refuses a
type that is not here, or data that lacks a declared field, so a typo cannot
reach a board.

Besides events, the board socket carries a few control messages, listed in
`CONTROL_MESSAGES` (server to client) and `CLIENT_MESSAGES` (client to server).
"""

ORDER_FIELDS = ("id", "number", "state")

# An alert's whole state is in `alert.raised`; the others carry what changed.
ALERT_RAISED_FIELDS = ("id", "kind", "level", "raised_at", "sound_count", "data")
ALERT_ACKNOWLEDGED_FIELDS = ("id", "by", "by_name", "at", "ack_seconds")
ALERT_REPEATED_FIELDS = ("id", "sound_count")
ALERT_ESCALATED_FIELDS = ("id", "level", "escalated_at", "to_role")

EVENT_TYPES: dict[str, tuple[str, ...]] = {
    "order.received": ORDER_FIELDS,
    "order.approval_requested": ORDER_FIELDS,
    "order.approved": ORDER_FIELDS,
    "order.rejected": ORDER_FIELDS,
    "order.assigned": ORDER_FIELDS,
    "order.reassigned": ORDER_FIELDS,
    "order.printed": ORDER_FIELDS,
    "order.collected": ORDER_FIELDS,
    "order.redispatched": ORDER_FIELDS,
    "order.emergency_started": ORDER_FIELDS,
    "order.returned": ORDER_FIELDS,
    "order.cancelled": ORDER_FIELDS,
    "order.fee_settled": ORDER_FIELDS,
    "order.paperwork_backfilled": ORDER_FIELDS,
    "order.followed_up": ORDER_FIELDS,
    "order.escalated": ORDER_FIELDS,
    "order.resolved": ORDER_FIELDS,
    "order.closed_unreachable": ORDER_FIELDS,
    # A worker met a problem on site (workorders.Incident): no note, no health data.
    "order.incident_reported": (*ORDER_FIELDS, "incident"),
    "alert.raised": ALERT_RAISED_FIELDS,
    "alert.acknowledged": ALERT_ACKNOWLEDGED_FIELDS,
    "alert.repeated": ALERT_REPEATED_FIELDS,
    "alert.escalated": ALERT_ESCALATED_FIELDS,
}

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

BOARD_GROUP = "board"
