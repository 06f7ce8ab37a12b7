"""A home visit booked at intake to register an eligible resident without a
card (procedure step 2, third outcome) is a visit like the lead's: on the
home-visit list at the agreed time, announced on the boards, and recorded or
cancelled there later. The intakes API and the intake screen book it the same way."""

import datetime

import pytest
from django.utils import timezone

from core.errors import Forbidden, InvalidInput
from dispatch.models import IntakeRecord
from followup.models import PeriodicVisit
from followup.services import (
    VISIT_BOOKED_ALERT,
    intake_take,
    registration_visit_book,
    visit_record,
    visits_schedule,
)
from realtime.models import Alert, Event
from tests.followup.conftest import local


def _in_days(days: int, hour: int = 10, minute: int = 30) -> datetime.datetime:
    day = timezone.localdate() + datetime.timedelta(days=days)
    return local(day.year, day.month, day.day, hour, minute)


def _book(users, people, role: str = "front_desk", **overrides) -> PeriodicVisit:
    values = {"channel": "phone", "resident": people["no_card"], "home_visit_at": _in_days(3), **overrides}
    return registration_visit_book(actor=users[role], **values)


def test_a_booked_home_visit_is_scheduled_at_its_time_with_its_intake(users, people, catalog):
    when = _in_days(3)
    visit = _book(users, people, home_visit_at=when, service=catalog["clean"], notes="Ring twice")
    visit.refresh_from_db()
    assert visit.status == PeriodicVisit.Status.SCHEDULED and visit.registers_card
    assert visit.scheduled_at == when and visit.scheduled_for == timezone.localdate(when)
    assert visit.resident == people["no_card"] and visit.created_by == users["front_desk"]
    record = visit.intake
    assert (record.outcome, record.no_card_action, record.home_visit_at) == ("no_card", "home_visit", when)
    assert (record.service, record.notes) == (catalog["clean"], "Ring twice")


def test_the_boards_are_alerted_with_the_resident_and_the_time(users, people):
    when = _in_days(2, 15, 0)
    visit = _book(users, people, home_visit_at=when)
    alert = Alert.objects.get(kind=VISIT_BOOKED_ALERT)
    assert alert.acknowledged_at is None
    assert alert.data["visit"] == visit.pk and alert.data["resident"] == "Test Resident Two"
    assert alert.data["area"] == "Sunny Lane" and alert.data["scheduled_at"] == when.isoformat()
    assert alert.data["url"] == f"/visits/#visit-{visit.pk}"
    # No phone or address goes to the boards' event log.
    raised = Event.objects.filter(type="alert.raised").last()
    assert raised.data["id"] == alert.pk and "2 Invented Road" not in str(raised.data)
    assert "139" not in str(raised.data)


@pytest.mark.parametrize("role", ["front_desk", "dispatcher", "dispatch_lead"])
def test_whoever_takes_intakes_may_book_one(users, people, role):
    # The desk holds no visit permission: booking is part of the intake.
    assert _book(users, people, role=role).created_by == users[role]


@pytest.mark.parametrize("role", ["field_worker", "finance", "coordinator", "supervisor", "nobody"])
def test_other_roles_may_not(users, people, role):
    with pytest.raises(Forbidden):
        _book(users, people, role=role)
    assert not PeriodicVisit.objects.exists() and not IntakeRecord.objects.exists()


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"resident": None}, "resident"),
        ({"resident": "with_card"}, "no_card_action"),
        ({"home_visit_at": None}, "home_visit_at"),
        ({"home_visit_at": "past"}, "home_visit_at"),
        ({"home_visit_at": "next_year"}, "home_visit_at"),
    ],
)
def test_a_bad_booking_is_refused_by_its_field_and_writes_nothing(users, people, overrides, field):
    values = dict(overrides)
    if values.get("resident") == "with_card":
        values["resident"] = people["with_card"]
    if values.get("home_visit_at") == "past":
        values["home_visit_at"] = timezone.now() - datetime.timedelta(hours=1)
    if values.get("home_visit_at") == "next_year":
        values["home_visit_at"] = timezone.now() + datetime.timedelta(days=400)
    with pytest.raises(InvalidInput) as refused:
        _book(users, people, **values)
    assert field in refused.value.fields
    assert not PeriodicVisit.objects.exists() and not IntakeRecord.objects.exists()
    assert not Alert.objects.exists()


def test_a_second_visit_the_same_day_is_refused_by_the_time(users, people):
    visits_schedule(actor=users["dispatch_lead"], scheduled_for=timezone.localdate(_in_days(4)),
                    resident_ids=[people["no_card"].pk], reason="Yearly visit")
    with pytest.raises(InvalidInput) as refused:
        _book(users, people, home_visit_at=_in_days(4, 9, 0))
    assert "has a home visit on" in refused.value.fields["home_visit_at"][0]
    assert not IntakeRecord.objects.exists()
    # Another day is fine.
    assert _book(users, people, home_visit_at=_in_days(5)).scheduled_for == timezone.localdate(_in_days(5))


