"""Intake-to-alert latency of the live board (issue 3).

For N connected board clients (N = 1, 10, 100, 1000) it measures the time
from sending the intake POST to the event arriving at each client: median,
p95, p99 over all (round, client) pairs. Two stacks run in the same session,
both Daphne + Redis (pub/sub layer) + the same database server:

- product: POST /api/v1/orders/ as the front desk (auth, validation, order,
  history, event rows, alert) -> /ws/board/ clients (token auth, resume);
  measured to `alert.raised` (the pop-up) and to `order.received` (the card);
- floor: bench/board_floor, a bare Django + Channels app that inserts one row
  and calls group_send on commit; each consumer encodes the event itself.

Everything runs on this machine: the clients share the CPUs with the servers,
so the numbers include the clients' own reading time.

    .venv/bin/python bench/bench_alert_latency.py                     # SQLite, own redis-server
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/x .venv/bin/python bench/bench_alert_latency.py
    .venv/bin/python bench/bench_alert_latency.py --clients 1 10 100 --rounds 30
"""

import argparse
import asyncio
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
from pathlib import Path

from websockets.asyncio.client import connect
from websockets.exceptions import InvalidHandshake

ROOT = Path(__file__).resolve().parents[1]
PY = sys.executable
DEMO_PASSWORD = "demo-pass-2026"
FACTS = """
import json
from dispatch.models import Resident, ServiceItem
service = ServiceItem.objects.filter(active=True, approval="", required_skill__isnull=False).order_by("code").first()
resident = next(r for r in Resident.objects.filter(active=True, area__served=True).order_by("id") if r.has_valid_card())
print(json.dumps({"resident": resident.pk, "service": service.pk}))
"""
# For the load test and bench_request_cpu: every resident a desk may take a
# request for, with a phone to look them up by.
PEOPLE_FACTS = """
import json
from dispatch.models import Resident, ServiceItem
service = ServiceItem.objects.filter(active=True, approval="", required_skill__isnull=False).order_by("code").first()
people = [
    (r.pk, str(r.phones.first().number))
    for r in Resident.objects.filter(active=True, area__served=True).prefetch_related("phones").order_by("id")
    if r.has_valid_card() and r.phones.exists()
]
print(json.dumps({"service": service.pk, "people": people}))
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for_port(port: int, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return
        except OSError:
            time.sleep(0.05)
    raise TimeoutError(port)


def cpu_seconds(pid: int) -> float:
    """CPU time (user + system) the process has used: per intake it says what
    a change costs the server, which a shared machine's load does not inflate
    the way it inflates wall-clock latency."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q / 100 * len(ordered)) - 1))]


