"""What one case of the load test's day costs the server in CPU (issue 9).

One Daphne process (DEBUG off, the production settings) on a fresh database
with the demo data and a redis-server of its own, and no board connected. Each operation of the load
test's mix (bench/load/run.py `Day.case`) is sent --orders times in a row on
one keep-alive connection; the Daphne process's CPU time (user + system,
/proc) over each phase, divided by its requests, is that operation's cost.
The sum over one case says how many cases a second the machine's cores can
serve at best, before any board is fed; the floor's bare insert
(bench/board_floor) is measured the same way for the ratio.

    .venv/bin/python bench/bench_request_cpu.py --orders 200
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres .venv/bin/python bench/bench_request_cpu.py
"""

import argparse
import http.client
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_alert_latency import (  # noqa: E402
    DEMO_PASSWORD,
    PEOPLE_FACTS,
    ROOT,
    Databases,
    card,
    cpu_seconds,
    free_port,
    start_daphne,
    wait_for_port,
)

PY = sys.executable


class Connection:
    """One keep-alive HTTP connection to a server; JSON in, status and body out."""

    def __init__(self, port: int):
        self.http = http.client.HTTPConnection("127.0.0.1", port, timeout=60)

    def call(self, method: str, path: str, body: dict | None = None, token: str | None = None) -> tuple[int, bytes]:
        headers = {"Content-Type": "application/json", "Accept": "application/json"}
        if token:
            headers["Authorization"] = f"Token {token}"
        self.http.request(method, path, json.dumps(body).encode() if body is not None else None, headers)
        answer = self.http.getresponse()
        return answer.status, answer.read()


def phase(name: str, pid: int, items: list, send) -> dict:
    """Sends one request per item; the server's CPU and the latencies."""
    latencies = []
    cpu_before = cpu_seconds(pid)
    for item in items:
        t0 = time.perf_counter()
        send(item)
        latencies.append((time.perf_counter() - t0) * 1000)
    cpu = (cpu_seconds(pid) - cpu_before) * 1000 / len(items)
    return {"operation": name, "requests": len(items), "cpu_ms": cpu, "median_ms": statistics.median(latencies)}


def expect(status: int, body: bytes, wanted: int) -> bytes:
    if status != wanted:
        raise SystemExit(f"expected {wanted}, got {status}: {body[:300]!r}")
    return body


def run_product(env: dict, tmp: Path, orders: int) -> list[dict]:
    subprocess.run([PY, "manage.py", "migrate", "--noinput", "-v", "0"], cwd=ROOT, env=env, check=True)
    subprocess.run([PY, "manage.py", "load_demo_data"], cwd=ROOT, env=env, check=True, capture_output=True)
    facts = json.loads(subprocess.run([PY, "manage.py", "shell", "-c", PEOPLE_FACTS], cwd=ROOT, env=env, check=True,
                                      capture_output=True, text=True).stdout.strip().splitlines()[-1])
    proc, port = start_daphne("config.asgi:application", env, ROOT, tmp / "product.log")
    try:
        conn = Connection(port)
        tokens = {}
        for user in ("frontdesk", "dispatcher"):
            body = expect(*conn.call("POST", "/api/v1/auth/token/", {"username": user, "password": DEMO_PASSWORD}), 200)
            tokens[user] = json.loads(body)["token"]
        desk, dispatcher = tokens["frontdesk"], tokens["dispatcher"]
        people = [facts["people"][i % len(facts["people"])] for i in range(orders)]
        # Warm-up: the first requests load code and fonts.
        for resident, _phone in people[:10]:
            conn.call("POST", "/api/v1/orders/", {"resident": resident, "service": facts["service"], "channel": "phone"},
                      desk)
        ids: list[int] = []
        workers: dict[int, int] = {}

        def times() -> dict:
            # Between the order's collection (a phase ago) and now.
            now = time.time()
            return {"actual_start": _iso(now - 60), "actual_end": _iso(now)}

        def intake(person):
            body = expect(*conn.call("POST", "/api/v1/orders/", {
                "resident": person[0], "service": facts["service"], "channel": "phone", "urgency": "normal",
            }, desk), 201)
            ids.append(json.loads(body)["id"])

        def suggestions(pk):
            body = expect(*conn.call("GET", f"/api/v1/board/orders/{pk}/suggestions/", None, dispatcher), 200)
            workers[pk] = json.loads(body)["workers"][0]["id"]

        pid = proc.pid
        return [
            phase("lookup by phone", pid, people, lambda p: expect(*conn.call(
                "GET", f"/api/v1/residents/?phone={p[1].replace('+', '%2B')}", None, desk), 200)),
            phase("intake", pid, people, intake),
            phase("suggestions", pid, ids, suggestions),
            phase("assign", pid, ids, lambda pk: expect(*conn.call(
                "POST", f"/api/v1/orders/{pk}/assign/", {"worker": workers[pk]}, dispatcher), 200)),
            phase("print (PDF)", pid, ids, lambda pk: expect(*conn.call(
                "POST", f"/api/v1/orders/{pk}/print/", {}, desk), 200)),
            phase("collect", pid, ids, lambda pk: expect(*conn.call(
                "POST", f"/api/v1/orders/{pk}/collect/", {}, desk), 200)),
            phase("return", pid, ids, lambda pk: expect(*conn.call(
                "POST", f"/api/v1/orders/{pk}/return_order/", times(), desk), 200)),
            phase("follow-up call", pid, ids, lambda pk: expect(*conn.call(
                "POST", "/api/v1/followups/", {"order": pk, "result": "reached", "quality": 5, "satisfied": True},
                desk), 201)),
        ]
    finally:
        proc.terminate()
        proc.wait(10)


