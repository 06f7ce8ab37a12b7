"""The intake's home visit is an agreed time: ahead of now and within the
horizon (a year), by the API and the intake screen alike; a year-one time is
400, never a 500."""

import datetime

import pytest
from django.utils import timezone

from dispatch.models import IntakeRecord


def _book(api, people, when: str):
    return api("front_desk").post("/api/v1/intakes/", {
        "outcome": "no_card", "channel": "phone", "resident": people["no_card"].pk, "no_card_action": "home_visit",
        "home_visit_at": when,
    }, format="json")


@pytest.mark.parametrize("when", [
    "9999-12-31T23:00:00Z", "2099-05-06T10:00:00+08:00", "0001-01-01T08:00:00", "0001-01-01T00:00:00Z",
    lambda: (timezone.now() + datetime.timedelta(days=400)).isoformat(),
])
def test_a_home_visit_past_the_horizon_or_in_year_one_is_400(api, people, when):
    response = _book(api, people, when() if callable(when) else when)
    assert response.status_code == 400, response.content
    assert "home_visit_at" in response.json()["fields"]
    assert not IntakeRecord.objects.exists()


def test_a_home_visit_within_the_horizon_is_booked(api, people):
    response = _book(api, people, (timezone.now() + datetime.timedelta(days=300)).isoformat())
    assert response.status_code == 201, response.content


def test_the_intake_screen_refuses_a_home_visit_decades_ahead(desk, people):
    r = desk.post("/intake/no-card/", {"channel": "visit", "resident": people["no_card"].pk,
                                       "no_card_action": "home_visit", "home_visit_at": "2099-05-06T10:00"})
    assert r.status_code == 400 and "home_visit_at" in r.json()["fields"]
    assert not IntakeRecord.objects.exists()
