"""Serving first skips the paper, not the skill: an emergency start offers
and accepts only active workers with the skill the service needs, as assign
does (the order page's list, the service, the API's 400 by field)."""

import re

import pytest

from core.errors import InvalidInput
from workorders import services
from workorders.actions import EMERGENCY_START, AssignInput, EmergencyStartInput

pytestmark = pytest.mark.django_db


def test_the_emergency_start_offers_the_workers_assign_offers():
    assert EmergencyStartInput().fields["worker"].style["options"] == "skilled_workers"
    assert EmergencyStartInput().fields["worker"].style == AssignInput().fields["worker"].style


def test_the_service_refuses_a_worker_without_the_skill(order_in, users, people):
    order = order_in("received")  # home cleaning: the cleaning skill
    with pytest.raises(InvalidInput) as refused:
        services.order_emergency_start(actor=users["front_desk"], order_id=order.pk, worker_id=people["nurse"].pk)
    assert "does not have the skill" in refused.value.fields["worker"][0]
    order.refresh_from_db()
    assert order.state == "received" and order.worker is None


@pytest.mark.parametrize("who", ["nurse", "inactive"])
def test_the_api_answers_400_on_the_worker_field(api, order_in, people, who):
    order = order_in("received")
    r = api("front_desk").post(f"/api/v1/orders/{order.pk}/emergency_start/", {"worker": people[who].pk},
                               format="json")
    assert r.status_code == 400 and list(r.json()["fields"]) == ["worker"]
    assert api("front_desk").get(f"/api/v1/orders/{order.pk}/").json()["state"] == "received"


def test_a_skilled_worker_starts_it_at_once(api, order_in, people):
    order = order_in("received")
    r = api("front_desk").post(f"/api/v1/orders/{order.pk}/emergency_start/", {"worker": people["cleaner"].pk},
                               format="json")
    assert r.status_code == 200, r.content
    assert (r.json()["state"], r.json()["worker_name"], r.json()["paperwork_owed"]) == (
        "in_service", "Cleaner Worker", True)


@pytest.mark.parametrize("role", ["front_desk", "dispatcher", "dispatch_lead"])
def test_the_order_pages_emergency_start_lists_only_skilled_workers(client_as, order_in, role):
    order = order_in("received")
    html = client_as(role).get(f"/orders/{order.pk}/").content.decode()
    section = re.search(rf'data-action="{EMERGENCY_START.name}".*?</form>', html, flags=re.S).group(0)
    select = re.search(r"<select[^>]*>.*?</select>", section, flags=re.S).group(0)
    offered = re.findall(r"<option value=\"\d+\"[^>]*>([^<]+)</option>", select)
    assert offered == ["Cleaner Worker"]  # not the nurse, not the retired cleaner
