"""Answers given at the boundary: a locked login (the token endpoint's 429 in
the API's error shape, the page in the site's layout), the refusals made
before LocaleMiddleware (413, NUL), all in the request's language; and
`Cache-Control: no-store` on every page, API answer and PDF."""

import json

import pytest
from django.test import Client
from rest_framework.test import APIClient

LOCKED = {
    "en": "Too many failed logins",
    "sv": "För många misslyckade inloggningar",
    "zh-hans": "登录失败次数过多",
}
TOO_LARGE = {"en": "The request is too large.", "sv": "Begäran är för stor.", "zh-hans": "请求过大。"}
NUL = {"en": "Null characters are not allowed.", "sv": "Nolltecken är inte tillåtna.", "zh-hans": "不允许包含空字符（NUL）。"}


def _lock(username: str, address: str, settings) -> None:
    client = Client(REMOTE_ADDR=address)
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post("/accounts/login/", {"username": username, "password": "wrong"})


@pytest.mark.parametrize("language", ["en", "sv", "zh-hans"])
def test_the_token_endpoint_answers_a_locked_login_with_429_in_the_error_shape(language, users, settings):
    _lock("dispatcher", "10.9.8.7", settings)
    api = APIClient(REMOTE_ADDR="10.9.8.7")
    response = api.post("/api/v1/auth/token/", {"username": "dispatcher", "password": "pw-dispatcher"},
                        format="json", HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 429
    body = response.json()
    assert body["code"] == "locked_out" and LOCKED[language] in body["detail"] and "token" not in body
    assert int(response["Retry-After"]) == settings.AXES_COOLOFF_TIME * 3600


def test_the_failure_that_reaches_the_limit_on_the_token_endpoint_is_a_429(users, settings):
    api = APIClient(REMOTE_ADDR="10.9.8.6")
    statuses = [api.post("/api/v1/auth/token/", {"username": "finance", "password": "wrong"}, format="json").status_code
                for _ in range(settings.AXES_FAILURE_LIMIT)]
    assert statuses == [400] * (settings.AXES_FAILURE_LIMIT - 1) + [429]


@pytest.mark.parametrize("language", ["en", "sv", "zh-hans"])
def test_the_lockout_page_is_in_the_sites_layout_and_the_requests_language(language, users, settings):
    _lock("front_desk", "10.9.8.5", settings)
    client = Client(REMOTE_ADDR="10.9.8.5", HTTP_ACCEPT_LANGUAGE=language)
    response = client.post("/accounts/login/", {"username": "front_desk", "password": "pw-front_desk"})
    assert response.status_code == 429
    page = response.content.decode()
    assert LOCKED[language] in page
    assert 'class="site-header"' in page and f'<html lang="{language}">' in page
    assert response["Content-Language"] == language


@pytest.mark.parametrize("language", ["en", "sv", "zh-hans"])
def test_a_body_over_the_limit_is_refused_in_the_requests_language(language, api, settings):
    body = json.dumps({"notes": "x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1)})
    response = api("front_desk").generic("POST", "/api/v1/orders/", body, content_type="application/json",
                                         HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 413 and response.json()["detail"] == TOO_LARGE[language]
    page = Client().generic("POST", "/intake/", body, content_type="application/json", HTTP_ACCEPT_LANGUAGE=language)
    assert page.status_code == 413 and page.content.decode() == TOO_LARGE[language]


@pytest.mark.parametrize("language", ["en", "sv", "zh-hans"])
def test_a_nul_character_is_refused_in_the_requests_language(language, api):
    response = api("dispatcher").get("/api/v1/residents/", {"q": "a\x00"}, HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 400 and response.json()["fields"]["q"] == [NUL[language]]
    page = Client().get("/accounts/login/", {"next": "\x00"}, HTTP_ACCEPT_LANGUAGE=language)
    assert page.status_code == 400 and page.content.decode() == NUL[language]


def test_the_language_cookie_chooses_the_language_of_a_refusal(api, settings):
    client = api("dispatcher")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "sv"
    response = client.get("/api/v1/residents/", {"q": "a\x00"}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.json()["fields"]["q"] == [NUL["sv"]]


# --- Nothing is stored ----------------------------------------------------------------


def _not_stored(response) -> None:
    assert "no-store" in [part.strip() for part in response.get("Cache-Control", "").split(",")], (
        response.status_code, response.get("Cache-Control"))


def test_a_logged_in_page_is_not_stored(desk):
    response = desk.get("/intake/")
    assert response.status_code == 200
    _not_stored(response)


def test_api_answers_are_not_stored(api, order_in):
    order = order_in("received")
    _not_stored(api("dispatcher").get("/api/v1/orders/"))
    _not_stored(api("dispatcher").get(f"/api/v1/orders/{order.pk}/"))
    _not_stored(api("dispatch_lead").get("/api/v1/residents/"))
    # The token itself.
    _not_stored(APIClient().post("/api/v1/auth/token/", {"username": "finance", "password": "pw-finance"},
                                 format="json"))


def test_a_printed_order_is_not_stored(api, order_in):
    order = order_in("assigned")
    response = api("front_desk").post(f"/api/v1/orders/{order.pk}/print/", {}, format="json")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    _not_stored(response)


def test_errors_for_a_logged_in_user_are_not_stored(api):
    _not_stored(api("dispatcher").get("/api/v1/orders/999999/"))
