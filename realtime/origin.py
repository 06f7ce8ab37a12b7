"""The board socket's origin check: a socket is opened only from a page of
this site, i.e. from the origins Django's CSRF check takes a form from.

Those are the origin of the address the browser asked for (scheme, host and
port: the Host header, on https when the request is secure as
SECURE_PROXY_SSL_HEADER says, as for Django's requests) when that host is
in ALLOWED_HOSTS, and the origins listed in CSRF_TRUSTED_ORIGINS (with
Django's `https://*.example.org` for subdomains). Behind deploy/nginx.conf the
Host header is the name without a port and X-Forwarded-Proto says whether the
browser used TLS; a site served on another port than its scheme's lists
its origin in CSRF_TRUSTED_ORIGINS, as its forms already need.

Channels' AllowedHostsOriginValidator compared the origin's host name with
ALLOWED_HOSTS only: a page on any port of an allowed host (another service
on the same machine) could open a socket with the user's cookie.
"""

from urllib.parse import urlsplit

from channels.security.websocket import WebsocketDenier
from django.conf import settings
from django.http.request import is_same_domain, split_domain_port, validate_host

_DEFAULT_PORTS = {"http": 80, "https": 443}


def _origin(scheme: str, netloc: str) -> tuple[str, str, int] | None:
    """(scheme, host, port) with the scheme's port filled in, or None for
    something that is not an http(s) origin."""
    if scheme not in _DEFAULT_PORTS or not netloc or "@" in netloc:
        return None
    host, port = split_domain_port(netloc.lower())
    if not host:
        return None
    if not port:
        return scheme, host, _DEFAULT_PORTS[scheme]
    if not port.isdigit():
        return None
    return scheme, host, int(port)


def _headers(scope: dict) -> dict[bytes, str | None]:
    headers: dict[bytes, str | None] = {}
    for name, value in scope.get("headers", []):
        # A header sent twice is refused below (None), not picked from.
        headers[name] = None if name in headers else value.decode("latin1")
    return headers


def _secure(scope: dict, headers: dict[bytes, str | None]) -> bool:
    """Whether the browser reached us over TLS, as Django's request.is_secure()
    decides it (behind a proxy, by SECURE_PROXY_SSL_HEADER)."""
    if settings.SECURE_PROXY_SSL_HEADER:
        name, secure_value = settings.SECURE_PROXY_SSL_HEADER
        value = headers.get(name.removeprefix("HTTP_").replace("_", "-").lower().encode("latin1"))
        if value is not None:
            return value.split(",", 1)[0].strip() == secure_value
    return scope.get("scheme", "ws") == "wss"


def _allowed_hosts() -> list[str]:
    # What HttpRequest.get_host() allows.
    allowed = settings.ALLOWED_HOSTS
    if settings.DEBUG and not allowed:
        return [".localhost", "127.0.0.1", "[::1]"]
    return allowed


def origin_allowed(scope: dict) -> bool:
    """Whether a WebSocket handshake's Origin is this site's (see the module)."""
    headers = _headers(scope)
    raw_origin, raw_host = headers.get(b"origin"), headers.get(b"host")
    if not raw_origin:
        return False
    try:
        parts = urlsplit(raw_origin)
    except ValueError:
        return False
    if parts.path or parts.query or parts.fragment:
        return False
    origin = _origin(parts.scheme, parts.netloc)
    if origin is None:
        return False
    if raw_host:
        host, _port = split_domain_port(raw_host.lower())
        own = _origin("https" if _secure(scope, headers) else "http", raw_host)
        if host and validate_host(host, _allowed_hosts()) and own == origin:
            return True
    for trusted in settings.CSRF_TRUSTED_ORIGINS:
        trusted_parts = urlsplit(trusted)
        if "*" in trusted_parts.netloc:
            # Django's subdomain wildcard: the netloc after "*" (".example.org[:port]").
            if trusted_parts.scheme == origin[0] and is_same_domain(
                parts.netloc.lower(), trusted_parts.netloc.lower().lstrip("*")
            ):
                return True
        elif _origin(trusted_parts.scheme, trusted_parts.netloc) == origin:
            return True
    return False


class SameOriginValidator:
    """ASGI middleware: a WebSocket whose Origin is not this site's is refused
    at the handshake (HTTP 403), before anything reads its cookie or token."""

    def __init__(self, application):
        self.application = application

    async def __call__(self, scope, receive, send):
        if scope["type"] != "websocket":
            raise ValueError("SameOriginValidator guards WebSocket connections only")
        if origin_allowed(scope):
            return await self.application(scope, receive, send)
        return await WebsocketDenier()(scope, receive, send)
