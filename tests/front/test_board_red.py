"""What the board page gives its script for the red marks: where to read the
overdue list (which every board role may read), the order page's address,
and the words for stages and levels. The browser side is
tests/e2e/test_board_red_browser.py."""

import json
import re

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


def _board_data(users, role: str = "dispatcher") -> tuple[dict, dict]:
    client = Client()
    client.force_login(users[role])
    html = client.get("/board/").content.decode()

    def data(name):
        return json.loads(re.search(rf'<script id="{name}" type="application/json">(.*?)</script>', html, re.S).group(1))

    return data("board-config"), data("board-strings")


@pytest.mark.parametrize("role", ["dispatcher", "dispatch_lead", "supervisor"])
def test_every_board_role_may_read_the_overdue_list(users, api, role):
    config, _strings = _board_data(users, role)
    assert config["overdue_url"] == "/api/v1/stats/overdue/"
    assert config["overdue_refresh_seconds"] > 0
    assert api(role).get(config["overdue_url"]).status_code == 200


def test_the_board_says_the_stage_and_the_level_in_words(users):
    _config, strings = _board_data(users)
    assert strings["overdue"] == "Overdue: %(stage)s, %(late)s late"
    assert strings["level"] == "Escalation level: %(level)s"
    assert [strings[f"stage_{s}"] for s in ("dispatch", "start", "followup")] == [
        "dispatch", "start of service", "follow-up call"]
    assert [strings[f"level_{lvl}"] for lvl in ("dispatcher", "dispatch_lead", "supervisor")] == [
        "Dispatcher", "Dispatch lead", "Supervisor"]


def test_cards_link_the_order_page(users):
    config, _strings = _board_data(users)
    assert config["order_url"] == "/orders/0/"
