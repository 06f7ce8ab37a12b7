"""The front desk's intake screen in a real browser (Debian's Chromium, driven by
Playwright) against Daphne with the demo data: a returning caller by keyboard
only, an unknown caller registered and served, each of the four outcomes, a
couple on one number, and the language switch. Every page is checked for
Content-Security-Policy violations; a screenshot of each screen goes to
test-output/screenshots/."""

import datetime
import time

import pytest

from tests.e2e.browser import DESK_SCREEN, logged_in, shot
from tests.e2e.conftest import OUTPUT

pytestmark = pytest.mark.e2e
playwright_api = pytest.importorskip("playwright.async_api")

# A number the demo data never generates (its mobiles start 13, 15, 18, 19).
UNKNOWN_PHONE = "17012345678"



@pytest.fixture(scope="module")
def callers(daphne_server) -> dict:
    """Phones of the demo residents the tests need, read through the API."""
    residents = daphne_server.request("GET", "/api/v1/residents/?limit=500", as_user="frontdesk", expect=200)["results"]
    areas = {a["id"]: a for a in daphne_server.request("GET", "/api/v1/areas/", as_user="frontdesk", expect=200)["results"]}
    by_phone: dict[str, list[dict]] = {}
    for r in residents:
        for p in r["phones"]:
            by_phone.setdefault(p["number"], []).append(r)

    def alone(r):
        primary = next(p["number"] for p in r["phones"] if p["is_primary"])
        return primary if len(by_phone[primary]) == 1 else None

    def first(condition):
        return next((r, alone(r)) for r in residents if alone(r) and condition(r))

    served = lambda r: areas[r["area"]]["served"]  # noqa: E731
    returning, returning_phone = first(lambda r: served(r) and r["card_valid"])
    no_card, no_card_phone = first(lambda r: served(r) and not r["card_number"])
    outside, outside_phone = first(lambda r: not served(r))
    couple_phone = next(number for number, rs in by_phone.items() if len(rs) > 1)
    assert UNKNOWN_PHONE not in {n.replace("+86", "") for n in by_phone}
    return {
        "returning": returning, "returning_phone": returning_phone[3:],  # as typed: national digits
        "no_card": no_card, "no_card_phone": no_card_phone[3:],
        "outside": outside, "outside_phone": outside_phone[3:], "outside_area": areas[outside["area"]],
        "couple": by_phone[couple_phone], "couple_phone": couple_phone[3:],
    }


async def _intake_page(browser, server, username: str = "frontdesk"):
    page, problems = await logged_in(
        browser, server, username, "/intake/", field_errors_expected=True, **DESK_SCREEN
    )
    await page.wait_for_selector("#phone:focus")
    return page, problems



async def _focused_id(page) -> str:
    return await page.evaluate("document.activeElement && document.activeElement.id") or ""


