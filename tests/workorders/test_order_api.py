"""The whole life of an order through the API, and every kind of bad input:
unknown ids 404, wrong state 409 naming the state, bad values 400 with field
messages; never a 500."""

import datetime

import pytest
from django.contrib.auth.models import User
from django.utils import timezone
from rest_framework.test import APIClient

from realtime.models import Event
from workorders.models import OrderHistory, WorkOrder


def test_an_order_goes_from_intake_to_returned_with_tokens(users, people, catalog):
    def login(role: str) -> APIClient:
        client = APIClient()
        response = client.post("/api/v1/auth/token/", {"username": role, "password": "pw-" + role}, format="json")
        assert response.status_code == 200
        client.credentials(HTTP_AUTHORIZATION="Token " + response.json()["token"])
        return client

    desk, dispatcher, finance = login("front_desk"), login("dispatcher"), login("finance")
    found = desk.get("/api/v1/residents/", {"phone": "+86 138-0013-8000"}).json()["results"]
    assert [r["id"] for r in found] == [people["with_card"].pk]
    when = (timezone.now() + datetime.timedelta(hours=3)).isoformat()
    created = desk.post(
        "/api/v1/orders/",
        {"resident": found[0]["id"], "service": catalog["clean"].pk, "channel": "phone", "urgency": "normal",
         "requested_for": when, "notes": "Bring a ladder"},
        format="json",
    )
    assert created.status_code == 201, created.json()
    order = created.json()
    assert order["number"] == f"WO-{timezone.localdate().year}-{order['id']:06d}"
    url = f"/api/v1/orders/{order['id']}/"
    steps = [
        (dispatcher, "assign", {"worker": people["cleaner"].pk}, "assigned"),
        (desk, "print", {}, "printed"),
        (desk, "collect", {}, "in_service"),
        (desk, "return_order", {
            "actual_start": (timezone.now() - datetime.timedelta(minutes=1)).isoformat(),
            "actual_end": timezone.now().isoformat(), "materials": "Cloths",
        }, "returned"),
    ]
    for client, name, body, state in steps:
        response = client.post(url + name + "/", body, format="json")
        assert response.status_code == 200, (name, response.content)
        if response["Content-Type"] == "application/json":
            assert response.json()["state"] == state
        assert desk.get(url).json()["state"] == state
    final = desk.get(url).json()
    assert [h["transition"] for h in final["history"]] == ["create", "assign", "print", "collect", "return_order"]
    assert final["history"][1]["actor"] == "dispatcher"
    # A chargeable service without an explicit fee owes its price; finance settles it.
    assert (final["fee"], final["fee_status"]) == ("30.00", "due")
    settled = finance.post(url + "settle_fee/", {"receipt": "R-0001"}, format="json")
    assert settled.json()["fee_status"] == "paid"
    assert finance.post(url + "settle_fee/", {"receipt": "R-0002"}, format="json").status_code == 409
    assert [e.type for e in Event.objects.filter(data__id=order["id"], type__startswith="order.")] == [
        "order.received", "order.assigned", "order.printed", "order.collected", "order.returned", "order.fee_settled",
    ]


def test_unknown_order_is_404(api, people):
    response = api("dispatcher").post("/api/v1/orders/999999/assign/", {"worker": people["cleaner"].pk}, format="json")
    assert response.status_code == 404
    assert response.json()["detail"]
    assert api("dispatcher").get("/api/v1/orders/abc/").status_code == 404


def test_a_transition_from_the_wrong_state_is_409_and_names_the_state(api, order_in):
    order = order_in("returned")
    response = api("front_desk").post(f"/api/v1/orders/{order.pk}/cancel/", {"reason": "x"}, format="json")
    assert response.status_code == 409
    assert response.json()["state"] == "returned"
    assert "Returned" in response.json()["detail"]


def test_errors_are_in_the_request_language(api, order_in):
    order = order_in("returned")
    client = api("front_desk")
    response = client.post(
        f"/api/v1/orders/{order.pk}/cancel/", {"reason": "x"}, format="json", HTTP_ACCEPT_LANGUAGE="zh-hans"
    )
    assert response.status_code == 409
    english = client.post(f"/api/v1/orders/{order.pk}/cancel/", {"reason": "x"}, format="json", HTTP_ACCEPT_LANGUAGE="en")
    assert response.json()["detail"] != english.json()["detail"]


BAD_CREATES = [
    ({}, {"resident", "service", "channel"}),
    ({"channel": "fax"}, {"channel"}),
    ({"urgency": "panic"}, {"urgency"}),
    ({"requested_for": "yesterday"}, {"requested_for"}),
    ({"requested_for": "2001-01-01T10:00:00Z"}, {"requested_for"}),
    ({"resident": 999999}, {"resident"}),
    ({"resident": "abc"}, {"resident"}),
    ({"service": None}, {"service"}),
]


