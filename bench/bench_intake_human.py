"""Human time at the front desk (issue 5): a returning caller's request taken
by keyboard in a real browser, and how fast the caller's card appears.

    .venv/bin/python bench/bench_intake_human.py [--calls 5] [--lookups 30] [--residents 100000]
                                                 [--key-delay-ms 200]

Two databases the script makes itself (fresh SQLite files in a temporary
folder; a fresh PostgreSQL database each when DATABASE_URL names one):

1. the demo data (`load_demo_data`);
2. the demo data plus `--residents` invented residents with a mobile phone
   each, written with bulk_create (the lookup is an indexed equality on the
   E.164 column, so what matters is the size of the tables it searches).

On each, one Daphne process (in-memory channel layer) and Debian's Chromium
driven by Playwright. The front desk logs in (the start of a shift, not
counted), then for each call: types the caller's number into the phone field
(it has the focus), waits for the card, types the service's name until the
wanted service is highlighted, presses Enter and waits for the order number.
Keystrokes and clicks are counted; keys are typed `--key-delay-ms` apart, a
practised typist's pace, so the seconds are a person's seconds without their
thinking. A keystroke-level-model estimate adds that: 1.35 s of mental
preparation before each of the three steps (number, service, submit).

"Card shown" is the page's own measure (`body[data-lookup-ms]`, set by
intake.js): from the last input event in the phone field to the card in the
page, i.e. the request, the server's lookup and the rendering. It is
measured `--lookups` times per database on distinct callers, each number
pasted at once as a scanner or a paste would; the desk sees the same figure
after the last digit typed.
"""

import argparse
import asyncio
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

# The live-server helpers of the end-to-end tests: free port, fresh database.
from tests.e2e.conftest import DEMO_PASSWORD, _database_url, free_port, wait_for_port  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
SERVICE = "bath-help"
SERVICE_TYPED = "bathing"  # typed letter by letter until SERVICE is highlighted
MENTAL_SECONDS = 1.35  # the keystroke-level model's "M"
MENTAL_STEPS = 3

# Callers the lookups may use: served area, valid card, the only resident on
# their primary phone (a couple's number offers two cards and waits for a pick).
CALLERS = """
import json
from collections import Counter
from dispatch.models import Resident, ResidentPhone
counts = Counter(ResidentPhone.objects.values_list("number", flat=True))
out = []
for r in Resident.objects.filter(active=True, area__served=True).prefetch_related("phones").order_by("-id"):
    primary = next((p for p in r.phones.all() if p.is_primary), None)
    if primary and counts[str(primary.number)] == 1 and r.has_valid_card():
        out.append(str(primary.number)[3:])
    if len(out) >= LIMIT:
        break
print(json.dumps(out))
"""

# Invented residents in bulk: names from the demo's lists, generated mobile
# numbers (checked valid, none already stored), a card valid for a year.
SCALE = """
import datetime, itertools, json, random, time
import phonenumbers
from django.utils import timezone
from front import demo
from dispatch.models import Resident, ResidentPhone, ServiceArea
started = time.monotonic()
rng = random.Random(5)
areas = list(ServiceArea.objects.filter(served=True).order_by("id"))
taken = set(str(n) for n in ResidentPhone.objects.values_list("number", flat=True))
until = timezone.localdate() + datetime.timedelta(days=365)
names = [s + g for s in demo.SURNAMES for g in demo.GIVEN]
def numbers():
    for i in itertools.count():
        e164 = "+86" + "15" + str(rng.choice("0123456789")) + f"{rng.randrange(10**8):08d}"
        if e164 not in taken and phonenumbers.is_valid_number(phonenumbers.parse(e164)):
            taken.add(e164)
            yield e164
phones = numbers()
BATCH = 5000
made = 0
while made < COUNT:
    size = min(BATCH, COUNT - made)
    residents = Resident.objects.bulk_create([
        Resident(name=rng.choice(names), address=f"{rng.choice(demo.STREETS)}{rng.randint(1, 400)}号{rng.randint(101, 2806)}室",
                 area=areas[(made + i) % len(areas)], card_number=f"YB{made + i:08d}", card_valid_until=until)
        for i in range(size)
    ])
    ResidentPhone.objects.bulk_create([
        ResidentPhone(resident=r, number=next(phones), label="手机", is_primary=True) for r in residents
    ])
    made += size
print(json.dumps({"residents": Resident.objects.count(), "phones": ResidentPhone.objects.count(),
                  "seconds": round(time.monotonic() - started, 1)}))
"""


