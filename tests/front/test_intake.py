"""The intake screen's views: who may open it, the lookup by any spelling of a
phone, a couple on one number, registering an unknown caller, the four
outcomes, and errors that name their field and lose nothing."""

import datetime
import json
import re

import pytest
from django.utils import timezone

from dispatch.models import IntakeRecord, Resident, ResidentAccess
from followup.models import PeriodicVisit
from workorders.models import State, WorkOrder
from workorders.services import order_create

pytestmark = pytest.mark.django_db


# --- who may open it --------------------------------------------------------------------


def test_the_intake_screen_sends_anonymous_visitors_to_log_in(client_as):
    for url in ["/intake/", "/intake/lookup/?phone=13800138000"]:
        r = client_as(None).get(url)
        assert r.status_code == 302 and r["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize("role", ["field_worker", "finance", "coordinator", "supervisor", "nobody"])
def test_the_intake_screen_refuses_other_roles(client_as, people, role):
    client = client_as(role)
    assert client.get("/intake/").status_code == 403
    assert client.get("/intake/lookup/?phone=13800138000").status_code == 403
    assert client.post("/intake/refer/", {"channel": "phone", "caller_phone": "13800138000",
                                          "referred_to": "X"}).status_code == 403
    assert not IntakeRecord.objects.filter(outcome="cannot_serve").exists()


@pytest.mark.parametrize("role", ["front_desk", "dispatcher", "dispatch_lead"])
def test_the_intake_screen_opens_for_the_desk_and_dispatch(client_as, catalog, role):
    r = client_as(role).get("/intake/")
    assert r.status_code == 200
    html = r.content.decode()
    # The phone field is the first field of the page's content and has the focus.
    main = html[html.index('<main'):]
    first_input = re.search(r"<input(?![^>]*type=\"(?:hidden|radio)\")[^>]*>", main).group(0)
    assert 'id="phone"' in first_input and "autofocus" in first_input
    assert "Home cleaning" in html  # the service list for the picker
    assert 'data-outcome="out-of-area"' in html and "North Hill" in html


def test_posts_need_the_csrf_token(client_as, people):
    client = client_as("front_desk", enforce_csrf=True)
    r = client.post("/intake/refer/", {"channel": "phone", "caller_phone": "13800138000", "referred_to": "X"})
    assert r.status_code == 403
    assert not IntakeRecord.objects.exists()


# --- lookup ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "typed", ["13800138000", "138 0013 8000", "138-0013-8000", "+86 138 0013 8000", "0086 13800138000",
              "(+86) 138-0013-8000", " 138.0013.8000 "],
)
def test_lookup_finds_the_resident_by_any_usual_spelling(desk, people, typed):
    r = desk.get("/intake/lookup/", {"phone": typed})
    html = r.content.decode()
    assert r.status_code == 200 and 'data-state="found"' in html
    assert "Test Resident One" in html and "1 Invented Road" in html and "Sunny Lane" in html
    assert f'data-resident-id="{people["with_card"].pk}"' in html


def test_the_card_shows_card_status_contacts_open_and_last_five_orders(users, catalog, desk):
    from dispatch.services import resident_create

    resident = resident_create(
        actor=users["front_desk"], name="Test Resident Card", address="5 Invented Road", area=catalog["area"],
        phones=[{"number": "136 1234 5678"}], card_number="CARD-5",
        card_valid_until=timezone.localdate() + datetime.timedelta(days=10),
        emergency_contacts=[{"name": "Test Son", "relation": "son", "phone": "139 1111 2222"}],
    )
    orders = [
        order_create(actor=users["front_desk"], resident=resident, service=catalog["visit"], channel="phone")
        for _ in range(6)
    ]
    html = desk.get("/intake/lookup/", {"phone": "13612345678"}).content.decode()
    assert "CARD-5" in html and "Valid" in html
    assert "Test Son (son)" in html
    assert "6 open orders" in html
    recent = html[html.index("Last five orders"):]
    assert sum(o.number in recent for o in orders) == 5 and orders[0].number not in recent
    # The lookup is in the access log, as a search.
    assert ResidentAccess.objects.filter(resident=resident, action="search", user=users["front_desk"]).exists()


