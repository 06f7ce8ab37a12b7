"""Recurring services: the RRULE is checked, each occurrence's order is made
SUBSCRIPTION_LEAD_HOURS ahead exactly once (twice concurrently on
PostgreSQL too), closures are skipped, and pausing, resuming and ending keep
the history."""

import datetime
import threading

import pytest
from django.db import connection, connections
from freezegun import freeze_time

from core.errors import Conflict, InvalidInput
from realtime.models import Alert
from sla.models import Closure
from subscriptions import services
from subscriptions.models import Subscription, SubscriptionOccurrence
from tests.service_levels import local
from workorders.models import OrderHistory, WorkOrder

MONDAY_8 = local(2026, 11, 23, 8, 0)
WEEKLY_TUESDAY_9 = "FREQ=WEEKLY;BYDAY=TU;BYHOUR=9;BYMINUTE=0;BYSECOND=0"


@pytest.fixture
def subscribe(users, people, catalog):
    def make(rule: str = WEEKLY_TUESDAY_9, service: str = "clean", **kw):
        kw.setdefault("starts_at", local(2026, 11, 1, 0, 0))
        with freeze_time(local(2026, 11, 1, 0, 0)):
            return services.subscription_create(
                actor=users["front_desk"], resident=people["with_card"], service=catalog[service], rule=rule, **kw
            )

    return make


def _orders(subscription) -> list[WorkOrder]:
    return list(
        WorkOrder.objects.filter(subscription_occurrence__subscription=subscription).order_by("requested_for")
    )


@pytest.mark.django_db
def test_the_next_occurrence_is_ordered_ahead_once(subscribe, scheduler):
    subscription = subscribe()
    scheduler(MONDAY_8)  # Tuesday 24th 09:00 is within 48 hours
    scheduler(MONDAY_8 + datetime.timedelta(minutes=1))
    orders = _orders(subscription)
    assert [o.requested_for for o in orders] == [local(2026, 11, 24, 9, 0)]
    order = orders[0]
    assert order.channel == "api" and order.state == "received"
    assert OrderHistory.objects.filter(order=order, transition="create").count() == 1


@pytest.mark.django_db
def test_occurrences_further_ahead_wait(subscribe, scheduler):
    subscription = subscribe()
    scheduler(local(2026, 11, 21, 8, 0))  # Tuesday 24th 09:00 is 73 hours away
    assert _orders(subscription) == []


@pytest.mark.django_db
def test_the_preferred_worker_is_assigned(subscribe, scheduler, people):
    subscription = subscribe(preferred_worker=people["cleaner"])
    scheduler(MONDAY_8)
    order = _orders(subscription)[0]
    assert order.state == "assigned" and order.worker == people["cleaner"]
    assert OrderHistory.objects.filter(order=order, transition="assign", actor__isnull=True).exists()


@pytest.mark.parametrize(
    ("rule", "expected"),
    [
        # Every other Friday from 6 November 2026.
        ("FREQ=WEEKLY;INTERVAL=2;BYDAY=FR;BYHOUR=10;BYMINUTE=0;BYSECOND=0",
         [local(2026, 11, 20, 10, 0), local(2026, 12, 4, 10, 0)]),
        # The first Monday of the month.
        ("FREQ=MONTHLY;BYDAY=+1MO;BYHOUR=9;BYMINUTE=30;BYSECOND=0", [local(2026, 12, 7, 9, 30)]),
    ],
)
@pytest.mark.django_db
def test_schedules_of_the_issue(rule, expected, subscribe, settings):
    subscription = subscribe(rule=rule, starts_at=local(2026, 11, 6, 0, 0))
    found = services.occurrences_between(subscription, local(2026, 11, 15, 0, 0), local(2026, 12, 10, 0, 0))
    assert found == expected


@pytest.mark.django_db
def test_an_occurrence_in_a_closure_is_skipped(subscribe, scheduler):
    Closure.objects.create(first_day=datetime.date(2026, 11, 24), last_day=datetime.date(2026, 11, 24), reason="Staff day")
    subscription = subscribe()
    scheduler(MONDAY_8)
    scheduler(MONDAY_8 + datetime.timedelta(minutes=1))
    occurrence = SubscriptionOccurrence.objects.get(subscription=subscription)
    assert occurrence.outcome == "closure" and occurrence.order is None
    assert _orders(subscription) == []


@pytest.mark.django_db
def test_an_occurrence_that_cannot_be_ordered_is_recorded_and_alerted(subscribe, scheduler, people):
    subscription = subscribe()
    people["with_card"].card_valid_until = datetime.date(2026, 11, 20)
    people["with_card"].save()
    scheduler(MONDAY_8)
    occurrence = SubscriptionOccurrence.objects.get(subscription=subscription)
    assert occurrence.outcome == "failed" and "card" in occurrence.reason
    assert Alert.objects.filter(kind="subscription.not_ordered", data__subscription=subscription.pk).count() == 1
    scheduler(MONDAY_8 + datetime.timedelta(minutes=1))
    assert SubscriptionOccurrence.objects.filter(subscription=subscription).count() == 1


