"""The statistics page read in Swedish and Chinese on a 1440 px screen
(issue #16): no table runs off the page or out of its box, no chart's
legend is cut, and Chinese headers break between words, not inside them.
Screenshots: test-output/screenshots/statistics-1440-{sv,zh}.png."""

import pytest

from tests.e2e.browser import WIDE, logged_in, shot

pytestmark = pytest.mark.e2e
playwright_api = pytest.importorskip("playwright.async_api")


# Every table wider than its box, every chart text outside its chart, every
# header cell that breaks inside a word: as lists of what is wrong.
MEASURE = r"""() => {
  const wide = [...document.querySelectorAll("table.figures")]
    .filter(t => t.getBoundingClientRect().right > t.parentElement.getBoundingClientRect().right + 1)
    .map(t => t.getAttribute("aria-labelledby"));
  const cut = [];
  for (const svg of document.querySelectorAll("svg.chart")) {
    const box = svg.getBoundingClientRect();
    for (const text of svg.querySelectorAll("text")) {
      const r = text.getBoundingClientRect();
      if (r.width && (r.left < box.left - 1 || r.right > box.right + 1)) cut.push(text.textContent);
    }
  }
  const broken = [];
  for (const th of document.querySelectorAll("table.figures thead th")) {
    // Lines of the header's text (one box per line); more lines than words
    // means a word was broken.
    const range = document.createRange();
    range.selectNodeContents(th);
    const lines = new Set([...range.getClientRects()].map(r => Math.round(r.top))).size;
    const words = th.textContent.trim().split(/\s+/).length;
    if (lines > words) broken.push(th.textContent.trim());
  }
  return {page: document.documentElement.scrollWidth > document.documentElement.clientWidth, wide, cut, broken};
}"""


@pytest.mark.parametrize("language", ["sv", "zh-hans"])
async def test_the_statistics_fit_the_screen_in_every_language(browser, daphne_server, language):
    page, problems = await logged_in(browser, daphne_server, "supervisor", "/stats/", **WIDE)
    await page.click(f'.language-switch button[value="{language}"]')
    await page.wait_for_selector(f'html[lang="{language}"]')
    await page.wait_for_selector("table.figures")
    found = await page.evaluate(MEASURE)
    await shot(page, f"statistics-1440-{language.split('-')[0]}")
    assert found == {"page": False, "wide": [], "cut": [], "broken": []}
    assert problems == []
