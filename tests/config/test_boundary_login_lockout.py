"""The login lockout against a real Daphne run as production runs it
(--proxy-headers, the TRUSTED_PROXY_COUNT of docker-compose.yml), with
X-Forwarded-For as deploy/nginx.conf forwards it (the client's address, one
entry) and as an attacker writes it (an address of their choosing, with the
address that really connected after it).

Both doors are tried: the login page and the token endpoint."""

import http.cookiejar
import json
import os
import re
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
import yaml

from tests.e2e.conftest import ROOT, LiveServer, _database_url, running_daphne

LOG_DIR = ROOT / "test-output" / "logs"
PASSWORD = "boundary-pass-2026"
USERNAMES = ("dispatcher", "lead", "frontdesk", "finance", "coordinator", "supervisor", "worker")
USERS = f"""
from django.contrib.auth.models import User
for name in {USERNAMES!r}:
    User.objects.create_user(name, password={PASSWORD!r})
"""
# The address the test connects from, which a proxy that appends (what
# deploy/nginx.conf did) puts after whatever the client wrote.
REAL_ADDRESS = "127.0.0.1"


def production_web_environment() -> dict[str, str]:
    """The web processes' environment in docker-compose.yml."""
    services = yaml.safe_load((ROOT / "docker-compose.yml").read_text())["services"]
    return {name: str(value) for name, value in services["web"]["environment"].items()}


class ProxiedServer(LiveServer):
    """A LiveServer with the log file it writes to."""

    def __init__(self, port: int, env: dict, log: Path):
        super().__init__(port, env, facts={})
        self.log = log

    def log_lines(self) -> list[dict]:
        lines = []
        for line in self.log.read_text(encoding="utf-8", errors="replace").splitlines():
            if line.startswith("{"):
                lines.append(json.loads(line))
        return lines

    def access_lines(self, rid: str, timeout: float = 5) -> list[list[str]]:
        """Method, path and status of the access lines of that request id (the
        line is written once the answer has gone out, so it may come late)."""
        deadline = time.monotonic() + timeout
        while True:
            found = [line["message"].split()[:3] for line in self.log_lines()
                     if line["logger"] == "access" and line["request_id"] == rid]
            if found or time.monotonic() > deadline:
                return found
            time.sleep(0.05)


@pytest.fixture(scope="module")
def proxied_daphne(tmp_path_factory):
    """Daphne with --proxy-headers on its own database, with a login per USERNAMES."""
    tmp = tmp_path_factory.mktemp("proxied")
    database_url, drop = _database_url(tmp)
    env = {
        **{k: v for k, v in os.environ.items() if k != "REDIS_URL"},
        "DJANGO_SETTINGS_MODULE": "config.settings", "DATABASE_URL": database_url, "VAR_DIR": str(tmp),
        "DEBUG": "1", "ALLOWED_HOSTS": "127.0.0.1,localhost", "LANGUAGE_CODE": "en", "LOG_LEVEL": "INFO",
        "LOG_FORMAT": "json", "TRUSTED_PROXY_COUNT": production_web_environment().get("TRUSTED_PROXY_COUNT", "0"),
    }
    python = sys.executable
    subprocess.run([python, "manage.py", "migrate", "--noinput", "-v", "0"], cwd=ROOT, env=env, check=True)
    subprocess.run([python, "manage.py", "shell", "-c", USERS], cwd=ROOT, env=env, check=True, capture_output=True)
    LOG_DIR.mkdir(parents=True, exist_ok=True)
    log_path = LOG_DIR / f"daphne-boundary-{os.getpid()}.log"
    try:
        with running_daphne(env, log_path, "--proxy-headers", "--access-log", "/dev/null") as port:
            yield ProxiedServer(port, env, log_path)
    finally:
        drop()


def forwarded(*addresses: str) -> dict[str, str]:
    return {"X-Forwarded-For": ", ".join(addresses)}


def as_nginx_forwards(client: str) -> dict[str, str]:
    """deploy/nginx.conf: the address that connected to it, and nothing the client wrote."""
    return forwarded(client)


def as_the_attacker_sends(chosen: str) -> dict[str, str]:
    """The attacker's own X-Forwarded-For, with the address that really
    connected appended, as a proxy that appends passes it on."""
    return forwarded(chosen, REAL_ADDRESS)


