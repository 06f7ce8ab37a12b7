"""Board clients for the consumer tests: WebsocketCommunicator against the real
ASGI application (origin check, session/token auth, routing, consumer)."""

import asyncio
import copy
import json
import os

import pytest
from channels.db import database_sync_to_async
from channels.layers import channel_layers
from channels.testing import WebsocketCommunicator
from django.test import Client
from rest_framework.authtoken.models import Token

ORIGIN = (b"origin", b"http://127.0.0.1:8000")


@pytest.fixture(autouse=True)
def _fresh_channel_layer(settings):
    # Each async test runs its own event loop; a layer built in another loop
    # holds queues and connections bound to that loop.
    settings.BOARD_HEARTBEAT_SECONDS = 0.3
    if "redis" in settings.CHANNEL_LAYERS["default"]["BACKEND"]:
        # A shared Redis may carry another test run's "board" group: a prefix
        # of our own keeps its events out of these boards.
        layer = copy.deepcopy(settings.CHANNEL_LAYERS)
        layer["default"]["CONFIG"]["prefix"] = f"test{os.getpid()}"
        settings.CHANNEL_LAYERS = layer
    channel_layers.backends = {}
    yield
    channel_layers.backends = {}


@pytest.fixture
def token_for(users):
    """token_for(role) -> that user's API token key."""

    def make(role: str) -> str:
        return Token.objects.get_or_create(user=users[role])[0].key

    return make


@pytest.fixture
def session_cookie_for(users):
    """session_cookie_for(role) -> a Cookie header value of a logged-in session."""

    def make(role: str) -> bytes:
        client = Client()
        client.force_login(users[role])
        return f"sessionid={client.cookies['sessionid'].value}".encode()

    return make


class Board:
    """One board client: connect, resume, read events and control messages."""

    def __init__(self, communicator: WebsocketCommunicator):
        self.ws = communicator
        self.others: list[dict] = []  # control messages seen while waiting for events

    async def connect(self) -> tuple[bool, object]:
        return await self.ws.connect()

    async def send(self, message: dict) -> None:
        await self.ws.send_to(text_data=json.dumps(message))

    async def resume(self, last_event_id: int | None) -> None:
        await self.send({"type": "resume", "last_event_id": last_event_id})

    async def next(self, *types: str, timeout: float = 3) -> dict:
        """The next message of one of `types` (default: events), keeping others."""
        types = types or ("event",)
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            left = deadline - loop.time()
            if left <= 0:
                raise TimeoutError(f"no {types} within {timeout}s")
            message = await self.ws.receive_json_from(left)
            if message["type"] in types:
                return message
            self.others.append(message)

    async def events(self, count: int, timeout: float = 5) -> list[dict]:
        return [await self.next(timeout=timeout) for _ in range(count)]

    async def no_event(self, wait: float = 0.8) -> None:
        """Assert no event arrives within `wait` seconds (pings may)."""
        # Not receive_output with a timeout: on timeout asgiref cancels the app.
        await asyncio.sleep(wait)
        while not self.ws.output_queue.empty():
            output = self.ws.output_queue.get_nowait()
            message = json.loads(output.get("text") or "{}")
            assert message.get("type") != "event", f"unexpected event {message}"
            self.others.append(message)

    async def close(self) -> None:
        await self.ws.disconnect()


@pytest.fixture
def board(token_for):
    """await board(role, resume=...) -> a connected Board. By token unless
    `cookie` is given; `resume` (an id, None, or "skip") is sent at once."""
    from config.asgi import application

    opened: list[Board] = []

    async def make(role: str | None = "dispatcher", *, resume=None, cookie: bytes | None = None,
                   origin: tuple | None = ORIGIN) -> Board:
        path = "/ws/board/"
        if role is not None and cookie is None:
            path += "?token=" + await database_sync_to_async(token_for)(role)
        headers = [(b"host", b"127.0.0.1:8000")]
        if origin:
            headers.append(origin)
        if cookie:
            headers.append((b"cookie", cookie))
        client = Board(WebsocketCommunicator(application, path, headers=headers))
        connected, code = await client.connect()
        assert connected, f"refused with {code}"
        opened.append(client)
        if resume != "skip":
            await client.resume(resume)
        return client

    return make


def create_order(users, people, catalog, *, urgency: str = "normal", service: str = "clean"):
    """Take a request through the real service, as the front desk."""
    from workorders.services import order_create

    return order_create(
        actor=users["front_desk"], resident=people["with_card"], service=catalog[service],
        channel="phone", urgency=urgency,
    )


@pytest.fixture
def take_request(users, people, catalog):
    """await take_request(...) -> a new order, created in a worker thread."""

    async def make(**kwargs):
        return await database_sync_to_async(create_order)(users, people, catalog, **kwargs)

    return make