def test_the_card_says_when_there_is_no_valid_card_or_the_area_is_not_ours(desk, people):
    html = desk.get("/intake/lookup/", {"phone": "139 0013 9000"}).content.decode()
    assert "No card" in html and 'data-card-valid="0"' in html
    html = desk.get("/intake/lookup/", {"phone": "137 0013 7000"}).content.decode()
    assert 'data-area-served="0"' in html and "Outside our service area" in html


def test_a_couple_on_one_number_are_both_offered(desk, couple):
    html = desk.get("/intake/lookup/", {"phone": "(010) 6521-9999"}).content.decode()
    assert 'data-count="2"' in html
    assert "Test Resident Husband" in html and "Test Resident Wife" in html
    assert 'data-pick="1"' in html and 'data-pick="2"' in html


def test_an_unknown_number_offers_registration_and_a_bad_one_says_why(desk, people):
    html = desk.get("/intake/lookup/", {"phone": "136 0000 0000"}).content.decode()
    assert 'data-state="unknown"' in html
    html = desk.get("/intake/lookup/", {"phone": "12345"}).content.decode()
    assert 'data-state="invalid"' in html and "not a valid phone number" in html


# --- registering an unknown caller ----------------------------------------------------------


def test_an_unknown_caller_is_registered_and_shown_as_a_card(desk, catalog):
    r = desk.post("/intake/residents/", {
        "phone": "136 0000 0000", "name": "Test Resident New", "address": "9 Invented Road",
        "area": catalog["area"].pk, "card_number": "CARD-9", "card_valid_until": "2099-01-31",
    })
    assert r.status_code == 201
    resident = Resident.objects.get(name="Test Resident New")
    assert str(resident.phones.get().number) == "+8613600000000"
    assert resident.card_valid_until == datetime.date(2099, 1, 31)
    html = r.content.decode()
    assert 'data-state="found"' in html and f'data-resident-id="{resident.pk}"' in html


def test_registration_errors_name_their_fields(desk, catalog):
    r = desk.post("/intake/residents/", {"phone": "136 0000 0000", "name": "", "address": "9 Invented Road",
                                         "area": catalog["area"].pk, "card_valid_until": "31/31/2099"})
    assert r.status_code == 400
    fields = r.json()["fields"]
    assert set(fields) == {"name", "card_valid_until"}
    r = desk.post("/intake/residents/", {"phone": "12345", "name": "Test Resident New",
                                         "address": "9 Invented Road", "area": catalog["area"].pk})
    assert r.status_code == 400 and "not a valid phone number" in r.json()["fields"]["phone"][0]
    # An area outside ours is not offered for registration: that caller is outcome 4.
    r = desk.post("/intake/residents/", {"phone": "136 0000 0000", "name": "Test Resident New",
                                         "address": "9 Invented Road", "area": catalog["other_area"].pk})
    assert r.status_code == 400 and "area" in r.json()["fields"]
    assert not Resident.objects.filter(name="Test Resident New").exists()


# --- outcome 1: served -----------------------------------------------------------------------


def _served(people, catalog, **extra):
    return {"channel": "phone", "caller_phone": "138 0013 8000", "resident": people["with_card"].pk,
            "service": catalog["clean"].pk, "when": "asap", "urgency": "normal", "notes": "", **extra}


def test_a_served_request_creates_the_order_and_gives_its_number(desk, people, catalog):
    r = desk.post("/intake/served/", _served(people, catalog, notes="Bring gloves", urgency="urgent"))
    assert r.status_code == 201
    body = r.json()
    order = WorkOrder.objects.get(pk=body["order_id"])
    assert body["number"] == order.number and order.number in body["reply"]
    assert body["outcome"] == "served"
    assert order.state == State.RECEIVED and order.urgency == "urgent" and order.notes == "Bring gloves"
    assert order.requested_for is None and order.intake.outcome == IntakeRecord.Outcome.SERVED


def test_the_served_reply_says_the_agreed_time_and_the_price(desk, people, catalog):
    day = timezone.localdate() + datetime.timedelta(days=30)
    r = desk.post("/intake/served/", _served(people, catalog, when="appointment", appointment=f"{day}T15:30"))
    reply = r.json()["reply"]
    assert f"We agreed on {day} 15:30." in reply and "The price is 30.00, paid after the service." in reply
    assert "approval" not in reply
    free = desk.post("/intake/served/", _served(people, catalog, service=catalog["visit"].pk)).json()["reply"]
    assert "The service is free of charge." in free and "We agreed" not in free


