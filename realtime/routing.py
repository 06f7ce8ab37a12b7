"""WebSocket routes. The board consumer comes with the live-board issue."""

from channels.routing import URLRouter

websocket_urlpatterns: list = []
websocket_application = URLRouter(websocket_urlpatterns)