async def test_a_returning_callers_request_by_keyboard_only(browser, daphne_server, callers):
    page, problems = await _intake_page(browser, daphne_server)
    keys = 0
    started = time.monotonic()

    await page.keyboard.type(callers["returning_phone"])
    keys += len(callers["returning_phone"])
    typed = time.monotonic()
    await page.wait_for_selector(".resident-card.selected", timeout=5000)
    card_shown = time.monotonic()
    lookup_ms = int(await page.get_attribute("body", "data-lookup-ms"))
    assert callers["returning"]["name"] in await page.inner_text("#lookup")
    assert "Valid" in await page.inner_text(".resident-card")
    # One resident on the number: taken at once, and the service field has the focus.
    assert await _focused_id(page) == "service-filter"

    await page.keyboard.type("bat")  # bath-help, by its code / English name
    keys += 3
    await page.wait_for_selector("#service-list li[aria-selected=true]")
    assert "bath-help" in await page.inner_text("#service-list li[aria-selected=true]")
    await shot(page, "intake-1-returning-caller-card")
    await page.keyboard.press("Enter")
    keys += 1
    await page.wait_for_selector("#result:not([hidden])", timeout=5000)
    done = time.monotonic()

    number = (await page.inner_text("#result-number")).strip()
    assert number.startswith("WO-")
    assert number in await page.inner_text("#result-reply")
    await shot(page, "intake-2-served-order-number")
    order = daphne_server.request("GET", "/api/v1/orders/?limit=1", as_user="frontdesk", expect=200)["results"][0]
    assert order["number"] == number and order["service_code"] == "bath-help"
    assert order["resident"] == callers["returning"]["id"] and order["requested_for"] is None

    # Esc: ready for the next call, the phone field has the focus again.
    await page.keyboard.press("Escape")
    await page.wait_for_selector("#phone:focus")
    assert await page.input_value("#phone") == "" and await page.is_hidden("#result")

    report = (f"returning caller: {keys} key presses, 0 clicks, {done - started:.2f} s in total; "
              f"card shown {lookup_ms} ms after the last digit (in the page; "
              f"{1000 * (card_shown - typed):.0f} ms as polled by the test)")
    print(report)
    (OUTPUT / "intake-keyboard-measure.txt").write_text(report + "\n")
    assert keys <= 15
    assert problems == []


async def test_a_couple_on_one_number_are_both_offered(browser, daphne_server, callers):
    page, problems = await _intake_page(browser, daphne_server)
    await page.keyboard.type(callers["couple_phone"])
    await page.wait_for_selector('.lookup-result[data-count="2"]', timeout=5000)
    text = await page.inner_text("#lookup")
    for resident in callers["couple"]:
        assert resident["name"] in text
    # Nobody is taken until the operator chooses; key 2 takes the second.
    assert await page.query_selector(".resident-card.selected") is None
    await page.keyboard.press("2")
    second = callers["couple"][1]["id"]
    await page.wait_for_selector(f'.resident-card.selected[data-resident-id="{second}"]')
    assert await _focused_id(page) == "service-filter"
    await shot(page, "intake-3-couple-on-one-number")
    assert problems == []


async def test_an_unknown_caller_is_registered_and_served(browser, daphne_server, callers):
    page, problems = await _intake_page(browser, daphne_server)
    await page.keyboard.type(UNKNOWN_PHONE)
    await page.wait_for_selector("#register-form:not([hidden])", timeout=5000)
    assert "No resident has this number" in await page.inner_text("#lookup")
    await page.click("#reg-name")
    await page.keyboard.type("测试新居民")
    await page.fill("#reg-address", "测试路1号")
    # Submitting without an area: the error is by the field, and nothing typed is lost.
    await page.keyboard.press("Enter")
    await page.wait_for_selector('#register-form [data-error-for="area"]:not(:empty)')
    assert await page.input_value("#reg-name") == "测试新居民"
    assert await page.input_value("#reg-address") == "测试路1号"
    await shot(page, "intake-4-register-error-kept-input")
    await page.select_option("#reg-area", index=1)
    await page.fill("#reg-card", "YL2099001")
    await page.fill("#reg-valid", "2099-12-31")
    await page.press("#reg-card", "Enter")
    await page.wait_for_selector(".resident-card.selected", timeout=5000)
    assert "测试新居民" in await page.inner_text("#lookup")
    assert await _focused_id(page) == "service-filter"
    await shot(page, "intake-5-registered-card")

    await page.keyboard.type("meal")
    await page.keyboard.press("Enter")
    await page.wait_for_selector("#result:not([hidden])", timeout=5000)
    number = (await page.inner_text("#result-number")).strip()
    assert number.startswith("WO-")
    found = daphne_server.request("GET", f"/api/v1/residents/?phone={UNKNOWN_PHONE}", as_user="frontdesk",
                                  expect=200)["results"]
    assert [r["name"] for r in found] == ["测试新居民"]
    assert problems == []


REFERRAL = "市红十字会 010 6500 1234"


