"""ASGI entry point: HTTP through Django, WebSockets through Channels' router."""

import os

import django
from daphne import http_protocol

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

# Django must be set up before anything imports models (what
# get_asgi_application does, with our handler in place of Django's).
django.setup(set_prefix=False)

from config.asgi_handler import OneCrossingASGIHandler  # noqa: E402

django_asgi_app = OneCrossingASGIHandler()


class RequestBodyLeftToDjango(http_protocol.WebRequest):
    """Daphne's request, without Twisted's parsing of form bodies.

    Twisted's HTTP request parses every multipart/form-data and url-encoded
    POST body into arguments Daphne never reads, and answers a multipart body
    it cannot parse with a bare 400 itself: no JSON under /api/, no security
    headers, no access-log line, the application never asked. Django parses
    the body (and refuses a malformed one through core.error_pages)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, parsePOSTFormSubmission=False, **kwargs)


# Daphne's HTTP factory builds each connection's requests from this name
# (daphne.http_protocol.HTTPFactory.buildProtocol); Daphne imports this
# module before it starts listening.
http_protocol.WebRequest = RequestBodyLeftToDjango

from channels.routing import ProtocolTypeRouter  # noqa: E402

from core.access_log import AccessLogMiddleware  # noqa: E402
from realtime.routing import websocket_application  # noqa: E402

application = ProtocolTypeRouter(
    {"http": AccessLogMiddleware(django_asgi_app), "websocket": websocket_application}
)
