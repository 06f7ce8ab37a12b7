"""The statistics page: who may open it and which sections each role sees,
the known week's figures in words and units, charts with text alternatives,
the period and filter form with its errors, and export links that give the
same figures."""

import csv
import datetime
import io
import re
from html.parser import HTMLParser
from urllib.parse import parse_qs, urlsplit

import pytest
from django.test import Client
from freezegun import freeze_time
from openpyxl import load_workbook

from tests.reports.test_stats import NOW, week  # noqa: F401 - the known week, a fixture

pytestmark = pytest.mark.django_db

WEEK = "period=custom&from=2026-11-02&to=2026-11-08"


@pytest.fixture
def page(users):
    """page(role, query="") -> the response to GET /stats/?query, at NOW."""

    def get(role: str | None, query: str = "", **headers):
        client = Client()
        if role:
            client.force_login(users[role])
        with freeze_time(NOW):
            return client.get(f"/stats/?{query}", **headers)

    return get


class Cells(HTMLParser):
    """The page's tables as {section key: [[cell text, ...], ...]}, and its SVG charts."""

    def __init__(self):
        super().__init__()
        self.tables: dict[str, list[list[str]]] = {}
        self.section = None
        self.row: list[str] | None = None
        self.cell: list[str] | None = None
        self.svgs: list[dict] = []
        self.in_svg: dict | None = None
        self.svg_tag = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "section" and attrs.get("id", "").startswith("section-"):
            self.section = attrs["id"].removeprefix("section-")
            self.tables[self.section] = []
        elif tag == "tr" and self.section:
            self.row = []
        elif tag in ("td", "th") and self.row is not None:
            self.cell = []
        elif tag == "svg":
            self.in_svg = {"attrs": attrs, "title": "", "desc": "", "ids": set(), "texts": []}
        if self.in_svg is not None:
            if "id" in attrs:
                self.in_svg["ids"].add(attrs["id"])
            self.svg_tag = tag

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self.cell is not None and self.row is not None:
            self.row.append("".join(self.cell).strip())
            self.cell = None
        elif tag == "tr" and self.row is not None:
            self.tables[self.section].append(self.row)
            self.row = None
        elif tag == "svg" and self.in_svg is not None:
            self.svgs.append(self.in_svg)
            self.in_svg = None

    def handle_data(self, data):
        if self.cell is not None:
            self.cell.append(data)
        if self.in_svg is not None:
            if self.svg_tag in ("title", "desc"):
                self.in_svg[self.svg_tag] += data
            elif self.svg_tag == "text":
                self.in_svg["texts"].append(data)


def _read(response) -> Cells:
    cells = Cells()
    cells.feed(response.content.decode())
    return cells


def _rows(cells: Cells, key: str) -> dict[str, list[str]]:
    return {row[0]: row[1:] for row in cells.tables[key][1:]}


def test_anonymous_visitors_are_sent_to_log_in(page):
    r = page(None)
    assert r.status_code == 302 and r["Location"].startswith("/accounts/login/?next=/stats/")


@pytest.mark.parametrize("role", ["dispatcher", "front_desk", "field_worker", "coordinator", "nobody"])
def test_roles_without_statistics_are_refused(page, role):
    assert page(role).status_code == 403


@pytest.mark.parametrize(
    ("role", "service", "fees"),
    [("supervisor", True, True), ("dispatch_lead", True, False), ("finance", False, True)],
)
@pytest.mark.usefixtures("week")
def test_each_role_sees_its_sections(page, role, service, fees):
    r = page(role, WEEK)
    assert r.status_code == 200
    tables = _read(r).tables
    assert ("fees" in tables) == fees
    assert ("response_times" in tables) == service
    assert ("satisfaction" in tables) == service


