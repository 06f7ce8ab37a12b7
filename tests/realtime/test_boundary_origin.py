"""The board socket opens only from this site's origin: scheme, host and port
of the address the browser asked for (behind the proxy: its Host and
X-Forwarded-Proto), or an origin in CSRF_TRUSTED_ORIGINS. Another port or
scheme of an allowed host is another site."""

import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator

pytestmark = pytest.mark.django_db(transaction=True)


async def _opens(token_for, host: str | None, origin: str | None, *extra: tuple[bytes, bytes]) -> bool:
    from config.asgi import application

    key = await database_sync_to_async(token_for)("dispatcher")
    headers = list(extra)
    if host is not None:
        headers.append((b"host", host.encode()))
    if origin is not None:
        headers.append((b"origin", origin.encode()))
    communicator = WebsocketCommunicator(application, f"/ws/board/?token={key}", headers=headers)
    connected, _code = await communicator.connect()
    if connected:
        await communicator.disconnect()
    return connected


async def test_it_opens_from_the_page_of_the_same_origin(token_for):
    assert await _opens(token_for, "127.0.0.1:8000", "http://127.0.0.1:8000")
    assert await _opens(token_for, "localhost:8000", "http://localhost:8000")
    assert await _opens(token_for, "127.0.0.1", "http://127.0.0.1")  # the default port, written or not
    assert await _opens(token_for, "127.0.0.1:80", "http://127.0.0.1")


@pytest.mark.parametrize("origin", [
    "http://127.0.0.1:9999",  # another service on the same machine
    "http://127.0.0.1",  # port 80 is another port than 8000
    "https://127.0.0.1:8000",  # another scheme is another site
    "http://localhost:8000",  # another allowed host name is another origin too
])
async def test_it_refuses_another_port_or_scheme_of_an_allowed_host(token_for, origin):
    assert not await _opens(token_for, "127.0.0.1:8000", origin)


@pytest.mark.parametrize("host,origin", [
    ("evil.example", "http://evil.example"),  # same origin, but a host we do not serve (DNS rebinding)
    ("127.0.0.1:8000", "null"),
    ("127.0.0.1:8000", None),
    (None, "http://127.0.0.1:8000"),
    ("127.0.0.1:8000", "http://user@127.0.0.1:8000"),
    ("127.0.0.1:8000", "http://127.0.0.1:8000/board/"),
    ("127.0.0.1:8000", "ws://127.0.0.1:8000"),
    ("127.0.0.1:8000", "http://127.0.0.1:80x"),
])
async def test_it_refuses_a_foreign_odd_or_missing_origin(token_for, host, origin):
    assert not await _opens(token_for, host, origin)


async def test_behind_the_proxy_it_takes_the_sites_https_origin_only(token_for, settings):
    # deploy/nginx.conf: Host is the name without a port, X-Forwarded-Proto the browser's scheme.
    settings.ALLOWED_HOSTS = ["care.example.org"]
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    https = (b"x-forwarded-proto", b"https")
    assert await _opens(token_for, "care.example.org", "https://care.example.org", https)
    assert not await _opens(token_for, "care.example.org", "http://care.example.org", https)
    assert not await _opens(token_for, "care.example.org", "https://care.example.org:8443", https)
    assert not await _opens(token_for, "care.example.org", "https://care.example.org")  # the proxy says http


async def test_an_origin_in_csrf_trusted_origins_is_taken(token_for, settings):
    # The site published on another port than the proxy listens on (HTTP_PORT=8080).
    settings.ALLOWED_HOSTS = ["care.example.org"]
    settings.CSRF_TRUSTED_ORIGINS = ["http://care.example.org:8080", "https://*.care.example.org"]
    assert await _opens(token_for, "care.example.org", "http://care.example.org:8080")
    assert await _opens(token_for, "care.example.org", "https://desk.care.example.org")
    assert not await _opens(token_for, "care.example.org", "http://care.example.org:8081")
    assert not await _opens(token_for, "care.example.org", "http://desk.care.example.org")


@pytest.mark.parametrize("query", ["", "?token=not-a-token"])
async def test_from_the_right_origin_a_socket_without_a_login_is_still_refused(query):
    from config.asgi import application

    headers = [(b"host", b"127.0.0.1:8000"), (b"origin", b"http://127.0.0.1:8000")]
    connected, code = await WebsocketCommunicator(application, f"/ws/board/{query}", headers=headers).connect()
    assert not connected and code == 4403
