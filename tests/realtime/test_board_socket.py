"""The board socket: who may connect, resume and replay, live order, resync,
heartbeats and presence (DESIGN.md section 6)."""

import asyncio
import json

import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator

from realtime.models import Event

pytestmark = pytest.mark.django_db(transaction=True)


async def _refused(path: str, headers: list) -> bool:
    from config.asgi import application

    connected, _code = await WebsocketCommunicator(application, path, headers=headers).connect()
    return not connected


# The board page's own origin, as a browser on it sends it.
SAME_ORIGIN = [(b"origin", b"http://127.0.0.1:8000"), (b"host", b"127.0.0.1:8000")]


async def test_it_refuses_anonymous_connections(board):
    assert await _refused("/ws/board/", SAME_ORIGIN)


async def test_it_refuses_an_unknown_token(board):
    assert await _refused("/ws/board/?token=not-a-token", SAME_ORIGIN)


@pytest.mark.parametrize("role", ["front_desk", "field_worker", "finance", "nobody"])
async def test_it_refuses_roles_that_do_not_watch_the_board(role, token_for):
    key = await database_sync_to_async(token_for)(role)
    assert await _refused(f"/ws/board/?token={key}", SAME_ORIGIN)


async def test_it_refuses_a_foreign_or_missing_origin(token_for):
    key = await database_sync_to_async(token_for)("dispatcher")
    assert await _refused(f"/ws/board/?token={key}", [(b"origin", b"http://evil.example"), (b"host", b"127.0.0.1:8000")])
    assert await _refused(f"/ws/board/?token={key}", [])


async def test_it_accepts_a_session_cookie(board, session_cookie_for):
    cookie = await database_sync_to_async(session_cookie_for)("dispatch_lead")
    client = await board(None, cookie=cookie)
    await client.send({"type": "ping"})
    assert (await client.next("pong"))["type"] == "pong"
    await client.close()


async def test_it_sends_new_requests_live_in_the_wire_format(board, take_request):
    client = await board("dispatcher", resume=None)
    order = await take_request(urgency="urgent")
    received, raised = await client.events(2)
    assert received["event"] == "order.received"
    assert set(received) == {"type", "id", "event", "at", "data"}
    assert received["data"]["id"] == order.pk and received["data"]["number"] == order.number
    assert received["data"]["state"] == "received"
    assert raised["event"] == "alert.raised" and raised["id"] == received["id"] + 1
    assert raised["data"]["data"]["number"] == order.number
    assert raised["data"]["data"]["urgency"] == "urgent"
    await client.close()


async def test_a_board_that_reconnects_receives_exactly_what_it_missed(board, take_request):
    client = await board("dispatcher", resume=None)
    await take_request()
    seen = await client.events(2)
    last = seen[-1]["id"]
    await client.close()  # the laptop sleeps

    for _ in range(3):
        await take_request()
    missed = await database_sync_to_async(lambda: list(Event.objects.filter(id__gt=last).values_list("id", flat=True)))()
    assert len(missed) == 6

    client = await board("dispatcher", resume=last)
    replayed = await client.events(6)
    assert [m["id"] for m in replayed] == missed
    await take_request()
    live = await client.events(2)
    assert [m["id"] for m in live] == [missed[-1] + 1, missed[-1] + 2]
    await client.no_event()
    await client.close()


async def test_replayed_events_are_the_same_text_as_live_ones(board, take_request):
    client = await board("dispatcher", resume=None)
    await take_request()
    live = await client.events(2)
    await client.close()
    again = await board("dispatcher", resume=live[0]["id"] - 1)
    assert await again.events(2) == live
    await again.close()


async def test_it_tells_a_board_too_far_behind_to_resync(board, take_request, settings):
    settings.ORDER_EVENTS_REPLAY_LIMIT = 3
    first = await take_request()
    await take_request()
    start = await database_sync_to_async(lambda: Event.objects.filter(data__id=first.pk).order_by("id").first().id)()
    client = await board("dispatcher", resume=start - 1)  # 4 events missed, limit 3
    assert (await client.next("resync", "event"))["type"] == "resync"
    # After reloading the snapshot the board resumes from its id and is live again.
    head = await database_sync_to_async(lambda: Event.objects.order_by("-id").first().id)()
    await client.resume(head)
    await take_request()
    assert [m["id"] for m in await client.events(2)] == [head + 1, head + 2]
    await client.close()


