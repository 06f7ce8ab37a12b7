"""The order page's fee line: the fee expected from the intake on (never
"0.00 · free" for a chargeable service before its return), then the fee the
return recorded and its state in money words, the receipt once paid; and
finance's confirm and undo on the order page, built from the actions."""

import re
from decimal import Decimal

import pytest
from django.utils import translation

from workorders import services
from workorders.models import FeeStatus, WorkOrder

pytestmark = pytest.mark.django_db


def _fee(client, order) -> str:
    r = client.get(f"/orders/{order.pk}/")
    assert r.status_code == 200
    html = r.content.decode()
    text = re.sub(r"<[^>]+>", "", re.search(r'<dd id="fee">(.*?)</dd>', html, flags=re.S).group(1))
    return " ".join(text.split())


def _actions(client, order) -> list[str]:
    html = client.get(f"/orders/{order.pk}/").content.decode()
    return re.findall(r'<div class="action" data-action="([a-z_]+)"', html)


@pytest.mark.parametrize("state", ["received", "assigned", "printed", "in_service"])
def test_a_chargeable_order_shows_its_expected_fee_before_the_return(client_as, order_in, state):
    order = order_in(state)
    assert _fee(client_as("dispatcher"), order) == "expected 30.00"


def test_the_expected_fee_is_the_one_taken_at_the_intake(client_as, order_in, catalog):
    order = order_in("received")
    catalog["clean"].price = Decimal("45.00")
    catalog["clean"].save()
    assert _fee(client_as("dispatcher"), order) == "expected 30.00"


def test_a_service_without_charge_says_so(client_as, users, people, catalog):
    order = services.order_create(actor=users["front_desk"], resident=people["with_card"], service=catalog["visit"],
                                  channel="phone")
    assert _fee(client_as("dispatcher"), order) == "No charge"


def test_after_the_return_the_fee_and_its_state_then_the_receipt(client_as, order_in, users):
    order = order_in("returned")
    client = client_as("finance")
    assert _fee(client, order) == "30.00 · Payment due"
    services.order_settle_fee(actor=users["finance"], order_id=order.pk, receipt="R-0042")
    order.refresh_from_db()
    paid = _fee(client, order)
    assert paid.startswith("30.00 · Paid 20") and paid.endswith("· receipt R-0042")


def test_a_return_without_a_fee_is_no_charge(client_as, order_in, run_transition):
    order = order_in("in_service")
    WorkOrder.objects.filter(pk=order.pk).update(expected_fee=Decimal("0"))
    run_transition(order, "return_order")
    assert _fee(client_as("dispatcher"), order) == "No charge"


def test_the_fee_words_are_not_the_deadlines_words_in_chinese(client_as, order_in):
    order = order_in("returned")
    client = client_as("finance")
    client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/"})
    fee = _fee(client, order)
    with translation.override("zh-hans"):
        deadline, free = translation.gettext("Due"), translation.gettext("No fee")
    assert deadline not in fee and free not in fee
    assert fee.startswith("30.00 · ")


def test_finance_confirms_with_a_receipt_and_undoes_on_the_order_page(client_as, order_in):
    order = order_in("returned")
    client = client_as("finance")
    assert "settle_fee" in _actions(client, order) and "unsettle_fee" not in _actions(client, order)
    missing = client.post(f"/orders/{order.pk}/actions/settle_fee/", {"settle_fee-receipt": ""})
    assert missing.status_code == 400
    assert WorkOrder.objects.get(pk=order.pk).fee_status == FeeStatus.DUE
    r = client.post(f"/orders/{order.pk}/actions/settle_fee/", {"settle_fee-receipt": "R-9"})
    assert r.status_code == 302
    assert "unsettle_fee" in _actions(client, order) and "settle_fee" not in _actions(client, order)
    history = client.get(f"/orders/{order.pk}/").content.decode()
    assert "receipt R-9" in history
    r = client.post(f"/orders/{order.pk}/actions/unsettle_fee/", {"unsettle_fee-note": "Wrong order"})
    assert r.status_code == 302
    order.refresh_from_db()
    assert (order.fee_status, order.fee_receipt) == (FeeStatus.DUE, "")
    assert "Undo payment" in client.get(f"/orders/{order.pk}/").content.decode()
