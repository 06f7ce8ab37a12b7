"""One exception handler for the whole API: every error is JSON a person can read.

Shape: {"detail": "<message>", "code": "<machine code>", "fields": {name: [messages]}}
plus any extra keys the error carries (a conflict names the order's current state).
"""

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from core.errors import DomainError


def _flatten(detail: Any, prefix: str = "") -> dict[str, list[str]]:
    """Field messages by field; a nested serializer's under a dotted name
    ("phones.0.label"), so every message is readable text, never a repr."""
    if isinstance(detail, dict):
        items = detail.items()
    elif isinstance(detail, list) and any(isinstance(m, dict | list) for m in detail):
        # A list serializer's errors: one entry per item, empty for valid items.
        items = ((str(index), value) for index, value in enumerate(detail) if value)
    else:
        messages = detail if isinstance(detail, list) else [detail]
        return {prefix or "non_field_errors": [str(m) for m in messages]}
    fields: dict[str, list[str]] = {}
    for key, value in items:
        for name, messages in _flatten(value, f"{prefix}.{key}" if prefix else str(key)).items():
            fields.setdefault(name, []).extend(messages)
    return fields


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, DomainError):
        body: dict[str, Any] = {"detail": str(exc.message), "code": exc.code}
        if exc.fields:
            body["fields"] = {key: [str(m) for m in value] for key, value in exc.fields.items()}
        body.update(exc.extra)
        return Response(body, status=exc.status_code)
    if isinstance(exc, Http404):
        exc = exceptions.NotFound(_("Not found."))
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()
    if isinstance(exc, exceptions.ValidationError):
        fields = _flatten(exc.detail)
        return Response(
            {"detail": _("Some values are not valid; see the fields."), "code": "invalid", "fields": fields},
            status=status.HTTP_400_BAD_REQUEST,
        )
    response = drf_exception_handler(exc, context)
    if response is not None and isinstance(response.data, dict) and "detail" in response.data:
        detail = response.data["detail"]
        response.data = {"detail": str(detail), "code": getattr(detail, "code", "error")}
    return response