def run_floor(url: str, redis_url: str, tmp: Path, orders: int) -> dict:
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "floor_settings", "DATABASE_URL": url, "REDIS_URL": redis_url,
           "PYTHONPATH": f"{ROOT / 'bench' / 'load'}:{ROOT / 'bench'}"}
    proc, port = start_daphne("board_floor.asgi:application", env, ROOT / "bench", tmp / "floor.log")
    try:
        conn = Connection(port)
        for i in range(10):
            conn.call("POST", "/intake/", card(i))
        return phase("floor: bare insert", proc.pid, list(range(orders)),
                     lambda i: expect(*conn.call("POST", "/intake/", card(i)), 201))
    finally:
        proc.terminate()
        proc.wait(10)


def _iso(epoch: float) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%S+00:00", time.gmtime(epoch))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--orders", type=int, default=200, help="requests per operation")
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="bench-cpu-"))
    dbs = Databases(tmp)
    rport = free_port()
    redis = subprocess.Popen(["redis-server", "--port", str(rport), "--bind", "127.0.0.1", "--save", "",
                              "--appendonly", "no"], stdout=subprocess.DEVNULL)
    redis_url = f"redis://127.0.0.1:{rport}/0"
    try:
        wait_for_port(rport)
        env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings", "DATABASE_URL": dbs.url("cpu"),
               "VAR_DIR": str(tmp), "DEBUG": "0", "SECRET_KEY": "bench-only-" + "x" * 40, "SECURE_SSL_REDIRECT": "0",
               "ALLOWED_HOSTS": "127.0.0.1", "LANGUAGE_CODE": "en", "LOG_LEVEL": "WARNING",
               "FOLLOWUP_DUE_WORKING_DAYS": "0", "REDIS_URL": redis_url}
        rows = run_product(env, tmp, args.orders)
        rows.append(run_floor(dbs.url("floor"), redis_url, tmp, args.orders))
    finally:
        dbs.drop()
        redis.terminate()
    print(f"\nloadavg {Path('/proc/loadavg').read_text().strip()}; database {'PostgreSQL' if dbs.created else 'SQLite'}")
    print("\n| operation | requests | server CPU per request (ms) | median latency (ms) |\n| --- | --- | --- | --- |")
    for row in rows:
        print(f"| {row['operation']} | {row['requests']} | {row['cpu_ms']:.1f} | {row['median_ms']:.1f} |")
    case = sum(row["cpu_ms"] for row in rows[:-1])
    cores = os.cpu_count() or 1
    print(f"\nOne case (the eight operations): {case:.1f} ms of server CPU; {cores} cores at 100 % for the servers "
          f"alone serve at most {cores * 1000 / case:.1f} cases/s. Intake alone: {cores * 1000 / rows[1]['cpu_ms']:.1f}/s; "
          f"the floor's insert: {cores * 1000 / rows[-1]['cpu_ms']:.1f}/s.")


if __name__ == "__main__":
    main()
