"""The front desk's day in a real browser (issue 16): a lost or jammed copy
printed again with its reason from the desk and from the order page (the
earlier copy then void), the return form's times (prefilled with the
collection and now; a start before the collection refused by its field),
and the scan box taking a short order number. Two languages; screenshots at
1440x900 in test-output/screenshots/."""

import asyncio

import pytest

from tests.e2e.browser import logged_in, shot
from tests.e2e.desk_setup import make_order

pytestmark = pytest.mark.e2e
playwright_api = pytest.importorskip("playwright.async_api")
expect = playwright_api.expect

SCREEN = {"viewport": {"width": 1440, "height": 900}}


def _prints(server, order) -> list[dict]:
    return server.request("GET", f"/api/v1/orders/{order['id']}/prints/", as_user="frontdesk", expect=200)


def _watch_pdfs(page) -> list[str]:
    pdfs: list[str] = []
    page.context.on("response", lambda r: pdfs.append(r.url)
                    if "/reprint/" in r.url and r.status == 200
                    and r.headers.get("content-type", "").startswith("application/pdf") else None)
    return pdfs


async def test_a_jammed_copy_is_printed_again_from_the_desk_with_its_reason(browser, daphne_server):
    order = await asyncio.to_thread(make_order, daphne_server, "printed")
    page, problems = await logged_in(browser, daphne_server, "frontdesk", "/desk/", locale="en-US", **SCREEN)
    assert await page.get_attribute("html", "lang") == "en"
    item = page.locator(f'#to-collect [data-order-number="{order["number"]}"]')
    await item.locator(".reprint > summary").click()
    reason = item.locator("input[name=reason]")
    await expect(reason).to_be_visible()

    # No reason: refused by the field, and nothing is printed.
    await item.locator(".reprint-form button[type=submit]").click()
    error = item.locator(".reprint-form .error")
    await expect(error).to_contain_text("Say why the order is printed again")
    assert await reason.get_attribute("aria-invalid") == "true"
    assert await reason.evaluate("e => e === document.activeElement")
    # The message sits by the field: right under it.
    assert await error.evaluate("e => e.previousElementSibling.name") == "reason"
    await shot(page, "desk-reprint-1-reason-required-en")
    assert len(_prints(daphne_server, order)) == 1

    # With a reason: the PDF opens in a new tab, as a print's does.
    pdfs = _watch_pdfs(page)
    await reason.fill("Jammed in the printer")
    async with page.context.expect_page() as new_tab:
        await item.locator(".reprint-form button[type=submit]").click()
    await (await new_tab.value).wait_for_load_state("commit")
    await expect(item.locator(".reprint-form .done")).to_contain_text("the earlier copies are void", timeout=10000)
    await expect(error).to_be_empty()
    assert pdfs, "the reprint answered a PDF"
    await shot(page, "desk-reprint-2-printed-again-en")

    history = _prints(daphne_server, order)
    assert [(h["copy_number"], h["kind"], h["void"], h["voided_by"], h["replaced_by_copy"], h["reason"])
            for h in history] == [
        (1, "print", True, "reprint", 2, ""),
        (2, "reprint", False, None, None, "Jammed in the printer"),
    ]
    assert problems == []


async def test_a_lost_copy_is_printed_again_from_the_order_page_in_chinese(browser, daphne_server):
    order = await asyncio.to_thread(make_order, daphne_server, "in_service")
    page, problems = await logged_in(browser, daphne_server, "frontdesk", f"/orders/{order['id']}/",
                                      locale="zh-CN", **SCREEN)
    assert await page.get_attribute("html", "lang") == "zh-hans"
    action = page.locator('.action[data-action="reprint"]')
    reason = action.locator("input[name=reason]")
    await expect(reason).to_be_visible()

    await action.locator("button[type=submit]").click()
    await expect(action.locator(".error")).not_to_be_empty()
    assert await reason.get_attribute("aria-invalid") == "true"
    await shot(page, "order-page-reprint-1-reason-required-zh")
    assert len(_prints(daphne_server, order)) == 1

    pdfs = _watch_pdfs(page)
    await reason.fill("工人丢失了纸单 / Lost by the worker")
    async with page.context.expect_page() as new_tab:
        await action.locator("button[type=submit]").click()
    await (await new_tab.value).wait_for_load_state("commit")
    # The page reloads and lists the new copy; the lost one is void.
    await expect(page.locator("#prints tbody tr")).to_have_count(2, timeout=10000)
    await expect(page.locator("#prints tbody tr.void")).to_have_count(1)
    assert "工人丢失了纸单" in await page.locator("#prints tbody tr").nth(1).inner_text()
    assert pdfs
    await shot(page, "order-page-reprint-2-printed-again-zh")
    history = _prints(daphne_server, order)
    assert [(h["void"], h["voided_by"]) for h in history] == [(True, "reprint"), (False, None)]
    assert history[1]["reason"] == "工人丢失了纸单 / Lost by the worker"
    assert problems == []


@pytest.mark.parametrize("locale,lang", [("en-US", "en"), ("sv-SE", "sv")])
async def test_the_return_form_offers_the_collection_and_now_and_refuses_a_start_before_the_collection(
    browser, daphne_server, locale, lang
):
    order = await asyncio.to_thread(make_order, daphne_server, "in_service", out_minutes=45)
    page, problems = await logged_in(browser, daphne_server, "frontdesk", "/desk/", locale=locale, **SCREEN)
    assert await page.get_attribute("html", "lang") == lang

    # The scanner (or a person) types the short number: enough when it names one order.
    await page.wait_for_selector("#scan:focus")
    await page.keyboard.type(str(int(order["number"].rsplit("-", 1)[1])))
    await page.keyboard.press("Enter")
    await page.wait_for_url(f"**/desk/orders/{order['id']}/return/")

    # Prefilled: the start with the collection, the end with now (not both with the hand-out minute).
    start, end = page.locator("#id_actual_start"), page.locator("#id_actual_end")
    assert await start.input_value() == order["collected_at"]
    assert await end.input_value() > order["collected_at"]
    await shot(page, f"desk-return-1-prefilled-{lang}")

    # A start two hours before the worker had the order: refused, by the field.
    collected_hour = int(order["collected_at"][11:13])
    too_early = order["collected_at"][:11] + f"{(collected_hour - 2) % 24:02d}" + order["collected_at"][13:]
    if too_early > order["collected_at"]:  # over midnight: the day before
        too_early = "2000-01-01T08:00"
    await start.fill(too_early)
    await page.click(".return-form button[type=submit]")
    error = page.locator(".field:has(#id_actual_start) .error")
    await expect(error).not_to_be_empty(timeout=10000)
    assert await page.locator(".field:has(#id_actual_end) .error").count() == 0
    assert await start.input_value() == too_early  # what was typed stays
    await shot(page, f"desk-return-2-start-before-collection-{lang}")
    state = daphne_server.request("GET", f"/api/v1/orders/{order['id']}/", as_user="frontdesk", expect=200)["state"]
    assert state == "in_service"

    # Corrected: taken back.
    await start.fill(order["collected_at"])
    await page.click(".return-form button[type=submit]")
    await page.wait_for_url("**/desk/")
    state = daphne_server.request("GET", f"/api/v1/orders/{order['id']}/", as_user="frontdesk", expect=200)["state"]
    assert state == "returned"
    assert problems == []
