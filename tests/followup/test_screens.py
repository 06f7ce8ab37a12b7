"""The quality loop's screens: who may open them, the queue's order and its
overdue mark with time frozen, calls from the screen that close, escalate,
retry and end unreachable, errors by their fields with nothing typed lost, a
call someone else logged first (409), the complaint followed to its end, the
spot checks, the intake opened for a resident who needs more, and the
lead's home visits."""

import datetime
import re
from html import unescape

import pytest
from django.test import Client
from django.utils import timezone
from freezegun import freeze_time

from dispatch.models import Resident, ResidentAccess
from followup.models import Escalation, EscalationAction, FollowUpCall, PeriodicVisit, SpotCheckItem
from tests.followup.conftest import local
from workorders.models import State

pytestmark = pytest.mark.django_db

THURSDAY_10 = local(2026, 11, 19, 10, 0)


def _row(html: str, order) -> str:
    match = re.search(rf'<tr class="([^"]*)" data-order-id="{order.pk}"', html)
    return match.group(1) if match else ""


def _post_call(client: Client, order, **fields):
    return client.post(f"/followups/{order.pk}/call/", fields)


def _new_request_link(html: str) -> str:
    """The result page's "new request" href, unescaped as a browser follows it."""
    link = re.search(r'<a class="button primary" id="new-request" href="([^"]+)" autofocus>', html)
    return unescape(link.group(1))


def _served_notes(intake_html: str) -> str:
    return unescape(re.search(r'<textarea id="served-notes" name="notes" rows="2">(.*?)</textarea>', intake_html,
                              flags=re.S).group(1))


# --- who may open what ------------------------------------------------------------------


def test_the_screens_send_anonymous_visitors_to_log_in(client_as):
    for url in ["/followups/", "/escalations/", "/spot-checks/"]:
        r = client_as(None).get(url)
        assert r.status_code == 302 and r["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize(
    ("url", "allowed"),
    [
        ("/followups/", {"front_desk", "dispatch_lead", "supervisor"}),
        ("/escalations/", {"dispatch_lead", "supervisor"}),
        ("/spot-checks/", {"supervisor"}),
    ],
)
def test_each_screen_opens_only_for_its_roles(client_as, users, url, allowed):
    for role in users:
        status = client_as(role).get(url).status_code
        assert status == (200 if role in allowed else 403), role


def test_a_field_worker_never_sees_the_answers_about_themselves(client_as, returned, log_call, complaint):
    # The field worker's login is the cleaner who served these orders.
    closed = log_call(returned(), comments="Very kind")
    escalation = complaint()
    worker = client_as("field_worker")
    for url in [f"/followups/{closed.order_id}/call/", f"/followups/calls/{closed.pk}/",
                f"/escalations/{escalation.pk}/", "/spot-checks/"]:
        r = worker.get(url)
        assert r.status_code == 403, url
        assert b"Very kind" not in r.content and b"floor was left wet" not in r.content


def test_the_nav_offers_the_screens_to_their_roles(client_as):
    nav = re.search(r'<nav class="site-nav".*?</nav>', client_as("supervisor").get("/followups/").content.decode(),
                    flags=re.S).group(0)
    assert 'href="/followups/" aria-current="page"' in nav
    assert 'href="/escalations/"' in nav and 'href="/spot-checks/"' in nav
    desk_nav = re.search(r'<nav class="site-nav".*?</nav>', client_as("front_desk").get("/intake/").content.decode(),
                         flags=re.S).group(0)
    assert 'href="/followups/"' in desk_nav and 'href="/escalations/"' not in desk_nav


# --- the queue --------------------------------------------------------------------------