class Databases:
    """Fresh databases for the two stacks: SQLite files, or PostgreSQL
    databases on the server DATABASE_URL names."""

    def __init__(self, tmp: Path):
        self.tmp = tmp
        self.base = os.environ.get("DATABASE_URL", "")
        self.created: list[str] = []

    def url(self, name: str) -> str:
        if not self.base.startswith(("postgres://", "postgresql://")):
            return f"sqlite:///{self.tmp / (name + '.sqlite3')}"
        import psycopg

        db = f"bench_{name}_{uuid.uuid4().hex[:8]}"
        with psycopg.connect(self.base.rsplit("/", 1)[0] + "/postgres", autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{db}"')
        self.created.append(db)
        return self.base.rsplit("/", 1)[0] + "/" + db

    def drop(self) -> None:
        if self.created:
            import psycopg

            with psycopg.connect(self.base.rsplit("/", 1)[0] + "/postgres", autocommit=True) as conn:
                for db in self.created:
                    conn.execute(f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)')


def post_json(url: str, body: dict, headers: dict | None = None) -> dict:
    req = urllib.request.Request(
        url, data=json.dumps(body).encode(), method="POST",
        headers={"Content-Type": "application/json", "Accept": "application/json", **(headers or {})},
    )
    with urllib.request.urlopen(req, timeout=30) as r:
        return json.loads(r.read())


class Clients:
    """N board sockets reading in one event loop; arrival times by event name
    and the id the intake answered with."""

    def __init__(self):
        self.sockets = []
        self.tasks = []
        self.refused = 0
        self.arrivals: dict[tuple[str, int], list[float]] = {}
        self.waiters: dict[tuple[str, int], tuple[int, asyncio.Event]] = {}

    async def open(self, count: int, url: str, origin: str, resume: bool) -> None:
        async def one():
            for attempt in range(4):
                try:
                    ws = await connect(url, origin=origin, max_queue=None, open_timeout=60)
                    break
                except (OSError, InvalidHandshake):
                    # Daphne drops a handshake its application has not accepted
                    # within 5 s; under a connection storm, try again later.
                    self.refused += 1
                    await asyncio.sleep(1 + attempt)
            else:
                raise RuntimeError(f"could not connect {count} clients")
            if resume:
                await ws.send(json.dumps({"type": "resume", "last_event_id": None}))
            self.sockets.append(ws)
            self.tasks.append(asyncio.create_task(self._read(ws)))

        for start in range(0, count, 25):  # a connection storm would time out the handshakes
            await asyncio.gather(*(one() for _ in range(start, min(count, start + 25))))

    async def _read(self, ws) -> None:
        try:
            async for text in ws:
                now = time.perf_counter()
                if '"type":"event"' not in text and '"type": "event"' not in text:
                    continue  # pings, presence
                message = json.loads(text)
                data = message["data"]
                # An alert's own id is not the order's: key it by the order it is about.
                key = (message["event"], data["data"]["id"] if message["event"] == "alert.raised" else data["id"])
                self.arrivals.setdefault(key, []).append(now)
                waiter = self.waiters.get(key)
                if waiter and len(self.arrivals[key]) >= waiter[0]:
                    waiter[1].set()
        except Exception:  # noqa: BLE001 - a closed socket ends its reader
            return

    async def wait(self, key: tuple[str, int], count: int, timeout: float = 20) -> list[float]:
        done = asyncio.Event()
        self.waiters[key] = (count, done)
        if len(self.arrivals.get(key, [])) >= count:
            done.set()
        try:
            await asyncio.wait_for(done.wait(), timeout)
        except TimeoutError:
            pass
        self.waiters.pop(key, None)
        return self.arrivals.pop(key, [])

    async def close(self) -> None:
        for task in self.tasks:
            task.cancel()
        await asyncio.gather(*(ws.close() for ws in self.sockets), return_exceptions=True)


def card(i: int) -> dict:
    return {
        "number": f"WO-2026-{i:06d}", "state": "received", "urgency": "urgent", "service": "clean-home",
        "service_name": "居家保洁", "resident": "王秀英", "area": "幸福里社区", "worker": None, "partner": None,
        "paperwork_owed": False, "created_at": "2026-11-22T20:00:00+08:00",
    }


async def measure(stack: dict, n: int, rounds: int) -> dict[str, list[float]]:
    clients = Clients()
    await clients.open(n, stack["ws"], stack["origin"], stack["resume"])
    # Let the joins (and the product's presence broadcasts) settle.
    await asyncio.sleep(1 + n / 200)
    results: dict[str, list[float]] = {name: [] for name in stack["events"]}
    results["post"] = []
    missing = 0
    cpu_before = cpu_seconds(stack["pid"])
    for i in range(rounds):
        t0 = time.perf_counter()
        answer = await asyncio.to_thread(stack["post"], i)
        results["post"].append((time.perf_counter() - t0) * 1000)
        for name in stack["events"]:
            arrived = await clients.wait((name, answer["id"]), n)
            missing += n - len(arrived)
            results[name].extend((t - t0) * 1000 for t in arrived)
        await asyncio.sleep(0.05)
    # Includes the 50 ms pauses' heartbeats and pings: small against the intakes.
    results["cpu"] = [(cpu_seconds(stack["pid"]) - cpu_before) * 1000 / rounds]
    await clients.close()
    results["missing"] = [missing]
    if clients.refused:
        print(f"  ({clients.refused} handshakes had to be retried at N={n})", flush=True)
    return results


def start_daphne(module: str, env: dict, cwd: Path, log: Path) -> tuple[subprocess.Popen, int]:
    port = free_port()
    proc = subprocess.Popen(
        [PY, "-m", "daphne", "--access-log", "/dev/null", "-b", "127.0.0.1", "-p", str(port), module],
        cwd=cwd, env=env, stdout=open(log, "wb"), stderr=subprocess.STDOUT,
    )
    wait_for_port(port)
    return proc, port


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--clients", type=int, nargs="+", default=[1, 10, 100, 1000])
    parser.add_argument("--rounds", type=int, default=40, help="intakes per N (fewer at N >= 1000)")
    parser.add_argument("--redis-url", help="use this Redis instead of starting one")
    parser.add_argument("--stacks", nargs="+", default=["floor", "product"], choices=["floor", "product"])
    args = parser.parse_args()

    tmp = Path(tempfile.mkdtemp(prefix="bench-board-"))
    procs: list[subprocess.Popen] = []
    dbs = Databases(tmp)
    try:
        redis_url = args.redis_url
        if not redis_url:
            if not shutil.which("redis-server"):
                sys.exit("redis-server is not installed; pass --redis-url")
            rport = free_port()
            procs.append(subprocess.Popen(
                ["redis-server", "--port", str(rport), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
                stdout=subprocess.DEVNULL,
            ))
            wait_for_port(rport)
            redis_url = f"redis://127.0.0.1:{rport}/0"

        # The product, as production runs it (DEBUG off), with demo data.
        env = {**os.environ, "DATABASE_URL": dbs.url("product"), "REDIS_URL": redis_url, "VAR_DIR": str(tmp),
               "DEBUG": "0", "SECRET_KEY": "bench-only", "SECURE_SSL_REDIRECT": "0", "LOG_LEVEL": "WARNING",
               "ALLOWED_HOSTS": "127.0.0.1", "DJANGO_SETTINGS_MODULE": "config.settings"}
        subprocess.run([PY, "manage.py", "migrate", "-v", "0"], cwd=ROOT, env=env, check=True)
        subprocess.run([PY, "manage.py", "load_demo_data"], cwd=ROOT, env=env, check=True, capture_output=True)
        facts = json.loads(subprocess.run([PY, "manage.py", "shell", "-c", FACTS], cwd=ROOT, env=env, check=True,
                                          capture_output=True, text=True).stdout.strip().splitlines()[-1])
        proc, port = start_daphne("config.asgi:application", env, ROOT, tmp / "product.log")
        procs.append(proc)
        base = f"http://127.0.0.1:{port}"
        desk = post_json(base + "/api/v1/auth/token/", {"username": "frontdesk", "password": DEMO_PASSWORD})["token"]
        board = post_json(base + "/api/v1/auth/token/", {"username": "dispatcher", "password": DEMO_PASSWORD})["token"]
        body = {"resident": facts["resident"], "service": facts["service"], "channel": "phone", "urgency": "urgent"}
        product = {
            "ws": f"ws://127.0.0.1:{port}/ws/board/?token={board}", "origin": base, "resume": True,
            "post": lambda i: post_json(base + "/api/v1/orders/", body, {"Authorization": f"Token {desk}"}),
            "events": ["alert.raised", "order.received"], "pid": proc.pid,
        }

        floor_env = {**os.environ, "DATABASE_URL": dbs.url("floor"), "REDIS_URL": redis_url,
                     "DJANGO_SETTINGS_MODULE": "board_floor.settings", "PYTHONPATH": str(ROOT / "bench")}
        proc, fport = start_daphne("board_floor.asgi:application", floor_env, ROOT / "bench", tmp / "floor.log")
        procs.append(proc)
        fbase = f"http://127.0.0.1:{fport}"
        floor = {
            "ws": f"ws://127.0.0.1:{fport}/ws/floor/", "origin": fbase, "resume": False,
            "post": lambda i: post_json(fbase + "/intake/", card(i)), "events": ["order.received"],
            "pid": proc.pid,
        }

        rows = []
        for n in args.clients:
            rounds = args.rounds if n < 1000 else max(10, args.rounds // 3)
            for name, stack in (("floor", floor), ("product", product)):
                if name not in args.stacks:
                    continue
                try:
                    result = asyncio.run(measure(stack, n, rounds))
                except RuntimeError as exc:
                    print(f"N={n:<5} {name:<8} not measured: {exc}", flush=True)
                    continue
                for event in stack["events"]:
                    values = result[event]
                    rows.append((n, name, event, rounds, len(values), result["missing"][0],
                                 statistics.median(values), percentile(values, 95), percentile(values, 99),
                                 statistics.median(result["post"]), result["cpu"][0]))
                    print(f"N={n:<5} {name:<8} {event:<15} rounds={rounds:<3} samples={len(values):<6} "
                          f"missing={result['missing'][0]:<4} median={rows[-1][6]:7.1f} ms  p95={rows[-1][7]:7.1f} ms  "
                          f"p99={rows[-1][8]:7.1f} ms  (POST answered: median {rows[-1][9]:.1f} ms; "
                          f"server CPU {rows[-1][10]:.1f} ms per intake)", flush=True)
        print("\n| N | stack | measured to | rounds | samples | missing | median ms | p95 ms | p99 ms "
              "| POST answered (median ms) | server CPU per intake (ms) |")
        print("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |")
        for n, name, event, rounds, samples, missing, med, p95, p99, post, cpu in rows:
            print(f"| {n} | {name} | {event} | {rounds} | {samples} | {missing} | {med:.1f} | {p95:.1f} | {p99:.1f} "
                  f"| {post:.1f} | {cpu:.1f} |")
    finally:
        for proc in reversed(procs):
            proc.terminate()
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                proc.kill()
        dbs.drop()
        for log in tmp.glob("*.log"):  # the servers' logs, for a look after a failure
            shutil.copy(log, ROOT / "test-output" / f"bench-{log.name}") if (ROOT / "test-output").is_dir() else None
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
