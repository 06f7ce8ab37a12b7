"""WebSocket routes: the origin is checked against ALLOWED_HOSTS, then the
session cookie (browsers) or `?token=` (other clients) names the user."""

from channels.auth import AuthMiddlewareStack
from channels.routing import URLRouter
from channels.security.websocket import AllowedHostsOriginValidator
from django.urls import path

from realtime.auth import TokenAuthMiddleware
from realtime.consumers import BoardConsumer

websocket_urlpatterns: list = [
    path("ws/board/", BoardConsumer.as_asgi()),
]
# AllowedHostsOriginValidator refuses a socket without an Origin header too:
# non-browser clients send one (e.g. http://127.0.0.1:8000).
websocket_application = AllowedHostsOriginValidator(
    AuthMiddlewareStack(TokenAuthMiddleware(URLRouter(websocket_urlpatterns)))
)
