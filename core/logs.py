"""Structured logs: one JSON object per line, each carrying the id of the
request it belongs to. Messages never hold personal data: code logs ids and
counts, never names, phones, addresses or notes."""

import contextvars
import json
import logging
import uuid

request_id: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="-")


def request_id_from(incoming: str) -> str:
    """The proxy's X-Request-ID when it is a sane token, else a new id: the id
    goes into every log line and a response header, so it must be short and
    plain."""
    if 8 <= len(incoming) <= 64 and incoming.replace("-", "").isalnum() and incoming.isascii():
        return incoming
    return uuid.uuid4().hex


class RequestIdFilter(logging.Filter):
    """Puts the request's id on every record. Django writes some lines of a
    request (`django.request`'s "Not Found: ...", "Bad Request: ...") after
    the middleware chain has returned: under ASGI core.access_log holds the
    id for the whole request; elsewhere (the test client) the record's
    request still carries it."""

    def filter(self, record: logging.LogRecord) -> bool:
        rid = request_id.get()
        if rid == "-":
            rid = getattr(getattr(record, "request", None), "request_id", "-")
        record.request_id = rid
        return True


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S"),
            "level": record.levelname,
            "logger": record.name,
            "request_id": getattr(record, "request_id", "-"),
            "message": record.getMessage(),
        }
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)
