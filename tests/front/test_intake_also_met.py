"""The intake's smaller dead ends (issue 16, "also met"): the true count of a
caller's open orders, the warning before a second order for a service still
open, registration with a second phone, an emergency contact and access
notes, and a recurring service started as a subscription with its schedule."""

import datetime
import json
import re
from decimal import Decimal

import pytest
from django.utils import timezone

from dispatch.models import IntakeRecord, Resident, ServiceItem
from subscriptions.models import Subscription
from workorders.models import WorkOrder
from workorders.services import order_create

pytestmark = pytest.mark.django_db


def _served(people, catalog, **extra):
    return {"channel": "phone", "caller_phone": "138 0013 8000", "resident": people["with_card"].pk,
            "service": catalog["clean"].pk, "when": "asap", "urgency": "normal", "notes": "", **extra}


# --- open orders: the true count, and the same service again ------------------------------


def test_the_card_counts_all_open_orders_and_says_when_the_list_is_cut(users, people, catalog, desk):
    resident = people["with_card"]
    for _ in range(12):
        order_create(actor=users["front_desk"], resident=resident, service=catalog["visit"], channel="phone")
    html = desk.get("/intake/lookup/", {"phone": "13800138000"}).content.decode()
    assert "12 open orders" in html and "10 of 12 shown" in html
    assert 'data-open-count="12"' in html
    listed = html[html.index("12 open orders"):html.index("Last five orders")]
    assert listed.count("<li") == 10


def test_a_short_list_of_open_orders_says_no_more(users, people, catalog, desk):
    order_create(actor=users["front_desk"], resident=people["with_card"], service=catalog["visit"], channel="phone")
    html = desk.get("/intake/lookup/", {"phone": "13800138000"}).content.decode()
    assert "1 open order" in html and " shown" not in html


def test_the_card_names_the_open_order_of_each_service(users, people, catalog, desk):
    order = order_create(actor=users["front_desk"], resident=people["with_card"], service=catalog["clean"],
                         channel="phone")
    html = desk.get("/intake/lookup/", {"phone": "13800138000"}).content.decode()
    raw = re.search(r'data-open-services="([^"]*)"', html).group(1).replace("&quot;", '"')
    assert json.loads(raw) == {str(catalog["clean"].pk): {"number": order.number, "url": f"/orders/{order.pk}/"}}


def test_the_same_service_still_open_is_refused_until_the_desk_confirms(users, people, catalog, desk):
    first = order_create(actor=users["front_desk"], resident=people["with_card"], service=catalog["clean"],
                         channel="phone")
    r = desk.post("/intake/served/", _served(people, catalog))
    assert r.status_code == 409
    body = r.json()
    assert body["duplicate"] == {"number": first.number, "url": f"/orders/{first.pk}/"}
    assert first.number in body["fields"]["service"][0]
    assert WorkOrder.objects.count() == 1
    # Another service is taken at once; the same one after the desk confirmed.
    assert desk.post("/intake/served/", _served(people, catalog, service=catalog["visit"].pk)).status_code == 201
    r = desk.post("/intake/served/", _served(people, catalog, duplicate_ok="on"))
    assert r.status_code == 201 and WorkOrder.objects.filter(service=catalog["clean"]).count() == 2


# --- registration: second phone, emergency contact, access notes ---------------------------


def _register(catalog, **extra):
    return {"phone": "136 0000 0000", "name": "Test Resident New", "address": "9 Invented Road",
            "area": catalog["area"].pk, **extra}


def test_registration_takes_a_second_phone_an_emergency_contact_and_access_notes(desk, catalog):
    r = desk.post("/intake/residents/", _register(
        catalog, phone2="010 6521 0000", contact_name="Test Daughter", contact_relation="daughter",
        contact_phone="139 2222 3333", access_notes="Key with the neighbour at No. 11",
    ))
    assert r.status_code == 201
    resident = Resident.objects.get(name="Test Resident New")
    phones = list(resident.phones.values_list("number", "is_primary"))
    assert [(str(n), p) for n, p in phones] == [("+8613600000000", True), ("+861065210000", False)]
    contact = resident.emergency_contacts.get()
    assert (contact.name, contact.relation, str(contact.phone)) == ("Test Daughter", "daughter", "+8613922223333")
    assert resident.access_notes == "Key with the neighbour at No. 11"
    html = r.content.decode()
    assert "Test Daughter (daughter)" in html and "Key with the neighbour" in html


@pytest.mark.parametrize(
    "extra, fields",
    [
        ({"phone2": "12345"}, {"phone2"}),
        ({"phone2": "13600000000"}, {"phone2"}),
        ({"contact_name": "Test Son"}, {"contact_relation", "contact_phone"}),
        ({"contact_name": "Test Son", "contact_relation": "son", "contact_phone": "555"}, {"contact_phone"}),
        ({"contact_phone": "139 2222 3333"}, {"contact_name", "contact_relation"}),
    ],
)
def test_registration_errors_are_by_the_new_fields(desk, catalog, extra, fields):
    r = desk.post("/intake/residents/", _register(catalog, **extra))
    assert r.status_code == 400
    assert set(r.json()["fields"]) == fields
    assert not Resident.objects.filter(name="Test Resident New").exists()


