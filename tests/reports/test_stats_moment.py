"""The figures the supervisor reads: requests per week by
outcome, and the orders overdue now by the escalation level reached, checked
against hand-computed values on the known week of test_stats; both through
the roll-up and from the base tables alone, in the API, the exports and the
page."""

import csv
import io

import pytest
from freezegun import freeze_time
from openpyxl import load_workbook

from reports import stats
from tests.reports.test_stats import NOW, PERIOD, week  # noqa: F401 (the known week's fixture)
from tests.service_levels import local

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("week")]

NO_ONE = {"dispatcher": 0, "dispatch_lead": 0, "supervisor": 0}


def _stats(api, query=PERIOD, at=NOW):
    with freeze_time(at):
        response = api("supervisor").get(f"/api/v1/stats/?{query}")
    assert response.status_code == 200, response.json()
    return response.json()


def test_requests_per_week_by_outcome(api):
    # A to E served, one referred, one without a card, one out of the area.
    assert _stats(api)["weekly_intakes"] == [
        {"week": "2026-11-02", "total": 8, "served": 5, "cannot_serve": 1, "no_card": 1, "out_of_area": 1},
    ]


def test_requests_per_week_over_two_weeks_and_filtered(api, catalog):
    # F, taken Monday 9 November, opens the second week (asked for on the 10th).
    two_weeks = _stats(api, "from=2026-11-02&to=2026-11-09", at=local(2026, 11, 10, 12, 0))["weekly_intakes"]
    assert [(w["week"], w["total"], w["served"]) for w in two_weeks] == [("2026-11-02", 8, 5), ("2026-11-09", 1, 1)]
    web = _stats(api, PERIOD + "&channel=web")["weekly_intakes"]
    assert web == [{"week": "2026-11-02", "total": 1, "served": 1, "cannot_serve": 0, "no_card": 0, "out_of_area": 0}]
    other_area = _stats(api, PERIOD + f"&area={catalog['other_area'].pk}")["weekly_intakes"]
    assert [(w["total"], w["out_of_area"]) for w in other_area] == [(1, 1)]
    assert _stats(api, "from=2026-10-01&to=2026-10-31")["weekly_intakes"] == []


@pytest.mark.parametrize(
    ("at", "levels"),
    [
        # E (taken Wed 4 November 09:00) was due to be dispatched at 10:00.
        (local(2026, 11, 4, 9, 59), NO_ONE),
        (local(2026, 11, 4, 10, 30), {**NO_ONE, "dispatcher": 1}),
        # The lead after 60 minutes past the deadline (exactly 60: not yet).
        (local(2026, 11, 4, 11, 0), {**NO_ONE, "dispatcher": 1}),
        (local(2026, 11, 4, 11, 1), {**NO_ONE, "dispatch_lead": 1}),
        # The supervisor after 240 minutes.
        (local(2026, 11, 4, 14, 1), {**NO_ONE, "supervisor": 1}),
        (NOW, {**NO_ONE, "supervisor": 1}),
        # Monday 9 November: F (taken 09:00, due 10:00) joins E.
        (local(2026, 11, 9, 10, 30), {**NO_ONE, "dispatcher": 1, "supervisor": 1}),
        (local(2026, 11, 9, 12, 0), {**NO_ONE, "dispatch_lead": 1, "supervisor": 1}),
    ],
)
def test_overdue_now_by_escalation_level(api, at, levels):
    figures = _stats(api, at=at)
    assert figures["overdue_by_level"] == levels
    # Every overdue order is at exactly one level.
    assert sum(figures["overdue_by_level"].values()) == sum(figures["overdue_now"].values())


def test_overdue_by_level_follows_the_configured_lags(api, settings):
    settings.SLA_LEAD_LAG_MINUTES = 10
    settings.SLA_SUPERVISOR_LAG_MINUTES = 20
    assert _stats(api, at=local(2026, 11, 4, 10, 15))["overdue_by_level"] == {**NO_ONE, "dispatch_lead": 1}


def test_overdue_and_by_level_follow_the_filters(api, people, catalog):
    at = local(2026, 11, 9, 12, 0)
    assert _stats(api, PERIOD + "&channel=web", at=at)["overdue_by_level"] == NO_ONE
    assert _stats(api, PERIOD + f"&area={catalog['area'].pk}", at=at)["overdue_now"]["dispatch"] == 2
    assert _stats(api, PERIOD + f"&area={catalog['other_area'].pk}", at=at)["overdue_now"]["dispatch"] == 0
    assert _stats(api, PERIOD + f"&worker={people['cleaner'].pk}", at=at)["overdue_by_level"] == NO_ONE


def test_an_order_served_late_leaves_overdue_and_stays_missed(api, users, people, request):
    from core import scheduler as reports
    from workorders import services as orders

    with freeze_time(local(2026, 11, 5, 12, 30)):
        orders.order_assign(actor=users["dispatcher"], order_id=request.getfixturevalue("week")["e"].pk, worker_id=people["cleaner"].pk)
    with freeze_time(local(2026, 11, 5, 12, 40)):
        reports.scheduler_pass()
    figures = _stats(api, at=local(2026, 11, 5, 13, 0))
    assert figures["overdue_by_level"] == NO_ONE
    assert figures["overdue_now"]["dispatch"] == 0
    # E dispatched a day late: missed as before, now late instead of pending.
    assert figures["compliance"]["dispatch"] == {"met": 2, "missed": 2, "rate": 0.5}


def test_pending_counts_orders_past_the_deadline_only():
    f = stats.Filters(first_day=local(2026, 11, 2, 0, 0).date(), last_day=local(2026, 11, 8, 0, 0).date())
    assert stats.pending_now(f, now=local(2026, 11, 4, 9, 59)) == {"dispatch": 0, "start": 0, "followup": 0}
    assert stats.pending_now(f, now=NOW) == {"dispatch": 1, "start": 0, "followup": 0}


def test_exports_carry_the_new_tables(api):
    with freeze_time(NOW):
        csv_response = api("supervisor").get(f"/api/v1/stats/export/csv/?{PERIOD}")
        xlsx_response = api("supervisor").get(f"/api/v1/stats/export/xlsx/?{PERIOD}")
    cell = {(r["table"], r["row"], r["column"]): r["value"]
            for r in csv.DictReader(io.StringIO(csv_response.content.decode()))}
    assert cell[("weekly_intakes", "2026-11-02", "served")] == "5"
    assert cell[("weekly_intakes", "2026-11-02", "requests")] == "8"
    assert cell[("overdue_by_level", "supervisor", "orders")] == "1"
    assert cell[("overdue_by_level", "dispatcher", "orders")] == "0"
    workbook = load_workbook(io.BytesIO(xlsx_response.content))
    assert list(workbook["weekly_intakes"].iter_rows(values_only=True)) == [
        ("Week of", "Served", "Cannot serve (referred)", "Eligible without service card", "Outside the service area",
         "Requests"), ("2026-11-02", 5, 1, 1, 1, 8),
    ]
    assert list(workbook["overdue_by_level"].iter_rows(values_only=True))[1:] == [
        ("Dispatcher", 0), ("Dispatch lead", 0), ("Supervisor", 1),
    ]
