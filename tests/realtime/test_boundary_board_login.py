"""A board socket lives as long as the login it was opened with: revoking the
token, logging out, losing the board roles, deactivation close it (with an
error saying why, then 4401 or 4403), on the in-memory layer and on Redis;
a socket whose notice was lost closes at its periodic check, and no
acknowledgement gets through once the login has ended."""

import asyncio
import copy
import json
import os

import pytest
from channels.db import database_sync_to_async
from channels.layers import channel_layers
from channels.testing import WebsocketCommunicator
from django.contrib.auth.models import Group
from django.contrib.sessions.models import Session
from django.test import Client
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from realtime import consumers
from realtime.events import CLOSE_FORBIDDEN, CLOSE_SIGNED_OUT
from realtime.models import Alert

pytestmark = pytest.mark.django_db(transaction=True)

HEADERS = [(b"host", b"127.0.0.1:8000"), (b"origin", b"http://127.0.0.1:8000")]


@pytest.fixture(params=["memory", "redis"])
def layer(request, settings):
    """Each test once on the in-memory layer and once on Redis (REDIS_URL)."""
    if request.param == "redis":
        url = os.environ.get("REDIS_URL")
        if not url:
            pytest.skip("the Redis run needs REDIS_URL")
        settings.CHANNEL_LAYERS = {"default": {
            "BACKEND": "channels_redis.pubsub.RedisPubSubChannelLayer",
            # A prefix of our own: another test run's groups stay out.
            "CONFIG": {"hosts": [{"address": url, "socket_timeout": None}], "prefix": f"boundary{os.getpid()}"},
        }}
    else:
        settings.CHANNEL_LAYERS = copy.deepcopy({"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}})
    channel_layers.backends = {}
    yield request.param
    channel_layers.backends = {}


@pytest.fixture
def no_periodic_check(monkeypatch):
    """The close must come from the notice, not from the periodic check."""
    monkeypatch.setattr(consumers, "RECHECK_EVERY_BEATS", 10_000)


def _login(user) -> tuple[Client, bytes]:
    client = Client()
    client.force_login(user)
    return client, f"sessionid={client.cookies['sessionid'].value}".encode()


async def _closed(client, timeout: float = 3) -> tuple[list[dict], int]:
    """The messages until the server closes the socket, and the close code.
    Fails after `timeout` seconds in all (pings keep coming on an open socket)."""
    messages = []
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        left = deadline - loop.time()
        if left <= 0:
            raise TimeoutError(f"still open after {timeout}s; got {[m['type'] for m in messages]}")
        output = await client.ws.receive_output(left)
        if output["type"] == "websocket.close":
            return messages, output.get("code")
        messages.append(json.loads(output["text"]))


async def _still_open(client, wait: float = 0.8) -> None:
    await asyncio.sleep(wait)
    while not client.ws.output_queue.empty():
        output = client.ws.output_queue.get_nowait()
        assert output["type"] != "websocket.close", output
    await client.send({"type": "ping"})
    assert (await client.next("pong"))["type"] == "pong"


def _error_before(messages: list[dict], code: str) -> None:
    errors = [m for m in messages if m["type"] == "error"]
    assert errors and errors[-1]["code"] == code and errors[-1]["detail"], messages


async def _refused(path: str, headers: list) -> bool:
    from config.asgi import application

    connected, _code = await WebsocketCommunicator(application, path, headers=headers).connect()
    return not connected


async def test_revoking_the_token_closes_its_sockets_and_not_the_sessions(
    layer, no_periodic_check, board, users, token_for
):
    key = await database_sync_to_async(token_for)("dispatcher")
    by_token = await board("dispatcher", resume=None)
    _client, cookie = await database_sync_to_async(_login)(users["dispatcher"])
    by_session = await board(None, cookie=cookie, resume=None)

    def revoke():
        api = APIClient()
        api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
        assert api.post("/api/v1/auth/token/revoke/").status_code == 204

    await database_sync_to_async(revoke)()
    messages, code = await _closed(by_token)
    assert code == CLOSE_SIGNED_OUT
    _error_before(messages, "signed_out")
    await _still_open(by_session)  # another login of the same user is not this token
    assert await _refused(f"/ws/board/?token={key}", HEADERS)
    await by_token.close()
    await by_session.close()


async def test_logging_out_closes_that_sessions_sockets_only(layer, no_periodic_check, board, users):
    first, first_cookie = await database_sync_to_async(_login)(users["dispatcher"])
    _second, second_cookie = await database_sync_to_async(_login)(users["dispatcher"])
    on_first = await board(None, cookie=first_cookie, resume=None)
    on_second = await board(None, cookie=second_cookie, resume=None)
    by_token = await board("dispatcher", resume=None)

    await database_sync_to_async(lambda: first.post("/accounts/logout/"))()
    messages, code = await _closed(on_first)
    assert code == CLOSE_SIGNED_OUT
    _error_before(messages, "signed_out")
    await _still_open(on_second)
    await _still_open(by_token)
    assert await _refused("/ws/board/", [*HEADERS, (b"cookie", first_cookie)])
    for client in (on_first, on_second, by_token):
        await client.close()


@pytest.mark.parametrize("side", ["user.groups", "group.user_set"])
async def test_losing_the_board_role_closes_the_socket_with_4403(layer, no_periodic_check, board, users, side):
    client = await board("dispatcher", resume=None)

    def remove():
        group = Group.objects.get(name="dispatcher")
        if side == "user.groups":
            users["dispatcher"].groups.remove(group)
        else:
            group.user_set.clear()

    await database_sync_to_async(remove)()
    messages, code = await _closed(client)
    assert code == CLOSE_FORBIDDEN
    _error_before(messages, "role_changed")
    await client.close()


async def test_losing_the_ack_role_but_keeping_a_board_role_keeps_the_socket_and_refuses_acks(
    layer, no_periodic_check, board, users, take_request
):
    dispatcher = users["dispatcher"]
    await database_sync_to_async(lambda: dispatcher.groups.add(Group.objects.get(name="supervisor")))()
    client = await board("dispatcher", resume=None)
    await take_request()
    raised = [m for m in await client.events(2) if m["event"] == "alert.raised"][0]

    await database_sync_to_async(lambda: dispatcher.groups.remove(Group.objects.get(name="dispatcher")))()
    await _still_open(client)  # a supervisor watches the board
    await client.send({"type": "ack", "alert": raised["data"]["id"]})
    assert (await client.next("error"))["code"] == "forbidden"
    assert await database_sync_to_async(Alert.objects.filter(acknowledged_at__isnull=False).exists)() is False
    await client.close()


async def test_deactivating_the_user_closes_every_socket_of_theirs(layer, no_periodic_check, board, users):
    _client, cookie = await database_sync_to_async(_login)(users["dispatch_lead"])
    by_session = await board(None, cookie=cookie, resume=None)
    by_token = await board("dispatch_lead", resume=None)
    other = await board("dispatcher", resume=None)

    def deactivate():
        lead = users["dispatch_lead"]
        lead.is_active = False
        lead.save()

    await database_sync_to_async(deactivate)()
    for client in (by_session, by_token):
        messages, code = await _closed(client)
        assert code == CLOSE_SIGNED_OUT
        _error_before(messages, "signed_out")
    await _still_open(other)
    for client in (by_session, by_token, other):
        await client.close()


async def test_no_acknowledgement_gets_through_once_the_login_has_ended(
    no_periodic_check, board, users, take_request
):
    client = await board("dispatcher", resume=None)
    await take_request()
    raised = [m for m in await client.events(2) if m["event"] == "alert.raised"][0]
    # Deleted without a signal (a notice that never came): the ack itself checks.
    await database_sync_to_async(lambda: Token.objects.filter(user=users["dispatcher"])._raw_delete("default"))()
    await client.send({"type": "ack", "alert": raised["data"]["id"]})
    messages, code = await _closed(client)
    assert code == CLOSE_SIGNED_OUT
    _error_before(messages, "signed_out")
    assert not [m for m in messages if m["type"] == "ack_result"]
    assert await database_sync_to_async(Alert.objects.filter(acknowledged_at__isnull=False).exists)() is False
    await client.close()


async def test_a_socket_whose_notice_was_lost_closes_at_its_periodic_check(board, users):
    by_token = await board("dispatcher", resume=None)
    _client, cookie = await database_sync_to_async(_login)(users["dispatch_lead"])
    by_session = await board(None, cookie=cookie, resume=None)

    def end_quietly():
        Token.objects.filter(user=users["dispatcher"])._raw_delete("default")
        # A session past its age, as one idle for 8 hours is.
        Session.objects.update(expire_date=timezone.now() - timezone.timedelta(seconds=1))

    await database_sync_to_async(end_quietly)()
    # Heartbeats every 0.3 s in these tests, a check every RECHECK_EVERY_BEATS of them.
    for client in (by_token, by_session):
        messages, code = await _closed(client, timeout=0.3 * (consumers.RECHECK_EVERY_BEATS + 2))
        assert code == CLOSE_SIGNED_OUT
        _error_before(messages, "signed_out")
        await client.close()