def test_the_chinese_reply_runs_its_sentences_on(desk, people, catalog):
    reply = desk.post("/intake/served/", _served(people, catalog), HTTP_ACCEPT_LANGUAGE="zh-hans").json()["reply"]
    assert "您的请求已登记" in reply and "。" in reply and "。 " not in reply


def test_the_served_reply_says_a_service_waits_for_approval(client_as, people, catalog):
    dispatcher = client_as("dispatcher")
    reply = dispatcher.post("/intake/served/", _served(people, catalog, service=catalog["wound"].pk)).json()["reply"]
    assert "needs the dispatch lead's approval before anyone is sent" in reply


def test_the_service_list_carries_the_price_and_the_approval(desk, catalog):
    html = desk.get("/intake/").content.decode()
    config = json.loads(re.search(r'<script id="intake-config" type="application/json">(.*?)</script>', html,
                                  flags=re.S).group(1))
    by_code = {s["code"]: s for s in config["services"]}
    assert by_code["clean"]["price"] == "30.00" and by_code["visit"]["price"] == "No charge"
    assert (by_code["wound"]["needs_approval"], by_code["wound"]["approval"]) == (True, "Special service")
    assert (by_code["assist"]["approval"], by_code["clean"]["approval"]) == ("External service", "")
    assert "%(reason)s" in config["strings"]["needs_approval"]


# --- serve now: an urgent request started at once ------------------------------------------------


@pytest.mark.parametrize("role", ["front_desk", "dispatcher", "dispatch_lead"])
def test_an_urgent_request_offers_the_skilled_workers_to_serve_now(client_as, people, catalog, role):
    r = client_as(role).post("/intake/served/", _served(people, catalog, urgency="urgent"))
    body = r.json()
    assert body["order_url"] == f"/orders/{body['order_id']}/"
    # Home cleaning: the active cleaner only (not the nurse, not the retired cleaner).
    assert [(w["id"], w["name"]) for w in body["serve_now"]["workers"]] == [(people["cleaner"].pk, "Cleaner Worker")]


def test_a_normal_request_offers_no_serve_now(desk, people, catalog):
    body = desk.post("/intake/served/", _served(people, catalog)).json()
    assert body["serve_now"] is None and body["order_url"] == f"/orders/{body['order_id']}/"


def test_serve_now_without_the_permission_is_not_offered(desk, users, people, catalog):
    from django.contrib.auth.models import Permission

    users["front_desk"].groups.get().permissions.remove(Permission.objects.get(codename="emergency_start_workorder"))
    body = desk.post("/intake/served/", _served(people, catalog, urgency="urgent")).json()
    assert body["serve_now"] is None


def test_the_desk_serves_an_urgent_request_at_once_through_the_order_api(desk, people, catalog):
    body = desk.post("/intake/served/", _served(people, catalog, urgency="urgent")).json()
    url = f"/api/v1/orders/{body['order_id']}/emergency_start/"
    refused = desk.post(url, {"worker": people["nurse"].pk}, content_type="application/json")
    assert refused.status_code == 400 and "worker" in refused.json()["fields"]
    started = desk.post(url, {"worker": body["serve_now"]["workers"][0]["id"]}, content_type="application/json")
    assert started.status_code == 200
    assert (started.json()["state"], started.json()["worker_name"]) == ("in_service", "Cleaner Worker")


def test_a_time_today_and_an_appointment_become_the_requested_time(desk, people, catalog):
    later = timezone.localtime() + datetime.timedelta(hours=1)
    if later.date() != timezone.localdate():
        pytest.skip("an hour from now is tomorrow")
    r = desk.post("/intake/served/", _served(people, catalog, when="today", time_today=later.strftime("%H:%M")))
    assert r.status_code == 201
    got = timezone.localtime(WorkOrder.objects.get(pk=r.json()["order_id"]).requested_for)
    assert (got.hour, got.minute) == (later.hour, later.minute)
    # An appointment within the horizon (a year): weeks ahead.
    day = timezone.localdate() + datetime.timedelta(days=30)
    # (A second cleaning while the first is open: the desk confirmed it.)
    r = desk.post("/intake/served/", _served(people, catalog, when="appointment", appointment=f"{day}T15:30",
                                             duplicate_ok="on"))
    got = timezone.localtime(WorkOrder.objects.get(pk=r.json()["order_id"]).requested_for)
    assert (got.date(), got.hour, got.minute) == (day, 15, 30)


