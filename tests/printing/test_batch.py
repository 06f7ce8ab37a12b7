"""Batch print of a worker's day and the daily dispatch list."""

import datetime

import pytest
from django.utils import timezone

from printing.models import PrintJob
from tests.printing.pdf import page_texts, squeezed
from workorders import services as orders
from workorders.models import State


@pytest.fixture
def day_of_work(assigned_order, users, people):
    """The cleaner's orders: two on the day (one assigned, one printed), one the
    next day, one returned that day; and the nurse's order that day."""
    # Tomorrow at 10:00: every order of "the day" falls on one date whatever the clock says now.
    soon = timezone.make_aware(
        datetime.datetime.combine(timezone.localdate() + datetime.timedelta(days=1), datetime.time(10, 0))
    )
    later = assigned_order(requested_for=soon + datetime.timedelta(minutes=30))
    first = assigned_order(requested_for=soon)
    printed = assigned_order(resident="li", requested_for=soon + datetime.timedelta(minutes=10))
    orders.order_print(actor=users["front_desk"], order_id=printed.pk)
    tomorrow = assigned_order(requested_for=soon + datetime.timedelta(days=1))
    nurses = assigned_order(worker="nurse", service="visit", requested_for=soon)
    done = assigned_order(requested_for=soon + datetime.timedelta(minutes=20))
    orders.order_print(actor=users["front_desk"], order_id=done.pk)
    orders.order_collect(actor=users["front_desk"], order_id=done.pk)
    orders.order_return(
        actor=users["front_desk"], order_id=done.pk, actual_start=timezone.now() - datetime.timedelta(minutes=1),
        actual_end=timezone.now(),
    )
    return {
        "day": timezone.localdate(soon), "first": first, "printed": printed, "later": later,
        "tomorrow": tomorrow, "nurses": nurses, "done": done, "worker": people["cleaner"],
    }


def _batch(api, work, role="front_desk", **extra):
    body = {"worker": work["worker"].pk, "date": work["day"].isoformat(), "language": "en", **extra}
    return api(role).post("/api/v1/print/batch/", body, format="json")


def test_the_batch_prints_the_workers_orders_of_the_day_each_in_duplicate_in_time_order(api, day_of_work):
    work = day_of_work
    response = _batch(api, work)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == (
        f'inline; filename="orders-{work["day"].isoformat()}-worker-{work["worker"].pk}.pdf"'
    )
    pages = [squeezed(text) for text in page_texts(response.content)]
    expected = [work["first"], work["printed"], work["later"]]
    assert len(pages) == 2 * len(expected)
    for index, order in enumerate(expected):
        assert order.number in pages[2 * index] and "Copy1:dispatchgroup" in pages[2 * index]
        assert order.number in pages[2 * index + 1] and "Copy2:frontdesk" in pages[2 * index + 1]
    for order in (work["first"], work["later"]):
        order.refresh_from_db()
        assert order.state == State.PRINTED
    # "printed" went through the transition without a PDF: its first paper is no reprint.
    assert dict(PrintJob.objects.values_list("order_id", "kind")) == {
        work["first"].pk: "print", work["printed"].pk: "print", work["later"].pk: "print",
    }
    assert _batch(api, work).status_code == 200
    assert sorted(PrintJob.objects.filter(kind="reprint").values_list("order_id", flat=True)) == sorted(
        [work["first"].pk, work["printed"].pk, work["later"].pk]
    )
    for untouched in (work["tomorrow"], work["nurses"]):
        untouched.refresh_from_db()
        assert untouched.state == State.ASSIGNED


def test_a_batch_with_nothing_to_print_is_404(api, day_of_work):
    response = _batch(api, day_of_work, date=(day_of_work["day"] + datetime.timedelta(days=7)).isoformat())
    assert response.status_code == 404
    assert not PrintJob.objects.exists()


def test_a_batch_needs_the_print_permission(api, day_of_work):
    assert _batch(api, day_of_work, role="dispatcher").status_code == 403
    assert not PrintJob.objects.exists()


def test_a_batch_with_bad_input_is_400(api, day_of_work):
    response = _batch(api, day_of_work, date="not-a-date")
    assert response.status_code == 400
    assert "date" in response.json()["fields"]


def test_the_daily_list_is_a_table_of_the_days_orders_and_changes_nothing(api, day_of_work):
    work = day_of_work
    response = api("dispatcher").get(
        "/api/v1/print/daily-list/", {"worker": work["worker"].pk, "date": work["day"].isoformat(), "language": "en"}
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    text = squeezed("".join(page_texts(response.content)))
    assert "Dailydispatchlist" in text and "CleanerWorker" in text and "4orders" in text
    for order in (work["first"], work["printed"], work["later"], work["done"]):
        assert order.number in text
    for order in (work["tomorrow"], work["nurses"]):
        assert order.number not in text
    assert text.index(work["first"].number) < text.index(work["printed"].number) < text.index(work["later"].number)
    assert not PrintJob.objects.exists()
    work["first"].refresh_from_db()
    assert work["first"].state == State.ASSIGNED


def test_the_daily_list_is_printed_in_chinese(api, day_of_work):
    work = day_of_work
    response = api("front_desk").get(
        "/api/v1/print/daily-list/", {"worker": work["worker"].pk, "date": work["day"].isoformat(), "language": "zh-hans"}
    )
    text = squeezed(page_texts(response.content)[0])
    assert "每日派工单" in text and "王秀英" in text and "李建国" in text


def test_the_daily_list_is_for_the_desk_and_the_dispatchers_only(api, day_of_work, people):
    query = {"date": day_of_work["day"].isoformat(), "language": "en", "worker": people["cleaner"].pk}
    for role in ("front_desk", "dispatcher", "dispatch_lead"):
        assert api(role).get("/api/v1/print/daily-list/", query).status_code == 200, role
    # The cleaner's own login too: the list is handed out at the desk.
    for role in ("field_worker", "finance", "coordinator", "supervisor", "nobody"):
        assert api(role).get("/api/v1/print/daily-list/", query).status_code == 403, role
    query["worker"] = 999999
    assert api("front_desk").get("/api/v1/print/daily-list/", query).status_code == 404


@pytest.mark.parametrize("date", ["9999-12-31", "0001-01-01"])
def test_a_date_out_of_range_is_400_not_an_error(api, people, date):
    response = api("front_desk").get("/api/v1/print/daily-list/", {"worker": people["cleaner"].pk, "date": date})
    assert response.status_code == 400
    assert "date" in response.json()["fields"]
