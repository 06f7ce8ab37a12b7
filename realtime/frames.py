"""What the server does with a WebSocket frame or message over its size
limit (Daphne's --websocket_max_frame_size and --websocket_max_message_size,
1 MiB by default): refuse it the way RFC 6455 says, with close code 1009
("message too big"), after an error message the board can show.

Daphne leaves this to autobahn, whose default (`failByDrop`) drops the TCP
connection without a close frame: a client saw 1006 and could not tell a
message too large from a network failure, and a board reconnected and sent
it again. Daphne takes its protocol class from its factory, and no option
reaches this; `install` puts the subclass below in its place, in the ASGI
server's process only (realtime.routing, which config.asgi imports before
the server starts). autobahn still reads nothing of the frame past its header.
"""

import json
import logging

from daphne.ws_protocol import WebSocketFactory, WebSocketProtocol
from django.utils.translation import gettext as _

from realtime.events import CLOSE_TOO_BIG

logger = logging.getLogger(__name__)


class BoardServerProtocol(WebSocketProtocol):
    """Daphne's WebSocket protocol, closing cleanly on a message too large."""

    def _max_message_size_exceeded(self, msg_size: int, max_msg_size: int, reason: str) -> None:
        # autobahn's hook for "received a frame or message over the limit",
        # called at the frame's header, before its payload is read.
        logger.warning("websocket: a client sent a message over %s bytes; closing with 1009", max_msg_size)
        if self.state == self.STATE_OPEN:
            detail = _("This message is too large.")
            error = {"type": "error", "code": "too_large", "detail": detail}
            self.sendMessage(json.dumps(error, ensure_ascii=False).encode(), isBinary=False)
        # For this connection only: a close frame, not a dropped connection.
        # autobahn then ignores the rest of the frame and waits for the
        # client's close (closeHandshakeTimeout) before it drops the socket.
        self.failByDrop = False
        self._fail_connection(CLOSE_TOO_BIG, "message too big")


def install() -> None:
    """Make Daphne's WebSocket factory build BoardServerProtocol. Idempotent."""
    if not issubclass(WebSocketFactory.protocol, BoardServerProtocol):
        WebSocketFactory.protocol = BoardServerProtocol
