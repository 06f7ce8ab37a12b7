"""City-scale load test (issue 9): a compressed day against the production
shape, with board sockets checking that every event reaches every board.

Shape: PostgreSQL (the server DATABASE_URL names; a fresh database), a
redis-server of its own, two Daphne processes (DEBUG off) on two ports and
no proxy; the client spreads over both. Traffic goes to 127.0.0.1 only.

The mix, per intake (an open-loop arrival at --rate per second): the front
desk looks the caller up by phone and takes the request; a few seconds later
a dispatcher reads the suggestions and assigns; then the desk prints (a PDF),
hands out, takes back, and a follow-up call is logged. Meanwhile --boards
board sockets (half on each process) follow the stream from the head.

Reported: latency percentiles per operation, errors, intake-to-alert
latency at the boards (POST sent -> `alert.raised` read), events lost per
board (every event id of the table after the start, checked per board), RSS
of each process over time (/proc), and, with --ceiling, the highest intake
rate (closed loop, intakes only) against the bare insert endpoint of
bench/board_floor on two processes of its own.

With --memory-dumps DIR each Daphne process of the product writes, at every
memory sample, what it holds (gc objects by type, glibc heap in use and free,
resident memory by mapping, threads, sizes of the realtime app's per-loop
containers; with --tracemalloc N, traced from the first sample on, also a
snapshot of N frames) to DIR, and the RSS samples go to DIR/rss.csv;
bench/load/memdiff.py compares the dumps (memprobe/sitecustomize.py). A dump
stops the process's loop for about a second; tracing slows every allocation
(at 25 frames on a loaded machine the processes fell behind and timed out).

    make load                                          # 100 boards, 50/s, 5 minutes, ceiling
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres \\
        .venv/bin/python bench/load/run.py --rate 50 --duration 30 --boards 100
    .venv/bin/python bench/load/run.py --boards 500 --duration 60 --no-ceiling
    .venv/bin/python bench/load/run.py --rate 15 --duration 480 --no-ceiling \\
        --sample-seconds 20 --memory-dumps /tmp/mem    # then bench/load/memdiff.py /tmp/mem
"""

import argparse
import asyncio
import json
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "bench"))
from bench_alert_latency import PEOPLE_FACTS, Databases, free_port, percentile, wait_for_port  # noqa: E402
from websockets.asyncio.client import connect  # noqa: E402

PY = sys.executable
DEMO_PASSWORD = "demo-pass-2026"
EVENT_ID = re.compile(r'^\{"type":"event","id":(\d+),"event":"([a-z._]+)"')


# --- HTTP/1.1 with keep-alive, on asyncio streams --------------------------------------

class ConnectionClosedBeforeAnswer(ConnectionError):
    pass


class Http:
    """One keep-alive connection; a request at a time."""

    def __init__(self, port: int):
        self.port = port
        self.reader = self.writer = None

    async def request(self, method: str, path: str, body: dict | None, token: str) -> tuple[int, bytes]:
        if self.writer is not None:
            try:
                return await self._request(method, path, body, token)
            except ConnectionClosedBeforeAnswer:
                pass  # the server closed the idle keep-alive connection: once more on a new one
        self.reader, self.writer = await asyncio.open_connection("127.0.0.1", self.port)
        return await self._request(method, path, body, token)

    async def _request(self, method: str, path: str, body: dict | None, token: str) -> tuple[int, bytes]:
        data = json.dumps(body).encode() if body is not None else b""
        auth = f"Authorization: Token {token}\r\n" if token else ""
        head = (f"{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{self.port}\r\nAccept: application/json\r\n"
                f"Content-Type: application/json\r\n{auth}Content-Length: {len(data)}\r\n\r\n")
        try:
            self.writer.write(head.encode() + data)
            first = await self.reader.readline()
            if not first:
                raise ConnectionClosedBeforeAnswer
            status = int(first.split()[1])
            length, chunked, close = 0, False, False
            while (line := await self.reader.readline()) not in (b"\r\n", b""):
                name, _, value = line.decode("latin-1").partition(":")
                name, value = name.strip().lower(), value.strip().lower()
                if name == "content-length":
                    length = int(value)
                elif name == "transfer-encoding" and "chunked" in value:
                    chunked = True
                elif name == "connection" and value == "close":
                    close = True
            if chunked:
                parts = []
                while (size := int((await self.reader.readline()).strip(), 16)):
                    parts.append(await self.reader.readexactly(size))
                    await self.reader.readline()
                await self.reader.readline()
                payload = b"".join(parts)
            else:
                payload = await self.reader.readexactly(length)
            if close:
                self.close()
            return status, payload
        except BaseException:  # a cancelled request leaves the stream mid-answer
            self.close()
            raise

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
        self.reader = self.writer = None


