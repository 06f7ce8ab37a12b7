"""Use cases of the service levels, run by the scheduler (core.scheduler):
the deadlines of orders and the overdue marks with their alerts.

Every step here is safe in two scheduler copies at once: the deadlines are an
upsert of the same values, and the record that an alert went out once (an
`OverdueMark`) is an insert under a unique constraint, made in the same
transaction as the alert: of two copies, one inserts and the other skips the
row (ON CONFLICT DO NOTHING, once the first copy commits) and raises nothing.
"""

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Exists, F, OuterRef, Q
from django.utils import timezone

from realtime.services import raise_alerts
from sla import deadlines as deadline_rules
from sla.calendar import WorkingCalendar
from sla.models import OrderDeadline, OverdueMark
from workorders.models import OPEN_STATES, WorkOrder

OVERDUE_ALERT = "order.overdue"


# --- Deadlines ------------------------------------------------------------------------


def deadlines_refresh(*, calendar: WorkingCalendar | None = None, now: datetime.datetime | None = None) -> int:
    """Compute and store the deadlines of orders that changed since their last
    computation, that have none yet, or that were computed on another calendar
    (a closure or opening hours edited). Open orders first; at most
    SCHEDULER_BATCH_SIZE per call. Returns how many were computed.
    Raises nothing of its own."""
    calendar = calendar or WorkingCalendar.load()
    now = now or timezone.now()
    stale = (
        Q(deadline__isnull=True)
        | Q(deadline__computed_at__lt=F("updated_at"))
        | ~Q(deadline__calendar_key=calendar.key)
    )
    limit = settings.SCHEDULER_BATCH_SIZE
    ids = list(WorkOrder.objects.filter(stale, state__in=OPEN_STATES).order_by("id").values_list("id", flat=True)[:limit])
    if len(ids) < limit:
        ids += list(
            WorkOrder.objects.filter(stale).exclude(state__in=OPEN_STATES).order_by("id")
            .values_list("id", flat=True)[: limit - len(ids)]
        )
    done, key = 0, calendar.key
    for start in range(0, len(ids), _DEADLINE_CHUNK):
        computed = deadline_rules.compute_many(ids[start:start + _DEADLINE_CHUNK], calendar=calendar)
        _deadlines_store([
            (order_id, d.dispatch_by, d.start_by, d.followup_by, d.dispatched_at, d.started_at, d.followed_up_at,
             d.stage, d.due_at, key, now)
            for order_id, d in sorted(computed.items())
        ])
        done += len(computed)
    return done


# Orders computed and written at a time: bounds a pass's memory, and each
# chunk's rows are written in one statement.
_DEADLINE_CHUNK = 5000
# OrderDeadline's columns in the order of `_deadlines_store`'s rows, with
# their PostgreSQL types for a binary COPY.
_DEADLINE_COLUMNS = (
    ("order_id", "int8"), ("dispatch_by", "timestamptz"), ("start_by", "timestamptz"),
    ("followup_by", "timestamptz"), ("dispatched_at", "timestamptz"), ("started_at", "timestamptz"),
    ("followed_up_at", "timestamptz"), ("stage", "text"), ("due_at", "timestamptz"), ("calendar_key", "text"),
    ("computed_at", "timestamptz"),
)


