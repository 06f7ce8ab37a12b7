"""A follow-up call moves the returned order on: reached and satisfied closes
it, an unsatisfied resident (or poor quality) escalates it to a lead with an
alert on the board, failed attempts are retried until the limit closes the
order as unreachable. Bad input is refused with field messages."""

import json

import pytest
from django.core.management import call_command

from core.errors import Conflict, Forbidden, InvalidInput
from followup.models import Escalation, EscalationAction, FollowUpCall
from followup.services import followups_close_unreachable
from realtime.models import Alert, Event
from workorders.models import OrderHistory, WorkOrder


def _state(order) -> str:
    return WorkOrder.objects.get(pk=order.pk).state


def test_a_satisfied_call_closes_the_order(returned, log_call):
    order = returned()
    call = log_call(order, quality=4, satisfied=True, comments="Very kind")
    assert (call.attempt, call.result, call.quality, call.satisfied) == (1, "reached", 4, True)
    assert _state(order) == "closed"
    assert not Escalation.objects.exists()
    assert Event.objects.last().type == "order.followed_up"
    last = OrderHistory.objects.filter(order=order).last()
    assert (last.transition, last.from_state, last.to_state) == ("log_followup", "returned", "closed")


@pytest.mark.parametrize(("quality", "satisfied"), [(5, False), (2, True), (1, False)])
def test_an_unsatisfied_resident_or_poor_quality_escalates_to_a_lead(quality, satisfied, returned, log_call, users):
    order = returned()
    call = log_call(order, quality=quality, satisfied=satisfied, comments="Late again")
    assert _state(order) == "escalated"
    escalation = Escalation.objects.get(order=order)
    assert escalation.call == call and escalation.owner == users["dispatch_lead"]
    assert escalation.level == "lead" and escalation.resolved_at is None
    opened = EscalationAction.objects.get(escalation=escalation)
    assert (opened.kind, opened.note) == ("opened", "Late again")


def test_the_lead_is_alerted_on_the_board(returned, log_call, users):
    order = returned()
    log_call(order, quality=1, satisfied=False)
    alert = Alert.objects.get(kind="escalation.opened")
    assert alert.acknowledged_at is None
    assert alert.data["id"] == order.pk and alert.data["state"] == "escalated"
    assert alert.data["owner"] == users["dispatch_lead"].username
    raised = Event.objects.filter(type="alert.raised").last()
    assert raised.data["id"] == alert.pk and raised.data["kind"] == "escalation.opened"
    # The order event comes first, then the alert: a board sees the card before the pop-up.
    types = list(Event.objects.order_by("-id").values_list("type", flat=True)[:2])
    assert types == ["alert.raised", "order.escalated"]
    json.loads(json.dumps(raised.data))


def test_complaints_spread_over_the_leads(returned, log_call, users, second_lead):
    owners = [log_call(returned(), quality=1, satisfied=False).escalation.owner for _ in range(3)]
    assert owners == [users["dispatch_lead"], second_lead, users["dispatch_lead"]]


def test_failed_attempts_are_recorded_and_the_order_stays_in_the_queue(returned, log_call):
    order = returned()
    first = log_call(order, "no_answer")
    second = log_call(order, "wrong_number")
    assert [first.attempt, second.attempt] == [1, 2]
    assert _state(order) == "returned"
    assert first.quality is None and first.satisfied is None


def test_the_last_allowed_failed_attempt_closes_the_order_as_unreachable(returned, log_call, settings):
    order = returned()
    for _ in range(settings.FOLLOWUP_MAX_ATTEMPTS):
        log_call(order, "no_answer")
    order = WorkOrder.objects.get(pk=order.pk)
    assert order.state == "closed"
    assert "3" in order.closing_reason
    last = OrderHistory.objects.filter(order=order).last()
    assert last.transition == "close_unreachable"
    assert Event.objects.last().type == "order.closed_unreachable"
    with pytest.raises(Conflict):
        log_call(order, "no_answer")
    assert FollowUpCall.objects.filter(order=order).count() == 3


def test_a_reached_call_after_failed_ones_still_counts(returned, log_call):
    order = returned()
    log_call(order, "no_answer")
    log_call(order, "no_answer")
    call = log_call(order)
    assert call.attempt == 3 and _state(order) == "closed"


def test_a_refusal_closes_the_order_with_that_reason(returned, log_call):
    order = returned()
    log_call(order, "refused")
    order = WorkOrder.objects.get(pk=order.pk)
    assert order.state == "closed" and order.closing_reason


def test_the_check_closes_orders_whose_limit_was_lowered_and_runs_idempotently(returned, log_call, settings):
    order = returned()
    log_call(order, "no_answer")
    log_call(order, "no_answer")
    untouched = returned()
    settings.FOLLOWUP_MAX_ATTEMPTS = 2
    call_command("run_followup_checks", stdout=open("/dev/null", "w"))
    call_command("run_followup_checks", stdout=open("/dev/null", "w"))
    assert _state(order) == "closed" and _state(untouched) == "returned"
    history = OrderHistory.objects.filter(order=order, transition="close_unreachable")
    assert history.count() == 1 and history.get().actor is None
    assert followups_close_unreachable() == 0


