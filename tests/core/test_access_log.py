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