@pytest.mark.parametrize(("change", "fields"), BAD_CREATES)
def test_bad_create_input_is_400_with_field_messages(change, fields, api, people, catalog):
    body = {"resident": people["with_card"].pk, "service": catalog["clean"].pk, "channel": "phone"}
    body.update(change)
    for key in [k for k, v in change.items() if v is None]:
        body.pop(key)
    if not change:
        body = {}
    response = api("front_desk").post("/api/v1/orders/", body, format="json")
    assert response.status_code == 400, response.content
    assert set(response.json()["fields"]) >= fields
    assert WorkOrder.objects.count() == 0


def test_malformed_json_is_400(api):
    response = api("front_desk").post("/api/v1/orders/", "{not json", content_type="application/json")
    assert response.status_code == 400
    assert response.json()["detail"]


BAD_RETURNS = [
    ({"actual_start": "now"}, "actual_start"),
    ({"fee": "-5"}, "fee"),
    ({"fee": "lots"}, "fee"),
    ("end_before_start", "actual_end"),
    ("end_in_future", "actual_end"),
]


@pytest.mark.parametrize(("change", "field"), BAD_RETURNS)
def test_bad_return_input_is_400_and_changes_nothing(change, field, api, order_in):
    order = order_in("in_service")
    now = timezone.now()
    body = {"actual_start": (now - datetime.timedelta(hours=2)).isoformat(), "actual_end": (now - datetime.timedelta(hours=1)).isoformat()}
    if change == "end_before_start":
        body["actual_end"] = (now - datetime.timedelta(hours=3)).isoformat()
    elif change == "end_in_future":
        body["actual_end"] = (now + datetime.timedelta(hours=3)).isoformat()
    else:
        body.update(change)
    response = api("front_desk").post(f"/api/v1/orders/{order.pk}/return_order/", body, format="json")
    assert response.status_code == 400, response.content
    assert field in response.json()["fields"]
    assert WorkOrder.objects.get(pk=order.pk).state == "in_service"


def test_assign_checks_the_assignee(api, order_in, people):
    order = order_in("received")
    client = api("dispatcher")
    url = f"/api/v1/orders/{order.pk}/assign/"
    for body, field in [
        ({}, "worker"),
        ({"worker": people["cleaner"].pk, "partner": people["partner"].pk}, "worker"),
        ({"worker": people["nurse"].pk}, "worker"),  # lacks the cleaning skill
        ({"worker": people["inactive"].pk}, "worker"),
        ({"worker": 999999}, "worker"),
        ({"worker": "x"}, "worker"),
        ({"partner": 999999}, "partner"),
    ]:
        response = client.post(url, body, format="json")
        assert response.status_code == 400, (body, response.content)
        assert field in response.json()["fields"], body
    assert client.post(url, {"partner": people["partner"].pk}, format="json").json()["state"] == "assigned"
    assert OrderHistory.objects.filter(order=order).count() == 2


def test_reasons_are_required(api, order_in):
    order = order_in("received")
    for body in [{}, {"reason": ""}, {"reason": "   "}]:
        response = api("front_desk").post(f"/api/v1/orders/{order.pk}/cancel/", body, format="json")
        assert response.status_code == 400
        assert "reason" in response.json()["fields"]


def test_a_service_needing_a_card_is_refused_without_one_unless_overridden(api, people, catalog):
    body = {"resident": people["no_card"].pk, "service": catalog["clean"].pk, "channel": "phone"}
    refused = api("front_desk").post("/api/v1/orders/", body, format="json")
    assert refused.status_code == 400
    assert refused.json()["code"] == "not_eligible"
    body["card_override_reason"] = "Card renewal in progress"
    assert api("front_desk").post("/api/v1/orders/", body, format="json").status_code == 403
    allowed = api("dispatcher").post("/api/v1/orders/", body, format="json")
    assert allowed.status_code == 201
    assert allowed.json()["card_override_reason"] == "Card renewal in progress"
    # A service without the card rule needs no override.
    body = {"resident": people["no_card"].pk, "service": catalog["visit"].pk, "channel": "visit"}
    assert api("front_desk").post("/api/v1/orders/", body, format="json").status_code == 201


def test_a_resident_outside_the_area_cannot_be_ordered_for(api, people, catalog):
    body = {"resident": people["outside"].pk, "service": catalog["visit"].pk, "channel": "phone"}
    response = api("front_desk").post("/api/v1/orders/", body, format="json")
    assert response.status_code == 400
    assert response.json()["code"] == "not_eligible"


def test_schema_and_docs_are_served(api):
    schema = api("dispatcher").get("/api/schema/", HTTP_ACCEPT="application/json")
    assert schema.status_code == 200
    paths = schema.json()["paths"]
    for path in ["/api/v1/orders/", "/api/v1/orders/{id}/assign/", "/api/v1/orders/{id}/return_order/",
                 "/api/v1/residents/", "/api/v1/auth/token/"]:
        assert path in paths, path
    assert api("dispatcher").get("/api/docs/").status_code == 200


def test_a_deactivated_login_gets_401(users, people):
    client = APIClient()
    token = client.post("/api/v1/auth/token/", {"username": "dispatcher", "password": "pw-dispatcher"}, format="json").json()["token"]
    User.objects.filter(username="dispatcher").update(is_active=False)
    client.credentials(HTTP_AUTHORIZATION="Token " + token)
    assert client.get("/api/v1/orders/").status_code == 401
