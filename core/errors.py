"""Domain errors, raised by services and mapped to HTTP in one place
(`core.exception_handler`): bad input 400, not allowed 403, conflicts 409.

They carry messages a person can read, built with the translation functions, so
the response is in the request's language.
"""

from typing import Any


class DomainError(Exception):
    """Base of every error a service raises on purpose."""

    status_code = 400
    code = "invalid"

    def __init__(self, message: Any, *, fields: dict[str, list[Any]] | None = None, **extra: Any):
        super().__init__(str(message))
        self.message = message
        self.fields = fields or {}
        self.extra = extra


class InvalidInput(DomainError):
    """The request is understood but its values are wrong (400, with field messages)."""


class NotEligible(DomainError):
    """The resident may not receive this service as things stand (400)."""

    code = "not_eligible"


class Forbidden(DomainError):
    """The acting user's role may not do this (403)."""

    status_code = 403
    code = "forbidden"


class Conflict(DomainError):
    """The action does not fit the object's current state, or lost a race (409)."""

    status_code = 409
    code = "conflict"


class NotFound(DomainError):
    """The object does not exist, or the user may not see it (404)."""

    status_code = 404
    code = "not_found"
