"""Finance's payments list in a real browser (Debian's Chromium, driven by
Playwright) against Daphne with the demo data: finance logs in, lands on the
list, reaches the demo's fee due with the Tab key alone, opens its
confirmation with Enter, types the receipt's number and confirms with Enter;
the list comes back saying so, and the API has the fee paid. Then, in English
and in Chinese: a confirmation refused without a receipt number, confirmed
with one, and undone from the list. And the order page shows the fee
expected from the intake before the order is returned.
Screenshots go to test-output/screenshots/."""

import pytest

from tests.e2e.browser import DESK_SCREEN, logged_in, shot

WIDE_SCREEN = {"viewport": {"width": 1440, "height": 900}}

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

    await _tab_to(page, f'tr.payment[data-order-number="{number}"] a.confirm-paid')
    await page.keyboard.press("Enter")
    await page.wait_for_url(f"**/payments/{order['id']}/confirm/**")
    # The cursor waits in the receipt's box (autofocus): type, Enter.
    await page.wait_for_function("document.activeElement && document.activeElement.name === 'settle-receipt'")
    await page.keyboard.type("R-KEY-0001")
    await page.keyboard.press("Enter")
    await page.wait_for_selector(".messages")
    message = await page.inner_text(".messages")
    assert number in message and "confirmed paid" in message
    assert await page.locator(f'tr.payment[data-order-number="{number}"]').count() == 0
    await shot(page, "payments-2")

    settled = daphne_server.request("GET", f"/api/v1/orders/{order['id']}/", as_user="finance", expect=200)
    assert settled["fee_status"] == "paid" and settled["fee_paid_at"] and settled["fee_receipt"] == "R-KEY-0001"
    assert problems == []
    await page.context.close()


async def _switch_language(page, language: str) -> None:
    if await page.get_attribute("html", "lang") != language:
        await page.click(f'.language-switch button[value="{language}"]')
        await page.wait_for_selector(f'html[lang="{language}"]')


@pytest.mark.parametrize("language", ["en", "zh-hans"])
async def test_finance_confirms_with_a_receipt_then_undoes_it(browser, daphne_server, language):
    page, problems = await logged_in(browser, daphne_server, "finance", "/payments/", field_errors_expected=True,
                                     **WIDE_SCREEN)
    await _switch_language(page, language)
    first = page.locator("tr.payment").first
    await first.wait_for()
    number = await first.get_attribute("data-order-number")
    order_id = int(await first.get_attribute("data-order-id"))
    fee = (await first.locator("td.money").inner_text()).strip()
    await first.locator("a.confirm-paid").click()
    await page.wait_for_url(f"**/payments/{order_id}/confirm/**")
    assert (await page.inner_text("#payment-amount")).strip() == fee
    # The receipt's number is required: the page says so by the field, nothing is paid.
    await page.click("#confirm-payment")
    await page.wait_for_selector("#id_settle-receipt-error")
    assert await page.get_attribute("#id_settle-receipt", "aria-invalid") == "true"
    assert daphne_server.request("GET", f"/api/v1/orders/{order_id}/", as_user="finance")["fee_status"] == "due"
    await shot(page, f"payments-receipt-required-{language}")

    receipt = f"R-{language}-0042"
    await page.fill("#id_settle-receipt", receipt)
    await shot(page, f"payments-confirm-{language}")
    await page.click("#confirm-payment")
    await page.wait_for_selector(".messages .success")
    message = await page.inner_text(".messages")
    assert number in message and receipt in message
    assert await page.locator(f'tr.payment[data-order-number="{number}"]').count() == 0
    just = page.locator(f'#just-confirmed li[data-order-number="{number}"]')
    assert receipt in await just.inner_text()
    paid = daphne_server.request("GET", f"/api/v1/orders/{order_id}/", as_user="finance")
    assert (paid["fee_status"], paid["fee_receipt"]) == ("paid", receipt)
    assert paid["history"][-1]["transition"] == "settle_fee" and receipt in paid["history"][-1]["note"]
    await shot(page, f"payments-confirmed-{language}")

    await just.locator("button.undo").click()
    await page.wait_for_selector(f'tr.payment[data-order-number="{number}"]')
    message = await page.inner_text(".messages")
    assert number in message and fee in message
    assert await page.locator(f'#just-confirmed li[data-order-number="{number}"]').count() == 0
    undone = daphne_server.request("GET", f"/api/v1/orders/{order_id}/", as_user="finance")
    assert (undone["fee_status"], undone["fee_receipt"]) == ("due", "")
    assert [h["transition"] for h in undone["history"]][-2:] == ["settle_fee", "unsettle_fee"]
    await shot(page, f"payments-undone-{language}")
    assert problems == []
    await page.context.close()


@pytest.mark.parametrize("language", ["en", "zh-hans"])
async def test_the_order_page_shows_the_expected_fee_before_the_return(browser, daphne_server, language):
    orders = daphne_server.request("GET", "/api/v1/orders/?state=received,assigned,printed,in_service&limit=100",
                                   as_user="dispatcher", expect=200)["results"]
    order = next(o for o in orders if o["expected_fee"] and float(o["expected_fee"]) > 0)
    assert (order["fee"], order["fee_status"]) == ("0.00", "none")
    page, problems = await logged_in(browser, daphne_server, "dispatcher", f"/orders/{order['id']}/", **WIDE_SCREEN)
    await _switch_language(page, language)
    fee = (await page.inner_text("#fee")).strip()
    # The catalog's price taken at the intake, never "0.00 · free" (免费) until the return.
    assert order["expected_fee"] in fee and "0.00" not in fee.replace(order["expected_fee"], "")
    assert "免费" not in fee and "期限" not in fee
    await page.locator("#fee").scroll_into_view_if_needed()
    await shot(page, f"order-expected-fee-{language}")
    assert problems == []
    await page.context.close()
