"""Two dead ends of the intake closed, in a real browser (Debian's Chromium,
driven by Playwright) against Daphne with the demo data, in English and in
Chinese, at 1440x900:

- a home visit booked at intake to register a resident without a card is on
  the lead's home-visit list, at its time, and on the boards as an alert;
- an urgent request is served at once from the intake ("serve now", only
  workers with the skill offered), and the result links to the order page;
  the chosen service shows its catalog price and the approval it waits for.

Screenshots go to test-output/screenshots/."""

import datetime

import pytest

from tests.e2e.browser import WIDE, demo_residents, logged_in, shot

pytestmark = pytest.mark.e2e
playwright_api = pytest.importorskip("playwright.async_api")

LANGUAGES = [pytest.param("en", id="en"), pytest.param("zh-hans", id="zh-hans")]
# Each language books its own day: one visit a day per resident.
VISIT_DAY = {"en": 3, "zh-hans": 4}


@pytest.fixture(scope="module")
def demo(daphne_server) -> dict:
    """A resident without a card alone on their number, a returning caller
    with a card, and the workers' skills, read through the API."""
    get = lambda path: daphne_server.request("GET", path, as_user="frontdesk", expect=200)  # noqa: E731
    residents, areas, alone = demo_residents(daphne_server)

    served = [r for r in residents if areas[r["area"]]["served"] and alone(r)]
    no_card = next(r for r in served if not r["card_number"])
    # One returning caller per language, neither with an open order: a
    # second bathing help for the same resident would be warned about first.
    orders = get("/api/v1/orders/?limit=1000")["results"]
    busy = {o["resident"] for o in orders if o["state"] not in ("closed", "cancelled", "rejected")}
    returning, returning_zh = [r for r in served if r["card_valid"] and r["id"] not in busy][:2]
    return {
        "no_card": no_card, "no_card_phone": alone(no_card),
        "returning": returning, "returning_phone": alone(returning),
        "returning_zh-hans_phone": alone(returning_zh),
        "services": {s["code"]: s for s in get("/api/v1/services/?limit=500")["results"]},
        "workers": {w["id"]: w for w in get("/api/v1/workers/?limit=500")["results"]},
    }


async def _page(browser, server, username: str, url: str, language: str):
    page, problems = await logged_in(
        browser, server, username, url, field_errors_expected=True,
        extra_http_headers={"Accept-Language": language}, **WIDE,
    )
    assert await page.get_attribute("html", "lang") == language
    return page, problems


@pytest.mark.parametrize("language", LANGUAGES)
async def test_a_home_visit_booked_at_intake_is_on_the_leads_visit_list(browser, daphne_server, demo, language):
    desk, problems = await _page(browser, daphne_server, "frontdesk", "/intake/", language)
    await desk.wait_for_selector("#phone:focus")
    await desk.keyboard.type(demo["no_card_phone"])
    await desk.wait_for_selector(".resident-card.selected", timeout=5000)
    await desk.keyboard.press("Alt+3")
    await desk.wait_for_selector("#no-card-form:not([hidden])")
    day = (datetime.date.today() + datetime.timedelta(days=VISIT_DAY[language])).isoformat()
    await desk.fill("#home-visit-at", f"{day}T10:30")  # choosing the time chooses the home visit
    await desk.fill("#no-card-notes", "二楼 / second floor")
    await desk.keyboard.press("Control+Enter")
    await desk.wait_for_selector('#result[data-outcome="no_card"]:not([hidden])', timeout=5000)
    assert f"{day} 10:30" in await desk.inner_text("#result-reply")
    await playwright_api.expect(desk.locator("#visit-booked")).to_be_visible()
    await shot(desk, f"intake-visit-1-booked-{language}")

    # Recorded as a visit, found through the visits API.
    visits = daphne_server.request("GET", f"/api/v1/visits/?resident={demo['no_card']['id']}&status=scheduled",
                                   as_user="lead", expect=200)["results"]
    visit = next(v for v in visits if v["scheduled_for"] == day)
    assert visit["intake"] is not None

    # The lead's home-visit list shows it, at its time, with the resident's phone.
    lead, more = await _page(browser, daphne_server, "lead", "/visits/", language)
    item = lead.locator(f"#visit-{visit['id']}")
    await playwright_api.expect(item).to_be_visible()
    text = await item.inner_text()
    assert f"{day} 10:30" in text and demo["no_card"]["name"] in text and "二楼 / second floor" in text
    assert await item.locator(".badge.card-registration").count() == 1
    assert await item.locator("a.tel").count() == 1
    await item.scroll_into_view_if_needed()
    await shot(lead, f"intake-visit-2-leads-visit-list-{language}")

    # On the boards: an alert names the resident and the time.
    alerts = daphne_server.request("GET", "/api/v1/board/", as_user="lead", expect=200)["alerts"]
    booked = [a for a in alerts if a["kind"] == "visit.booked"]
    assert booked and booked[0]["data"]["scheduled_at"].startswith(day)

    # Followed up like any visit: recorded from the list.
    await item.locator("textarea, input[type=text]").first.fill("已登记 / registered")
    await item.locator("form.record-visit button[type=submit]").click()
    await lead.wait_for_selector(f"#visit-{visit['id']}", state="detached", timeout=5000)
    assert "已登记 / registered" in await lead.inner_text("#done")
    assert problems == [] and more == []


