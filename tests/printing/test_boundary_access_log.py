"""Every paper with residents on it is a read of their records: a print, a
reprint, a worker's batch, the daily list and the follow-up sheet each write
the access log (who printed whose record) once per resident per paper. A
print that is refused writes nothing."""

import datetime

import pytest
from django.utils import timezone

from dispatch.models import ResidentAccess
from workorders import services as orders


def _printed() -> list[tuple[str, str]]:
    rows = ResidentAccess.objects.filter(action="print").order_by("id")
    return list(rows.values_list("user__username", "resident__name"))


def test_a_print_and_a_reprint_are_each_in_the_access_log(assigned_order, print_order):
    order = assigned_order()
    assert print_order(order).status_code == 200
    assert _printed() == [("front_desk", "王秀英")]
    assert print_order(order).status_code == 200  # a reprint
    assert _printed() == [("front_desk", "王秀英")] * 2


def test_a_refused_print_is_no_read(new_order, assigned_order, print_order):
    assert print_order(new_order()).status_code == 409  # not assigned yet
    assert print_order(assigned_order(), role="dispatcher").status_code == 403
    assert _printed() == []


@pytest.fixture
def day(assigned_order, users):
    soon = timezone.make_aware(
        datetime.datetime.combine(timezone.localdate() + datetime.timedelta(days=1), datetime.time(10, 0))
    )
    assigned_order(requested_for=soon)
    assigned_order(requested_for=soon + datetime.timedelta(minutes=10))  # 王秀英 again
    assigned_order(resident="li", requested_for=soon + datetime.timedelta(minutes=20))
    return timezone.localdate(soon)


def test_a_workers_batch_logs_each_resident_on_it_once(api, people, day):
    response = api("front_desk").post("/api/v1/print/batch/", {
        "worker": people["cleaner"].pk, "date": day.isoformat(), "language": "en",
    }, format="json")
    assert response.status_code == 200
    assert sorted(_printed()) == [("front_desk", "李建国"), ("front_desk", "王秀英")]


def test_the_daily_list_logs_each_resident_on_it_once(api, people, day):
    response = api("dispatcher").get("/api/v1/print/daily-list/", {
        "worker": people["cleaner"].pk, "date": day.isoformat(), "language": "en",
    })
    assert response.status_code == 200
    assert sorted(_printed()) == [("dispatcher", "李建国"), ("dispatcher", "王秀英")]


def test_the_followup_sheet_logs_each_resident_on_it(api, users, assigned_order):
    desk = users["front_desk"]
    order = assigned_order()
    orders.order_print(actor=desk, order_id=order.pk)
    order = orders.order_collect(actor=desk, order_id=order.pk)
    orders.order_return(actor=desk, order_id=order.pk, actual_start=order.collected_at,
                        actual_end=timezone.now() + datetime.timedelta(minutes=1))
    before = _printed()
    response = api("dispatch_lead").get("/api/v1/print/followup-sheet/", {"language": "en"})
    assert response.status_code == 200
    assert _printed()[len(before):] == [("dispatch_lead", "王秀英")]
