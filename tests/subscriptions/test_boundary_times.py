"""A subscription's times make sense: it starts from the year 2000 and at
most a year ahead, and ends before 2100; year one or 9999 is a 400 by its
field, never a 500."""

import datetime

import pytest
from django.utils import timezone

from subscriptions.models import Subscription

pytestmark = pytest.mark.django_db


def _body(people, catalog, **times):
    return {"resident": people["with_card"].pk, "service": catalog["clean"].pk, "rule": "FREQ=WEEKLY;BYDAY=TU",
            "starts_at": timezone.now().isoformat(), **times}


@pytest.mark.parametrize(("times", "field"), [
    ({"starts_at": "0001-01-01T08:00:00"}, "starts_at"),
    ({"starts_at": "1970-01-01T08:00:00+08:00"}, "starts_at"),
    ({"starts_at": "9999-12-31T23:00:00+08:00"}, "starts_at"),
    ({"starts_at": (timezone.now() + datetime.timedelta(days=400)).isoformat()}, "starts_at"),
    ({"ends_at": "9999-12-31T23:00:00+08:00"}, "ends_at"),
])
def test_impossible_times_are_refused_by_their_field(times, field, api, people, catalog):
    response = api("front_desk").post("/api/v1/subscriptions/", _body(people, catalog, **times), format="json")
    assert response.status_code == 400 and field in response.json()["fields"], response.content[:300]
    assert not Subscription.objects.exists()


def test_a_start_within_the_year_and_an_end_are_taken(api, people, catalog):
    start = timezone.now() + datetime.timedelta(days=30)
    response = api("front_desk").post("/api/v1/subscriptions/", _body(
        people, catalog, starts_at=start.isoformat(), ends_at=(start + datetime.timedelta(days=90)).isoformat(),
    ), format="json")
    assert response.status_code == 201, response.content[:300]
