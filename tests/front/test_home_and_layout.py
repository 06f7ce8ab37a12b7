"""The home page sends each role to its screen; the layout's nav and the
language switch, which the login remembers."""

import re

import pytest
from django.test import Client

from dispatch.models import UserPreference

pytestmark = pytest.mark.django_db


def test_home_sends_anonymous_visitors_to_log_in(users):
    r = Client().get("/")
    assert r.status_code == 302 and r["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize(
    "role, target",
    [("front_desk", "/intake/"), ("dispatcher", "/board/"), ("dispatch_lead", "/board/"), ("supervisor", "/board/"),
     ("field_worker", "/my-orders/"), ("finance", "/payments/")],
)
def test_home_sends_each_role_straight_to_its_screen(client_as, role, target):
    r = client_as(role).get("/")
    assert r.status_code == 302 and r["Location"] == target


@pytest.mark.parametrize("role", ["coordinator", "nobody"])
def test_home_lists_the_links_of_roles_without_a_screen(client_as, role):
    r = client_as(role).get("/")
    assert r.status_code == 200
    html = r.content.decode()
    assert 'href="/api/docs/"' in html
    assert 'href="/intake/"' not in html and 'href="/board/"' not in html


def test_a_login_lands_on_the_home_page(users):
    r = Client().post("/accounts/login/", {"username": "front_desk", "password": "pw-front_desk"})
    assert r.status_code == 302 and r["Location"] == "/"


def test_the_nav_shows_the_screens_the_role_may_use(client_as):
    html = client_as("dispatcher").get("/intake/").content.decode()
    nav = re.search(r'<nav class="site-nav".*?</nav>', html, flags=re.S).group(0)
    assert 'href="/intake/" aria-current="page"' in nav and 'href="/board/"' in nav
    desk_nav = re.search(r'<nav class="site-nav".*?</nav>', client_as("front_desk").get("/intake/").content.decode(),
                         flags=re.S).group(0)
    assert 'href="/board/"' not in desk_nav
    assert "front_desk" in html or "dispatcher" in html  # the user's name is shown
    assert "Dispatcher" in html  # and the role


def test_the_language_switch_is_remembered_for_the_login_not_the_browser(users, client_as):
    client = client_as("front_desk")
    r = client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/intake/"})
    assert r.status_code == 302 and r["Location"] == "/intake/"
    assert UserPreference.objects.get(user=users["front_desk"]).language == "zh-hans"
    assert "前台" in client.get("/intake/").content.decode()

    # Another browser, no cookie, an English browser: the login's choice wins.
    other = Client(headers={"accept-language": "en"})
    other.force_login(users["front_desk"])
    r = other.get("/intake/")
    assert r["Content-Language"] == "zh-hans"
    assert "前台" in r.content.decode()
    # A colleague at the same desk keeps their own language.
    colleague = Client(headers={"accept-language": "en"})
    colleague.force_login(users["dispatcher"])
    assert colleague.get("/intake/")["Content-Language"] == "en"


def test_an_unknown_language_is_not_stored(users, client_as):
    client_as("front_desk").post("/i18n/setlang/", {"language": "xx", "next": "/"})
    assert not UserPreference.objects.filter(user=users["front_desk"]).exists()


def test_the_layout_has_no_inline_script_and_loads_its_stylesheet(client_as):
    html = client_as("front_desk").get("/intake/").content.decode()
    assert "/static/front/app.css" in html
    for attrs, body in re.findall(r"<script([^>]*)>(.*?)</script>", html, flags=re.S):
        assert ("src=" in attrs and not body.strip()) or 'type="application/json"' in attrs
    assert not re.search(r"<[^>]+\son[a-z]+=", html), "inline event handler"


def test_a_request_in_flight_from_before_the_switch_does_not_bring_the_old_language_back(users, client_as):
    from django.contrib.sessions.backends.db import SessionStore

    client = client_as("front_desk")
    client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/intake/"})
    assert client.get("/intake/")["Content-Language"] == "zh-hans"
    key = client.session.session_key
    stale = dict(SessionStore(session_key=key).load())  # what a board's background fetch loaded
    client.post("/i18n/setlang/", {"language": "sv", "next": "/intake/"})
    # That fetch ends after the switch and saves the session it loaded (every request saves it).
    session = SessionStore(session_key=key)
    session.update(stale)
    session.save()
    assert client.get("/intake/")["Content-Language"] == "sv"
