"""Two dispatchers' browsers on the live board: a request taken through the API
pops up on both with a sound, one acknowledgement closes both (Debian's
Chromium, driven by Playwright)."""

import asyncio

import pytest

from tests.e2e.browser import logged_in
from tests.e2e.conftest import OUTPUT

pytestmark = pytest.mark.e2e
playwright_api = pytest.importorskip("playwright.async_api")




async def _until(check, timeout: float = 10.0) -> None:
    """Poll `check` from Python: the page's CSP (no eval) rules out
    Playwright's wait_for_function."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not await check():
        assert loop.time() < deadline, "condition not met in time"
        await asyncio.sleep(0.1)


async def _attr(page, name: str) -> str:
    return await page.get_attribute("body", name) or ""


async def _open_board(browser, server, username: str):
    page, errors = await logged_in(browser, server, username, "/board/", console_errors=True)
    await page.wait_for_selector('#connection[data-state="connected"]', timeout=10000)
    return page, errors


async def _beeped(page) -> bool:
    return int(await _attr(page, "data-beeps") or 0) >= 1


async def test_an_order_pops_up_on_two_boards_and_one_ack_closes_both(browser, daphne_server):
    OUTPUT.mkdir(exist_ok=True)
    one, errors_one = await _open_board(browser, daphne_server, "dispatcher")
    two, errors_two = await _open_board(browser, daphne_server, "lead")

    # Sound is off until the user's gesture; the board says so.
    assert await one.is_visible("#sound-warning")
    for page in (one, two):
        await page.click("#start-shift")
        await page.wait_for_selector('body[data-sound="on"]', timeout=5000)
        assert not await page.is_visible("#sound-warning")
    # Each sees the other on the board.
    await playwright_api.expect(one.locator("#presence")).to_contain_text("lead", timeout=10000)

    order = await asyncio.to_thread(daphne_server.take_request)
    card = f'.column[data-column="received"] [data-order-id="{order["id"]}"]'
    # The demo data leaves older requests unacknowledged: find this one's pop-up.
    popup = f'.alert[data-order-number="{order["number"]}"]'
    for page in (one, two):
        await page.wait_for_selector(popup, timeout=10000)
        await page.wait_for_selector(card, timeout=10000)
        assert order["number"] in await page.inner_text("#alerts")
        await _until(lambda page=page: _beeped(page))
    await one.screenshot(path=str(OUTPUT / "board-alert-dispatcher.png"), full_page=True)
    await two.screenshot(path=str(OUTPUT / "board-alert-lead.png"), full_page=True)

    await one.click(f"{popup} .ack")
    for page in (one, two):
        await page.wait_for_selector(popup, state="detached", timeout=10000)
    await two.screenshot(path=str(OUTPUT / "board-after-ack-lead.png"), full_page=True)
    # The card stays on the board until someone assigns it.
    assert await two.is_visible(card)

    # Assign from the card through the dialog's first suggestion; both boards move it.
    await one.click(f"{card} .actions button")
    await one.wait_for_selector("#assign-workers li button", timeout=10000)
    await one.click("#assign-workers li button")
    moved = f'.column[data-column="assigned"] [data-order-id="{order["id"]}"]'
    for page in (one, two):
        await page.wait_for_selector(moved, timeout=10000)
    await one.screenshot(path=str(OUTPUT / "board-assigned-dispatcher.png"), full_page=True)
    assert errors_one == [] and errors_two == []


async def test_a_reload_shows_the_same_board_as_the_live_view(browser, daphne_server):
    page, errors = await _open_board(browser, daphne_server, "dispatcher")
    for _ in range(2):
        await asyncio.to_thread(daphne_server.take_request)
    head = daphne_server.request("GET", "/api/v1/board/", as_user="dispatcher", expect=200)["last_event_id"]

    async def caught_up() -> bool:
        return int(await _attr(page, "data-last-event-id") or 0) >= head

    await _until(caught_up)

    async def ids(selector: str, attribute: str) -> list[str]:
        return [await e.get_attribute(attribute) for e in await page.query_selector_all(selector)]

    async def cards():
        return {
            column: await ids(f'.column[data-column="{column}"] [data-order-id]', "data-order-id")
            for column in ["received", "awaiting_approval", "assigned", "printed", "in_service", "returned"]
        }

    async def alerts():
        return await ids(".alert", "data-alert-id")

    live = (await cards(), await alerts())
    await page.reload()
    await page.wait_for_selector('#connection[data-state="connected"]', timeout=10000)
    await _until(caught_up)
    assert (await cards(), await alerts()) == live
    assert errors == []
