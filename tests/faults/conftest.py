"""Fault injection against the production shape: the two Daphne processes on
PostgreSQL and Redis of tests/e2e (their fixtures, reused), plus a connection
of the test's own to the servers' database that holds locks, watches who waits
and terminates backends. The helpers here check what must hold whatever
failed: every order whole, every board equal to a fresh snapshot."""

import asyncio
import contextlib
import json
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import psycopg
import pytest
import websockets

from tests.e2e.conftest import ROOT, LiveServer, redis_server, wait_for_port  # noqa: F401 - fixtures reused
from tests.e2e.test_scale_out import two_processes  # noqa: F401 - the fixture, reused
from tests.front.test_board_snapshot import apply

LOG_DIR = ROOT / "test-output" / "logs"
# realtime.services._PUBLISH_LOCK_KEY: every publishing transaction takes it
# last, after writing its rows; holding it keeps those transactions open.
PUBLISH_LOCK_KEY = 0x626F617264


@pytest.fixture(autouse=True)
def _postgres_only(postgres_only):
    """Every fault here is a PostgreSQL or process fault."""


def call(server: LiveServer, method: str, path: str, data: dict | None = None, *,
         as_user: str | None = None) -> tuple[int | None, bytes]:
    """(status, body); status None when the connection broke (a killed server)."""
    headers = {"Content-Type": "application/json", "Accept": "application/json"}
    if as_user:
        headers["Authorization"] = f"Token {server.token(as_user)}"
    req = urllib.request.Request(server.base_url + path, method=method, headers=headers,
                                 data=json.dumps(data).encode() if data is not None else None)
    try:
        with urllib.request.urlopen(req, timeout=60) as r:
            return r.status, r.read()
    except urllib.error.HTTPError as err:
        return err.code, err.read()
    except (urllib.error.URLError, ConnectionError, OSError) as exc:
        return None, repr(exc).encode()


def database(server: LiveServer) -> psycopg.Connection:
    return psycopg.connect(server.env["DATABASE_URL"], autocommit=True)


@contextlib.contextmanager
def publish_turn_held(conn: psycopg.Connection):
    """While inside, every transaction that publishes an event has written its
    rows and waits, uncommitted, for its turn."""
    with conn.transaction():
        conn.execute("SELECT pg_advisory_xact_lock(%s)", [PUBLISH_LOCK_KEY])
        yield


def wait_for_publish_waiters(conn: psycopg.Connection, count: int, *, application: str | None = None,
                             timeout: float = 60) -> int:
    """Wait until `count` backends (of that application_name, if given) wait for the publish turn."""
    query = ("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
             " AND wait_event_type = 'Lock' AND wait_event = 'advisory'")
    args: list = []
    if application is not None:
        query += " AND application_name = %s"
        args.append(application)
    deadline = time.monotonic() + timeout
    while True:
        # Inside a transaction (the held turn) the statistics views keep their
        # first reading unless told to read again.
        conn.execute("SELECT pg_stat_clear_snapshot()")
        waiting = conn.execute(query, args).fetchone()[0]
        if waiting >= count:
            return waiting
        if time.monotonic() > deadline:
            seen = conn.execute(
                "SELECT application_name, state, wait_event_type, wait_event, left(query, 60) FROM pg_stat_activity"
                " WHERE datname = current_database() AND pid <> pg_backend_pid()"
            ).fetchall()
            raise TimeoutError(f"{waiting} backends wait for the publish turn, not {count}: {seen}")
        time.sleep(0.05)