def _manage(env: dict, *args: str, capture: bool = True) -> str:
    done = subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, check=True,
                          capture_output=capture, text=True)
    return done.stdout if capture else ""


def _shell(env: dict, code: str) -> object:
    return json.loads(_manage(env, "shell", "-c", code).strip().splitlines()[-1])


class Server:
    """A fresh database with the demo data, served by one Daphne process."""

    def __init__(self, tmp: Path, name: str):
        folder = tmp / name
        folder.mkdir()
        self.database_url, self.drop = _database_url(folder)
        self.folder = folder
        self.env = {
            **os.environ, "DJANGO_SETTINGS_MODULE": "config.settings", "DATABASE_URL": self.database_url,
            "VAR_DIR": str(folder), "DEBUG": "1", "ALLOWED_HOSTS": "127.0.0.1,localhost", "LANGUAGE_CODE": "en",
            "LOG_LEVEL": "WARNING",
        }
        self.env.pop("REDIS_URL", None)
        self.proc: subprocess.Popen | None = None

    def prepare(self, residents: int) -> dict:
        _manage(self.env, "migrate", "--noinput", "-v", "0")
        _manage(self.env, "load_demo_data")
        scaled = _shell(self.env, SCALE.replace("COUNT", str(residents))) if residents else {}
        return scaled

    def callers(self, limit: int) -> list[str]:
        return _shell(self.env, CALLERS.replace("LIMIT", str(limit)))

    def start(self) -> str:
        port = free_port()
        self.log = open(self.folder / "daphne.log", "wb")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "daphne", "-b", "127.0.0.1", "-p", str(port), "config.asgi:application"],
            cwd=ROOT, env=self.env, stdout=self.log, stderr=subprocess.STDOUT,
        )
        wait_for_port(port, timeout=30, proc=self.proc)
        return f"http://127.0.0.1:{port}"

    def stop(self) -> None:
        if self.proc is not None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
            self.log.close()
        self.drop()


async def _desk(browser, base_url: str):
    context = await browser.new_context(base_url=base_url, viewport={"width": 1366, "height": 900})
    page = await context.new_page()
    await page.goto("/accounts/login/?next=/intake/")
    await page.fill("#id_username", "frontdesk")
    await page.fill("#id_password", DEMO_PASSWORD)
    await page.click("button[type=submit]")
    await page.wait_for_url("**/intake/")
    await page.wait_for_selector("#phone:focus")
    return page


async def _one_call(page, phone: str, delay_ms: int) -> dict:
    """A returning caller's request by keyboard; the page starts and ends ready
    for the next call (phone field focused, empty)."""
    keys = clicks = 0
    started = time.monotonic()
    await page.keyboard.type(phone, delay=delay_ms)
    keys += len(phone)
    await page.wait_for_selector(".resident-card.selected", timeout=10000)
    lookup_ms = int(await page.get_attribute("body", "data-lookup-ms"))
    for letter in SERVICE_TYPED:
        await page.keyboard.type(letter, delay=delay_ms)
        keys += 1
        await page.wait_for_selector("#service-list li[aria-selected=true]", timeout=5000)
        if SERVICE in await page.inner_text("#service-list li[aria-selected=true]"):
            break
    else:
        raise AssertionError(f"{SERVICE} was never highlighted")
    await asyncio.sleep(delay_ms / 1000)
    await page.keyboard.press("Enter")
    keys += 1
    await page.wait_for_selector("#result:not([hidden])", timeout=10000)
    seconds = time.monotonic() - started
    number = (await page.inner_text("#result-number")).strip()
    assert number.startswith("WO-"), number
    await page.keyboard.press("Escape")  # next caller: not counted, the call is over
    await page.wait_for_selector("#phone:focus")
    return {"keys": keys, "clicks": clicks, "seconds": seconds, "lookup_ms": lookup_ms, "number": number}


# The lookup request's own time as the browser's Resource Timing saw it (the
# request sent to the last byte received): the server's share of the card's time.
LOOKUP_REQUEST_MS = """
(() => {
  const entries = performance.getEntriesByType("resource").filter(e => e.name.includes("/intake/lookup/"));
  const last = entries[entries.length - 1];
  performance.clearResourceTimings();
  return last ? last.responseEnd - last.requestStart : null;
})()
"""


