"""Use cases of reports: the scheduler's pass (deadlines, overdue marks and
their alerts, subscription orders) and the life of a subscription.

Every step here is safe in two scheduler copies at once: the work is claimed
with `select_for_update(skip_locked=True)` where PostgreSQL can share it out,
and the record that something was done once (an `OverdueMark`, a
`SubscriptionOccurrence`) is an insert under a unique constraint, made in the
same transaction as the alert or the order it stands for: of two copies, one
inserts and the other gets IntegrityError (or, for overdue marks, which are
inserted a batch at a time, ON CONFLICT DO NOTHING skips the row once the first
copy commits) and does nothing.
"""

import datetime
import itertools
import logging
from dataclasses import dataclass
from typing import Any

from dateutil.rrule import rrulestr
from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.db import IntegrityError, connection, transaction
from django.db.models import Exists, F, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from core.errors import Conflict, DomainError, InvalidInput, NotFound
from core.roles import require_perm
from dispatch.models import Resident, ServiceItem, Worker
from realtime.services import raise_alert, raise_alerts
from reports import deadlines as deadline_rules
from reports import rollup
from reports.calendar import WorkingCalendar
from reports.models import (
    OrderDeadline,
    OverdueMark,
    Subscription,
    SubscriptionHistory,
    SubscriptionOccurrence,
)
from workorders import services as orders
from workorders.models import OPEN_STATES, WorkOrder

logger = logging.getLogger(__name__)

OVERDUE_ALERT = "order.overdue"
SUBSCRIPTION_ALERT = "subscription.not_ordered"


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
        cursor.execute(f"CREATE TEMPORARY TABLE reports_deadline_load (LIKE {table}) ON COMMIT DROP")
        with cursor.copy(f"COPY reports_deadline_load ({columns}) FROM STDIN (FORMAT BINARY)") as copy:
            copy.set_types([pg_type for _name, pg_type in _DEADLINE_COLUMNS])
            for row in rows:
                copy.write_row(row)
        cursor.execute(
            f"INSERT INTO {table} ({columns}) SELECT {columns} FROM reports_deadline_load ORDER BY order_id "
            f"ON CONFLICT (order_id) DO UPDATE SET {updates}"
        )
        # Dropped now, not at commit: a caller's outer transaction may store another chunk.
        cursor.execute("DROP TABLE reports_deadline_load")


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
    board is not flooded with three pop-ups for one order.
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
    """Raise one `order.overdue` alert per item, in a fixed number of
    statements a batch; returns their ids in the items' order."""
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


# --- Subscriptions --------------------------------------------------------------------------


# Each occurrence becomes a work order: a rule firing every few minutes is a
# typing mistake, not a service.
MIN_OCCURRENCE_GAP = datetime.timedelta(hours=1)


def _validated_rule(rule: str, starts_at: datetime.datetime) -> str:
    rule = rule.strip()
    if rule.upper().startswith("RRULE:"):
        rule = rule[6:]

    def refuse(message: str) -> InvalidInput:
        return InvalidInput(message, fields={"rule": [message]})

    if not rule:
        raise refuse(_("Give a schedule."))
    start = timezone.localtime(starts_at).replace(tzinfo=None)
    try:
        first = list(itertools.islice(rrulestr(rule, dtstart=start), 50))
    except (ValueError, TypeError) as exc:
        raise refuse(_("This is not a valid iCalendar RRULE: %(error)s") % {"error": exc}) from None
    if not first:
        raise refuse(_("This schedule has no occurrence."))
    if any(later - earlier < MIN_OCCURRENCE_GAP for earlier, later in itertools.pairwise(first)):
        raise refuse(_("Occurrences must be at least an hour apart."))
    return rule


def occurrences_between(
    subscription: Subscription, after: datetime.datetime, until: datetime.datetime
) -> list[datetime.datetime]:
    """The subscription's occurrences in (after, until], aware. The rule is
    read in local wall-clock time from `starts_at`, so "Tuesday 9:00" stays
    9:00 across a DST change."""
    tz = timezone.get_current_timezone()
    start_local = timezone.localtime(subscription.starts_at).replace(tzinfo=None)
    rule = rrulestr(subscription.rule, dtstart=start_local)
    lower = max(after, subscription.starts_at - datetime.timedelta(microseconds=1))
    upper = min(until, subscription.ends_at) if subscription.ends_at else until
    if upper <= lower:
        return []
    found = rule.between(
        timezone.localtime(lower).replace(tzinfo=None), timezone.localtime(upper).replace(tzinfo=None), inc=True
    )
    return [t for t in (timezone.make_aware(naive, tz) for naive in found) if lower < t <= upper]


