"""The statistics as a person reads them: charts and tables in plain words
with units, shared by the statistics page (charts as inline SVG) and the
monthly PDF (the same charts drawn with ReportLab).

A chart is laid out once, here, as a few shapes (rectangles, lines, texts)
in a box whose origin is the top left; `svg` writes them as SVG and
`reports.monthly` draws them on a PDF canvas. So the page and the paper show
the same picture. Every text here goes through gettext: call these inside
the language the reader asked for.
"""

import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.utils.html import escape
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from dispatch.models import IntakeRecord
from sla.models import OverdueMark, Stage
from workorders.models import FeeStatus, State

# --- figures in words -------------------------------------------------------------------


def duration(seconds: float | None) -> str:
    """Seconds as a person says them: minutes under two hours, hours under
    two days, days beyond."""
    if seconds is None:
        return "–"
    minutes = seconds / 60
    if minutes < 1:
        return _("under 1 min")
    if minutes < 120:
        return _("%(n)s min") % {"n": round(minutes)}
    if minutes < 48 * 60:
        return _("%(n)s h") % {"n": f"{minutes / 60:.1f}"}
    return _("%(n)s days") % {"n": f"{minutes / 1440:.1f}"}


def percent(rate: float | None) -> str:
    return "–" if rate is None else f"{rate * 100:.0f} %"


def share(part: int, whole: int) -> str:
    return percent(part / whole) if whole else "–"


def state_label(value: str) -> str:
    return str(dict(State.choices).get(value, value))


def stage_label(value: str) -> str:
    return str(dict(Stage.choices).get(value, value))


def level_label(value: str) -> str:
    return str(dict(OverdueMark.Level.choices).get(value, value))


STEP_LABELS = {
    "intake_to_assign": lambda: _("Request taken → worker assigned"),
    "assign_to_collect": lambda: _("Worker assigned → order collected"),
    "collect_to_return": lambda: _("Order collected → order returned"),
}


def outcome_label(value: str) -> str:
    return str(dict(IntakeRecord.Outcome.choices).get(value, value))


def no_card_label(value: str) -> str:
    return str(dict(IntakeRecord.NoCardAction.choices).get("" if value == "none" else value, value))


# --- tables ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Table:
    """One table of the report: its title, a sentence saying what is counted,
    and rows of text (the first cell names the row)."""

    key: str
    title: str
    note: str
    columns: list[str]
    rows: list[list[str]]


