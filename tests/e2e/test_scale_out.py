"""The production shape without containers: two Daphne processes on PostgreSQL
and Redis serve one board. A board on process A sees a request taken through
process B; A is then killed, and the board, reconnected to B, receives every
event it missed. `make scale-proof` runs this file alone."""

import asyncio
import json
import os
import signal
import subprocess
import sys

import pytest
import websockets

from tests.e2e.conftest import FACTS, ROOT, LiveServer, _database_url, free_port, wait_for_port

LOG_DIR = ROOT / "test-output" / "logs"


@pytest.fixture(scope="module")
def two_processes(redis_server, tmp_path_factory):
    if not os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://")):
        pytest.skip("the production shape runs on PostgreSQL: set DATABASE_URL (CI does)")
    tmp = tmp_path_factory.mktemp("scale")
    database_url, drop = _database_url(tmp)
    env = {
        **os.environ, "DJANGO_SETTINGS_MODULE": "config.settings", "DATABASE_URL": database_url,
        "REDIS_URL": redis_server.url, "VAR_DIR": str(tmp), "DEBUG": "1", "LANGUAGE_CODE": "en",
        "ALLOWED_HOSTS": "127.0.0.1,localhost", "BOARD_HEARTBEAT_SECONDS": "1", "LOG_FORMAT": "json",
    }
    python = sys.executable
    subprocess.run([python, "manage.py", "migrate", "--noinput", "-v", "0"], cwd=ROOT, env=env, check=True)
    subprocess.run([python, "manage.py", "load_demo_data"], cwd=ROOT, env=env, check=True, capture_output=True)
    facts = json.loads(
        subprocess.run([python, "manage.py", "shell", "-c", FACTS], cwd=ROOT, env=env, check=True,
                       capture_output=True, text=True).stdout.strip().splitlines()[-1]
    )
    LOG_DIR.mkdir(parents=True, exist_ok=True)
    servers, procs, logs = [], [], []
    for name in ("a", "b"):
        port = free_port()
        # Appended: the fault tests start these processes again, and the end-of-run
        # scan for personal data must still read what the first ones wrote.
        log = open(LOG_DIR / f"daphne-scale-{name}.log", "ab")
        proc = subprocess.Popen(
            [python, "-m", "daphne", "--access-log", "/dev/null", "-b", "127.0.0.1", "-p", str(port),
             "config.asgi:application"],
            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
        )
        wait_for_port(port, timeout=30, proc=proc)
        servers.append(LiveServer(port, env, facts))
        procs.append(proc)
        logs.append(log)
    try:
        yield servers, procs
    finally:
        for proc in procs:
            if proc.poll() is None:
                proc.terminate()
                proc.wait(10)
        for log in logs:
            log.close()
        drop()


async def _events_until(ws, wanted: set[str], ids: list[int], timeout: float = 15) -> list[dict]:
    """Read board messages until every wanted event name was seen; keep the ids."""
    seen: list[dict] = []
    async with asyncio.timeout(timeout):
        while not wanted <= {m["event"] for m in seen}:
            message = json.loads(await ws.recv())
            if message["type"] == "event":
                ids.append(message["id"])
                seen.append(message)
    return seen


def test_two_processes_serve_one_board_and_a_reconnect_misses_nothing(two_processes):
    (a, b), (proc_a, _proc_b) = two_processes
    origin = {"Origin": a.base_url}
    token = a.token("dispatcher")

    async def scenario():
        ids: list[int] = []
        snapshot = b.request("GET", "/api/v1/board/", as_user="dispatcher", expect=200)
        async with websockets.connect(f"{a.ws_url}?token={token}", additional_headers=origin) as ws:
            await ws.send(json.dumps({"type": "resume", "last_event_id": snapshot["last_event_id"]}))
            order = b.take_request()
            received = await _events_until(ws, {"order.received", "alert.raised"}, ids)
            assert any(m["event"] == "order.received" and m["data"]["id"] == order["id"] for m in received)
            last_seen = ids[-1]
            # Process A dies without a goodbye; meanwhile B keeps taking requests.
            proc_a.send_signal(signal.SIGKILL)
            proc_a.wait(10)
        missed = [b.take_request()["id"] for _ in range(3)]
        b.request("POST", f"/api/v1/orders/{missed[0]}/cancel/", {"reason": "Duplicate"}, as_user="dispatcher",
                  expect=200)
        after: list[int] = []
        async with websockets.connect(f"{b.ws_url}?token={token}", additional_headers={"Origin": b.base_url}) as ws:
            await ws.send(json.dumps({"type": "resume", "last_event_id": last_seen}))
            got = await _events_until(ws, {"order.received", "order.cancelled", "alert.raised"}, after)
            while len([m for m in got if m["event"] == "order.received"]) < 3:
                got += await _events_until(ws, {"order.received"}, after)
        received_ids = [m["data"]["id"] for m in got if m["event"] == "order.received"]
        assert received_ids == missed
        # Everything after the last id seen, in order, each once: no gap, no duplicate.
        assert after == sorted(set(after)) and after[0] > last_seen
        # ... and exactly what the event log holds after it.
        stored = b.request("GET", f"/api/v1/events/?since={last_seen}", as_user="dispatcher", expect=200)
        assert not stored["resync"]
        assert after == [e["id"] for e in stored["events"]][: len(after)]

    asyncio.run(scenario())
