"""Liveness and readiness for load balancers and orchestration, and the check
every request's database connection passes before use.

`/healthz`: the process answers. `/readyz`: the database and (when configured)
Redis answer too. Neither needs a login, and neither says more than ok/failing
per dependency.
"""

import logging

from django.conf import settings
from django.db import DatabaseError, connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache

logger = logging.getLogger(__name__)

# Bounds a direct connection attempt when the server's address does not answer at all.
PROBE_CONNECT_TIMEOUT_SECONDS = 2


class _ServerState:
    """Whether the database server refused the last connection this process
    tried outside the pool. While it does, a request asks the server directly
    (a refused connection is answered in milliseconds) rather than waiting on
    the pool, which keeps retrying in the background, for its whole timeout."""

    unreachable = False


def _server_answers() -> bool:
    params = connection.get_connection_params()
    params.setdefault("connect_timeout", PROBE_CONNECT_TIMEOUT_SECONDS)
    try:
        with connection.Database.connect(**params):
            pass
    except connection.Database.Error:
        _ServerState.unreachable = True
        return False
    return True


def database_connection_checked() -> None:
    """Take this thread's pooled PostgreSQL connection and make sure it
    answers, replacing it when the server dropped it.

    The pool's own check is off (config.settings): it sleeps 1 s, 2 s, 4 s...
    between the dead connections it finds after the server dropped them (a
    restart, a failover, terminated backends). A dead one here means the
    server dropped them all: every idle one is checked at once and the dead
    ones replaced, without sleeping.

    Raises DatabaseError when no working connection can be had."""
    if _ServerState.unreachable and not _server_answers():
        raise DatabaseError("the database server refuses connections")
    connection.ensure_connection()
    if not connection.is_usable():
        # Returning the dead one makes the pool replace it; the other idle ones
        # died with it and are checked now, not one request at a time.
        connection.close()
        connection.pool.check()
        if not _server_answers():
            raise DatabaseError("the database server refuses connections")
        connection.ensure_connection()
        if not connection.is_usable():
            connection.close()
            raise DatabaseError("the database connection failed its check twice")
    _ServerState.unreachable = False


@never_cache
def healthz(request):
    return JsonResponse({"status": "ok"})


def _database_ok() -> bool:
    try:
        if getattr(connection, "pool", None) is not None:
            database_connection_checked()
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        return True
    except Exception:  # noqa: BLE001 - any failure means not ready
        logger.warning("readiness: database unreachable")
        return False


def _redis_ok() -> bool | None:
    if not settings.REDIS_URL:
        return None
    import redis

    try:
        client = redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=2, socket_timeout=2)
        try:
            return bool(client.ping())
        finally:
            client.close()
    except Exception:  # noqa: BLE001 - any failure means not ready
        logger.warning("readiness: redis unreachable")
        return False


@never_cache
def readyz(request):
    checks = {"database": _database_ok()}
    redis_state = _redis_ok()
    if redis_state is not None:
        checks["redis"] = redis_state
    ready = all(checks.values())
    body = {"status": "ok" if ready else "failing", **{k: "ok" if v else "failing" for k, v in checks.items()}}
    return JsonResponse(body, status=200 if ready else 503)