def test_intake_take_books_the_visit_only_for_a_home_visit(users, people):
    desk = users["front_desk"]
    invited = intake_take(actor=desk, outcome="no_card", no_card_action="invited", channel="phone",
                          resident=people["no_card"])
    referred = intake_take(actor=desk, outcome="cannot_serve", referred_to="Red Cross", channel="phone",
                           resident=people["no_card"])
    booked = intake_take(actor=desk, outcome="no_card", no_card_action="home_visit", home_visit_at=_in_days(6),
                         channel="phone", resident=people["no_card"], referred_to="", area=None)
    assert [r.outcome for r in (invited, referred, booked)] == ["no_card", "cannot_serve", "no_card"]
    assert list(PeriodicVisit.objects.values_list("intake", flat=True)) == [booked.pk]


def test_the_booked_visit_is_recorded_later_like_any_other(users, people):
    visit = _book(users, people)
    done = visit_record(actor=users["dispatch_lead"], visit_id=visit.pk, findings="Card applied for, CARD-NEW")
    assert done.status == PeriodicVisit.Status.VISITED and done.findings == "Card applied for, CARD-NEW"


# --- the API ------------------------------------------------------------------------------


def test_the_intakes_api_books_the_visit_and_the_visits_api_lists_it(api, people):
    when = _in_days(3, 14, 0)
    r = api("front_desk").post("/api/v1/intakes/", {
        "outcome": "no_card", "channel": "phone", "resident": people["no_card"].pk,
        "no_card_action": "home_visit", "home_visit_at": when.isoformat(), "notes": "Second floor",
    }, format="json")
    assert r.status_code == 201, r.content
    body = r.json()
    visit = PeriodicVisit.objects.get()
    assert body["home_visit"] == visit.pk and timezone.localtime(when).strftime("%Y-%m-%d %H:%M") in body["reply"]
    assert api("front_desk").get(f"/api/v1/intakes/{body['id']}/").json()["home_visit"] == visit.pk

    listed = api("dispatch_lead").get(f"/api/v1/visits/?resident={people['no_card'].pk}").json()["results"]
    assert [(v["id"], v["intake"], v["status"]) for v in listed] == [(visit.pk, body["id"], "scheduled")]
    assert datetime.datetime.fromisoformat(listed[0]["scheduled_at"]) == when
    recorded = api("dispatch_lead").post(f"/api/v1/visits/{visit.pk}/record/", {"findings": "Registered"},
                                         format="json")
    assert recorded.status_code == 200 and recorded.json()["status"] == "visited"


def test_the_intakes_api_refuses_a_bad_booking_with_400_by_field(api, people):
    base = {"outcome": "no_card", "channel": "phone", "no_card_action": "home_visit",
            "home_visit_at": _in_days(3).isoformat()}
    nobody = api("front_desk").post("/api/v1/intakes/", {**base, "caller_phone": "139 0013 9000"}, format="json")
    assert nobody.status_code == 400 and "resident" in nobody.json()["fields"]
    has_card = api("front_desk").post("/api/v1/intakes/", {**base, "resident": people["with_card"].pk}, format="json")
    assert has_card.status_code == 400 and "no_card_action" in has_card.json()["fields"]
    assert api("field_worker").post("/api/v1/intakes/", {**base, "resident": people["no_card"].pk},
                                    format="json").status_code == 403
    assert not PeriodicVisit.objects.exists() and not IntakeRecord.objects.exists()


def test_an_invitation_through_the_api_books_nothing(api, people):
    r = api("front_desk").post("/api/v1/intakes/", {
        "outcome": "no_card", "channel": "phone", "resident": people["no_card"].pk, "no_card_action": "invited",
    }, format="json")
    assert r.status_code == 201 and r.json()["home_visit"] is None
    assert not PeriodicVisit.objects.exists()


# --- the lead's visits page -----------------------------------------------------------------


def test_the_lead_sees_the_booked_visit_with_its_time_and_phone(client_as, users, people, catalog):
    visits_schedule(actor=users["dispatch_lead"], scheduled_for=timezone.localdate(_in_days(3)),
                    resident_ids=[people["with_card"].pk], reason="Yearly visit")
    visit = _book(users, people, home_visit_at=_in_days(3, 8, 15), service=catalog["clean"], notes="Ring twice")
    html = client_as("dispatch_lead").get("/visits/").content.decode()
    item = html[html.index(f'id="visit-{visit.pk}"'):]
    item = item[:item.index("</li>")]
    assert timezone.localtime(visit.scheduled_at).strftime("%Y-%m-%d %H:%M") in item
    assert "Service card registration" in item and "Test Resident Two" in item
    assert "tel:+8613900139000" in item and "Ring twice" in item and "Home cleaning" in item
    assert "Booked at intake by front_desk" in item
    # The agreed hour first among the day's visits; the lead's day-only visit after it.
    assert html.index(f'id="visit-{visit.pk}"') < html.index("Yearly visit")
    # Recorded from the page like any visit.
    r = client_as("dispatch_lead").post(f"/visits/{visit.pk}/record/", {"findings": "Registered"})
    assert r.status_code == 302
    visit.refresh_from_db()
    assert visit.status == "visited"
