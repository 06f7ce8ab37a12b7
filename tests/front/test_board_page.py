"""The board page: login and role, no inline script, the assets it needs."""

import re
import wave
from pathlib import Path

import pytest
from django.contrib.staticfiles import finders
from django.test import Client

pytestmark = pytest.mark.django_db

STATIC = Path(__file__).resolve().parents[2] / "front" / "static" / "front"


def _client(users, role):
    client = Client()
    if role:
        client.force_login(users[role])
    return client


def test_the_board_sends_anonymous_visitors_to_the_login_page(users):
    r = Client().get("/board/")
    assert r.status_code == 302 and r["Location"].startswith("/accounts/login/?next=/board/")
    assert Client().get("/accounts/login/").status_code == 200


@pytest.mark.parametrize("role", ["front_desk", "field_worker", "finance", "nobody"])
def test_the_board_refuses_other_roles(users, role):
    assert _client(users, role).get("/board/").status_code == 403


@pytest.mark.parametrize("role", ["dispatcher", "dispatch_lead", "supervisor"])
def test_the_board_opens_for_the_board_roles(users, role):
    r = _client(users, role).get("/board/")
    assert r.status_code == 200
    html = r.content.decode()
    for column in ["received", "awaiting_approval", "assigned", "printed", "in_service", "returned"]:
        assert f'data-column="{column}"' in html
    assert 'id="start-shift"' in html and 'id="sound-warning"' in html and 'id="connection"' in html


def test_the_board_page_has_no_inline_script(users):
    html = _client(users, "dispatcher").get("/board/").content.decode()
    scripts = re.findall(r"<script([^>]*)>(.*?)</script>", html, flags=re.S)
    assert scripts
    for attrs, body in scripts:
        # Either a file, or data for it (json_script), never code in the page.
        assert ("src=" in attrs and not body.strip()) or 'type="application/json"' in attrs
    assert not re.search(r"<[^>]+\son[a-z]+=", html), "inline event handler"
    assert "javascript:" not in html


def test_the_board_assets_are_found_and_the_beep_is_a_wav():
    for name in ["front/board.js", "front/board.css", "front/alert.wav"]:
        assert finders.find(name), name
    with wave.open(str(STATIC / "alert.wav")) as beep:
        assert beep.getnframes() / beep.getframerate() < 1.0
