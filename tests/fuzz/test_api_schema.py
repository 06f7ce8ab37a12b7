"""Schemathesis against the project's own OpenAPI schema, as every role
(DESIGN.md section 7): no answer is a 5xx, every answer matches the schema
(errors included: JSON with `detail` and `code`), bad input is refused, and
no role reaches data it must not.

The schema is generated in-process and the cases run through the real WSGI
handler (middleware, token authentication, exception handler) inside the
test's transaction; each case runs in a savepoint rolled back afterwards, so
every case meets the same world. Bounded and derandomized: the same cases on
every run, MAX_EXAMPLES per operation, each sent as every role."""

import json
import re

import pytest
import schemathesis
from django.core.wsgi import get_wsgi_application
from django.db import transaction
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.renderers import OpenApiJsonRenderer
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import checks
from schemathesis.core.parameters import ParameterLocation
from schemathesis.generation import GenerationMode

from tests.conftest import ROLES

MAX_EXAMPLES = 10

# What each role must never get a 2xx answer from: (method or "*", path regex).
_RESIDENT_DATA_PROTECTION = ("*", r"^/api/v1/residents/\{id\}/(access-log|export|anonymise)/$")
_QUALITY_LOOP = [("*", r"^/api/v1/(followups|escalations|spot-checks|visits)/")]
_BOARD = [("*", r"^/api/v1/(board|events|alerts)/")]
_PERSONAL = [("*", r"^/api/v1/(residents|intakes)/")]
FORBIDDEN: dict[str, list[tuple[str, str]]] = {
    "front_desk": [_RESIDENT_DATA_PROTECTION, ("*", r"^/api/v1/(escalations|spot-checks|visits)/"), *_BOARD],
    "dispatcher": [_RESIDENT_DATA_PROTECTION, *_QUALITY_LOOP],
    "dispatch_lead": [_RESIDENT_DATA_PROTECTION, ("POST", r"^/api/v1/spot-checks/")],
    # A field worker reads the service catalogue and their own orders, nothing
    # else; the one thing he posts is an incident on one of them.
    "field_worker": [*_PERSONAL, *_QUALITY_LOOP, *_BOARD, ("*", r"^/api/v1/(areas|workers|partners|print)/"),
                     ("POST", r"^/api/v1/orders/(?!\{id\}/incidents/$)")],
    # The coordinator keeps the catalogue: no orders, no residents.
    "coordinator": [*_PERSONAL, *_QUALITY_LOOP, *_BOARD, ("*", r"^/api/v1/(orders|print)/")],
    "finance": [*_PERSONAL, *_QUALITY_LOOP, *_BOARD, ("POST", r"^/api/v1/orders/$"), ("*", r"^/api/v1/print/")],
    # The supervisor watches the board; the dispatchers answer its alerts.
    "supervisor": [("POST", r"^/api/v1/(orders|residents|intakes|visits)/$"), ("POST", r"^/api/v1/alerts/")],
    "nobody": [("*", r"^/api/v1/(?!auth/)")],
}
# Health notes are for the roles that plan care.
SEES_HEALTH_NOTES = {"dispatcher", "dispatch_lead", "supervisor"}

CHECKS = [
    checks.not_a_server_error,
    checks.status_code_conformance,
    checks.content_type_conformance,
    checks.response_schema_conformance,
]


def _checks_for(operation) -> list:
    if operation.path == "/api/schema/":
        # drf-spectacular's own view answers an unknown ?format= with a 404 in
        # the schema's media type; the body is still {"detail", "code"}.
        return [check for check in CHECKS if check is not checks.content_type_conformance]
    return CHECKS


@pytest.fixture
def api_schema(wsgi_in_test_transaction):
    # As GET /api/schema/ serves it (public: every operation, whoever asks).
    raw = json.loads(OpenApiJsonRenderer().render(SchemaGenerator().get_schema(request=None, public=True)))
    loaded = schemathesis.openapi.from_dict(raw)
    loaded.app = get_wsgi_application()
    return loaded


def _strategy(operation, ids: list[int]):
    # Random cases mostly meet unknown ids (404); one in three uses an id that
    # exists, so the transitions and detail views run too.
    parts = [operation.as_strategy(), operation.as_strategy(GenerationMode.NEGATIVE)]
    if "{id}" in operation.path:
        parts.append(st.sampled_from(ids).flatmap(lambda pk: operation.as_strategy(path_parameters={"id": pk})))
    return st.one_of(parts)


def _bad_input_refused(case, response) -> None:
    # Narrowed from schemathesis' negative_data_rejection: the query filters are
    # lenient by design (DRF's limit and offset fall back to the default page,
    # a non-numeric `?worker=` or `?order=` finds nothing), so only a case whose
    # query string and headers are valid is held to "invalid body or path: 4xx".
    meta = case.meta
    if meta is None or not meta.generation.mode.is_negative:
        return
    if meta.is_negative_at(ParameterLocation.QUERY) or meta.is_negative_at(ParameterLocation.HEADER):
        return
    case.validate_response(response, checks=[checks.negative_data_rejection])


def _keys(value) -> set[str]:
    if isinstance(value, dict):
        return set(value) | {k for v in value.values() for k in _keys(v)}
    if isinstance(value, list):
        return {k for v in value for k in _keys(v)}
    return set()


def _orders_in(body) -> list[dict]:
    if isinstance(body, dict) and "results" in body:
        return body["results"]
    return [body] if isinstance(body, dict) and "number" in body else []


def _assert_role_reaches_only_its_data(role, case, response, own_worker: int) -> None:
    label = f"{role}: {case.method} {case.formatted_path} -> {response.status_code}"
    if 200 <= response.status_code < 300:
        for method, pattern in FORBIDDEN[role]:
            if method in ("*", case.method.upper()) and re.search(pattern, case.operation.path):
                pytest.fail(f"{label}: this role must not reach it")
    if response.headers.get("Content-Type", [""])[0].startswith("application/json") and response.content:
        body = response.json()
        if role not in SEES_HEALTH_NOTES:
            assert "health_notes" not in _keys(body), f"{label}: health notes shown"
        if role == "field_worker" and case.operation.path.startswith("/api/v1/orders/"):
            assert all(order.get("worker") == own_worker for order in _orders_in(body)), f"{label}: others' orders"


def test_no_role_gets_a_server_error_or_data_it_must_not(tokens, world, people, api_schema, subtests):
    # Each generated case is sent as every role: the generation, the costly
    # part, is shared, and every role meets exactly the same input.
    headers = {role: {"Authorization": f"Token {tokens[role]}"} for role in [*ROLES, "nobody"]}
    ids = sorted({pk for kind in world.values() for pk in kind})
    own_worker = people["cleaner"].pk
    for result in api_schema.get_all_operations():
        operation = result.ok()

        @settings(max_examples=MAX_EXAMPLES, deadline=None, derandomize=True, database=None,
                  suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                         HealthCheck.filter_too_much])
        @given(case=_strategy(operation, ids))
        def run(case):
            for role, auth in headers.items():
                with transaction.atomic():
                    try:
                        response = case.call(headers=auth)
                        case.validate_response(response, checks=_checks_for(case.operation), headers=auth)
                        _bad_input_refused(case, response)
                        _assert_role_reaches_only_its_data(role, case, response, own_worker)
                    except Exception as error:
                        error.add_note(f"as {role}")
                        raise
                    finally:
                        transaction.set_rollback(True)

        with subtests.test(msg=operation.label):
            run()