async def test_it_refuses_to_resume_from_an_id_it_never_gave_out(board, take_request):
    await take_request()
    # Past the log's last id (PostgreSQL does not restart ids between tests:
    # a fixed number would be given out sooner or later).
    head = await database_sync_to_async(lambda: Event.objects.order_by("-id").values_list("id", flat=True)[0])()
    client = await board("dispatcher", resume=head + 1_000)
    assert (await client.next("resync", "event"))["type"] == "resync"
    await client.close()


async def test_live_events_during_the_replay_are_neither_lost_nor_doubled(board, take_request):
    for _ in range(20):
        await take_request()
    client = await board("dispatcher", resume="skip")
    # Resume from the very start while more requests come in at the same time.
    await asyncio.gather(client.resume(0), *[take_request() for _ in range(10)])
    got = await client.events(60)
    ids = [m["id"] for m in got]
    assert ids == list(range(ids[0], ids[0] + 60))
    await client.no_event()
    await client.close()


async def test_a_board_that_says_nothing_gets_events_from_when_it_connected(board, take_request):
    await take_request()
    client = await board("dispatcher", resume="skip")
    await take_request()
    got = await client.events(2)
    assert [m["event"] for m in got] == ["order.received", "alert.raised"]
    await client.close()


async def test_it_pings_idle_boards(board):
    client = await board("supervisor", resume=None)
    ping = await client.next("ping", timeout=2)
    assert ping == {"type": "ping", "last_event_id": ping["last_event_id"]}
    await client.close()


async def test_it_answers_nonsense_with_an_error(board):
    client = await board("dispatcher", resume=None)
    await client.ws.send_to(text_data="not json")
    assert (await client.next("error"))["code"] == "invalid"
    await client.send({"type": "resume", "last_event_id": "x"})
    assert (await client.next("error"))["code"] == "invalid"
    await client.close()


async def test_it_shows_who_else_is_on_the_board(board):
    one = await board("dispatcher", resume=None)
    two = await board("dispatch_lead", resume=None)

    async def names(client):
        while True:
            users = (await client.next("presence", timeout=3))["users"]
            if len(users) == 2:
                return sorted(u["username"] for u in users)

    assert await names(one) == ["dispatch_lead", "dispatcher"]
    await two.close()
    while True:
        users = (await one.next("presence", timeout=3))["users"]
        if len(users) == 1:
            break
    assert users[0]["username"] == "dispatcher"
    await one.close()


async def test_a_slow_reader_loses_nothing(board, take_request, settings, monkeypatch):
    # A channel that holds 5 messages, and a consumer that takes 20 ms per
    # socket write: the layer drops most of a burst of 60 events on the floor.
    settings.CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer", "CONFIG": {"capacity": 5}}}
    from realtime.consumers import BoardConsumer

    original = BoardConsumer.send

    async def slow_send(self, text_data=None, bytes_data=None, close=False):
        if text_data and text_data.startswith('{"type":"event"'):
            await asyncio.sleep(0.02)
        return await original(self, text_data=text_data, bytes_data=bytes_data, close=close)

    monkeypatch.setattr(BoardConsumer, "send", slow_send)
    client = await board("dispatcher", resume=None)
    await asyncio.sleep(0.1)
    for _ in range(30):
        await take_request()
    got = await client.events(60, timeout=10)
    ids = [m["id"] for m in got]
    assert ids == list(range(ids[0], ids[0] + 60))
    assert json.loads(json.dumps(got)) == got
    await client.close()


async def test_an_event_whose_live_message_never_came_arrives_with_the_heartbeat(board, take_request):
    # Two boards: the process reads the table's head once per interval for
    # both, and each board that is behind it reads what it missed.
    one = await board("dispatcher", resume=None)
    two = await board("supervisor", resume=None)
    await take_request()
    seen = (await one.events(2))[-1]["id"]
    await two.events(2)
    # A row in the log that no message announced (a Redis restart between
    # commit and send), with no later event to reveal the gap.
    lost = await database_sync_to_async(Event.objects.create)(type="order.received", data={"id": 0, "number": "-", "state": "received"})
    for client in (one, two):
        got = await client.next(timeout=3)
        assert got["id"] == lost.id == seen + 1
        await client.no_event(0.7)  # sent once, not again on later beats
    await one.close()
    await two.close()
