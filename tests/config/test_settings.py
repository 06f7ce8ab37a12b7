"""Start-up refuses a missing secret or a malformed value, naming the variable."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _start(**env: str) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if k not in {"DEBUG", "SECRET_KEY", "DATABASE_URL", "REDIS_URL"}}
    clean.update(env)
    clean["DJANGO_SETTINGS_MODULE"] = "config.settings"
    return subprocess.run(
        [sys.executable, "-c", "import django; django.setup(); print('started')"],
        cwd=ROOT, env=clean, capture_output=True, text=True, timeout=60,
    )


def test_it_starts_with_nothing_set():
    assert _start().stdout.strip() == "started"


def test_production_without_a_secret_key_stops():
    result = _start(DEBUG="0")
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_production_with_a_secret_key_starts():
    assert _start(DEBUG="0", SECRET_KEY="x" * 50, ALLOWED_HOSTS="care.example").stdout.strip() == "started"


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("DEBUG", "maybe"),
        ("TIME_ZONE", "Mars/Olympus"),
        ("LANGUAGE_CODE", "xx"),
        ("PHONE_REGION", "ZZ"),
        ("DATABASE_URL", "nosuchdb://x"),
        ("ORDER_EVENTS_REPLAY_LIMIT", "many"),
    ],
)
def test_a_malformed_value_stops_start_up_naming_the_variable(name, value):
    result = _start(**{name: value})
    assert result.returncode != 0
    assert name in result.stderr
