"""Who may do what through the API: a matrix of role x action written out from
DESIGN.md section 2 and 3, checked against the running API."""

import datetime

import pytest
from django.utils import timezone

from tests.conftest import ROLES
from workorders import services as order_services

ALLOWED_ROLES = {
    "request_approval": {"dispatcher", "dispatch_lead"},
    "approve": {"dispatch_lead", "supervisor"},
    "reject": {"dispatch_lead", "supervisor"},
    "assign": {"dispatcher", "dispatch_lead"},
    "reassign": {"dispatcher", "dispatch_lead"},
    "print": {"front_desk"},
    "collect": {"front_desk"},
    "redispatch": {"dispatcher", "dispatch_lead"},
    "emergency_start": {"dispatcher", "dispatch_lead", "front_desk"},
    "return_order": {"front_desk"},
    "cancel": {"front_desk", "dispatcher", "dispatch_lead"},
    "settle_fee": {"finance"},
    "log_followup": {"front_desk"},
    "close_unreachable": {"front_desk"},
    "resolve": {"dispatch_lead", "supervisor"},
}
SOURCE_STATE = {
    "request_approval": "awaiting_approval",  # built below from received with a wound-care order
    "approve": "awaiting_approval",
    "reject": "awaiting_approval",
    "assign": "received",
    "reassign": "assigned",
    "print": "assigned",
    "collect": "printed",
    "redispatch": "printed",
    "emergency_start": "received",
    "return_order": "in_service",
    "cancel": "received",
    "settle_fee": "returned",
    "log_followup": "returned",
    "close_unreachable": "returned",
    "resolve": "escalated",  # built below through an unsatisfied call, which opens the escalation
}
# The follow-up transitions run through the follow-up API, which records the
# call or the escalation with them: (url, body, status when allowed).
FOLLOWUP_ENDPOINTS = {
    "log_followup": lambda order: (
        "/api/v1/followups/", {"order": order.pk, "result": "reached", "quality": 5, "satisfied": True}, 201
    ),
    "close_unreachable": lambda order: ("/api/v1/followups/", {"order": order.pk, "result": "refused"}, 201),
    "resolve": lambda order: (
        f"/api/v1/escalations/{order.escalations.get().pk}/resolve/", {"outcome": "Apologised"}, 200
    ),
}


def _body(name: str, people) -> dict:
    now = timezone.now()
    return {
        "reject": {"reason": "Full"},
        "assign": {"worker": people["cleaner"].pk},
        "reassign": {"partner": people["partner"].pk, "note": "Worker ill"},
        "redispatch": {"reason": "Worker ill"},
        "emergency_start": {"worker": people["cleaner"].pk},
        "return_order": {
            "actual_start": (now - datetime.timedelta(minutes=1)).isoformat(),
            "actual_end": now.isoformat(),
            "fee": "30.00",
        },
        "cancel": {"reason": "Not needed"},
        "settle_fee": {"receipt": "R-0001"},
    }.get(name, {})


@pytest.mark.parametrize("role", ROLES + ["nobody"])
@pytest.mark.parametrize("name", list(ALLOWED_ROLES))
def test_role_matrix_for_transitions(name, role, api, order_in, people, run_transition, users, catalog):
    from followup.services import followup_log_call

    if name == "request_approval":
        # Wound care needs approval (asking for it on cleaning is a 409).
        order = order_services.order_create(
            actor=users["front_desk"], resident=people["with_card"], service=catalog["wound"], channel="phone",
        )
    elif name == "resolve":
        order = order_in("returned")
        followup_log_call(actor=users["front_desk"], order_id=order.pk, result="reached", quality=1, satisfied=False)
    else:
        order = order_in(SOURCE_STATE[name] if name != "settle_fee" else "returned")
    url, body, ok = f"/api/v1/orders/{order.pk}/{name}/", _body(name, people), 200
    if name in FOLLOWUP_ENDPOINTS:
        url, body, ok = FOLLOWUP_ENDPOINTS[name](order)
    response = api(role).post(url, body, format="json")
    if role in ALLOWED_ROLES[name]:
        assert response.status_code == ok, response.json()
    elif role == "field_worker" and order.worker_id != people["cleaner"].pk:
        # Another worker's order, or nobody's yet, does not exist for them.
        assert response.status_code == 404
    else:
        assert response.status_code == 403, response.content
        assert response.json()["detail"]


CREATE_ROLES = {"front_desk", "dispatcher", "dispatch_lead"}
READ_ORDERS = {"front_desk", "dispatcher", "dispatch_lead", "field_worker", "finance", "supervisor"}
READ_RESIDENTS = {"front_desk", "dispatcher", "dispatch_lead", "supervisor"}
READ_CATALOG = set(ROLES)


@pytest.mark.parametrize("role", ROLES + ["nobody"])
def test_role_matrix_for_reads_and_create(role, api, people, catalog):
    client = api(role)
    created = client.post(
        "/api/v1/orders/", {"resident": people["with_card"].pk, "service": catalog["clean"].pk, "channel": "phone"},
        format="json",
    )
    assert created.status_code == (201 if role in CREATE_ROLES else 403)
    assert client.get("/api/v1/orders/").status_code == (200 if role in READ_ORDERS else 403)
    assert client.get("/api/v1/residents/").status_code == (200 if role in READ_RESIDENTS else 403)
    assert client.get("/api/v1/services/").status_code == (200 if role in READ_CATALOG else 403)


def test_anonymous_gets_nothing(api, people):
    client = api(None)
    for url in ["/api/v1/orders/", "/api/v1/residents/", "/api/v1/services/", "/api/v1/workers/",
                "/api/v1/partners/", "/api/v1/intakes/", "/api/schema/"]:
        assert client.get(url).status_code == 401, url


def test_a_field_worker_lists_only_their_own_orders(api, order_in, people, run_transition):
    mine = order_in("assigned")  # assigned to the cleaner, who is the field worker's login
    other = run_transition(order_in("received"), "cancel")
    unassigned = order_in("received")
    ids = {o["id"] for o in api("field_worker").get("/api/v1/orders/").json()["results"]}
    assert ids == {mine.pk}
    assert api("field_worker").get(f"/api/v1/orders/{unassigned.pk}/").status_code == 404
    assert api("front_desk").get(f"/api/v1/orders/{other.pk}/").status_code == 200


def test_available_transitions_depend_on_the_caller(api, order_in):
    order = order_in("assigned")
    assert api("front_desk").get(f"/api/v1/orders/{order.pk}/").json()["available_transitions"] == ["cancel", "print"]
    assert api("dispatcher").get(f"/api/v1/orders/{order.pk}/").json()["available_transitions"] == ["cancel", "reassign"]
    assert api("finance").get(f"/api/v1/orders/{order.pk}/").json()["available_transitions"] == []