def _deadlines_store(rows: list[tuple]) -> None:
    """Insert or update these OrderDeadline rows (tuples in _DEADLINE_COLUMNS
    order, ascending order id). An upsert: two scheduler copies computing the
    same order write the same values and neither fails on the other's insert;
    both take the rows' locks in order id order, so neither waits on the other
    in a cycle.

    On PostgreSQL the rows go in by a binary COPY into a temporary table and
    one INSERT ... SELECT: Django's bulk_create prepared every value in Python,
    the larger part of a pass after a calendar change (measured on 100,000
    rows, shared machine: COPY 0.7 s, the upsert itself 3 s in the server)."""
    names = [name for name, _type in _DEADLINE_COLUMNS]
    if connection.vendor != "postgresql":
        OrderDeadline.objects.bulk_create(
            [OrderDeadline(**dict(zip(names, row, strict=True))) for row in rows], batch_size=500,
            update_conflicts=True, unique_fields=["order"], update_fields=names[1:],
        )
        return
    table = connection.ops.quote_name(OrderDeadline._meta.db_table)
    columns = ", ".join(names)
    updates = ", ".join(f"{name} = EXCLUDED.{name}" for name in names[1:])
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"CREATE TEMPORARY TABLE sla_deadline_load (LIKE {table}) ON COMMIT DROP")
        with cursor.copy(f"COPY sla_deadline_load ({columns}) FROM STDIN (FORMAT BINARY)") as copy:
            copy.set_types([pg_type for _name, pg_type in _DEADLINE_COLUMNS])
            for row in rows:
                copy.write_row(row)
        cursor.execute(
            f"INSERT INTO {table} ({columns}) SELECT {columns} FROM sla_deadline_load ORDER BY order_id "
            f"ON CONFLICT (order_id) DO UPDATE SET {updates}"
        )
        # Dropped now, not at commit: a caller's outer transaction may store another chunk.
        cursor.execute("DROP TABLE sla_deadline_load")


# --- Overdue marks and their alerts ---------------------------------------------------------


def _levels() -> list[tuple[str, datetime.timedelta]]:
    return [
        (OverdueMark.Level.DISPATCHER, datetime.timedelta(0)),
        (OverdueMark.Level.LEAD, datetime.timedelta(minutes=settings.SLA_LEAD_LAG_MINUTES)),
        (OverdueMark.Level.SUPERVISOR, datetime.timedelta(minutes=settings.SLA_SUPERVISOR_LAG_MINUTES)),
    ]


def overdue_mark(*, now: datetime.datetime | None = None) -> dict[str, int]:
    """Mark every open order past its current stage's deadline, once per stage
    and escalation level: the dispatcher at the deadline, the dispatch lead and
    the supervisor SLA_LEAD_LAG_MINUTES and SLA_SUPERVISOR_LAG_MINUTES after
    it. Each new mark raises an `order.overdue` alert naming the role; an order
    that passed several levels since the last pass (a scheduler that was
    stopped) gets all their marks but one alert, at the highest level, so a
    board is not flooded with three pop-ups for one order. For the same
    reason, an order whose overdue alert is still open (nobody acknowledged
    it) has that alert updated to the new level or stage, not a second one
    (realtime.services.raise_alerts: one open alert per reason and order).
    Alerts stay one per order, not one summary per pass as subscriptions'
    failures: each names the order a dispatcher must act on and the level
    it reached, its red mark points to it, and acknowledging it says that
    someone took that order.
    Reads the stored deadlines (`deadlines_refresh` first). Returns the
    number of marks made per level. Raises nothing of its own."""
    now = now or timezone.now()
    made = {str(level): 0 for level, _lag in _levels()}
    due: dict[tuple[int, str], _Due] = {}
    for level, lag in _levels():
        marked = OverdueMark.objects.filter(order_id=OuterRef("order_id"), stage=OuterRef("stage"), level=level)
        rows = (
            # Only deadlines computed since the order last changed: one assigned
            # a moment ago waits for the next pass instead of a wrong alert.
            OrderDeadline.objects.filter(
                due_at__lt=now - lag, order__state__in=OPEN_STATES, order__updated_at__lte=F("computed_at")
            )
            .exclude(stage="")
            .exclude(Exists(marked))
            .values_list("order_id", "stage", "due_at", "order__number", "order__state")
        )
        for order_id, stage, due_at, number, state in rows:
            # Levels are read lowest first: the last one appended is the highest.
            due.setdefault((order_id, stage), _Due(due_at, number, state, [])).levels.append(str(level))
    # In (order, stage) order, in every copy: two copies lock the marks in the same order.
    keys = sorted(due)
    for start in range(0, len(keys), _MARK_BATCH):
        for level in _mark_batch({key: due[key] for key in keys[start:start + _MARK_BATCH]}, now=now):
            made[level] += 1
    return made