def test_the_queue_lists_the_longest_waiting_first_and_marks_the_overdue(desk, users, returned, log_call):
    with freeze_time(THURSDAY_10) as clock:
        older = returned()
        clock.move_to(local(2026, 11, 19, 15, 0))
        newer = returned()
        clock.move_to(local(2026, 11, 19, 16, 0))
        retried = returned()
        log_call(retried, "no_answer")
        closed = returned()
        log_call(closed)

        html = desk.get("/followups/").content.decode()
        assert closed.number not in html
        positions = [html.index(f'data-order-number="{o.number}"') for o in (older, newer, retried)]
        assert positions == sorted(positions)
        assert _row(html, older) == "entry"
        assert _row(html, retried) == "entry waiting"  # waiting for the retry interval
        assert "retry from 18:00" in html

        clock.move_to(local(2026, 11, 20, 12, 0))  # past older's due time (Friday 10:00), not newer's
        desk.force_login(users["front_desk"])  # a new shift: yesterday's session has expired
        html = desk.get("/followups/").content.decode()
        assert _row(html, older) == "entry overdue"
        assert _row(html, newer) == "entry"
        assert "1 overdue" in html
        # Each row opens its call.
        assert f'href="/followups/{older.pk}/call/"' in html


def test_the_call_screen_shows_phone_service_worker_attempts_and_the_script(desk, returned, log_call, people):
    order = returned()
    log_call(order, "no_answer")
    html = desk.get(f"/followups/{order.pk}/call/").content.decode()
    assert 'href="tel:+8613800138000"' in html and "138 0013 8000" in html
    assert "Home cleaning" in html and "Cleaner Worker" in html
    assert "No answer" in re.search(r'<ol class="attempts".*?</ol>', html, flags=re.S).group(0)
    script = re.search(r'<ol class="script-lines".*?</ol>', html, flags=re.S).group(0)
    assert "May I speak with Test Resident One?" in script
    assert "about the Home cleaning service on" in script


def test_the_script_names_the_residents_local_day_of_the_service(desk, returned):
    # Served at 06:00 in Beijing: 22:00 the day before in UTC.
    with freeze_time(local(2026, 11, 19, 7, 0)):
        order = returned()
        html = desk.get(f"/followups/{order.pk}/call/").content.decode()
    assert "service on 11/19/2026." in html


def test_the_script_is_in_the_callers_language(desk, returned, users):
    order = returned()
    desk.post("/i18n/setlang/", {"language": "zh-hans", "next": "/"})
    html = desk.get(f"/followups/{order.pk}/call/").content.decode()
    script = re.search(r'<ol class="script-lines".*?</ol>', html, flags=re.S).group(0)
    assert "Test Resident One" in script
    assert "Hello, this is" not in script


def test_the_lead_may_read_a_call_but_not_log_one(client_as, returned):
    order = returned()
    lead = client_as("dispatch_lead")
    html = lead.get(f"/followups/{order.pk}/call/").content.decode()
    assert 'id="call-form"' not in html
    assert _post_call(lead, order, result="reached", quality=5, satisfied="yes").status_code == 403
    assert not FollowUpCall.objects.exists()


# --- calls from the screen --------------------------------------------------------------


def test_a_satisfied_call_closes_the_order(desk, returned):
    order = returned()
    r = _post_call(desk, order, result="reached", quality="5", satisfied="yes", comments="Very pleased")
    call = FollowUpCall.objects.get(order=order)
    assert r.status_code == 302 and r["Location"] == f"/followups/calls/{call.pk}/"
    order.refresh_from_db()
    assert order.state == State.CLOSED
    assert (call.quality, call.satisfied, call.comments) == (5, True, "Very pleased")
    html = desk.get(r["Location"]).content.decode()
    assert 'data-outcome="closed"' in html and "The order is closed." in html
    assert order.number not in desk.get("/followups/").content.decode()


def test_an_unsatisfied_call_escalates_to_the_lead(desk, returned, users):
    order = returned()
    r = _post_call(desk, order, result="reached", quality="2", satisfied="no", comments="Dust everywhere")
    order.refresh_from_db()
    assert order.state == State.ESCALATED
    escalation = Escalation.objects.get(order=order)
    assert escalation.owner == users["dispatch_lead"]
    html = desk.get(r["Location"]).content.decode()
    assert 'data-outcome="escalated"' in html and "escalated to dispatch_lead" in html


