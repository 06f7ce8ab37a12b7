"""The dispatcher's and the lead's day on the live board without dead ends
(issue #16, problems 2, 3, 5 and 6), in Debian's Chromium against Daphne with
the demo data:

- the board has the site's navigation, logout and language switch, and an
  alert clicks through to its order (5);
- an action that fails says so in the dialog it was taken from, which stays
  open; approval is asked from the board only where a service needs it, and
  the lead answers it there with a note or a reason; cancel asks in the page,
  not in the browser's prompt (2);
- alerts are ordered by severity, show the incident's words and fold to a
  counter; new requests are acknowledged at once; an emergency stays marked
  on its card after its pop-up is acknowledged (3);
- cards come urgent first, then by when they are due, show the agreed time,
  and are filtered by search, area, service and assignee (6).

Screenshots at 1440x900 go to test-output/screenshots/board-*.png.
"""

import asyncio
import datetime

import pytest

from tests.e2e.browser import WIDE, logged_in, shot

pytestmark = pytest.mark.e2e
playwright_api = pytest.importorskip("playwright.async_api")
expect = playwright_api.expect



async def _board(browser, server, username: str, language: str = "en"):
    page, problems = await logged_in(browser, server, username, "/board/", console_errors=True, **WIDE)
    # A login remembers the last language chosen: switch only when it differs,
    # and wait for the page the switch sends back.
    if await page.get_attribute("html", "lang") != language:
        async with page.expect_navigation():
            await page.click(f'.language-switch button[value="{language}"]')
    await page.wait_for_selector(f'html[lang="{language}"]', state="attached")
    await page.wait_for_selector('#connection[data-state="connected"]', timeout=10000)
    return page, problems


def _service(server, code: str) -> int:
    services = server.request("GET", "/api/v1/services/?limit=200", as_user="frontdesk", expect=200)["results"]
    return next(s["id"] for s in services if s["code"] == code)


def _take(server, service: int, *, urgency: str = "normal", requested_for: str | None = None) -> dict:
    body = {"resident": server.facts["resident"], "service": service, "channel": "phone", "urgency": urgency}
    if requested_for:
        body["requested_for"] = requested_for
    return server.request("POST", "/api/v1/orders/", body, as_user="frontdesk", expect=201)


def _card(order: dict) -> str:
    return f'.card[data-order-id="{order["id"]}"]'


async def test_the_board_has_the_sites_navigation_and_its_alerts_open_their_order(browser, daphne_server):
    order = await asyncio.to_thread(daphne_server.take_request)
    page, problems = await _board(browser, daphne_server, "lead")
    nav = page.locator(".site-nav")
    # The lead reaches the quality loop and the statistics without typing an address.
    for label in ("Complaints", "Home visits", "Statistics", "Dispatch board"):
        await expect(nav.get_by_role("link", name=label, exact=True)).to_be_visible()
    await expect(page.locator(".logout button")).to_be_visible()
    await shot(page, "board-1440-en")
    # On a phone: the alerts first, nothing wider than the screen but the columns' own scroller.
    await page.set_viewport_size({"width": 390, "height": 844})
    await expect(page.locator("#alerts-panel")).to_be_visible()
    assert await page.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth")
    await shot(page, "board-390-en")
    await page.set_viewport_size(WIDE["viewport"])

    alert = page.locator(f'.alert[data-order-number="{order["number"]}"]')
    await alert.locator("a.order-link").click()
    await page.wait_for_url(f"**/orders/{order['id']}/")
    assert problems == []


async def test_the_board_in_chinese_keeps_the_navigation_and_the_words(browser, daphne_server):
    page, problems = await _board(browser, daphne_server, "lead", "zh-hans")
    await expect(page.locator(".site-nav").get_by_role("link", name="调度看板")).to_be_visible()
    await expect(page.locator(".bar h1")).to_have_text("调度看板")
    await expect(page.locator("#filters")).to_contain_text("搜索")
    # Ages past two days read in days (the demo has an order taken 14 days ago), never "336 小时".
    ages = await page.eval_on_selector_all(".card .age", "cells => cells.map(c => c.textContent)")
    assert any(age.endswith(" 天") for age in ages), ages
    assert not any(age.endswith("小时") and int(age.split()[0]) >= 48 for age in ages), ages
    await shot(page, "board-1440-zh")
    await page.set_viewport_size({"width": 390, "height": 844})
    assert await page.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth")
    await shot(page, "board-390-zh")
    assert problems == []