def token_login(server: LiveServer, username: str, password: str, headers: dict[str, str]) -> tuple[int, dict]:
    request = urllib.request.Request(
        server.base_url + "/api/v1/auth/token/", method="POST",
        data=json.dumps({"username": username, "password": password}).encode(),
        headers={"Content-Type": "application/json", "Accept": "application/json", **headers},
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as err:
        return err.code, json.loads(err.read() or b"{}")


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def page_login(server: LiveServer, username: str, password: str, headers: dict[str, str]) -> int:
    """The login form as a browser posts it (CSRF cookie and token); the status."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar), _NoRedirect)
    with opener.open(urllib.request.Request(server.base_url + "/accounts/login/", headers=headers), timeout=30) as r:
        page = r.read().decode()
    csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    form = urllib.parse.urlencode({"username": username, "password": password, "csrfmiddlewaretoken": csrf})
    request = urllib.request.Request(
        server.base_url + "/accounts/login/", data=form.encode(), method="POST",
        headers={"Content-Type": "application/x-www-form-urlencoded", **headers},
    )
    try:
        with opener.open(request, timeout=30) as response:
            return response.status
    except urllib.error.HTTPError as err:
        return err.code


def page_login_succeeded(status: int) -> bool:
    return status == 302


def token_login_succeeded(answer: tuple[int, dict]) -> bool:
    return answer[0] == 200 and "token" in answer[1]


def test_the_nginx_config_writes_the_clients_address_and_the_web_processes_believe_one_proxy():
    conf = (ROOT / "deploy" / "nginx.conf").read_text()
    settings = re.findall(r"proxy_set_header\s+X-Forwarded-For\s+(\S+);", conf)
    assert settings and set(settings) == {"$remote_addr"}, settings
    assert production_web_environment()["TRUSTED_PROXY_COUNT"] == "1"


def test_forty_guesses_with_chosen_addresses_lock_the_login_page(proxied_daphne):
    statuses = [page_login(proxied_daphne, "dispatcher", f"wrong-{i}", as_the_attacker_sends(f"10.9.0.{i}"))
                for i in range(40)]
    assert 429 in statuses[:5], statuses
    # The right password is refused too, whatever address the attacker writes next.
    assert page_login(proxied_daphne, "dispatcher", PASSWORD, as_the_attacker_sends("10.9.1.1")) == 429


def test_forty_guesses_with_chosen_addresses_lock_the_token_endpoint(proxied_daphne):
    answers = [token_login(proxied_daphne, "lead", f"wrong-{i}", as_the_attacker_sends(f"10.9.0.{i}"))
               for i in range(40)]
    assert 429 in [status for status, _body in answers[:5]], answers
    status, body = token_login(proxied_daphne, "lead", PASSWORD, as_the_attacker_sends("10.9.1.1"))
    assert status == 429 and body["code"] == "locked_out" and "token" not in body


def test_failures_sent_with_a_desks_address_do_not_lock_that_desk_out(proxied_daphne):
    desk = "10.1.1.7"
    for i in range(6):
        page_login(proxied_daphne, "frontdesk", f"wrong-{i}", as_the_attacker_sends(desk))
        token_login(proxied_daphne, "finance", f"wrong-{i}", as_the_attacker_sends(desk))
    assert page_login_succeeded(page_login(proxied_daphne, "frontdesk", PASSWORD, as_nginx_forwards(desk)))
    assert token_login_succeeded(token_login(proxied_daphne, "finance", PASSWORD, as_nginx_forwards(desk)))


def test_guesses_from_many_real_addresses_meet_the_username_limit(proxied_daphne):
    from django.conf import settings

    limit = getattr(settings, "AXES_USERNAME_FAILURE_LIMIT", 10)
    assert limit > settings.AXES_FAILURE_LIMIT
    # Each guess from another client, as nginx forwards them: no address reaches five.
    statuses = [page_login(proxied_daphne, "coordinator", f"wrong-{i}", as_nginx_forwards(f"10.8.0.{i}"))
                for i in range(limit + 2)]
    assert statuses[: limit - 1] == [200] * (limit - 1) and set(statuses[limit:]) == {429}, statuses
    assert page_login(proxied_daphne, "coordinator", PASSWORD, as_nginx_forwards("10.8.1.1")) == 429
    answers = [token_login(proxied_daphne, "supervisor", f"wrong-{i}", as_nginx_forwards(f"10.8.0.{i}"))
               for i in range(limit + 2)]
    assert {status for status, _body in answers[limit:]} == {429}, answers
    assert token_login(proxied_daphne, "supervisor", PASSWORD, as_nginx_forwards("10.8.1.1"))[0] == 429
    # Another username is not affected.
    assert token_login_succeeded(token_login(proxied_daphne, "worker", PASSWORD, as_nginx_forwards("10.8.0.1")))
