"""Phones in any usual spelling are stored in E.164 and found by any spelling."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from core.errors import InvalidInput
from dispatch.phones import parse_phone
from dispatch.selectors import residents_by_phone
from dispatch.services import resident_create

ROUND_TRIPS = [
    ("13800138000", "+8613800138000"),
    ("138 0013 8000", "+8613800138000"),
    ("138-0013-8000", "+8613800138000"),
    ("+86 138 0013 8000", "+8613800138000"),
    ("0086 138 0013 8000", "+8613800138000"),
    ("008613800138000", "+8613800138000"),
    ("(010) 6521 3301", "+861065213301"),
    ("010-65213301", "+861065213301"),
    ("+86 10 6521 3301", "+861065213301"),
    ("021 6234 5678", "+862162345678"),
    ("+46 8 123 456 78", "+46812345678"),
    ("0046 70 123 45 67", "+46701234567"),
    ("+46 (0)70-123 45 67", "+46701234567"),
]


@pytest.mark.parametrize(("raw", "e164"), ROUND_TRIPS)
def test_phone_round_trip(raw, e164):
    assert parse_phone(raw) == e164
    assert parse_phone(e164) == e164


@pytest.mark.parametrize("raw", ["", "abc", "123", "138 0013 800", "+46 70", "110110110110110110"])
def test_invalid_phone_is_refused_with_what_was_read(raw):
    with pytest.raises(InvalidInput) as caught:
        parse_phone(raw)
    assert raw in str(caught.value.message)
    assert caught.value.fields["phone"]


def test_the_message_shows_how_a_number_was_read():
    with pytest.raises(InvalidInput) as caught:
        parse_phone("+86 138 0013 800")
    assert "+86 138 0013 800" in str(caught.value.message)
    assert "read as" in str(caught.value.message)


@pytest.mark.parametrize("raw", [raw for raw, e164 in ROUND_TRIPS if e164 == "+8613800138000"])
def test_a_resident_is_found_by_any_spelling(raw, people):
    assert list(residents_by_phone(raw)) == [people["with_card"]]


def test_the_lookup_is_one_indexed_query(people):
    with CaptureQueriesContext(connection) as queries:
        found = list(residents_by_phone("0086 138-0013-8000"))
    assert found == [people["with_card"]]
    assert len(queries) == 1
    indexed = connection.introspection.get_constraints(connection.cursor(), "dispatch_residentphone")
    assert any(c["columns"] == ["number"] and c["index"] for c in indexed.values())


def test_a_couple_on_one_phone_are_both_found(users, catalog, people):
    partner = resident_create(
        actor=users["front_desk"], name="Test Resident Spouse", address="1 Invented Road", area=catalog["area"],
        phones=[{"number": "+86 138 0013 8000"}],
    )
    assert set(residents_by_phone("13800138000")) == {people["with_card"], partner}


def test_registering_a_resident_through_the_api(api, catalog):
    body = {
        "name": "Test Resident New", "address": "9 Invented Road", "area": catalog["area"].pk,
        "phones": [{"number": "0086 135 0000 1111", "label": "mobile"}, {"number": "010-6521 9999", "is_primary": True}],
        "emergency_contacts": [{"name": "Test Son", "relation": "son", "phone": "+46 70 123 45 67"}],
    }
    response = api("front_desk").post("/api/v1/residents/", body, format="json")
    assert response.status_code == 201, response.content
    data = response.json()
    assert [(p["number"], p["is_primary"]) for p in data["phones"]] == [("+861065219999", True), ("+8613500001111", False)]
    assert data["emergency_contacts"][0]["phone"] == "+46701234567"
    found = api("front_desk").get("/api/v1/residents/", {"phone": "135 0000 1111"}).json()["results"]
    assert [r["id"] for r in found] == [data["id"]]


@pytest.mark.parametrize(
    "phones",
    [[], [{"number": "12"}], [{"number": "13500001111"}, {"number": "135 0000 1111"}],
     [{"number": "13500001111", "is_primary": True}, {"number": "13500002222", "is_primary": True}]],
)
def test_registering_with_bad_phones_is_400(phones, api, catalog):
    body = {"name": "Test Resident Bad", "address": "x", "area": catalog["area"].pk, "phones": phones}
    response = api("front_desk").post("/api/v1/residents/", body, format="json")
    assert response.status_code == 400, response.content
    assert "phones" in response.json()["fields"]


def test_a_malformed_phone_search_is_400(api, people):
    response = api("front_desk").get("/api/v1/residents/", {"phone": "not a phone"})
    assert response.status_code == 400
    assert "not a phone" in response.json()["detail"]