async def test_an_assignment_that_fails_keeps_its_dialog_open_with_the_reason(browser, daphne_server):
    order = await asyncio.to_thread(daphne_server.take_request)
    page, problems = await _board(browser, daphne_server, "dispatcher")
    await page.fill("#filter-search", order["number"])
    await page.click(f"{_card(order)} button.assign")
    await page.wait_for_selector("#assign-workers li button")
    # Someone cancels it meanwhile: the dispatcher's choice is refused (409).
    await asyncio.to_thread(
        daphne_server.request, "POST", f"/api/v1/orders/{order['id']}/cancel/", {"reason": "Resident called back"},
        as_user="frontdesk", expect=200,
    )
    await page.click("#assign-workers li button >> nth=0")
    error = page.locator("#assign-error")
    await expect(error).to_be_visible()
    await expect(error).to_contain_text("is Cancelled")
    assert await page.locator("#assign-dialog").get_attribute("open") is not None
    await shot(page, "board-assign-error-1440-en")
    await page.click("#assign-dialog button[value=close]")
    # The refusal was expected; nothing else went wrong.
    assert [p for p in problems if "409" not in p] == []


async def test_approval_is_asked_from_the_board_where_needed_and_answered_by_the_lead(browser, daphne_server):
    needs = await asyncio.to_thread(_take, daphne_server, await asyncio.to_thread(_service, daphne_server, "wound-care"))
    plain = await asyncio.to_thread(daphne_server.take_request, "normal")
    dispatcher, problems = await _board(browser, daphne_server, "dispatcher", "sv")
    lead, lead_problems = await _board(browser, daphne_server, "lead", "sv")
    # Wound care needs approval: asked for, not assigned; cleaning needs none.
    await expect(dispatcher.locator(f"{_card(needs)} button.request_approval")).to_be_visible()
    await expect(dispatcher.locator(f"{_card(needs)} button.assign")).to_have_count(0)
    await expect(dispatcher.locator(f"{_card(plain)} button.assign")).to_be_visible()
    await expect(dispatcher.locator(f"{_card(plain)} button.request_approval")).to_have_count(0)

    await dispatcher.click(f"{_card(needs)} button.request_approval")
    await dispatcher.fill("#action-fields textarea[name=note]", "Läkarintyg finns")
    await dispatcher.click("#action-submit")
    await dispatcher.wait_for_selector(f'.column[data-column="awaiting_approval"] {_card(needs)}')
    await expect(dispatcher.locator("#action-dialog")).to_be_hidden()

    # The lead gets a pop-up, then rejects without a reason (refused in the
    # dialog) and with one.
    pop = lead.locator(f'.alert[data-kind="order.approval_requested"][data-order-number="{needs["number"]}"]')
    await expect(pop).to_be_visible(timeout=10000)
    await lead.click(f'.column[data-column="awaiting_approval"] {_card(needs)} button.reject')
    await lead.click("#action-submit")
    await expect(lead.locator("#action-error")).to_be_visible()
    assert await lead.locator("#action-dialog").get_attribute("open") is not None
    await shot(lead, "board-reject-reason-1440-sv")
    await lead.fill("#action-fields textarea[name=reason]", "Täcks inte")
    await lead.click("#action-submit")
    await lead.wait_for_selector(_card(needs), state="detached", timeout=10000)
    await expect(pop).to_have_count(0)
    assert problems == [] and lead_problems == []


async def test_cancel_asks_its_reason_in_the_page(browser, daphne_server):
    order = await asyncio.to_thread(daphne_server.take_request, "normal")
    page, problems = await _board(browser, daphne_server, "dispatcher")
    dialogs = []
    page.on("dialog", lambda d: dialogs.append(d.message))  # a native prompt would land here
    await page.click(f"{_card(order)} button.cancel")
    await expect(page.locator("#action-dialog")).to_be_visible()
    await page.click("#action-submit")
    await expect(page.locator("#action-error")).to_have_text("This field is required.")
    await page.fill("#action-fields textarea[name=reason]", "Double entry")
    await page.click("#action-submit")
    await page.wait_for_selector(_card(order), state="detached", timeout=10000)
    assert dialogs == [] and problems == []


