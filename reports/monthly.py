"""The monthly report PDF: the month's figures as the statistics page shows
them (the same tables and charts, from `reports.charts`), in the printed
orders' typeface and languages. Pure rendering: figures in, PDF bytes out.
"""

import calendar
import datetime
import io
import re
from typing import Any

from django.conf import settings
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Flowable, KeepTogether, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from printing.typesetting import Typeface, draw_text, one_render_at_a_time, typeface
from reports import charts

MARGIN = 40.0
PAGE_WIDTH, PAGE_HEIGHT = A4
FRAME_WIDTH = PAGE_WIDTH - 2 * MARGIN


class ChartFlowable(Flowable):
    """A `charts.Chart` drawn with ReportLab, scaled to the frame's width.
    The chart's origin is its top left; the PDF's is the bottom left."""

    def __init__(self, chart: charts.Chart, face: Typeface, width: float):
        super().__init__()
        self.chart, self.face = chart, face
        self.scale = min(1.0, width / chart.width)
        self.width, self.height = chart.width * self.scale, chart.height * self.scale

    def wrap(self, available_width, available_height):
        return self.width, self.height

    def draw(self) -> None:
        canvas: Canvas = self.canv
        s, h = self.scale, self.chart.height
        canvas.saveState()
        for shape in self.chart.shapes:
            if isinstance(shape, charts.Rect):
                canvas.setFillColor(colors.HexColor(shape.fill))
                canvas.rect(shape.x * s, (h - shape.y - shape.height) * s, shape.width * s, shape.height * s,
                            stroke=0, fill=1)
            elif isinstance(shape, charts.Line):
                canvas.setStrokeColor(colors.HexColor(shape.stroke))
                canvas.setLineWidth(shape.width * s)
                path = canvas.beginPath()
                (x0, y0), *rest = shape.points
                path.moveTo(x0 * s, (h - y0) * s)
                for x, y in rest:
                    path.lineTo(x * s, (h - y) * s)
                canvas.drawPath(path, stroke=1, fill=0)
            elif isinstance(shape, charts.Dot):
                canvas.setFillColor(colors.HexColor(shape.fill))
                canvas.circle(shape.x * s, (h - shape.y) * s, shape.radius * s, stroke=0, fill=1)
            else:
                align = {"start": "left", "middle": "center", "end": "right"}[shape.anchor]
                draw_text(canvas, self.face, shape.x * s, (h - shape.y) * s, shape.text, shape.size * s,
                          bold=shape.bold, align=align, color=colors.HexColor(shape.fill))
        canvas.restoreState()


@one_render_at_a_time
def render_monthly(
    *, figures: dict[str, Any], month: datetime.date, language: str, filters: list[tuple[str, str]], printed_by: str,
) -> bytes:
    """The report of the month starting on `month`: a heading with the
    filters in force (`filters`: (what, which) pairs in `language`), then
    each table of `reports.charts.tables`, its chart above it when it has one."""
    face = typeface()
    buffer = io.BytesIO()
    with translation.override(language):
        body = ParagraphStyle("body", fontName=face.name, fontSize=10, leading=13)
        note = ParagraphStyle("note", parent=body, fontSize=9, leading=12, textColor=colors.Color(0.3, 0.3, 0.3))
        heading = ParagraphStyle("heading", parent=body, fontSize=14, leading=19, spaceBefore=10, spaceAfter=3)
        title = ParagraphStyle("title", parent=body, fontSize=20, leading=26)
        sub = ParagraphStyle("sub", parent=body, fontSize=12, leading=16)

        def p(text: str, style: ParagraphStyle = body) -> Paragraph:
            if _HAS_CJK.search(text):
                # Chinese has no spaces: such text may break between any two characters.
                style = ParagraphStyle(f"{style.name}-cjk", parent=style, wordWrap="CJK")
            return Paragraph(_escape(text), style)

        month_name = formats.date_format(month, "YEAR_MONTH_FORMAT")
        last_day = month.replace(day=calendar.monthrange(month.year, month.month)[1])
        # Not inside an f-string: makemessages does not look there (the
        # title stayed English on a Chinese report).
        report_title = _("Monthly report")
        story: list[Flowable] = [
            p(f"{settings.DEPARTMENT_NAME} · {report_title}", title),
            p(_("%(month)s (%(first)s to %(last)s)") % {
                "month": month_name, "first": month.isoformat(), "last": last_day.isoformat()}, sub),
            p(" · ".join(f"{what}: {which}" for what, which in filters) or _("All areas, services, workers and channels"),
              sub),
            Spacer(1, 6),
        ]
        drawn = {chart.key: chart for chart in charts.charts(figures)}
        for table in charts.tables(figures):
            # A section stays on one page when it fits; a longer one breaks in its table.
            head: list[Flowable] = [p(table.title, heading), p(table.note, note), Spacer(1, 4)]
            chart = drawn.get(table.key)
            if chart is not None:
                head += [ChartFlowable(chart, face, FRAME_WIDTH), Spacer(1, 6)]
            if table.rows:
                data = [[p(c) for c in table.columns]] + [[p(c) for c in row] for row in table.rows]
                first_width = FRAME_WIDTH * (0.46 if len(table.columns) > 2 else 0.6)
                rest = (FRAME_WIDTH - first_width) / (len(table.columns) - 1)
                grid = Table(data, colWidths=[first_width] + [rest] * (len(table.columns) - 1), repeatRows=1)
                grid.setStyle(TableStyle([
                    ("GRID", (0, 0), (-1, -1), 0.5, colors.Color(0.6, 0.6, 0.6)),
                    ("BACKGROUND", (0, 0), (-1, 0), colors.Color(0.9, 0.9, 0.9)),
                    ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ]))
                head.append(grid)
            else:
                head.append(p(_("Nothing to show for this period."), note))
            story.append(KeepTogether(head))
        printed_at = timezone.localtime(timezone.now()).strftime("%Y-%m-%d %H:%M")
        footer = _("Printed %(at)s by %(user)s") % {"at": printed_at, "user": printed_by}

        def on_page(canvas: Canvas, doc) -> None:
            canvas.saveState()
            draw_text(canvas, face, MARGIN, MARGIN / 2, footer, 8)
            draw_text(canvas, face, PAGE_WIDTH - MARGIN, MARGIN / 2, _("Page %(page)s") % {"page": doc.page}, 8,
                      align="right")
            canvas.restoreState()

        doc = SimpleDocTemplate(
            buffer, pagesize=A4, leftMargin=MARGIN, rightMargin=MARGIN, topMargin=MARGIN, bottomMargin=MARGIN,
            title=f"{report_title} {month:%Y-%m}", author=settings.DEPARTMENT_NAME,
        )
        doc.build(story, onFirstPage=on_page, onLaterPages=on_page)
    return buffer.getvalue()


_HAS_CJK = re.compile(r"[\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef]")


def _escape(text: str) -> str:
    # Paragraph reads a small markup language: names typed by people must not be taken for it.
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
