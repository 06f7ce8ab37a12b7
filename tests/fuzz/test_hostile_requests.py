"""Hostile requests: bodies too large, JSON that is broken or of the wrong
shape, values of the wrong type, ids no database holds, NUL characters in the
path, query, headers and cookies. Every answer is a clean 4xx in the error
shape (core.exception_handler, core.error_pages): never a 500, never an HTML page under /api/."""

import json

import pytest
from django.db import transaction

from workorders.models import WorkOrder


def _is_clean_error(response, *statuses: int) -> dict:
    assert response.status_code in statuses, (response.status_code, response.content[:300])
    assert response["Content-Type"].startswith("application/json"), response["Content-Type"]
    body = response.json()
    assert isinstance(body.get("detail"), str) and body["detail"] and isinstance(body.get("code"), str), body
    return body


@pytest.fixture
def received(order_in):
    return order_in("received")


# --- Size -------------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/api/v1/orders/", "/api/v1/residents/", "/api/v1/intakes/", "/api/v1/followups/"])
def test_a_body_over_the_upload_limit_is_a_413_and_nothing_is_written(path, api, people, catalog, settings):
    body = json.dumps({"resident": people["with_card"].pk, "service": catalog["clean"].pk, "channel": "phone",
                       "notes": "x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1)})
    before = WorkOrder.objects.count()
    response = api("front_desk").generic("POST", path, body, content_type="application/json")
    _is_clean_error(response, 413)
    assert WorkOrder.objects.count() == before


def test_a_form_body_over_the_upload_limit_is_a_413(api, settings):
    response = api("front_desk").generic(
        "POST", "/api/v1/orders/", "notes=" + "x" * settings.DATA_UPLOAD_MAX_MEMORY_SIZE,
        content_type="application/x-www-form-urlencoded",
    )
    _is_clean_error(response, 413)


def test_an_unreadable_content_length_is_a_400(api):
    response = api("front_desk").generic("POST", "/api/v1/orders/", "{}", content_type="application/json",
                                         CONTENT_LENGTH="lots")
    _is_clean_error(response, 400)


def test_a_body_just_under_the_limit_is_read(api, people, catalog, settings):
    # Read and parsed (not refused for its size, 413): the notes' own bound
    # answers, by the field.
    notes = "x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE - 1000)
    response = api("front_desk").post("/api/v1/orders/", {
        "resident": people["with_card"].pk, "service": catalog["clean"].pk, "channel": "phone", "notes": notes,
    }, format="json")
    assert response.status_code == 400 and set(response.json()["fields"]) == {"notes"}
    assert not WorkOrder.objects.exists()


# --- Broken and misshapen JSON ----------------------------------------------------------

MALFORMED = ['{"resident": 1,', "{'resident': 1}", "nul\x00l", "\xff\xfe", "[" * 5000, '{"a": ' * 2000,
             "NaN", '{"notes": "\\ud800"}', ""]
WRONG_SHAPES = ["[]", "[1, 2]", '"a string"', "42", "null", "true", '[{"resident": 1}]']


@pytest.mark.parametrize("raw", MALFORMED + WRONG_SHAPES)
@pytest.mark.parametrize("path", [
    "/api/v1/orders/", "/api/v1/residents/", "/api/v1/intakes/", "/api/v1/followups/", "/api/v1/visits/",
    "/api/v1/print/batch/", "/api/v1/auth/token/",
])
def test_malformed_or_misshapen_json_is_a_clean_400(raw, path, api):
    role = "dispatch_lead" if "visits" in path else "front_desk"
    response = api(role).generic("POST", path, raw.encode("utf-8", "surrogatepass"), content_type="application/json")
    _is_clean_error(response, 400)


@pytest.mark.parametrize("transition", ["assign", "cancel", "reject", "return_order", "emergency_start", "approve"])
def test_malformed_json_to_a_transition_is_a_clean_400_and_changes_nothing(transition, received, api):
    for raw in ["{", "[]", '"cancel"', "[1]", "null", "[" * 5000]:
        response = api("dispatch_lead").generic(
            "POST", f"/api/v1/orders/{received.pk}/{transition}/", raw, content_type="application/json"
        )
        _is_clean_error(response, 400, 409)
    assert WorkOrder.objects.get(pk=received.pk).state == "received"
    assert received.history.count() == 1


# --- Wrong types ------------------------------------------------------------------------

WRONG_VALUES = [{"nested": "object"}, ["a", "list"], True, False, 1.5, "1e400", 2**70, -(2**70), -1, 0, "",
                "²", "١٢", " 1 ", "0x10", None, "𝟏"]


def _each_in_a_savepoint(values, send) -> None:
    """send(value) for each value, each against the same data: a savepoint
    rolled back after it."""
    for value in values:
        with transaction.atomic():
            send(value)
            transaction.set_rollback(True)


@pytest.mark.parametrize("field", ["resident", "service", "channel", "urgency", "requested_for", "notes"])
def test_an_order_with_a_wrong_value_is_a_clean_400(field, api, people, catalog):
    def send(value):
        body = {"resident": people["with_card"].pk, "service": catalog["clean"].pk, "channel": "phone", field: value}
        response = api("front_desk").post("/api/v1/orders/", body, format="json")
        if response.status_code == 201:
            # Text fields take numbers as their digits; "as soon as possible" is null.
            assert field == "notes" and not isinstance(value, dict | list) or (field, value) == (
                "requested_for", None), (field, value)
            return
        _is_clean_error(response, 400)

    _each_in_a_savepoint(WRONG_VALUES, send)


@pytest.mark.parametrize("transition,field", [
    ("assign", "worker"), ("assign", "partner"), ("emergency_start", "worker"), ("cancel", "reason"),
    ("return_order", "fee"), ("return_order", "actual_start"),
])
def test_a_transition_with_a_wrong_value_is_a_clean_4xx(transition, field, order_in, api):
    order = order_in("in_service" if transition == "return_order" else "received")
    role = "front_desk" if transition == "return_order" else "dispatcher"

    def send(value):
        response = api(role).post(f"/api/v1/orders/{order.pk}/{transition}/", {field: value}, format="json")
        if response.status_code == 200:
            # Only what DRF reads as a valid value (" 1 " as worker 1) goes through.
            assert order.history.count() == 2 if transition != "return_order" else 5
            return
        _is_clean_error(response, 400, 404, 409)
        assert order.history.count() == (1 if transition != "return_order" else 4)

    _each_in_a_savepoint(WRONG_VALUES, send)


@pytest.mark.parametrize("path,field,role", [
    ("/api/v1/followups/", "order", "front_desk"),
    ("/api/v1/visits/", "residents", "dispatch_lead"),
    ("/api/v1/visits/", "served_by_worker", "dispatch_lead"),
    ("/api/v1/visits/", "visitor_user", "dispatch_lead"),
    ("/api/v1/print/batch/", "worker", "front_desk"),
    ("/api/v1/intakes/", "resident", "front_desk"),
    ("/api/v1/intakes/", "area", "front_desk"),
    ("/api/v1/spot-checks/", "count", "supervisor"),
])
def test_an_id_of_the_wrong_type_or_out_of_range_is_a_clean_4xx(path, field, role, api, world):
    def send(value):
        body = {"result": "reached", "scheduled_for": "2030-01-01", "outcome": "out_of_area", "channel": "phone",
                "date": "2030-01-01", "order": world["order"][0], field: [value] if field == "residents" else value}
        response = api(role).post(path, body, format="json")
        assert response.status_code < 500, (value, response.status_code, response.content[:300])
        if response.status_code >= 400:
            _is_clean_error(response, 400, 404, 409)

    _each_in_a_savepoint(WRONG_VALUES, send)


# --- Ids in the path and the query ------------------------------------------------------

ODD_IDS = [str(2**70), str(2**63), str(2**63 - 1), "-1", "0", "00001", "²", "١٢", "1.0", "1e3", "%20", "abc"]


@pytest.mark.parametrize("method,template", [
    ("GET", "/api/v1/orders/{}/"), ("POST", "/api/v1/orders/{}/cancel/"), ("POST", "/api/v1/orders/{}/print/"),
    ("GET", "/api/v1/orders/{}/prints/"), ("GET", "/api/v1/residents/{}/"), ("GET", "/api/v1/residents/{}/export/"),
    ("POST", "/api/v1/residents/{}/anonymise/"), ("GET", "/api/v1/residents/{}/access-log/"),
    ("GET", "/api/v1/followups/{}/"), ("GET", "/api/v1/escalations/{}/"), ("POST", "/api/v1/escalations/{}/note/"),
    ("GET", "/api/v1/board/orders/{}/suggestions/"), ("POST", "/api/v1/visits/{}/cancel/"),
    ("GET", "/api/v1/spot-checks/{}/"),
])
def test_an_odd_id_in_the_path_is_a_clean_404_or_400(method, template, api, users):
    for pk in ODD_IDS:
        response = api("supervisor").generic(method, template.format(pk), json.dumps({"reason": "x", "note": "x"}),
                                             content_type="application/json")
        _is_clean_error(response, 400, 403, 404)


@pytest.mark.parametrize("path,param", [
    ("/api/v1/orders/", "worker"), ("/api/v1/followups/calls/", "order"), ("/api/v1/visits/", "resident"),
    ("/api/v1/events/", "since"), ("/api/v1/orders/", "state"), ("/api/v1/residents/", "q"),
    ("/api/v1/residents/", "phone"), ("/api/v1/orders/", "limit"), ("/api/v1/orders/", "offset"),
])
def test_an_odd_query_value_is_answered_cleanly(path, param, api, world):
    for value in ODD_IDS + ["1,2", "", "\u202e1"]:
        response = api("dispatch_lead").get(path, {param: value})
        if response.status_code != 200:
            _is_clean_error(response, 400)


# --- NUL characters -----------------------------------------------------------------------


@pytest.mark.parametrize("path,query", [
    ("/api/v1/residents/", {"q": "Test\x00"}), ("/api/v1/residents/", {"phone": "138\x00"}),
    ("/api/v1/orders/", {"state": "received\x00"}), ("/api/v1/followups/calls/", {"result": "\x00"}),
    ("/api/v1/visits/", {"status": "\x00"}), ("/api/v1/escalations/", {"level": "\x00"}),
    ("/api/v1/orders/", {"worker\x00": "1"}), ("/api/v1/events/", {"since": "1\x00"}),
])
def test_a_nul_in_the_query_is_a_clean_400_naming_the_parameter(path, query, api, world):
    response = api("dispatch_lead").get(path, query)
    body = _is_clean_error(response, 400)
    assert list(body["fields"]) == [next(iter(query)).replace("\x00", "")]


def test_a_nul_in_the_path_is_a_clean_400(api):
    _is_clean_error(api("dispatcher").get("/api/v1/orders/1\x00/"), 400)


def test_a_nul_in_the_token_is_a_clean_400(client, db):
    _is_clean_error(client.get("/api/v1/orders/", HTTP_AUTHORIZATION="Token abc\x00def"), 400)


def test_a_nul_in_the_session_cookie_is_a_clean_400(client, db):
    # Raw: the test client's cookie jar would quote the NUL away.
    _is_clean_error(client.get("/api/v1/orders/", HTTP_COOKIE="sessionid=abcdefgh\x00ijkl"), 400)
    assert client.get("/accounts/login/", {"next": "\x00"}).status_code == 400


def test_a_nul_in_the_login_is_a_clean_400(client, db):
    _is_clean_error(client.post("/api/v1/auth/token/", {"username": "front\x00desk", "password": "x\x00"}), 400)


# --- Everything under /api/ answers JSON ---------------------------------------------------


@pytest.mark.parametrize("path", ["/api/v1/nothing-here/", "/api/v1/orders/abc/", "/api/v1/orders/1/no-such/",
                                  "/api/v2/", "/api/v1/print/daily-list/extra/"])
def test_an_unknown_api_path_answers_json_not_an_html_page(path, api):
    _is_clean_error(api("dispatcher").get(path), 404)


def test_an_unknown_screen_still_answers_the_html_page(client, db):
    response = client.get("/no-such-screen/")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")


def test_a_wrong_method_or_media_type_answers_json(api, received):
    _is_clean_error(api("dispatcher").delete(f"/api/v1/orders/{received.pk}/"), 405)
    _is_clean_error(api("dispatcher").post("/api/v1/orders/", "<xml/>", content_type="application/xml"), 415)
    _is_clean_error(api("dispatcher").get("/api/v1/orders/", HTTP_ACCEPT="application/x-nothing"), 406)