@pytest.mark.parametrize("language", ["en", "zh-hans"])
async def test_alerts_come_by_severity_and_an_emergency_stays_on_its_card(browser, daphne_server, language):
    page, problems = await _board(browser, daphne_server, "dispatcher", language)
    # A new request, then an emergency reported on another order being served.
    fresh = await asyncio.to_thread(daphne_server.take_request, "normal")
    await asyncio.to_thread(daphne_server.take_request, "normal")  # two: "all new requests" is offered from two
    served = await asyncio.to_thread(daphne_server.take_request, "urgent")
    suggestions = await asyncio.to_thread(
        daphne_server.request, "GET", f"/api/v1/board/orders/{served['id']}/suggestions/", as_user="dispatcher",
        expect=200,
    )
    worker = suggestions["workers"][0]["id"]
    await asyncio.to_thread(
        daphne_server.request, "POST", f"/api/v1/orders/{served['id']}/emergency_start/", {"worker": worker},
        as_user="dispatcher", expect=200,
    )
    await asyncio.to_thread(
        daphne_server.request, "POST", f"/api/v1/orders/{served['id']}/incidents/",
        {"kind": "emergency", "note": "Fallen in the kitchen, ambulance called"}, as_user="dispatcher", expect=201,
    )
    emergency = page.locator(f'.alert[data-severity="emergency"][data-order-number="{served["number"]}"]')
    await expect(emergency).to_be_visible(timeout=10000)
    # On top, whatever came before or after it; its words and its order's link with it.
    await expect(page.locator(".alert").first).to_have_attribute("data-severity", "emergency")
    severities = await page.eval_on_selector_all(".alert", "items => items.map(i => i.dataset.severity)")
    ranks = ["emergency", "overdue", "problem", "complaint", "approval", "new_request", "other"]
    assert [ranks.index(s) for s in severities] == sorted(ranks.index(s) for s in severities)
    await expect(emergency.locator(".incident-note")).to_have_text("Fallen in the kitchen, ambulance called")
    await expect(emergency.locator("a.order-link")).to_have_text(served["number"])
    await expect(page.locator(f'.alert[data-order-number="{fresh["number"]}"]')).to_be_visible()
    await shot(page, f"board-alerts-1440-{language}")

    # Fold to a counter, unfold.
    await page.click("#alerts-toggle")
    await expect(page.locator("#alerts")).to_be_hidden()
    await expect(page.locator("#alerts-count")).to_contain_text({"en": "Emergencies: 1", "zh-hans": "紧急情况：1"}[language])
    await shot(page, f"board-alerts-folded-1440-{language}")
    await page.click("#alerts-toggle")
    await expect(page.locator("#alerts")).to_be_visible()

    # Every new request at once; the emergency stays.
    await page.click("#ack-new")
    await expect(page.locator('.alert[data-severity="new_request"]')).to_have_count(0, timeout=10000)
    await expect(emergency).to_be_visible()
    # Acknowledged, the emergency still marks its card until the service ends.
    await emergency.locator("button.ack").click()
    await expect(emergency).to_have_count(0, timeout=10000)
    await expect(page.locator(f"{_card(served)} .emergency-mark")).to_be_visible()
    await page.reload()
    await page.wait_for_selector('#connection[data-state="connected"]', timeout=10000)
    await expect(page.locator(f"{_card(served)}.emergency .emergency-mark")).to_be_visible()
    assert problems == []


@pytest.mark.parametrize("language", ["en", "zh-hans"])
async def test_cards_come_urgent_first_then_by_when_they_are_due_and_filter(browser, daphne_server, language):
    tomorrow = (datetime.datetime.now().astimezone() + datetime.timedelta(days=1)).replace(
        hour=15, minute=0, second=0, microsecond=0)
    service = daphne_server.facts["service"]
    later = await asyncio.to_thread(_take, daphne_server, service, requested_for=tomorrow.isoformat())
    asap = await asyncio.to_thread(_take, daphne_server, service)
    urgent = await asyncio.to_thread(_take, daphne_server, service, urgency="urgent")
    page, problems = await _board(browser, daphne_server, "dispatcher", language)
    column = '.column[data-column="received"] .card'
    await page.wait_for_selector(_card(later))
    ids = await page.eval_on_selector_all(column, "cards => cards.map(c => Number(c.dataset.orderId))")
    assert ids.index(urgent["id"]) < ids.index(asap["id"]) < ids.index(later["id"])
    words = {"en": ("Agreed: tomorrow 15:00", "As soon as possible"), "zh-hans": ("约定时间：明天 15:00", "尽快")}
    await expect(page.locator(f"{_card(later)} .agreed")).to_have_text(words[language][0])
    await expect(page.locator(f"{_card(asap)} .agreed")).to_have_text(words[language][1])

    # Search by number: only that card, and the board says how many are hidden.
    await page.fill("#filter-search", later["number"])
    await expect(page.locator(column)).to_have_count(1)
    await expect(page.locator("#filter-hidden")).to_be_visible()
    await page.keyboard.press("Escape")
    await page.click("#filter-clear")
    await expect(page.locator(_card(later))).to_be_visible()
    # "/" jumps to the search from anywhere on the board.
    await page.locator("body").click(position={"x": 5, "y": 850})
    await page.keyboard.press("/")
    await expect(page.locator("#filter-search")).to_be_focused()
    # By area: every card shown is of that area.
    area = await page.locator(f"{_card(later)} .area").text_content()
    await page.select_option("#filter-area", area)
    areas = await page.eval_on_selector_all(".card .area", "cells => cells.map(c => c.textContent)")
    assert areas and set(areas) == {area}
    await shot(page, f"board-filter-1440-{language}")
    assert problems == []


async def test_a_board_whose_login_ended_says_so_and_stops_reconnecting(browser, daphne_server):
    page, problems = await _board(browser, daphne_server, "dispatcher")
    other = await page.context.new_page()  # the same login in another tab
    await other.goto("/intake/")
    await other.click(".logout button")
    stopped = page.locator("#message.stopped")
    await expect(stopped).to_be_visible(timeout=15000)
    await expect(stopped).to_contain_text("Your login has ended")
    await expect(stopped.locator("a")).to_have_attribute("href", "/accounts/login/?next=/board/")
    await asyncio.sleep(2)  # a reconnecting board would be "connecting" again within this
    await expect(page.locator("#connection")).to_have_attribute("data-state", "disconnected")
    assert problems == []
