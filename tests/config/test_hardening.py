"""The production settings and the doors a public service keeps shut."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.test import Client
from rest_framework.test import APIClient

ROOT = Path(__file__).resolve().parents[2]


def _manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if k not in {"DEBUG", "SECRET_KEY"}}
    clean.update(env)
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=clean, capture_output=True, text=True, timeout=120
    )


def test_check_deploy_is_clean_under_production_settings():
    result = _manage(
        "check", "--deploy", "--fail-level", "WARNING",
        DEBUG="0", SECRET_KEY="a-long-random-production-secret-key-" + "x9Qz" * 10, ALLOWED_HOSTS="care.example.org",
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_healthz_answers_without_login(client):
    response = client.get("/healthz")
    assert response.status_code == 200 and response.json() == {"status": "ok"}


@pytest.mark.django_db
def test_readyz_checks_the_database_and_redis(client, settings):
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json()["database"] == "ok"
    settings.REDIS_URL = "redis://127.0.0.1:1/0"  # nothing listens there
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json() == {"status": "failing", "database": "ok", "redis": "failing"}


@pytest.mark.django_db
def test_readyz_fails_when_the_database_is_gone(client, settings, monkeypatch):
    settings.REDIS_URL = ""

    def broken_cursor(*args, **kwargs):
        raise connection.Database.OperationalError("connection refused")

    monkeypatch.setattr(connection, "cursor", broken_cursor)
    response = client.get("/readyz")
    assert response.status_code == 503 and response.json()["database"] == "failing"


@pytest.mark.django_db
def test_every_page_carries_a_content_security_policy(client):
    for url in ["/healthz", "/accounts/login/", "/api/docs/", "/admin/login/"]:
        response = client.get(url)
        policy = response.headers.get("Content-Security-Policy", "")
        assert "script-src 'self'" in policy and "'unsafe-inline'" not in policy.split("script-src")[1].split(";")[0], url
        assert "frame-ancestors 'none'" in policy


@pytest.mark.django_db
def test_the_api_docs_have_no_inline_script(client, users):
    client.force_login(users["dispatcher"])
    page = client.get("/api/docs/").content.decode()
    assert "<script>" not in page.replace(" ", "")
    assert client.get("/api/docs/?script=").status_code == 200


@pytest.mark.django_db
def test_password_guessing_is_locked_out(users):
    client = Client(REMOTE_ADDR="10.9.8.7")
    for _ in range(4):
        response = client.post("/accounts/login/", {"username": "dispatcher", "password": "wrong"})
        assert response.status_code == 200
    assert client.post("/accounts/login/", {"username": "dispatcher", "password": "wrong"}).status_code == 429
    # Locked now, even with the right password.
    response = client.post("/accounts/login/", {"username": "dispatcher", "password": "pw-dispatcher"})
    assert response.status_code == 429
    api = APIClient(REMOTE_ADDR="10.9.8.7")
    token = api.post("/api/v1/auth/token/", {"username": "dispatcher", "password": "pw-dispatcher"}, format="json")
    assert token.status_code in (400, 403, 429) and "token" not in token.json()
    # Another user at the same desk is not locked out.
    other = Client(REMOTE_ADDR="10.9.8.7")
    assert other.post("/accounts/login/", {"username": "front_desk", "password": "pw-front_desk"}).status_code == 302


@pytest.mark.django_db
def test_a_revoked_token_stops_working(users):
    client = APIClient()
    token = client.post("/api/v1/auth/token/", {"username": "finance", "password": "pw-finance"}, format="json").json()["token"]
    client.credentials(HTTP_AUTHORIZATION="Token " + token)
    assert client.get("/api/v1/orders/").status_code == 200
    assert client.post("/api/v1/auth/token/revoke/").status_code == 204
    assert client.get("/api/v1/orders/").status_code == 401


@pytest.mark.django_db
def test_sessions_expire_for_shared_desks(client, users, settings):
    assert settings.SESSION_EXPIRE_AT_BROWSER_CLOSE
    assert settings.SESSION_COOKIE_AGE <= 12 * 3600
    response = client.post("/accounts/login/", {"username": "front_desk", "password": "pw-front_desk"})
    assert response.status_code == 302
    cookie = response.cookies["sessionid"]
    assert cookie["httponly"] and not cookie["expires"] and not cookie["max-age"]


def test_requests_carry_a_request_id(client):
    response = client.get("/healthz")
    assert len(response["X-Request-ID"]) >= 8
    assert client.get("/healthz", HTTP_X_REQUEST_ID="abcdef123456")["X-Request-ID"] == "abcdef123456"
    assert client.get("/healthz", HTTP_X_REQUEST_ID="<script>")["X-Request-ID"] != "<script>"


def _compose() -> list[str] | None:
    if shutil.which("docker") and subprocess.run(["docker", "compose", "version"], capture_output=True).returncode == 0:
        return ["docker", "compose"]
    if shutil.which("docker-compose"):
        return ["docker-compose"]
    return None


def test_docker_compose_file_is_valid():
    compose = _compose()
    if compose is None:
        pytest.skip("neither `docker compose` nor `docker-compose` is installed (scripts/bootstrap.sh installs it)")
    env = {**os.environ, "SECRET_KEY": "s" * 50, "POSTGRES_PASSWORD": "p"}
    result = subprocess.run([*compose, "config"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    for service in ("db", "redis", "migrate", "web", "alerts", "followups", "scheduler", "proxy"):
        assert f"  {service}:" in result.stdout
    # Secrets come from the environment: without them the file refuses.
    bare = {k: v for k, v in env.items() if k not in {"SECRET_KEY", "POSTGRES_PASSWORD"}}
    assert subprocess.run([*compose, "config"], cwd=ROOT, env=bare, capture_output=True, timeout=60).returncode != 0


def test_every_compose_service_has_a_healthcheck_or_is_a_one_shot():
    import yaml

    services = yaml.safe_load((ROOT / "docker-compose.yml").read_text())["services"]
    for name, service in services.items():
        assert "healthcheck" in service or name == "migrate", name
    assert services["migrate"]["restart"] == "no"
    assert services["web"]["deploy"]["replicas"] >= 2


@pytest.fixture
def users(db):
    from django.contrib.auth.models import Group, Permission

    from core.roles import sync_role_groups

    sync_role_groups(Group, Permission)
    made = {}
    for role in ("dispatcher", "front_desk", "finance"):
        made[role] = User.objects.create_user(role, password="pw-" + role)
        made[role].groups.add(Group.objects.get(name=role))
    return made
