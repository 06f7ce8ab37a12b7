"""Reads of the event log, alerts and presence."""

import datetime

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import Max
from django.utils import timezone

from realtime.models import Alert, BoardPresence, Event


def last_event_id() -> int | None:
    """The newest event's id, or None on an empty log."""
    return Event.objects.aggregate(last=Max("id"))["last"]


def events_after(after: int | None, *, limit: int) -> list[Event]:
    """Up to `limit` events after id `after` (all of them from the start when
    None), oldest first. Callers ask for one more than they will replay to
    tell "exactly the limit" from "too far behind"."""
    events = Event.objects.all()
    if after is not None:
        events = events.filter(id__gt=after)
    return list(events.order_by("id")[:limit])


def open_alerts() -> list[Alert]:
    """Alerts nobody has acknowledged yet, oldest first."""
    return list(Alert.objects.filter(acknowledged_at__isnull=True).order_by("raised_at", "id"))


def _roles_held(user: AbstractBaseUser | AnonymousUser, roles: list[str]) -> set[str]:
    """Which of these roles (groups) the user holds; all of them for a
    superuser, none for an anonymous or inactive user."""
    if not user.is_authenticated or not user.is_active:
        return set()
    if user.is_superuser:
        return set(roles)
    return set(user.groups.filter(name__in=roles).values_list("name", flat=True))


def _in_roles(user: AbstractBaseUser | AnonymousUser, roles: list[str]) -> bool:
    return bool(_roles_held(user, roles))


def may_watch_board(user: AbstractBaseUser | AnonymousUser) -> bool:
    """Whether the user may open the board socket and read the event feed."""
    return _in_roles(user, settings.BOARD_ROLES)


def may_acknowledge(user: AbstractBaseUser | AnonymousUser) -> bool:
    """Whether the user may acknowledge alerts (a supervisor watches, a dispatcher answers)."""
    return _in_roles(user, settings.ALERT_ACK_ROLES)


def board_rights(user: AbstractBaseUser | AnonymousUser) -> tuple[bool, bool]:
    """`may_watch_board` and `may_acknowledge` in one query, for a board
    socket that checks both again while it is open. Acknowledging needs
    watching: a socket is closed when its user may not watch."""
    held = _roles_held(user, [*settings.BOARD_ROLES, *settings.ALERT_ACK_ROLES])
    may_watch = bool(held & set(settings.BOARD_ROLES))
    return may_watch, may_watch and bool(held & set(settings.ALERT_ACK_ROLES))


def board_presence() -> list[dict[str, str]]:
    """Who has a board open now, one entry per person (not per tab), by username."""
    fresh = timezone.now() - datetime.timedelta(seconds=settings.BOARD_HEARTBEAT_SECONDS * 3)
    present = BoardPresence.objects.filter(seen_at__gte=fresh).values("user_id")
    users = get_user_model().objects.filter(pk__in=present).order_by("username")
    return [{"username": u.get_username(), "name": u.get_full_name() or u.get_username()} for u in users]


def alerts(*, open_only: bool):
    """Alerts with who acknowledged them: the open ones oldest first, or all
    of them newest first."""
    rows = Alert.objects.select_related("acknowledged_by")
    if open_only:
        return rows.filter(acknowledged_at__isnull=True).order_by("raised_at", "id")
    return rows.order_by("-raised_at", "-id")