def tables(figures: dict[str, Any]) -> list[Table]:
    """The sections present in `figures` (reports.stats.statistics) as
    readable tables, in the order a supervisor reads them."""
    out: list[Table] = []
    if "weekly_intakes" in figures:
        outcomes = list(IntakeRecord.Outcome.values)
        out.append(Table(
            "weekly_intakes", _("Requests per week"),
            _("Every call or visit recorded at intake in each week, by outcome (weeks start on Monday)."),
            [_("Week of"), *(outcome_label(o) for o in outcomes), _("Total")],
            [[w["week"], *(str(w[o]) for o in outcomes), str(w["total"])] for w in figures["weekly_intakes"]],
        ))
    if "weekly_orders" in figures:
        out.append(Table(
            "weekly_orders", _("Orders per week"), _("Orders taken in each week (weeks start on Monday)."),
            [_("Week of"), _("Orders")], [[w["week"], str(w["orders"])] for w in figures["weekly_orders"]],
        ))
    if "orders_by_state" in figures:
        states = figures["orders_by_state"]
        total = sum(states.values())
        out.append(Table(
            "orders_by_state", _("Orders by state"), _("Orders taken in the period, by where they are now."),
            [_("State"), _("Orders"), _("Share")],
            [[state_label(k), str(v), share(v, total)] for k, v in states.items() if v]
            + [[_("Total"), str(total), share(total, total)]],
        ))
    if "response_times" in figures:
        out.append(Table(
            "response_times", _("Response times"),
            _("Half of the orders took at most the median; nine in ten took at most the 90th percentile."),
            [_("Step"), _("Orders"), _("Median"), _("90th percentile")],
            [[STEP_LABELS.get(k, lambda k=k: k)(), str(v["count"]), duration(v["median"]), duration(v["p90"])]
             for k, v in figures["response_times"].items()],
        ))
    if "compliance" in figures:
        out.append(Table(
            "compliance", _("Service-level compliance"),
            _("Orders taken in the period that met or missed each deadline (open orders past it count as missed)."),
            [_("Deadline"), _("Met"), _("Missed"), _("Met in time")],
            [[stage_label(k), str(v["met"]), str(v["missed"]), percent(v["rate"])]
             for k, v in figures["compliance"].items()],
        ))
    if "satisfaction" in figures:
        s = figures["satisfaction"]
        rows = [[_("All services"), str(s["reached"]), str(s["satisfied"]), percent(s["rate"]), _quality(s["mean_quality"])]]
        rows += [[r["name"] or r["code"], str(r["reached"]), str(r["satisfied"]), percent(r["rate"]),
                  _quality(r["mean_quality"])] for r in s["per_service"]]
        out.append(Table(
            "satisfaction", _("Satisfaction"), _("Follow-up calls that reached the resident in the period."),
            [_("Service"), _("Residents reached"), _("Satisfied"), _("Satisfied share"), _("Mean quality (1–5)")],
            rows,
        ))
    if "overdue_now" in figures:
        out.append(Table(
            "overdue_now", _("Overdue now"), _("Open orders past their deadline at this moment (whatever the period)."),
            [_("Deadline passed"), _("Orders")], [[stage_label(k), str(v)] for k, v in figures["overdue_now"].items()],
        ))
    if "overdue_by_level" in figures:
        out.append(Table(
            "overdue_by_level", _("Overdue now, by escalation level"),
            _("Open orders past their deadline, by who is alerted by now: the dispatcher at the deadline, "
              "the dispatch lead and then the supervisor when it stays overdue."),
            [_("Alerted"), _("Orders")],
            [[level_label(k), str(v)] for k, v in figures["overdue_by_level"].items()],
        ))
    if "escalations" in figures:
        e = figures["escalations"]
        out.append(Table(
            "escalations", _("Complaints (escalations)"), _("Unsatisfied residents' cases opened and resolved."),
            [_("Measure"), _("Cases")],
            [[_("Opened in the period"), str(e["opened"])], [_("Resolved in the period"), str(e["closed"])],
             [_("Still open now"), str(e["open_now"])]],
        ))
    if "intakes" in figures:
        i = figures["intakes"]
        out.append(Table(
            "intakes", _("Requests by outcome"), _("Every call or visit recorded at intake in the period."),
            [_("Outcome"), _("Requests"), _("Share")],
            [[outcome_label(k), str(v), share(v, i["total"])] for k, v in i["by_outcome"].items()]
            + [[_("Total"), str(i["total"]), share(i["total"], i["total"])]],
        ))
        out.append(Table(
            "intake_reasons", _("Why requests were not served"),
            _("Where residents were referred, and what was done for those without a service card."),
            [_("Reason"), _("Requests")],
            [[_("Referred to %(place)s") % {"place": r["referred_to"]}, str(r["count"])] for r in i["referred_to"]]
            + [[_("No card: %(action)s") % {"action": no_card_label(k)}, str(v)]
               for k, v in i["no_card_actions"].items() if v],
        ))
    if "fees" in figures:
        f = figures["fees"]
        out.append(Table(
            "fees", _("Fees"), _("Fees due: orders returned in the period and not paid yet; paid: settled in the period."),
            [_("Status"), _("Orders"), _("Amount")],
            # The fee states' own words (money owed), never the deadlines' "Due".
            [[str(FeeStatus.DUE.label), str(f["due_count"]), f["due_amount"]],
             [str(FeeStatus.PAID.label), str(f["paid_count"]), f["paid_amount"]]],
        ))
    return out


def _quality(value: float | None) -> str:
    return "–" if value is None else f"{value:.1f}"


# --- charts ---------------------------------------------------------------------------------

INK = "#1d2330"
MUTED = "#5a6475"
GRID = "#c9ced6"
BAR = "#0b4f9c"
GOOD = "#1f7a3a"
BAD = "#b3261e"


@dataclass(frozen=True)
class Rect:
    x: float
    y: float
    width: float
    height: float
    fill: str


