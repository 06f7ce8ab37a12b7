"""Times at the boundary: every time a person gives an order lies in a sane
window and means what it says. A return's service lies between the order's
collection (or its emergency start) and now, and ends after it starts; an
agreed time lies between now and the horizon. The API refuses the rest with
400 and the field; the database refuses a time no zone can write in RFC 3339;
no answer carries an offset with seconds (year 1 in Asia/Shanghai: +08:05:43)."""

import datetime
import re

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from workorders.models import WorkOrder
from workorders.services import PAST_GRACE

# The horizon of an agreed time is a year (dispatch.services.AGREED_HORIZON).
WITHIN_THE_HORIZON = datetime.timedelta(days=300)
PAST_THE_HORIZON = datetime.timedelta(days=400)

# RFC 3339's date-time: an offset is Z or hours and minutes, never seconds.
RFC3339 = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$")


@pytest.fixture
def returned(order_in, users):
    """returned() -> an order taken back with times that make sense: from its collection to now."""
    from workorders import services

    def make():
        order = order_in("in_service")
        return services.order_return(actor=users["front_desk"], order_id=order.pk, actual_start=order.collected_at,
                                     actual_end=timezone.now())

    return make


def _return(api, order, start, end):
    return api("front_desk").post(
        f"/api/v1/orders/{order.pk}/return_order/",
        {"actual_start": start if isinstance(start, str) else start.isoformat(),
         "actual_end": end if isinstance(end, str) else end.isoformat()},
        format="json",
    )


@pytest.mark.parametrize("start", ["0001-01-01T00:00:00Z", "0001-01-01T08:00:00", "1970-01-01T08:00:00+08:00"])
def test_a_return_that_started_in_year_one_or_1970_is_400_on_its_start(api, order_in, start):
    order = order_in("in_service")
    response = _return(api, order, start, timezone.now())
    assert response.status_code == 400, response.content
    assert "actual_start" in response.json()["fields"]
    order.refresh_from_db()
    assert order.state == "in_service" and order.actual_start is None


def test_a_return_that_started_before_the_worker_had_the_order_is_400(api, order_in):
    order = order_in("in_service")
    response = _return(api, order, order.collected_at - PAST_GRACE - datetime.timedelta(minutes=1), timezone.now())
    assert response.status_code == 400
    assert "actual_start" in response.json()["fields"]
    assert WorkOrder.objects.get(pk=order.pk).state == "in_service"


def test_a_return_between_the_collection_and_now_is_taken_to_the_minute(api, order_in):
    order = order_in("in_service")
    # As the desk's form sends it: the collection's minute, without its seconds.
    start = timezone.localtime(order.collected_at).replace(second=0, microsecond=0)
    response = _return(api, order, start, timezone.now())
    assert response.status_code == 200, response.content
    assert response.json()["state"] == "returned"


def test_an_emergency_order_counts_from_its_emergency_start(api, order_in, run_transition):
    order = run_transition(order_in("received"), "emergency_start")
    assert order.collected_at is not None
    before = _return(api, order, order.collected_at - datetime.timedelta(hours=1), timezone.now())
    assert before.status_code == 400 and "actual_start" in before.json()["fields"]
    assert _return(api, order, order.collected_at, timezone.now()).status_code == 200


def test_a_return_must_end_after_it_starts(api, order_in):
    order = order_in("in_service")
    now = timezone.now()
    response = _return(api, order, now, now)
    assert response.status_code == 400 and "actual_end" in response.json()["fields"]


@pytest.mark.parametrize("end", ["9999-12-31T23:59:59Z", "2100-01-01T00:00:00+08:00"])
def test_a_return_that_ends_centuries_ahead_is_400(api, order_in, end):
    order = order_in("in_service")
    response = _return(api, order, order.collected_at, end)
    assert response.status_code == 400 and "actual_end" in response.json()["fields"]


def _create(api, people, catalog, requested_for):
    return api("front_desk").post("/api/v1/orders/", {
        "resident": people["with_card"].pk, "service": catalog["clean"].pk, "channel": "phone",
        "urgency": "normal", "requested_for": requested_for,
    }, format="json")


@pytest.mark.parametrize("when", [
    "9999-12-31T23:59:59Z",
    "2099-03-04T15:30:00+08:00",
    lambda: (timezone.now() + PAST_THE_HORIZON).isoformat(),
])
def test_an_agreed_time_past_the_horizon_is_400(api, people, catalog, when):
    response = _create(api, people, catalog, when() if callable(when) else when)
    assert response.status_code == 400, response.content
    assert "requested_for" in response.json()["fields"]
    assert not WorkOrder.objects.exists()


def test_an_agreed_time_in_the_past_is_400_and_one_within_the_horizon_is_taken(api, people, catalog):
    past = _create(api, people, catalog, "1970-01-01T08:00:00+08:00")
    assert past.status_code == 400 and "requested_for" in past.json()["fields"]
    ahead = _create(api, people, catalog, (timezone.now() + WITHIN_THE_HORIZON).isoformat())
    assert ahead.status_code == 201, ahead.content
    assert RFC3339.match(ahead.json()["requested_for"])


@pytest.mark.parametrize("field", ["requested_for", "actual_start", "actual_end"])
@pytest.mark.parametrize("moment", [
    datetime.datetime(1, 1, 1, tzinfo=datetime.UTC),
    datetime.datetime(1970, 1, 1, tzinfo=datetime.UTC),
    datetime.datetime(9999, 12, 31, tzinfo=datetime.UTC),
])
def test_the_database_holds_no_time_outside_the_window(returned, field, moment):
    order = returned()
    with pytest.raises(IntegrityError), transaction.atomic():
        WorkOrder.objects.filter(pk=order.pk).update(**{field: moment})


def test_every_time_in_the_answers_is_rfc_3339(api, order_in, returned, settings):
    # Asia/Shanghai had +08:05:43 before 1901: a year-one time would show it.
    settings.TIME_ZONE = "Asia/Shanghai"
    returned()
    # Whatever the answer to a return dated year one, no list may show it as it was.
    _return(api, order_in("in_service"), "0001-01-01T00:00:00Z", timezone.now())
    for role in ("front_desk", "dispatcher"):
        for order in api(role).get("/api/v1/orders/").json()["results"]:
            times = [order[k] for k in ("requested_for", "assigned_at", "approved_at", "collected_at", "actual_start",
                                        "actual_end", "returned_at", "fee_paid_at", "created_at", "updated_at")]
            times += [entry["at"] for entry in order["history"]]
            for value in filter(None, times):
                assert RFC3339.match(value), value


@pytest.mark.django_db(transaction=True)
def test_the_migration_clears_times_stored_before_they_were_checked_and_keeps_them_in_the_history(returned):
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    from workorders.models import OrderHistory

    order = returned()
    before = ("workorders", "0007_approval_owed")
    executor = MigrationExecutor(connection)
    executor.migrate([before])
    try:
        # As the unchecked API stored it: a return dated year one.
        old = executor.loader.project_state([before]).apps.get_model("workorders", "WorkOrder")
        old.objects.filter(pk=order.pk).update(actual_start=datetime.datetime(1, 1, 1, tzinfo=datetime.UTC))
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())
    repaired = WorkOrder.objects.get(pk=order.pk)
    assert repaired.actual_start is None and repaired.actual_end == order.actual_end
    last = OrderHistory.objects.filter(order=order).last()
    assert (last.transition, last.actor, last.from_state, last.to_state) == ("clear_times", None, "returned", "returned")
    assert last.note == "actual_start 0001-01-01T00:00:00+00:00"
