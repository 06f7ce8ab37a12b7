"""Finance's payments list: who may open it and who may confirm, the orders
with a fee in the order of their return with the list's total, filters by
month and by due/paid, "Confirm paid" as a step that asks for the receipt's
number (through the service: history and event), the undo within its window,
the conflict sentences, and a page's queries that do not grow with its rows."""

import datetime
import re
from decimal import Decimal

import pytest
from django.contrib.auth.models import Group, User
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation

from dispatch.services import resident_create
from realtime.models import Event
from workorders import services
from workorders.models import FeeStatus, State, WorkOrder

pytestmark = pytest.mark.django_db


def _local(*args: int) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime(*args))


@pytest.fixture
def returned(users, people, catalog):
    """returned(fee, at, partner=False, resident=None) -> an order served and
    taken back through the services with `fee`, its return dated `at`."""

    def make(fee: str, at: datetime.datetime, *, partner: bool = False, resident=None) -> WorkOrder:
        desk = users["front_desk"]
        order = services.order_create(
            actor=desk, resident=resident or people["with_card"], service=catalog["clean"], channel="phone",
        )
        services.order_assign(
            actor=users["dispatcher"], order_id=order.pk,
            **({"partner_id": people["partner"].pk} if partner else {"worker_id": people["cleaner"].pk}),
        )
        services.order_print(actor=desk, order_id=order.pk)
        services.order_collect(actor=desk, order_id=order.pk)
        now = timezone.now()
        services.order_return(
            actor=desk, order_id=order.pk, actual_start=now - datetime.timedelta(minutes=1), actual_end=now,
            fee=Decimal(fee),
        )
        # The return is dated by the service's clock; the list sorts and
        # filters by it, so the scenario places each one in its month.
        WorkOrder.objects.filter(pk=order.pk).update(returned_at=at)
        return WorkOrder.objects.get(pk=order.pk)

    return make


@pytest.fixture
def ledger(returned, users):
    """Known data: three fees due over two months (one order already closed,
    one served by a partner unit), one paid, one without a fee."""
    october = returned("30.00", _local(2026, 10, 5, 10, 0))
    # Half past midnight on 1 November, local time: still 31 October in UTC.
    november_partner = returned("12.50", _local(2026, 11, 1, 0, 30), partner=True)
    november_closed = returned("7.25", _local(2026, 11, 20, 9, 0))
    services.order_log_followup(actor=users["front_desk"], order_id=november_closed.pk, satisfied=True)
    paid = returned("5.00", _local(2026, 11, 10, 15, 0))
    services.order_settle_fee(actor=users["finance"], order_id=paid.pk, receipt="R-0005")
    # Paid the day after its return: long past the undo window.
    WorkOrder.objects.filter(pk=paid.pk).update(fee_paid_at=_local(2026, 11, 11, 9, 0))
    free = returned("0", _local(2026, 11, 3, 8, 0))
    return {"october": october, "november_partner": november_partner, "november_closed": november_closed,
            "paid": paid, "free": free}


def _rows(html: str) -> list[str]:
    return re.findall(r'<tr class="payment"[^>]*data-order-number="([^"]+)"', html)


def _total(html: str) -> str:
    return re.search(r'id="payments-total">([^<]*)<', html).group(1).strip()


def _form_data(html: str, order: WorkOrder) -> tuple[str, dict]:
    """The action and hidden fields of the order's confirmation form, as its page gives them."""
    form = re.search(rf'<form method="post" action="(/payments/{order.pk}/confirm/)" novalidate>(.*?)</form>', html,
                     flags=re.S)
    fields = dict(re.findall(r'name="([^"]+)" value="([^"]*)"', form.group(2)))
    return form.group(1), fields


# --- who ----------------------------------------------------------------------------------