@dataclass(frozen=True)
class Line:
    points: tuple[tuple[float, float], ...]
    stroke: str
    width: float = 1.0


@dataclass(frozen=True)
class Dot:
    x: float
    y: float
    radius: float
    fill: str


@dataclass(frozen=True)
class Text:
    x: float
    y: float  # the baseline
    text: str
    size: float = 12.0
    anchor: str = "start"  # start, middle, end
    fill: str = INK
    bold: bool = False


Shape = Rect | Line | Dot | Text


@dataclass(frozen=True)
class Chart:
    """A chart laid out: `title` and `desc` are its text alternative."""

    key: str
    title: str
    desc: str
    width: float
    height: float
    shapes: list[Shape] = field(default_factory=list)


@dataclass(frozen=True)
class Bar:
    label: str
    value: float
    text: str  # the value as written beside the bar, with its unit
    color: str = BAR


WIDTH = 600.0
ROW = 26.0
LABEL_WIDTH = 200.0
VALUE_WIDTH = 110.0


def _units(text: str) -> int:
    """Widths of a Latin letter in `text` (a CJK character counts two)."""
    return sum(2 if ord(char) > 0x2E80 else 1 for char in text)


def _clip(text: str, units: float) -> str:
    """Cut a label to about `units` widths of a Latin letter (a CJK character counts two)."""
    used, out = 0.0, ""
    for char in text:
        used += 2 if ord(char) > 0x2E80 else 1
        if used > units:
            return out.rstrip() + "…"
        out += char
    return out


def bar_chart(key: str, title: str, desc: str, bars: list[Bar], *, maximum: float | None = None) -> Chart:
    """Horizontal bars, one row each: the label on the left, the bar, its value
    in words on the right (the value never rests on colour alone)."""
    top = 6.0
    height = top + ROW * max(len(bars), 1) + 6
    shapes: list[Shape] = []
    largest = maximum if maximum is not None else max([b.value for b in bars] + [0])
    span = WIDTH - LABEL_WIDTH - VALUE_WIDTH - 10
    shapes.append(Line(((LABEL_WIDTH, top), (LABEL_WIDTH, height - 6)), GRID))
    if not bars:
        shapes.append(Text(LABEL_WIDTH + 8, top + ROW * 0.65, _("Nothing to show for this period."), fill=MUTED))
    for row, bar in enumerate(bars):
        y = top + row * ROW
        shapes.append(Text(LABEL_WIDTH - 8, y + ROW * 0.65, _clip(bar.label, 30), anchor="end"))
        length = span * bar.value / largest if largest > 0 else 0
        if length > 0:
            shapes.append(Rect(LABEL_WIDTH, y + 4, max(length, 2.0), ROW - 8, bar.color))
        shapes.append(Text(LABEL_WIDTH + length + 6, y + ROW * 0.65, bar.text, bold=True))
    return Chart(key, title, desc, WIDTH, height, shapes)


def trend_chart(key: str, title: str, desc: str, points: list[tuple[str, float]]) -> Chart:
    """A line over the weeks with each week's value written at its point, and
    the first and last week named under the axis."""
    height = 200.0
    left, right, top, bottom = 40.0, WIDTH - 20, 24.0, height - 34
    shapes: list[Shape] = [Line(((left, bottom), (right, bottom)), GRID), Line(((left, top), (left, bottom)), GRID)]
    if not points:
        shapes.append(Text((left + right) / 2, (top + bottom) / 2, _("Nothing to show for this period."),
                           anchor="middle", fill=MUTED))
        return Chart(key, title, desc, WIDTH, height, shapes)
    largest = max(v for _label, v in points) or 1
    step = (right - left) / max(len(points) - 1, 1)
    xy = [
        (left + (i * step if len(points) > 1 else (right - left) / 2), bottom - (bottom - top) * value / largest)
        for i, (_label, value) in enumerate(points)
    ]
    shapes.append(Text(left - 6, top + 4, _number(largest), size=10, anchor="end", fill=MUTED))
    shapes.append(Text(left - 6, bottom, "0", size=10, anchor="end", fill=MUTED))
    if len(xy) > 1:
        shapes.append(Line(tuple(xy), BAR, 2.5))
    # Values at every point when they fit, else at every few.
    every = max(1, math.ceil(len(points) / 16))
    for i, ((x, y), (_label, value)) in enumerate(zip(xy, points, strict=True)):
        shapes.append(Dot(x, y, 3.5, BAR))
        if i % every == 0 or i == len(points) - 1:
            shapes.append(Text(x, y - 8, _number(value), size=10, anchor="middle", bold=True))
    first, last = points[0][0], points[-1][0]
    shapes.append(Text(xy[0][0], bottom + 18, first, size=10, anchor="start" if len(points) > 1 else "middle",
                       fill=MUTED))
    if len(points) > 1:
        shapes.append(Text(xy[-1][0], bottom + 18, last, size=10, anchor="end", fill=MUTED))
    return Chart(key, title, desc, WIDTH, height, shapes)


