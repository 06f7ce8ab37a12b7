"""WebSocket routes: the origin must be this site's (realtime.origin), then
the session cookie (browsers) or `?token=` (other clients) names the user."""

from channels.auth import AuthMiddlewareStack
from channels.routing import URLRouter
from django.urls import path

from realtime import frames
from realtime.auth import TokenAuthMiddleware
from realtime.consumers import BoardConsumer
from realtime.origin import SameOriginValidator

# Daphne closes a socket whose message is too large with 1009 (realtime.frames).
frames.install()

websocket_urlpatterns: list = [
    path("ws/board/", BoardConsumer.as_asgi()),
]
# A socket without an Origin header is refused too: non-browser clients send
# one (e.g. http://127.0.0.1:8000 with Host 127.0.0.1:8000).
websocket_application = SameOriginValidator(
    AuthMiddlewareStack(TokenAuthMiddleware(URLRouter(websocket_urlpatterns)))
)