@pytest.mark.parametrize("language", LANGUAGES)
async def test_an_urgent_intake_is_served_at_once_and_links_to_its_order(browser, daphne_server, demo, language):
    desk, problems = await _page(browser, daphne_server, "frontdesk", "/intake/", language)
    await desk.wait_for_selector("#phone:focus")
    await desk.keyboard.type(demo["returning_phone" if language == "en" else "returning_zh-hans_phone"])
    await desk.wait_for_selector(".resident-card.selected", timeout=5000)
    await desk.check("input[name=urgency][value=urgent]")
    await desk.click("#service-filter")
    # A special service: its price, and the approval it waits for, before it is taken.
    await desk.keyboard.type("wound-care")
    await desk.wait_for_selector("#service-list li[aria-selected=true]")
    await desk.keyboard.press("Tab")
    wound = demo["services"]["wound-care"]
    assert wound["needs_approval"] and wound["price"] in await desk.inner_text("#service-chosen")
    await playwright_api.expect(desk.locator("#service-approval")).to_be_visible()
    await shot(desk, f"intake-price-approval-hint-{language}")
    await desk.fill("#service-filter", "")
    await desk.click("#service-filter")
    await playwright_api.expect(desk.locator("#service-approval")).to_be_hidden()
    await desk.keyboard.type("bath-help")
    await desk.wait_for_selector("#service-list li[aria-selected=true]")
    # The chosen service's catalog price is shown before the request is taken.
    await desk.keyboard.press("Tab")
    price = demo["services"]["bath-help"]["price"]
    assert price in await desk.inner_text("#service-chosen")
    await desk.click("#served-form button[type=submit]")

    # Urgent: "serve now" offers the workers with the skill bathing help needs.
    await desk.wait_for_selector("#serve-now:not([hidden]) #serve-now-worker:focus", timeout=5000)
    assert price in await desk.inner_text("#result-reply")
    skill = demo["services"]["bath-help"]["required_skill"]
    offered = [int(v) for v in await desk.eval_on_selector_all("#serve-now-worker option", "os => os.map(o => o.value)")]
    assert offered and all(skill in demo["workers"][w]["skills"] and demo["workers"][w]["active"] for w in offered)
    skilled = {w for w, worker in demo["workers"].items() if skill in worker["skills"] and worker["active"]}
    assert set(offered) == skilled
    await shot(desk, f"intake-serve-now-1-offered-{language}")

    number = (await desk.inner_text("#result-number")).strip()
    await desk.keyboard.press("Enter")  # the first worker, the least busy
    await desk.wait_for_selector('body[data-serve-now="started"]', timeout=5000)
    link = desk.locator("#result-order-link")
    await playwright_api.expect(link).to_be_focused()
    order_id = int((await link.get_attribute("href")).strip("/").split("/")[-1])
    assert number in await link.inner_text()
    await shot(desk, f"intake-serve-now-2-started-{language}")

    order = daphne_server.request("GET", f"/api/v1/orders/{order_id}/", as_user="frontdesk", expect=200)
    assert order["number"] == number and order["state"] == "in_service" and order["paperwork_owed"]
    assert order["worker"] == offered[0]

    await desk.keyboard.press("Enter")
    await desk.wait_for_url(f"**/orders/{order_id}/")
    assert number in await desk.inner_text("main")
    await shot(desk, f"intake-serve-now-3-order-page-{language}")
    assert problems == []
