"""Hostile clients of the board socket /ws/board/: binary frames, text that is
not JSON, JSON of the wrong shape, unknown types, huge and deeply nested
messages, and a flood of messages from one client. The socket answers with an
error (or closes cleanly, 4429 for a flood) and keeps serving everyone else."""

import asyncio
import json

import pytest

pytestmark = pytest.mark.django_db(transaction=True)

HOSTILE_TEXT = [
    " ", "not json", "{", "nul\x00l", "[]", "[1, 2, 3]", '"a string"', "42", "null", "true",
    "{}", '{"type": null}', '{"type": ["resume"]}', '{"type": {"a": 1}}', '{"type": "drop_table"}',
    '{"type": "resume", "last_event_id": "1"}', '{"type": "resume", "last_event_id": -5}',
    '{"type": "resume", "last_event_id": 1.5}', '{"type": "resume", "last_event_id": true}',
    '{"type": "ack", "alert": "1"}', '{"type": "ack", "alert": 1180591620717411303424}',
    '{"type": "ack", "alert": -1}', '{"type": "ack"}', "[" * 100_000, "[" * 4000, '{"type": "ping", "x": ' + "[" * 5000 + "}",
    '{"type": "\\u202eping"}', "\ud800".encode("utf-8", "surrogatepass").decode("utf-8", "replace"),
]


async def _answer(client) -> dict:
    return json.loads((await client.ws.receive_output(3))["text"])


async def _still_serves(client) -> None:
    await client.send({"type": "ping"})
    assert (await client.next("pong"))["type"] == "pong"


async def test_each_hostile_text_message_gets_an_error_and_the_socket_goes_on(board, settings):
    settings.BOARD_MESSAGE_BURST = 1000
    client = await board("dispatcher", resume=None)
    for text in HOSTILE_TEXT:
        await client.ws.send_to(text_data=text)
        answer = await client.next("error", "resync", "ack_result")
        assert answer["type"] in ("error", "resync", "ack_result"), (text[:50], answer)
        if answer["type"] == "error":
            assert answer["code"] in ("invalid", "too_large", "not_found") and answer["detail"], answer
    await _still_serves(client)
    await client.close()


async def test_a_binary_frame_gets_an_error_and_the_socket_goes_on(board):
    client = await board("dispatcher", resume=None)
    for data in (b"\x00\xff\xfe", json.dumps({"type": "ping"}).encode(), b"\x00"):
        await client.ws.send_to(bytes_data=data)
        assert (await client.next("error"))["code"] == "invalid"
    await _still_serves(client)
    await client.close()


async def test_a_huge_message_is_refused_without_being_read(board, settings):
    client = await board("dispatcher", resume=None)
    await client.ws.send_to(text_data=json.dumps({"type": "ping", "pad": "x" * (settings.BOARD_MESSAGE_MAX_CHARS + 1)}))
    answer = await client.next("error")
    assert answer["code"] == "too_large"
    await _still_serves(client)
    await client.close()


async def test_a_flood_from_one_client_closes_it_with_4429_and_the_others_are_unaffected(board, take_request):
    flooder = await board("dispatcher", resume=None)
    other = await board("dispatch_lead", resume=None)
    for _ in range(3000):
        await flooder.ws.send_to(text_data='{"type": "ping"}')
    seen_error, code = False, None
    while code is None:
        output = await flooder.ws.receive_output(5)
        if output["type"] == "websocket.close":
            code = output["code"]
        elif json.loads(output["text"]).get("code") == "rate_limited":
            seen_error = True
    assert seen_error and code == 4429
    # The other board still answers at once and still receives events live.
    await _still_serves(other)
    order = await take_request(urgency="urgent")
    received = await other.next()
    assert received["event"] == "order.received" and received["data"]["id"] == order.pk
    await other.close()


async def test_a_normal_pace_is_never_limited(board, settings):
    settings.BOARD_MESSAGE_BURST, settings.BOARD_MESSAGES_PER_SECOND = 5, 50
    client = await board("dispatcher", resume=None)
    for _ in range(20):
        await client.send({"type": "ping"})
        assert (await client.next("pong"))["type"] == "pong"
        await asyncio.sleep(0.03)
    await client.close()


@pytest.fixture
def take_request(users, people, catalog):
    from channels.db import database_sync_to_async

    from tests.realtime.conftest import create_order

    async def make(**kwargs):
        return await database_sync_to_async(create_order)(users, people, catalog, **kwargs)

    return make


@pytest.mark.parametrize("query", ["token=%00", "token=abc%00def", "token=%FF%FE", "token=" + "a" * 5000,
                                   "token=&token=x", "token=%E2%80%AEabc"])
async def test_a_hostile_token_is_refused_cleanly(query):
    from channels.testing import WebsocketCommunicator

    from config.asgi import application

    headers = [(b"host", b"127.0.0.1:8000"), (b"origin", b"http://127.0.0.1:8000")]
    connected, code = await WebsocketCommunicator(application, f"/ws/board/?{query}", headers=headers).connect()
    assert not connected and code == 4403
