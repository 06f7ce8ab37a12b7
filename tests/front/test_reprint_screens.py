"""A lost or jammed copy is printed again from the desk and from the order
page (issue 16, item 9): a form with the reason, posted to printing's reprint
API in a new tab like a print; the page then shows which copies are void."""

import re

import pytest

from printing.models import PrintJob
from printing.services import order_print_pdf

pytestmark = pytest.mark.django_db


def _reprint_form(html: str, order) -> str | None:
    found = re.search(
        rf'<form method="post" action="/api/v1/orders/{order.pk}/reprint/" target="_blank" class="reprint-form".*?</form>',
        html, flags=re.S,
    )
    return found.group(0) if found else None


def _actions(html: str) -> list[str]:
    section = re.search(r'<section class="actions".*?</section>', html, flags=re.S).group(0)
    return re.findall(r'<div class="action" data-action="([a-z_]+)"', section)


def test_the_desk_offers_a_reprint_for_printed_orders_and_orders_out(client_as, users, order_in):
    assigned, printed, out = order_in("assigned"), order_in("printed"), order_in("in_service")
    html = client_as("front_desk").get("/desk/").content.decode()
    assert _reprint_form(html, printed) and _reprint_form(html, out)
    # Nothing to replace before the first print: that is the print button.
    assert _reprint_form(html, assigned) is None
    form = _reprint_form(html, out)
    assert 'name="reason"' in form and "data-reason-required=" in form


def test_the_desks_reprint_form_prints_with_the_reason_and_the_pages_token(client_as, users, order_in):
    order = order_in("assigned")
    order_print_pdf(actor=users["front_desk"], order_id=order.pk, language="en")
    client = client_as("front_desk", enforce_csrf=True)
    form = _reprint_form(client.get("/desk/").content.decode(), order)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form).group(1)
    url = f"/api/v1/orders/{order.pk}/reprint/"

    refused = client.post(url, {"csrfmiddlewaretoken": token, "reason": ""}, HTTP_ACCEPT="application/json")
    assert refused.status_code == 400 and "reason" in refused.json()["fields"]

    r = client.post(url, {"csrfmiddlewaretoken": token, "reason": "Lost on the bus"})
    assert r.status_code == 200 and r["Content-Type"] == "application/pdf"
    assert list(PrintJob.objects.filter(order=order).values_list("copy_number", "reason")) == [
        (1, ""), (2, "Lost on the bus")]


def test_the_order_page_offers_the_reprint_to_those_who_print(client_as, users, order_in):
    order = order_in("in_service")
    html = client_as("front_desk").get(f"/orders/{order.pk}/").content.decode()
    assert "reprint" in _actions(html) and _reprint_form(html, order)
    # Reloads after the print so the page shows the new copy and the void ones.
    assert 'data-reload="1"' in _reprint_form(html, order)
    for role in ["dispatcher", "field_worker", "finance"]:
        html = client_as(role).get(f"/orders/{order.pk}/").content.decode()
        assert "reprint" not in _actions(html) and _reprint_form(html, order) is None, role
    html = client_as("front_desk").get(f"/orders/{order_in('assigned').pk}/").content.decode()
    assert "reprint" not in _actions(html)


def test_the_order_page_says_which_copy_replaced_a_void_one_and_why(client_as, users, order_in, api):
    order = order_in("assigned")
    order_print_pdf(actor=users["front_desk"], order_id=order.pk, language="en")
    response = api("front_desk").post(f"/api/v1/orders/{order.pk}/reprint/", {"reason": "Jammed"}, format="json")
    assert response.status_code == 200
    html = client_as("front_desk").get(f"/orders/{order.pk}/").content.decode()
    prints = re.search(r'<section aria-labelledby="prints-title".*?</section>', html, flags=re.S).group(0)
    rows = re.findall(r'<tr class="(void|)"><td>(\d+)</td>(.*?)</tr>', prints, flags=re.S)
    assert [(r[0], r[1]) for r in rows] == [("void", "1"), ("", "2")]
    assert "Void: replaced by copy 2 at" in rows[0][2]
    assert "because: Jammed" in rows[1][2]
