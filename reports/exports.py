"""The statistics as tables, and those tables as CSV and XLSX files.

One list of tables (`tables`) feeds both formats, so the two exports and the
API always hold the same figures.
"""

import csv
import io
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _
from openpyxl import Workbook

from dispatch.models import IntakeRecord


@dataclass
class Table:
    name: str
    title: str
    columns: list[str]
    rows: list[list[Any]]


def tables(stats: dict[str, Any]) -> list[Table]:
    """The sections present in `stats` (see reports.stats.statistics) as tables."""
    out: list[Table] = []
    if "intakes" in stats:
        out.append(Table("intakes", _("Requests by outcome"), [_("outcome"), _("requests")],
                         [[k, v] for k, v in stats["intakes"]["by_outcome"].items()]))
        out.append(Table("no_card_actions", _("Residents without a card"), [_("action"), _("requests")],
                         [[k, v] for k, v in stats["intakes"]["no_card_actions"].items()]))
        out.append(Table("referred_to", _("Referrals"), [_("referred to"), _("requests")],
                         [[r["referred_to"], r["count"]] for r in stats["intakes"]["referred_to"]]))
    if "orders_by_state" in stats:
        out.append(Table("orders_by_state", _("Orders by state"), [_("state"), _("orders")],
                         [[k, v] for k, v in stats["orders_by_state"].items()]))
    if "response_times" in stats:
        out.append(Table(
            "response_times", _("Response times (seconds)"), [_("step"), _("orders"), _("median"), _("90th percentile")],
            [[k, v["count"], v["median"], v["p90"]] for k, v in stats["response_times"].items()],
        ))
    if "compliance" in stats:
        out.append(Table(
            "compliance", _("Service-level compliance"), [_("stage"), _("met"), _("missed"), _("rate")],
            [[k, v["met"], v["missed"], v["rate"]] for k, v in stats["compliance"].items()],
        ))
    if "satisfaction" in stats:
        s = stats["satisfaction"]
        rows = [[_("all services"), s["reached"], s["satisfied"], s["rate"], s["mean_quality"]]]
        rows += [[r["code"], r["reached"], r["satisfied"], r["rate"], r["mean_quality"]] for r in s["per_service"]]
        out.append(Table("satisfaction", _("Satisfaction"),
                         [_("service"), _("calls reached"), _("satisfied"), _("rate"), _("mean quality")], rows))
    if "escalations" in stats:
        out.append(Table("escalations", _("Escalations"), [_("measure"), _("escalations")],
                         [[k, v] for k, v in stats["escalations"].items()]))
    if "weekly_orders" in stats:
        out.append(Table("weekly_orders", _("Orders per week"), [_("week"), _("orders")],
                         [[r["week"], r["orders"]] for r in stats["weekly_orders"]]))
    if "weekly_intakes" in stats:
        outcomes = list(IntakeRecord.Outcome.values)
        out.append(Table("weekly_intakes", _("Requests per week"), [_("week"), *outcomes, _("requests")],
                         [[r["week"], *(r[o] for o in outcomes), r["total"]] for r in stats["weekly_intakes"]]))
    if "overdue_now" in stats:
        out.append(Table("overdue_now", _("Overdue now"), [_("stage"), _("orders")],
                         [[k, v] for k, v in stats["overdue_now"].items()]))
    if "overdue_by_level" in stats:
        out.append(Table("overdue_by_level", _("Overdue now, by escalation level"), [_("level"), _("orders")],
                         [[k, v] for k, v in stats["overdue_by_level"].items()]))
    if "fees" in stats:
        f = stats["fees"]
        out.append(Table("fees", _("Fees"), [_("status"), _("orders"), _("amount")],
                         [[_("due"), f["due_count"], f["due_amount"]], [_("paid"), f["paid_count"], f["paid_amount"]]]))
    return out


def as_csv(stats: dict[str, Any]) -> str:
    """One CSV of every table, long form: table, row, column, value. A
    spreadsheet pivots it; a script reads it without knowing the layouts."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["table", "row", "column", "value"])
    for table in tables(stats):
        for row in table.rows:
            for column, value in zip(table.columns[1:], row[1:], strict=True):
                writer.writerow([table.name, row[0], column, "" if value is None else value])
    return buffer.getvalue()


def as_xlsx(stats: dict[str, Any]) -> bytes:
    """A workbook with one sheet per table, headers on the first row."""
    workbook = Workbook()
    workbook.remove(workbook.active)
    period = stats.get("period", {})
    for table in tables(stats):
        sheet = workbook.create_sheet(title=table.name[:31])
        sheet.append(table.columns)
        for row in table.rows:
            sheet.append([_number(v) for v in row])
    if not workbook.sheetnames:
        workbook.create_sheet("empty")
    workbook.properties.title = f"{period.get('from', '')}..{period.get('to', '')}"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _number(value: Any) -> Any:
    # Amounts travel as strings in JSON (exact decimals); in a sheet they are numbers.
    if isinstance(value, str):
        try:
            return float(value) if value.replace(".", "", 1).lstrip("-").isdigit() and "." in value else value
        except ValueError:
            return value
    return value
