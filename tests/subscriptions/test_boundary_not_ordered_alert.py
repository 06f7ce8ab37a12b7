"""A scheduler pass whose occurrences cannot be ordered raises one summary
alert, not one pop-up per occurrence (an hourly subscription whose resident's
card expired made 48 at once); a later pass updates the summary while it is
open, and raises a new one once it was acknowledged."""

import datetime

import pytest
from freezegun import freeze_time

from realtime.models import Alert, Event
from realtime.services import alert_acknowledge
from subscriptions import services
from subscriptions.models import SubscriptionOccurrence
from tests.service_levels import local

pytestmark = pytest.mark.django_db

MONDAY_8 = local(2026, 11, 23, 8, 0)
HOURLY = "FREQ=HOURLY;BYMINUTE=0;BYSECOND=0"
WEEKLY_TUESDAY_9 = "FREQ=WEEKLY;BYDAY=TU;BYHOUR=9;BYMINUTE=0;BYSECOND=0"


@pytest.fixture
def subscribe(users, people, catalog):
    def make(rule: str, service: str = "clean"):
        with freeze_time(local(2026, 11, 1, 0, 0)):
            return services.subscription_create(
                actor=users["front_desk"], resident=people["with_card"], service=catalog[service], rule=rule,
                starts_at=local(2026, 11, 1, 0, 0),
            )

    return make


@pytest.fixture
def card_expired(people):
    people["with_card"].card_valid_until = datetime.date(2026, 11, 20)
    people["with_card"].save()


def _not_ordered_alerts():
    return Alert.objects.filter(kind=services.SUBSCRIPTION_ALERT).order_by("id")


def _raised_events() -> list[dict]:
    return [e.data for e in Event.objects.filter(type="alert.raised").order_by("id")
            if e.data["kind"] == services.SUBSCRIPTION_ALERT]


def test_a_pass_that_cannot_order_48_occurrences_raises_one_alert(subscribe, card_expired, scheduler):
    hourly = subscribe(HOURLY)
    weekly = subscribe(WEEKLY_TUESDAY_9)
    scheduler(MONDAY_8)
    failed = SubscriptionOccurrence.objects.filter(outcome="failed")
    assert failed.count() == 48 + 1  # SUBSCRIPTION_LEAD_HOURS of hours, and Tuesday's visit
    (alert,) = _not_ordered_alerts()
    assert alert.count == 1
    assert alert.data["failed"] == 49
    assert alert.data["subscriptions"] == sorted([hourly.pk, weekly.pk]) and alert.data["subscriptions_count"] == 2
    first = failed.order_by("occurs_at", "subscription_id").first()
    assert alert.data["subscription"] == first.subscription_id
    assert datetime.datetime.fromisoformat(alert.data["occurs_at"]) == first.occurs_at
    assert "card" in alert.data["reason"]
    assert len(_raised_events()) == 1  # one pop-up, one sound


def test_a_later_pass_updates_the_open_summary_and_a_new_one_follows_an_acknowledgement(
    subscribe, card_expired, scheduler, users
):
    subscribe(HOURLY)
    scheduler(MONDAY_8)
    (first,) = _not_ordered_alerts()
    scheduler(MONDAY_8 + datetime.timedelta(hours=2))  # two more hours come into the lead time
    (again,) = _not_ordered_alerts()
    assert again.pk == first.pk and again.count == 2 and again.data["failed"] == 2
    raised = _raised_events()
    assert [e["id"] for e in raised] == [first.pk, first.pk] and raised[-1]["count"] == 2

    alert_acknowledge(actor=users["dispatcher"], alert_id=first.pk)
    scheduler(MONDAY_8 + datetime.timedelta(hours=3))
    assert [(a.pk == first.pk, a.data["failed"]) for a in _not_ordered_alerts()] == [(True, 2), (False, 1)]


def test_a_pass_with_nothing_failed_raises_nothing(subscribe, scheduler):
    subscribe(HOURLY)
    scheduler(MONDAY_8)
    assert not _not_ordered_alerts().exists()
