"""The monthly report PDF: opens as a PDF, its text holds the month's figures
(read back with poppler's pdftotext), in the reader's language with the
embedded CJK font, and only the sections the role may read."""

import subprocess

import pytest
from freezegun import freeze_time

from tests.printing.pdf import font_names, render_pages, squeezed
from tests.reports.test_stats import NOW, week  # noqa: F401 - the known week, a fixture

pytestmark = pytest.mark.django_db

URL = "/api/v1/stats/monthly.pdf"


def pdftotext(pdf: bytes) -> str:
    return subprocess.run(["pdftotext", "-layout", "-", "-"], input=pdf, capture_output=True, check=True).stdout.decode()


@pytest.fixture
def monthly(api):
    """monthly(role, query="month=2026-11", **headers) -> the response, at NOW."""

    def get(role: str | None, query: str = "month=2026-11", **headers):
        with freeze_time(NOW):
            return api(role).get(f"{URL}?{query}", **headers)

    return get


@pytest.mark.usefixtures("week")
def test_the_month_opens_as_a_pdf_with_its_figures(monthly, tmp_path):
    r = monthly("supervisor")
    assert r.status_code == 200
    assert r["Content-Type"] == "application/pdf"
    assert 'filename="monthly-report-2026-11.pdf"' in r["Content-Disposition"]
    assert r.content.startswith(b"%PDF-")
    text = pdftotext(r.content)
    assert "Monthly report" in text
    assert "November 2026 (2026-11-01 to 2026-11-30)" in text
    flat = squeezed(text)
    # The known week is the whole month's data (the Monday after included).
    for figure in [
        "Requesttaken→workerassigned330min78min",  # response times, in minutes
        "Dispatch2250%",  # compliance: met, missed, rate
        "Homecleaning2150%3.5",  # satisfaction: reached, satisfied, share, mean quality
        "Paymentdue130.00", "Paid130.00",  # fees (the money word, not the deadlines' "Due")
        "Openedintheperiod1",
        "ReferredtoCityhospital1",
    ]:
        assert figure in flat, figure
    # The charts are drawn with their values written on them.
    assert "Homecleaning50%of2" in flat  # the satisfaction bar's label and value
    assert "Dispatch1order" in flat  # the overdue bar's

    assert "Printed" in text and "by supervisor" in text
    pages = render_pages(r.content, tmp_path)
    assert pages  # poppler renders every page


@pytest.mark.usefixtures("week")
def test_the_report_is_in_chinese_for_a_chinese_reader(monthly, catalog):
    catalog["clean"].name = "居家保洁"
    catalog["clean"].save()
    for r in (monthly("supervisor", "month=2026-11&language=zh-hans"),
              monthly("supervisor", HTTP_ACCEPT_LANGUAGE="zh-hans")):
        assert r.status_code == 200
        flat = squeezed(pdftotext(r.content))
        assert "2026年11月" in flat  # the month, as Chinese writes it
        assert "社区养老服务部" in flat  # the department's name
        assert "月度报告" in flat and "Monthly" not in flat  # the title too
        assert "居家保洁" in flat  # a Chinese service name, in the chart and the table
        # The CJK TrueType font is embedded, as in the printed orders.
        assert any("WenQuanYi" in name for name in font_names(r.content))


@pytest.mark.usefixtures("week")
def test_the_report_is_in_swedish_when_asked(monthly):
    flat = squeezed(pdftotext(monthly("supervisor", "month=2026-11&language=sv").content))
    assert "november2026" in flat
    assert "Månadsrapport" in flat


@pytest.mark.usefixtures("week")
def test_finance_gets_the_fees_only(monthly):
    text = pdftotext(monthly("finance").content)
    assert "Fees" in text and "30.00" in text
    assert "Satisfaction" not in text and "Response times" not in text


@pytest.mark.usefixtures("week")
def test_a_lead_gets_no_fees(monthly):
    text = pdftotext(monthly("dispatch_lead").content)
    assert "Response times" in text and "Fees" not in text


@pytest.mark.parametrize(("role", "status"), [("dispatcher", 403), ("front_desk", 403), ("field_worker", 403), (None, 401)])
def test_other_roles_are_refused(monthly, role, status):
    assert monthly(role).status_code == status


@pytest.mark.parametrize("query", ["month=2026-13", "month=November", "month=1999-01", "month=2026-11&channel=pigeon",
                                   "month=2026-11&language=klingon"])
def test_a_bad_month_or_filter_is_400(monthly, query):
    r = monthly("supervisor", query)
    assert r.status_code == 400
    assert r["Content-Type"].startswith("application/json")


def test_without_a_month_it_is_last_month(monthly):
    r = monthly("supervisor", "")
    assert r.status_code == 200
    assert 'filename="monthly-report-2026-10.pdf"' in r["Content-Disposition"]


@pytest.mark.usefixtures("week")
def test_a_filter_is_named_on_the_report(monthly, people):
    r = monthly("supervisor", f"month=2026-11&worker={people['cleaner'].pk}")
    assert "Worker: Cleaner Worker" in pdftotext(r.content)
