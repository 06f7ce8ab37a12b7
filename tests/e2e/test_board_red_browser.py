"""Overdue orders are red on the live board, with the deadline and the
escalation level in words (Debian's Chromium, driven by Playwright, on a
Daphne server with the demo data). An order that becomes overdue turns red
without a reload when the scheduler's alert arrives. The statistics page
draws its charts under the CSP without an error."""

import asyncio
import json
import re
import subprocess
import sys

import pytest

from tests.e2e.browser import logged_in
from tests.e2e.conftest import OUTPUT, ROOT
from tests.e2e.test_board_browser import _open_board

pytestmark = pytest.mark.e2e
playwright_api = pytest.importorskip("playwright.async_api")

# Demo data only, as load_demo_data does for its red case: the order was
# taken two weeks ago (longer than any holiday run), then one scheduler pass.
MAKE_OVERDUE = """
import datetime, json
from django.utils import timezone
from core.scheduler import scheduler_pass
from workorders.models import OrderHistory, WorkOrder
taken = timezone.now() - datetime.timedelta(days=14)
WorkOrder.objects.filter(pk={order_id}).update(created_at=taken)
OrderHistory.objects.filter(order_id={order_id}, transition="create").update(at=taken)
print(json.dumps(scheduler_pass(), default=str))
"""


OVERDUE = re.compile(r"\boverdue\b")


def _card(order_id) -> str:
    return f'[data-order-id="{order_id}"]'


async def test_an_overdue_order_is_red_with_its_level_in_words(browser, daphne_server):
    OUTPUT.mkdir(exist_ok=True)
    page, errors = await _open_board(browser, daphne_server, "dispatcher")
    red = daphne_server.request("GET", "/api/v1/stats/overdue/", as_user="dispatcher", expect=200)["results"]
    on_board = [row for row in red if row["state"] in ("received", "approved", "awaiting_approval")]
    assert on_board, "the demo data has an order past its dispatch deadline"
    demo = on_board[0]
    card = page.locator(_card(demo["id"]))
    await playwright_api.expect(card).to_have_class(OVERDUE, timeout=10000)
    text = await card.inner_text()
    assert "Overdue: dispatch" in text
    # Two weeks late: the dispatcher, the lead and then the supervisor were alerted.
    assert "Escalation level: Supervisor" in text
    assert await card.get_attribute("data-overdue-level") == "supervisor"
    # The number opens the order's page.
    assert await card.locator("a.order-link").get_attribute("href") == f"/orders/{demo['id']}/"
    # Red is not the only sign, and it is red.
    background = await card.evaluate("e => getComputedStyle(e).backgroundColor")
    assert background == "rgb(253, 236, 234)"

    # A fresh request is not red; the scheduler finds it overdue and the board turns it red live.
    order = await asyncio.to_thread(daphne_server.take_request, "normal")
    fresh = page.locator(_card(order["id"]))
    await fresh.wait_for(timeout=10000)
    assert "overdue" not in (await fresh.get_attribute("class"))
    reads = int(await page.get_attribute("body", "data-overdue-reads") or 0)
    passed = await asyncio.to_thread(
        subprocess.run, [sys.executable, "manage.py", "shell", "-c", MAKE_OVERDUE.format(order_id=order["id"])],
        cwd=ROOT, env=daphne_server.env, check=True, capture_output=True, text=True,
    )
    assert json.loads(passed.stdout.strip().splitlines()[-1])["overdue"]["supervisor"] >= 1
    await playwright_api.expect(fresh).to_have_class(OVERDUE, timeout=10000)
    # Turned red by the alert's read, not by the minute's refresh or a reload.
    assert int(await page.get_attribute("body", "data-overdue-reads") or 0) == reads + 1
    assert "Escalation level: Supervisor" in await fresh.inner_text()
    popup = page.locator(f'.alert[data-kind="order.overdue"][data-order-number="{order["number"]}"]').first
    await playwright_api.expect(popup).to_contain_text("Overdue: dispatch", timeout=10000)
    await page.screenshot(path=str(OUTPUT / "board-red.png"), full_page=True)

    # Assigned, it works toward another deadline: the dispatch mark goes at once.
    daphne_server.request(
        "POST", f"/api/v1/orders/{order['id']}/assign/", {"worker": _suggested_worker(daphne_server, order["id"])},
        as_user="dispatcher", expect=200,
    )
    moved = page.locator(f'.column[data-column="assigned"] {_card(order["id"])}')
    await moved.wait_for(timeout=10000)
    assert "overdue" not in (await moved.get_attribute("class"))
    assert errors == []


def _suggested_worker(server, order_id: int) -> int:
    suggestions = server.request("GET", f"/api/v1/board/orders/{order_id}/suggestions/", as_user="dispatcher",
                                 expect=200)
    return suggestions["workers"][0]["id"]


async def test_the_statistics_page_draws_its_charts_without_an_error(browser, daphne_server):
    OUTPUT.mkdir(exist_ok=True)
    page, errors = await logged_in(browser, daphne_server, "supervisor", "/stats/", console_errors=True)
    for key in ["weekly_orders", "satisfaction", "overdue_now", "orders_by_state"]:
        chart = page.locator(f'svg[data-chart="{key}"]')
        box = await chart.bounding_box()
        assert box and box["width"] > 200 and box["height"] > 40, key
    # The overdue chart shows the demo's red cases, as bars with their number written.
    assert "order" in await page.locator('svg[data-chart="overdue_now"]').text_content()
    # Another period through the form.
    await page.check("#id_period_2")
    await page.click("button.primary")
    await page.wait_for_url("**/stats/?period=last_month*")
    await page.screenshot(path=str(OUTPUT / "statistics-page.png"), full_page=True)
    async with page.expect_download() as download:
        await page.click("#export-xlsx")
    assert (await download.value).suggested_filename.endswith(".xlsx")
    assert errors == []
    await page.context.close()
