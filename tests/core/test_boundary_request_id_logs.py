"""Every log line of a request carries its request id, Django's own included:
`django.request` writes "Not Found: ..." and "Bad Request: ..." after the
middleware chain has returned."""

import logging

import pytest
from channels.testing import HttpCommunicator
from django.test import Client

from config.asgi import application


async def _get(path: str, headers: list | None = None) -> dict:
    communicator = HttpCommunicator(application, "GET", path, headers=[(b"host", b"127.0.0.1"), *(headers or [])])
    response = await communicator.get_response()
    await communicator.wait()
    return response


def _ids_of(caplog, logger: str) -> list[str]:
    return [record.request_id for record in caplog.records if record.name == logger]


@pytest.mark.django_db(transaction=True)
async def test_djangos_own_line_of_a_request_carries_the_id_the_proxy_gave(caplog):
    caplog.set_level(logging.INFO)
    response = await _get("/api/v1/nothing-here/", [(b"x-request-id", b"desk-9-abcdef12")])
    assert response["status"] == 404
    assert _ids_of(caplog, "django.request") == ["desk-9-abcdef12"]
    assert _ids_of(caplog, "access") == ["desk-9-abcdef12"]


@pytest.mark.django_db(transaction=True)
async def test_djangos_own_line_carries_the_id_made_for_the_request(caplog):
    caplog.set_level(logging.INFO)
    response = await _get("/no-such-screen/", [(b"x-request-id", b"<script>")])
    assert response["status"] == 404
    rid = dict(response["headers"])[b"X-Request-ID"].decode()
    assert rid != "<script>" and len(rid) >= 8
    assert _ids_of(caplog, "django.request") == [rid]
    assert _ids_of(caplog, "access") == [rid]


@pytest.mark.django_db
def test_djangos_own_line_carries_the_id_outside_asgi_too(caplog):
    caplog.set_level(logging.INFO)
    response = Client().get("/api/v1/nothing-here/", HTTP_X_REQUEST_ID="desk-8-abcdef12")
    assert response.status_code == 404
    assert _ids_of(caplog, "django.request") == ["desk-8-abcdef12"]
