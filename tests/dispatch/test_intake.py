"""The four outcomes of the procedure, each recorded, each with its standard reply."""

import datetime

import pytest
from django.utils import timezone

from core.errors import Forbidden
from dispatch.models import IntakeRecord
from dispatch.services import intake_reply, intake_subscribed


def test_a_served_request_records_its_intake_and_creates_the_order(api, people, catalog):
    response = api("front_desk").post(
        "/api/v1/orders/", {"resident": people["with_card"].pk, "service": catalog["clean"].pk, "channel": "visit"},
        format="json",
    )
    record = IntakeRecord.objects.get()
    assert record.outcome == "served" and record.order.pk == response.json()["id"] and record.channel == "visit"


def test_cannot_serve_records_the_referral(api, catalog):
    response = api("front_desk").post(
        "/api/v1/intakes/",
        {"outcome": "cannot_serve", "channel": "phone", "caller_phone": "139 1234 5678",
         "referred_to": "District hospital social work office"},
        format="json",
    )
    assert response.status_code == 201, response.content
    assert response.json()["caller_phone"] == "+8613912345678"
    assert "District hospital social work office" in response.json()["reply"]
    assert IntakeRecord.objects.get().outcome == "cannot_serve"


def test_cannot_serve_needs_a_referral(api):
    response = api("front_desk").post(
        "/api/v1/intakes/", {"outcome": "cannot_serve", "channel": "phone", "caller_phone": "13912345678"}, format="json"
    )
    assert response.status_code == 400
    assert "referred_to" in response.json()["fields"]
    assert not IntakeRecord.objects.exists()


def test_no_card_records_an_invitation_or_a_home_visit(api, people):
    client = api("front_desk")
    invited = client.post(
        "/api/v1/intakes/",
        {"outcome": "no_card", "channel": "phone", "resident": people["no_card"].pk, "no_card_action": "invited"},
        format="json",
    )
    assert invited.status_code == 201 and invited.json()["no_card_action"] == "invited"
    when = timezone.now() + datetime.timedelta(days=2)
    visit = client.post(
        "/api/v1/intakes/",
        {"outcome": "no_card", "channel": "phone", "resident": people["no_card"].pk, "no_card_action": "home_visit",
         "home_visit_at": when.isoformat()},
        format="json",
    )
    assert visit.status_code == 201
    assert timezone.localtime(when).strftime("%Y-%m-%d %H:%M") in visit.json()["reply"]
    past = client.post(
        "/api/v1/intakes/",
        {"outcome": "no_card", "channel": "phone", "resident": people["no_card"].pk, "no_card_action": "home_visit",
         "home_visit_at": (timezone.now() - datetime.timedelta(days=1)).isoformat()},
        format="json",
    )
    assert past.status_code == 400 and "home_visit_at" in past.json()["fields"]


def test_out_of_area_gives_the_area_office_phone(api, catalog):
    client = api("front_desk")
    response = client.post(
        "/api/v1/intakes/",
        {"outcome": "out_of_area", "channel": "phone", "caller_phone": "13912345678", "area": catalog["other_area"].pk},
        format="json",
    )
    assert response.status_code == 201, response.content
    assert "65884401" in response.json()["reply"].replace(" ", "")
    assert "North Hill" in response.json()["reply"]
    ours = client.post(
        "/api/v1/intakes/",
        {"outcome": "out_of_area", "channel": "phone", "caller_phone": "13912345678", "area": catalog["area"].pk},
        format="json",
    )
    assert ours.status_code == 400 and "area" in ours.json()["fields"]


def test_an_intake_needs_someone_to_reply_to(api, catalog):
    response = api("front_desk").post(
        "/api/v1/intakes/", {"outcome": "out_of_area", "channel": "phone", "area": catalog["other_area"].pk},
        format="json",
    )
    assert response.status_code == 400
    assert "caller_phone" in response.json()["fields"]


def test_intake_roles(api, catalog):
    body = {"outcome": "cannot_serve", "channel": "phone", "caller_phone": "13912345678", "referred_to": "Elsewhere"}
    assert api("field_worker").post("/api/v1/intakes/", body, format="json").status_code == 403
    assert api("finance").post("/api/v1/intakes/", body, format="json").status_code == 403
    assert api("dispatcher").post("/api/v1/intakes/", body, format="json").status_code == 201


def test_a_recurring_service_is_recorded_as_served_without_an_order(users, people, catalog):
    record = intake_subscribed(actor=users["front_desk"], channel="phone", resident=people["with_card"],
                               service=catalog["visit"], caller_phone="138 0013 8000")
    assert record.outcome == "served" and not hasattr(record, "order")
    assert intake_reply(record).startswith("Companionship visit is booked as a recurring service")
    with pytest.raises(Forbidden):
        intake_subscribed(actor=users["finance"], channel="phone", resident=people["with_card"],
                          service=catalog["visit"])