def _record(subscription: Subscription, *, actor, action: str, from_status: str, note: str = "") -> None:
    SubscriptionHistory.objects.create(
        subscription=subscription, actor=actor, action=action, from_status=from_status,
        to_status=subscription.status, note=note,
    )


def subscription_create(
    *,
    actor: AbstractBaseUser,
    resident: Resident,
    service: ServiceItem,
    rule: str,
    starts_at: datetime.datetime,
    ends_at: datetime.datetime | None = None,
    preferred_worker: Worker | None = None,
    notes: str = "",
) -> Subscription:
    """Subscribe a resident to a recurring service. Raises Forbidden,
    InvalidInput (bad RRULE, end before start, inactive resident or service,
    a worker without the service's skill)."""
    require_perm(actor, "reports.add_subscription")
    rule = _validated_rule(rule, starts_at)
    if ends_at is not None and ends_at <= starts_at:
        raise InvalidInput(_("The end is before the start."), fields={"ends_at": [_("The end is before the start.")]})
    if not resident.active:
        raise InvalidInput(_("This resident is no longer active."), fields={"resident": [_("This resident is no longer active.")]})
    if not service.active:
        raise InvalidInput(_("This service is no longer offered."), fields={"service": [_("This service is no longer offered.")]})
    if preferred_worker is not None and service.required_skill_id is not None:
        if not preferred_worker.skills.filter(pk=service.required_skill_id).exists():
            message = _("%(name)s does not have the skill %(service)s needs.") % {
                "name": preferred_worker.name, "service": service.name,
            }
            raise InvalidInput(message, fields={"preferred_worker": [message]})
    with transaction.atomic():
        subscription = Subscription.objects.create(
            resident=resident, service=service, rule=rule, starts_at=starts_at, ends_at=ends_at,
            preferred_worker=preferred_worker, notes=notes, created_by=actor,
        )
        _record(subscription, actor=actor, action="create", from_status="")
    return subscription


_MOVES = {
    "pause": ([Subscription.Status.ACTIVE], Subscription.Status.PAUSED),
    "resume": ([Subscription.Status.PAUSED], Subscription.Status.ACTIVE),
    "end": ([Subscription.Status.ACTIVE, Subscription.Status.PAUSED], Subscription.Status.ENDED),
}


def _subscription_move(*, actor: AbstractBaseUser, subscription_id: int, action: str, note: str) -> Subscription:
    require_perm(actor, "reports.change_subscription")
    sources, target = _MOVES[action]
    with transaction.atomic():
        # Locked: a pause and an end at once must not both read "active".
        subscription = Subscription.objects.select_for_update().filter(pk=subscription_id).first()
        if subscription is None:
            raise NotFound(_("No such subscription."))
        if subscription.status not in sources:
            raise Conflict(
                _("The subscription is %(status)s; this is not possible now.")
                % {"status": subscription.get_status_display()},
                state=subscription.status,
            )
        from_status = subscription.status
        subscription.status = target
        fields = ["status"]
        if action == "end":
            now = timezone.now()
            if subscription.ends_at is None or subscription.ends_at > now:
                subscription.ends_at = max(now, subscription.starts_at + datetime.timedelta(seconds=1))
                fields.append("ends_at")
        subscription.save(update_fields=fields)
        _record(subscription, actor=actor, action=action, from_status=from_status, note=note)
    return subscription


def subscription_pause(*, actor: AbstractBaseUser, subscription_id: int, note: str = "") -> Subscription:
    """Stop creating orders until resumed; orders already created stay.
    Raises Forbidden, NotFound, Conflict (not active)."""
    return _subscription_move(actor=actor, subscription_id=subscription_id, action="pause", note=note)


def subscription_resume(*, actor: AbstractBaseUser, subscription_id: int, note: str = "") -> Subscription:
    """Create orders again, from the next occurrence on (paused ones are not
    made up). Raises Forbidden, NotFound, Conflict (not paused)."""
    return _subscription_move(actor=actor, subscription_id=subscription_id, action="resume", note=note)


def subscription_end(*, actor: AbstractBaseUser, subscription_id: int, note: str = "") -> Subscription:
    """End the subscription now (or keep an earlier end). Raises Forbidden,
    NotFound, Conflict (already ended)."""
    return _subscription_move(actor=actor, subscription_id=subscription_id, action="end", note=note)


