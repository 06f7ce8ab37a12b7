"""Every event type the system sends, with the fields its `data` must hold.

The one list of the wire vocabulary (DESIGN.md section 6). `publish` refuses a
type that is not here, or data that lacks a declared field, so a typo cannot
reach a board.
"""

ORDER_FIELDS = ("id", "number", "state")

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
}

BOARD_GROUP = "board"