@pytest.mark.django_db
def test_pause_resume_and_end_keep_the_history(subscribe, scheduler, users):
    subscription = subscribe()
    desk = users["front_desk"]
    with freeze_time(local(2026, 11, 22, 8, 0)):
        services.subscription_pause(actor=desk, subscription_id=subscription.pk, note="In hospital")
    scheduler(MONDAY_8)
    assert _orders(subscription) == []
    with freeze_time(local(2026, 11, 24, 12, 0)):
        services.subscription_resume(actor=desk, subscription_id=subscription.pk)
    # Paused occurrences are not made up; the next one (1 December) comes.
    scheduler(local(2026, 11, 29, 10, 0))
    assert [o.requested_for for o in _orders(subscription)] == [local(2026, 12, 1, 9, 0)]
    with freeze_time(local(2026, 12, 2, 8, 0)):
        services.subscription_end(actor=desk, subscription_id=subscription.pk)
    scheduler(local(2026, 12, 7, 10, 0))
    assert len(_orders(subscription)) == 1
    subscription.refresh_from_db()
    assert subscription.status == "ended" and subscription.ends_at == local(2026, 12, 2, 8, 0)
    assert list(subscription.history.values_list("action", "from_status", "to_status")) == [
        ("create", "", "active"), ("pause", "active", "paused"), ("resume", "paused", "active"), ("end", "active", "ended"),
    ]
    with pytest.raises(Conflict):
        services.subscription_resume(actor=desk, subscription_id=subscription.pk)


@pytest.mark.parametrize(
    "rule", ["", "FREQ=SOMETIMES", "BYDAY=XX", "FREQ=WEEKLY;COUNT=0", "FREQ=MINUTELY", "FREQ=WEEKLY;UNTIL=20261201T000000Z"]
)
@pytest.mark.django_db
def test_a_bad_rule_is_refused(rule, subscribe):
    with pytest.raises(InvalidInput) as caught:
        subscribe(rule=rule)
    assert "rule" in caught.value.fields


# --- API ----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_api_creates_lists_and_pauses(api, people, catalog):
    body = {
        "resident": people["with_card"].pk, "service": catalog["clean"].pk, "rule": WEEKLY_TUESDAY_9,
        "starts_at": "2027-01-01T00:00:00+08:00", "preferred_worker": people["cleaner"].pk,
    }
    created = api("front_desk").post("/api/v1/subscriptions/", body, format="json")
    assert created.status_code == 201, created.json()
    sid = created.json()["id"]
    assert created.json()["history"][0]["action"] == "create"
    paused = api("dispatcher").post(f"/api/v1/subscriptions/{sid}/pause/", {"note": "Away"}, format="json")
    assert paused.status_code == 200 and paused.json()["status"] == "paused"
    again = api("dispatcher").post(f"/api/v1/subscriptions/{sid}/pause/", {}, format="json")
    assert again.status_code == 409
    listed = api("supervisor").get(f"/api/v1/subscriptions/?resident={people['with_card'].pk}").json()
    assert [s["id"] for s in listed["results"]] == [sid]


@pytest.mark.django_db
def test_api_refuses_a_bad_rule_with_a_field_message(api, people, catalog):
    body = {"resident": people["with_card"].pk, "service": catalog["clean"].pk, "rule": "FREQ=NEVER",
            "starts_at": "2027-01-01T00:00:00+08:00"}
    response = api("front_desk").post("/api/v1/subscriptions/", body, format="json")
    assert response.status_code == 400 and "rule" in response.json()["fields"]


@pytest.mark.parametrize(("role", "status"), [("field_worker", 403), ("finance", 403), ("supervisor", 403)])
@pytest.mark.django_db
def test_roles_that_may_not_subscribe(role, status, api, people, catalog):
    body = {"resident": people["with_card"].pk, "service": catalog["clean"].pk, "rule": WEEKLY_TUESDAY_9,
            "starts_at": "2027-01-01T00:00:00+08:00"}
    assert api(role).post("/api/v1/subscriptions/", body, format="json").status_code == status


# --- Two schedulers at once -------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("attempt", range(3))
def test_two_schedulers_at_once_create_each_order_once(attempt, subscribe):
    if connection.vendor != "postgresql":
        pytest.skip("concurrent schedulers are checked on PostgreSQL (DATABASE_URL)")
    subscriptions = [subscribe(), subscribe(rule="FREQ=DAILY;BYHOUR=15;BYMINUTE=0;BYSECOND=0")]
    barrier = threading.Barrier(2)
    errors: list[BaseException] = []

    def run():
        try:
            barrier.wait()
            services.subscriptions_schedule(now=MONDAY_8)
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run) for _ in range(2)]
    # Frozen for both threads: the occurrences must lie ahead of "now" whenever the test runs.
    with freeze_time(MONDAY_8):
        for t in threads:
            t.start()
        for t in threads:
            t.join(60)
    assert errors == []
    assert len(_orders(subscriptions[0])) == 1
    # Daily at 15:00 within 48 hours of Monday 08:00: Monday, Tuesday.
    assert len(_orders(subscriptions[1])) == 2
    assert WorkOrder.objects.count() == 3 == SubscriptionOccurrence.objects.count()
    assert Subscription.objects.count() == 2
