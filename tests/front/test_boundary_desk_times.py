"""The desk's return form is built from the same declared input as the API
(workorders.actions.RETURN_ORDER) and refuses the same times, by the field:
a service dated year one or 1970, one that started before the worker had the
order, one that ends when it starts."""

import datetime
import re

import pytest
from django.utils import timezone

from workorders.models import WorkOrder


def _post(desk, order, start: str, end: str):
    return desk.post(f"/desk/orders/{order.pk}/return/", {"actual_start": start, "actual_end": end, "fee": "25"})


def _minute(moment: datetime.datetime) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%dT%H:%M")


@pytest.mark.parametrize("start", ["0001-01-01T08:00", "1970-01-01T08:00"])
def test_the_return_form_refuses_a_service_of_year_one_or_1970(desk, order_in, start):
    order = order_in("in_service")
    r = _post(desk, order, start, _minute(timezone.now()))
    assert r.status_code == 200
    html = r.content.decode()
    assert 'id="id_actual_start-error"' in html
    assert WorkOrder.objects.get(pk=order.pk).state == "in_service"


def test_the_return_form_refuses_a_start_before_the_worker_had_the_order(desk, order_in):
    order = order_in("in_service")
    r = _post(desk, order, _minute(order.collected_at - datetime.timedelta(hours=2)), _minute(timezone.now()))
    assert r.status_code == 200 and 'id="id_actual_start-error"' in r.content.decode()
    assert WorkOrder.objects.get(pk=order.pk).state == "in_service"


def test_the_return_form_refuses_an_end_that_is_the_start(desk, order_in):
    order = order_in("in_service")
    now = _minute(timezone.now())
    r = _post(desk, order, now, now)
    assert r.status_code == 200 and 'id="id_actual_end-error"' in r.content.decode()


def test_the_return_form_takes_the_times_it_offers_even_in_the_minute_of_the_collection(desk, order_in):
    # The form opens with the collection and now, to the minute; sent back as
    # they are (a worker back within the minute), they are taken.
    order = order_in("in_service")
    form = desk.get(f"/desk/orders/{order.pk}/return/").content.decode()
    offered = dict(re.findall(r'name="(actual_start|actual_end)" value="([^"]+)"', form))
    assert offered["actual_start"] == _minute(order.collected_at)
    r = _post(desk, order, offered["actual_start"], offered["actual_end"])
    assert r.status_code == 302, r.content.decode()[:500]
    assert WorkOrder.objects.get(pk=order.pk).state == "returned"
