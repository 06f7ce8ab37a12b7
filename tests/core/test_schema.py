"""The OpenAPI schema describes every request a client may build from it:
every POST documents its body, and every action endpoint its answer and its
errors (a client that builds requests from the schema can return an order)."""

import pytest

from core.actions import Action
from followup import actions as followup_actions
from subscriptions import actions as subscription_actions
from workorders import actions as order_actions

pytestmark = pytest.mark.django_db

ERRORS = {"400", "403", "404", "409"}


@pytest.fixture
def schema(api):
    response = api("supervisor").get("/api/schema/", {"format": "json"})
    assert response.status_code == 200
    return response.json()


def _posts(schema) -> dict[str, dict]:
    return {path: ops["post"] for path, ops in schema["paths"].items() if "post" in ops}


def test_every_post_endpoint_documents_its_request_body(schema):
    posts = _posts(schema)
    assert len(posts) > 20
    missing = sorted(path for path, operation in posts.items() if "requestBody" not in operation)
    assert missing == []


def _component(schema, reference: str) -> dict:
    return schema["components"]["schemas"][reference.rsplit("/", 1)[-1]]


@pytest.mark.parametrize(("prefix", "declared", "answer"), [
    ("/api/v1/orders/{id}/", [a for a in order_actions.ACTIONS.values() if a.has_endpoint], "Order"),
    ("/api/v1/subscriptions/{id}/", list(subscription_actions.ACTIONS.values()), "Subscription"),
    ("/api/v1/escalations/{id}/", followup_actions.ESCALATION_ACTIONS, "Escalation"),
    ("/api/v1/visits/{id}/", followup_actions.VISIT_ACTIONS, "PeriodicVisit"),
])
def test_every_action_endpoint_documents_its_body_answer_and_errors(schema, prefix, declared, answer):
    posts = _posts(schema)
    for action in declared:
        operation = posts[f"{prefix}{action.name}/"]
        assert operation["summary"] == action.summary
        body = _component(schema, operation["requestBody"]["content"]["application/json"]["schema"]["$ref"])
        fields = {name for name, field in action.input().fields.items() if not field.read_only}
        assert set(body.get("properties", {})) == fields, action.name
        required = {name for name, field in action.input().fields.items() if field.required}
        assert set(body.get("required", [])) == required, action.name
        ok = operation["responses"]["200"]["content"]["application/json"]["schema"]["$ref"]
        assert ok.endswith(f"/{answer}")
        assert ERRORS <= set(operation["responses"]), action.name


def test_the_order_api_has_an_endpoint_for_exactly_the_actions_that_declare_one(schema):
    endpoints = {path.split("/")[-2] for path in _posts(schema) if path.startswith("/api/v1/orders/{id}/")}
    declared = {name for name, action in order_actions.ACTIONS.items() if action.has_endpoint}
    # print and reprint (a lost or jammed copy, with a reason) are printing's
    # endpoints (a PDF), incidents the order's own report.
    assert endpoints == declared | {"print", "reprint", "incidents"}


def test_every_declared_action_has_its_service():
    every = [*order_actions.ACTIONS.values(), *subscription_actions.ACTIONS.values(),
             *followup_actions.ESCALATION_ACTIONS, *followup_actions.VISIT_ACTIONS]
    assert all(isinstance(a, Action) and callable(a.service) for a in every), [a.name for a in every if not a.service]
