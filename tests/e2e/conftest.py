"""Real servers for the end-to-end tests: a redis-server of our own on a free
loopback port (never the shared one, which these tests stop and start), and a
Daphne process on its own database with the demo data.

The database is a fresh SQLite file, or a fresh PostgreSQL database on the
server DATABASE_URL names when that is PostgreSQL.
"""

import contextlib
import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DEMO_PASSWORD = "demo-pass-2026"
OUTPUT = ROOT / "test-output"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for_port(port: int, timeout: float = 20.0, proc: subprocess.Popen | None = None) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"process exited with {proc.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return
        except OSError:
            time.sleep(0.05)
    raise TimeoutError(f"nothing listens on {port}")


@contextlib.contextmanager
def running_daphne(env: dict, log_path: Path, *extra: str):
    """A Daphne process serving config.asgi on a free port of 127.0.0.1, its
    output in `log_path`: yields the port once it listens; stopped after."""
    port = free_port()
    with open(log_path, "ab") as log:
        proc = subprocess.Popen(
            [sys.executable, "-m", "daphne", *extra, "-b", "127.0.0.1", "-p", str(port), "config.asgi:application"],
            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
        )
    try:
        wait_for_port(port, timeout=30, proc=proc)
        yield port
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()


class RedisServer:
    """A redis-server that the test may stop and start again on the same port."""

    def __init__(self, workdir: Path):
        self.binary = shutil.which("redis-server")
        self.port = free_port()
        self.workdir = workdir
        self.proc: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.proc = subprocess.Popen(
            [self.binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
             "--dir", str(self.workdir)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        wait_for_port(self.port, proc=self.proc)

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(10)
        self.proc = None


@pytest.fixture(scope="module")
def redis_server(tmp_path_factory):
    if shutil.which("redis-server") is None:
        pytest.skip("redis-server is not installed")
    server = RedisServer(tmp_path_factory.mktemp("redis"))
    server.start()
    yield server
    server.stop()


def _database_url(tmp: Path) -> tuple[str, callable]:
    """A fresh database for the server, and how to drop it afterwards."""
    base = os.environ.get("DATABASE_URL", "")
    if not base.startswith(("postgres://", "postgresql://")):
        return f"sqlite:///{tmp / 'e2e.sqlite3'}", lambda: None
    import psycopg

    name = f"e2e_{uuid.uuid4().hex[:10]}"
    admin_url = base.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')

    def drop():
        with psycopg.connect(admin_url, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    return base.rsplit("/", 1)[0] + "/" + name, drop


class LiveServer:
    def __init__(self, port: int, env: dict, facts: dict):
        self.port = port
        self.env = env
        self.facts = facts
        self.base_url = f"http://127.0.0.1:{port}"
        self.ws_url = f"ws://127.0.0.1:{port}/ws/board/"
        self._tokens: dict[str, str] = {}

    def token(self, username: str) -> str:
        if username not in self._tokens:
            body = self.request("POST", "/api/v1/auth/token/", {"username": username, "password": DEMO_PASSWORD})
            self._tokens[username] = body["token"]
        return self._tokens[username]

    def request(self, method: str, path: str, data: dict | None = None, *, as_user: str | None = None,
                expect: int | None = None) -> dict:
        headers = {"Content-Type": "application/json", "Accept": "application/json"}
        if as_user:
            headers["Authorization"] = f"Token {self.token(as_user)}"
        req = urllib.request.Request(
            self.base_url + path, method=method, headers=headers,
            data=json.dumps(data).encode() if data is not None else None,
        )
        try:
            with urllib.request.urlopen(req, timeout=30) as r:
                status, body = r.status, r.read()
        except urllib.error.HTTPError as err:
            status, body = err.code, err.read()
        if expect is not None:
            assert status == expect, body[:500]
        return json.loads(body or b"{}")

    def take_request(self, urgency: str = "urgent") -> dict:
        """POST an order as the front desk, as the intake screen would."""
        return self.request(
            "POST", "/api/v1/orders/",
            {"resident": self.facts["resident"], "service": self.facts["service"], "channel": "phone",
             "urgency": urgency},
            as_user="frontdesk", expect=201,
        )


FACTS = """
import json
from dispatch.models import Resident, ServiceItem
service = ServiceItem.objects.filter(active=True, approval="", required_skill__isnull=False).order_by("code").first()
resident = next(r for r in Resident.objects.filter(active=True, area__served=True).order_by("id") if r.has_valid_card())
print(json.dumps({"resident": resident.pk, "service": service.pk}))
"""


@pytest.fixture(scope="module")
def daphne_server(redis_server, tmp_path_factory):
    """Daphne serving config.asgi:application with Redis as the channel layer."""
    tmp = tmp_path_factory.mktemp("live")
    database_url, drop = _database_url(tmp)
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_server.url,
        "VAR_DIR": str(tmp),
        "DEBUG": "1",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "BOARD_HEARTBEAT_SECONDS": "1",
        "LANGUAGE_CODE": "en",
        "LOG_LEVEL": "WARNING",
    }
    python = sys.executable
    subprocess.run([python, "manage.py", "migrate", "--noinput", "-v", "0"], cwd=ROOT, env=env, check=True)
    subprocess.run([python, "manage.py", "load_demo_data"], cwd=ROOT, env=env, check=True, capture_output=True)
    facts = json.loads(
        subprocess.run([python, "manage.py", "shell", "-c", FACTS], cwd=ROOT, env=env, check=True,
                       capture_output=True, text=True).stdout.strip().splitlines()[-1]
    )
    try:
        with running_daphne(env, tmp / "daphne.log") as port:
            yield LiveServer(port, env, facts)
    finally:
        drop()


@pytest.fixture
async def browser():
    """Debian's Chromium, headless, for one test."""
    from tests.e2e.browser import CHROMIUM, CHROMIUM_ARGS

    playwright_api = pytest.importorskip("playwright.async_api")
    if not shutil.which(CHROMIUM):
        pytest.skip(f"Debian's chromium is not installed at {CHROMIUM}")
    async with playwright_api.async_playwright() as p:
        b = await p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield b
        await b.close()
