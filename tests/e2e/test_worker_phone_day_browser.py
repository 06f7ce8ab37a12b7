"""The field worker's phone (issue 16, item 10) in a real browser at 390x844:
a login page laid out for the phone, a slim header, "my orders" with the
urgent order first and the resident's emergency contact to tap; and the
order page at 1440x900 with the emergency contact. English and Chinese;
screenshots in test-output/screenshots/."""

import pytest

from tests.e2e.browser import logged_in, shot
from tests.e2e.desk_setup import make_order

pytestmark = pytest.mark.e2e
playwright_api = pytest.importorskip("playwright.async_api")
expect = playwright_api.expect

PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True, "device_scale_factor": 2}
SCREEN = {"viewport": {"width": 1440, "height": 900}}
LANGUAGES = [("en-US", "en"), ("zh-CN", "zh-hans")]
# The header may take an eighth of the phone's screen at most (it took a quarter).
HEADER_SHARE = 1 / 8


async def _no_sideways_scroll(page) -> bool:
    return await page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


@pytest.fixture(scope="module")
def worker_orders(daphne_server):
    """For the demo worker 周师傅: a normal order agreed for soon and, made
    after it (a higher number), an urgent one."""
    soon = make_order(daphne_server, "assigned", code="repair-water", worker="周师傅", agreed_hours=1)
    urgent = make_order(daphne_server, "printed", code="repair-lock", worker="周师傅", urgency="urgent")
    return {"soon": soon, "urgent": urgent}


@pytest.mark.parametrize("locale,lang", LANGUAGES)
async def test_the_login_page_fits_a_phone(browser, daphne_server, locale, lang):
    context = await browser.new_context(base_url=daphne_server.base_url, locale=locale, **PHONE)
    page = await context.new_page()
    await page.goto("/accounts/login/?next=/")
    assert await page.get_attribute("html", "lang") == lang
    assert await _no_sideways_scroll(page)
    for selector in ("#id_username", "#id_password", ".login-submit"):
        box = await page.locator(selector).bounding_box()
        # Full width of the column, and tall enough for a thumb.
        assert box["width"] >= 300 and box["height"] >= 44, (selector, box)
    await shot(page, f"phone-1-login-{lang}")
    if lang == "en":
        # The language can be chosen before logging in, below the form.
        await page.locator('.login-languages button[value="zh-hans"]').tap()
        await page.wait_for_selector('html[lang="zh-hans"]')
        assert "/accounts/login/" in page.url
    await context.close()


@pytest.mark.parametrize("locale,lang", LANGUAGES)
async def test_my_orders_on_the_phone_put_the_urgent_first_with_the_emergency_contact(
    browser, daphne_server, worker_orders, locale, lang
):
    phone, problems = await logged_in(browser, daphne_server, "worker", "/my-orders/", locale=locale, **PHONE)
    assert await phone.get_attribute("html", "lang") == lang
    urgent = worker_orders["urgent"]
    cards = phone.locator(".my-order")
    await expect(cards.first).to_have_attribute("data-order-number", urgent["number"])
    numbers = [await cards.nth(i).get_attribute("data-order-number") for i in range(await cards.count())]
    assert numbers.index(urgent["number"]) < numbers.index(worker_orders["soon"]["number"])

    # The header leaves the screen to the work.
    header = await phone.locator(".site-header").bounding_box()
    assert header["height"] <= 844 * HEADER_SHARE, header
    assert await _no_sideways_scroll(phone)

    # Whom to call when the resident does not open: a phone to tap.
    contact = urgent["contact"]
    link = cards.first.locator(".emergency-contacts a.call.contact")
    await expect(link).to_have_attribute("href", f"tel:{contact['phone']}")
    text = await link.inner_text()
    assert contact["name"] in text and contact["relation"] in text
    box = await link.bounding_box()
    assert box["height"] >= 44
    await shot(phone, f"phone-2-my-orders-urgent-first-{lang}")

    # His view of the order: the same contact.
    await cards.first.locator(".number a").tap()
    await phone.wait_for_url(f"**/orders/{urgent['id']}/")
    await expect(phone.locator("dd.emergency-contacts a.call.contact")).to_have_attribute(
        "href", f"tel:{contact['phone']}")
    assert await _no_sideways_scroll(phone)
    await shot(phone, f"phone-3-order-page-{lang}")
    assert problems == []


@pytest.mark.parametrize("locale,lang", LANGUAGES)
async def test_the_order_page_shows_the_emergency_contact(browser, daphne_server, worker_orders, locale, lang):
    order = worker_orders["soon"]
    page, problems = await logged_in(browser, daphne_server, "dispatcher", f"/orders/{order['id']}/",
                                      locale=locale, **SCREEN)
    assert await page.get_attribute("html", "lang") == lang
    link = page.locator("dd.emergency-contacts a.call.contact")
    await expect(link).to_have_attribute("href", f"tel:{order['contact']['phone']}")
    text = await link.inner_text()
    assert order["contact"]["name"] in text and order["contact"]["relation"] in text
    await shot(page, f"order-page-emergency-contact-{lang}")
    assert problems == []
