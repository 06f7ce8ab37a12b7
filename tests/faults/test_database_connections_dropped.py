"""PostgreSQL terminates every backend of the database (a failover, an
administrator, a restart) while two Daphne processes serve the desks and the
boards, and while the alert worker and the scheduler run their loops.

Requests caught inside a transaction fail with a JSON 500 and leave nothing
behind; the next request on each process succeeds with no restart (Django
reconnects: CONN_HEALTH_CHECKS); the boards keep their stream without a gap;
the workers log the failed pass and go on."""

import asyncio
import json
import signal
import subprocess
import sys
import time

import pytest

from tests.e2e.conftest import ROOT, LiveServer, free_port
from tests.faults.conftest import (
    LOG_DIR,
    Board,
    assert_boards_equal_a_fresh_snapshot,
    database,
    log_text,
    orders_broken,
    publish_turn_held,
    start_daphne,
    stop,
    wait_for_publish_waiters,
)
from tests.faults.orders import BEFORE, intake, order_in, step
from tests.faults.test_daphne_killed import _in_threads, _snapshot_of_orders

TERMINATE = ("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
             " WHERE datname = current_database() AND pid <> pg_backend_pid()")


def _worker(env: dict, command: str, name: str) -> tuple[subprocess.Popen, object]:
    LOG_DIR.mkdir(parents=True, exist_ok=True)
    path = LOG_DIR / f"faults-{name}.log"
    with open(path, "wb") as log:
        proc = subprocess.Popen(
            [sys.executable, "manage.py", command, "--loop", "--interval", "1"],
            cwd=ROOT, stdout=log, stderr=subprocess.STDOUT,
            # Named in pg_stat_activity, so the test knows when it is mid-pass.
            env={**env, "PGAPPNAME": name, "LOG_LEVEL": "INFO", "ALERT_REPEAT_SECONDS": "2"},
        )
    return proc, path


def _stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        proc.wait(20)


def _wait_until(predicate, what: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise TimeoutError(what)
        time.sleep(0.1)


@pytest.fixture
def production_processes(two_processes):
    """Two Daphne processes on the fixture's database, run as production runs
    them (DEBUG off: the API's JSON error pages; the fixture's own processes
    answer a 500 with Django's debug page)."""
    (first, _second), _procs = two_processes
    env = {**first.env, "DEBUG": "0", "SECRET_KEY": "faults-" + "x" * 50, "SECURE_SSL_REDIRECT": "0"}
    ports = [free_port(), free_port()]
    daphnes = [start_daphne(env, port, f"daphne-faults-{i}.log") for i, port in enumerate(ports)]
    try:
        yield [LiveServer(port, env, first.facts) for port in ports]
    finally:
        for proc in daphnes:
            stop(proc)


@pytest.fixture
def workers(production_processes):
    """The alert worker and the scheduler looping every second: (process, log) each."""
    env = production_processes[0].env
    started = [_worker(env, "run_alert_worker", "alert-worker"), _worker(env, "run_scheduler", "scheduler")]
    try:
        yield started
    finally:
        for proc, _log in started:
            _stop(proc)


def test_terminated_database_connections_fail_requests_cleanly_and_everything_reconnects(
    production_processes, workers
):
    a, b = production_processes
    (alerts, alerts_log), (scheduler, scheduler_log) = workers
    conn = database(a)
    plans = {}
    worker = None
    for server in (a, b):
        for name, state in BEFORE.items():
            order_id, worker = order_in(b, state, worker)
            plans[order_id] = (server, name)
    for server in (a, b):
        for user in ("dispatcher", "frontdesk"):
            server.token(user)

    async def scenario():
        boards = [await Board.open(a), await Board.open(b)]
        before = _snapshot_of_orders(conn)
        with publish_turn_held(conn):
            threads, results = _in_threads(
                [lambda o=o, s=s, n=n: step(s, o, n, worker) for o, (s, n) in plans.items()]
                + [lambda: intake(a), lambda: intake(b)]
            )
            # Requests of both processes and a pass of the alert worker are
            # inside their transactions, waiting to publish.
            await asyncio.to_thread(wait_for_publish_waiters, conn, 1, application="alert-worker")
            await asyncio.to_thread(wait_for_publish_waiters, conn, 3)
            await asyncio.sleep(1)
            scheduler_before = len(log_text(scheduler_log).splitlines())
            conn.execute(TERMINATE)
        for t in threads:
            await asyncio.to_thread(t.join, 60)
        head = conn.execute("SELECT max(id) FROM realtime_event").fetchone()[0]

        # Each request was answered: done, or refused with the API's error shape.
        failed = []
        for (status, body), (order_id, (server, name)) in zip(results, [*plans.items(), (None, (a, "intake")),
                                                                        (None, (b, "intake"))], strict=True):
            assert status in (200, 201, 500), (status, body[:300])
            if status == 500:
                assert body.startswith(b"{") and json.loads(body)["code"] == "server_error", (name, body[:500])
                failed.append((order_id, server, name))
        assert failed, "no request was caught by the terminated connections"
        # ... and a failed one left nothing behind.
        after = _snapshot_of_orders(conn)
        for order_id, _server, _name in failed:
            if order_id is not None:
                assert after[order_id] == before[order_id]
        assert orders_broken(conn) == []

        # The next requests succeed at the first try, on both processes.
        for order_id, server, name in failed:
            status, body = step(server, order_id, name, worker) if order_id else intake(server)
            assert status in (200, 201), body[:300]
        # Again with the connections idle: the first request after finds its connection gone.
        conn.execute(TERMINATE)
        for server in (a, b):
            status, body = intake(server)
            assert status == 201, body[:300]
            status, _body = step(server, json.loads(body)["id"], "assign", worker)
            assert status == 200
        assert orders_broken(conn) == []

        # The workers logged the pass that failed, are still running, and work
        # again: the alert worker sounds the open alerts once more...
        assert alerts.poll() is None and scheduler.poll() is None
        # The pass caught waiting fails when it next needs a connection: at
        # once, or after the pool's timeout (DB_POOL_TIMEOUT_SECONDS) when the
        # pool is still replacing the terminated ones.
        await asyncio.to_thread(
            _wait_until, lambda: "run_alert_worker failed; retrying" in log_text(alerts_log),
            "the alert worker logged no failed pass",
        )
        await asyncio.to_thread(
            _wait_until,
            lambda: conn.execute("SELECT count(*) FROM realtime_event WHERE type = 'alert.repeated' AND id > %s",
                                 [head]).fetchone()[0] > 0,
            "the alert worker did not sound an alert again",
        )
        # ... and the scheduler finishes passes.
        await asyncio.to_thread(
            _wait_until,
            lambda: "scheduler: " in "\n".join(log_text(scheduler_log).splitlines()[scheduler_before:]),
            "the scheduler finished no pass after the connections were dropped",
        )
        # The boards on both processes kept their stream: no gap, no resync
        # (compared once the workers stopped publishing).
        for proc in (alerts, scheduler):
            await asyncio.to_thread(_stop, proc)
        assert all(board.connected for board in boards)
        await assert_boards_equal_a_fresh_snapshot(b, boards)
        for board in boards:
            await board.close()

    try:
        asyncio.run(scenario())
    finally:
        conn.close()
