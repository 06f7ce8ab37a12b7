"""The desk's scan box takes the short forms of an order number ("93",
"000093", "2026-93") when they name one order (issue 16, "also met"), and
says so when a short form names several or none."""

import pytest

from workorders.models import WorkOrder

pytestmark = pytest.mark.django_db


def _sequence(order) -> int:
    return int(order.number.rsplit("-", 1)[1])


def test_the_short_forms_of_a_number_open_the_return_form(desk, order_in):
    order = order_in("in_service")
    year = order.number.split("-")[1]
    n = _sequence(order)
    for typed in [str(n), f"{n:06d}", f" {n} ", f"{year}-{n}", f"{year}-{n:06d}", f"wo-{year}-{n}", order.number.lower()]:
        r = desk.get("/desk/scan/", {"number": typed})
        assert r.status_code == 302, typed
        assert r["Location"] == f"/desk/orders/{order.pk}/return/", typed


def test_a_short_form_that_names_several_orders_says_so_and_opens_none(desk, order_in):
    order, other = order_in("in_service"), order_in("in_service")
    n = _sequence(order)
    # The same sequence in another year (numbers from before a renumbering, an import).
    WorkOrder.objects.filter(pk=other.pk).update(number=f"WO-1999-{n:06d}")
    r = desk.get("/desk/scan/", {"number": str(n)})
    assert r.status_code == 400
    html = r.content.decode()
    assert "matches several orders" in html and order.number in html and f"WO-1999-{n:06d}" in html
    assert f'value="{n}"' in html
    # The year makes it one.
    r = desk.get("/desk/scan/", {"number": f"1999-{n}"})
    assert r.status_code == 302 and r["Location"] == f"/desk/orders/{other.pk}/return/"


def test_a_short_form_that_names_no_order_says_so(desk, order_in):
    order_in("in_service")
    for typed in ["999999", "0", "000000", "2026-0", "93x", "WO-2026"]:
        r = desk.get("/desk/scan/", {"number": typed})
        assert r.status_code == 404, typed
        assert "No order has the number" in r.content.decode(), typed


def test_a_short_form_of_an_order_not_out_says_why(desk, order_in):
    printed = order_in("printed")
    r = desk.get("/desk/scan/", {"number": str(_sequence(printed))})
    assert r.status_code == 409
    assert printed.number in r.content.decode()
    assert "only an order out with a worker can be taken back" in r.content.decode()


def test_a_short_form_never_opens_an_order_the_desk_cannot_see(client_as, order_in):
    order = order_in("in_service")
    # Only the desk's roles reach the scan box at all.
    assert client_as("field_worker").get("/desk/scan/", {"number": str(_sequence(order))}).status_code == 403
