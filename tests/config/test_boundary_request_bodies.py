"""Request bodies as a real Daphne receives them: a malformed multipart body
is answered by the application (JSON under /api/, the security headers, an
access-log line), and a chunked body (Transfer-Encoding: chunked, no
Content-Length) reaches the views whole and is held to the size limit."""

import http.client
import json
import socket
import uuid

import pytest

from tests.config.test_boundary_login_lockout import PASSWORD, ProxiedServer, proxied_daphne  # noqa: F401 - reused


@pytest.fixture
def server(request) -> ProxiedServer:
    """The Daphne of the lockout tests (--proxy-headers, its own database)."""
    return request.getfixturevalue("proxied_daphne")


SECURITY_HEADERS = ("content-security-policy", "x-content-type-options", "x-frame-options", "referrer-policy",
                    "x-request-id")


def raw_exchange(server: ProxiedServer, request: bytes) -> tuple[int, dict[str, str], bytes]:
    """Send bytes as they are; (status, headers, body) of the answer."""
    with socket.create_connection(("127.0.0.1", server.port), timeout=30) as sock:
        sock.sendall(request)
        answer = b""
        while chunk := sock.recv(65536):
            answer += chunk
    head, _, body = answer.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    headers = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    return int(lines[0].split()[1]), headers, body


def chunked_post(server: ProxiedServer, path: str, body: bytes, content_type: str,
                 headers: dict[str, str] | None = None) -> tuple[int, dict]:
    """POST with Transfer-Encoding: chunked and no Content-Length, in small chunks."""
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
    try:
        connection.request("POST", path, body=(body[i:i + 7] for i in range(0, len(body), 7)),
                           headers={"Content-Type": content_type, "Accept": "application/json", **(headers or {})},
                           encode_chunked=True)
        response = connection.getresponse()
        return response.status, json.loads(response.read() or b"{}")
    finally:
        connection.close()


def test_a_malformed_multipart_body_is_a_json_400_with_the_security_headers_and_an_access_line(server):
    rid = "multipart-" + uuid.uuid4().hex[:12]
    body = b"this is not a multipart body"
    status, headers, answer = raw_exchange(server, (
        "POST /api/v1/auth/token/ HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
        f"X-Request-ID: {rid}\r\n"
        f"Content-Type: multipart/form-data; boundary=abc\r\nContent-Length: {len(body)}\r\n\r\n"
    ).encode() + body)
    assert status == 400, (headers, answer)
    assert headers["content-type"].startswith("application/json")
    error = json.loads(answer)
    assert isinstance(error["detail"], str) and error["detail"] and isinstance(error["code"], str)
    assert all(name in headers for name in SECURITY_HEADERS), headers
    assert headers["x-request-id"] == rid
    assert server.access_lines(rid) == [["POST", "/api/v1/auth/token/", "400"]]


def test_a_malformed_multipart_login_form_is_answered_by_the_application(server):
    body = b"this is not a multipart body"
    status, headers, _answer = raw_exchange(server, (
        "POST /accounts/login/ HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
        f"Content-Type: multipart/form-data; boundary=abc\r\nContent-Length: {len(body)}\r\n\r\n"
    ).encode() + body)
    assert status in (400, 403) and all(name in headers for name in SECURITY_HEADERS), (status, headers)


def test_a_chunked_json_body_reaches_the_view_whole(server):
    body = json.dumps({"username": "worker", "password": PASSWORD}).encode()
    status, answer = chunked_post(server, "/api/v1/auth/token/", body, "application/json")
    assert status == 200 and answer["token"], answer


def test_a_chunked_form_body_reaches_the_view_whole(server):
    body = f"username=worker&password={PASSWORD}".encode()
    status, answer = chunked_post(server, "/api/v1/auth/token/", body, "application/x-www-form-urlencoded")
    assert status == 200 and answer["token"], answer


def test_a_chunked_body_over_the_upload_limit_is_a_413(server):
    from django.conf import settings

    body = json.dumps({"username": "worker", "password": "x" * settings.DATA_UPLOAD_MAX_MEMORY_SIZE}).encode()
    status, answer = chunked_post(server, "/api/v1/auth/token/", body, "application/json")
    assert status == 413 and answer["code"] == "too_large", answer


def test_api_answers_are_not_stored_and_static_files_are(server):
    token = server.request("POST", "/api/v1/auth/token/", {"username": "worker", "password": PASSWORD})["token"]
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
    try:
        connection.request("GET", "/api/v1/orders/", headers={"Authorization": f"Token {token}"})
        response = connection.getresponse()
        response.read()
        assert "no-store" in response.getheader("Cache-Control", ""), response.getheaders()
        connection.request("GET", "/static/front/app.css")
        response = connection.getresponse()
        response.read()
        assert response.status == 200 and "no-store" not in response.getheader("Cache-Control", "")
    finally:
        connection.close()
