"""The page of one order: everything about it, its history, prints and
incidents, and the actions the user may take now, run through the services
with errors by the fields and conflicts said in words."""

import re

import pytest
from django.urls import NoReverseMatch, reverse

from realtime.models import Alert
from workorders import services
from workorders.models import Incident, State

pytestmark = pytest.mark.django_db


def _page(client, order) -> str:
    r = client.get(f"/orders/{order.pk}/")
    assert r.status_code == 200
    return r.content.decode()


def _actions(html: str) -> list[str]:
    section = re.search(r'<section class="actions".*?</section>', html, flags=re.S).group(0)
    return re.findall(r'<div class="action" data-action="([a-z_]+)"', section)


@pytest.fixture
def nurses_order(users, order_in, people):
    order = order_in("approved")
    return services.order_assign(actor=users["dispatcher"], order_id=order.pk, worker_id=people["nurse"].pk)


def test_roles_as_the_api(client_as, order_in, nurses_order):
    order = order_in("in_service")
    assert client_as(None).get(f"/orders/{order.pk}/").status_code == 302
    for role in ["coordinator", "nobody"]:
        assert client_as(role).get(f"/orders/{order.pk}/").status_code == 403, role
    for role in ["front_desk", "dispatcher", "dispatch_lead", "supervisor", "finance", "field_worker"]:
        assert client_as(role).get(f"/orders/{order.pk}/").status_code == 200, role
    # A field worker sees his own orders only; another's does not exist for him.
    assert client_as("field_worker").get(f"/orders/{nurses_order.pk}/").status_code == 404
    assert client_as("dispatcher").get("/orders/999999/").status_code == 404


def test_it_shows_the_order_and_its_history(client_as, order_in):
    order = order_in("in_service")
    html = _page(client_as("dispatcher"), order)
    assert order.number in html and 'data-state="in_service"' in html
    for text in ["Test Resident One", "1 Invented Road", "Sunny Lane", "Home cleaning (clean)", "Cleaner Worker",
                 'href="tel:+8613800138000"', "CARD-1"]:
        assert text in html, text
    history = re.search(r'<section aria-labelledby="history-title".*?</section>', html, flags=re.S).group(0)
    rows = re.findall(r"<tr><td>.*?</tr>", history, flags=re.S)
    assert len(rows) == 4  # taken, assigned, printed, handed out
    assert "front_desk" in rows[0] and "Take request" in rows[0]
    assert "dispatcher" in rows[1] and "Assign" in rows[1] and "Received" in rows[1] and "Assigned" in rows[1]


def test_health_notes_only_for_the_roles_that_plan_care(client_as, order_in, people):
    resident = people["with_card"]
    resident.health_notes = "Walks with a frame"
    resident.save()
    order = order_in("in_service")
    assert "Walks with a frame" in _page(client_as("dispatcher"), order)
    for role in ["front_desk", "field_worker", "finance"]:
        assert "Walks with a frame" not in _page(client_as(role), order), role


def test_prints_show_copies_reprints_and_voids(client_as, users, order_in, people):
    from printing.services import order_print_pdf

    order = order_in("assigned")
    assert "Not printed yet." in _page(client_as("front_desk"), order)
    order_print_pdf(actor=users["front_desk"], order_id=order.pk, language="en")
    order_print_pdf(actor=users["front_desk"], order_id=order.pk, language="en")
    html = _page(client_as("front_desk"), order)
    prints = re.search(r'<section aria-labelledby="prints-title".*?</section>', html, flags=re.S).group(0)
    rows = re.findall(r'<tr class="(void|)"><td>(\d+)</td>(.*?)</tr>', prints, flags=re.S)
    assert [(r[0], r[1]) for r in rows] == [("", "1"), ("", "2")]
    assert "First print" in rows[0][2] and "Reprint 1" in rows[1][2] and "front_desk" in rows[1][2]


def test_a_void_copy_says_which_action_voided_it(client_as, users, order_in, people):
    from printing.services import order_print_pdf

    order = order_in("assigned")
    order_print_pdf(actor=users["front_desk"], order_id=order.pk, language="en")
    services.order_reassign(actor=users["dispatcher"], order_id=order.pk, partner_id=people["partner"].pk, note="Ill")
    html = _page(client_as("front_desk"), order)
    prints = re.search(r'<section aria-labelledby="prints-title".*?</section>', html, flags=re.S).group(0)
    assert re.search(r'<tr class="void"><td>1</td>.*?Void: Reassign at', prints, flags=re.S)


def test_incidents_are_listed(client_as, users, order_in):
    order = order_in("in_service")
    services.incident_report(actor=users["field_worker"], order_id=order.pk, kind="emergency", note="Fell in the hall")
    html = _page(client_as("dispatcher"), order)
    assert re.search(r'<tr class="incident emergency">.*?Emergency.*?field_worker.*?Fell in the hall', html, flags=re.S)
    # Finance reads orders, not what happened on site.
    assert "Fell in the hall" not in _page(client_as("finance"), order)


def test_each_role_is_offered_the_actions_it_may_take_now(client_as, order_in):
    # Cleaning needs no approval: asking for it is not offered.
    assert _actions(_page(client_as("dispatcher"), order_in("received"))) == ["assign", "cancel", "emergency_start"]
    assigned = order_in("assigned")
    assert _actions(_page(client_as("front_desk"), assigned)) == ["cancel", "print"]
    assert set(_actions(_page(client_as("dispatcher"), assigned))) == {"cancel", "reassign"}
    assert _actions(_page(client_as("field_worker"), assigned)) == []
    assert _actions(_page(client_as("supervisor"), assigned)) == []