@pytest.mark.parametrize(
    "change, field",
    [
        ({"service": ""}, "service"),
        ({"resident": ""}, "resident"),
        ({"when": "today", "time_today": ""}, "time_today"),
        ({"when": "appointment", "appointment": "2001-01-01T10:00"}, "requested_for"),
        ({"urgency": "whenever"}, "urgency"),
    ],
)
def test_a_bad_served_request_names_the_field_and_creates_nothing(desk, people, catalog, change, field):
    r = desk.post("/intake/served/", _served(people, catalog, **change))
    assert r.status_code == 400 and field in r.json()["fields"]
    assert not WorkOrder.objects.exists() and not IntakeRecord.objects.exists()


def test_a_card_only_service_without_a_card_is_refused_next_to_the_service(desk, client_as, people, catalog):
    data = _served(people, catalog, resident=people["no_card"].pk)
    r = desk.post("/intake/served/", data)
    assert r.status_code == 400 and "needs a valid service card" in r.json()["fields"]["service"][0]
    # A dispatcher may override it, with a reason, on the same screen.
    dispatcher = client_as("dispatcher")
    assert 'name="card_override_reason"' in dispatcher.get("/intake/").content.decode()
    assert "card_override_reason" in dispatcher.post("/intake/served/", data).json()["fields"]
    r = dispatcher.post("/intake/served/", {**data, "card_override_reason": "Card renewal in progress"})
    assert r.status_code == 201


def test_a_resident_outside_our_areas_is_not_served(desk, people, catalog):
    r = desk.post("/intake/served/", _served(people, catalog, resident=people["outside"].pk))
    assert r.status_code == 400 and "outside our service area" in r.json()["fields"]["resident"][0]


# --- outcomes 2-4 -------------------------------------------------------------------------------


def test_cannot_serve_records_the_referral_and_gives_the_reply(desk, people, catalog):
    r = desk.post("/intake/refer/", {"channel": "phone", "caller_phone": "138 0013 8000",
                                     "resident": people["with_card"].pk, "service": catalog["wound"].pk,
                                     "referred_to": "City Hospital, 010 1234 5678"})
    assert r.status_code == 201
    assert "City Hospital, 010 1234 5678" in r.json()["reply"]
    record = IntakeRecord.objects.get()
    assert record.outcome == "cannot_serve" and record.resident == people["with_card"]
    assert record.service == catalog["wound"]


def test_cannot_serve_without_a_referral_names_the_field(desk, people):
    r = desk.post("/intake/refer/", {"channel": "phone", "caller_phone": "138 0013 8000", "referred_to": " "})
    assert r.status_code == 400 and "referred_to" in r.json()["fields"]


def test_an_unknown_caller_can_be_referred_by_phone_alone(desk, people):
    r = desk.post("/intake/refer/", {"channel": "phone", "caller_phone": "136 0000 0000", "referred_to": "Red Cross"})
    assert r.status_code == 201
    assert str(IntakeRecord.objects.get().caller_phone) == "+8613600000000"


def test_no_card_invites_or_books_a_home_visit(desk, people):
    visit_day = timezone.localdate() + datetime.timedelta(days=14)
    r = desk.post("/intake/no-card/", {"channel": "phone", "resident": people["no_card"].pk,
                                       "caller_phone": "139 0013 9000", "no_card_action": "invited"})
    assert r.status_code == 201 and "apply for a community elderly-care service card" in r.json()["reply"]
    r = desk.post("/intake/no-card/", {"channel": "visit", "resident": people["no_card"].pk,
                                       "no_card_action": "home_visit", "home_visit_at": f"{visit_day}T10:00"})
    assert r.status_code == 201 and f"{visit_day} 10:00" in r.json()["reply"]
    assert list(IntakeRecord.objects.order_by("id").values_list("no_card_action", flat=True)) == [
        "invited", "home_visit"
    ]


