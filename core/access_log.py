"""An HTTP access log without query strings.

Daphne's own access log writes the full URL, and query strings here can carry
a resident's phone (`?phone=`) or a token (`?token=`): personal data and
secrets never go to a log. This logs method, path, status and time only,
under the request id the response carries (`X-Request-ID`), so an access line
and the application's lines of one request are found together.
"""

import logging
import time

from core.logs import request_id

logger = logging.getLogger("access")


class AccessLogMiddleware:
    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        started = time.perf_counter()
        status = {"code": 0, "request_id": "-"}

        async def send_and_record(message):
            if message["type"] == "http.response.start":
                status["code"] = message["status"]
                for name, value in message.get("headers", ()):
                    if name.lower() == b"x-request-id":
                        status["request_id"] = value.decode("latin-1")
            await send(message)

        try:
            await self.app(scope, receive, send_and_record)
        finally:
            token = request_id.set(status["request_id"])
            try:
                logger.info(
                    "%s %s %s %.1fms", scope["method"], scope["path"], status["code"] or 500,
                    (time.perf_counter() - started) * 1000,
                )
            finally:
                request_id.reset(token)
