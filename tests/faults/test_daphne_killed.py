"""A Daphne process SIGKILLed while transitions are inside their transaction.

The test holds the publish turn (the lock every state change takes last,
after writing its order, history and print rows), sends a desk's worth of
transitions to process A, waits until they are all written and waiting, and
kills A. Nothing of theirs may remain; process B, which kept serving, and a
restarted A must leave every order whole, and the boards (one on each
process) must end equal to a fresh snapshot."""

import asyncio
import signal
import threading

from tests.faults.conftest import (
    Board,
    assert_boards_equal_a_fresh_snapshot,
    database,
    orders_broken,
    publish_turn_held,
    start_daphne,
    stop,
    wait_for_publish_waiters,
)
from tests.faults.orders import BEFORE, intake, order_in, step


def _in_threads(calls) -> tuple[list[threading.Thread], list]:
    results: list = [None] * len(calls)

    def run(index, fn):
        results[index] = fn()

    threads = [threading.Thread(target=run, args=(i, fn)) for i, fn in enumerate(calls)]
    for t in threads:
        t.start()
    return threads, results


def _snapshot_of_orders(conn) -> dict[int, tuple[str, int, int]]:
    """Per order: state, history rows, print copies."""
    return {row[0]: row[1:] for row in conn.execute(
        "SELECT o.id, o.state,"
        " (SELECT count(*) FROM workorders_orderhistory h WHERE h.order_id = o.id),"
        " (SELECT count(*) FROM printing_printjob p WHERE p.order_id = o.id)"
        " FROM workorders_workorder o"
    )}


def test_a_daphne_killed_inside_transitions_leaves_every_order_whole_and_restarts_serving(two_processes):
    (a, b), (proc_a, _proc_b) = two_processes
    conn = database(a)
    # Orders at each step the desks will take, for A (killed) and for B.
    plans = {"a": {}, "b": {}}
    worker = None
    for side, count in (("a", 2), ("b", 1)):
        for name, state in BEFORE.items():
            for _ in range(count):
                order_id, worker = order_in(b, state, worker)
                plans[side][order_id] = name
    for server in (a, b):
        for user in ("dispatcher", "frontdesk"):
            server.token(user)

    async def scenario():
        boards = [await Board.open(a), await Board.open(b)]
        before = _snapshot_of_orders(conn)
        with publish_turn_held(conn):
            calls = [lambda o=o, n=n: step(a, o, n, worker) for o, n in plans["a"].items()]
            calls += [lambda: intake(a) for _ in range(2)]
            threads_a, results_a = _in_threads(calls)
            # A has written at least one transition and waits to commit it.
            await asyncio.to_thread(wait_for_publish_waiters, conn, 1)
            # Let the others reach the lock too (A's threads run them side by side).
            await asyncio.sleep(1)
            proc_a.send_signal(signal.SIGKILL)
            await asyncio.to_thread(proc_a.wait, 10)
            # B keeps serving; its transitions queue behind the held turn.
            threads_b, results_b = _in_threads(
                [lambda o=o, n=n: step(b, o, n, worker) for o, n in plans["b"].items()] + [lambda: intake(b)]
            )
            await asyncio.to_thread(wait_for_publish_waiters, conn, 1)
        for t in threads_a + threads_b:
            await asyncio.to_thread(t.join, 60)

        # Every request to A broke with the process: none was answered...
        assert [status for status, _ in results_a] == [None] * len(results_a)
        # ... and none left a trace: A's orders are as they were, no new order.
        after = _snapshot_of_orders(conn)
        assert {o: after[o] for o in plans["a"]} == {o: before[o] for o in plans["a"]}
        # B's were all taken.
        assert [status for status, _ in results_b] == [200] * len(plans["b"]) + [201]
        assert len(after) == len(before) + 1
        assert orders_broken(conn) == []

        # A restarted as it was started, with no step in between, serves again:
        # the orders the killed requests held are free.
        proc = start_daphne(a.env, a.port, "daphne-faults-restarted.log")
        try:
            for order_id, name in plans["a"].items():
                status, body = step(a, order_id, name, worker)
                assert status == 200, body[:300]
            status, body = intake(a)
            assert status == 201, body[:300]
            assert orders_broken(conn) == []
            # The board whose process died resumes on the restarted one.
            assert not boards[0].connected
            await boards[0].move(a)
            await assert_boards_equal_a_fresh_snapshot(b, boards)
        finally:
            for board in boards:
                await board.close()
            stop(proc)

    asyncio.run(scenario())
    conn.close()


def test_the_fault_checks_see_a_half_written_order(two_processes):
    """The invariants above can fail: an order changed without its history
    row or its event is reported."""
    (_a, b), _procs = two_processes
    conn = database(b)
    order_id, _worker = order_in(b, "received")
    assert orders_broken(conn) == []
    # A change that skips the service: no history row, no event.
    conn.execute("UPDATE workorders_workorder SET state = 'cancelled' WHERE id = %s", [order_id])
    assert any(f"order {order_id}:" in problem for problem in orders_broken(conn))
    conn.execute("UPDATE workorders_workorder SET state = 'received' WHERE id = %s", [order_id])
    assert orders_broken(conn) == []
    conn.close()
