"""The coordinator's catalog and records (the admin) in a real browser
(Debian's Chromium, driven by Playwright) against Daphne with the demo data,
in Chinese and in Swedish: the opening hours' list shows the calendar in
effect (each weekday's hours, the default marked, the coming year's public
holidays by name), a closure's date widget speaks the browser's language, and
a service's page edits its one service level.
Screenshots at 1440x900 go to test-output/screenshots/."""

import pytest

from tests.e2e.browser import logged_in, shot

pytestmark = pytest.mark.e2e
playwright_api = pytest.importorskip("playwright.async_api")

WIDE = {"viewport": {"width": 1440, "height": 900}}

# The browser's locale, the page's language, the date widget's "today" and
# China's New Year's Day as the holidays package names it (it has no Swedish
# names for China's holidays: English then).
LANGUAGES = [
    ("zh-CN", "zh-hans", "今天", "元旦"),
    ("sv-SE", "sv", "I dag", "New Year's Day"),
]


@pytest.mark.parametrize("locale,lang,today,new_year", LANGUAGES)
async def test_the_coordinator_sees_the_calendar_in_effect_and_widgets_in_their_language(
    browser, daphne_server, locale, lang, today, new_year
):
    page, problems = await logged_in(
        browser, daphne_server, "coordinator", "/admin/sla/openinghours/", locale=locale, **WIDE
    )
    assert await page.get_attribute("html", "lang") == lang
    calendar = page.locator("#effective-calendar")
    await calendar.wait_for()
    # The demo sets no opening hours: every weekday works the default, and says so.
    assert await page.locator("#effective-hours tr.weekday.default").count() == 7
    assert "08:30–17:30" in await page.inner_text('#effective-hours tr[data-weekday="0"]')
    holidays = page.locator("#effective-days tr.holiday")
    assert await holidays.count() >= 5  # a year of China's public holidays
    assert new_year in await page.inner_text("#effective-days")
    await shot(page, f"coordinator-opening-hours-{lang}")

    await page.goto("/admin/sla/closure/")
    await page.locator("#effective-calendar").wait_for()
    await shot(page, f"coordinator-closures-{lang}")

    await page.goto("/admin/sla/closure/add/")
    await page.click("#calendarlink0")
    box = page.locator("#calendarbox0")
    await box.wait_for()
    assert today in await box.inner_text()
    await shot(page, f"coordinator-closure-date-widget-{lang}")

    # A service's deadlines are edited on its own page, in its one service level.
    await page.goto(f"/admin/dispatch/serviceitem/{daphne_server.facts['service']}/change/")
    await page.locator("#service_level-group").wait_for()
    assert await page.locator('input[name="service_level-0-response_amount"]').input_value()
    assert await page.locator('[name="response_target_minutes"]').count() == 0
    await shot(page, f"coordinator-service-level-{lang}")
    assert problems == []
    await page.context.close()
