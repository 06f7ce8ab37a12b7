"""A complaint followed to its end: unsatisfied -> escalated -> actions ->
resolved -> the order closed; reassigned between leads; past its due time it
goes to a supervisor, once, however often the check runs."""

import datetime

import pytest
from django.core.management import call_command
from django.utils import timezone
from freezegun import freeze_time

from core.errors import Conflict, Forbidden, InvalidInput
from followup.models import Escalation, EscalationAction
from followup.services import (
    escalation_add_note,
    escalation_reassign,
    escalation_resolve,
    escalations_escalate_overdue,
)
from realtime.models import Alert, Event
from workorders.models import OrderHistory, WorkOrder


def test_unsatisfied_escalated_resolved_closed_through_the_api(api, returned, log_call, users):
    order = returned()
    desk, lead = api("front_desk"), api("dispatch_lead")
    created = desk.post(
        "/api/v1/followups/", {"order": order.pk, "result": "reached", "quality": 1, "satisfied": False,
                               "comments": "Nobody came back for the bucket"}, format="json",
    )
    assert created.status_code == 201
    escalation_id = created.json()["escalation"]
    assert WorkOrder.objects.get(pk=order.pk).state == "escalated"

    mine = lead.get("/api/v1/escalations/?open=true&mine=true").json()["results"]
    assert [e["id"] for e in mine] == [escalation_id]
    assert mine[0]["call"]["comments"] == "Nobody came back for the bucket"

    noted = lead.post(f"/api/v1/escalations/{escalation_id}/note/", {"note": "Called the worker"}, format="json")
    assert noted.status_code == 200
    assert [a["kind"] for a in noted.json()["actions"]] == ["opened", "note"]

    resolved = lead.post(f"/api/v1/escalations/{escalation_id}/resolve/", {"outcome": "Bucket returned, apologised"},
                         format="json")
    assert resolved.status_code == 200, resolved.json()
    body = resolved.json()
    assert body["is_open"] is False and body["resolved_by"] == "dispatch_lead"
    assert body["order"]["state"] == "closed"
    assert [a["kind"] for a in body["actions"]] == ["opened", "note", "resolved"]
    assert WorkOrder.objects.get(pk=order.pk).state == "closed"
    assert list(OrderHistory.objects.filter(order=order).values_list("transition", flat=True))[-2:] == [
        "log_followup", "resolve"
    ]
    assert Event.objects.filter(type="order.resolved", data__id=order.pk).count() == 1

    again = lead.post(f"/api/v1/escalations/{escalation_id}/resolve/", {"outcome": "Again"}, format="json")
    assert again.status_code == 409
    assert lead.post(f"/api/v1/escalations/{escalation_id}/note/", {"note": "Late"}, format="json").status_code == 409
    assert lead.get("/api/v1/escalations/?open=true").json()["count"] == 0
    assert lead.get("/api/v1/escalations/?open=false").json()["count"] == 1


def test_resolving_needs_an_outcome(complaint, users, api):
    escalation = complaint()
    with pytest.raises(InvalidInput):
        escalation_resolve(actor=users["dispatch_lead"], escalation_id=escalation.pk, outcome="  ")
    response = api("dispatch_lead").post(f"/api/v1/escalations/{escalation.pk}/resolve/", {}, format="json")
    assert response.status_code == 400 and "outcome" in response.json()["fields"]
    assert Escalation.objects.get(pk=escalation.pk).resolved_at is None


def test_the_lead_reassigns_to_another_lead(complaint, users, second_lead, api):
    escalation = complaint()
    response = api("dispatch_lead").post(
        f"/api/v1/escalations/{escalation.pk}/reassign/", {"owner": second_lead.pk, "note": "On leave"}, format="json"
    )
    assert response.status_code == 200
    assert response.json()["owner"] == "lead_two"
    action = EscalationAction.objects.filter(escalation=escalation).last()
    assert action.kind == "reassigned" and action.note == "dispatch_lead -> lead_two: On leave"
    owners = api("dispatch_lead").get("/api/v1/escalations/owners/").json()
    assert {o["username"] for o in owners} == {"dispatch_lead", "lead_two", "supervisor"}


def test_reassigning_to_someone_who_is_not_a_lead_is_refused(complaint, users):
    escalation = complaint()
    for target in [users["dispatcher"], users["dispatch_lead"]]:  # not a lead; already the owner
        with pytest.raises(InvalidInput):
            escalation_reassign(actor=users["dispatch_lead"], escalation_id=escalation.pk, owner_id=target.pk)


def test_only_leads_and_supervisors_handle_escalations(complaint, users):
    escalation = complaint()
    for role in ["front_desk", "dispatcher", "field_worker", "finance", "coordinator"]:
        with pytest.raises(Forbidden):
            escalation_add_note(actor=users[role], escalation_id=escalation.pk, note="x")
        with pytest.raises(Forbidden):
            escalation_resolve(actor=users[role], escalation_id=escalation.pk, outcome="x")
    escalation_resolve(actor=users["supervisor"], escalation_id=escalation.pk, outcome="Handled by the supervisor")


def test_an_overdue_escalation_goes_to_the_supervisor_once(complaint, users):
    with freeze_time(timezone.now()) as clock:
        escalation = complaint()
        clock.tick(datetime.timedelta(hours=23))
        assert escalations_escalate_overdue() == 0
        clock.tick(datetime.timedelta(hours=2))
        assert escalations_escalate_overdue() == 1
        assert escalations_escalate_overdue() == 0
        call_command("run_followup_checks", stdout=open("/dev/null", "w"))
        escalation.refresh_from_db()
        assert escalation.level == "supervisor" and escalation.owner == users["supervisor"]
        assert escalation.raised_at == timezone.now()
        assert escalation.due_at == timezone.now() + datetime.timedelta(hours=24)
        assert EscalationAction.objects.filter(escalation=escalation, kind="raised").count() == 1
        assert Alert.objects.filter(kind="escalation.raised").count() == 1
        # A second level is the last: a day later nothing more happens.
        clock.tick(datetime.timedelta(hours=30))
        assert escalations_escalate_overdue() == 0


def test_a_resolved_escalation_is_never_raised(complaint, users):
    with freeze_time(timezone.now()) as clock:
        escalation = complaint()
        escalation_resolve(actor=users["dispatch_lead"], escalation_id=escalation.pk, outcome="Fixed")
        clock.tick(datetime.timedelta(days=3))
        assert escalations_escalate_overdue() == 0


def test_a_second_level_escalation_is_resolved_by_the_supervisor(complaint, users, api):
    with freeze_time(timezone.now()) as clock:
        escalation = complaint()
        clock.tick(datetime.timedelta(hours=25))
        escalations_escalate_overdue()
        listed = api("supervisor").get("/api/v1/escalations/?level=supervisor&mine=true").json()["results"]
        assert [e["id"] for e in listed] == [escalation.pk]
        response = api("supervisor").post(
            f"/api/v1/escalations/{escalation.pk}/resolve/", {"outcome": "Visited the resident"}, format="json"
        )
    assert response.status_code == 200
    assert WorkOrder.objects.get(pk=escalation.order_id).state == "closed"


def test_resolving_an_order_no_longer_escalated_is_a_conflict(complaint, users):
    escalation = complaint()
    escalation_resolve(actor=users["dispatch_lead"], escalation_id=escalation.pk, outcome="Done")
    with pytest.raises(Conflict):
        escalation_resolve(actor=users["supervisor"], escalation_id=escalation.pk, outcome="Again")
    assert EscalationAction.objects.filter(escalation=escalation, kind="resolved").count() == 1