def start_daphne(env: dict, port: int, log_name: str) -> subprocess.Popen:
    """Daphne as the e2e fixtures start it: nothing else to do before it serves."""
    LOG_DIR.mkdir(parents=True, exist_ok=True)
    log = open(LOG_DIR / log_name, "wb")  # noqa: SIM115 - the process writes it until it ends
    proc = subprocess.Popen(
        [sys.executable, "-m", "daphne", "--access-log", "/dev/null", "-b", "127.0.0.1", "-p", str(port),
         "config.asgi:application"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
    )
    log.close()
    wait_for_port(port, timeout=30, proc=proc)
    return proc


def stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(10)


# --- What must hold after any fault ------------------------------------------------------

def orders_broken(conn: psycopg.Connection) -> list[str]:
    """Every way an order is half-written; empty when every order is whole:
    its history is a chain from creation to its state, each history row has
    its event (same state, same order), and its print copies are 1..n."""
    problems = []
    states = dict(conn.execute("SELECT id, state FROM workorders_workorder").fetchall())
    history: dict[int, list[tuple[str, str]]] = {}
    for order, from_state, to_state in conn.execute(
        "SELECT order_id, from_state, to_state FROM workorders_orderhistory ORDER BY id"
    ):
        history.setdefault(order, []).append((from_state, to_state))
    events: dict[int, list[str]] = {}
    for order, state in conn.execute(
        "SELECT (data->>'id')::bigint, data->>'state' FROM realtime_event WHERE type LIKE 'order.%%' ORDER BY id"
    ):
        events.setdefault(order, []).append(state)
    copies: dict[int, list[int]] = {}
    for order, copy in conn.execute("SELECT order_id, copy_number FROM printing_printjob ORDER BY copy_number"):
        copies.setdefault(order, []).append(copy)
    for order, state in states.items():
        chain = history.get(order, [])
        if not chain or chain[0][0] != "":
            problems.append(f"order {order}: history does not start at its creation: {chain[:1]}")
        if any(prev[1] != nxt[0] for prev, nxt in zip(chain, chain[1:], strict=False)):
            problems.append(f"order {order}: history has a gap: {chain}")
        if chain and chain[-1][1] != state:
            problems.append(f"order {order}: state {state} but history ends at {chain[-1][1]}")
        if [to for _, to in chain] != events.get(order, []):
            problems.append(f"order {order}: history {chain} but events {events.get(order)}")
        if copies.get(order, []) != list(range(1, len(copies.get(order, [])) + 1)):
            problems.append(f"order {order}: print copies {copies[order]}")
    for order in set(history) - set(states):
        problems.append(f"history of order {order}, which does not exist")
    return problems


class Board:
    """A board as board.js keeps it: a snapshot, then every event after it
    applied in id order. Follows one server's socket; `move` resumes on
    another from the last event seen."""

    def __init__(self, name: str, snapshot: dict):
        self.name = name
        self.state = snapshot
        self.position = snapshot["last_event_id"]
        self.ids: list[int] = []
        self.problems: list[str] = []
        self.advanced = asyncio.Event()
        self.task: asyncio.Task | None = None

    @classmethod
    async def open(cls, server: LiveServer, name: str = "dispatcher") -> "Board":
        snapshot = json.loads((await asyncio.to_thread(call, server, "GET", "/api/v1/board/", as_user=name))[1])
        board = cls(name, snapshot)
        await board.move(server)
        return board

    async def move(self, server: LiveServer) -> None:
        if self.task is not None:
            self.task.cancel()
        token = await asyncio.to_thread(server.token, self.name)
        ws = await websockets.connect(f"{server.ws_url}?token={token}", additional_headers={"Origin": server.base_url},
                                      max_queue=None)
        await ws.send(json.dumps({"type": "resume", "last_event_id": self.position}))
        self.task = asyncio.create_task(self._read(ws))

    async def _read(self, ws) -> None:
        try:
            async for text in ws:
                message = json.loads(text)
                if message["type"] == "resync":
                    self.problems.append("told to resync")
                elif message["type"] == "event":
                    if message["id"] <= self.position:
                        self.problems.append(f"event {message['id']} again (at {self.position})")
                        continue
                    self.state = apply(self.state, message)
                    self.position = message["id"]
                    self.ids.append(message["id"])
                    self.advanced.set()
        except websockets.ConnectionClosed:
            pass
        finally:
            await ws.close()

    @property
    def connected(self) -> bool:
        return self.task is not None and not self.task.done()

    async def reach(self, last_event_id: int, timeout: float = 30) -> None:
        """Wait until the board has seen every event up to that id."""
        async with asyncio.timeout(timeout):
            while self.position < last_event_id:
                self.advanced.clear()
                await self.advanced.wait()

    async def close(self) -> None:
        if self.task is not None:
            self.task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self.task


async def assert_boards_equal_a_fresh_snapshot(server: LiveServer, boards: list[Board]) -> None:
    """Every board holds what GET /api/v1/board/ answers now, and saw every
    event of the log after its start exactly once, in order."""
    fresh = json.loads((await asyncio.to_thread(call, server, "GET", "/api/v1/board/", as_user="dispatcher"))[1])
    for board in boards:
        await board.reach(fresh["last_event_id"])
        assert board.problems == []
        assert board.state == fresh, board.name
        first = board.ids[0] - 1 if board.ids else fresh["last_event_id"]
        status, body = await asyncio.to_thread(call, server, "GET", f"/api/v1/events/?since={first}",
                                               as_user="dispatcher")
        feed = json.loads(body)
        assert status == 200 and not feed["resync"]
        assert board.ids == [e["id"] for e in feed["events"]], board.name


def log_text(path: Path) -> str:
    return path.read_text(encoding="utf-8", errors="replace") if path.exists() else ""
