"""The role comes before the input: a role that may not print gets 403
whatever it sends (the daily list, the batch, the follow-up sheet, an order's
print), not a 400 that tells it how to ask; anonymous callers are refused
before anything is read."""

import pytest

ODD = [
    {},
    {"worker": "abc", "date": "not-a-date", "language": "klingon"},
    {"worker": 999999, "date": "9999-99-99"},
    {"language": "xx"},
]


@pytest.mark.parametrize("query", ODD)
@pytest.mark.parametrize("role", ["field_worker", "finance", "coordinator", "supervisor", "nobody"])
def test_the_daily_list_refuses_a_role_that_may_not_print_whatever_it_sends(api, people, role, query):
    assert api(role).get("/api/v1/print/daily-list/", query).status_code == 403


@pytest.mark.parametrize("body", ODD)
@pytest.mark.parametrize("role", ["field_worker", "finance", "dispatcher", "supervisor"])
def test_the_batch_refuses_a_role_that_may_not_print_whatever_it_sends(api, people, role, body):
    assert api(role).post("/api/v1/print/batch/", body, format="json").status_code == 403


@pytest.mark.parametrize("query", ODD)
@pytest.mark.parametrize("role", ["field_worker", "finance", "dispatcher", "coordinator"])
def test_the_followup_sheet_refuses_a_role_that_may_not_print_whatever_it_sends(api, people, role, query):
    assert api(role).get("/api/v1/print/followup-sheet/", query).status_code == 403


def test_an_orders_print_refuses_a_role_that_may_not_print_whatever_it_sends(assigned_order, api):
    order = assigned_order()
    for role in ("dispatcher", "field_worker"):  # they see the order, and may not print it
        response = api(role).post(f"/api/v1/orders/{order.pk}/print/", {"language": "klingon"}, format="json")
        assert response.status_code == 403, role


@pytest.mark.parametrize("path", ["/api/v1/print/daily-list/", "/api/v1/print/followup-sheet/"])
def test_anonymous_callers_are_refused_before_the_input(api, path):
    assert api(None).get(path, {"worker": "abc"}).status_code in (401, 403)


def test_the_roles_that_may_print_still_get_400_for_bad_input(api, people):
    assert api("front_desk").get("/api/v1/print/daily-list/", {"worker": "abc"}).status_code == 400
    assert api("dispatcher").get("/api/v1/print/daily-list/", {"date": "x"}).status_code == 400
    assert api("front_desk").post("/api/v1/print/batch/", {}, format="json").status_code == 400
    assert api("front_desk").get("/api/v1/print/followup-sheet/", {"language": "xx"}).status_code == 400
