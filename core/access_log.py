"""An HTTP access log without query strings, and the request id of every
line a request writes.

Daphne's own access log writes the full URL, and query strings here can carry
a resident's phone (`?phone=`) or a token (`?token=`): personal data and
secrets never go to a log. This logs method, path, status and time only,
under the request id the response carries (`X-Request-ID`), so an access line
and the application's lines of one request are found together.

The id is decided here, around the whole request, not only inside Django's
middleware: Django writes its own lines (`django.request`'s "Not Found",
"Bad Request") after the middleware chain has returned, and those need the
id too. core.middleware.RequestIdMiddleware takes the same id.
"""

import logging
import time

from core.logs import request_id, request_id_from

logger = logging.getLogger("access")


def _incoming_request_id(scope) -> str:
    for name, value in scope.get("headers", ()):
        if name.lower() == b"x-request-id":
            return value.decode("latin-1")
    return ""


class AccessLogMiddleware:
    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        started = time.perf_counter()
        status = {"code": 0}
        token = request_id.set(request_id_from(_incoming_request_id(scope)))

        async def send_and_record(message):
            if message["type"] == "http.response.start":
                status["code"] = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_and_record)
        finally:
            try:
                logger.info(
                    "%s %s %s %.1fms", scope["method"], scope["path"], status["code"] or 500,
                    (time.perf_counter() - started) * 1000,
                )
            finally:
                request_id.reset(token)
