"""The intake's smaller dead ends (issue 16, "also met") in a real browser
(Debian's Chromium, driven by Playwright) against Daphne with the demo data,
in English and in Chinese, at 1440x900:

- a click on "Take the request" takes the highlighted service, as Enter does;
- "Next caller" is on the screen, and Esc in mid-call asks before clearing
  what was typed, then gives the phone box the focus;
- the card counts every open order ("10 of 12 shown"), and a service the
  resident has an open order for is warned about, with that order's link,
  before a second one is taken;
- registration takes a second phone, an emergency contact and access notes,
  with each error by its field;
- a recurring service (regular meals) starts a subscription with its schedule.

Screenshots go to test-output/screenshots/."""

import datetime

import pytest

from tests.e2e.browser import WIDE, demo_residents, logged_in, shot

pytestmark = pytest.mark.e2e
playwright_api = pytest.importorskip("playwright.async_api")

LANGUAGES = [pytest.param("en", id="en"), pytest.param("zh-hans", id="zh-hans")]
# Each test and language has its own resident: an order of one is no duplicate of another's.
SLOT = {"click": 0, "next": 2, "duplicate": 4, "count": 6, "subscribe": 8}
# Numbers the demo data never generates (its mobiles start 13, 15, 18, 19).
OPEN = {"received", "awaiting_approval", "approved", "assigned", "printed", "in_service", "returned", "escalated"}
NEW_PHONE = {"en": "17012345671", "zh-hans": "17012345672"}


@pytest.fixture(scope="module")
def demo(daphne_server) -> dict:
    """Residents with a valid card, each alone on their number, as typed."""
    get = lambda path: daphne_server.request("GET", path, as_user="frontdesk", expect=200)  # noqa: E731
    residents, areas, alone = demo_residents(daphne_server)

    orders = get("/api/v1/orders/?limit=1000")
    assert orders["next"] is None
    busy = {o["resident"] for o in orders["results"] if o["state"] in OPEN}
    # Without an open order yet: what a test takes is the resident's first.
    callers = [(r, alone(r)) for r in residents
               if areas[r["area"]]["served"] and r["card_valid"] and alone(r) and r["id"] not in busy]
    assert len(callers) >= 10
    return {"callers": callers, "services": {s["code"]: s for s in get("/api/v1/services/?limit=500")["results"]}}


def _caller(demo, test: str, language: str):
    return demo["callers"][SLOT[test] + (0 if language == "en" else 1)]


async def _page(browser, server, language: str):
    page, problems = await logged_in(
        browser, server, "frontdesk", "/intake/", field_errors_expected=True,
        extra_http_headers={"Accept-Language": language}, **WIDE,
    )
    assert await page.get_attribute("html", "lang") == language
    await page.wait_for_selector("#phone:focus")
    return page, problems


async def _call(page, phone: str) -> None:
    await page.keyboard.type(phone)
    await page.wait_for_selector(".resident-card.selected", timeout=5000)


def _orders_of(server, resident_id: int, *, service: str | None = None) -> list[dict]:
    """The resident's open orders (of one service), newest first."""
    orders = server.request("GET", "/api/v1/orders/?limit=1000", as_user="frontdesk", expect=200)["results"]
    return [o for o in orders if o["resident"] == resident_id and o["state"] in OPEN
            and (service is None or o["service_code"] == service)]


@pytest.mark.parametrize("language", LANGUAGES)
async def test_the_button_takes_the_highlighted_service_as_enter_does(browser, daphne_server, demo, language):
    resident, phone = _caller(demo, "click", language)
    page, problems = await _page(browser, daphne_server, language)
    await _call(page, phone)
    await page.keyboard.type("laundry" if language == "en" else "洗涤")
    await page.wait_for_selector("#service-list li[aria-selected=true]")
    # No Tab, no Enter: the mouse goes to the button.
    await page.click("#served-form button[type=submit]")
    await page.wait_for_selector("#result:not([hidden])", timeout=5000)
    number = (await page.inner_text("#result-number")).strip()
    await shot(page, f"intake-also-1-click-takes-highlighted-{language}")
    [order] = [o for o in _orders_of(daphne_server, resident["id"]) if o["number"] == number]
    assert order["service_code"] == "laundry"
    assert problems == []