def test_unanswered_calls_are_retried_then_the_order_closes_as_unreachable(desk, returned):
    with freeze_time(THURSDAY_10) as clock:
        order = returned()
        r = _post_call(desk, order, result="no_answer")
        html = desk.get(r["Location"]).content.decode()
        assert 'data-outcome="retry"' in html and "Call again from 2026-11-19 12:00" in html
        clock.move_to(local(2026, 11, 19, 12, 5))
        _post_call(desk, order, result="wrong_number")
        clock.move_to(local(2026, 11, 19, 14, 10))
        r = _post_call(desk, order, result="no_answer")
        html = desk.get(r["Location"]).content.decode()
    order.refresh_from_db()
    assert order.state == State.CLOSED and "after 3 follow-up attempts" in order.closing_reason
    assert 'data-outcome="unreachable"' in html and "closed without a follow-up" in html


def test_answers_left_on_the_form_are_dropped_for_an_unanswered_call(desk, returned):
    order = returned()
    r = _post_call(desk, order, result="no_answer", quality="4", satisfied="yes", comments="Rang out")
    assert r.status_code == 302
    call = FollowUpCall.objects.get(order=order)
    assert (call.result, call.quality, call.satisfied) == ("no_answer", None, None)


def test_a_reached_call_without_its_answers_is_refused_by_the_field_and_keeps_the_typing(desk, returned):
    order = returned()
    r = _post_call(desk, order, result="reached", satisfied="no", comments="Said the bathroom was not done",
                   needs_more="on", needs_more_what="A bath next week")
    assert r.status_code == 400
    html = r.content.decode()
    assert re.search(r'id="quality-error">Give the quality of the service, from 1 to 5.<', html)
    assert "Said the bathroom was not done</textarea>" in html and "A bath next week</textarea>" in html
    assert re.search(r'<input type="radio" name="satisfied" value="no"[^>]*checked', html)
    assert re.search(r'<input type="radio" name="result" value="reached"[^>]*checked', html)
    assert not FollowUpCall.objects.exists()


def test_a_need_without_saying_what_is_refused_by_its_field(desk, returned):
    order = returned()
    r = _post_call(desk, order, result="reached", quality="4", satisfied="yes", needs_more="on")
    assert r.status_code == 400
    assert 'id="needs_more_what-error">Say what else the resident needs.<' in r.content.decode()


def test_a_call_someone_else_logged_first_is_a_readable_conflict(desk, returned, log_call):
    order = returned()
    log_call(order)  # a colleague, a moment earlier
    r = _post_call(desk, order, result="reached", quality="3", satisfied="yes", comments="Typed by me")
    assert r.status_code == 409
    html = r.content.decode()
    conflict = re.search(r'<div class="conflict" role="alert" id="conflict">.*?</div>', html, flags=re.S).group(0)
    assert "could not be recorded" in conflict and "not waiting for a follow-up call" in conflict
    assert "Typed by me</textarea>" in html
    assert FollowUpCall.objects.filter(order=order).count() == 1


def test_opening_an_order_that_left_the_queue_says_what_happened(desk, returned, log_call):
    order = returned()
    call = log_call(order)
    r = desk.get(f"/followups/{order.pk}/call/")
    assert r.status_code == 409
    html = r.content.decode()
    assert "not waiting for a follow-up call: it is Closed" in html
    assert f'href="/followups/calls/{call.pk}/"' in html
    assert desk.get("/followups/999999/call/").status_code == 404


# --- a need: a new intake for the resident ----------------------------------------------


def test_a_need_offers_a_new_request_for_the_resident_in_one_action(desk, returned, people):
    order = returned()
    r = _post_call(desk, order, result="reached", quality="5", satisfied="yes", needs_more="on",
                   needs_more_what="Meals from Monday")
    html = desk.get(r["Location"]).content.decode()
    link = _new_request_link(html)
    assert link == f"/intake/?resident={people['with_card'].pk}&notes=Meals+from+Monday"

    intake = desk.get(link).content.decode()
    card = re.search(r'<div id="lookup" class="lookup" data-state="found".*?</article>', intake, flags=re.S).group(0)
    assert f'data-resident-id="{people["with_card"].pk}"' in card and "Test Resident One" in card
    assert re.search(r'<input id="phone"[^>]*value="138 0013 8000"', intake)
    # What the resident needs starts the new request's notes.
    assert _served_notes(intake) == "Meals from Monday"
    assert ResidentAccess.objects.filter(resident=people["with_card"], user__username="front_desk",
                                         action="view").exists()


