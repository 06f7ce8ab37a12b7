"""Statistics against hand-computed values on a small known week, their
filters and roles, and the CSV and XLSX exports read back."""

import csv
import datetime
import io

import pytest
from freezegun import freeze_time
from openpyxl import load_workbook

from core import scheduler as reports
from dispatch import services as intake
from followup import services as followup
from tests.service_levels import local
from workorders import services as orders

pytestmark = pytest.mark.django_db

PERIOD = "from=2026-11-02&to=2026-11-08"
NOW = local(2026, 11, 5, 12, 0)


@pytest.fixture
def week(users, people, catalog):
    """The week of Monday 2 November 2026 (home cleaning, 60-minute dispatch
    target, price 30):

    A  phone  taken Mon 09:00, assigned 09:30, collected 10:30, returned 12:30,
              called back 15:00 satisfied (quality 5) -> closed; fee paid Mon 16:00
    B  phone  taken Mon 10:00, assigned 11:30 (late), collected 12:00, returned
              13:00, called back Tue 10:00 unsatisfied (2) -> escalated,
              resolved Wed 09:00 -> closed; fee due
    C  web    taken Tue 09:00, assigned 09:10
    D  phone  taken Tue 10:00, cancelled 10:05
    E  phone  taken Wed 09:00, never assigned (past its deadline by now)
    F  phone  taken the Monday after (outside the period)
    and three intakes not served: referred, no card, out of area.
    """
    desk, dispatcher, lead, finance = users["front_desk"], users["dispatcher"], users["dispatch_lead"], users["finance"]
    resident, cleaner, clean = people["with_card"], people["cleaner"], catalog["clean"]

    def at(*when):
        return freeze_time(local(2026, 11, *when))

    def take(channel="phone"):
        return orders.order_create(actor=desk, resident=resident, service=clean, channel=channel)

    def serve(order, assigned, collected, returned):
        with at(*assigned):
            orders.order_assign(actor=dispatcher, order_id=order.pk, worker_id=cleaner.pk)
        with at(*collected):
            orders.order_print(actor=desk, order_id=order.pk)
            orders.order_collect(actor=desk, order_id=order.pk)
        with at(*returned):
            orders.order_return(
                actor=desk, order_id=order.pk, actual_start=local(2026, 11, returned[0], returned[1] - 1, 0),
                actual_end=local(2026, 11, *returned),
            )

    with at(2, 9, 0):
        a = take()
    serve(a, (2, 9, 30), (2, 10, 30), (2, 12, 30))
    with at(2, 15, 0):
        followup.followup_log_call(actor=desk, order_id=a.pk, result="reached", quality=5, satisfied=True)
    with at(2, 16, 0):
        orders.order_settle_fee(actor=finance, order_id=a.pk, receipt="R-0001")
    with at(2, 10, 0):
        b = take()
    serve(b, (2, 11, 30), (2, 12, 0), (2, 13, 0))
    with at(3, 10, 0):
        call = followup.followup_log_call(actor=desk, order_id=b.pk, result="reached", quality=2, satisfied=False)
    with at(4, 9, 0):
        followup.escalation_resolve(actor=lead, escalation_id=call.escalation.pk, outcome="Cleaned again")
    with at(3, 9, 0):
        c = take("web")
    with at(3, 9, 10):
        orders.order_assign(actor=dispatcher, order_id=c.pk, worker_id=cleaner.pk)
    with at(3, 10, 0):
        d = take()
    with at(3, 10, 5):
        orders.order_cancel(actor=desk, order_id=d.pk, reason="Not needed")
    with at(4, 9, 0):
        e = take()
        intake.intake_refer(actor=desk, channel="phone", referred_to="City hospital", caller_phone="+8613812345678")
        intake.intake_no_card(actor=desk, channel="phone", action="invited", resident=people["no_card"])
        intake.intake_out_of_area(actor=desk, channel="phone", area=catalog["other_area"], caller_phone="+8613912345678")
    with at(9, 9, 0):
        take()
    with freeze_time(NOW):
        reports.scheduler_pass()
    return {"a": a, "b": b, "c": c, "d": d, "e": e}


