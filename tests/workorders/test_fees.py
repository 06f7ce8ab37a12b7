"""The order's money: the fee expected from the intake on (the catalog's price
then, kept whatever the catalog says later), the fee the return records,
finance's confirmation with a receipt number, and its undo within
FEE_UNDO_MINUTES, each written in the history. Through the services and the
API."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone
from freezegun import freeze_time

from core.errors import Conflict, Forbidden, InvalidInput
from realtime.models import Event
from workorders import services
from workorders.models import FeeStatus, State, WorkOrder

pytestmark = pytest.mark.django_db


def _returned(order_in) -> WorkOrder:
    order = order_in("returned")
    assert (order.fee, order.fee_status) == (Decimal("30.00"), FeeStatus.DUE)
    return order


# --- the expected fee ---------------------------------------------------------------------------


def test_the_order_expects_the_catalog_price_from_its_intake(order_in, catalog):
    order = order_in("received")
    assert order.expected_fee == Decimal("30.00")
    assert (order.fee, order.fee_status) == (Decimal("0"), FeeStatus.NONE)


def test_a_service_without_charge_expects_nothing(users, people, catalog):
    order = services.order_create(actor=users["front_desk"], resident=people["with_card"], service=catalog["visit"],
                                  channel="phone")
    assert order.expected_fee == Decimal("0")


def test_a_later_price_change_does_not_rewrite_the_order(order_in, catalog, run_transition):
    order = order_in("in_service")
    catalog["clean"].price = Decimal("45.00")
    catalog["clean"].save()
    order = run_transition(order, "return_order")
    order.refresh_from_db()
    # What the resident was told at the intake is what the return charges.
    assert (order.expected_fee, order.fee, order.fee_status) == (Decimal("30.00"), Decimal("30.00"), FeeStatus.DUE)


def test_the_return_records_the_fee_actually_charged(order_in, users):
    order = order_in("in_service")
    now = timezone.now()
    services.order_return(actor=users["front_desk"], order_id=order.pk, actual_start=now - datetime.timedelta(minutes=5),
                          actual_end=now, fee=Decimal("12.50"))
    order.refresh_from_db()
    assert (order.expected_fee, order.fee, order.fee_status) == (Decimal("30.00"), Decimal("12.50"), FeeStatus.DUE)


def test_an_order_taken_before_the_fee_was_kept_is_charged_the_catalog_price(order_in, run_transition):
    order = order_in("in_service")
    WorkOrder.objects.filter(pk=order.pk).update(expected_fee=None)
    run_transition(order, "return_order")
    order.refresh_from_db()
    assert (order.fee, order.fee_status) == (Decimal("30.00"), FeeStatus.DUE)


# --- confirming a payment with its receipt ----------------------------------------------------------


def test_confirming_a_payment_keeps_the_receipt_and_writes_the_history(order_in, users):
    order = _returned(order_in)
    settled = services.order_settle_fee(actor=users["finance"], order_id=order.pk, receipt=" R-2026-0001 ",
                                        note="Cash")
    assert (settled.fee_status, settled.fee_receipt, settled.fee_paid_by) == (
        FeeStatus.PAID, "R-2026-0001", users["finance"])
    last = order.history.order_by("id").last()
    assert (last.transition, last.actor, last.from_state, last.to_state, last.note) == (
        "settle_fee", users["finance"], State.RETURNED, State.RETURNED, "30.00 · receipt R-2026-0001 · Cash")


@pytest.mark.parametrize("receipt, message", [
    ("", "Give the receipt number."),
    ("  ", "Give the receipt number."),
    ("R" * 41, "A receipt number has at most 40 characters."),
    ("R-1\nR-2", "The receipt number holds a character that cannot be printed."),
    ("R-1\u202e", "The receipt number holds a character that cannot be printed."),
])
def test_a_payment_needs_a_receipt_number_that_can_be_printed(order_in, users, receipt, message):
    order = _returned(order_in)
    history = order.history.count()
    with pytest.raises(InvalidInput) as caught:
        services.order_settle_fee(actor=users["finance"], order_id=order.pk, receipt=receipt)
    assert caught.value.fields == {"receipt": [message]}
    order.refresh_from_db()
    assert (order.fee_status, order.fee_receipt, order.history.count()) == (FeeStatus.DUE, "", history)


def test_a_receipt_of_forty_characters_is_kept_whole(order_in, users):
    order = _returned(order_in)
    services.order_settle_fee(actor=users["finance"], order_id=order.pk, receipt="收据-" + "9" * 37)
    order.refresh_from_db()
    assert order.fee_receipt == "收据-" + "9" * 37


# --- undoing it ----------------------------------------------------------------------------------------


def test_an_undo_within_the_window_makes_the_fee_due_again_with_its_history(order_in, users, settings):
    settings.FEE_UNDO_MINUTES = 10
    order = _returned(order_in)
    start = timezone.now()
    with freeze_time(start):
        services.order_settle_fee(actor=users["finance"], order_id=order.pk, receipt="R-7")
    with freeze_time(start + datetime.timedelta(minutes=9, seconds=59)):
        undone = services.order_unsettle_fee(actor=users["finance"], order_id=order.pk, note="Wrong row")
    assert (undone.fee_status, undone.fee_paid_at, undone.fee_paid_by, undone.fee_receipt) == (
        FeeStatus.DUE, None, None, "")
    rows = list(order.history.order_by("id"))[-2:]
    assert [(r.transition, r.note) for r in rows] == [
        ("settle_fee", "30.00 · receipt R-7"), ("unsettle_fee", "30.00 · receipt R-7 · Wrong row")]
    assert rows[1].from_state == rows[1].to_state == State.RETURNED
    assert [e.type for e in Event.objects.filter(data__id=order.pk, type__startswith="order.fee")] == [
        "order.fee_settled", "order.fee_unsettled"]
    # Due again: finance confirms it afresh, with the right receipt.
    services.order_settle_fee(actor=users["finance"], order_id=order.pk, receipt="R-8")
    assert WorkOrder.objects.get(pk=order.pk).fee_receipt == "R-8"


def test_an_undo_after_the_window_is_a_conflict_and_changes_nothing(order_in, users, settings):
    settings.FEE_UNDO_MINUTES = 10
    order = _returned(order_in)
    start = timezone.now()
    with freeze_time(start):
        services.order_settle_fee(actor=users["finance"], order_id=order.pk, receipt="R-7")
    history = order.history.count()
    with freeze_time(start + datetime.timedelta(minutes=10, seconds=1)), pytest.raises(Conflict) as caught:
        services.order_unsettle_fee(actor=users["finance"], order_id=order.pk)
    assert "it can be undone only within 10 minutes of that" in str(caught.value.message)
    order.refresh_from_db()
    assert (order.fee_status, order.fee_receipt, order.history.count()) == (FeeStatus.PAID, "R-7", history)


def test_the_window_is_the_setting(order_in, users, settings):
    settings.FEE_UNDO_MINUTES = 30
    order = _returned(order_in)
    start = timezone.now()
    with freeze_time(start):
        services.order_settle_fee(actor=users["finance"], order_id=order.pk, receipt="R-7")
    with freeze_time(start + datetime.timedelta(minutes=29)):
        assert services.order_unsettle_fee(actor=users["finance"], order_id=order.pk).fee_status == FeeStatus.DUE


@pytest.mark.parametrize("state", ["received", "returned"])
def test_undoing_a_fee_not_paid_is_a_conflict(order_in, users, state):
    order = order_in(state)
    with pytest.raises(Conflict) as caught:
        services.order_unsettle_fee(actor=users["finance"], order_id=order.pk)
    assert "is not confirmed paid; there is nothing to undo" in str(caught.value.message)


@pytest.mark.parametrize("role", ["front_desk", "dispatcher", "dispatch_lead", "supervisor", "field_worker"])
def test_only_who_may_confirm_may_undo(order_in, users, role):
    order = _returned(order_in)
    services.order_settle_fee(actor=users["finance"], order_id=order.pk, receipt="R-7")
    with pytest.raises(Forbidden):
        services.order_unsettle_fee(actor=users[role], order_id=order.pk)
    assert WorkOrder.objects.get(pk=order.pk).fee_status == FeeStatus.PAID


# --- the API ------------------------------------------------------------------------------------------


def test_the_api_shows_the_expected_fee_before_the_return(api, order_in):
    order = order_in("in_service")
    body = api("finance").get(f"/api/v1/orders/{order.pk}/").json()
    assert (body["expected_fee"], body["fee"], body["fee_status"]) == ("30.00", "0.00", "none")
    assert body["fee_receipt"] == "" and body["fee_undo_until"] is None


def test_the_api_confirms_with_a_receipt_and_undoes_within_the_window(api, order_in, settings):
    settings.FEE_UNDO_MINUTES = 10
    order = _returned(order_in)
    finance = api("finance")
    url = f"/api/v1/orders/{order.pk}/"
    missing = finance.post(url + "settle_fee/", {}, format="json")
    assert missing.status_code == 400 and set(missing.json()["fields"]) == {"receipt"}
    too_long = finance.post(url + "settle_fee/", {"receipt": "R" * 41}, format="json")
    assert too_long.status_code == 400 and set(too_long.json()["fields"]) == {"receipt"}
    settled = finance.post(url + "settle_fee/", {"receipt": "R-1"}, format="json")
    assert settled.status_code == 200
    body = settled.json()
    assert (body["fee_status"], body["fee_receipt"]) == ("paid", "R-1")
    paid_at = datetime.datetime.fromisoformat(body["fee_paid_at"])
    assert datetime.datetime.fromisoformat(body["fee_undo_until"]) - paid_at == datetime.timedelta(minutes=10)
    assert [h["transition"] for h in body["history"]][-1] == "settle_fee"
    undone = finance.post(url + "unsettle_fee/", {"note": "Wrong row"}, format="json")
    assert undone.status_code == 200
    assert (undone.json()["fee_status"], undone.json()["fee_receipt"], undone.json()["fee_undo_until"]) == (
        "due", "", None)
    assert undone.json()["history"][-1]["transition"] == "unsettle_fee"
    again = finance.post(url + "unsettle_fee/", {}, format="json")
    assert again.status_code == 409 and "nothing to undo" in again.json()["detail"]


def test_the_api_refuses_an_undo_after_the_window_with_409(api, order_in, users):
    order = _returned(order_in)
    services.order_settle_fee(actor=users["finance"], order_id=order.pk, receipt="R-1")
    WorkOrder.objects.filter(pk=order.pk).update(fee_paid_at=timezone.now() - datetime.timedelta(hours=1))
    response = api("finance").post(f"/api/v1/orders/{order.pk}/unsettle_fee/", {}, format="json")
    assert response.status_code == 409 and "can be undone only within" in response.json()["detail"]
    assert WorkOrder.objects.get(pk=order.pk).fee_status == FeeStatus.PAID


@pytest.mark.parametrize("role", ["front_desk", "dispatcher", "supervisor"])
def test_the_api_refuses_the_undo_to_other_roles(api, order_in, users, role):
    order = _returned(order_in)
    services.order_settle_fee(actor=users["finance"], order_id=order.pk, receipt="R-1")
    assert api(role).post(f"/api/v1/orders/{order.pk}/unsettle_fee/", {}, format="json").status_code == 403


def test_an_undo_is_for_the_person_who_confirmed(order_in, users):
    from django.contrib.auth.models import Group, User

    colleague = User.objects.create_user("finance_two", password="x")
    colleague.groups.add(Group.objects.get(name="finance"))
    order = order_in("returned")
    services.order_settle_fee(actor=users["finance"], order_id=order.pk, receipt="R-9")
    with pytest.raises(Conflict, match="Only the person who confirmed"):
        services.order_unsettle_fee(actor=colleague, order_id=order.pk)
    assert WorkOrder.objects.get(pk=order.pk).fee_receipt == "R-9"