def test_anonymous_visitors_are_sent_to_log_in(client_as, users):
    r = client_as(None).get("/payments/")
    assert r.status_code == 302 and r["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize("role", ["front_desk", "dispatcher", "dispatch_lead", "field_worker", "coordinator", "nobody"])
def test_roles_without_payments_are_refused(client_as, ledger, role):
    assert client_as(role).get("/payments/").status_code == 403
    assert client_as(role).post(f"/payments/{ledger['october'].pk}/confirm/").status_code == 403
    assert WorkOrder.objects.get(pk=ledger["october"].pk).fee_status == FeeStatus.DUE


def test_finance_lands_on_payments_and_keeps_statistics_in_the_nav(client_as):
    client = client_as("finance")
    r = client.get("/")
    assert r.status_code == 302 and r["Location"] == "/payments/"
    nav = re.search(r'<nav class="site-nav".*?</nav>', client.get("/payments/").content.decode(), flags=re.S).group(0)
    assert 'href="/payments/" aria-current="page"' in nav and 'href="/stats/"' in nav


def test_the_supervisor_reads_the_list_but_may_not_confirm(client_as, ledger):
    client = client_as("supervisor")
    html = client.get("/payments/").content.decode()
    assert _rows(html) == [ledger["october"].number, ledger["november_partner"].number,
                           ledger["november_closed"].number]
    assert "Confirm paid" not in html
    # The service decides, as in the API: the supervisor's POST is refused.
    assert client.post(f"/payments/{ledger['october'].pk}/confirm/").status_code == 403
    assert WorkOrder.objects.get(pk=ledger["october"].pk).fee_status == FeeStatus.DUE
    assert client_as("supervisor").get("/").headers["Location"] == "/board/"


# --- what ---------------------------------------------------------------------------------


def test_the_due_list_is_oldest_return_first_with_its_total(client_as, ledger, people):
    html = client_as("finance").get("/payments/").content.decode()
    october, partner, closed = ledger["october"], ledger["november_partner"], ledger["november_closed"]
    assert _rows(html) == [october.number, partner.number, closed.number]
    # 30.00 + 12.50 + 7.25, by hand.
    assert _total(html) == "49.75"
    assert "3 orders with a fee due, 49.75 in all" in html
    row = re.search(rf'<tr class="payment"[^>]*data-order-number="{october.number}".*?</tr>', html, flags=re.S).group(0)
    assert f'href="/orders/{october.pk}/"' in row
    for text in ["Test Resident One", "Home cleaning", "Cleaner Worker", "2026-10-05 10:00", "30.00", "Confirm paid"]:
        assert text in row
    partner_row = re.search(rf'data-order-number="{partner.number}".*?</tr>', html, flags=re.S).group(0)
    assert "Helping Hands" in partner_row
    # Neither the paid fee nor the order without one is due.
    assert ledger["paid"].number not in html and ledger["free"].number not in html


def test_the_month_filter_uses_the_local_month_of_return(client_as, ledger):
    client = client_as("finance")
    html = client.get("/payments/?month=2026-11").content.decode()
    assert _rows(html) == [ledger["november_partner"].number, ledger["november_closed"].number]
    assert _total(html) == "19.75"
    assert _rows(client.get("/payments/?month=2026-10").content.decode()) == [ledger["october"].number]
    # The months on offer are those with fees, newest first, the chosen one selected.
    options = re.findall(r'<option value="(\d{4}-\d\d)"( selected)?>', html)
    assert options == [("2026-11", " selected"), ("2026-10", "")]


def test_the_paid_filter_shows_when_and_by_whom(client_as, ledger):
    paid = WorkOrder.objects.get(pk=ledger["paid"].pk)
    html = client_as("finance").get("/payments/?status=paid").content.decode()
    assert _rows(html) == [paid.number]
    assert _total(html) == "5.00"
    when = timezone.localtime(paid.fee_paid_at).strftime("%Y-%m-%d %H:%M")
    assert f"{when} · finance" in html
    assert "Confirm paid" not in html


@pytest.mark.parametrize("month", ["2026-13", "0000-01", "9999-12", "November"])
def test_a_bad_filter_falls_back_to_the_due_list(client_as, ledger, month):
    r = client_as("finance").get(f"/payments/?status=bogus&month={month}&page=x")
    assert r.status_code == 200
    assert len(_rows(r.content.decode())) == 3


def test_a_bad_status_keeps_the_month(client_as, ledger):
    html = client_as("finance").get("/payments/?status=bogus&month=2026-10").content.decode()
    assert _rows(html) == [ledger["october"].number]


def test_an_empty_month_says_so(client_as, ledger):
    html = client_as("finance").get("/payments/?month=2025-01").content.decode()
    assert _rows(html) == [] and "No fee is due in this period." in html


def test_a_residents_name_with_markup_is_shown_as_text(client_as, returned, users, catalog):
    resident = resident_create(
        actor=users["front_desk"], name='<script>alert("x")</script>Test Resident Markup', address="9 Invented Road",
        area=catalog["area"], phones=[{"number": "136 0013 6000"}], card_number="CARD-M",
    )
    returned("3.00", _local(2026, 11, 4, 9, 0), resident=resident)
    html = client_as("finance").get("/payments/").content.decode()
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;Test Resident Markup" in html
    assert "<script>alert" not in html


# --- confirm paid: a step with the receipt's number, and an undo ------------------------------


def _confirm_link(html: str, order: WorkOrder) -> str:
    """Where the order's "Confirm paid" leads, as the list gives it."""
    found = re.search(rf'<a class="confirm-paid" href="(/payments/{order.pk}/confirm/[^"]*)">', html)
    return found.group(1).replace("&amp;", "&")


def test_confirm_paid_is_a_step_that_shows_the_fee_and_asks_for_the_receipt(client_as, ledger):
    order = ledger["november_closed"]
    client = client_as("finance")
    link = _confirm_link(client.get("/payments/?month=2026-11").content.decode(), order)
    assert link == f"/payments/{order.pk}/confirm/?status=due&month=2026-11&page=1"
    history = order.history.count()
    r = client.get(link)
    assert r.status_code == 200
    html = r.content.decode()
    assert f"Confirm payment for {order.number}" in html
    assert re.search(r'id="payment-amount">7.25<', html)
    assert "Test Resident One" in html and "Home cleaning" in html
    field = re.search(r'<input[^>]*name="settle-receipt"[^>]*>', html).group(0)
    assert "required" in field and "autofocus" in field and 'maxlength="40"' in field
    assert "Confirm 7.25 paid" in html
    # Looking is not confirming.
    order.refresh_from_db()
    assert (order.fee_status, order.fee_receipt, order.history.count()) == (FeeStatus.DUE, "", history)


def test_confirm_paid_settles_with_the_receipt_and_returns_to_the_list(client_as, ledger, users):
    order = ledger["november_closed"]
    client = client_as("finance", enforce_csrf=True)
    page = client.get(_confirm_link(client.get("/payments/?month=2026-11").content.decode(), order)).content.decode()
    action, data = _form_data(page, order)
    assert data["csrfmiddlewaretoken"] and data["month"] == "2026-11"
    r = client.post(action, {**data, "settle-receipt": "  R-2026-0042 "})
    assert r.status_code == 302 and r["Location"] == "/payments/?status=due&month=2026-11&page=1"
    order.refresh_from_db()
    assert (order.fee_status, order.fee_paid_by, order.state) == (FeeStatus.PAID, users["finance"], State.CLOSED)
    assert order.fee_paid_at is not None and order.fee_receipt == "R-2026-0042"
    last = order.history.order_by("id").last()
    assert (last.transition, last.actor, last.from_state, last.to_state) == (
        "settle_fee", users["finance"], State.CLOSED, State.CLOSED)
    assert last.note == "7.25 · receipt R-2026-0042"
    assert Event.objects.filter(type="order.fee_settled", data__id=order.pk).count() == 1
    after = client.get(r["Location"]).content.decode()
    assert f"Fee of 7.25 for {order.number} confirmed paid, receipt R-2026-0042. You can undo it for 10 minutes." in after
    assert _rows(after) == [ledger["november_partner"].number] and _total(after) == "12.50"
    # The undo waits on the list it was confirmed from.
    box = re.search(r'<section class="just-confirmed".*?</section>', after, flags=re.S).group(0)
    assert order.number in box and "R-2026-0042" in box and f'action="/payments/{order.pk}/undo/"' in box


@pytest.mark.parametrize("receipt, message", [
    ("", "This field is required."),
    ("   ", "This field is required."),
    ("R" * 41, "Ensure this value has at most 40 characters (it has 41)."),
    ("R-1\u200bX", "The receipt number holds a character that cannot be printed."),
])
def test_a_missing_or_bad_receipt_is_the_page_again_with_the_error_by_the_field(client_as, ledger, receipt, message):
    order = ledger["october"]
    client = client_as("finance")
    history = order.history.count()
    r = client.post(f"/payments/{order.pk}/confirm/", {"status": "due", "settle-receipt": receipt})
    assert r.status_code == 400
    html = r.content.decode()
    error = re.search(r'<p class="error" role="alert" id="id_settle-receipt-error">([^<]*)</p>', html).group(1)
    assert error == message
    assert 'aria-invalid="true"' in re.search(r'<input[^>]*name="settle-receipt"[^>]*>', html).group(0)
    order.refresh_from_db()
    assert (order.fee_status, order.fee_receipt, order.history.count()) == (FeeStatus.DUE, "", history)


def test_a_fee_paid_meanwhile_is_a_sentence_not_an_error_page(client_as, ledger, users):
    order = ledger["october"]
    other = User.objects.create_user(username="finance_two", password="x")
    other.groups.add(Group.objects.get(name="finance"))
    client = client_as("finance")
    page = client.get(_confirm_link(client.get("/payments/").content.decode(), order)).content.decode()
    action, data = _form_data(page, order)
    services.order_settle_fee(actor=other, order_id=order.pk, receipt="R-0030")
    history = order.history.count()
    r = client.post(action, {**data, "settle-receipt": "R-0031"}, follow=True)
    assert r.status_code == 200 and r.redirect_chain[-1][0].startswith("/payments/")
    html = r.content.decode()
    assert f"{order.number} was already confirmed paid by finance_two at" in html
    assert 'class="message error"' in html
    order.refresh_from_db()
    assert (order.fee_paid_by, order.fee_receipt, order.history.count()) == (other, "R-0030", history)
    # Opening the step for it again says the same, without a form.
    r = client.get(f"/payments/{order.pk}/confirm/", follow=True)
    assert r.redirect_chain and "was already confirmed paid by finance_two" in r.content.decode()


def test_an_order_without_a_fee_due_is_a_sentence_too(client_as, ledger):
    order = ledger["free"]
    r = client_as("finance").post(f"/payments/{order.pk}/confirm/", {"settle-receipt": "R-1"}, follow=True)
    assert r.status_code == 200
    assert f"No fee is due on order {order.number}." in r.content.decode()
    assert WorkOrder.objects.get(pk=order.pk).fee_status == FeeStatus.NONE


def test_confirming_an_unknown_order_is_404(client_as, users):
    assert client_as("finance").post("/payments/999999/confirm/", {"settle-receipt": "R-1"}).status_code == 404
    assert client_as("finance").get("/payments/999999/confirm/").status_code == 404
    assert client_as("finance").post("/payments/999999/undo/").status_code == 404


def test_the_supervisor_may_not_open_the_confirmation_nor_undo(client_as, ledger):
    client = client_as("supervisor")
    assert client.get(f"/payments/{ledger['october'].pk}/confirm/").status_code == 403
    assert client.post(f"/payments/{ledger['paid'].pk}/undo/").status_code == 403
    assert WorkOrder.objects.get(pk=ledger["paid"].pk).fee_status == FeeStatus.PAID


def test_undo_makes_the_fee_due_again_and_writes_the_history(client_as, ledger, users):
    order = ledger["october"]
    client = client_as("finance", enforce_csrf=True)
    services.order_settle_fee(actor=users["finance"], order_id=order.pk, receipt="R-0099")
    html = client.get("/payments/?month=2026-10").content.decode()
    form = re.search(rf'<form class="undo-payment" method="post" action="(/payments/{order.pk}/undo/)">(.*?)</form>',
                     html, flags=re.S)
    data = dict(re.findall(r'name="([^"]+)" value="([^"]*)"', form.group(2)))
    r = client.post(form.group(1), data)
    assert r.status_code == 302 and r["Location"] == "/payments/?status=due&month=2026-10&page=1"
    order.refresh_from_db()
    assert (order.fee_status, order.fee_paid_at, order.fee_paid_by, order.fee_receipt) == (FeeStatus.DUE, None, None, "")
    rows = list(order.history.order_by("id"))[-2:]
    assert [(h.transition, h.actor) for h in rows] == [("settle_fee", users["finance"]), ("unsettle_fee", users["finance"])]
    assert rows[1].note == "30.00 · receipt R-0099"
    assert Event.objects.filter(type="order.fee_unsettled", data__id=order.pk).count() == 1
    after = client.get(r["Location"]).content.decode()
    assert f"Payment for {order.number} undone: its fee of 30.00 is due again." in after
    assert _rows(after) == [order.number] and 'class="just-confirmed"' not in after


def test_the_paid_list_shows_the_receipt_and_an_undo_only_within_the_window(client_as, ledger, users):
    order = ledger["october"]
    services.order_settle_fee(actor=users["finance"], order_id=order.pk, receipt="R-0100")
    client = client_as("finance")
    html = client.get("/payments/?status=paid").content.decode()
    row = re.search(rf'data-order-number="{order.number}".*?</tr>', html, flags=re.S).group(0)
    assert '<td class="receipt">R-0100</td>' in row and "Undo payment" in row
    old = re.search(rf'data-order-number="{ledger["paid"].number}".*?</tr>', html, flags=re.S).group(0)
    assert '<td class="receipt">R-0005</td>' in old and "Undo payment" not in old


def test_an_undo_after_the_window_is_a_sentence_and_changes_nothing(client_as, ledger, users, settings):
    settings.FEE_UNDO_MINUTES = 10
    order = ledger["paid"]
    history = order.history.count()
    r = client_as("finance").post(f"/payments/{order.pk}/undo/", {"status": "paid"}, follow=True)
    assert r.status_code == 200 and r.redirect_chain[-1][0] == "/payments/?status=paid"
    assert (f"The payment on order {order.number} was confirmed at 2026-11-11 09:00; it can be undone only within "
            "10 minutes of that.") in r.content.decode()
    order.refresh_from_db()
    assert (order.fee_status, order.fee_receipt, order.history.count()) == (FeeStatus.PAID, "R-0005", history)


# --- a month with thousands of orders -------------------------------------------------------


def _queries_for(client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def _settled(order: WorkOrder, users) -> None:
    services.order_settle_fee(actor=users["finance"], order_id=order.pk, receipt=f"R-{order.pk}")


def test_a_pages_queries_do_not_grow_with_its_rows(client_as, returned, users):
    client = client_as("finance")
    client.get("/payments/")  # the first request of a login reads its language once
    for minute in range(2):
        _settled(returned("1.00", _local(2026, 11, 1, 9, minute), partner=minute == 1), users)
        returned("1.00", _local(2026, 11, 1, 10, minute), partner=minute == 1)
    few = {url: _queries_for(client, url) for url in ("/payments/", "/payments/?status=paid")}
    for minute in range(8):
        _settled(returned("1.00", _local(2026, 11, 2, 9, minute), partner=minute % 2 == 0), users)
        returned("1.00", _local(2026, 11, 2, 10, minute), partner=minute % 2 == 0)
    many = {url: _queries_for(client, url) for url in few}
    assert len(_rows(client.get("/payments/?status=paid").content.decode())) == 10
    assert many == few


def test_the_list_is_paginated_with_its_total_over_every_page(client_as, returned, monkeypatch):
    from front.views import payments

    monkeypatch.setattr(payments, "PAGE_SIZE", 2)
    orders = [returned(f"{n}.00", _local(2026, 11, n, 9, 0)) for n in (1, 2, 3)]
    client = client_as("finance")
    first = client.get("/payments/").content.decode()
    assert _rows(first) == [orders[0].number, orders[1].number]
    assert _total(first) == "6.00" and "Page 1 of 2" in first
    next_url = re.search(r'<a href="([^"]+)" rel="next">', first).group(1).replace("&amp;", "&")
    second = client.get(next_url).content.decode()
    assert _rows(second) == [orders[2].number] and _total(second) == "6.00"


def test_the_page_speaks_the_users_language(client_as, ledger):
    client = client_as("finance")
    client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/payments/"})
    html = client.get("/payments/").content.decode()
    with translation.override("zh-hans"):
        served_by, resident = translation.gettext("Served by"), translation.gettext("Resident")
    assert served_by != "Served by" and resident != "Resident"
    assert '<html lang="zh-hans">' in html and served_by in html and resident in html
