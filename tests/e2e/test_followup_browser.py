"""The quality loop's screens in a real browser (Debian's Chromium, driven by
Playwright) against Daphne with the demo data: every returned demo order is
in the callback queue, one call by keyboard from the queue to a closed order,
a need that opens the intake with the resident's card and the need in its
notes, and the demo complaint followed to its end by the lead. Every page is
checked for Content-Security-Policy violations; screenshots go to
test-output/screenshots/."""


import pytest

from tests.e2e.browser import DESK_SCREEN, logged_in, shot

pytestmark = pytest.mark.e2e
playwright_api = pytest.importorskip("playwright.async_api")

DUE_ROW = "#queue tr.entry:not(.waiting)"






async def _open_first_due_call(page) -> int:
    order_id = int(await page.get_attribute(DUE_ROW, "data-order-id"))
    await page.click(f"{DUE_ROW} a.open-call")
    await page.wait_for_url(f"**/followups/{order_id}/call/")
    await page.wait_for_selector("input[name=result][value=reached]:focus")
    return order_id


async def test_every_returned_demo_order_is_in_the_queue(browser, daphne_server):
    page, problems = await logged_in(browser, daphne_server, "frontdesk", "/followups/", **DESK_SCREEN)
    returned = daphne_server.request("GET", "/api/v1/orders/?state=returned&limit=500", as_user="frontdesk",
                                     expect=200)["results"]
    assert returned
    shown = {int(i) for i in await page.eval_on_selector_all(
        "#queue tr.entry", "rows => rows.map(r => r.dataset.orderId)")}
    assert shown == {o["id"] for o in returned}
    # The demo's unanswered one waits for its retry; the others may be called now.
    assert await page.query_selector("#queue tr.entry.waiting")
    assert await page.query_selector(DUE_ROW)
    await shot(page, "followup-1-queue")
    assert problems == []


async def test_one_call_from_the_queue_to_a_closed_order_by_keyboard(browser, daphne_server):
    page, problems = await logged_in(browser, daphne_server, "frontdesk", "/followups/", **DESK_SCREEN)
    order_id = await _open_first_due_call(page)
    order = daphne_server.request("GET", f"/api/v1/orders/{order_id}/", as_user="frontdesk", expect=200)
    assert order["state"] == "returned"
    # The resident's phone to dial, and the script with their name in it.
    assert await page.get_attribute("a.tel", "href") == "tel:" + next(
        p["number"] for p in daphne_server.request("GET", f"/api/v1/followups/{order_id}/", as_user="frontdesk",
                                                   expect=200)["phones"] if p["is_primary"])
    assert order["resident_name"] in await page.inner_text("#script")

    # Reached (Space), quality 5 (key 5), satisfied (Tab, Space), a comment, Enter.
    await page.keyboard.press("Space")
    await page.keyboard.press("5")
    assert await page.is_checked("input[name=quality][value='5']")
    await page.keyboard.press("Tab")
    await page.keyboard.press("Space")
    assert await page.is_checked("input[name=satisfied][value=yes]")
    await page.keyboard.press("Tab")
    await page.keyboard.type("很满意 / Very pleased")
    await shot(page, "followup-2-call-screen")
    await page.keyboard.press("Shift+Tab")
    await page.keyboard.press("Enter")
    await page.wait_for_selector('#outcome[data-outcome="closed"]', timeout=10000)
    assert "The order is closed." in await page.inner_text("#outcome")
    await shot(page, "followup-3-call-closed")

    order = daphne_server.request("GET", f"/api/v1/orders/{order_id}/", as_user="frontdesk", expect=200)
    assert order["state"] == "closed"
    calls = daphne_server.request("GET", f"/api/v1/followups/calls/?order={order_id}", as_user="frontdesk",
                                  expect=200)["results"]
    assert [(c["result"], c["quality"], c["satisfied"], c["comments"]) for c in calls] == [
        ("reached", 5, True, "很满意 / Very pleased")]
    # Back in the queue, the order is gone.
    await page.click("#back-to-queue")
    await page.wait_for_url("**/followups/")
    assert await page.query_selector(f'#queue tr[data-order-id="{order_id}"]') is None
    assert problems == []