def test_a_long_need_with_markup_reaches_the_intake_escaped_and_cut(desk, returned, people):
    need = "<b>送餐</b> & " + "x" * 1985  # within the call form's 2000 characters
    r = _post_call(desk, returned(), result="reached", quality="4", satisfied="yes", needs_more="on",
                   needs_more_what=need)
    link = _new_request_link(desk.get(r["Location"]).content.decode())
    intake = desk.get(link).content.decode()
    assert "<b>送餐</b>" not in intake and "&lt;b&gt;送餐&lt;/b&gt; &amp; xxx" in intake
    assert _served_notes(intake) == need[:500]


def test_notes_in_the_intake_link_are_cut_to_what_the_form_takes(desk, people):
    intake = desk.get("/intake/", {"resident": people["with_card"].pk, "notes": "y" * 2500}).content.decode()
    assert _served_notes(intake) == "y" * 2000
    # Without a resident found, nothing is prefilled.
    assert _served_notes(desk.get("/intake/", {"resident": "999999", "notes": "z"}).content.decode()) == ""


@pytest.mark.parametrize("raw", ["999999", "abc", "-1"])
def test_an_intake_for_an_unknown_resident_says_so(desk, people, raw):
    r = desk.get(f"/intake/?resident={raw}")
    assert r.status_code == 200
    html = r.content.decode()
    assert f"No active resident has the number {raw}" in html
    assert 'data-state="empty"' in html and "resident-card" not in html


def test_an_intake_for_an_inactive_resident_says_so(desk, people):
    Resident.objects.filter(pk=people["no_card"].pk).update(active=False)
    html = desk.get(f"/intake/?resident={people['no_card'].pk}").content.decode()
    assert "No active resident has the number" in html and "Test Resident Two" not in html


def test_the_prefilled_intake_keeps_its_roles(client_as, people):
    assert client_as("field_worker").get(f"/intake/?resident={people['with_card'].pk}").status_code == 403
    assert client_as("supervisor").get(f"/intake/?resident={people['with_card'].pk}").status_code == 403


# --- complaints -------------------------------------------------------------------------


def test_the_complaint_list_marks_the_overdue_and_hides_the_resolved(client_as, complaint):
    with freeze_time(THURSDAY_10) as clock:
        late = complaint()
        clock.move_to(local(2026, 11, 20, 9, 0))
        fresh = complaint()
        clock.move_to(local(2026, 11, 20, 10, 30))  # late is past its 24 hours
        html = client_as("dispatch_lead").get("/escalations/").content.decode()  # logged in now
    assert re.search(rf'<tr class="entry overdue" data-escalation-id="{late.pk}"', html)
    assert re.search(rf'<tr class="entry" data-escalation-id="{fresh.pk}"', html)
    assert html.index(f'data-escalation-id="{late.pk}"') < html.index(f'data-escalation-id="{fresh.pk}"')