def test_a_call_on_an_order_not_returned_is_a_conflict(order_in, log_call):
    order = order_in("in_service")
    with pytest.raises(Conflict) as caught:
        log_call(order)
    assert caught.value.extra["state"] == "in_service"
    assert not FollowUpCall.objects.exists()


@pytest.mark.parametrize(
    ("answers", "field"),
    [
        ({"result": "reached", "quality": None, "satisfied": True}, "quality"),
        ({"result": "reached", "quality": 6, "satisfied": True}, "quality"),
        ({"result": "reached", "quality": 3, "satisfied": None}, "satisfied"),
        ({"result": "no_answer", "quality": 3}, "quality"),
        ({"result": "reached", "quality": 4, "satisfied": True, "needs_more": True}, "needs_more_what"),
        ({"result": "busy"}, "result"),
    ],
)
def test_bad_answers_are_refused_and_nothing_is_written(answers, field, returned, users):
    from followup.services import followup_log_call

    order = returned()
    with pytest.raises(InvalidInput) as caught:
        followup_log_call(actor=users["front_desk"], order_id=order.pk, **answers)
    assert field in caught.value.fields
    assert not FollowUpCall.objects.exists() and _state(order) == "returned"


def test_only_the_front_desk_logs_calls(returned, users):
    from followup.services import followup_log_call

    for role in ["dispatcher", "field_worker", "finance", "coordinator"]:
        with pytest.raises(Forbidden):
            followup_log_call(actor=users[role], order_id=returned().pk, result="no_answer")


def test_a_need_is_recorded_for_a_new_intake(returned, log_call):
    call = log_call(returned(), needs_more=True, needs_more_what="Meal delivery on weekdays")
    assert call.needs_more and call.needs_more_what == "Meal delivery on weekdays"


def test_calls_and_escalations_are_never_deleted(returned, log_call):
    call = log_call(returned(), quality=1, satisfied=False)
    with pytest.raises(ValueError):
        call.delete()
    with pytest.raises(ValueError):
        call.escalation.delete()
    with pytest.raises(ValueError):
        call.escalation.actions.first().delete()


# --- Through the API --------------------------------------------------------------------


def test_logging_a_call_through_the_api(api, returned):
    order = returned()
    response = api("front_desk").post(
        "/api/v1/followups/",
        {"order": order.pk, "result": "reached", "quality": 2, "satisfied": False, "comments": "Rude"},
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["order_state"] == "escalated" and body["escalation"] == Escalation.objects.get().pk
    assert body["caller"] == "front_desk"


@pytest.mark.parametrize(
    ("body", "status"),
    [
        ({"result": "reached"}, 400),
        ({"result": "reached", "quality": "good", "satisfied": True}, 400),
        ({"result": "no_answer", "satisfied": True}, 400),
        ({"result": "nonsense"}, 400),
    ],
)
def test_bad_input_through_the_api_is_400_with_fields(body, status, api, returned):
    order = returned()
    response = api("front_desk").post("/api/v1/followups/", {"order": order.pk, **body}, format="json")
    assert response.status_code == status
    assert response.json()["fields"]


def test_unknown_orders_and_conflicts_through_the_api(api, returned, log_call):
    client = api("front_desk")
    assert client.post("/api/v1/followups/", {"order": 99999, "result": "no_answer"}, format="json").status_code == 404
    order = returned()
    log_call(order)
    response = client.post("/api/v1/followups/", {"order": order.pk, "result": "no_answer"}, format="json")
    assert response.status_code == 409 and response.json()["state"] == "closed"


def test_recorded_calls_are_listed_and_filtered(api, returned, log_call):
    order = returned()
    log_call(order, "no_answer")
    log_call(order, quality=5, satisfied=True)
    log_call(returned(), quality=1, satisfied=False)
    client = api("dispatch_lead")
    assert client.get("/api/v1/followups/calls/").json()["count"] == 3
    mine = client.get(f"/api/v1/followups/calls/?order={order.pk}").json()["results"]
    assert [c["attempt"] for c in mine] == [2, 1]
    unhappy = client.get("/api/v1/followups/calls/?satisfied=false").json()["results"]
    assert len(unhappy) == 1 and unhappy[0]["escalation"] is not None


def test_a_field_worker_is_refused_the_satisfaction_data(api, returned, log_call, people):
    order = returned()  # served by the field worker's own worker record
    call = log_call(order, quality=1, satisfied=False, comments="He was rude")
    worker = api("field_worker")
    for url in ["/api/v1/followups/", f"/api/v1/followups/{order.pk}/", "/api/v1/followups/calls/",
                f"/api/v1/followups/calls/{call.pk}/", "/api/v1/escalations/",
                f"/api/v1/escalations/{call.escalation.pk}/", "/api/v1/spot-checks/",
                "/api/v1/spot-checks/mismatches/"]:
        response = worker.get(url)
        assert response.status_code == 403, url
        assert response.json()["detail"]
    # Their own order stays readable, without the answers in its history.
    own = worker.get(f"/api/v1/orders/{order.pk}/")
    assert own.status_code == 200
    assert "rude" not in own.content.decode().lower()
