"""The dispatch lead schedules periodic home visits (to named residents, or to
everyone a worker served in a month) and records them with their findings."""

import datetime

import pytest
from django.utils import timezone

from core.errors import Conflict, Forbidden, InvalidInput
from followup.models import PeriodicVisit
from followup.services import visits_schedule


def _tomorrow() -> datetime.date:
    return timezone.localdate() + datetime.timedelta(days=1)


def test_visits_to_everyone_a_worker_served_this_month(returned, people, users, order_in):
    month = timezone.localtime(returned().actual_end).date()
    returned()  # the same resident twice: one visit
    order_in("in_service")  # not finished: not served yet
    made = visits_schedule(
        actor=users["dispatch_lead"], scheduled_for=_tomorrow(), served_by_worker_id=people["cleaner"].pk,
        served_in_month=month, visitor_worker_id=people["nurse"].pk, reason="Monthly check",
    )
    assert [v.resident for v in made] == [people["with_card"]]
    assert made[0].visitor_worker == people["nurse"] and made[0].status == "scheduled"
    # Scheduling again adds nothing.
    assert visits_schedule(
        actor=users["dispatch_lead"], scheduled_for=_tomorrow(), served_by_worker_id=people["cleaner"].pk,
        served_in_month=month,
    ) == []


def test_scheduling_recording_and_cancelling_through_the_api(api, people, users):
    lead = api("dispatch_lead")
    created = lead.post("/api/v1/visits/", {
        "scheduled_for": str(_tomorrow()), "residents": [people["with_card"].pk, people["no_card"].pk],
        "visitor_user": users["dispatch_lead"].pk,
    }, format="json")
    assert created.status_code == 201, created.json()
    first, second = created.json()
    assert first["visitor_user_name"] == "dispatch_lead"
    recorded = lead.post(f"/api/v1/visits/{first['id']}/record/", {"findings": "Needs a grab bar"}, format="json")
    assert recorded.status_code == 200
    assert recorded.json()["status"] == "visited" and recorded.json()["visited_at"]
    again = lead.post(f"/api/v1/visits/{first['id']}/record/", {"findings": "Twice"}, format="json")
    assert again.status_code == 409
    cancelled = lead.post(f"/api/v1/visits/{second['id']}/cancel/", {"reason": "In hospital"}, format="json")
    assert cancelled.status_code == 200 and cancelled.json()["status"] == "cancelled"
    assert [v["id"] for v in lead.get("/api/v1/visits/?status=visited").json()["results"]] == [first["id"]]
    assert api("supervisor").get("/api/v1/visits/").status_code == 200


@pytest.mark.parametrize(
    "bad",
    [
        {"scheduled_for": datetime.date(2020, 1, 1), "resident_ids": "with_card"},
        {"resident_ids": []},
        {"resident_ids": [999999]},
        {},
        {"resident_ids": "with_card", "visitor_user_id": 1, "visitor_worker_id": 1},
        {"served_by_worker_id": "cleaner"},
    ],
)
def test_bad_schedules_are_refused(bad, people, users):
    values = {"scheduled_for": _tomorrow(), **bad}
    if values.get("resident_ids") == "with_card":
        values["resident_ids"] = [people["with_card"].pk]
    if values.get("served_by_worker_id") == "cleaner":
        values["served_by_worker_id"] = people["cleaner"].pk  # no month given
    with pytest.raises(InvalidInput):
        visits_schedule(actor=users["dispatch_lead"], **values)
    assert not PeriodicVisit.objects.exists()


def test_only_the_lead_schedules_and_records(people, users, api):
    for role in ["front_desk", "dispatcher", "supervisor", "field_worker"]:
        with pytest.raises(Forbidden):
            visits_schedule(actor=users[role], scheduled_for=_tomorrow(), resident_ids=[people["with_card"].pk])
    (visit,) = visits_schedule(actor=users["dispatch_lead"], scheduled_for=_tomorrow(),
                               resident_ids=[people["with_card"].pk])
    response = api("supervisor").post(f"/api/v1/visits/{visit.pk}/record/", {"findings": "x"}, format="json")
    assert response.status_code == 403


def test_recording_a_visit_in_the_future_is_refused(people, users):
    from followup.services import visit_cancel, visit_record

    (visit,) = visits_schedule(actor=users["dispatch_lead"], scheduled_for=_tomorrow(),
                               resident_ids=[people["with_card"].pk])
    with pytest.raises(InvalidInput):
        visit_record(actor=users["dispatch_lead"], visit_id=visit.pk, findings="Fine",
                     visited_at=timezone.now() + datetime.timedelta(days=2))
    visit_cancel(actor=users["dispatch_lead"], visit_id=visit.pk, reason="Ill")
    with pytest.raises(Conflict):
        visit_record(actor=users["dispatch_lead"], visit_id=visit.pk, findings="Fine")
