"""GET /api/v1/board/ and GET /api/v1/events/: a snapshot plus the events after
its id, applied as a board applies them, equals a fresh snapshot."""

import copy

import pytest

from front.api import BOARD_STATES
from realtime.models import Alert, Event
from realtime.services import alert_acknowledge, alerts_tick

pytestmark = pytest.mark.django_db


def apply(snapshot: dict, message: dict) -> dict:
    """What front/static/front/board.js does with an event."""
    state = copy.deepcopy(snapshot)
    orders = {o["id"]: o for o in state["orders"]}
    alerts = {a["id"]: a for a in state["alerts"]}
    name, data = message["event"], message["data"]
    if name.startswith("order."):
        if data["state"] in BOARD_STATES:
            orders[data["id"]] = data
        else:
            orders.pop(data["id"], None)
    elif name == "alert.raised":
        alerts[data["id"]] = data
    elif name == "alert.acknowledged":
        alerts.pop(data["id"], None)
    elif name == "alert.repeated":
        alerts[data["id"]]["sound_count"] = data["sound_count"]
    elif name == "alert.escalated":
        alerts[data["id"]].update(level=data["level"], escalated_at=data["escalated_at"])
    state["orders"] = sorted(orders.values(), key=lambda o: o["id"])
    state["alerts"] = sorted(alerts.values(), key=lambda a: (a["raised_at"], a["id"]))
    state["last_event_id"] = message["id"]
    return state


def test_a_snapshot_plus_the_events_after_it_equals_a_fresh_snapshot(api, order_in, run_transition, users, settings):
    board = api("dispatcher")
    order_in("assigned")
    waiting = order_in("awaiting_approval")
    old = board.get("/api/v1/board/").json()
    assert old["last_event_id"] == Event.objects.order_by("-id").first().id
    assert {o["state"] for o in old["orders"]} == {"assigned", "awaiting_approval"}

    # Everything a day brings: new requests, every column, alerts answered and not.
    order_in("received")
    order_in("printed")
    order_in("in_service")
    order_in("returned")
    order_in("cancelled")
    run_transition(waiting, "approve")
    first_alert = Alert.objects.order_by("id").first()
    alert_acknowledge(actor=users["dispatcher"], alert_id=first_alert.pk)
    settings.ALERT_ESCALATE_SECONDS = 1
    alerts_tick(now=first_alert.raised_at.__class__.now(first_alert.raised_at.tzinfo).replace(year=2100))

    feed = board.get("/api/v1/events/", {"since": old["last_event_id"]}).json()
    assert feed["resync"] is False and feed["events"]
    state = old
    for message in feed["events"]:
        state = apply(state, message)
    fresh = board.get("/api/v1/board/").json()
    assert state == fresh
    assert feed["last_event_id"] == fresh["last_event_id"]
    assert {o["state"] for o in fresh["orders"]} >= {"received", "approved", "printed", "in_service", "returned"}
    assert any(a["level"] == "escalated" for a in fresh["alerts"])


def test_the_event_feed_says_resync_when_too_far_behind(api, order_in, settings):
    settings.ORDER_EVENTS_REPLAY_LIMIT = 2
    order_in("assigned")  # three events: received, alert raised, assigned
    feed = api("dispatch_lead").get("/api/v1/events/", {"since": 0}).json()
    assert feed == {"resync": True, "last_event_id": Event.objects.order_by("-id").first().id, "events": []}
    head = feed["last_event_id"]
    assert api("dispatch_lead").get("/api/v1/events/", {"since": head}).json() == {
        "resync": False, "last_event_id": head, "events": [],
    }
    assert api("dispatch_lead").get("/api/v1/events/", {"since": head + 50}).json()["resync"] is True


def test_the_event_feed_wants_a_since(api):
    r = api("dispatcher").get("/api/v1/events/")
    assert r.status_code == 400 and "since" in r.json()["fields"]


@pytest.mark.parametrize("role,status", [
    ("dispatcher", 200), ("dispatch_lead", 200), ("supervisor", 200),
    ("front_desk", 403), ("field_worker", 403), ("finance", 403), (None, 403),
])
def test_board_and_events_are_for_the_board_roles(api, users, role, status):
    client = api(role)
    assert client.get("/api/v1/board/").status_code in ({status} if status == 200 else {401, 403})
    assert client.get("/api/v1/events/", {"since": 0}).status_code in ({status} if status == 200 else {401, 403})


def test_event_payloads_carry_no_phones_addresses_or_health_notes(order_in, people):
    order_in("assigned")
    text = " ".join(e.as_text() for e in Event.objects.all())
    resident = people["with_card"]
    assert resident.address not in text
    # The resident's numbers, in E.164 and as dialled; not a bare "138", which
    # a timestamp's microseconds may hold.
    numbers = [str(phone.number) for phone in resident.phones.all()]
    assert numbers
    for number in numbers:
        assert number not in text and number.removeprefix("+86") not in text
    assert "+86" not in text


def test_every_event_type_round_trips_through_json(order_in, run_transition, users):
    import json

    from realtime.events import EVENT_TYPES

    order_in("returned")
    order_in("cancelled")
    for message in (e.as_message() for e in Event.objects.all()):
        assert json.loads(json.dumps(message)) == message
        assert message["event"] in EVENT_TYPES
        assert set(EVENT_TYPES[message["event"]]) <= set(message["data"])


def test_publish_refuses_an_undeclared_type_or_missing_fields(db):
    from realtime.services import publish

    with pytest.raises(ValueError):
        publish("order.teleported", {"id": 1, "number": "x", "state": "received"})
    with pytest.raises(ValueError):
        publish("order.received", {"id": 1})


def test_suggestions_put_skilled_idle_workers_first_and_list_partners(api, order_in, people):
    busy = order_in("assigned")  # the cleaner now has one open order
    assert busy.worker == people["cleaner"]
    fresh = order_in("received")
    body = api("dispatcher").get(f"/api/v1/board/orders/{fresh.pk}/suggestions/").json()
    names = [w["name"] for w in body["workers"]]
    assert names == ["Cleaner Worker"]  # the nurse lacks the skill, the retired one is inactive
    # Assigned there is not having served there...
    assert body["workers"][0]["open_orders"] == 1 and body["workers"][0]["served_resident"] is False
    assert [p["name"] for p in body["partners"]] == ["Helping Hands"]
    order_in("returned")  # ...coming back from the resident's home is
    body = api("dispatcher").get(f"/api/v1/board/orders/{fresh.pk}/suggestions/").json()
    assert body["workers"][0]["served_resident"] is True
    assert api("front_desk").get(f"/api/v1/board/orders/{fresh.pk}/suggestions/").status_code == 403
