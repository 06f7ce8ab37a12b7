"""An order that owes its approval (an emergency start served a service that
needs one) says so where "copies owed" shows: on the order page, at the desk,
on the board's card and in the board's owed list; the lead records the
approval from the order page with a reason."""

import json
import re

import pytest

from workorders import services
from workorders.models import WorkOrder

pytestmark = pytest.mark.django_db


@pytest.fixture
def started(users, people, catalog):
    order = services.order_create(actor=users["front_desk"], resident=people["with_card"], service=catalog["wound"],
                                  channel="phone", urgency="urgent")
    return services.order_emergency_start(actor=users["front_desk"], order_id=order.pk, worker_id=people["nurse"].pk)


def _actions(html: str) -> list[str]:
    section = re.search(r'<section class="actions".*?</section>', html, flags=re.S).group(0)
    return re.findall(r'<div class="action" data-action="([a-z_]+)"', section)


def test_the_order_page_says_approval_owed_and_offers_the_lead_to_record_it(client_as, started):
    lead = client_as("dispatch_lead").get(f"/orders/{started.pk}/").content.decode()
    assert 'id="approval-owed"' in lead and "Approval owed (emergency)" in lead
    assert "record_approval" in _actions(lead)
    desk = client_as("front_desk").get(f"/orders/{started.pk}/").content.decode()
    assert "Approval owed (emergency)" in desk and "record_approval" not in _actions(desk)


def test_the_lead_records_the_approval_from_the_order_page(client_as, started, users):
    lead = client_as("dispatch_lead")
    empty = lead.post(f"/orders/{started.pk}/actions/record_approval/", {"record_approval-reason": ""})
    assert empty.status_code == 400 and WorkOrder.objects.get(pk=started.pk).approval_owed
    done = lead.post(f"/orders/{started.pk}/actions/record_approval/",
                     {"record_approval-reason": "Approved by phone while the nurse drove"})
    assert done.status_code == 302
    order = WorkOrder.objects.get(pk=started.pk)
    assert not order.approval_owed and order.approved_by == users["dispatch_lead"]
    html = lead.get(f"/orders/{started.pk}/").content.decode()
    assert 'id="approval-owed"' not in html and "record_approval" not in _actions(html)
    assert "Approved by phone while the nurse drove" in html  # the history's note


def test_the_desk_shows_approval_owed_where_it_shows_copies_owed(desk, started):
    html = desk.get("/desk/").content.decode()
    out = re.search(r'<ul class="orders" id="out">.*?</ul>', html, flags=re.S).group(0)
    to_print = re.search(r'<ul class="orders" id="to-print">.*?</ul>', html, flags=re.S).group(0)
    for pile in (out, to_print):
        assert started.number in pile and "Approval owed (emergency)" in pile


def test_the_board_card_and_the_owed_list_carry_it(client_as, api, started):
    snapshot = api("dispatch_lead").get("/api/v1/board/").json()
    card = next(o for o in snapshot["orders"] if o["id"] == started.pk)
    assert card["approval_owed"] is True and card["paperwork_owed"] is True
    assert [o["id"] for o in snapshot["approval_owed"]] == [started.pk]
    page = client_as("dispatch_lead").get("/board/").content.decode()
    assert 'id="approval-owed"' in page
    strings = json.loads(re.search(r'<script id="board-strings" type="application/json">(.*?)</script>', page,
                                   flags=re.S).group(1))
    assert strings["approval_owed"] == "Approval owed"