def test_print_posts_to_the_print_api_in_a_new_tab(client_as, order_in):
    order = order_in("assigned")
    html = _page(client_as("front_desk"), order)
    assert re.search(rf'<form method="post" action="/api/v1/orders/{order.pk}/print/" target="_blank" class="print-form">',
                     html)


def test_the_return_links_to_the_desks_form(client_as, order_in):
    order = order_in("in_service")
    html = _page(client_as("front_desk"), order)
    assert f'href="/desk/orders/{order.pk}/return/"' in html


def test_followup_actions_link_to_the_followup_screen_only_when_it_exists(client_as, order_in):
    order = order_in("returned")
    html = _page(client_as("front_desk"), order)
    try:
        url = reverse("followup-queue")
    except NoReverseMatch:
        assert "log_followup" not in _actions(html)
    else:
        assert "log_followup" in _actions(html) and f'href="{url}"' in html


def test_assign_runs_through_the_service(client_as, order_in, people):
    order = order_in("received")
    client = client_as("dispatcher")
    html = _page(client, order)
    form = re.search(r'<div class="action" data-action="assign">.*?</form>', html, flags=re.S).group(0)
    # Offered: active workers with the skill the service needs, and partners that provide it.
    assert "Cleaner Worker" in form and "Helping Hands" in form
    assert "Nurse Worker" not in form and "Retired Worker" not in form
    r = client.post(f"/orders/{order.pk}/actions/assign/", {"assign-worker": people["cleaner"].pk, "assign-note": "Near"})
    assert r.status_code == 302 and r["Location"] == f"/orders/{order.pk}/"
    order.refresh_from_db()
    assert order.state == State.ASSIGNED and order.worker == people["cleaner"]
    assert order.history.last().note == "Near"
    assert f"Assign: done. {order.number} is now Assigned." in _page(client, order)


def test_bad_input_is_shown_by_the_field_and_changes_nothing(client_as, order_in):
    order = order_in("assigned")
    r = client_as("dispatcher").post(f"/orders/{order.pk}/actions/cancel/", {"cancel-reason": ""})
    assert r.status_code == 400
    form = re.search(r'<div class="action" data-action="cancel">.*?</form>', r.content.decode(), flags=re.S).group(0)
    assert re.search(r'data-field="reason">.*?aria-invalid="true".*?class="error"', form, flags=re.S)
    order.refresh_from_db()
    assert order.state == State.ASSIGNED


def test_a_service_error_goes_by_its_field_and_keeps_the_input(client_as, order_in, people):
    order = order_in("received")
    r = client_as("dispatcher").post(f"/orders/{order.pk}/actions/assign/", {"assign-note": "Typed note"})
    assert r.status_code == 400
    form = re.search(r'<div class="action" data-action="assign">.*?</form>', r.content.decode(), flags=re.S).group(0)
    assert "Choose either a worker or a partner unit." in form and 'value="Typed note"' in form


def test_a_conflict_is_a_readable_409(client_as, users, order_in, people):
    order = order_in("received")
    client = client_as("dispatcher")
    _page(client, order)
    # Someone else was first.
    services.order_assign(actor=users["dispatch_lead"], order_id=order.pk, worker_id=people["cleaner"].pk)
    r = client.post(f"/orders/{order.pk}/actions/assign/", {"assign-worker": people["cleaner"].pk})
    assert r.status_code == 409
    html = r.content.decode()
    assert re.search(rf'<p class="conflict" role="alert" id="conflict">Order {order.number} is Assigned; .*not possible now',
                     html)
    assert order.history.filter(transition="assign").count() == 1


def test_an_action_the_role_may_not_take_is_refused(client_as, order_in):
    order = order_in("received")
    r = client_as("finance").post(f"/orders/{order.pk}/actions/cancel/", {"cancel-reason": "x"})
    assert r.status_code == 403
    assert client_as("dispatcher").post(f"/orders/{order.pk}/actions/print_all/", {}).status_code == 404
    order.refresh_from_db()
    assert order.state == State.RECEIVED


def test_finance_settles_a_fee_due(client_as, order_in):
    order = order_in("returned")
    client = client_as("finance")
    assert "settle_fee" in _actions(_page(client, order))
    assert client.post(f"/orders/{order.pk}/actions/settle_fee/", {"settle_fee-receipt": "R-0001", "settle_fee-note": ""}).status_code == 302
    order.refresh_from_db()
    assert order.fee_status == "paid"


def test_a_dispatcher_records_an_incident_phoned_in(client_as, users, order_in):
    order = order_in("in_service")
    client = client_as("dispatcher")
    prefix = f"incident-{order.pk}"
    assert f'action="/orders/{order.pk}/incidents/"' in _page(client, order)
    r = client.post(f"/orders/{order.pk}/incidents/", {f"{prefix}-kind": "problem", f"{prefix}-note": "Stuck"})
    assert r.status_code == 302
    assert Incident.objects.get().reporter == users["dispatcher"]
    assert Alert.objects.filter(kind="incident").count() == 1
    assert client_as("finance").post(f"/orders/{order.pk}/incidents/", {f"{prefix}-kind": "problem"}).status_code == 403


def test_desk_lists_link_to_the_order_page(client_as, order_in):
    order = order_in("assigned")
    assert f'<a href="/orders/{order.pk}/">{order.number}</a>' in client_as("front_desk").get("/desk/").content.decode()