def test_a_home_visit_booked_on_the_screen_is_on_the_leads_visit_list(desk, client_as, people):
    visit_day = timezone.localdate() + datetime.timedelta(days=3)
    r = desk.post("/intake/no-card/", {"channel": "phone", "resident": people["no_card"].pk,
                                       "no_card_action": "home_visit", "home_visit_at": f"{visit_day}T09:45",
                                       "notes": "Lift is broken"})
    assert r.status_code == 201
    visit = PeriodicVisit.objects.get()
    assert r.json()["visit_id"] == visit.pk and visit.intake.notes == "Lift is broken"
    assert r.json()["visit_url"] is None  # the desk does not read the lead's list
    assert timezone.localtime(visit.scheduled_at).strftime("%Y-%m-%d %H:%M") == f"{visit_day} 09:45"
    page = client_as("dispatch_lead").get("/visits/").content.decode()
    assert f'id="visit-{visit.pk}"' in page and f"{visit_day} 09:45" in page
    # An invitation books nothing.
    r = desk.post("/intake/no-card/", {"channel": "phone", "resident": people["no_card"].pk,
                                       "no_card_action": "invited"})
    assert r.status_code == 201 and r.json()["visit_id"] is None
    assert PeriodicVisit.objects.count() == 1
    # The lead, taking a call, is sent on to the visit on the list.
    later = visit_day + datetime.timedelta(days=1)
    r = client_as("dispatch_lead").post("/intake/no-card/", {
        "channel": "phone", "resident": people["no_card"].pk, "no_card_action": "home_visit",
        "home_visit_at": f"{later}T09:45"})
    assert r.json()["visit_url"] == f"/visits/#visit-{r.json()['visit_id']}"


def test_a_home_visit_needs_a_registered_resident(desk, people):
    visit_day = timezone.localdate() + datetime.timedelta(days=3)
    r = desk.post("/intake/no-card/", {"channel": "phone", "caller_phone": "136 0000 0000",
                                       "no_card_action": "home_visit", "home_visit_at": f"{visit_day}T09:45"})
    assert r.status_code == 400 and "register the resident" in r.json()["fields"]["resident"][0]
    assert not IntakeRecord.objects.exists() and not PeriodicVisit.objects.exists()


def test_a_home_visit_needs_a_future_time(desk, people):
    base = {"channel": "phone", "resident": people["no_card"].pk, "no_card_action": "home_visit"}
    assert "home_visit_at" in desk.post("/intake/no-card/", base).json()["fields"]
    r = desk.post("/intake/no-card/", {**base, "home_visit_at": "2001-01-01T10:00"})
    assert r.status_code == 400 and "future" in r.json()["fields"]["home_visit_at"][0]
    assert not IntakeRecord.objects.exists()


def test_out_of_area_gives_the_community_office_phone(desk, people, catalog):
    r = desk.post("/intake/out-of-area/", {"channel": "phone", "caller_phone": "137 0013 7000",
                                           "resident": people["outside"].pk, "area": catalog["other_area"].pk})
    assert r.status_code == 201
    reply = r.json()["reply"]
    assert "North Hill" in reply and "010 6588 4401" in reply
    assert IntakeRecord.objects.get().outcome == "out_of_area"


def test_out_of_area_refuses_one_of_our_own_areas_or_none(desk, people, catalog):
    r = desk.post("/intake/out-of-area/", {"channel": "phone", "caller_phone": "136 0000 0000",
                                           "area": catalog["area"].pk})
    assert r.status_code == 400 and "one of our own areas" in r.json()["fields"]["area"][0]
    r = desk.post("/intake/out-of-area/", {"channel": "phone", "caller_phone": "136 0000 0000"})
    assert r.status_code == 400 and "area" in r.json()["fields"]
    assert not IntakeRecord.objects.exists()


def test_errors_come_in_the_operators_language(users, client_as, people):
    client = client_as("front_desk")
    client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/intake/"})
    r = client.post("/intake/refer/", {"channel": "phone", "caller_phone": "136 0000 0000", "referred_to": ""})
    assert r.status_code == 400
    message = r.json()["fields"]["referred_to"][0]
    assert message != "This field is required." and "必填" in message
    r = client.post("/intake/served/", {"channel": "phone"})
    assert "必填" in r.json()["fields"]["urgency"][0]
