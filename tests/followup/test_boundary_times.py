"""Times and days at the boundary of the quality loop: a visit took place
between the day it was planned and now; a visit is agreed within the horizon
(a year); a month served and a spot check's period are days that have come.
Far days are 400 with the field, never a 500; the database holds no visit
time outside the window of stored times."""

import datetime

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from followup.models import PeriodicVisit, SpotCheck


@pytest.fixture
def visit(api, people):
    created = api("dispatch_lead").post("/api/v1/visits/", {
        "scheduled_for": str(timezone.localdate() + datetime.timedelta(days=1)), "residents": [people["with_card"].pk],
    }, format="json")
    assert created.status_code == 201, created.content
    return PeriodicVisit.objects.get(pk=created.json()[0]["id"])


def _record(api, visit, visited_at):
    return api("dispatch_lead").post(f"/api/v1/visits/{visit.pk}/record/",
                                     {"findings": "Needs a grab bar", "visited_at": visited_at}, format="json")


@pytest.mark.parametrize("visited_at", ["0001-01-01T00:00:00Z", "1970-01-01T08:00:00+08:00"])
def test_a_visit_recorded_in_year_one_or_1970_is_400(api, visit, visited_at):
    response = _record(api, visit, visited_at)
    assert response.status_code == 400, response.content
    assert "visited_at" in response.json()["fields"]
    assert PeriodicVisit.objects.get(pk=visit.pk).status == "scheduled"


def test_a_visit_before_the_day_it_was_planned_is_400_and_earlier_that_day_is_taken(api, visit):
    planned = timezone.localtime(visit.created_at)
    day_before = (planned - datetime.timedelta(days=1)).isoformat()
    assert _record(api, visit, day_before).status_code == 400
    morning = planned.replace(hour=0, minute=0, second=0, microsecond=0).isoformat()
    response = _record(api, visit, morning)
    assert response.status_code == 200, response.content


@pytest.mark.parametrize("moment", [datetime.datetime(1, 1, 1, tzinfo=datetime.UTC),
                                    datetime.datetime(9999, 12, 31, tzinfo=datetime.UTC)])
def test_the_database_holds_no_visit_time_outside_the_window(visit, moment):
    with pytest.raises(IntegrityError), transaction.atomic():
        PeriodicVisit.objects.filter(pk=visit.pk).update(visited_at=moment)


@pytest.mark.parametrize("body", [
    {"scheduled_for": "9999-12-31"},
    {"scheduled_for": "2099-01-01"},
    {"scheduled_for": "<400 days>"},
])
def test_a_visit_agreed_past_the_horizon_is_400(api, people, body):
    if body["scheduled_for"] == "<400 days>":
        body = {"scheduled_for": str(timezone.localdate() + datetime.timedelta(days=400))}
    response = api("dispatch_lead").post("/api/v1/visits/", {**body, "residents": [people["with_card"].pk]},
                                         format="json")
    assert response.status_code == 400, response.content
    assert "scheduled_for" in response.json()["fields"]
    assert not PeriodicVisit.objects.exists()


@pytest.mark.parametrize("month", ["9999-12-01", "0001-01-01", "2099-01-01"])
def test_a_month_served_that_has_not_come_or_is_ages_ago_is_400_not_an_error(api, people, month):
    response = api("dispatch_lead").post("/api/v1/visits/", {
        "scheduled_for": str(timezone.localdate() + datetime.timedelta(days=1)),
        "served_by_worker": people["cleaner"].pk, "month": month,
    }, format="json")
    assert response.status_code == 400, response.content
    assert "month" in response.json()["fields"]


@pytest.mark.parametrize(("start", "end", "field"), [
    ("2026-01-01", "9999-12-31", "period_end"),
    ("0001-01-01", "2026-01-31", "period_start"),
    ("2099-01-01", "2099-01-31", "period_start"),
])
def test_a_spot_check_period_outside_the_days_calls_were_made_is_400_not_an_error(api, start, end, field):
    response = api("supervisor").post("/api/v1/spot-checks/", {
        "period_start": start, "period_end": end, "percentage": 10,
    }, format="json")
    assert response.status_code == 400, response.content
    assert field in response.json()["fields"]
    assert not SpotCheck.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_the_migration_clears_a_visit_time_stored_before_it_was_checked_and_keeps_it_in_the_findings(api, visit):
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    assert _record(api, visit, None).status_code == 200
    before = ("followup", "0002_roles")
    executor = MigrationExecutor(connection)
    executor.migrate([before])
    try:
        old = executor.loader.project_state([before]).apps.get_model("followup", "PeriodicVisit")
        old.objects.filter(pk=visit.pk).update(visited_at=datetime.datetime(1, 1, 1, tzinfo=datetime.UTC))
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())
    repaired = PeriodicVisit.objects.get(pk=visit.pk)
    assert repaired.visited_at is None and repaired.status == "visited"
    assert repaired.findings == "Needs a grab bar\n[visited_at 0001-01-01T00:00:00+00:00]"
