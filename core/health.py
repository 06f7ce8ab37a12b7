"""Liveness and readiness for load balancers and orchestration.

`/healthz`: the process answers. `/readyz`: the database and (when configured)
Redis answer too. Neither needs a login, and neither says more than ok/failing
per dependency.
"""

import logging

from django.conf import settings
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache

logger = logging.getLogger(__name__)


@never_cache
def healthz(request):
    return JsonResponse({"status": "ok"})


def _database_ok() -> bool:
    try:
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