async def test_an_error_keeps_the_typing_and_a_need_opens_the_intake_for_the_resident(browser, daphne_server):
    page, problems = await logged_in(browser, daphne_server, "frontdesk", "/followups/", **DESK_SCREEN)
    # The 400 of a form with an error is expected here.
    problems_before = len(problems)
    order_id = await _open_first_due_call(page)
    resident = daphne_server.request("GET", f"/api/v1/orders/{order_id}/", as_user="frontdesk", expect=200)["resident"]
    await page.keyboard.press("Space")  # reached, then no quality given
    await page.check("input[name=satisfied][value=yes]")
    await page.check("input[name=needs_more]")
    await page.fill("textarea[name=needs_more_what]", "下周送餐 / Meals from next week")
    await page.keyboard.press("Control+Enter")
    await page.wait_for_selector("#quality-error")
    assert "from 1 to 5" in await page.inner_text("#quality-error")
    assert await page.input_value("textarea[name=needs_more_what]") == "下周送餐 / Meals from next week"
    assert await page.is_checked("input[name=needs_more]")
    await shot(page, "followup-4-error-kept")
    del problems[problems_before:]  # the 400 just shown

    await page.keyboard.press("4")
    await page.keyboard.press("Enter")
    await page.wait_for_selector('#outcome[data-outcome="closed"]', timeout=10000)
    # One action: the new request for this resident has the focus.
    await page.wait_for_selector("#new-request:focus")
    await page.keyboard.press("Enter")
    await page.wait_for_url(f"**/intake/?resident={resident}&notes=*")
    await page.wait_for_selector(f'.resident-card.selected[data-resident-id="{resident}"]', timeout=5000)
    await page.wait_for_selector("#service-filter:focus")
    assert await page.input_value("#phone") != ""
    # What the resident said they need is in the request's notes already.
    assert await page.input_value("#served-notes") == "下周送餐 / Meals from next week"
    await shot(page, "followup-5-intake-prefilled")
    # Whatever the outcome, the next caller starts with empty notes, not this resident's need.
    await page.keyboard.press("Alt+2")
    await page.wait_for_selector("#referred-to:focus")
    await page.keyboard.type("区助餐点 / the district canteen")
    await page.keyboard.press("Enter")
    await page.wait_for_selector('#result[data-outcome="cannot_serve"]:not([hidden])', timeout=5000)
    await page.keyboard.press("Escape")
    await page.wait_for_selector("#phone:focus")
    assert await page.input_value("#served-notes") == ""
    assert problems == []


async def test_the_demo_complaint_is_followed_to_its_end(browser, daphne_server):
    page, problems = await logged_in(browser, daphne_server, "lead", "/escalations/", **DESK_SCREEN)
    await page.click("#escalations tbody tr a")
    await page.wait_for_selector("#actions")
    log = await page.inner_text("#actions")
    assert "Opened" in log and "明早返修" in log  # the demo lead's note
    await shot(page, "followup-6-complaint")
    await page.fill("#id_note", "已返修，居民确认 / Fixed, the resident confirmed")
    await page.click("#note-form button")
    await page.wait_for_selector(".messages")
    await page.fill("#id_outcome", "免费返修 / Repaired again free of charge")
    await page.click("#resolve-form button")
    await page.wait_for_selector(".messages")
    assert "Resolved" in await page.inner_text("h1")
    assert "Fixed, the resident confirmed" in await page.inner_text("#actions")
    await shot(page, "followup-7-complaint-resolved")
    escalations = daphne_server.request("GET", "/api/v1/escalations/?open=false", as_user="lead",
                                        expect=200)["results"]
    assert escalations and escalations[0]["order"]["state"] == "closed"
    assert problems == []
