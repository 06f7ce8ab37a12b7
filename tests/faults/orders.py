"""Moving orders through the API of a live server, as the desks do."""

import datetime
import json

from tests.e2e.conftest import LiveServer
from tests.faults.conftest import call

STEPS = ("assign", "print", "collect", "return_order")
# The state an order is in before each step.
BEFORE = {"assign": "received", "print": "assigned", "collect": "printed", "return_order": "in_service"}


def worker_for(server: LiveServer, order_id: int) -> int:
    status, body = call(server, "GET", f"/api/v1/board/orders/{order_id}/suggestions/", as_user="dispatcher")
    assert status == 200, body[:300]
    return json.loads(body)["workers"][0]["id"]


def step(server: LiveServer, order_id: int, name: str, worker: int) -> tuple[int | None, bytes]:
    """One transition by the role that takes it at the desk; (status, body)."""
    if name == "assign":
        return call(server, "POST", f"/api/v1/orders/{order_id}/assign/", {"worker": worker}, as_user="dispatcher")
    if name == "print":
        return call(server, "POST", f"/api/v1/orders/{order_id}/print/", {}, as_user="frontdesk")
    if name == "collect":
        return call(server, "POST", f"/api/v1/orders/{order_id}/collect/", {}, as_user="frontdesk")
    if name == "return_order":
        # Between the collection (a moment ago) and now.
        end = datetime.datetime.now(datetime.UTC)
        times = {"actual_start": (end - datetime.timedelta(minutes=1)).isoformat(), "actual_end": end.isoformat()}
        return call(server, "POST", f"/api/v1/orders/{order_id}/return_order/", times, as_user="frontdesk")
    raise ValueError(name)


def intake(server: LiveServer) -> tuple[int | None, bytes]:
    facts = server.facts
    return call(server, "POST", "/api/v1/orders/",
                {"resident": facts["resident"], "service": facts["service"], "channel": "phone", "urgency": "urgent"},
                as_user="frontdesk")


def order_in(server: LiveServer, state: str, worker: int | None = None) -> tuple[int, int]:
    """A new order brought to `state` (received, assigned, printed,
    in_service); (its id, the worker it is for)."""
    status, body = intake(server)
    assert status == 201, body[:300]
    order_id = json.loads(body)["id"]
    worker = worker or worker_for(server, order_id)
    for name in STEPS:
        if BEFORE[name] == state:
            break
        status, body = step(server, order_id, name, worker)
        assert status == 200, body[:300]
    return order_id, worker
