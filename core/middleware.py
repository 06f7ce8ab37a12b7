"""Middleware that runs before any view: the request id of every log line,
and the refusals of input no view should see (NUL characters, bodies over
DATA_UPLOAD_MAX_MEMORY_SIZE)."""

import uuid

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, SuspiciousOperation
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, JsonResponse
from django.utils.translation import gettext as _

from core.error_pages import bad_request
from core.logs import request_id


class RequestIdMiddleware:
    """Takes the proxy's X-Request-ID when it is a sane token, else makes one;
    it is on every log line of the request and in the response header."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        incoming = request.headers.get("X-Request-ID", "")
        rid = incoming if 8 <= len(incoming) <= 64 and incoming.replace("-", "").isalnum() else uuid.uuid4().hex
        token = request_id.set(rid)
        try:
            response = self.get_response(request)
        finally:
            request_id.reset(token)
        response["X-Request-ID"] = rid
        return response


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

