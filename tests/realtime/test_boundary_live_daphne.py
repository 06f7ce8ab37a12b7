"""The board socket's boundary on a real Daphne with Redis (tests/e2e's
servers, on a database of their own): a message over Daphne's 1 MiB limit is refused with an error and
close code 1009, not a dropped connection; a token revoked in another process
closes the socket through the channel layer, well before its periodic check."""

import asyncio
import json
import os
import subprocess
import sys

import pytest

from realtime.consumers import RECHECK_EVERY_BEATS
from tests.e2e.conftest import (
    DEMO_PASSWORD,
    ROOT,
    LiveServer,
    _database_url,
    redis_server,  # noqa: F401 - a redis-server of this module's own
    running_daphne,
)

pytestmark = pytest.mark.e2e
websockets = pytest.importorskip("websockets")
from websockets.asyncio.client import connect  # noqa: E402

USERS = """
from django.contrib.auth.models import Group, Permission, User
from core.roles import sync_role_groups
sync_role_groups(Group, Permission)
for name in ("dispatcher", "supervisor"):
    User.objects.create_user(username=name, password=PASSWORD).groups.add(Group.objects.get(name=name))
""".replace("PASSWORD", repr(DEMO_PASSWORD))


@pytest.fixture(scope="module")
def daphne_server(redis_server, tmp_path_factory):  # noqa: F811
    """Daphne serving config.asgi:application on a fresh database with two
    board users (no demo data: nothing here needs orders), Redis as the layer."""
    tmp = tmp_path_factory.mktemp("boundary")
    database_url, drop = _database_url(tmp)
    env = {
        **os.environ, "DJANGO_SETTINGS_MODULE": "config.settings", "DATABASE_URL": database_url,
        "REDIS_URL": redis_server.url, "VAR_DIR": str(tmp), "DEBUG": "1", "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "BOARD_HEARTBEAT_SECONDS": "1", "LANGUAGE_CODE": "en", "LOG_LEVEL": "WARNING",
    }
    subprocess.run([sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"], cwd=ROOT, env=env, check=True)
    subprocess.run([sys.executable, "manage.py", "shell", "-c", USERS], cwd=ROOT, env=env, check=True)
    try:
        with running_daphne(env, tmp / "daphne.log") as port:
            yield LiveServer(port, env, {})
    finally:
        drop()


MiB = 1024 * 1024


async def _open(server, username: str):
    token = await asyncio.to_thread(server.token, username)
    ws = await connect(f"{server.ws_url}?token={token}", origin=server.base_url, compression=None)
    await ws.send(json.dumps({"type": "resume", "last_event_id": None}))
    return ws


async def _until_closed(ws, timeout: float = 10) -> tuple[list[dict], int | None]:
    """The messages until the server closes, and its close code (None: no close frame)."""
    messages = []
    async with asyncio.timeout(timeout):
        try:
            async for text in ws:
                messages.append(json.loads(text))
        except websockets.ConnectionClosed:
            pass
    received = ws.protocol.close_rcvd
    return messages, received.code if received is not None else None


@pytest.mark.parametrize("shape", ["one frame", "fragments"])
async def test_a_message_over_one_mib_is_refused_with_1009_after_an_error(daphne_server, shape):
    ws = await _open(daphne_server, "dispatcher")
    text = json.dumps({"type": "ping", "pad": "x" * MiB})
    if shape == "one frame":
        await ws.send(text)
    else:
        # Fragments each under the frame limit, together over the message limit.
        await ws.send([text[i:i + MiB // 4] for i in range(0, len(text), MiB // 4)])
    messages, code = await _until_closed(ws)
    assert code == 1009
    errors = [m for m in messages if m["type"] == "error"]
    assert errors and errors[-1]["code"] == "too_large" and errors[-1]["detail"]
    # The server goes on: a new socket is served.
    again = await _open(daphne_server, "dispatcher")
    await again.send(json.dumps({"type": "ping"}))
    async with asyncio.timeout(5):
        while json.loads(await again.recv())["type"] != "pong":
            pass
    await again.close()


REVOKE_WHEN_TOLD = """
import sys
from rest_framework.authtoken.models import Token
print("ready", flush=True)
sys.stdin.readline()
Token.objects.filter(user__username="supervisor").delete()
print("revoked", flush=True)
"""


async def test_a_token_revoked_in_another_process_closes_the_socket_through_the_layer(daphne_server):
    server = daphne_server
    ws = await _open(server, "supervisor")
    # Another process on the same database and Redis: the admin, a script.
    revoker = subprocess.Popen(
        [sys.executable, "manage.py", "shell", "-v", "0", "-c", REVOKE_WHEN_TOLD], cwd=ROOT, env=server.env,
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
    )
    try:
        assert (await asyncio.to_thread(revoker.stdout.readline)).strip() == "ready"
        # The socket also checks on every RECHECK_EVERY_BEATS-th heartbeat (one
        # a second here), before that beat's ping: revoke just after the ping of
        # a checking beat, and the notice must close it before the next check.
        pings = 0
        async with asyncio.timeout(10):
            while True:
                message = json.loads(await ws.recv())
                if message["type"] == "ping":
                    pings += 1
                    if pings % RECHECK_EVERY_BEATS == 0:
                        break
        revoker.stdin.write("go\n")
        revoker.stdin.flush()
        messages, code = await _until_closed(ws)
        assert (await asyncio.to_thread(revoker.stdout.readline)).strip() == "revoked"
    finally:
        revoker.kill()
        revoker.wait(10)
        server._tokens.pop("supervisor", None)
    assert code == 4401
    # Not the periodic check: that one would have come after more pings.
    assert len([m for m in messages if m["type"] == "ping"]) < RECHECK_EVERY_BEATS - 1
    assert messages[-1]["type"] == "error" and messages[-1]["code"] == "signed_out"