async def _refer(page, callers) -> list[str]:
    await page.wait_for_selector("#referred-to:focus")
    await page.keyboard.type(REFERRAL)
    await page.keyboard.press("Enter")
    return [REFERRAL]


async def _book_a_home_visit(page, callers) -> list[str]:
    assert "No card" in await page.inner_text(".resident-card")
    await page.wait_for_selector("#no-card-form:not([hidden])")
    # A home visit chosen without its time: the error is by the field.
    await page.keyboard.press("ArrowDown")
    await page.keyboard.press("Enter")
    await page.wait_for_selector('[data-error-for="home_visit_at"]:not(:empty)', timeout=5000)
    # Within the horizon of an agreed time (a year).
    day = (datetime.date.today() + datetime.timedelta(days=14)).isoformat()
    await page.fill("#home-visit-at", f"{day}T09:30")
    await page.keyboard.press("Control+Enter")
    return [f"{day} 09:30"]


async def _take_the_residents_community(page, callers) -> list[str]:
    assert "Outside our service area" in await page.inner_text(".resident-card")
    await page.wait_for_selector("#other-area:focus")
    # The resident's own community is filled in already.
    assert await page.input_value("#other-area") == str(callers["outside_area"]["id"])
    await page.keyboard.press("Enter")
    return [callers["outside_area"]["name"], "010 6588"]


@pytest.mark.parametrize(
    ("phone", "key", "fill", "outcome", "screenshot"),
    [
        pytest.param("returning_phone", "Alt+2", _refer, "cannot_serve", "intake-6-cannot-serve", id="cannot-serve"),
        pytest.param("no_card_phone", "Alt+3", _book_a_home_visit, "no_card", "intake-7-no-card-home-visit",
                     id="no-card-home-visit"),
        pytest.param("outside_phone", "Alt+4", _take_the_residents_community, "out_of_area", "intake-8-out-of-area",
                     id="out-of-area"),
    ],
)
async def test_each_outcome_gives_the_reply_to_read(browser, daphne_server, callers, phone, key, fill, outcome,
                                                    screenshot):
    """The outcome's key, its form filled as the desk would (`fill` says
    what the reply must then contain), and the reply to read out."""
    page, problems = await _intake_page(browser, daphne_server)
    await page.keyboard.type(callers[phone])
    await page.wait_for_selector(".resident-card.selected", timeout=5000)
    await page.keyboard.press(key)
    expected = await fill(page, callers)
    await page.wait_for_selector(f'#result[data-outcome="{outcome}"]:not([hidden])', timeout=5000)
    reply = await page.inner_text("#result-reply")
    for text in expected:
        assert text in reply
    await shot(page, screenshot)
    assert problems == []


async def test_switching_the_language_changes_the_screen_and_the_errors(browser, daphne_server, callers):
    # The lead's login: the choice is stored for the login, and must not leak
    # into the other tests' front-desk sessions.
    page, problems = await _intake_page(browser, daphne_server, username="lead")
    assert await page.get_attribute("html", "lang") == "en"
    await page.click('.language-switch button[value="zh-hans"]')
    await page.wait_for_selector('html[lang="zh-hans"]')
    assert "调度组长" in await page.inner_text(".site-header") or "组长" in await page.inner_text(".site-header")
    assert "电话" in await page.inner_text(".caller")
    assert "来电号码" in await page.inner_text(".caller") and "受理" in await page.inner_text(".site-nav")
    await page.wait_for_selector("#phone:focus")
    await page.keyboard.type(callers["returning_phone"])
    await page.wait_for_selector(".resident-card.selected", timeout=5000)
    await page.keyboard.press("Alt+2")
    await page.keyboard.press("Enter")  # no referral given
    error = page.locator('[data-error-for="referred_to"]')
    await playwright_api.expect(error).not_to_be_empty()
    assert "必填" in await error.inner_text()
    await shot(page, "intake-9-chinese-error")

    # Swedish, and the choice follows the login into a fresh browser.
    await page.click('.language-switch button[value="sv"]')
    await page.wait_for_selector('html[lang="sv"]')
    assert "Uppringarens telefonnummer" in await page.inner_text(".caller")
    await shot(page, "intake-10-swedish")
    fresh, more = await _intake_page(browser, daphne_server, username="lead")
    assert await fresh.get_attribute("html", "lang") == "sv"
    await fresh.click('.language-switch button[value="en"]')
    await fresh.wait_for_selector('html[lang="en"]')
    assert problems == [] and more == []


