"""Nothing reaches the channel layer before the transaction that published
it commits, on every database and layer (a board must never show an order
that a rollback then takes back), and a rolled-back change sends nothing.

The change is made in a sync thread, as a request makes it; the board's
channel listens in the test's event loop, which the sync thread hands its
events to."""

import asyncio
import time

import pytest
from asgiref.sync import sync_to_async
from channels.layers import get_channel_layer
from django.db import connections, transaction

from realtime.events import BOARD_GROUP
from workorders import services

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
async def _close_the_threads_connections():
    yield
    # The sync thread's connection would keep the test database open at teardown.
    await sync_to_async(connections.close_all)()


async def _board():
    layer = get_channel_layer()
    channel = await layer.new_channel()
    await layer.group_add(BOARD_GROUP, channel)
    return layer, channel


def _take(users, people, catalog):
    return services.order_create(
        actor=users["front_desk"], resident=people["with_card"], service=catalog["clean"], channel="phone",
    )


async def test_an_event_reaches_the_layer_only_after_commit(users, people, catalog):
    layer, channel = await _board()
    marks = {}

    def take_slowly():
        with transaction.atomic():
            _take(users, people, catalog)
            # The event row is written; a board must not hear of it yet.
            time.sleep(0.5)
            marks["committing"] = time.monotonic()

    taking = asyncio.ensure_future(sync_to_async(take_slowly)())
    message = await asyncio.wait_for(layer.receive(channel), 10)
    arrived = time.monotonic()
    await taking
    assert arrived >= marks["committing"]
    assert message["type"] == "board.events"


async def test_a_rolled_back_change_sends_nothing(users, people, catalog):
    layer, channel = await _board()

    class Undo(Exception):
        pass

    def take_then_undo():
        with pytest.raises(Undo), transaction.atomic():
            _take(users, people, catalog)
            raise Undo

    await sync_to_async(take_then_undo)()
    with pytest.raises(TimeoutError):
        await asyncio.wait_for(layer.receive(channel), 1)
