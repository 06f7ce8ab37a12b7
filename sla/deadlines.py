"""An order's deadlines, computed from its history on a working calendar.

Pure computation (no writes): the scheduler stores the result in
`OrderDeadline`, and `GET /api/v1/orders-deadlines/` answers it fresh.

- dispatch by: the request (the `create` history row) plus the service's
  response target; met by the first `assign` or `emergency_start`.
- start by: the agreed time (`requested_for`) plus SLA_START_GRACE_MINUTES, or
  else the request plus the service's start target when it has one; met by the
  first `collect` or `emergency_start`.
- follow-up by: the return plus FOLLOWUP_DUE_WORKING_DAYS working days (the
  same promise as followup's callback queue); met by the first `log_followup`
  or `close_unreachable`.
"""

import datetime
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.db import connection
from django.utils import timezone

from sla.calendar import WorkingCalendar
from sla.models import ServiceLevel, Stage, TargetUnit
from workorders.models import State, WorkOrder

DISPATCHED = {"assign", "emergency_start"}
STARTED = {"collect", "emergency_start"}
FOLLOWED_UP = {"log_followup", "close_unreachable"}

# Which stage's deadline an order in each state is working toward.
STAGE_OF_STATE = {
    State.RECEIVED: Stage.DISPATCH,
    State.AWAITING_APPROVAL: Stage.DISPATCH,
    State.APPROVED: Stage.DISPATCH,
    State.ASSIGNED: Stage.START,
    State.PRINTED: Stage.START,
    State.RETURNED: Stage.FOLLOWUP,
}


@dataclass(frozen=True)
class Target:
    amount: float
    unit: str


@dataclass(frozen=True)
class ServiceTargets:
    response: Target
    start: Target | None


def service_targets(service_ids: Iterable[int] | None = None) -> dict[int, ServiceTargets]:
    """Each service's targets: its ServiceLevel, the one place a deadline is
    set (every service has one, see sla.signals). A service without one
    could only come from a bulk insert that skipped the signal; it is
    counted as its level would have been made: `response_target_minutes`
    in wall-clock minutes, no start target."""
    from dispatch.models import ServiceItem

    services = ServiceItem.objects.all()
    if service_ids is not None:
        services = services.filter(pk__in=set(service_ids))
    levels = {lvl.service_id: lvl for lvl in ServiceLevel.objects.filter(service__in=services)}
    targets = {}
    for service_id, minutes in services.values_list("id", "response_target_minutes"):
        level = levels.get(service_id)
        if level is None:
            targets[service_id] = ServiceTargets(Target(max(minutes, 1), TargetUnit.MINUTES), None)
        else:
            start = Target(level.start_amount, level.start_unit) if level.start_amount else None
            targets[service_id] = ServiceTargets(Target(level.response_amount, level.response_unit), start)
    return targets


@dataclass(frozen=True)
class Deadlines:
    dispatch_by: datetime.datetime | None
    start_by: datetime.datetime | None
    followup_by: datetime.datetime | None
    dispatched_at: datetime.datetime | None
    started_at: datetime.datetime | None
    followed_up_at: datetime.datetime | None
    stage: str
    due_at: datetime.datetime | None

    def as_data(self, now: datetime.datetime) -> dict:
        def iso(value):
            return timezone.localtime(value).isoformat() if value else None

        return {
            "dispatch_by": iso(self.dispatch_by), "start_by": iso(self.start_by),
            "followup_by": iso(self.followup_by), "stage": self.stage or None, "due_at": iso(self.due_at),
            "overdue": self.due_at is not None and self.due_at < now,
        }