def _stats(api, query=PERIOD, role="supervisor"):
    with freeze_time(NOW):
        response = api(role).get(f"/api/v1/stats/?{query}")
    assert response.status_code == 200, response.json()
    return response.json()


def test_requests_by_outcome(week, api):
    intakes = _stats(api)["intakes"]
    assert intakes["by_outcome"] == {"served": 5, "cannot_serve": 1, "no_card": 1, "out_of_area": 1}
    assert intakes["total"] == 8
    assert intakes["no_card_actions"]["invited"] == 1
    assert intakes["referred_to"] == [{"referred_to": "City hospital", "count": 1}]


def test_orders_by_state(week, api):
    states = _stats(api)["orders_by_state"]
    assert {k: v for k, v in states.items() if v} == {"closed": 2, "assigned": 1, "cancelled": 1, "received": 1}


def test_response_times_median_and_90th_percentile(week, api):
    times = _stats(api)["response_times"]
    # Intake to assign: 600, 1800, 5400 s. Median 1800; p90 at 1.8 -> 1800 + 0.8 * 3600.
    assert times["intake_to_assign"] == {"count": 3, "median": 1800.0, "p90": 4680.0}
    # Assign to collect: 3600 and 1800; collect to return: 7200 and 3600.
    assert times["assign_to_collect"] == {"count": 2, "median": 2700.0, "p90": 3420.0}
    assert times["collect_to_return"] == {"count": 2, "median": 5400.0, "p90": 6840.0}


def test_service_level_compliance(week, api):
    compliance = _stats(api)["compliance"]
    # Dispatch within 60 minutes: A and C met; B late, E still waiting; D cancelled in time.
    assert compliance["dispatch"] == {"met": 2, "missed": 2, "rate": 0.5}
    assert compliance["start"] == {"met": 0, "missed": 0, "rate": None}
    # Called back within one working day: both.
    assert compliance["followup"] == {"met": 2, "missed": 0, "rate": 1.0}


def test_satisfaction_and_escalations(week, api):
    figures = _stats(api)
    satisfaction = figures["satisfaction"]
    assert (satisfaction["reached"], satisfaction["satisfied"], satisfaction["rate"], satisfaction["mean_quality"]) == (2, 1, 0.5, 3.5)
    assert satisfaction["per_service"] == [
        {"code": "clean", "name": "Home cleaning", "reached": 2, "satisfied": 1, "mean_quality": 3.5, "rate": 0.5}
    ]
    assert figures["escalations"] == {"opened": 1, "closed": 1, "open_now": 0}


def test_fees_due_and_paid(week, api):
    assert _stats(api)["fees"] == {"due_count": 1, "due_amount": "30.00", "paid_count": 1, "paid_amount": "30.00"}


def test_weekly_trend_and_overdue_now(week, api):
    figures = _stats(api)
    assert figures["weekly_orders"] == [{"week": "2026-11-02", "orders": 5}]
    # E waits for dispatch; C (assigned) has no start promise.
    assert figures["overdue_now"] == {"dispatch": 1, "start": 0, "followup": 0}


def test_filters(week, api, people, catalog):
    web = _stats(api, PERIOD + "&channel=web")
    assert {k: v for k, v in web["orders_by_state"].items() if v} == {"assigned": 1}
    assert web["intakes"]["total"] == 1
    by_worker = _stats(api, PERIOD + f"&worker={people['cleaner'].pk}")
    assert by_worker["response_times"]["intake_to_assign"]["count"] == 3
    assert sum(by_worker["orders_by_state"].values()) == 3
    assert _stats(api, PERIOD + f"&service={catalog['wound'].pk}")["intakes"]["by_outcome"]["served"] == 0
    other_area = _stats(api, PERIOD + f"&area={catalog['other_area'].pk}")
    assert other_area["intakes"]["by_outcome"] == {"served": 0, "cannot_serve": 0, "no_card": 0, "out_of_area": 1}
    by_partner = _stats(api, PERIOD + f"&partner={people['partner'].pk}")
    assert sum(by_partner["orders_by_state"].values()) == 0
    # The following Monday alone.
    assert _stats(api, "from=2026-11-09&to=2026-11-09")["orders_by_state"]["received"] == 1


