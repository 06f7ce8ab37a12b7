"""Debian's Chromium driven by Playwright: how the browser tests start it,
log in, collect what went wrong on a page and keep screenshots."""

from tests.e2e.conftest import DEMO_PASSWORD, OUTPUT

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
]
SHOTS = OUTPUT / "screenshots"
DESK_SCREEN = {"viewport": {"width": 1366, "height": 900}}
WIDE = {"viewport": {"width": 1440, "height": 900}}


async def logged_in(
    browser, server, username: str, next_url: str, *, console_errors: bool = False, field_errors_expected: bool = False,
    **context_options,
):
    """A new page logged in as `username` (demo password) and sent on to
    `next_url`, and the list its problems are collected in: page errors, CSP
    refusals (and any console error with `console_errors`), and every failed
    load except the favicon the browser asks for by itself (and the 400s a
    screen shows as field errors, with `field_errors_expected`)."""
    context = await browser.new_context(base_url=server.base_url, **context_options)
    page = await context.new_page()
    problems: list[str] = []
    page.on("pageerror", lambda exc: problems.append(f"page error: {exc}"))

    def on_console(msg) -> None:
        if "Content Security Policy" in msg.text:
            problems.append(msg.text)
        elif console_errors and msg.type == "error" and not msg.text.startswith("Failed to load resource"):
            problems.append(msg.text)

    def on_response(response) -> None:
        if response.status < 400 or response.url.endswith("/favicon.ico"):
            return
        if field_errors_expected and response.status == 400:
            return
        problems.append(f"{response.status} {response.url}")

    page.on("console", on_console)
    page.on("response", on_response)
    await page.goto(f"/accounts/login/?next={next_url}")
    await page.fill("#id_username", username)
    await page.fill("#id_password", DEMO_PASSWORD)
    await page.click("button[type=submit]")
    await page.wait_for_url(f"**{next_url}")
    return page, problems


async def shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    await page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def demo_residents(server) -> tuple[list[dict], dict[int, dict], object]:
    """The demo residents and areas, read through the API as the front desk,
    and `alone(resident)`: the resident's primary number as the desk types it
    (national digits) when no other resident shares it, else None."""
    get = lambda path: server.request("GET", path, as_user="frontdesk", expect=200)  # noqa: E731
    residents = get("/api/v1/residents/?limit=500")["results"]
    areas = {a["id"]: a for a in get("/api/v1/areas/")["results"]}
    by_phone: dict[str, int] = {}
    for r in residents:
        for p in r["phones"]:
            by_phone[p["number"]] = by_phone.get(p["number"], 0) + 1

    def alone(r):
        primary = next(p["number"] for p in r["phones"] if p["is_primary"])
        return primary[3:] if by_phone[primary] == 1 else None

    return residents, areas, alone