@pytest.mark.usefixtures("week")
def test_the_known_week_reads_in_words_and_units(page):
    cells = _read(page("supervisor", WEEK))
    times = _rows(cells, "response_times")
    # 1800 s and 4680 s; 2700 and 3420; 5400 and 6840.
    assert times["Request taken → worker assigned"] == ["3", "30 min", "78 min"]
    assert times["Worker assigned → order collected"] == ["2", "45 min", "57 min"]
    assert times["Order collected → order returned"] == ["2", "90 min", "114 min"]
    assert _rows(cells, "compliance")["Dispatch"] == ["2", "2", "50 %"]
    assert _rows(cells, "compliance")["Start of service"] == ["0", "0", "–"]
    assert _rows(cells, "satisfaction")["Home cleaning"] == ["2", "1", "50 %", "3.5"]
    assert _rows(cells, "orders_by_state")["Closed"] == ["2", "40 %"]
    assert _rows(cells, "orders_by_state")["Total"] == ["5", "100 %"]
    assert _rows(cells, "overdue_now")["Dispatch"] == ["1"]
    assert _rows(cells, "escalations") == {
        "Opened in the period": ["1"], "Resolved in the period": ["1"], "Still open now": ["0"],
    }
    assert _rows(cells, "fees") == {"Payment due": ["1", "30.00"], "Paid": ["1", "30.00"]}
    assert _rows(cells, "weekly_orders") == {"2026-11-02": ["5"]}
    assert _rows(cells, "weekly_intakes") == {"2026-11-02": ["5", "1", "1", "1", "8"]}
    assert _rows(cells, "overdue_by_level") == {"Dispatcher": ["0"], "Dispatch lead": ["0"], "Supervisor": ["1"]}
    assert _rows(cells, "intakes")["Outside the service area"] == ["1", "12 %"]
    reasons = _rows(cells, "intake_reasons")
    assert reasons["Referred to City hospital"] == ["1"]
    assert reasons["No card: Invited to apply for a card"] == ["1"]


@pytest.mark.usefixtures("week")
def test_charts_are_inline_svg_with_a_text_alternative(page):
    r = page("supervisor", WEEK)
    cells = _read(r)
    charted = {svg["attrs"]["data-chart"]: svg for svg in cells.svgs}
    assert set(charted) == {
        "weekly_intakes", "weekly_orders", "satisfaction", "overdue_now", "overdue_by_level", "orders_by_state",
    }
    for svg in charted.values():
        assert svg["attrs"]["role"] == "img"
        # The accessible name and description point at the chart's own title and desc.
        assert set(svg["attrs"]["aria-labelledby"].split()) <= svg["ids"]
        assert svg["title"] and svg["desc"]
    assert charted["satisfaction"]["desc"] == "Home cleaning: 50 % of 2"
    assert "50 % of 2" in charted["satisfaction"]["texts"]  # written on the chart, not colour only
    assert charted["overdue_now"]["desc"].startswith("Dispatch: 1 order;")
    assert "week of 2026-11-02: 5" in charted["weekly_orders"]["desc"]
    assert charted["weekly_intakes"]["desc"] == (
        "week of 2026-11-02: 8 (Served 5, Cannot serve (referred) 1, Eligible without service card 1, "
        "Outside the service area 1)"
    )
    assert charted["overdue_by_level"]["desc"] == "Dispatcher: 0 orders; Dispatch lead: 0 orders; Supervisor: 1 order"
    # Each chart sits beside the table with the same figures.
    html = r.content.decode()
    for key in charted:
        section = re.search(rf'<section[^>]*id="section-{key}".*?</section>', html, flags=re.S).group(0)
        assert "<svg" in section and "<table" in section


@pytest.mark.usefixtures("week")
def test_the_page_has_no_script_and_no_outside_resource(page):
    html = page("supervisor", WEEK).content.decode()
    assert "<script" not in html
    assert not re.search(r"<[^>]+\son[a-z]+=", html)
    assert not re.search(r'(src|href)="https?://', html)


@pytest.mark.usefixtures("week")
def test_a_name_typed_into_the_catalog_is_escaped_in_charts_and_tables(page, catalog):
    catalog["clean"].name = "<b>Cleaning</b> & co"
    catalog["clean"].save()
    html = page("supervisor", WEEK).content.decode()
    assert "<b>Cleaning</b>" not in html
    assert "&lt;b&gt;Cleaning&lt;/b&gt; &amp; co" in html


@pytest.mark.usefixtures("week")
def test_export_links_give_the_same_period_and_filters(page, users, people):
    r = page("supervisor", WEEK + f"&channel=phone&worker={people['cleaner'].pk}")
    html = r.content.decode()
    links = {key: href for href, key in re.findall(r'<a href="([^"]+)" id="(export-csv|export-xlsx|monthly-pdf)"', html)}
    assert set(links) == {"export-csv", "export-xlsx", "monthly-pdf"}
    csv_url = links["export-csv"].replace("&amp;", "&")
    query = parse_qs(urlsplit(csv_url).query)
    assert query == {"from": ["2026-11-02"], "to": ["2026-11-08"], "worker": [str(people["cleaner"].pk)],
                     "channel": ["phone"]}
    client = Client()
    client.force_login(users["supervisor"])
    with freeze_time(NOW):
        exported = client.get(csv_url)
        workbook = client.get(links["export-xlsx"].replace("&amp;", "&"))
    rows = list(csv.DictReader(io.StringIO(exported.content.decode())))
    cell = {(r["table"], r["row"], r["column"]): r["value"] for r in rows}
    # The cleaner's phone orders: A and B (C came by web, D and E were never assigned).
    assert cell[("orders_by_state", "closed", "orders")] == "2"
    assert _rows(_read(r), "orders_by_state")["Closed"][0] == "2"
    assert sum(int(v) for (t, _r, _c), v in cell.items() if t == "orders_by_state") == 2
    assert "fees" in load_workbook(io.BytesIO(workbook.content)).sheetnames
    pdf = parse_qs(urlsplit(links["monthly-pdf"].replace("&amp;", "&")).query)
    assert pdf == {"month": ["2026-11"], "worker": [str(people["cleaner"].pk)], "channel": ["phone"]}