@pytest.mark.parametrize("query", ["from=2026-13-01", "from=2026-11-08&to=2026-11-01", "channel=pigeon", "area=x"])
def test_bad_filters_are_400(query, api):
    assert api("supervisor").get(f"/api/v1/stats/?{query}").status_code == 400


@pytest.mark.parametrize(
    ("role", "status", "sections"),
    [
        ("supervisor", 200, {"intakes", "fees"}),
        ("dispatch_lead", 200, {"intakes"}),
        ("finance", 200, {"fees"}),
        ("dispatcher", 403, None),
        ("front_desk", 403, None),
        ("field_worker", 403, None),
        (None, 401, None),
    ],
)
def test_roles(role, status, sections, api):
    response = api(role).get("/api/v1/stats/")
    assert response.status_code == status
    if sections:
        body = response.json()
        assert sections <= set(body)
        assert ("fees" in body) == ("fees" in sections)
        assert ("intakes" in body) == ("intakes" in sections)


def test_csv_export_holds_the_same_figures(week, api):
    with freeze_time(NOW):
        response = api("supervisor").get(f"/api/v1/stats/export/csv/?{PERIOD}")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    assert "statistics-2026-11-02-2026-11-08.csv" in response["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    cell = {(r["table"], r["row"], r["column"]): r["value"] for r in rows}
    assert cell[("orders_by_state", "closed", "orders")] == "2"
    assert cell[("response_times", "intake_to_assign", "90th percentile")] == "4680.0"
    assert cell[("fees", "due", "amount")] == "30.00"
    assert cell[("compliance", "start", "rate")] == ""
    # Beside the keys, the words a person reads, and the unit of a duration.
    by_key = {(r["table"], r["row"], r["column"]): r for r in rows}
    times = by_key[("response_times", "intake_to_assign", "median")]
    assert (times["unit"], times["row_label"], times["column_label"]) == (
        "seconds", "Request taken → worker assigned", "Median")
    assert by_key[("orders_by_state", "closed", "orders")]["row_label"] == "Closed"
    assert by_key[("fees", "due", "amount")]["row_label"] == "Payment due"


def test_xlsx_export_opens_in_a_spreadsheet_reader(week, api):
    with freeze_time(NOW):
        response = api("supervisor").get(f"/api/v1/stats/export/xlsx/?{PERIOD}")
    assert response.status_code == 200
    workbook = load_workbook(io.BytesIO(b"".join(response.streaming_content) if response.streaming else response.content))
    assert {"intakes", "orders_by_state", "response_times", "compliance", "satisfaction", "fees"} <= set(workbook.sheetnames)
    times = list(workbook["response_times"].iter_rows(values_only=True))
    # For a person: words, and durations in minutes.
    assert times[0] == ("Step", "Orders", "Median (minutes)", "90th percentile (minutes)")
    assert times[1] == ("Request taken → worker assigned", 3, 30.0, 78.0)
    fees = list(workbook["fees"].iter_rows(values_only=True))
    assert fees[1] == ("Payment due", 1, 30.0)


def test_finance_exports_only_fees(week, api):
    with freeze_time(NOW):
        response = api("finance").get(f"/api/v1/stats/export/xlsx/?{PERIOD}")
    assert load_workbook(io.BytesIO(response.content)).sheetnames == ["fees"]


def test_unknown_export_kind_is_404(api):
    assert api("supervisor").get("/api/v1/stats/export/pdf/").status_code == 404


def test_statistics_run_without_rows(api):
    figures = _stats(api)
    assert figures["response_times"]["intake_to_assign"] == {"count": 0, "median": None, "p90": None}
    assert figures["satisfaction"]["rate"] is None


def test_figures_are_aggregated_in_the_database(week, django_assert_max_num_queries):
    from reports.stats import Filters, statistics

    # A fixed number of queries whatever the number of orders: no row-by-row Python.
    with django_assert_max_num_queries(30):
        statistics(Filters(first_day=datetime.date(2026, 11, 2), last_day=datetime.date(2026, 11, 8)), with_fees=True)
