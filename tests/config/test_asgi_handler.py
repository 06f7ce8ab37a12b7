"""HTTP through the ASGI application (what Daphne runs): the middleware chain
and the view run in one crossing from the event loop into sync code, and
everything the chain does still happens (authentication, sessions, the
chosen language, CSP, request ids, error answers)."""

import json

import pytest
from asgiref import sync
from asgiref.sync import sync_to_async
from channels.testing import HttpCommunicator
from django.contrib.auth.models import User
from django.test import Client
from rest_framework.authtoken.models import Token

from config.asgi import application, django_asgi_app
from dispatch.models import UserPreference


@pytest.fixture
def crossings(monkeypatch) -> dict[str, int]:
    """Counts the event loop's calls into sync code (asgiref's SyncToAsync),
    each still made for real."""
    count = {"into_sync": 0}
    real = sync.SyncToAsync.__call__

    async def counted(self, *args, **kwargs):
        count["into_sync"] += 1
        return await real(self, *args, **kwargs)

    monkeypatch.setattr(sync.SyncToAsync, "__call__", counted)
    return count


async def _http(method: str, path: str, *, body: dict | bytes = b"", headers: list | None = None) -> dict:
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    communicator = HttpCommunicator(
        application, method, path, body=raw,
        headers=[
            (b"host", b"127.0.0.1"), (b"content-type", b"application/json"),
            (b"content-length", str(len(raw)).encode()), *(headers or []),
        ],
    )
    response = await communicator.get_response(timeout=10)
    await communicator.wait()
    return response


def test_the_middleware_chain_is_loaded_for_sync_code():
    assert not sync.iscoroutinefunction(django_asgi_app._middleware_chain)


@pytest.mark.django_db(transaction=True)
async def test_an_intake_post_crosses_into_sync_code_a_few_times_not_at_every_middleware(crossings, people, catalog):
    token = await sync_to_async(Token.objects.create)(user=await sync_to_async(User.objects.get)(username="front_desk"))
    crossings["into_sync"] = 0
    response = await _http(
        "POST", "/api/v1/orders/",
        body={"resident": people["no_card"].pk, "service": catalog["visit"].pk, "channel": "phone"},
        headers=[(b"authorization", f"Token {token.key}".encode())],
    )
    assert response["status"] == 201, response["body"][:300]
    answer = json.loads(response["body"])
    assert answer["state"] == "received"
    assert [h["transition"] for h in answer["history"]] == ["create"]
    assert answer["history"][0]["actor"] == "front_desk"
    # The request's start signal, the whole chain with the view, the close:
    # Django's own ASGI handler crosses nine times here.
    assert crossings["into_sync"] <= 3


@pytest.mark.django_db(transaction=True)
async def test_a_session_page_keeps_its_language_csp_and_request_id(users):
    def login() -> str:
        UserPreference.objects.update_or_create(user=users["front_desk"], defaults={"language": "sv"})
        client = Client()
        client.force_login(users["front_desk"])
        return client.cookies["sessionid"].value

    session = await sync_to_async(login)()
    response = await _http(
        "GET", "/intake/", headers=[(b"cookie", f"sessionid={session}".encode()), (b"x-request-id", b"desk-1-abcdef12")]
    )
    assert response["status"] == 200
    headers = {k.decode().lower(): v.decode() for k, v in response["headers"]}
    assert headers["x-request-id"] == "desk-1-abcdef12"
    assert "content-security-policy" in headers
    assert headers["content-language"] == "sv"


@pytest.mark.django_db(transaction=True)
async def test_errors_are_answered_through_the_handler_as_json(users):
    response = await _http("POST", "/api/v1/orders/", body={"resident": 1})
    assert response["status"] == 401
    assert "detail" in json.loads(response["body"])
    malformed = await _http("POST", "/api/v1/auth/token/", body=b'{"username": ')
    assert malformed["status"] == 400
    assert "JSON" in json.loads(malformed["body"])["detail"]
