"""The print, hand-out and take-back desk: its three piles, print through the
API with the page's CSRF token, hand-out naming the worker, and the return box
that a barcode scanner types into."""

import datetime
import re

import pytest
from django.utils import timezone

from workorders.models import State, WorkOrder

pytestmark = pytest.mark.django_db


def _pile(html: str, pile_id: str) -> str:
    return re.search(rf'<ul class="orders" id="{pile_id}">(.*?)</ul>', html, flags=re.S).group(1)


def test_the_desk_is_for_the_front_desk(client_as, users):
    assert client_as(None).get("/desk/").status_code == 302
    for role in ["dispatcher", "field_worker", "finance", "nobody"]:
        assert client_as(role).get("/desk/").status_code == 403
    assert client_as("front_desk").get("/desk/").status_code == 200


def test_the_desk_shows_each_order_in_its_pile(desk, order_in):
    assigned, printed, out = order_in("assigned"), order_in("printed"), order_in("in_service")
    received = order_in("received")
    html = desk.get("/desk/").content.decode()
    assert assigned.number in _pile(html, "to-print")
    assert printed.number in _pile(html, "to-collect")
    assert out.number in _pile(html, "out")
    assert received.number not in html
    # The scan box has the focus: the scanner types into it.
    assert re.search(r'<input id="scan"[^>]*autofocus', html)


def test_an_order_out_longer_than_expected_is_highlighted(desk, order_in):
    on_time, late = order_in("in_service"), order_in("in_service")
    WorkOrder.objects.filter(pk=late.pk).update(collected_at=timezone.now() - datetime.timedelta(hours=5))
    html = _pile(desk.get("/desk/").content.decode(), "out")
    late_item = re.search(rf'<li class="order late" data-order-number="{late.number}"', html)
    assert late_item and "Out longer than expected" in html
    assert f'<li class="order" data-order-number="{on_time.number}"' in html


def test_print_posts_to_the_print_api_with_the_pages_token(client_as, order_in):
    order = order_in("assigned")
    client = client_as("front_desk", enforce_csrf=True)
    html = client.get("/desk/").content.decode()
    form = re.search(rf'<form method="post" action="(/api/v1/orders/{order.pk}/print/)" target="_blank".*?</form>',
                     html, flags=re.S)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form.group(0)).group(1)
    r = client.post(form.group(1), {"csrfmiddlewaretoken": token})
    assert r.status_code == 200 and r["Content-Type"] == "application/pdf"
    order.refresh_from_db()
    assert order.state == State.PRINTED


def test_hand_out_records_who_took_the_order(desk, order_in, people):
    order = order_in("printed")
    r = desk.post(f"/desk/orders/{order.pk}/collect/", {"worker": people["nurse"].pk})
    assert r.status_code == 302 and r["Location"] == "/desk/"
    order.refresh_from_db()
    assert order.state == State.IN_SERVICE
    assert "Nurse Worker" in order.history.last().note
    assert "handed out to Nurse Worker" in desk.get("/desk/").content.decode()


def test_hand_out_twice_says_why_and_changes_nothing(desk, order_in, people):
    order = order_in("in_service")
    before = order.history.count()
    desk.post(f"/desk/orders/{order.pk}/collect/", {"worker": people["cleaner"].pk})
    html = desk.get("/desk/").content.decode()
    assert "is In service" in html and "not possible now" in html
    assert order.history.count() == before


@pytest.mark.parametrize("typed", ["{n}", " {n} ", "{lower}"])
def test_a_scanned_number_opens_the_return_form(desk, order_in, typed):
    order = order_in("in_service")
    r = desk.get("/desk/scan/", {"number": typed.format(n=order.number, lower=order.number.lower())})
    assert r.status_code == 302 and r["Location"] == f"/desk/orders/{order.pk}/return/"


def test_a_wrong_scan_says_why_and_keeps_what_was_typed(desk, order_in):
    r = desk.get("/desk/scan/", {"number": "WO-1999-999999"})
    assert r.status_code == 404
    html = r.content.decode()
    assert "No order has the number “WO-1999-999999”" in html and 'value="WO-1999-999999"' in html
    printed = order_in("printed")
    r = desk.get("/desk/scan/", {"number": printed.number})
    assert r.status_code == 409 and "only an order out with a worker can be taken back" in r.content.decode()


def test_the_return_form_takes_the_order_back(desk, order_in):
    order = order_in("in_service")
    form = desk.get(f"/desk/orders/{order.pk}/return/").content.decode()
    assert 'name="actual_start"' in form and 'value="30.00"' in form  # the service's price, chargeable
    now = timezone.localtime()
    start, end = timezone.localtime(order.collected_at), now + datetime.timedelta(minutes=1)
    r = desk.post(f"/desk/orders/{order.pk}/return/", {
        "actual_start": start.strftime("%Y-%m-%dT%H:%M"), "actual_end": end.strftime("%Y-%m-%dT%H:%M"),
        "fee": "25", "remarks": "Went well",
    })
    assert r.status_code == 302 and r["Location"] == "/desk/"
    order.refresh_from_db()
    assert order.state == State.RETURNED and order.fee == 25 and order.remarks == "Went well"


def test_a_bad_return_names_the_field_and_keeps_the_input(desk, order_in):
    order = order_in("in_service")
    now = timezone.localtime()
    start, end = now - datetime.timedelta(hours=1), now - datetime.timedelta(hours=2)
    r = desk.post(f"/desk/orders/{order.pk}/return/", {
        "actual_start": start.strftime("%Y-%m-%dT%H:%M"), "actual_end": end.strftime("%Y-%m-%dT%H:%M"),
        "fee": "-1", "remarks": "Keep me",
    })
    assert r.status_code == 200
    html = r.content.decode()
    assert 'id="id_fee-error"' in html and "Keep me" in html
    r = desk.post(f"/desk/orders/{order.pk}/return/", {
        "actual_start": start.strftime("%Y-%m-%dT%H:%M"), "actual_end": end.strftime("%Y-%m-%dT%H:%M"),
        "remarks": "Keep me",
    })
    html = r.content.decode()
    assert 'id="id_actual_end-error"' in html and "The end is before the start." in html and "Keep me" in html
    order.refresh_from_db()
    assert order.state == State.IN_SERVICE