async def _lookup(page, phone: str) -> tuple[int, float]:
    """Paste the number into the empty phone field: the page's own ms to the
    card, and the lookup request's ms within it."""
    await page.fill("#phone", "")  # focuses the field too
    await page.evaluate("document.body.removeAttribute('data-lookup-ms'); performance.clearResourceTimings()")
    await page.fill("#phone", phone)  # one input event, as a paste
    await page.wait_for_selector(".resident-card.selected", timeout=10000)
    await page.wait_for_selector("body[data-lookup-ms]")
    return int(await page.get_attribute("body", "data-lookup-ms")), await page.evaluate(LOOKUP_REQUEST_MS)


def _summary(values: list[float]) -> dict:
    ordered = sorted(values)
    return {
        "n": len(ordered), "median": statistics.median(ordered),
        "p95": ordered[min(len(ordered) - 1, int(round(0.95 * (len(ordered) - 1))))], "max": ordered[-1],
    }


async def _measure(base_url: str, callers: list[str], calls: int, lookups: int, delay_ms: int) -> dict:
    from playwright.async_api import async_playwright

    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        page = await _desk(browser, base_url)
        await _lookup(page, callers[-1])  # warm-up: first request of the session, caches
        await page.goto("/intake/")  # a fresh screen, as at the start of a call
        await page.wait_for_selector("#phone:focus")
        taken = [await _one_call(page, phone, delay_ms) for phone in callers[:calls]]
        # The demo has fewer callers than lookups asked for: then each comes again.
        rest = callers[calls:]
        looked = [await _lookup(page, rest[i % len(rest)]) for i in range(lookups)]
        await browser.close()
    return {"calls": taken, "lookups": looked}


def _report(name: str, facts: dict, result: dict, delay_ms: int) -> list[str]:
    calls = result["calls"]
    keys = _summary([c["keys"] for c in calls])
    seconds = _summary([c["seconds"] for c in calls])
    estimate = seconds["median"] + MENTAL_STEPS * MENTAL_SECONDS
    card = _summary([ms for ms, _request in result["lookups"]])
    request = _summary([request for _ms, request in result["lookups"] if request is not None])
    typed_card = _summary([c["lookup_ms"] for c in calls])
    lines = [f"{name}: {facts}"]
    lines.append(
        f"  returning caller by keyboard, {keys['n']} calls: {keys['median']:.0f} keystrokes, "
        f"{max(c['clicks'] for c in calls)} clicks, {seconds['median']:.2f} s median ({seconds['max']:.2f} s max) "
        f"at {delay_ms} ms per key; with {MENTAL_STEPS} x {MENTAL_SECONDS} s thinking: {estimate:.1f} s"
    )
    lines.append(
        f"  card shown after the number: typed (last digit) median {typed_card['median']:.0f} ms, "
        f"pasted {card['n']} callers median {card['median']:.0f} ms, p95 {card['p95']:.0f} ms, "
        f"max {card['max']:.0f} ms; of which the lookup request median {request['median']:.0f} ms, "
        f"p95 {request['p95']:.0f} ms"
    )
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--calls", type=int, default=5)
    parser.add_argument("--lookups", type=int, default=30)
    parser.add_argument("--residents", type=int, default=100_000)
    parser.add_argument("--key-delay-ms", type=int, default=200)
    args = parser.parse_args()
    if not shutil.which(CHROMIUM):
        sys.exit(f"needs Debian's chromium at {CHROMIUM}")
    tmp = Path(tempfile.mkdtemp(prefix="bench-intake-"))
    lines = [f"loadavg before: {Path('/proc/loadavg').read_text().strip()}"]
    try:
        for name, extra in [("demo", 0), (f"demo + {args.residents} residents", args.residents)]:
            server = Server(tmp, "scaled" if extra else "demo")
            try:
                started = time.monotonic()
                facts = server.prepare(extra)
                facts = {**facts, "prepared_s": round(time.monotonic() - started, 1)}
                callers = server.callers(1 + args.calls + args.lookups)
                if len(callers) < 2 + args.calls:
                    sys.exit(f"{name}: only {len(callers)} returning callers for the runs")
                base_url = server.start()
                result = asyncio.run(_measure(base_url, callers, args.calls, args.lookups, args.key_delay_ms))
                lines += _report(name, facts, result, args.key_delay_ms)
                print("\n".join(lines[-3:]), flush=True)
            finally:
                server.stop()
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    lines.append(f"loadavg after: {Path('/proc/loadavg').read_text().strip()}")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