async def test_the_full_path_intake_assign_print_collect_return(browser, daphne_server, callers):
    desk_page, problems = await _intake_page(browser, daphne_server)
    await desk_page.keyboard.type(callers["returning_phone"])
    await desk_page.wait_for_selector(".resident-card.selected", timeout=5000)
    await desk_page.keyboard.type("laundry")
    await desk_page.keyboard.press("Enter")
    await desk_page.wait_for_selector("#result:not([hidden])", timeout=5000)
    number = (await desk_page.inner_text("#result-number")).strip()

    # The dispatcher assigns it on the live board, to the first suggestion.
    board, _board_problems = await logged_in(browser, daphne_server, "dispatcher", "/board/", **DESK_SCREEN)
    order_id = daphne_server.request("GET", "/api/v1/orders/?limit=1", as_user="frontdesk", expect=200)["results"][0]["id"]
    card = f'.column[data-column="received"] [data-order-id="{order_id}"]'
    await board.wait_for_selector(card, timeout=10000)
    await board.click(f"{card} .actions button")
    await board.wait_for_selector("#assign-workers li button", timeout=10000)
    await board.click("#assign-workers li button")
    await board.wait_for_selector(f'.column[data-column="assigned"] [data-order-id="{order_id}"]', timeout=10000)

    # The desk prints it: the PDF opens in a new tab, the desk moves it on.
    pdfs: list[str] = []
    desk_page.context.on("response", lambda r: pdfs.append(r.headers.get("content-type", ""))
                         if "/print/" in r.url and r.status == 200 else None)
    await desk_page.click('.site-nav a[href="/desk/"]')
    await desk_page.wait_for_selector("#scan:focus")
    item = f'#to-print [data-order-number="{number}"]'
    await desk_page.wait_for_selector(item)
    await shot(desk_page, "desk-1-to-print")
    await desk_page.click(f"{item} button")
    await desk_page.wait_for_selector(f'#to-collect [data-order-number="{number}"]', timeout=10000)
    assert "application/pdf" in pdfs
    await shot(desk_page, "desk-2-printed-waiting")

    # The worker collects it.
    await desk_page.click(f'#to-collect [data-order-number="{number}"] button')
    await desk_page.wait_for_selector(f'#out [data-order-number="{number}"]', timeout=10000)
    assert "handed out" in await desk_page.inner_text(".messages")

    # Back from the home: the scanner types the number and Enter.
    await desk_page.wait_for_selector("#scan:focus")
    await desk_page.keyboard.type(number)
    await desk_page.keyboard.press("Enter")
    await desk_page.wait_for_url(f"**/desk/orders/{order_id}/return/")
    await desk_page.fill("#id_remarks", "顺利完成 / Went well")
    await shot(desk_page, "desk-3-return-form")
    await desk_page.click(".return-form button[type=submit]")
    await desk_page.wait_for_url("**/desk/")
    assert "taken back" in await desk_page.inner_text(".messages")
    await shot(desk_page, "desk-4-after-return")
    order = daphne_server.request("GET", f"/api/v1/orders/{order_id}/", as_user="frontdesk", expect=200)
    assert order["state"] == "returned" and order["remarks"] == "顺利完成 / Went well"
    assert [h["transition"] for h in order["history"]] == ["create", "assign", "print", "collect", "return_order"]
    await board.context.close()
    assert problems == []
