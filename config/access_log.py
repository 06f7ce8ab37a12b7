"""An HTTP access log without query strings.

Daphne's own access log writes the full URL, and query strings here can carry
a resident's phone (`?phone=`) or a token (`?token=`): personal data and
secrets never go to a log. This logs method, path, status and time only.
"""

import logging
import time

logger = logging.getLogger("access")


class AccessLogMiddleware:
    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        started = time.perf_counter()
        status = {"code": 0}

        async def send_and_record(message):
            if message["type"] == "http.response.start":
                status["code"] = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_and_record)
        finally:
            logger.info(
                "%s %s %s %.1fms", scope["method"], scope["path"], status["code"] or 500,
                (time.perf_counter() - started) * 1000,
            )
