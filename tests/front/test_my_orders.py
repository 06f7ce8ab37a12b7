"""A field worker's "my orders" on his phone: only his own open work, with
what he needs at the door (address, access, a phone to tap, instructions),
overdue ones marked red, and a report of a problem that reaches the boards
and is confirmed on the page."""

import datetime
import re

import pytest
from django.utils import timezone

from dispatch.models import ResidentAccess
from realtime.models import Alert
from sla.models import OrderDeadline, Stage
from workorders import services
from workorders.models import Incident, WorkOrder

pytestmark = pytest.mark.django_db


def _card(html: str, order) -> str:
    found = re.search(rf'<li class="my-order[^"]*" data-order-number="{order.number}".*?</li>\s*(?=<li|</ul>)',
                      html, flags=re.S)
    assert found, f"{order.number} is not listed"
    return found.group(0)


@pytest.fixture
def worker(client_as):
    return client_as("field_worker")


@pytest.fixture
def nurses_order(users, order_in, people):
    order = order_in("approved")
    return services.order_assign(actor=users["dispatcher"], order_id=order.pk, worker_id=people["nurse"].pk)


def test_my_orders_is_the_field_workers_screen(client_as):
    assert client_as(None).get("/my-orders/").status_code == 302
    for role in ["front_desk", "dispatcher", "supervisor", "finance", "nobody"]:
        assert client_as(role).get("/my-orders/").status_code == 403, role
    assert client_as("field_worker").get("/my-orders/").status_code == 200


def test_the_field_workers_home_is_my_orders(worker):
    r = worker.get("/")
    assert r.status_code == 302 and r["Location"] == "/my-orders/"
    assert 'href="/my-orders/"' in worker.get("/my-orders/").content.decode()  # in the nav


def test_it_lists_his_open_work_with_what_he_needs_at_the_door(worker, order_in, people):
    resident = people["with_card"]
    resident.access_notes = "Ring twice, door code from the son"
    resident.save()
    assigned, printed, out = order_in("assigned"), order_in("printed"), order_in("in_service")
    WorkOrder.objects.filter(pk=printed.pk).update(notes="Bring the long ladder")
    html = worker.get("/my-orders/").content.decode()
    for order in (assigned, printed, out):
        card = _card(html, order)
        assert "Test Resident One" in card and "1 Invented Road" in card and "Home cleaning" in card
        assert "Ring twice, door code from the son" in card
        assert 'href="tel:+8613800138000"' in card
        assert f'href="/orders/{order.pk}/"' in card
    assert "Bring the long ladder" in _card(html, printed)
    assert "As soon as possible" in _card(html, assigned)


def test_finished_unassigned_and_other_workers_orders_never_appear(worker, order_in, nurses_order):
    hidden = [order_in("received"), order_in("returned"), order_in("cancelled"), order_in("closed"), nurses_order]
    mine = order_in("in_service")
    html = worker.get("/my-orders/").content.decode()
    assert mine.number in html
    for order in hidden:
        assert order.number not in html


def test_an_agreed_time_today_is_shown_as_today(worker, order_in):
    order = order_in("assigned")
    at = timezone.localtime().replace(hour=23, minute=30, second=0, microsecond=0)
    WorkOrder.objects.filter(pk=order.pk).update(requested_for=at)
    assert "Today 23:30" in _card(worker.get("/my-orders/").content.decode(), order)


def test_overdue_orders_are_marked_red(worker, order_in):
    late, on_time = order_in("assigned"), order_in("assigned")
    now = timezone.now()
    OrderDeadline.objects.create(order=late, stage=Stage.START, due_at=now - datetime.timedelta(hours=1),
                                 calendar_key="test", computed_at=now)
    html = worker.get("/my-orders/").content.decode()
    assert 'class="my-order overdue"' in _card(html, late) and "Overdue" in _card(html, late)
    assert 'class="my-order"' in _card(html, on_time) and "Overdue" not in _card(html, on_time)


def test_a_login_without_a_worker_is_told_so(client_as, users, people):
    people["cleaner"].user = None
    people["cleaner"].save()
    html = client_as("field_worker").get("/my-orders/").content.decode()
    assert "not linked to a worker" in html


def test_opening_the_list_is_in_the_residents_access_log(worker, order_in, users, people):
    order_in("assigned")
    worker.get("/my-orders/")
    assert ResidentAccess.objects.filter(resident=people["with_card"], user=users["field_worker"],
                                         action="view").exists()


def test_reporting_a_problem_reaches_the_boards_and_is_confirmed(worker, order_in, users):
    order = order_in("in_service")
    html = worker.get("/my-orders/").content.decode()
    assert f'action="/my-orders/{order.pk}/incidents/"' in html
    prefix = f"incident-{order.pk}"
    r = worker.post(f"/my-orders/{order.pk}/incidents/", {
        f"{prefix}-kind": "problem", f"{prefix}-note": "The lift is broken; I walk up", f"{prefix}-could_not_serve": "",
    })
    assert r.status_code == 302 and r["Location"] == "/my-orders/"
    incident = Incident.objects.get()
    assert incident.order == order and incident.reporter == users["field_worker"] and not incident.could_not_serve
    assert Alert.objects.get(kind="incident").data["number"] == order.number
    page = worker.get("/my-orders/").content.decode()
    assert f"Problem on {order.number} reported at" in page and "the dispatch group has it now" in page


def test_an_emergency_is_confirmed_as_going_to_the_supervisor(worker, order_in):
    order = order_in("printed")
    prefix = f"incident-{order.pk}"
    r = worker.post(f"/my-orders/{order.pk}/incidents/", {f"{prefix}-kind": "emergency", f"{prefix}-note": ""},
                    follow=True)
    assert "the dispatch group and the supervisor have it now" in r.content.decode()
    assert Alert.objects.get(kind="incident").data["to_role"] == "supervisor"


def test_a_problem_without_a_note_keeps_what_was_typed_and_says_why(worker, order_in):
    order = order_in("in_service")
    prefix = f"incident-{order.pk}"
    r = worker.post(f"/my-orders/{order.pk}/incidents/", {
        f"{prefix}-kind": "problem", f"{prefix}-note": "   ", f"{prefix}-could_not_serve": "on",
    })
    assert r.status_code == 400
    card = _card(r.content.decode(), order)
    assert re.search(r'<details class="report" open>', card)
    assert re.search(r'data-field="note">.*?Say what happened\.', card, flags=re.S)
    assert re.search(rf'name="{prefix}-could_not_serve"[^>]*checked', card)
    assert not Incident.objects.exists()


def test_another_workers_order_cannot_be_reported_on(worker, nurses_order):
    prefix = f"incident-{nurses_order.pk}"
    r = worker.post(f"/my-orders/{nurses_order.pk}/incidents/", {f"{prefix}-kind": "emergency"})
    assert r.status_code == 404
    assert not Incident.objects.exists()


def test_the_page_is_laid_out_for_a_phone(worker, order_in):
    order_in("assigned")
    html = worker.get("/my-orders/").content.decode()
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in html
    assert "front/screens" in html and "<script>" not in html and "onclick" not in html