@pytest.mark.parametrize("language", LANGUAGES)
async def test_next_caller_asks_before_clearing_what_was_typed(browser, daphne_server, demo, language):
    resident, phone = _caller(demo, "next", language)
    before = _orders_of(daphne_server, resident["id"])
    page, problems = await _page(browser, daphne_server, language)
    button = page.locator("#next-caller")
    await playwright_api.expect(button).to_be_visible()
    # Nothing typed: Esc keeps the phone box ready, no question asked.
    await page.keyboard.press("Escape")
    await playwright_api.expect(page.locator("#discard-dialog")).to_be_hidden()
    await playwright_api.expect(page.locator("#phone")).to_be_focused()

    await _call(page, phone)
    await page.keyboard.type("bath")
    await page.wait_for_selector("#service-list:not([hidden])")
    # The first Esc closes the service list; the second asks.
    await page.keyboard.press("Escape")
    await playwright_api.expect(page.locator("#service-list")).to_be_hidden()
    await playwright_api.expect(page.locator("#discard-dialog")).to_be_hidden()
    await page.keyboard.press("Escape")
    dialog = page.locator("#discard-dialog")
    await playwright_api.expect(dialog).to_be_visible()
    await shot(page, f"intake-also-2-next-caller-asks-{language}")
    # Esc again: the question closes and everything typed is kept.
    await page.keyboard.press("Escape")
    await playwright_api.expect(dialog).to_be_hidden()
    assert await page.input_value("#phone") == phone and await page.input_value("#service-filter") == "bath"
    await playwright_api.expect(page.locator("#service-filter")).to_be_focused()

    # The button, then "clear": the phone box is empty and has the focus.
    await button.click()
    await playwright_api.expect(dialog).to_be_visible()
    await page.click("#discard-yes")
    await playwright_api.expect(dialog).to_be_hidden()
    await playwright_api.expect(page.locator("#phone")).to_be_focused()
    assert await page.input_value("#phone") == "" and await page.input_value("#service-filter") == ""
    assert await page.locator(".resident-card").count() == 0
    assert _orders_of(daphne_server, resident["id"]) == before
    await shot(page, f"intake-also-3-next-caller-cleared-{language}")
    assert problems == []


@pytest.mark.parametrize("language", LANGUAGES)
async def test_the_same_service_open_already_is_warned_about_before_a_second(browser, daphne_server, demo,
                                                                             language):
    resident, phone = _caller(demo, "duplicate", language)
    first = daphne_server.request("POST", "/api/v1/orders/", {
        "resident": resident["id"], "service": demo["services"]["laundry"]["id"], "channel": "phone",
    }, as_user="frontdesk", expect=201)
    page, problems = await _page(browser, daphne_server, language)
    await _call(page, phone)
    await page.keyboard.type("laundry")
    await page.wait_for_selector("#service-list li[aria-selected=true]")
    await page.keyboard.press("Enter")
    # Not taken: the warning names the open order, links to it, and has the focus.
    warning = page.locator("#duplicate")
    await playwright_api.expect(warning).to_be_visible()
    assert first["number"] in await warning.inner_text()
    assert await page.get_attribute("#duplicate-link", "href") == f"/orders/{first['id']}/"
    await playwright_api.expect(page.locator("#duplicate-take")).to_be_focused()
    assert await page.is_hidden("#result")
    await shot(page, f"intake-also-4-duplicate-warning-{language}")
    assert len(_orders_of(daphne_server, resident["id"], service="laundry")) == 1
    # The desk confirms: a second one is taken.
    await page.keyboard.press("Enter")
    await page.wait_for_selector("#result:not([hidden])", timeout=5000)
    assert len(_orders_of(daphne_server, resident["id"], service="laundry")) == 2
    assert [p for p in problems if not p.startswith("409 ")] == []