def compute(
    *,
    order: "WorkOrder | OrderFacts",
    history: list[tuple[str, datetime.datetime]],
    targets: ServiceTargets,
    calendar: WorkingCalendar,
) -> Deadlines:
    """The order's deadlines from its history rows (transition, at), oldest first."""
    # One scan of the history (a pass computes 100,000 orders): the first
    # row of each step, and the last return.
    created = dispatched_at = started_at = followed_up_at = returned = None
    for name, at in history:
        if name == "create" and created is None:
            created = at
        elif name == "return_order":
            returned = at
        if dispatched_at is None and name in DISPATCHED:
            dispatched_at = at
        if started_at is None and name in STARTED:
            started_at = at
        if followed_up_at is None and name in FOLLOWED_UP:
            followed_up_at = at
    created = created or order.created_at
    dispatch_by = calendar.deadline(created, targets.response.amount, targets.response.unit)
    if order.requested_for is not None:
        start_by = order.requested_for + datetime.timedelta(minutes=settings.SLA_START_GRACE_MINUTES)
    elif targets.start is not None:
        start_by = calendar.deadline(created, targets.start.amount, targets.start.unit)
    else:
        start_by = None
    followup_by = (
        calendar.add_working_days(returned, settings.FOLLOWUP_DUE_WORKING_DAYS) if returned is not None else None
    )
    stage = STAGE_OF_STATE.get(order.state, "")
    due_at = {Stage.DISPATCH: dispatch_by, Stage.START: start_by, Stage.FOLLOWUP: followup_by}.get(stage)
    return Deadlines(
        dispatch_by=dispatch_by, start_by=start_by, followup_by=followup_by,
        dispatched_at=dispatched_at, started_at=started_at, followed_up_at=followed_up_at,
        stage=stage if due_at is not None else "", due_at=due_at,
    )


@dataclass(frozen=True)
class OrderFacts:
    """What the deadlines depend on besides the history: read as plain values,
    not as model instances (a scheduler pass reads tens of thousands)."""

    pk: int
    service_id: int
    state: str
    created_at: datetime.datetime
    requested_for: datetime.datetime | None


def compute_many(order_ids: list[int], *, calendar: WorkingCalendar) -> dict[int, Deadlines]:
    """Deadlines of several orders, with three queries (orders, history,
    service levels). Unknown ids are left out."""
    orders, rows = _read_orders(order_ids)
    history: dict[int, list[tuple[str, datetime.datetime]]] = {order.pk: [] for order in orders}
    for order_id, name, at in rows:
        history[order_id].append((name, at))
    targets = service_targets({order.service_id for order in orders})
    return {
        order.pk: compute(order=order, history=history[order.pk], targets=targets[order.service_id], calendar=calendar)
        for order in orders
    }


# The transitions `compute` looks at: the history read for it is only these.
_COUNTED = {"create", "return_order"} | DISPATCHED | STARTED | FOLLOWED_UP


def _read_orders(order_ids: list[int]) -> tuple[list[OrderFacts], list[tuple[int, str, datetime.datetime]]]:
    """The orders' facts, and their history rows (order, transition, at) that
    `compute` looks at, in order of id.

    On PostgreSQL both are read through a binary cursor, with the ids as one
    parameter: a scheduler pass reads 100,000 orders and a few hundred
    thousand history rows, whose timestamps psycopg's text protocol parses in
    Python (a third of the pass's time), and Django quotes an IN list of
    thousands of ids value by value."""
    from workorders.models import OrderHistory

    if connection.vendor != "postgresql":
        orders = [
            OrderFacts(*row)
            for row in WorkOrder.objects.filter(pk__in=order_ids).values_list(
                "pk", "service_id", "state", "created_at", "requested_for"
            )
        ]
        rows = (
            OrderHistory.objects.filter(order_id__in=[order.pk for order in orders], transition__in=_COUNTED)
            .order_by("order_id", "id")
            .values_list("order_id", "transition", "at")
        )
        return orders, list(rows)
    import psycopg

    ids = ",".join(str(int(pk)) for pk in order_ids)
    connection.ensure_connection()
    with psycopg.Cursor(connection.connection) as cursor:
        cursor.execute(
            f"SELECT id, service_id, state, created_at, requested_for FROM {WorkOrder._meta.db_table} "
            "WHERE id = ANY(string_to_array(%s, ',')::bigint[])",
            [ids], binary=True,
        )
        orders = [OrderFacts(*row) for row in cursor.fetchall()]
        cursor.execute(
            f"SELECT order_id, transition, at FROM {OrderHistory._meta.db_table} "
            "WHERE order_id = ANY(string_to_array(%s, ',')::bigint[]) AND transition = ANY(%s) "
            "ORDER BY order_id, id",
            [ids, sorted(_COUNTED)], binary=True,
        )
        return orders, cursor.fetchall()
