"""The statistics as tables, and those tables as CSV and XLSX files.

One list of tables (`tables`) feeds both formats, so the two exports and the
API always hold the same figures.
"""

import csv
import io
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from openpyxl import Workbook

from dispatch.models import IntakeRecord
from reports import charts


@dataclass
class Column:
    key: str  # stable, for scripts
    label: str  # in the reader's language
    unit: str = ""  # what a value counts, when a number alone does not say it


@dataclass
class Table:
    name: str
    title: str
    columns: list[Column]  # the first names the rows
    rows: list[tuple[str, str, list[Any]]]  # (key, label, values of the other columns)


SECONDS = "seconds"


def _rows(items, label=lambda key: key) -> list[tuple[str, str, list[Any]]]:
    return [(str(key), str(label(key)), list(values)) for key, values in items]


def tables(stats: dict[str, Any]) -> list[Table]:
    """The sections present in `stats` (see reports.stats.statistics) as
    tables: each row and column by a stable key and by its words."""
    out: list[Table] = []
    orders, requests = Column("orders", _("Orders")), Column("requests", _("Requests"))
    if "intakes" in stats:
        i = stats["intakes"]
        out.append(Table("intakes", _("Requests by outcome"), [Column("outcome", _("Outcome")), requests],
                         _rows(((k, [v]) for k, v in i["by_outcome"].items()), charts.outcome_label)))
        out.append(Table("no_card_actions", _("Residents without a card"), [Column("action", _("Action")), requests],
                         _rows(((k, [v]) for k, v in i["no_card_actions"].items()), charts.no_card_label)))
        out.append(Table("referred_to", _("Referrals"), [Column("referred_to", _("Referred to")), requests],
                         _rows((r["referred_to"], [r["count"]]) for r in i["referred_to"])))
    if "orders_by_state" in stats:
        out.append(Table("orders_by_state", _("Orders by state"), [Column("state", _("State")), orders],
                         _rows(((k, [v]) for k, v in stats["orders_by_state"].items()), charts.state_label)))
    if "response_times" in stats:
        out.append(Table(
            "response_times", _("Response times"),
            [Column("step", _("Step")), orders, Column("median", _("Median"), SECONDS),
             Column("90th percentile", _("90th percentile"), SECONDS)],
            _rows(((k, [v["count"], v["median"], v["p90"]]) for k, v in stats["response_times"].items()),
                  lambda k: charts.STEP_LABELS[k]() if k in charts.STEP_LABELS else k),
        ))
    if "compliance" in stats:
        out.append(Table(
            "compliance", _("Service-level compliance"),
            [Column("stage", _("Deadline")), Column("met", _("Met")), Column("missed", _("Missed")),
             Column("rate", _("Met in time"), "share")],
            _rows(((k, [v["met"], v["missed"], v["rate"]]) for k, v in stats["compliance"].items()),
                  charts.stage_label),
        ))
    if "satisfaction" in stats:
        s = stats["satisfaction"]
        rows = [("all", str(_("All services")), [s["reached"], s["satisfied"], s["rate"], s["mean_quality"]])]
        rows += [(r["code"], r.get("name") or r["code"], [r["reached"], r["satisfied"], r["rate"], r["mean_quality"]])
                 for r in s["per_service"]]
        out.append(Table("satisfaction", _("Satisfaction"),
                         [Column("service", _("Service")), Column("calls reached", _("Residents reached")),
                          Column("satisfied", _("Satisfied")), Column("rate", _("Satisfied share"), "share"),
                          Column("mean quality", _("Mean quality (1–5)"))], rows))
    if "escalations" in stats:
        words = {"opened": _("Opened in the period"), "closed": _("Resolved in the period"),
                 "open_now": _("Still open now")}
        out.append(Table("escalations", _("Complaints (escalations)"),
                         [Column("measure", _("Measure")), Column("escalations", _("Cases"))],
                         _rows(((k, [v]) for k, v in stats["escalations"].items()), lambda k: words.get(k, k))))
    if "weekly_orders" in stats:
        out.append(Table("weekly_orders", _("Orders per week"), [Column("week", _("Week of")), orders],
                         _rows((r["week"], [r["orders"]]) for r in stats["weekly_orders"])))
    if "weekly_intakes" in stats:
        outcomes = list(IntakeRecord.Outcome.values)
        out.append(Table(
            "weekly_intakes", _("Requests per week"),
            [Column("week", _("Week of")), *(Column(o, charts.outcome_label(o)) for o in outcomes), requests],
            _rows((r["week"], [*(r[o] for o in outcomes), r["total"]]) for r in stats["weekly_intakes"]),
        ))
    if "overdue_now" in stats:
        out.append(Table("overdue_now", _("Overdue now"), [Column("stage", _("Deadline passed")), orders],
                         _rows(((k, [v]) for k, v in stats["overdue_now"].items()), charts.stage_label)))
    if "overdue_by_level" in stats:
        out.append(Table("overdue_by_level", _("Overdue now, by escalation level"),
                         [Column("level", _("Alerted")), orders],
                         _rows(((k, [v]) for k, v in stats["overdue_by_level"].items()), charts.level_label)))
    if "fees" in stats:
        f = stats["fees"]
        out.append(Table("fees", _("Fees"), [Column("status", _("Status")), orders, Column("amount", _("Amount"))], [
            ("due", str(pgettext("fee status", "Payment due")), [f["due_count"], f["due_amount"]]),
            ("paid", str(pgettext("fee status", "Paid")), [f["paid_count"], f["paid_amount"]]),
        ]))
    return out


def as_csv(stats: dict[str, Any]) -> str:
    """One CSV of every table, long form: table, row, column, value, unit,
    and the row's and column's words. A script reads the keys, which never
    change with the language; a person reads the words; durations say
    "seconds" in their unit. A spreadsheet pivots it."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["table", "row", "column", "value", "unit", "row_label", "column_label"])
    for table in tables(stats):
        for key, label, values in table.rows:
            for column, value in zip(table.columns[1:], values, strict=True):
                writer.writerow([table.name, key, column.key, "" if value is None else value, column.unit,
                                 label, column.label])
    return buffer.getvalue()


def as_xlsx(stats: dict[str, Any]) -> bytes:
    """A workbook with one sheet per table for a person: headers and row
    names in words on the first row and column, durations in minutes."""
    workbook = Workbook()
    workbook.remove(workbook.active)
    period = stats.get("period", {})
    for table in tables(stats):
        sheet = workbook.create_sheet(title=table.name[:31])
        sheet.append([_("%(label)s (minutes)") % {"label": c.label} if c.unit == SECONDS else c.label
                      for c in table.columns])
        for _key, label, values in table.rows:
            sheet.append([label, *(_sheet_value(v, c) for v, c in zip(values, table.columns[1:], strict=True))])
    if not workbook.sheetnames:
        workbook.create_sheet("empty")
    workbook.properties.title = f"{period.get('from', '')}..{period.get('to', '')}"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _sheet_value(value: Any, column: Column) -> Any:
    if column.unit == SECONDS and value is not None:
        return round(value / 60, 1)
    return _number(value)


def _number(value: Any) -> Any:
    # Amounts travel as strings in JSON (exact decimals); in a sheet they are numbers.
    if isinstance(value, str):
        try:
            return float(value) if value.replace(".", "", 1).lstrip("-").isdigit() and "." in value else value
        except ValueError:
            return value
    return value
