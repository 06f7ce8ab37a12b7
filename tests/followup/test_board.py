"""The quality loop on the live board: the lead's alert for a complaint is in
the snapshot and the event feed; follow-up events are declared, plain JSON,
and keep "snapshot + events = fresh snapshot" true."""

import datetime
import json

from django.utils import timezone

from followup.services import escalation_resolve, escalations_escalate_overdue
from realtime.events import EVENT_TYPES
from realtime.models import Event
from tests.front.test_board_snapshot import apply


def test_the_lead_sees_the_complaint_alert_on_the_board(api, returned, log_call):
    order = returned()
    call = log_call(order, quality=1, satisfied=False, comments="Private complaint text")
    board = api("dispatch_lead").get("/api/v1/board/").json()
    (alert,) = [a for a in board["alerts"] if a["kind"] == "escalation.opened"]
    assert alert["data"]["escalation"] == call.escalation.pk
    assert alert["data"]["number"] == order.number and alert["data"]["owner"] == "dispatch_lead"
    assert order.pk not in {o["id"] for o in board["orders"]}
    # The answers stay in the escalation, never in the event log every board reads.
    assert "Private complaint text" not in " ".join(e.as_text() for e in Event.objects.all())


def test_snapshot_plus_follow_up_events_equals_a_fresh_snapshot(api, returned, log_call, users):
    board = api("dispatcher")
    waiting, satisfied, unhappy, unreachable = returned(), returned(), returned(), returned()
    old = board.get("/api/v1/board/").json()
    assert {waiting.pk, satisfied.pk, unhappy.pk} <= {o["id"] for o in old["orders"]}

    log_call(waiting, "no_answer")
    log_call(satisfied)
    escalation = log_call(unhappy, quality=2, satisfied=False).escalation
    log_call(unreachable, "refused")
    escalations_escalate_overdue(now=timezone.now() + datetime.timedelta(hours=25))
    escalation_resolve(actor=users["supervisor"], escalation_id=escalation.pk, outcome="Handled")

    feed = board.get("/api/v1/events/", {"since": old["last_event_id"]}).json()
    state = old
    for message in feed["events"]:
        state = apply(state, message)
    assert state == board.get("/api/v1/board/").json()
    names = {m["event"] for m in feed["events"]}
    assert {"order.followed_up", "order.escalated", "order.resolved", "order.closed_unreachable",
            "alert.raised"} <= names
    for message in feed["events"]:
        assert json.loads(json.dumps(message)) == message
        assert set(EVENT_TYPES[message["event"]]) <= set(message["data"])
