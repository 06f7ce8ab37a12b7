"""Copy accounting: every print is a job with a new copy number, reprints are
counted and marked, and reassigning, redispatching or cancelling a printed
order voids its copies."""

import pytest
from django.db import IntegrityError, transaction

from printing.models import PrintJob
from tests.printing.pdf import page_texts, squeezed
from workorders import services as orders
from workorders.models import State


def _history(api, order) -> list[dict]:
    response = api("front_desk").get(f"/api/v1/orders/{order.pk}/prints/")
    assert response.status_code == 200
    return response.json()


def test_the_first_print_runs_the_transition_and_later_prints_are_numbered_reprints(assigned_order, print_order, api):
    order = assigned_order()
    first, second, third = (print_order(order) for _ in range(3))
    order.refresh_from_db()
    assert order.state == State.PRINTED
    assert [h.transition for h in order.history.all()].count("print") == 1

    jobs = list(PrintJob.objects.filter(order=order).order_by("copy_number"))
    assert [(j.copy_number, j.kind, j.reprint_number) for j in jobs] == [
        (1, "print", 0), (2, "reprint", 1), (3, "reprint", 2),
    ]
    first_text, second_text, third_text = (squeezed(page_texts(r.content)[0]) for r in (first, second, third))
    assert "REPRINT" not in first_text
    assert "Copyno.1" in first_text
    assert "REPRINT1" in second_text and "Copyno.2" in second_text
    assert "REPRINT2" in third_text and "Copyno.3" in third_text
    assert all(page_texts(r.content)[1].count("REPRINT") == 1 for r in (second, third)), "both copies say so"
    assert [h["void"] for h in _history(api, order)] == [False, False, False]


def test_reassigning_a_printed_order_voids_its_copies_and_the_next_print_gets_a_new_number(
    assigned_order, print_order, api, users, people
):
    order = assigned_order()
    print_order(order)
    print_order(order)
    orders.order_reassign(actor=users["dispatcher"], order_id=order.pk, partner_id=people["partner"].pk, note="Ill")

    history = _history(api, order)
    assert [(h["copy_number"], h["void"], h["voided_by"]) for h in history] == [
        (1, True, "reassign"), (2, True, "reassign"),
    ]
    response = print_order(order)
    assert response.status_code == 200
    text = squeezed(page_texts(response.content)[0])
    assert "Copyno.3" in text and "REPRINT" not in text
    assert "HelpingHands" in text and "Partnerunit" in text
    history = _history(api, order)
    assert [(h["copy_number"], h["kind"], h["void"]) for h in history] == [
        (1, "print", True), (2, "reprint", True), (3, "print", False),
    ]


def test_cancelling_a_printed_order_voids_its_copies_and_it_cannot_be_printed_again(
    assigned_order, print_order, api, users
):
    order = assigned_order()
    print_order(order)
    orders.order_cancel(actor=users["front_desk"], order_id=order.pk, reason="Resident in hospital")
    assert [(h["void"], h["voided_by"]) for h in _history(api, order)] == [(True, "cancel")]
    response = print_order(order)
    assert response.status_code == 409
    assert PrintJob.objects.filter(order=order).count() == 1


def test_redispatching_voids_the_copies_and_a_voided_number_is_never_reused(
    assigned_order, print_order, api, users, people
):
    order = assigned_order()
    print_order(order)
    orders.order_collect(actor=users["front_desk"], order_id=order.pk)
    print_order(order)  # a reprint while in service
    orders.order_redispatch(actor=users["dispatcher"], order_id=order.pk, reason="Worker fell ill")
    orders.order_assign(actor=users["dispatcher"], order_id=order.pk, worker_id=people["cleaner"].pk)
    print_order(order)
    history = _history(api, order)
    assert [(h["copy_number"], h["kind"], h["void"], h["voided_by"]) for h in history] == [
        (1, "print", True, "redispatch"), (2, "reprint", True, "redispatch"), (3, "print", False, None),
    ]


def test_the_database_refuses_a_copy_number_twice(assigned_order, print_order):
    order = assigned_order()
    print_order(order)
    job = PrintJob.objects.get(order=order)
    with pytest.raises(IntegrityError), transaction.atomic():
        PrintJob.objects.create(
            order=order, printed_by=job.printed_by, kind="reprint", language="en", copy_number=1,
            last_history=job.last_history,
        )


def test_an_emergency_order_backfills_its_copies_through_the_same_endpoint(new_order, print_order, users, people):
    order = new_order(urgency="urgent")
    orders.order_emergency_start(actor=users["front_desk"], order_id=order.pk, worker_id=people["cleaner"].pk)
    response = print_order(order)
    assert response.status_code == 200
    order.refresh_from_db()
    assert order.state == State.IN_SERVICE
    assert order.paperwork_owed is False
    text = squeezed(page_texts(response.content)[0])
    assert "Filledinafteranemergencystart" in text and "URGENT" in text
    print_order(order)
    assert list(PrintJob.objects.filter(order=order).values_list("kind", "reprint_number")) == [
        ("backfill", 0), ("reprint", 1),
    ]


def test_a_refused_print_writes_no_job(new_order, print_order):
    order = new_order()
    assert print_order(order).status_code == 409
    assert print_order(order, role="dispatcher").status_code == 403
    assert not PrintJob.objects.filter(order=order).exists()


def test_an_order_printed_without_paper_gets_its_first_copy_unmarked(api, users, order_in):
    """The demo data (and any import) moves orders through `print` without a PDF."""
    order = order_in("printed")
    first = api("front_desk").post(f"/api/v1/orders/{order.pk}/print/", {"language": "en"}, format="json")
    assert first.status_code == 200
    job = PrintJob.objects.get(order=order)
    assert (job.kind, job.copy_number, job.reprint_number) == ("print", 1, 0)
    assert "REPRINT" not in "".join(page_texts(first.content))
    again = api("front_desk").post(f"/api/v1/orders/{order.pk}/print/", {"language": "en"}, format="json")
    assert "REPRINT1" in squeezed("".join(page_texts(again.content)))