def test_a_complaint_is_followed_to_its_end_on_the_screen(client_as, complaint, second_lead, users):
    escalation = complaint()
    lead = client_as("dispatch_lead")
    html = lead.get(f"/escalations/{escalation.pk}/").content.decode()
    assert "floor was left wet" in html and "quality 2/5" in html and "dispatch_lead" in html

    r = lead.post(f"/escalations/{escalation.pk}/note/", {"note": "Called the resident, apologised"})
    assert r.status_code == 302
    r = lead.post(f"/escalations/{escalation.pk}/reassign/", {"owner": second_lead.pk, "note": "Her area"})
    assert r.status_code == 302
    escalation.refresh_from_db()
    assert escalation.owner == second_lead

    # Resolving without an outcome: the error is by the field.
    r = lead.post(f"/escalations/{escalation.pk}/resolve/", {"outcome": "  "})
    assert r.status_code == 400 and 'id="id_outcome-error"' in r.content.decode()
    r = lead.post(f"/escalations/{escalation.pk}/resolve/", {"outcome": "Cleaned again at no cost"})
    assert r.status_code == 302
    escalation.refresh_from_db()
    escalation.order.refresh_from_db()
    assert escalation.resolved_by == users["dispatch_lead"] and escalation.order.state == State.CLOSED

    html = lead.get(f"/escalations/{escalation.pk}/").content.decode()
    log = re.search(r'<ol class="actions-log" id="actions">.*?</ol>', html, flags=re.S).group(0)
    for text in ["Opened", "Called the resident, apologised", "dispatch_lead -&gt; lead_two: Her area",
                 "Cleaned again at no cost"]:
        assert text in log
    assert 'id="resolve-form"' not in html
    assert list(EscalationAction.objects.filter(escalation=escalation).values_list("kind", flat=True)) == [
        "opened", "note", "reassigned", "resolved"]
    # Resolved ones leave the open list, and stay in "all".
    assert f'data-escalation-id="{escalation.pk}"' not in lead.get("/escalations/").content.decode()
    assert f'data-escalation-id="{escalation.pk}"' in lead.get("/escalations/?show=all").content.decode()


def test_resolving_twice_is_a_readable_conflict(client_as, complaint):
    escalation = complaint()
    lead = client_as("dispatch_lead")
    lead.post(f"/escalations/{escalation.pk}/resolve/", {"outcome": "Done"})
    r = client_as("supervisor").post(f"/escalations/{escalation.pk}/resolve/", {"outcome": "Also done"})
    assert r.status_code == 409 and "already resolved" in r.content.decode()


def test_reassigning_to_someone_who_may_not_own_it_is_refused(client_as, complaint, users):
    escalation = complaint()
    r = client_as("dispatch_lead").post(f"/escalations/{escalation.pk}/reassign/", {"owner": users["front_desk"].pk})
    assert r.status_code == 400  # not among the choices
    escalation.refresh_from_db()
    assert escalation.owner == users["dispatch_lead"]


# --- spot checks ------------------------------------------------------------------------


@pytest.fixture
def reached_calls(returned, log_call):
    with freeze_time(THURSDAY_10):
        return [log_call(returned(), comments=f"Call {n}") for n in range(6)]


def test_a_spot_check_is_drawn_reproducibly_and_its_mismatches_listed(client_as, reached_calls):
    boss = client_as("supervisor")
    form = {"period_start": "2026-11-19", "period_end": "2026-11-19", "count": "3", "seed": "4242"}
    # The whole visit in one frozen morning: the session lives in the same clock.
    with freeze_time(local(2026, 11, 20, 9, 0)):
        r = boss.post("/spot-checks/", form)
        assert r.status_code == 302
        html = boss.get(r["Location"]).content.decode()
        again = boss.post("/spot-checks/", form)
        html_again = boss.get(again["Location"]).content.decode()
        assert '<code id="seed">4242</code>' in html and "gives the same calls" in html
        sample = re.findall(r'data-item-id="(\d+)"', html)
        assert len(sample) == 3
        first, second = (
            list(SpotCheckItem.objects.filter(pk__in=ids).order_by("position").values_list("call", flat=True))
            for ids in (sample, re.findall(r'data-item-id="(\d+)"', html_again))
        )
        assert first == second

        item = int(sample[0])
        check_id = SpotCheckItem.objects.get(pk=item).spot_check_id
        r = boss.post(f"/spot-checks/{check_id}/items/{item}/", {"answers_match": "no"})
        assert r.status_code == 400 and "Say what did not match." in r.content.decode()
        r = boss.post(f"/spot-checks/{check_id}/items/{item}/", {"answers_match": "no", "note": "Says it was a 2"})
        assert r.status_code == 302
        listing = boss.get("/spot-checks/").content.decode()
        mismatches = re.search(r'<table class="queue" id="mismatches">.*?</table>', listing, flags=re.S).group(0)
        assert "Says it was a 2" in mismatches