def test_the_registration_form_has_the_new_fields(desk, catalog):
    html = desk.get("/intake/").content.decode()
    for name in ["phone2", "contact_name", "contact_relation", "contact_phone", "access_notes"]:
        assert f'name="{name}"' in html
        assert f'data-error-for="{name}"' in html


# --- a recurring service: a subscription with its schedule ----------------------------------


@pytest.fixture
def meals(catalog):
    return ServiceItem.objects.create(
        code="meals", name="Regular meals", category="subscription", price=Decimal("300"), unit="month",
        chargeable=True, needs_card=False,
    )


def _subscribe(people, meals, **extra):
    start = timezone.localdate() + datetime.timedelta(days=3)
    schedule = {"recurring": "on", "repeat": "weekly", "weekdays": ["MO", "TH"], "starts_at": f"{start}T11:30"}
    return _served(people, {"clean": meals}, **{**schedule, **extra})


def test_a_recurring_service_starts_a_subscription_with_its_schedule(desk, client_as, users, people, meals):
    r = desk.post("/intake/served/", _subscribe(people, meals, ends_on="2099-12-31", notes="No salt"))
    assert r.status_code == 201, r.content
    body = r.json()
    subscription = Subscription.objects.get(pk=body["subscription_id"])
    assert subscription.resident == people["with_card"] and subscription.service == meals
    assert subscription.rule == "FREQ=WEEKLY;BYDAY=MO,TH" and subscription.notes == "No salt"
    assert subscription.created_by == users["front_desk"]
    assert timezone.localtime(subscription.starts_at).strftime("%H:%M") == "11:30"
    assert timezone.localtime(subscription.ends_at).date() == datetime.date(2099, 12, 31)
    assert body["outcome"] == "subscription"
    assert "Monday, Thursday" in body["reply"] and "11:30" in body["reply"] and "300.00 / month" in body["reply"]
    assert "The first visit is on" in body["reply"]
    # No one-off order: the scheduler makes each visit's order ahead.
    assert not WorkOrder.objects.exists()
    # The call is recorded as served, with the service, and reads back through the API.
    record = IntakeRecord.objects.get()
    assert (record.outcome, record.resident, record.service) == ("served", people["with_card"], meals)
    assert str(record.caller_phone) == "+8613800138000" and record.notes == "No salt"
    api = client_as("front_desk").get(f"/api/v1/intakes/{record.pk}/")
    assert api.status_code == 200 and "Regular meals is booked as a recurring service" in api.json()["reply"]


def test_the_screen_offers_the_schedule_for_a_recurring_service(desk, meals):
    html = desk.get("/intake/").content.decode()
    config = json.loads(re.search(r'<script id="intake-config" type="application/json">(.*?)</script>', html,
                                  re.S).group(1))
    recurring = {s["code"]: s["recurring"] for s in config["services"]}
    assert recurring["meals"] is True and recurring["clean"] is False
    for name in ["repeat", "weekdays", "starts_at", "ends_on"]:
        assert f'name="{name}"' in html


def test_a_monthly_and_a_daily_schedule(desk, people, meals):
    r = desk.post("/intake/served/", _subscribe(people, meals, repeat="monthly", weekdays=[]))
    assert r.status_code == 201 and Subscription.objects.get().rule == "FREQ=MONTHLY"
    assert "every month on day" in r.json()["reply"]
    r = desk.post("/intake/served/", _subscribe(people, meals, repeat="daily", weekdays=[]))
    assert r.status_code == 201 and Subscription.objects.order_by("-id").first().rule == "FREQ=DAILY"


@pytest.mark.parametrize(
    "change, field",
    [
        ({"weekdays": []}, "weekdays"),
        ({"starts_at": ""}, "starts_at"),
        ({"repeat": ""}, "repeat"),
        ({"ends_on": "2000-01-01"}, "ends_on"),
        ({"starts_at": "2001-01-01T10:00"}, "starts_at"),
    ],
)
def test_a_bad_schedule_names_its_field_and_starts_nothing(desk, people, meals, change, field):
    r = desk.post("/intake/served/", _subscribe(people, meals, **change))
    assert r.status_code == 400, r.content
    assert field in r.json()["fields"]
    assert not Subscription.objects.exists() and not IntakeRecord.objects.exists()


def test_only_a_recurring_service_becomes_a_subscription(desk, people, catalog, meals):
    r = desk.post("/intake/served/", _subscribe(people, meals, service=catalog["clean"].pk))
    assert r.status_code == 400 and "not a recurring service" in r.json()["fields"]["service"][0]
    assert not Subscription.objects.exists()


def test_a_card_only_subscription_needs_a_valid_card(desk, people, meals):
    meals.needs_card = True
    meals.save()
    r = desk.post("/intake/served/", _subscribe(people, meals, resident=people["no_card"].pk))
    assert r.status_code == 400 and "service card" in r.json()["fields"]["service"][0]
    assert not Subscription.objects.exists()