def subscriptions_schedule(*, now: datetime.datetime | None = None, calendar: WorkingCalendar | None = None) -> dict[str, int]:
    """Create the order of every active subscription's occurrence due within
    SUBSCRIPTION_LEAD_HOURS, once: the occurrence row (unique per subscription
    and time) is inserted in the order's transaction. An occurrence on a
    closure day is recorded as skipped; one the resident can no longer have
    (card expired, moved away) is recorded as not ordered, with an alert to
    the dispatchers. Occurrences that passed while paused or while the
    scheduler was down are not made up. Returns counts per outcome.
    Raises nothing of its own."""
    now = now or timezone.now()
    calendar = calendar or WorkingCalendar.load()
    until = now + datetime.timedelta(hours=settings.SUBSCRIPTION_LEAD_HOURS)
    counts = {outcome: 0 for outcome in SubscriptionOccurrence.Outcome.values}
    active = (
        Subscription.objects.filter(status=Subscription.Status.ACTIVE, starts_at__lte=until)
        .filter(Q(ends_at__isnull=True) | Q(ends_at__gt=now))
        .select_related("resident__area", "service", "preferred_worker", "created_by")
        .order_by("id")
    )
    # One query for what every subscription already has in the window, not one each.
    done = set(
        SubscriptionOccurrence.objects.filter(subscription__in=active, occurs_at__gt=now, occurs_at__lte=until)
        .values_list("subscription_id", "occurs_at")
    )
    for subscription in active:
        for occurs_at in occurrences_between(subscription, now, until):
            if (subscription.pk, occurs_at) in done:
                continue
            outcome = _occurrence_take(subscription=subscription, occurs_at=occurs_at, calendar=calendar)
            if outcome:
                counts[outcome] += 1
    return counts


def _occurrence_take(
    *, subscription: Subscription, occurs_at: datetime.datetime, calendar: WorkingCalendar
) -> str | None:
    try:
        with transaction.atomic():
            # Locked and re-read: a pause committed since we listed it wins.
            current = Subscription.objects.select_for_update().filter(pk=subscription.pk).values_list("status", flat=True).first()
            if current != Subscription.Status.ACTIVE:
                return None
            occurrence = SubscriptionOccurrence.objects.create(
                subscription=subscription, occurs_at=occurs_at, outcome=SubscriptionOccurrence.Outcome.ORDERED
            )
            if calendar.is_closed(timezone.localtime(occurs_at, calendar.tz).date()):
                _occurrence_close(occurrence, SubscriptionOccurrence.Outcome.SKIPPED_CLOSURE, _("The department is closed."))
                return occurrence.outcome
            try:
                # A savepoint of its own: a refused order leaves the occurrence row.
                with transaction.atomic():
                    order = _occurrence_order(subscription, occurs_at)
            except DomainError as exc:
                _occurrence_close(occurrence, SubscriptionOccurrence.Outcome.FAILED, str(exc.message)[:255])
                raise_alert(
                    kind=SUBSCRIPTION_ALERT,
                    data={"subscription": subscription.pk, "occurs_at": occurs_at.isoformat(), "reason": str(exc.message)},
                )
                return occurrence.outcome
            SubscriptionOccurrence.objects.filter(pk=occurrence.pk).update(order=order)
            return SubscriptionOccurrence.Outcome.ORDERED
    except IntegrityError:
        # The other scheduler copy took this occurrence: its order is the one.
        return None


def _occurrence_close(occurrence: SubscriptionOccurrence, outcome: str, reason: str) -> None:
    occurrence.outcome, occurrence.reason = outcome, reason
    occurrence.save(update_fields=["outcome", "reason"])


def _occurrence_order(subscription: Subscription, occurs_at: datetime.datetime) -> WorkOrder:
    order = orders.order_create(
        actor=subscription.created_by, resident=subscription.resident, service=subscription.service,
        channel="api", requested_for=occurs_at, notes=subscription.notes,
    )
    worker = subscription.preferred_worker
    if worker is not None and not subscription.service.needs_approval:
        try:
            # The scheduled work of the department (actor None): the dispatcher
            # agreed to the preferred worker when the subscription was set up.
            with transaction.atomic():
                order = orders.order_assign(actor=None, order_id=order.pk, worker_id=worker.pk,
                                            note=_("Preferred worker of the subscription"))
        except DomainError:
            # Inactive or without the skill now: the order waits for a dispatcher.
            logger.info("subscription %s: preferred worker not assigned", subscription.pk)
    return order


# --- The scheduler's pass ---------------------------------------------------------------------


def scheduler_pass(*, now: datetime.datetime | None = None) -> dict[str, Any]:
    """One round of the scheduler: subscription orders, deadlines, overdue
    marks, then the statistics roll-up of the days changed since the last
    round. Raises nothing of its own."""
    now = now or timezone.now()
    calendar = WorkingCalendar.load()
    subscriptions = subscriptions_schedule(now=now, calendar=calendar)
    computed = deadlines_refresh(calendar=calendar, now=now)
    marked = overdue_mark(now=now)
    rolled = rollup.refresh(now=now, max_days=rollup.DAYS_PER_PASS)
    return {"subscriptions": subscriptions, "deadlines": computed, "overdue": marked, "rolled_up_days": rolled}
