import logging

import pytest
from channels.testing import HttpCommunicator

from config.asgi import application


@pytest.mark.django_db(transaction=True)
async def test_the_access_log_never_holds_query_strings(caplog):
    caplog.set_level(logging.INFO, logger="access")
    communicator = HttpCommunicator(
        application, "GET", "/api/v1/residents/?phone=13800138000&token=secret", headers=[(b"host", b"127.0.0.1")]
    )
    response = await communicator.get_response()
    await communicator.wait()
    assert response["status"] == 401
    lines = [r.getMessage() for r in caplog.records if r.name == "access"]
    assert lines and lines[0].startswith("GET /api/v1/residents/ 401")
    assert not any("13800138000" in line or "secret" in line for line in lines)


@pytest.mark.django_db(transaction=True)
async def test_an_access_line_carries_the_request_id_of_its_response(caplog):
    caplog.set_level(logging.INFO, logger="access")
    communicator = HttpCommunicator(
        application, "GET", "/api/v1/residents/", headers=[(b"host", b"127.0.0.1"), (b"x-request-id", b"desk-7-abcdef12")]
    )
    response = await communicator.get_response()
    await communicator.wait()
    assert dict(response["headers"])[b"X-Request-ID"] == b"desk-7-abcdef12"
    records = [r for r in caplog.records if r.name == "access"]
    assert [r.request_id for r in records] == ["desk-7-abcdef12"]
