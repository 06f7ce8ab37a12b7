"""The field worker's phone and the order page in a real browser (Debian's
Chromium, driven by Playwright) against Daphne with the demo data: the demo
worker (周师傅) opens "my orders" on a phone-sized screen, sees his order,
reports an emergency, and it pops up on a dispatcher's and a supervisor's
board; a dispatcher opens an order's page and assigns it from there.
Screenshots go to test-output/screenshots/."""

import asyncio

import pytest

from tests.e2e.browser import logged_in, shot

pytestmark = pytest.mark.e2e
playwright_api = pytest.importorskip("playwright.async_api")

PHONE = {"viewport": {"width": 375, "height": 740}, "is_mobile": True, "has_touch": True, "device_scale_factor": 2}





async def _board(browser, server, username: str):
    page, problems = await logged_in(browser, server, username, "/board/")
    await page.wait_for_selector('#connection[data-state="connected"]', timeout=10000)
    return page, problems



async def _no_sideways_scroll(page) -> bool:
    return await page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


async def test_a_worker_reports_an_emergency_from_his_phone(browser, daphne_server):
    dispatcher, dispatcher_problems = await _board(browser, daphne_server, "dispatcher")
    supervisor, supervisor_problems = await _board(browser, daphne_server, "supervisor")

    # The worker's home is his orders.
    phone, problems = await logged_in(browser, daphne_server, "worker", "/", **PHONE)
    await phone.wait_for_url("**/my-orders/")
    first = phone.locator(".my-order").first
    await first.wait_for()
    number = await first.get_attribute("data-order-number")
    mine = daphne_server.request("GET", "/api/v1/orders/?limit=100", as_user="worker", expect=200)["results"]
    assert number in {o["number"] for o in mine}
    assert {o["worker_name"] for o in mine} == {"周师傅"}
    # What he needs at the door, a phone to tap, and nothing wider than the phone.
    assert await first.locator("a.call[href^='tel:+86']").count() >= 1
    assert await first.locator(".address").inner_text()
    assert await _no_sideways_scroll(phone)
    await shot(phone, "worker-1-my-orders-phone")

    await first.locator(".report > summary").tap()
    await first.locator("input[type=radio][value=emergency]").tap()
    await first.locator("textarea").fill("老人在浴室跌倒，已叫救护车")
    assert await _no_sideways_scroll(phone)
    await shot(phone, "worker-2-report-form-phone")
    await first.locator("button[type=submit]").tap()
    await phone.wait_for_url("**/my-orders/")
    confirmation = await phone.locator(".messages").inner_text()
    assert number in confirmation and "supervisor" in confirmation
    await shot(phone, "worker-3-emergency-confirmed-phone")

    # The alert is on both boards at once; find it by the id the snapshot gives.
    snapshot = daphne_server.request("GET", "/api/v1/board/", as_user="dispatcher", expect=200)
    alert = next(a for a in snapshot["alerts"] if a["kind"] == "incident" and a["data"]["number"] == number)
    assert alert["data"]["to_role"] == "supervisor" and alert["data"]["incident_kind"] == "emergency"
    # The worker's words (about the resident's health) stay off the boards.
    assert "跌倒" not in str(snapshot)
    for page, name in ((dispatcher, "dispatcher"), (supervisor, "supervisor")):
        await page.wait_for_selector(f'.alert[data-alert-id="{alert["id"]}"]', timeout=10000)
        shown = await page.inner_text(f'.alert[data-alert-id="{alert["id"]}"]')
        # Titled as what it is, not as a new request, and saying who else knows.
        assert number in shown and "EMERGENCY on site" in shown and "New request" not in shown
        assert "the supervisor is alerted too" in shown
        await shot(page, f"worker-4-incident-on-{name}-board")

    # The order's page lists the incident for the dispatcher, note included.
    order_id = next(o["id"] for o in mine if o["number"] == number)
    await dispatcher.goto(f"/orders/{order_id}/")
    assert "老人在浴室跌倒" in await dispatcher.inner_text("#incidents")
    assert problems == [] and dispatcher_problems == [] and supervisor_problems == []


async def test_an_order_page_shows_the_order_and_runs_an_action(browser, daphne_server):
    order = await asyncio.to_thread(daphne_server.take_request, "normal")
    page, problems = await logged_in(browser, daphne_server, "dispatcher", f"/orders/{order['id']}/",
                                      viewport={"width": 1366, "height": 900})
    await page.wait_for_url(f"**/orders/{order['id']}/")
    assert await page.get_attribute("#order-state", "data-state") == "received"
    assert "Take request" in await page.inner_text("#history")
    await shot(page, "order-page-1-received")

    assign = page.locator('.action[data-action="assign"]')
    await assign.locator("select[name=assign-worker]").select_option(index=1)
    worker_name = (await assign.locator("select[name=assign-worker] option:checked").inner_text()).strip()
    await assign.locator("input[name=assign-note]").fill("Nearest today")
    await assign.locator("button[type=submit]").click()
    await page.wait_for_selector('#order-state[data-state="assigned"]', timeout=10000)
    assert "Assign: done." in await page.inner_text(".messages")
    assert worker_name in await page.inner_text("#assignee")
    assert "Nearest today" in await page.inner_text("#history")
    await shot(page, "order-page-2-assigned")
    after = daphne_server.request("GET", f"/api/v1/orders/{order['id']}/", as_user="dispatcher", expect=200)
    assert after["state"] == "assigned" and after["worker_name"] == worker_name
    assert problems == []