@pytest.mark.usefixtures("week")
def test_filters_narrow_the_figures(page):
    cells = _read(page("supervisor", WEEK + "&channel=web"))
    assert _rows(cells, "orders_by_state") == {"Assigned": ["1", "100 %"], "Total": ["1", "100 %"]}
    assert "Channel: " in page("supervisor", WEEK + "&channel=web").content.decode()


@pytest.mark.parametrize(
    ("period", "first", "last"),
    [("this_week", "2026-11-02", "2026-11-08"), ("this_month", "2026-11-01", "2026-11-30"),
     ("last_month", "2026-10-01", "2026-10-31"), ("", "2026-11-01", "2026-11-30")],
)
@pytest.mark.usefixtures("week")
def test_the_named_periods(page, period, first, last):
    r = page("supervisor", f"period={period}" if period else "")
    assert r.status_code == 200
    assert f"Figures from {first} to {last}" in r.content.decode()
    assert f"from={first}&amp;to={last}" in r.content.decode()


@pytest.mark.parametrize(
    ("query", "field", "message"),
    [
        ("period=custom&to=2026-11-08", "from", "Give a date."),
        ("period=custom&from=2026-11-08&to=2026-11-01", "to", "The end is before the start."),
        ("period=custom&from=2020-01-01&to=2026-11-01", "to", "Choose a period of at most three years."),
        ("period=custom&from=yesterday&to=2026-11-01", "from", "Enter a valid date."),
        ("period=someday", "period", "Select a valid choice."),
        ("channel=pigeon", "channel", "Select a valid choice."),
        ("area=999999", "area", "Select a valid choice."),
    ],
)
def test_a_wrong_form_is_400_with_the_message_beside_the_field(page, users, query, field, message):
    r = page("supervisor", query)
    assert r.status_code == 400
    html = r.content.decode()
    assert re.search(rf'<p class="error" role="alert" id="id_{field}-error">[^<]*{re.escape(message)}', html), html
    if field != "period":
        assert re.search(rf'<[^>]*id="id_{field}"[^>]*aria-invalid="true"', html) or re.search(
            rf'<[^>]*aria-invalid="true"[^>]*id="id_{field}"', html)
    assert "<svg" not in html  # no figures for a form that is wrong


@pytest.mark.parametrize(("role", "shown"), [("supervisor", True), ("finance", True), ("dispatcher", False)])
def test_the_nav_links_the_statistics_page_for_its_roles(users, role, shown):
    client = Client()
    client.force_login(users[role])
    html = client.get("/stats/" if shown else "/intake/").content.decode()
    nav = re.search(r'<nav class="site-nav".*?</nav>', html, flags=re.S).group(0)
    assert ('href="/stats/"' in nav) == shown
    if shown:
        assert 'href="/stats/" aria-current="page"' in nav


@pytest.mark.usefixtures("week")
def test_the_page_opens_in_chinese(page):
    r = page("supervisor", WEEK, HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert r.status_code == 200
    assert '<html lang="zh-hans">' in r.content.decode()


def test_an_empty_period_shows_no_bars_but_says_so(page):
    r = page("supervisor", "period=custom&from=2026-01-01&to=2026-01-07")
    assert r.status_code == 200
    cells = _read(r)
    assert "Nothing to show for this period." in "".join(t for s in cells.svgs for t in s["texts"])
    assert all(s["desc"] for s in cells.svgs)


def test_durations_read_in_the_unit_people_use():
    from reports.charts import duration

    assert [duration(v) for v in (None, 20, 1800, 7200, 200000)] == ["–", "under 1 min", "30 min", "2.0 h", "2.3 days"]


def test_this_week_runs_monday_to_sunday():
    from reports.views import period_days

    assert period_days("this_week", datetime.date(2026, 11, 8)) == (datetime.date(2026, 11, 2), datetime.date(2026, 11, 8))
    assert period_days("last_month", datetime.date(2026, 1, 15)) == (datetime.date(2025, 12, 1), datetime.date(2025, 12, 31))