@pytest.mark.parametrize("language", LANGUAGES)
async def test_the_card_counts_every_open_order(browser, daphne_server, demo, language):
    resident, phone = _caller(demo, "count", language)
    for _ in range(12):
        daphne_server.request("POST", "/api/v1/orders/", {
            "resident": resident["id"], "service": demo["services"]["chat-visit"]["id"], "channel": "phone",
        }, as_user="frontdesk", expect=201)
    page, problems = await _page(browser, daphne_server, language)
    await _call(page, phone)
    card = page.locator(".resident-card")
    assert await card.get_attribute("data-open-count") == "12"
    summary = await card.locator("details.orders summary").first.inner_text()
    shown = {"en": "10 of 12 shown", "zh-hans": "显示 10 条，共 12 条"}[language]
    assert "12" in summary and shown in summary
    assert await card.locator("details.orders").first.locator("li").count() == 10
    await shot(page, f"intake-also-5-open-order-count-{language}")
    assert problems == []


@pytest.mark.parametrize("language", LANGUAGES)
async def test_registration_takes_a_contact_a_second_phone_and_access_notes(browser, daphne_server, language):
    page, problems = await _page(browser, daphne_server, language)
    await page.keyboard.type(NEW_PHONE[language])
    await page.wait_for_selector("#register-form:not([hidden])", timeout=5000)
    await page.fill("#reg-name", "测试新居民" + language)
    await page.fill("#reg-address", "测试路2号")
    await page.select_option("#reg-area", index=1)
    await page.fill("#reg-phone2", "12345")
    await page.fill("#reg-contact-name", "测试女儿")
    await page.press("#reg-contact-name", "Enter")
    # Each mistake by its own field, nothing typed lost.
    for field in ["phone2", "contact_relation", "contact_phone"]:
        await playwright_api.expect(page.locator(f'#register-form [data-error-for="{field}"]')).not_to_be_empty()
    await playwright_api.expect(page.locator("#reg-phone2")).to_be_focused()
    assert await page.input_value("#reg-contact-name") == "测试女儿"
    await shot(page, f"intake-also-6-register-contact-errors-{language}")
    await page.fill("#reg-phone2", "010 6521 7777")
    await page.fill("#reg-contact-relation", "女儿")
    await page.fill("#reg-contact-phone", "139 2222 3333")
    await page.fill("#reg-access", "钥匙在11号邻居家 / key at No. 11")
    await page.press("#reg-contact-phone", "Enter")
    await page.wait_for_selector(".resident-card.selected", timeout=5000)
    text = await page.inner_text(".resident-card")
    assert "测试女儿 (女儿)" in text and "钥匙在11号邻居家" in text and "010 6521 7777" in text
    await shot(page, f"intake-also-7-registered-with-contact-{language}")
    assert problems == []


@pytest.mark.parametrize("language", LANGUAGES)
async def test_a_recurring_service_starts_a_subscription_with_its_schedule(browser, daphne_server, demo, language):
    resident, phone = _caller(demo, "subscribe", language)
    before = _orders_of(daphne_server, resident["id"])
    page, problems = await _page(browser, daphne_server, language)
    await _call(page, phone)
    await page.keyboard.type("meal-weekly")
    await page.wait_for_selector("#service-list li[aria-selected=true]")
    await page.keyboard.press("Tab")
    await playwright_api.expect(page.locator("#recurring")).to_be_visible()
    await playwright_api.expect(page.locator("#schedule")).to_be_visible()
    await playwright_api.expect(page.locator("#when")).to_be_hidden()
    # Without a day of the week: the error is by the days.
    start = (datetime.date.today() + datetime.timedelta(days=5)).isoformat()
    await page.fill("#starts-at", f"{start}T11:30")
    await page.keyboard.press("Control+Enter")
    await playwright_api.expect(page.locator('[data-error-for="weekdays"]')).not_to_be_empty()
    await page.check("input[name=weekdays][value=MO]")
    await page.check("input[name=weekdays][value=TH]")
    await shot(page, f"intake-also-8-subscription-schedule-{language}")
    await page.keyboard.press("Control+Enter")
    await page.wait_for_selector('#result[data-outcome="subscription"]:not([hidden])', timeout=5000)
    reply = await page.inner_text("#result-reply")
    assert "11:30" in reply and "300.00" in reply
    await shot(page, f"intake-also-9-subscription-started-{language}")
    subscriptions = daphne_server.request("GET", f"/api/v1/subscriptions/?resident={resident['id']}",
                                          as_user="frontdesk", expect=200)["results"]
    assert [s["rule"] for s in subscriptions] == ["FREQ=WEEKLY;BYDAY=MO,TH"]
    assert _orders_of(daphne_server, resident["id"]) == before
    assert problems == []
