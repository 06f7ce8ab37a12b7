"""Finance's payments list in a real browser (Debian's Chromium, driven by
Playwright) against Daphne with the demo data: finance logs in, lands on the
list, reaches the demo's fee due with the Tab key alone and confirms it with
Enter; the list comes back saying so, and the API has the fee paid.
Screenshots go to test-output/screenshots/."""

import pytest

from tests.e2e.browser import DESK_SCREEN, logged_in, shot

pytestmark = pytest.mark.e2e
playwright_api = pytest.importorskip("playwright.async_api")

# More than the header's links and the filters before the first row's button.
MAX_TABS = 40


async def _tab_to(page, selector: str) -> None:
    """Press Tab until the focus is on `selector`, as a keyboard user would."""
    for _ in range(MAX_TABS):
        await page.keyboard.press("Tab")
        if await page.evaluate("(s) => document.activeElement.matches(s)", selector):
            return
    raise AssertionError(f"{selector} is not reachable with {MAX_TABS} presses of Tab")


async def test_finance_confirms_a_fee_paid_by_keyboard(browser, daphne_server):
    due = [o for o in daphne_server.request("GET", "/api/v1/orders/?limit=100", as_user="finance", expect=200)["results"]
           if o["fee_status"] == "due"]
    assert due, "the demo data has a fee due"
    page, problems = await logged_in(browser, daphne_server, "finance", "/", **DESK_SCREEN)
    await page.wait_for_url("**/payments/")
    first = page.locator("tr.payment").first
    await first.wait_for()
    number = await first.get_attribute("data-order-number")
    order = next(o for o in due if o["number"] == number)
    assert await page.inner_text("#payments-total")
    await shot(page, "payments-1")

    await _tab_to(page, f'tr.payment[data-order-number="{number}"] button.confirm-paid')
    await page.keyboard.press("Enter")
    await page.wait_for_selector(".messages")
    message = await page.inner_text(".messages")
    assert number in message and "confirmed paid" in message
    assert await page.locator(f'tr.payment[data-order-number="{number}"]').count() == 0
    await shot(page, "payments-2")

    settled = daphne_server.request("GET", f"/api/v1/orders/{order['id']}/", as_user="finance", expect=200)
    assert settled["fee_status"] == "paid" and settled["fee_paid_at"]
    assert problems == []
    await page.context.close()
