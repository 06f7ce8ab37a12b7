"""Middleware that runs before any view: the request id of every log line,
the client's address as the trusted proxy saw it, the refusals of input no
view should see (NUL characters, bodies over DATA_UPLOAD_MAX_MEMORY_SIZE), a
working database connection or a quick 503, and no stored copies of what the
application answers."""

import ipaddress
import logging
from collections.abc import Callable

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, SuspiciousOperation
from django.db import DatabaseError, connection
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, JsonResponse
from django.utils import translation
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _

from core.error_pages import bad_request, service_unavailable
from core.health import database_connection_checked
from core.logs import request_id, request_id_from

logger = logging.getLogger(__name__)


def in_request_language(request: HttpRequest) -> translation.override:
    """The language of the request's cookie or Accept-Language, for answers
    given before LocaleMiddleware runs (it comes after the session, which
    these answers must not touch)."""
    return translation.override(translation.get_language_from_request(request))


# The probes answer for the process itself and say what they found; they need
# no login and hold no personal data.
PROBE_PATHS = frozenset({"/healthz", "/readyz"})


class RequestIdMiddleware:
    """Takes the proxy's X-Request-ID when it is a sane token, else makes one;
    it is on every log line of the request and in the response header. Under
    ASGI core.access_log has decided it already, for the whole request."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        rid = request_id.get()
        if rid == "-":
            rid = request_id_from(request.headers.get("X-Request-ID", ""))
        # For Django's own lines written after the chain returns (core.logs).
        request.request_id = rid
        token = request_id.set(rid)
        try:
            response = self.get_response(request)
        finally:
            request_id.reset(token)
        response["X-Request-ID"] = rid
        return response


class ClientAddressFromTrustedProxy:
    """REMOTE_ADDR becomes the address the nearest trusted proxy saw, counted
    from the right of X-Forwarded-For (TRUSTED_PROXY_COUNT).

    Daphne's --proxy-headers takes the left-most address of the header, which
    is whatever the client wrote there when a proxy appends to it: the login
    lockout (django-axes reads REMOTE_ADDR) would count the failures of an
    address the client chose. Only the entries the trusted proxies added are
    believed; with no trusted proxy (TRUSTED_PROXY_COUNT=0, `make run`) the
    header is ignored."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response
        self.count = settings.TRUSTED_PROXY_COUNT

    def __call__(self, request: HttpRequest) -> HttpResponse:
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        if self.count and forwarded.strip():
            entries = [entry.strip() for entry in forwarded.split(",")]
            address = entries[-min(self.count, len(entries))]
            try:
                ipaddress.ip_address(address)
            except ValueError:
                # A trusted proxy writes an address: this request did not come through it.
                with in_request_language(request):
                    return bad_request(request, SuspiciousOperation("X-Forwarded-For not written by the proxy"))
            request.META["REMOTE_ADDR"] = address
        return self.get_response(request)


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
        with in_request_language(request):
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
            with in_request_language(request):
                return bad_request(request, SuspiciousOperation("unreadable Content-Length"))
        if limit is not None and length > limit:
            with in_request_language(request):
                return bad_request(request, RequestDataTooBig("request body over DATA_UPLOAD_MAX_MEMORY_SIZE"))
        return self.get_response(request)


class NoStoredCopies:
    """Every answer of the application (pages, API answers, PDFs) is sent with
    `Cache-Control: no-store`: the desks' computers are shared, and a page or
    a printed order left in the browser's cache is readable by the next person
    at the desk. One rule for every response rather than a decorator per view,
    which a new screen would forget. Static files are answered by WhiteNoise,
    before this, and keep their long cache lifetimes."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        add_never_cache_headers(response)
        return response


class CheckDatabaseConnection:
    """A request gets a pooled PostgreSQL connection that works
    (core.health.database_connection_checked) before any middleware or view
    uses it, or a 503 with Retry-After at once: nothing was done, the client
    may try again, rather than wait seconds for the pool to find a working
    connection after the server dropped them and get a 500 after the pool's
    timeout. The probes are let
    through: /healthz needs no database and /readyz reports it in its own
    words."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if getattr(connection, "pool", None) is None or request.path in PROBE_PATHS:
            return self.get_response(request)
        try:
            database_connection_checked()
        except DatabaseError:
            logger.warning("database unavailable: no working connection; answered 503")
            with in_request_language(request):
                return service_unavailable(request)
        return self.get_response(request)
