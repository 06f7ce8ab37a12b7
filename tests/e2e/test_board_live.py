"""The board end to end: Daphne, Redis, a database, and a `websockets` client,
with requests taken over HTTP as the front desk takes them."""

import asyncio
import json

import pytest

pytestmark = pytest.mark.e2e
websockets_client = pytest.importorskip("websockets.asyncio.client")


class WsBoard:
    def __init__(self, ws):
        self.ws = ws

    @classmethod
    async def open(cls, server, username: str, last_event_id: int | None) -> "WsBoard":
        token = await asyncio.to_thread(server.token, username)
        # A non-browser client names the server as its origin (the origin check
        # refuses a socket without one).
        ws = await websockets_client.connect(f"{server.ws_url}?token={token}", origin=server.base_url)
        board = cls(ws)
        await ws.send(json.dumps({"type": "resume", "last_event_id": last_event_id}))
        return board

    async def next(self, *types: str, timeout: float = 10) -> dict:
        types = types or ("event",)
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            message = json.loads(await asyncio.wait_for(self.ws.recv(), deadline - loop.time()))
            if message["type"] in types:
                return message

    async def events(self, count: int, timeout: float = 10) -> list[dict]:
        return [await self.next(timeout=timeout) for _ in range(count)]

    async def close(self) -> None:
        await self.ws.close()


def _head(server) -> int:
    return server.request("GET", "/api/v1/board/", as_user="dispatcher", expect=200)["last_event_id"]


async def test_a_request_taken_over_http_reaches_every_board_through_redis(daphne_server):
    boards = [await WsBoard.open(daphne_server, name, None) for name in ("dispatcher", "lead", "dispatcher")]
    await asyncio.sleep(0.3)
    order = await asyncio.to_thread(daphne_server.take_request)
    for board in boards:
        received, raised = await board.events(2)
        assert received["event"] == "order.received" and received["data"]["number"] == order["number"]
        assert raised["event"] == "alert.raised" and raised["id"] == received["id"] + 1
    for board in boards:
        await board.close()


async def test_a_refused_socket_gets_no_events(daphne_server):
    from websockets.exceptions import InvalidStatus

    with pytest.raises(InvalidStatus):
        await websockets_client.connect(daphne_server.ws_url, origin=daphne_server.base_url)
    token = await asyncio.to_thread(daphne_server.token, "frontdesk")
    with pytest.raises(InvalidStatus):
        await websockets_client.connect(f"{daphne_server.ws_url}?token={token}", origin=daphne_server.base_url)
    token = await asyncio.to_thread(daphne_server.token, "dispatcher")
    with pytest.raises(InvalidStatus):
        await websockets_client.connect(f"{daphne_server.ws_url}?token={token}")  # no Origin


async def test_a_board_back_from_sleep_gets_exactly_what_it_missed(daphne_server):
    board = await WsBoard.open(daphne_server, "dispatcher", None)
    await asyncio.sleep(0.3)
    await asyncio.to_thread(daphne_server.take_request)
    last = (await board.events(2))[-1]["id"]
    await board.close()
    for _ in range(3):
        await asyncio.to_thread(daphne_server.take_request)
    board = await WsBoard.open(daphne_server, "dispatcher", last)
    got = await board.events(6)
    assert [m["id"] for m in got] == list(range(last + 1, last + 7))
    await board.close()


async def test_redis_down_requests_are_still_taken_and_boards_catch_up(daphne_server, redis_server):
    boards = [await WsBoard.open(daphne_server, name, await asyncio.to_thread(_head, daphne_server)) for name in ("dispatcher", "lead")]
    await asyncio.sleep(0.3)
    await asyncio.to_thread(daphne_server.take_request)
    start = [(await b.events(2))[-1]["id"] for b in boards]
    assert start[0] == start[1]

    redis_server.stop()
    try:
        taken = [await asyncio.to_thread(daphne_server.take_request) for _ in range(3)]
        assert all(order["state"] == "received" for order in taken)  # 201, nothing refused
    finally:
        redis_server.start()

    # Within a few heartbeats every board has every event, in order, once.
    for board in boards:
        got = await board.events(6, timeout=15)
        assert [m["id"] for m in got] == list(range(start[0] + 1, start[0] + 7))
        assert [m["data"].get("number") for m in got if m["event"] == "order.received"] == [o["number"] for o in taken]

    # And live delivery through the restarted Redis goes on.
    order = await asyncio.to_thread(daphne_server.take_request)
    for board in boards:
        received, _raised = await board.events(2, timeout=15)
        assert received["id"] == start[0] + 7 and received["data"]["number"] == order["number"]
        await board.close()


async def test_two_boards_ack_the_same_alert_over_the_network(daphne_server):
    one = await WsBoard.open(daphne_server, "dispatcher", None)
    two = await WsBoard.open(daphne_server, "lead", None)
    await asyncio.sleep(0.3)
    await asyncio.to_thread(daphne_server.take_request)
    alert_id = (await one.events(2))[1]["data"]["id"]
    await two.events(2)
    await asyncio.gather(*(b.ws.send(json.dumps({"type": "ack", "alert": alert_id})) for b in (one, two)))
    results = [await one.next("ack_result"), await two.next("ack_result")]
    assert sorted(r["won"] for r in results) == [False, True]
    for board in (one, two):
        acked = await board.next()
        assert acked["event"] == "alert.acknowledged" and acked["data"]["id"] == alert_id
        await board.close()
    snapshot = await asyncio.to_thread(daphne_server.request, "GET", "/api/v1/board/", as_user="dispatcher", expect=200)
    assert alert_id not in [a["id"] for a in snapshot["alerts"]]
