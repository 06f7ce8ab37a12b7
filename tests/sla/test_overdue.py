"""Orders past a deadline are marked red and alerted once per stage and
level: the dispatcher at the deadline, the lead and then the supervisor at
their lags. Time is frozen."""

import datetime

import pytest
from freezegun import freeze_time

from realtime.models import Alert
from sla.models import OverdueMark
from tests.conftest import race
from tests.service_levels import local

pytestmark = pytest.mark.django_db

FRIDAY_16 = local(2026, 11, 20, 16, 0)
DISPATCH_BY = local(2026, 11, 23, 9, 0)  # 2 working hours later (see test_deadlines)
MINUTE = datetime.timedelta(minutes=1)


def _levels(order) -> list[str]:
    return list(OverdueMark.objects.filter(order=order).order_by("id").values_list("level", flat=True))


def _overdue_alerts():
    return Alert.objects.filter(kind="order.overdue").order_by("id")


def test_nothing_is_marked_before_the_deadline(levels, new_order, scheduler):
    order = new_order("clean", at=FRIDAY_16)
    scheduler(DISPATCH_BY - MINUTE)
    assert _levels(order) == [] and not _overdue_alerts().exists()


def test_levels_follow_at_their_lags_and_each_alerts_once(levels, new_order, scheduler):
    order = new_order("clean", at=FRIDAY_16)
    scheduler(DISPATCH_BY + MINUTE)
    assert _levels(order) == ["dispatcher"]
    scheduler(DISPATCH_BY + 2 * MINUTE)  # again: nothing new
    assert _levels(order) == ["dispatcher"]
    scheduler(DISPATCH_BY + datetime.timedelta(minutes=61))
    assert _levels(order) == ["dispatcher", "dispatch_lead"]
    scheduler(DISPATCH_BY + datetime.timedelta(minutes=241))
    scheduler(DISPATCH_BY + datetime.timedelta(minutes=300))
    assert _levels(order) == ["dispatcher", "dispatch_lead", "supervisor"]
    # One alert for the order while it is open: each level updated it.
    (alert,) = _overdue_alerts()
    assert alert.data["to_role"] == "supervisor" and alert.count == 3
    assert alert.data["number"] == order.number and alert.data["stage"] == "dispatch"
    # No personal data in what every board receives.
    assert "resident" not in alert.data


def test_a_late_scheduler_marks_all_due_levels_with_one_alert_at_the_highest(levels, new_order, scheduler):
    order = new_order("clean", at=FRIDAY_16)
    scheduler(DISPATCH_BY + datetime.timedelta(hours=5))
    assert sorted(_levels(order)) == ["dispatch_lead", "dispatcher", "supervisor"]
    alerts = list(_overdue_alerts())
    assert [a.data["to_role"] for a in alerts] == ["supervisor"]
    assert set(OverdueMark.objects.filter(order=order).values_list("alert_id", flat=True)) == {alerts[0].pk}


def test_a_scheduler_late_past_one_level_alerts_that_level_only(levels, new_order, scheduler):
    order = new_order("clean", at=FRIDAY_16)
    scheduler(DISPATCH_BY + datetime.timedelta(minutes=90))
    assert sorted(_levels(order)) == ["dispatch_lead", "dispatcher"]
    assert [a.data["to_role"] for a in _overdue_alerts()] == ["dispatch_lead"]
    scheduler(DISPATCH_BY + datetime.timedelta(hours=5))
    assert [(a.data["to_role"], a.count) for a in _overdue_alerts()] == [("supervisor", 2)]


def test_lags_are_configurable(settings, levels, new_order, scheduler):
    settings.SLA_LEAD_LAG_MINUTES = 5
    order = new_order("clean", at=FRIDAY_16)
    scheduler(DISPATCH_BY + 6 * MINUTE)
    assert _levels(order) == ["dispatcher", "dispatch_lead"]


def test_dispatching_ends_the_red_mark_and_the_start_stage_has_its_own(levels, new_order, scheduler, run_transition, api):
    order = new_order("clean", at=FRIDAY_16)
    scheduler(DISPATCH_BY + MINUTE)
    with freeze_time(DISPATCH_BY + 2 * MINUTE):
        assert [r["id"] for r in api("dispatcher").get("/api/v1/stats/overdue/").json()["results"]] == [order.pk]
        run_transition(order, "assign")
    scheduler(DISPATCH_BY + 3 * MINUTE)
    with freeze_time(DISPATCH_BY + 4 * MINUTE):
        assert api("dispatcher").get("/api/v1/stats/overdue/").json()["results"] == []
    # Start by: 2 working days after the request, Tuesday 16:00.
    scheduler(local(2026, 11, 24, 16, 1))
    assert list(OverdueMark.objects.filter(order=order).values_list("stage", "level")) == [
        ("dispatch", "dispatcher"), ("start", "dispatcher"),
    ]


