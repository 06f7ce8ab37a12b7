"""PostgreSQL drops the connections a Daphne process keeps in its pool, or
refuses new ones: the next request is answered at once, by a connection that
works, or with a 503 and Retry-After; never a wait for the pool's timeout
(DB_POOL_TIMEOUT_SECONDS) and a 500."""

import json
import os
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request

import psycopg
import pytest

from tests.e2e.conftest import ROOT, _database_url, free_port
from tests.faults.conftest import start_daphne, stop

PASSWORD = "fail-fast-pass-2026"
USERS = f"""
from django.contrib.auth.models import User
User.objects.create_user("dispatcher", password={PASSWORD!r})
"""
TERMINATE = ("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
             " WHERE datname = current_database() AND pid <> pg_backend_pid()")
# Well under the pool's timeout (10 s by default): what "at once" means here.
QUICK_SECONDS = 2.0


class Server:
    def __init__(self, port: int, database_url: str):
        self.base_url = f"http://127.0.0.1:{port}"
        self.database_url = database_url
        self.token = ""

    def call(self, method: str, path: str, data: dict | None = None) -> tuple[int, dict, dict, float]:
        """(status, JSON body, headers, seconds taken)."""
        headers = {"Content-Type": "application/json", "Accept": "application/json"}
        if self.token:
            headers["Authorization"] = f"Token {self.token}"
        request = urllib.request.Request(self.base_url + path, method=method, headers=headers,
                                         data=json.dumps(data).encode() if data is not None else None)
        started = time.monotonic()
        try:
            with urllib.request.urlopen(request, timeout=60) as response:
                status, body, answer_headers = response.status, response.read(), dict(response.headers)
        except urllib.error.HTTPError as err:
            status, body, answer_headers = err.code, err.read(), dict(err.headers)
        return status, json.loads(body or b"{}"), answer_headers, time.monotonic() - started

    def fill_the_pool(self, requests: int = 6) -> None:
        """Several requests at once, so that the pool keeps several connections idle."""
        threads = [threading.Thread(target=self.call, args=("GET", "/api/v1/auth/token/revoke/"))
                   for _ in range(requests)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(60)


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """One Daphne as production runs it (DEBUG off), on a database of its own."""
    if not os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://")):
        pytest.skip("the pool and its dropped connections are PostgreSQL's: set DATABASE_URL (CI does)")
    tmp = tmp_path_factory.mktemp("fail-fast")
    database_url, drop = _database_url(tmp)
    env = {
        **{k: v for k, v in os.environ.items() if k != "REDIS_URL"},
        "DJANGO_SETTINGS_MODULE": "config.settings", "DATABASE_URL": database_url, "VAR_DIR": str(tmp),
        "DEBUG": "0", "SECRET_KEY": "fail-fast-" + "x" * 50, "SECURE_SSL_REDIRECT": "0",
        "ALLOWED_HOSTS": "127.0.0.1", "LANGUAGE_CODE": "en", "LOG_FORMAT": "json",
    }
    subprocess.run([sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"], cwd=ROOT, env=env, check=True)
    subprocess.run([sys.executable, "manage.py", "shell", "-c", USERS], cwd=ROOT, env=env, check=True,
                   capture_output=True)
    port = free_port()
    proc = start_daphne(env, port, "daphne-fail-fast.log")
    try:
        live = Server(port, database_url)
        status, body, _headers, _took = live.call("POST", "/api/v1/auth/token/",
                                                 {"username": "dispatcher", "password": PASSWORD})
        assert status == 200, body
        live.token = body["token"]
        yield live
    finally:
        stop(proc)
        drop()


@pytest.fixture
def database(server):
    with psycopg.connect(server.database_url, autocommit=True) as conn:
        yield conn


def _revoke_answered(server: Server) -> tuple[int, dict, dict, float]:
    # A request that reads the token and writes (deletes) nothing the next one needs: the
    # token is made again below.
    return server.call("GET", "/api/v1/auth/token/revoke/")


def test_the_next_request_after_every_backend_is_terminated_is_answered_at_once(server, database):
    for _round in range(3):
        server.fill_the_pool()
        assert database.execute(TERMINATE).fetchone()[0] >= 2
        status, body, _headers, took = _revoke_answered(server)
        # 405: the endpoint takes POST only; what matters is that it was answered
        # after the token was read from the database.
        assert status == 405, (status, body)
        assert took < QUICK_SECONDS, f"the first request after the termination took {took:.2f} s"


def test_readiness_after_every_backend_is_terminated_is_reported_at_once_and_truly(server, database):
    server.fill_the_pool()
    assert database.execute(TERMINATE).fetchone()[0] >= 2
    for _probe in range(3):
        status, body, _headers, took = server.call("GET", "/readyz")
        # The server is up: a dropped idle connection is not "not ready".
        assert (status, body["database"]) == (200, "ok") and took < QUICK_SECONDS, (status, body, took)


def test_repeated_terminations_never_make_a_request_wait_for_the_pool(server, database):
    stop_at = time.monotonic() + 6
    answers = []

    def terminate_again_and_again():
        while time.monotonic() < stop_at:
            database.execute(TERMINATE)
            time.sleep(0.2)

    killer = threading.Thread(target=terminate_again_and_again)
    killer.start()
    try:
        while time.monotonic() < stop_at:
            answers.append(_revoke_answered(server))
    finally:
        killer.join(30)
    slowest = max(took for _s, _b, _h, took in answers)
    assert slowest < QUICK_SECONDS, f"a request took {slowest:.2f} s"
    for status, body, headers, _took in answers:
        # Answered, or refused in a way a client can act on (a 500 only when a
        # connection was cut under a request that had already started).
        assert status in (405, 500, 503), (status, body)
        if status == 503:
            assert body["code"] == "unavailable" and int(headers["Retry-After"]) > 0
    assert sum(status == 405 for status, *_rest in answers) > len(answers) / 2


def test_a_database_that_refuses_connections_is_a_quick_503_with_retry_after(server, database):
    name = database.execute("SELECT current_database()").fetchone()[0]
    server.fill_the_pool()
    with psycopg.connect(server.database_url.rsplit("/", 1)[0] + "/postgres", autocommit=True) as admin:
        admin.execute(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS false')
        try:
            admin.execute(TERMINATE.replace("current_database()", "%s"), [name])
            for _attempt in range(3):
                status, body, headers, took = _revoke_answered(server)
                assert status == 503, (status, body)
                assert body["code"] == "unavailable" and isinstance(body["detail"], str)
                assert int(headers["Retry-After"]) > 0
                assert took < QUICK_SECONDS, f"the refusal took {took:.2f} s"
        finally:
            admin.execute(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS true')
    # Once the server takes connections again, requests are answered again.
    deadline = time.monotonic() + 30
    while (status := _revoke_answered(server)[0]) != 405 and time.monotonic() < deadline:
        time.sleep(0.5)
    assert status == 405