@dataclass(frozen=True)
class Series:
    label: str
    color: str


def stacked_columns(key: str, title: str, desc: str, series: list[Series], columns: list[tuple[str, list[int]]]) -> Chart:
    """One column per week, stacked by series (bottom first), the total
    written over the column when the columns are wide enough, and a legend
    naming each colour in words (the figures are in the table beside it)."""
    left, right, top, bottom = 40.0, WIDTH - 20, 24.0, 170.0
    # The legend names each colour in full, on as many lines as it needs.
    placed, x, line = [], left, 0
    for item in series:
        width = 14 + 6 * _units(item.label) + 16
        if x + width > WIDTH and x > left:
            x, line = left, line + 1
        placed.append((item, x, bottom + 40 + 16 * line))
        x += width
    height = bottom + 60 + 16 * line
    shapes: list[Shape] = [Line(((left, bottom), (right, bottom)), GRID), Line(((left, top), (left, bottom)), GRID)]
    for item, x, y in placed:
        shapes.append(Rect(x, y, 10, 10, item.color))
        shapes.append(Text(x + 14, y + 9, item.label, size=10))
    if not columns:
        shapes.append(Text((left + right) / 2, (top + bottom) / 2, _("Nothing to show for this period."),
                           anchor="middle", fill=MUTED))
        return Chart(key, title, desc, WIDTH, height, shapes)
    largest = max(sum(values) for _label, values in columns) or 1
    slot = (right - left) / len(columns)
    shapes.append(Text(left - 6, top + 4, _number(largest), size=10, anchor="end", fill=MUTED))
    shapes.append(Text(left - 6, bottom, "0", size=10, anchor="end", fill=MUTED))
    every = max(1, math.ceil(len(columns) / 16))
    for i, (_label, values) in enumerate(columns):
        x, y = left + i * slot + slot * 0.1, bottom
        for item, value in zip(series, values, strict=True):
            length = (bottom - top) * value / largest
            if length > 0:
                shapes.append(Rect(x, y - length, slot * 0.8, length, item.color))
                y -= length
        if i % every == 0 or i == len(columns) - 1:
            shapes.append(Text(x + slot * 0.4, y - 4, _number(sum(values)), size=10, anchor="middle", bold=True))
    shapes.append(Text(left + slot * 0.1, bottom + 16, columns[0][0], size=10, fill=MUTED))
    if len(columns) > 1:
        shapes.append(Text(right - slot * 0.1, bottom + 16, columns[-1][0], size=10, anchor="end", fill=MUTED))
    return Chart(key, title, desc, WIDTH, height, shapes)


OUTCOME_COLORS = {"served": BAR, "cannot_serve": "#a35200", "no_card": "#6b3fa0", "out_of_area": MUTED}


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:.1f}"


