"""Who a board socket belongs to, and whether it may stay open.

A socket is opened with a DRF token (`/ws/board/?token=<key>`, clients
without a session) or with the session cookie (browsers). It stays open while
that login does: `socket_check` is asked again when the user's login or roles
change (realtime.signals) and every few heartbeats, and a socket whose token
was deleted, whose session ended, whose user was deactivated or lost the
board roles is closed. The key is never logged: Daphne's access log is kept to
warnings in settings, and nothing here logs it.
"""

import hashlib
from dataclasses import dataclass
from importlib import import_module
from typing import Any
from urllib.parse import parse_qs

from channels.db import database_sync_to_async
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, get_user_model, load_backend
from django.contrib.auth.models import AnonymousUser
from django.utils.crypto import constant_time_compare
from rest_framework.authtoken.models import Token

from realtime import selectors
from realtime.events import CLOSE_FORBIDDEN, CLOSE_SIGNED_OUT


def user_for_token(key: str) -> Any:
    """The active user whose API token this is, else AnonymousUser."""
    if not (key.isascii() and key.isalnum()):
        # Keys are hex digits; anything else (a NUL, which PostgreSQL text
        # cannot hold, would fail the query) is no token of ours.
        return AnonymousUser()
    token = Token.objects.select_related("user").filter(key=key).first()
    if token is None or not token.user.is_active:
        return AnonymousUser()
    return token.user


def user_for_session(session_key: str) -> Any:
    """The user the session with this key is logged in as, checked as
    Django checks it on a request (the backend still knows an active user, the
    password has not changed since), else AnonymousUser. An expired or deleted
    session is nobody's."""
    # Not django.contrib.auth.get_user: on a hash that does not match it
    # flushes the session, or cycles its key; a check made in the background
    # must not log the browser out as a side effect.
    session = import_module(settings.SESSION_ENGINE).SessionStore(session_key)
    try:
        user_id = get_user_model()._meta.pk.to_python(session[SESSION_KEY])
        backend_path = session[BACKEND_SESSION_KEY]
    except KeyError:
        return AnonymousUser()
    if backend_path not in settings.AUTHENTICATION_BACKENDS:
        return AnonymousUser()
    user = load_backend(backend_path).get_user(user_id)
    if user is None:
        return AnonymousUser()
    session_hash = session.get(HASH_SESSION_KEY)
    if not session_hash or not constant_time_compare(session_hash, user.get_session_auth_hash()):
        return AnonymousUser()
    return user


def session_digest(session_key: str) -> str:
    """What a logout tells the sockets of the session it ended: a digest, so
    that no session key travels through the channel layer."""
    return hashlib.sha256(session_key.encode()).hexdigest()[:32]


@dataclass(frozen=True)
class Credential:
    """What a socket was opened with: a token's key, or a session's key."""

    kind: str  # "token" or "session"
    key: str

    @classmethod
    def of(cls, scope: dict) -> "Credential | None":
        if scope.get("auth_token") is not None:
            return cls("token", scope["auth_token"])
        session = scope.get("session")
        key = getattr(session, "session_key", None) if session is not None else None
        return cls("session", key) if key else None


@dataclass(frozen=True)
class SocketCheck:
    """The answer of `socket_check`: a close code when the socket must close,
    else the user as the database has them now and whether they may acknowledge."""

    close_code: int | None
    user: Any = None
    may_ack: bool = False


def socket_check(*, credential: Credential | None, user_id: int | None) -> SocketCheck:
    """Whether the board socket of `user_id` opened with `credential` may
    (still) watch the board: CLOSE_SIGNED_OUT when the login no longer names
    that active user, CLOSE_FORBIDDEN when their roles no longer watch the
    board. A few indexed reads, one thread hop. Raises nothing of its own."""
    if credential is None or user_id is None:
        return SocketCheck(CLOSE_SIGNED_OUT)
    if credential.kind == "token":
        user = user_for_token(credential.key)
    else:
        user = user_for_session(credential.key)
    if not user.is_authenticated or user.pk != user_id:
        return SocketCheck(CLOSE_SIGNED_OUT)
    may_watch, may_ack = selectors.board_rights(user)
    if not may_watch:
        return SocketCheck(CLOSE_FORBIDDEN)
    return SocketCheck(None, user, may_ack)


class TokenAuthMiddleware:
    """When the query string carries `token`, the token decides who the user
    is (an unknown token is anonymous); otherwise the session does. The key
    stays in the scope (`auth_token`) for the socket's later checks."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        query = parse_qs(scope.get("query_string", b"").decode("latin1"))
        keys = query.get("token")
        if keys:
            scope = dict(scope, user=await database_sync_to_async(user_for_token)(keys[0]), auth_token=keys[0])
        return await self.app(scope, receive, send)
