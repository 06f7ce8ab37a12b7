"""One exception handler for the whole API: every error is JSON a person can read.

Shape: {"detail": "<message>", "code": "<machine code>", "fields": {name: [messages]}}
plus any extra keys the error carries (a conflict names the order's current state).
"""

from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, RequestDataTooBig, SuspiciousOperation
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest, JsonResponse
from django.utils.translation import gettext as _
from django.views import defaults
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from dispatch.errors import DomainError


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


# --- The error shape in the OpenAPI schema ---------------------------------------------

ERROR_SCHEMA = {
    "type": "object",
    "properties": {
        "detail": {"type": "string"},
        "code": {"type": "string"},
        "fields": {"type": "object", "additionalProperties": {"type": "array", "items": {"type": "string"}}},
    },
    "required": ["detail", "code"],
}

# Statuses any operation may answer with the error shape; those that take a
# body can also refuse it (409 a conflict, 413 too large, 415 not JSON).
_EVERY_OPERATION = {
    "400": "Bad input, with field messages",
    "401": "Not logged in",
    "403": "The role may not",
    "404": "Unknown or invisible object",
    "429": "Too many requests",
}
_WITH_A_BODY = {"409": "A conflict: the object is not in a state that allows this", "413": "Request too large",
                "415": "Not a supported media type"}


def document_errors(result: dict, generator, request, public) -> dict:
    """drf-spectacular postprocessing hook: every operation documents the
    error answers of `exception_handler`, so clients and the schema tests know
    an error is JSON with `detail`, `code` and perhaps `fields`."""
    result.setdefault("components", {}).setdefault("schemas", {})["Error"] = ERROR_SCHEMA
    reference = {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
    for operations in result.get("paths", {}).values():
        for method, operation in operations.items():
            statuses = dict(_EVERY_OPERATION)
            if method in ("post", "put", "patch"):
                statuses.update(_WITH_A_BODY)
            responses = operation.setdefault("responses", {})
            for status_code, description in statuses.items():
                documented = responses.setdefault(status_code, {"description": description})
                documented.setdefault("content", reference)
    return result


# --- Errors raised before a view answers ------------------------------------------------
# Django answers these itself (an unknown path, a body too large to read, a
# failure outside DRF) with HTML pages; under /api/ they are JSON as well.


def _api_error(request: HttpRequest, status_code: int, detail: str, code: str) -> HttpResponse | None:
    if not request.path.startswith("/api/"):
        return None
    return JsonResponse({"detail": detail, "code": code}, status=status_code)


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    if isinstance(exception, RequestDataTooBig):
        answer = _api_error(request, 413, _("The request is too large."), "too_large")
        return answer or HttpResponse(_("The request is too large."), status=413, content_type="text/plain")
    answer = _api_error(request, 400, _("The request could not be read."), "bad_request")
    return answer or defaults.bad_request(request, exception)


def permission_denied(request: HttpRequest, exception: Exception) -> HttpResponse:
    answer = _api_error(request, 403, _("You do not have permission to perform this action."), "permission_denied")
    return answer or defaults.permission_denied(request, exception)


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    return _api_error(request, 404, _("Not found."), "not_found") or defaults.page_not_found(request, exception)


def server_error(request: HttpRequest) -> HttpResponse:
    answer = _api_error(request, 500, _("Something went wrong on our side; the error is logged."), "server_error")
    return answer or defaults.server_error(request)


class RefuseNulCharacters:
    """A NUL character (U+0000) anywhere in the path, the query string or a
    header is refused with a 400 before any view runs: PostgreSQL text cannot
    hold one, so a search, a filter, a session cookie or a token carrying it
    would otherwise fail in the database as a 500. Bodies are checked by the
    serializers (DRF refuses NUL in every CharField)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        where = self._nul_at(request)
        if where is None:
            return self.get_response(request)
        message = _("Null characters are not allowed.")
        if request.path.startswith("/api/"):
            body = {"detail": _("Some values are not valid; see the fields."), "code": "invalid",
                    "fields": {where: [message]}}
            return JsonResponse(body, status=400)
        return HttpResponseBadRequest(message)

    @staticmethod
    def _nul_at(request: HttpRequest) -> str | None:
        if "\x00" in request.path:
            return "path"
        if "%00" in request.META.get("QUERY_STRING", "") or "\x00" in request.META.get("QUERY_STRING", ""):
            for key, values in request.GET.lists():
                if "\x00" in key or any("\x00" in value for value in values):
                    return key.replace("\x00", "") or "query"
        for key, value in request.META.items():
            if key.startswith("HTTP_") and isinstance(value, str) and "\x00" in value:
                return key[5:].lower()
        return None


class RefuseOversizedBodies:
    """A body larger than DATA_UPLOAD_MAX_MEMORY_SIZE is refused with a 413
    before anything reads it. Django checks the size only when `request.body`
    or `request.POST` is read; DRF's parsers read the stream and never do, so
    a 50 MB JSON order would otherwise be parsed and stored."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            return bad_request(request, SuspiciousOperation("unreadable Content-Length"))
        if limit is not None and length > limit:
            return bad_request(request, RequestDataTooBig("request body over DATA_UPLOAD_MAX_MEMORY_SIZE"))
        return self.get_response(request)