def test_an_order_changed_since_its_deadlines_were_computed_is_not_alerted(levels, new_order, scheduler, run_transition):
    from sla import services

    order = new_order("clean", at=FRIDAY_16)
    scheduler(DISPATCH_BY - MINUTE)
    with freeze_time(DISPATCH_BY + MINUTE):
        run_transition(order, "assign")
        # Marking alone, without the pass's recomputation first: the stored
        # stage (dispatch) is older than the assignment.
        assert services.overdue_mark()["dispatcher"] == 0
    assert _levels(order) == []


def test_closed_and_cancelled_orders_are_never_red(levels, new_order, scheduler, run_transition):
    order = new_order("clean", at=FRIDAY_16)
    with freeze_time(FRIDAY_16 + MINUTE):
        run_transition(order, "cancel")
    scheduler(DISPATCH_BY + datetime.timedelta(hours=6))
    assert _levels(order) == []


def test_the_overdue_list_names_stage_and_levels(levels, new_order, scheduler, api):
    order = new_order("clean", at=FRIDAY_16)
    scheduler(DISPATCH_BY + datetime.timedelta(minutes=61))
    with freeze_time(DISPATCH_BY + datetime.timedelta(minutes=70)):
        body = api("front_desk").get("/api/v1/stats/overdue/").json()
    assert body["count"] == 1
    row = body["results"][0]
    assert row["number"] == order.number and row["stage"] == "dispatch" and row["overdue_minutes"] == 70
    assert row["levels"] == ["dispatcher", "dispatch_lead"]


def test_order_deadlines_endpoint_marks_red_fresh(levels, new_order, api):
    red = new_order("clean", at=FRIDAY_16)
    fine = new_order("clean", at=DISPATCH_BY)
    with freeze_time(DISPATCH_BY + MINUTE):
        body = api("dispatcher").get(f"/api/v1/orders-deadlines/?ids={red.pk},{fine.pk},999999").json()
    assert body[str(red.pk)]["overdue"] is True
    assert body[str(fine.pk)]["overdue"] is False
    assert "999999" not in body


@pytest.mark.parametrize("query", ["", "?ids=", "?ids=a,b", "?ids=" + ",".join(["1"] * 201)])
def test_order_deadlines_needs_ids(query, api):
    assert api("dispatcher").get(f"/api/v1/orders-deadlines/{query}").status_code == 400


def test_a_field_worker_sees_deadlines_of_own_orders_only(levels, new_order, run_transition, api):
    mine = run_transition(new_order("clean", at=FRIDAY_16), "assign")  # the cleaner is the field worker's login
    other = new_order("clean", at=FRIDAY_16)
    body = api("field_worker").get(f"/api/v1/orders-deadlines/?ids={mine.pk},{other.pk}").json()
    assert list(body) == [str(mine.pk)]


@pytest.mark.parametrize(("role", "status"), [("field_worker", 403), ("nobody", 403), (None, 401), ("dispatch_lead", 200)])
def test_overdue_list_roles(role, status, api):
    assert api(role).get("/api/v1/stats/overdue/").status_code == status


def test_run_scheduler_command_makes_one_pass(levels, new_order):
    from io import StringIO

    from django.core.management import call_command

    order = new_order("clean", at=FRIDAY_16)
    out = StringIO()
    with freeze_time(DISPATCH_BY + MINUTE):
        call_command("run_scheduler", stdout=out)
    assert "'deadlines': 1" in out.getvalue()
    assert _levels(order) == ["dispatcher"]


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("attempt", range(3))
def test_two_schedulers_at_once_mark_each_level_once_and_alert_each_order_once(attempt, levels, new_order):
    from django.db import connection

    from core.scheduler import scheduler_pass

    if connection.vendor != "postgresql":
        pytest.skip("concurrent schedulers are checked on PostgreSQL (DATABASE_URL)")
    late = [new_order("clean", at=FRIDAY_16) for _ in range(5)]
    # Both passes finish (a pass that raised would be missing from the results).
    finished = race([lambda: bool(scheduler_pass(now=DISPATCH_BY + datetime.timedelta(hours=5)))] * 2)
    assert finished == [True, True]
    assert OverdueMark.objects.count() == 15
    # One alert per order, at the highest level, whichever copy made it.
    assert _overdue_alerts().count() == 5
    assert {a.data["to_role"] for a in _overdue_alerts()} == {"supervisor"}
    for order in late:
        assert sorted(_levels(order)) == ["dispatch_lead", "dispatcher", "supervisor"]