class Pool:
    """Connections to both processes, taken round robin."""

    def __init__(self, ports: list[int], size: int):
        self.free: asyncio.Queue[Http] = asyncio.Queue()
        for i in range(size):
            self.free.put_nowait(Http(ports[i % len(ports)]))

    async def request(self, method: str, path: str, body: dict | None, token: str) -> tuple[int, bytes]:
        conn = await self.free.get()
        try:
            return await conn.request(method, path, body, token)
        finally:
            self.free.put_nowait(conn)


# --- Servers -------------------------------------------------------------------------------

class Servers:
    def __init__(self, tmp: Path, args):
        self.tmp = tmp
        self.args = args
        self.procs: dict[str, subprocess.Popen] = {}
        self.databases = Databases(tmp)

    def start_redis(self) -> str:
        port = free_port()
        self.procs["redis"] = subprocess.Popen(
            [shutil.which("redis-server"), "--port", str(port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no", "--dir", str(self.tmp)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait_for_port(port)
        return f"redis://127.0.0.1:{port}/0"

    def start_product(self, redis_url: str) -> tuple[list[int], dict]:
        env = {
            **os.environ, "DJANGO_SETTINGS_MODULE": "config.settings", "DATABASE_URL": self.databases.url("load"),
            "REDIS_URL": redis_url, "VAR_DIR": str(self.tmp), "DEBUG": "0", "SECRET_KEY": "load-test-only-" + "x" * 40,
            "ALLOWED_HOSTS": "127.0.0.1,localhost", "LANGUAGE_CODE": "en", "LOG_LEVEL": "WARNING",
            "BOARD_HEARTBEAT_SECONDS": "5", "FOLLOWUP_DUE_WORKING_DAYS": "0",
            # No TLS proxy in front here (production has one).
            "SECURE_SSL_REDIRECT": "0",
            # As the production image sets it (Dockerfile).
            "MALLOC_ARENA_MAX": "2",
        }
        subprocess.run([PY, "manage.py", "migrate", "--noinput", "-v", "0"], cwd=ROOT, env=env, check=True)
        subprocess.run([PY, "manage.py", "load_demo_data"], cwd=ROOT, env=env, check=True, capture_output=True)
        facts = json.loads(subprocess.run([PY, "manage.py", "shell", "-c", PEOPLE_FACTS], cwd=ROOT, env=env, check=True,
                                          capture_output=True, text=True).stdout.strip().splitlines()[-1])
        return self._daphnes("daphne", "config.asgi:application", ROOT, {**env, **self._probe_env()}), facts

    def _probe_env(self) -> dict:
        """The memory probe's hook for the product's Daphne processes (--memory-dumps)."""
        if not self.args.memory_dumps:
            return {}
        Path(self.args.memory_dumps).mkdir(parents=True, exist_ok=True)
        env = {"LOAD_MEMORY_DIR": str(Path(self.args.memory_dumps).resolve()),
               "PYTHONPATH": str(Path(__file__).resolve().parent / "memprobe")}
        if self.args.tracemalloc:
            env["LOAD_TRACEMALLOC"] = str(self.args.tracemalloc)
        return env

    def dump_memory(self) -> None:
        """Ask each product process for a memory dump (the probe answers SIGUSR1)."""
        if self.args.memory_dumps:
            for name, proc in self.procs.items():
                if name.startswith("daphne") and proc.poll() is None:
                    proc.send_signal(signal.SIGUSR1)

    def start_floor(self, redis_url: str) -> list[int]:
        env = {**os.environ, "DJANGO_SETTINGS_MODULE": "floor_settings", "DATABASE_URL": self.databases.url("floor"),
               "REDIS_URL": redis_url, "PYTHONPATH": str(Path(__file__).resolve().parent)}
        return self._daphnes("floor", "board_floor.asgi:application", ROOT / "bench", env)

    def _daphnes(self, name: str, app: str, cwd: Path, env: dict) -> list[int]:
        ports = []
        for side in ("a", "b"):
            port = free_port()
            log = open(self.tmp / f"{name}-{side}.log", "wb")  # noqa: SIM115 - the process keeps it
            self.procs[f"{name}-{side}"] = subprocess.Popen(
                [PY, "-m", "daphne", "--access-log", "/dev/null", "-b", "127.0.0.1", "-p", str(port), app],
                cwd=cwd, env=env, stdout=log, stderr=subprocess.STDOUT)
            wait_for_port(port)
            ports.append(port)
        return ports

    def stop(self, prefix: str = "") -> None:
        # Last started first: Daphne before its redis-server, which it would log as lost.
        for name, proc in reversed(list(self.procs.items())):
            if name.startswith(prefix) and proc.poll() is None:
                proc.terminate()
                try:
                    proc.wait(10)
                except subprocess.TimeoutExpired:
                    proc.kill()
                del self.procs[name]

    def rss(self) -> dict[str, int]:
        """Resident memory of each process, in MiB, and the connections open to the database."""
        out = {"pg connections": self._connections()}
        for name, proc in self.procs.items():
            try:
                for line in Path(f"/proc/{proc.pid}/status").read_text().splitlines():
                    if line.startswith("VmRSS:"):
                        out[name] = int(line.split()[1]) // 1024
            except OSError:
                pass
        return out

    def _connections(self) -> int:
        import psycopg

        if not self.databases.created:
            return 0
        name = self.databases.created[0]
        with psycopg.connect(self.databases.base.rsplit("/", 1)[0] + "/postgres") as conn:
            return conn.execute("SELECT count(*) FROM pg_stat_activity WHERE datname = %s", [name]).fetchone()[0]


# --- Boards ----------------------------------------------------------------------------------

class Boards:
    def __init__(self):
        self.received: list[set[int]] = []
        self.alerts: dict[int, list[float]] = {}  # order id -> arrival time at each board
        self.tasks: list[asyncio.Task] = []
        self.sockets = []
        self.refused = 0
        self.closed = 0

    async def open(self, count: int, ports: list[int], token: str, head: int) -> None:
        async def one(index: int):
            port = ports[index % len(ports)]
            for attempt in range(5):
                try:
                    ws = await connect(f"ws://127.0.0.1:{port}/ws/board/?token={token}",
                                       origin=f"http://127.0.0.1:{port}", max_queue=None, open_timeout=60)
                    break
                except Exception:  # noqa: BLE001 - refused under the connection storm: try again
                    self.refused += 1
                    await asyncio.sleep(1 + attempt)
            else:
                raise RuntimeError("a board could not connect")
            await ws.send(json.dumps({"type": "resume", "last_event_id": head}))
            seen: set[int] = set()
            self.received.append(seen)
            self.sockets.append(ws)
            self.tasks.append(asyncio.create_task(self._read(ws, seen)))

        for start in range(0, count, 25):
            await asyncio.gather(*(one(i) for i in range(start, min(count, start + 25))))

    async def _read(self, ws, seen: set[int]) -> None:
        try:
            async for text in ws:
                now = time.perf_counter()
                match = EVENT_ID.match(text)
                if match is None:
                    continue  # ping, presence
                seen.add(int(match.group(1)))
                if match.group(2) == "alert.raised":
                    order = json.loads(text)["data"]["data"]["id"]
                    self.alerts.setdefault(order, []).append(now)
        except Exception:  # noqa: BLE001 - counted: a board must not be closed under us
            self.closed += 1

    async def close(self) -> None:
        for task in self.tasks:
            task.cancel()
        await asyncio.gather(*(ws.close() for ws in self.sockets), return_exceptions=True)


# --- The day ---------------------------------------------------------------------------------

class Day:
    def __init__(self, pool: Pool, tokens: dict[str, str], facts: dict, pause: float):
        self.pool = pool
        self.tokens = tokens
        self.facts = facts
        self.pause = pause
        self.latency: dict[str, list[float]] = {}
        self.errors: dict[str, int] = {}
        self.error_samples: list[str] = []
        self.intake_sent: dict[int, float] = {}
        self.cases: set[asyncio.Task] = set()
        self.unfinished = 0

    async def op(self, name: str, user: str, method: str, path: str, body: dict | None = None,
                 expect: int = 200) -> dict | None:
        t0 = time.perf_counter()
        try:
            status, payload = await self.pool.request(method, path, body, self.tokens[user])
        except Exception as exc:  # noqa: BLE001 - an error to count, not to stop on
            status, payload = None, repr(exc).encode()
        self.latency.setdefault(name, []).append((time.perf_counter() - t0) * 1000)
        if status != expect:
            self.errors[name] = self.errors.get(name, 0) + 1
            if len(self.error_samples) < 10:
                self.error_samples.append(f"{name} {status} {payload[:160]!r}")
            return None
        return json.loads(payload) if payload[:1] in (b"{", b"[") else {}

    async def case(self) -> None:
        """One call to the desk, and what follows from it through the day."""
        resident, phone = random.choice(self.facts["people"])
        found = await self.op("lookup by phone", "frontdesk", "GET", f"/api/v1/residents/?phone={phone.replace('+', '%2B')}")
        if found is None:
            return
        t0 = time.perf_counter()
        order = await self.op("intake", "frontdesk", "POST", "/api/v1/orders/", {
            "resident": resident, "service": self.facts["service"], "channel": "phone",
            "urgency": random.choice(["urgent", "normal", "normal", "normal"]),
        }, expect=201)
        if order is None:
            return
        self.intake_sent[order["id"]] = t0
        pk = order["id"]
        await asyncio.sleep(random.uniform(0.5, 1.5) * self.pause)
        suggestions = await self.op("suggestions", "dispatcher", "GET", f"/api/v1/board/orders/{pk}/suggestions/")
        if not suggestions or not suggestions["workers"]:
            return
        worker = random.choice(suggestions["workers"][:3])["id"]
        if await self.op("assign", "dispatcher", "POST", f"/api/v1/orders/{pk}/assign/", {"worker": worker}) is None:
            return
        await asyncio.sleep(random.uniform(0.5, 1.5) * self.pause)
        if await self.op("print (PDF)", "frontdesk", "POST", f"/api/v1/orders/{pk}/print/", {}) is None:
            return
        await asyncio.sleep(random.uniform(0.5, 1.5) * self.pause)
        if await self.op("collect", "frontdesk", "POST", f"/api/v1/orders/{pk}/collect/", {}) is None:
            return
        await asyncio.sleep(random.uniform(0.5, 1.5) * self.pause)
        # Between the collection (a few pauses ago) and now.
        end = time.time()
        times = {"actual_start": _iso(end - 60), "actual_end": _iso(end)}
        if await self.op("return", "frontdesk", "POST", f"/api/v1/orders/{pk}/return_order/", times) is None:
            return
        await asyncio.sleep(random.uniform(0.5, 1.5) * self.pause)
        await self.op("follow-up call", "frontdesk", "POST", "/api/v1/followups/",
                      {"order": pk, "result": "reached", "quality": 5, "satisfied": True}, expect=201)

    async def run(self, rate: float, duration: float, drain: float) -> float:
        """Start `rate` cases a second for `duration` seconds (open loop); wait for them."""
        start = time.perf_counter()
        n = 0
        while (elapsed := time.perf_counter() - start) < duration:
            due = int(elapsed * rate) + 1
            while n < due:
                task = asyncio.create_task(self.case())
                self.cases.add(task)
                task.add_done_callback(self.cases.discard)
                n += 1
            await asyncio.sleep(max(0.0, (n / rate) - (time.perf_counter() - start)))
        taking = time.perf_counter() - start
        # What the servers could not finish within the drain time is counted, not awaited.
        if self.cases:
            _done, pending = await asyncio.wait(list(self.cases), timeout=drain)
            for task in pending:
                task.cancel()
            self.unfinished = len(pending)
        return n / taking


def _iso(epoch: float) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%S+00:00", time.gmtime(epoch))


async def closed_loop(pool: Pool, path: str, body, token: str, clients: int, seconds: float) -> tuple[float, int]:
    """Requests a second with `clients` callers each sending the next at once; errors."""
    done = errors = 0
    stop_at = time.perf_counter() + seconds

    async def caller():
        nonlocal done, errors
        while time.perf_counter() < stop_at:
            try:
                status, _ = await pool.request("POST", path, body(), token)
            except Exception:  # noqa: BLE001
                status = None
            done += 1
            errors += status != 201

    t0 = time.perf_counter()
    await asyncio.gather(*(caller() for _ in range(clients)))
    return done / (time.perf_counter() - t0), errors


def summary(values: list[float]) -> str:
    if not values:
        return "-"
    return (f"{len(values)} | {percentile(values, 50):.0f} | {percentile(values, 95):.0f} | "
            f"{percentile(values, 99):.0f} | {max(values):.0f}")


async def main(args) -> None:
    tmp = Path(tempfile.mkdtemp(prefix="load-"))
    servers = Servers(tmp, args)
    print(f"loadavg before: {Path('/proc/loadavg').read_text().strip()}; cpus {os.cpu_count()}")
    try:
        redis_url = servers.start_redis()
        ports, facts = servers.start_product(redis_url)
        tokens = {}
        for user in ("frontdesk", "dispatcher"):
            conn = Http(ports[0])
            status, body = await conn.request("POST", "/api/v1/auth/token/",
                                              {"username": user, "password": DEMO_PASSWORD}, "")
            conn.close()
            assert status == 200, body
            tokens[user] = json.loads(body)["token"]
        pool = Pool(ports, args.connections)
        status, body = await pool.request("GET", "/api/v1/board/", None, tokens["dispatcher"])
        head = json.loads(body)["last_event_id"]
        boards = Boards()
        await boards.open(args.boards, ports, tokens["dispatcher"], head)
        await asyncio.sleep(2 + args.boards / 100)
        memory: list[tuple[float, dict]] = []

        async def sample():
            t0 = time.perf_counter()
            while True:
                servers.dump_memory()
                memory.append((time.perf_counter() - t0, await asyncio.to_thread(servers.rss)))
                _record_rss(args, memory[-1])
                await asyncio.sleep(args.sample_seconds or args.duration / 20)

        sampled_from = time.perf_counter()
        sampler = asyncio.create_task(sample())
        day = Day(pool, tokens, facts, args.pause)
        achieved = await day.run(args.rate, args.duration, args.drain)
        sampler.cancel()
        servers.dump_memory()
        # After the drain: later than --duration.
        memory.append((time.perf_counter() - sampled_from, servers.rss()))
        _record_rss(args, memory[-1])
        # Every board catches up (its heartbeat reads the table) before counting.
        status, body = await pool.request("GET", "/api/v1/board/", None, tokens["dispatcher"])
        assert status == 200, (status, body[:300])
        last = json.loads(body)["last_event_id"]
        expected = set(range(head + 1, last + 1))
        deadline = time.perf_counter() + 60
        while time.perf_counter() < deadline and any(not expected <= seen for seen in boards.received):
            await asyncio.sleep(0.5)
        # Ids the table never holds (rolled-back transactions) are not expected.
        ids = await _table_ids(servers, head, last)
        lost = [len(ids - seen) for seen in boards.received]
        alert_ms = [
            (arrival - day.intake_sent[order]) * 1000
            for order, arrivals in boards.alerts.items() if order in day.intake_sent for arrival in arrivals
        ]
        await boards.close()

        print(f"\nintakes: {args.rate}/s asked, {achieved:.1f}/s started for {args.duration:.0f} s; "
              f"boards {args.boards} (refused at connect {boards.refused}, closed under load {boards.closed}); "
              f"cases unfinished {args.drain:.0f} s after the end: {day.unfinished}")
        print("\n| operation | n | p50 ms | p95 ms | p99 ms | max ms | errors |\n| --- | --- | --- | --- | --- | --- | --- |")
        for name, values in day.latency.items():
            print(f"| {name} | {summary(values)} | {day.errors.get(name, 0)} |")
        print(f"| intake -> alert.raised at each board | {summary(alert_ms)} | - |")
        print(f"\nevents {len(ids)}; lost per board: max {max(lost, default=0)}, total {sum(lost)}; "
              f"boards missing an alert: {sum(1 for a in boards.alerts.values() if len(a) < args.boards)} orders")
        if day.error_samples:
            print("error samples:", *day.error_samples, sep="\n  ")
        print("\nRSS MiB over time (s: process=MiB):")
        shown = memory[:: max(1, len(memory) // 6)]
        for at, rss in shown + memory[-1:] * (shown[-1] is not memory[-1]):
            print(f"  {at:5.0f}: " + ", ".join(f"{k}={v}" for k, v in rss.items()))
        print(_memory_trend(memory))

        if args.ceiling:
            await ceiling(servers, redis_url, ports, pool, tokens, facts, args)
    finally:
        servers.stop()
        servers.databases.drop()
        for log in sorted(tmp.glob("*.log")):
            if log.stat().st_size:
                print(f"\n{log.name} (last lines):", *log.read_text(errors="replace").splitlines()[-8:], sep="\n  ")
        shutil.rmtree(tmp, ignore_errors=True)


def _memory_trend(memory: list[tuple[float, dict]]) -> str:
    """Growth of each Daphne process after warm-up, in MiB a minute (least
    squares over the samples of the last two thirds of the run). The first
    minute or two fill lazy imports, caches and glibc's per-thread malloc
    arenas (bench/load/memdiff.py); "flat memory" is judged on this slope."""
    later = [(at, rss) for at, rss in memory if at >= memory[-1][0] / 3]
    if len(later) < 3:
        return "RSS trend after warm-up: too few samples"
    slopes = []
    for name in sorted(k for k in later[-1][1] if k.startswith("daphne")):
        points = [(at, rss[name]) for at, rss in later if name in rss]
        mean_t = sum(t for t, _ in points) / len(points)
        mean_m = sum(m for _, m in points) / len(points)
        spread = sum((t - mean_t) ** 2 for t, _ in points) or 1.0
        slope = sum((t - mean_t) * (m - mean_m) for t, m in points) / spread * 60
        slopes.append(f"{name} {slope:+.1f} MiB/min")
    return f"RSS trend from {later[0][0]:.0f} s on: " + ", ".join(slopes)


def _record_rss(args, sample: tuple[float, dict]) -> None:
    """One row of DIR/rss.csv (--memory-dumps): seconds, load average, rate,
    boards, then process=MiB pairs."""
    if not args.memory_dumps:
        return
    at, rss = sample
    load = Path("/proc/loadavg").read_text().split()[0]
    with open(Path(args.memory_dumps) / "rss.csv", "a") as out:
        out.write(f"{time.time():.0f},{at:.0f},{load},{args.rate},{args.boards},"
                  + ",".join(f"{k}={v}" for k, v in rss.items()) + "\n")


async def _table_ids(servers: Servers, head: int, last: int) -> set[int]:
    import psycopg

    url = servers.databases.base.rsplit("/", 1)[0] + "/" + servers.databases.created[0]
    with psycopg.connect(url) as conn:
        rows = conn.execute("SELECT id FROM realtime_event WHERE id > %s AND id <= %s", [head, last]).fetchall()
    return {r[0] for r in rows}


async def ceiling(servers, redis_url, ports, pool, tokens, facts, args) -> None:
    """Closed-loop intakes only, no boards: the product, then the bare insert
    endpoint of bench/board_floor on two Daphne processes of its own."""
    def order():
        return {"resident": random.choice(facts["people"])[0], "service": facts["service"], "channel": "phone",
                "urgency": "normal"}

    product, product_errors = await closed_loop(pool, "/api/v1/orders/", order, tokens["frontdesk"],
                                                args.ceiling_clients, args.ceiling_seconds)
    servers.stop("daphne")
    floor_ports = servers.start_floor(redis_url)
    floor_pool = Pool(floor_ports, args.connections)
    await closed_loop(floor_pool, "/intake/", lambda: {"n": 1}, "", 4, 2)  # creates its table
    floor, floor_errors = await closed_loop(floor_pool, "/intake/", lambda: {"n": 1}, "",
                                            args.ceiling_clients, args.ceiling_seconds)
    print(f"\nceiling ({args.ceiling_clients} callers, {args.ceiling_seconds:.0f} s, two processes each, no boards):"
          f" product intakes {product:.0f}/s (errors {product_errors}); bare insert {floor:.0f}/s "
          f"(errors {floor_errors}); ratio {product / floor:.2f}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rate", type=float, default=50, help="intakes per second (default 50)")
    parser.add_argument("--duration", type=float, default=300, help="seconds of traffic (default 300)")
    parser.add_argument("--boards", type=int, default=100, help="board sockets (default 100)")
    parser.add_argument("--pause", type=float, default=2.0, help="seconds between an order's steps (default 2)")
    parser.add_argument("--drain", type=float, default=60, help="seconds to let started cases finish (default 60)")
    parser.add_argument("--connections", type=int, default=24, help="HTTP keep-alive connections (default 24)")
    parser.add_argument("--ceiling", action=argparse.BooleanOptionalAction, default=True,
                        help="also measure the intake ceiling against the bare insert endpoint")
    parser.add_argument("--ceiling-clients", type=int, default=16)
    parser.add_argument("--ceiling-seconds", type=float, default=20)
    parser.add_argument("--sample-seconds", type=float, default=0,
                        help="seconds between memory samples (default: the duration / 20)")
    parser.add_argument("--memory-dumps", metavar="DIR",
                        help="have the product processes dump what they hold to DIR at every sample")
    parser.add_argument("--tracemalloc", type=int, default=0, metavar="FRAMES",
                        help="with --memory-dumps: trace allocations (FRAMES deep) and dump snapshots")
    arguments = parser.parse_args()  # before the check: --help needs no database
    if not os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://")):
        sys.exit("set DATABASE_URL to a PostgreSQL server (a fresh database is made on it and dropped)")
    asyncio.run(main(arguments))