def test_a_draw_with_both_a_percentage_and_a_count_is_refused_by_the_field(client_as, reached_calls):
    r = client_as("supervisor").post(
        "/spot-checks/", {"period_start": "2026-11-19", "period_end": "2026-11-19", "count": "3", "percentage": "10"}
    )
    assert r.status_code == 400
    assert 'id="id_percentage-error">Give either a percentage or a count.<' in r.content.decode()
    assert 'value="3"' in r.content.decode()


def test_an_item_of_another_spot_check_is_not_found(client_as, reached_calls):
    boss = client_as("supervisor")
    r = boss.post("/spot-checks/", {"period_start": "2026-11-19", "period_end": "2026-11-19", "count": "1"})
    check_id = int(r["Location"].split("/")[2])
    item = SpotCheckItem.objects.get(spot_check_id=check_id)
    assert boss.post(f"/spot-checks/{check_id + 1}/items/{item.pk}/", {"answers_match": "yes"}).status_code == 404


def test_the_queue_has_a_due_call_after_a_day(desk, returned):
    # Guards the queue's date: the row's due time is one working day after the return.
    with freeze_time(THURSDAY_10):
        order = returned()
        html = desk.get("/followups/").content.decode()
    row = re.search(rf'data-order-id="{order.pk}".*?</tr>', html, flags=re.S).group(0)
    assert "2026-11-20 10:00" in row and "2026-11-19 10:00" in row


# --- periodic visits --------------------------------------------------------------------


def test_the_visits_page_is_for_the_lead_and_the_supervisor(client_as, users):
    for role in users:
        status = client_as(role).get("/visits/").status_code
        assert status == (200 if role in {"dispatch_lead", "supervisor"} else 403), role
    html = client_as("supervisor").get("/visits/").content.decode()
    assert 'id="schedule-form"' not in html  # the supervisor reads; the lead organises


def test_the_lead_schedules_everyone_a_worker_served_and_records_a_visit(client_as, returned, people):
    order = returned()
    lead = client_as("dispatch_lead")
    month = timezone.localtime(order.actual_end).strftime("%Y-%m")
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    r = lead.post("/visits/", {"scheduled_for": tomorrow.isoformat(), "served_by_worker": people["cleaner"].pk,
                               "month": month, "reason": "Monthly check"})
    assert r.status_code == 302
    visit = PeriodicVisit.objects.get()
    assert visit.resident == people["with_card"] and visit.reason == "Monthly check"

    r = lead.post(f"/visits/{visit.pk}/record/", {"findings": " "})
    assert r.status_code == 400 and f'id="visit-{visit.pk}-findings-error"' in r.content.decode()
    r = lead.post(f"/visits/{visit.pk}/record/", {"findings": "Needs a grab bar in the bathroom"})
    assert r.status_code == 302
    visit.refresh_from_db()
    assert visit.status == "visited" and visit.findings == "Needs a grab bar in the bathroom"
    done = re.search(r'<ul id="done">.*?</ul>', lead.get("/visits/").content.decode(), flags=re.S).group(0)
    assert "Needs a grab bar in the bathroom" in done


def test_scheduling_without_whom_to_visit_is_refused_by_the_field(client_as, people):
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    r = client_as("dispatch_lead").post("/visits/", {"scheduled_for": tomorrow.isoformat(), "reason": "Keep me"})
    assert r.status_code == 400
    html = r.content.decode()
    assert 'id="id_served_by_worker-error">Name the residents, or a worker and a month.<' in html
    assert 'value="Keep me"' in html
    assert not PeriodicVisit.objects.exists()


def test_a_complaint_links_its_order_and_gives_the_numbers_to_call(client_as, complaint, people):
    escalation = complaint()
    html = client_as("dispatch_lead").get(f"/escalations/{escalation.pk}/").content.decode()
    order = escalation.order
    assert f'<a id="order-link" href="/orders/{order.pk}/">{order.number}</a>' in html
    phones = re.search(r'<dd id="resident-phones">(.*?)</dd>', html, flags=re.S).group(1)
    assert 'href="tel:+8613800138000"' in phones
    served_by = re.search(r'<dd id="served-by">(.*?)</dd>', html, flags=re.S).group(1)
    assert order.worker.name in served_by and f'href="tel:{order.worker.phone}"' in served_by