@dataclass(frozen=True)
class _Due:
    """An order's stage past its deadline, and the levels it reached that
    are not marked yet, lowest first."""

    due_at: datetime.datetime
    number: str
    state: str
    levels: list[str]


# Orders marked in one transaction. Each transaction raises its alerts under
# realtime's publishing lock (see realtime.services.publish), held until
# commit: a few hundred alerts keep the boards' other events waiting well
# under a second, where one transaction per mark cost a commit each.
_MARK_BATCH = 200


def _mark_batch(due: dict[tuple[int, str], _Due], *, now: datetime.datetime) -> list[str]:
    """Make the marks of these orders' stages in one transaction, and one
    alert per stage at its highest level, which the marks of lower levels made
    in this pass point to as well. A mark another scheduler copy made first is
    skipped (the unique constraint; its insert is waited for), and so is the
    alert of a stage whose highest mark that copy made: its alert is the one.
    Returns the level of each mark made."""
    # Each stage's levels lowest first, so their ids follow the escalation.
    marks = [
        (order_id, stage, level, item.due_at, now)
        for (order_id, stage), item in sorted(due.items())
        for level in item.levels
    ]
    with transaction.atomic():
        made = _marks_insert(marks)
        alerted = [
            (order_id, stage, item) for (order_id, stage), item in sorted(due.items())
            if (order_id, stage, item.levels[-1]) in made
        ]
        alert_ids = _overdue_alerts_raise([
            # No names or addresses: alerts are stored and sent to every board.
            {
                "order": order_id, "id": order_id, "number": item.number, "state": item.state, "stage": stage,
                "level": item.levels[-1], "to_role": item.levels[-1], "due_at": item.due_at.isoformat(),
            }
            for order_id, stage, item in alerted
        ])
        _marks_point_to([
            (order_id, stage, alert_id) for (order_id, stage, _item), alert_id in zip(alerted, alert_ids, strict=True)
        ])
    return [level for _order_id, _stage, level in made]


def _overdue_alerts_raise(datas: list[dict]) -> list[int]:
    """Raise one `order.overdue` alert per item (or update the order's open
    one), in a fixed number of statements a batch; returns their ids in the
    items' order."""
    return [alert.pk for alert in raise_alerts(kind=OVERDUE_ALERT, datas=datas)]


def _marks_insert(marks: list[tuple]) -> set[tuple[int, str, str]]:
    """Insert these (order, stage, level, due_at, marked_at) marks in their
    order, skipping those that exist; returns the (order, stage, level) of the ones inserted."""
    if not marks:
        return set()
    adapt = connection.ops.adapt_datetimefield_value
    table = connection.ops.quote_name(OverdueMark._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (order_id, stage, level, due_at, marked_at) VALUES "
            + ", ".join(["(%s, %s, %s, %s, %s)"] * len(marks))
            + " ON CONFLICT (order_id, stage, level) DO NOTHING RETURNING order_id, stage, level",
            [value for order_id, stage, level, due_at, marked_at in marks
             for value in (order_id, stage, level, adapt(due_at), adapt(marked_at))],
        )
        return set(cursor.fetchall())


def _marks_point_to(alerts: list[tuple[int, str, int]]) -> None:
    """Set the alert of each (order, stage)'s marks that have none yet: the
    one just raised, at the highest level."""
    if not alerts:
        return
    table = connection.ops.quote_name(OverdueMark._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET alert_id = v.column3 FROM (VALUES "
            + ", ".join(["(%s, %s, %s)"] * len(alerts))
            + f") AS v WHERE {table}.order_id = v.column1 AND {table}.stage = v.column2 AND {table}.alert_id IS NULL",
            [value for alert in alerts for value in alert],
        )