def charts(figures: dict[str, Any]) -> list[Chart]:
    """The charts a supervisor reads at a glance, for the sections present."""
    out: list[Chart] = []
    if "weekly_intakes" in figures:
        weeks = figures["weekly_intakes"]
        outcomes = list(IntakeRecord.Outcome.values)
        series = [Series(outcome_label(o), OUTCOME_COLORS.get(o, MUTED)) for o in outcomes]
        desc = "; ".join(
            _("week of %(week)s: %(n)s") % {"week": w["week"], "n": w["total"]} + " ("
            + ", ".join(f"{outcome_label(o)} {w[o]}" for o in outcomes if w[o]) + ")"
            for w in weeks
        )
        out.append(stacked_columns(
            "weekly_intakes", _("Requests per week, by outcome"), desc or _("No request was recorded in this period."),
            series, [(w["week"], [w[o] for o in outcomes]) for w in weeks],
        ))
    if "weekly_orders" in figures:
        weeks = figures["weekly_orders"]
        points = [(w["week"], float(w["orders"])) for w in weeks]
        desc = "; ".join(_("week of %(week)s: %(n)s") % {"week": w["week"], "n": w["orders"]} for w in weeks)
        out.append(trend_chart(
            "weekly_orders", _("Orders per week"),
            desc or _("No orders were taken in this period."), points,
        ))
    if "satisfaction" in figures:
        rows = [r for r in figures["satisfaction"]["per_service"] if r["reached"]]
        bars = [
            Bar(r["name"] or r["code"], r["rate"] or 0.0,
                _("%(rate)s of %(n)s") % {"rate": percent(r["rate"]), "n": r["reached"]},
                GOOD if (r["rate"] or 0) >= 0.9 else (BAR if (r["rate"] or 0) >= 0.7 else BAD))
            for r in rows
        ]
        out.append(bar_chart(
            "satisfaction", _("Satisfied residents per service"), _describe(bars, _("No follow-up call reached a resident.")),
            bars, maximum=1.0,
        ))
    if "overdue_now" in figures:
        bars = [Bar(stage_label(k), float(v), ngettext("%(n)s order", "%(n)s orders", v) % {"n": v}, BAD)
                for k, v in figures["overdue_now"].items()]
        out.append(bar_chart("overdue_now", _("Overdue now, by the deadline passed"), _describe(bars, ""), bars))
    if "overdue_by_level" in figures:
        bars = [Bar(level_label(k), float(v), ngettext("%(n)s order", "%(n)s orders", v) % {"n": v}, BAD)
                for k, v in figures["overdue_by_level"].items()]
        out.append(bar_chart("overdue_by_level", _("Overdue now, by escalation level"), _describe(bars, ""), bars))
    if "orders_by_state" in figures:
        bars = [Bar(state_label(k), float(v), str(v)) for k, v in figures["orders_by_state"].items() if v]
        out.append(bar_chart("orders_by_state", _("Orders by state"),
                             _describe(bars, _("No orders were taken in this period.")), bars))
    return out


def _describe(bars: Iterable[Bar], empty: str) -> str:
    return "; ".join(f"{b.label}: {b.text}" for b in bars) or empty


# --- SVG --------------------------------------------------------------------------------------


def svg(chart: Chart, *, id_prefix: str = "chart") -> str:
    """The chart as an inline SVG element, its title and description the
    accessible name and description. Every text is escaped."""
    base = f"{id_prefix}-{chart.key}"
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" viewBox="0 0 {chart.width:g} {chart.height:g}" '
        f'aria-labelledby="{base}-title {base}-desc" data-chart="{escape(chart.key)}">',
        f'<title id="{base}-title">{escape(chart.title)}</title>',
        f'<desc id="{base}-desc">{escape(chart.desc)}</desc>',
    ]
    for shape in chart.shapes:
        if isinstance(shape, Rect):
            parts.append(f'<rect x="{shape.x:.1f}" y="{shape.y:.1f}" width="{shape.width:.1f}" '
                         f'height="{shape.height:.1f}" fill="{shape.fill}"/>')
        elif isinstance(shape, Line):
            points = " ".join(f"{x:.1f},{y:.1f}" for x, y in shape.points)
            parts.append(f'<polyline points="{points}" fill="none" stroke="{shape.stroke}" '
                         f'stroke-width="{shape.width:g}"/>')
        elif isinstance(shape, Dot):
            parts.append(f'<circle cx="{shape.x:.1f}" cy="{shape.y:.1f}" r="{shape.radius:g}" fill="{shape.fill}"/>')
        else:
            weight = ' font-weight="bold"' if shape.bold else ""
            parts.append(f'<text x="{shape.x:.1f}" y="{shape.y:.1f}" font-size="{shape.size:g}" '
                         f'text-anchor="{shape.anchor}" fill="{shape.fill}"{weight}>{escape(shape.text)}</text>')
    parts.append("</svg>")
    return "".join(parts)
