"""ASGI entry point: HTTP through Django, WebSockets through Channels' router."""

import os

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

# Django must be set up before anything imports models (what
# get_asgi_application does, with our handler in place of Django's).
django.setup(set_prefix=False)

from config.asgi_handler import OneCrossingASGIHandler  # noqa: E402

django_asgi_app = OneCrossingASGIHandler()

from channels.routing import ProtocolTypeRouter  # noqa: E402

from core.access_log import AccessLogMiddleware  # noqa: E402
from realtime.routing import websocket_application  # noqa: E402

application = ProtocolTypeRouter(
    {"http": AccessLogMiddleware(django_asgi_app), "websocket": websocket_application}
)
