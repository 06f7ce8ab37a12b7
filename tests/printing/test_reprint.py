"""A lost or jammed copy is printed again with a reason (issue 16, item 9):
the reprint records why, gets a new copy number, and every earlier copy is
void from then on (DESIGN.md section 5)."""

from printing.models import PrintJob
from tests.printing.pdf import page_texts, squeezed
from workorders import services as orders


def _reprint(api, order, body, role="front_desk"):
    return api(role).post(f"/api/v1/orders/{order.pk}/reprint/", body, format="json")


def _history(api, order) -> list[dict]:
    response = api("front_desk").get(f"/api/v1/orders/{order.pk}/prints/")
    assert response.status_code == 200
    return response.json()


def test_a_reprint_with_a_reason_voids_the_earlier_copies(assigned_order, print_order, api):
    order = assigned_order()
    print_order(order)
    response = _reprint(api, order, {"reason": "Jammed in the printer", "language": "en"})
    assert response.status_code == 200, response.content
    assert response["Content-Type"] == "application/pdf"
    text = squeezed(page_texts(response.content)[0])
    assert "REPRINT1" in text and "Copyno.2" in text
    assert "Replacescopyno.1(void)" in text
    assert "Replacescopyno.1" in squeezed(page_texts(response.content)[1]), "both copies say so"

    history = _history(api, order)
    assert [(h["copy_number"], h["kind"], h["void"], h["voided_by"], h["replaced_by_copy"], h["reason"])
            for h in history] == [
        (1, "print", True, "reprint", 2, ""),
        (2, "reprint", False, None, None, "Jammed in the printer"),
    ]
    assert history[0]["voided_at"] == history[1]["printed_at"]


def test_a_reprint_without_a_reason_is_refused_by_its_field_and_prints_nothing(assigned_order, print_order, api):
    order = assigned_order()
    print_order(order)
    for body in ({"language": "en"}, {"reason": "   ", "language": "en"}):
        response = _reprint(api, order, body)
        assert response.status_code == 400
        assert "reason" in response.json()["fields"]
        assert "Say why" in response.json()["fields"]["reason"][0]
    assert PrintJob.objects.filter(order=order).count() == 1
    assert [h["void"] for h in _history(api, order)] == [False]


def test_a_plain_reprint_voids_nothing_as_before(assigned_order, print_order, api):
    order = assigned_order()
    print_order(order)
    print_order(order)
    assert [h["void"] for h in _history(api, order)] == [False, False]


def test_an_order_not_printed_yet_has_nothing_to_reprint(assigned_order, api):
    order = assigned_order()
    response = _reprint(api, order, {"reason": "Lost", "language": "en"})
    assert response.status_code == 409
    assert "not been printed yet" in response.json()["detail"]
    assert not PrintJob.objects.filter(order=order).exists()


def test_a_cancelled_order_cannot_be_reprinted(assigned_order, print_order, api, users):
    order = assigned_order()
    print_order(order)
    orders.order_cancel(actor=users["front_desk"], order_id=order.pk, reason="Resident in hospital")
    response = _reprint(api, order, {"reason": "Lost", "language": "en"})
    assert response.status_code == 409
    assert [(h["void"], h["voided_by"]) for h in _history(api, order)] == [(True, "cancel")]


def test_only_the_printing_roles_reprint(assigned_order, print_order, api):
    order = assigned_order()
    print_order(order)
    assert _reprint(api, order, {"reason": "Lost"}, role="dispatcher").status_code == 403
    assert _reprint(api, order, {"reason": "Lost"}, role=None).status_code in (401, 403)
    assert PrintJob.objects.filter(order=order).count() == 1


def test_a_reprint_is_in_the_access_log(assigned_order, print_order, api):
    from dispatch.models import ResidentAccess

    order = assigned_order()
    print_order(order)
    before = ResidentAccess.objects.filter(resident=order.resident, action=ResidentAccess.Action.PRINT).count()
    assert _reprint(api, order, {"reason": "Torn", "language": "zh-hans"}).status_code == 200
    after = ResidentAccess.objects.filter(resident=order.resident, action=ResidentAccess.Action.PRINT).count()
    assert after == before + 1


def test_a_returned_orders_signed_copy_is_never_made_void(order_in, api):
    # Once returned, the copy the worker brought back is the record: a
    # "replacing" reprint would void it (review of issue 16).
    order = order_in("returned")
    response = _reprint(api, order, {"reason": "Lost", "language": "en"})
    assert response.status_code == 409
    assert "copies are back" in response.json()["detail"]
    assert not any(h["void"] for h in _history(api, order))
    # A copy to keep is still printed, without a reason.
    assert api("front_desk").post(f"/api/v1/orders/{order.pk}/print/", {"language": "en"}, format="json").status_code == 200
