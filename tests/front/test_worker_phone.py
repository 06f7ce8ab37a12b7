"""The worker's phone (issue 16, item 10): "my orders" with the urgent order
first, then by agreed time, then the oldest; the resident's emergency
contact (name, relation, a phone to tap) on "my orders" and on the order
page, for the roles that may see the resident, with the read in the access
log; a login page laid out for a phone."""

import datetime
import re

import pytest
from django.utils import timezone

from dispatch.models import EmergencyContact, ResidentAccess
from workorders.models import WorkOrder

pytestmark = pytest.mark.django_db


@pytest.fixture
def worker(client_as):
    return client_as("field_worker")


@pytest.fixture
def contact(people):
    return EmergencyContact.objects.create(
        resident=people["with_card"], name="Test Contact Son", relation="Son", phone="+8613911112222"
    )


def _listed(html: str) -> list[str]:
    return re.findall(r'<li class="my-order[^"]*" data-order-number="([^"]+)"', html)


def test_my_orders_put_the_urgent_first_then_the_agreed_time_then_the_oldest(worker, order_in):
    now = timezone.now()
    asap_old = order_in("assigned", urgency="normal")
    later = order_in("assigned", urgency="normal")
    sooner = order_in("printed", urgency="normal")
    asap_new = order_in("in_service", urgency="normal")
    urgent = order_in("assigned", urgency="urgent")  # the newest, the highest number
    WorkOrder.objects.filter(pk=later.pk).update(requested_for=now + datetime.timedelta(hours=5))
    WorkOrder.objects.filter(pk=sooner.pk).update(requested_for=now + datetime.timedelta(hours=2))
    WorkOrder.objects.filter(pk=asap_old.pk).update(created_at=now - datetime.timedelta(hours=3))
    assert _listed(worker.get("/my-orders/").content.decode()) == [
        urgent.number, sooner.number, later.number, asap_old.number, asap_new.number,
    ]


def test_my_orders_show_the_emergency_contact_with_a_phone_to_tap(worker, order_in, contact, users, people):
    order = order_in("assigned")
    html = worker.get("/my-orders/").content.decode()
    card = re.search(rf'data-order-number="{order.number}".*?</li>', html, flags=re.S).group(0)
    contacts = re.search(r'<div class="emergency-contacts">.*?</div>', card, flags=re.S).group(0)
    assert "Emergency contact" in contacts
    assert 'href="tel:+8613911112222"' in contacts
    assert "Test Contact Son" in contacts and "Son" in contacts and "139 1111 2222" in contacts
    assert ResidentAccess.objects.filter(resident=people["with_card"], user=users["field_worker"],
                                         action="view").exists()


def test_the_order_page_shows_the_emergency_contact_to_those_who_see_the_resident(client_as, order_in, contact,
                                                                                   users, people):
    order = order_in("in_service")
    for role in ["front_desk", "dispatcher", "supervisor", "field_worker"]:
        html = client_as(role).get(f"/orders/{order.pk}/").content.decode()
        assert re.search(r'<dd class="emergency-contacts"><a class="call contact" href="tel:\+8613911112222">'
                         r'<bdi>Test Contact Son</bdi> · Son · ', html), role
        assert ResidentAccess.objects.filter(resident=people["with_card"], user=users[role], action="view").exists()
    # Finance reads orders for their fees, not the resident's family.
    html = client_as("finance").get(f"/orders/{order.pk}/").content.decode()
    assert "Test Contact Son" not in html and "tel:+8613911112222" not in html


def test_a_resident_without_an_emergency_contact_says_so(client_as, order_in):
    order = order_in("assigned")
    html = client_as("dispatcher").get(f"/orders/{order.pk}/").content.decode()
    assert re.search(r'Emergency contact</dt>\s*<dd class="emergency-contacts">—</dd>', html)


def test_the_login_page_is_laid_out_for_a_phone(client):
    html = client.get("/accounts/login/").content.decode()
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in html
    assert "front/app.css" in html
    # The login button comes before the language buttons (which are submit buttons too).
    assert html.index('class="primary login-submit"') < html.index('class="language-switch')
    assert 'autocomplete="username"' in html and 'autocomplete="current-password"' in html
