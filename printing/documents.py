"""The printed documents: the work order in duplicate and the daily dispatch
list. Pure rendering: data in, PDF bytes out; nothing here reads or writes the
database except `sheet_for`, which takes a snapshot of an order.

Every label goes through gettext inside `translation.override(language)`, so a
page is in its print language whatever the request's language was.
"""

import datetime
import io
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

import phonenumbers
from django.conf import settings
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from printing.typesetting import Typeface, draw_code128, draw_qr, draw_text, one_render_at_a_time, typeface, wrap

PAGE_WIDTH, PAGE_HEIGHT = A4
MARGIN = 36.0
LEFT, RIGHT = MARGIN, PAGE_WIDTH - MARGIN
TOP, BOTTOM = PAGE_HEIGHT - MARGIN, MARGIN

LABEL_WIDTH = 96.0
LABEL_SIZE = 10.0
VALUE_SIZE = 13.0
NAME_SIZE = 17.0
LINE = 1.27  # line height as a multiple of the type size
ROW_PADDING = 8.0
DETAILS_TOP = TOP - 166
# The boxes to fill by hand start here at the lowest: details that reach
# below it (the longest of everything) take the room from the boxes, which
# shrink but keep their bottom line.
HAND_TOP = 286.0
FOOTER_Y = BOTTOM + 2

# The resident's name is never cut: the worker at the door needs all of it.
# It takes up to NAME_LINES lines at NAME_SIZE, smaller down to NAME_MIN_SIZE
# when that keeps it to NAME_LINES, and as many lines as it needs beyond.
NAME_LINES = 2
NAME_MIN_SIZE = 12.0
# The width of a value in a row of two cells (the name's, beside the phone).
HALF_VALUE_WIDTH = (RIGHT - LEFT) / 2 - LABEL_WIDTH - 8

# Where the resident's name is drawn on every copy (points from the lower
# left: x0, y0, x1, y1), so a test can look at the rendered glyphs.
RESIDENT_NAME_AREA = (
    LEFT + LABEL_WIDTH + 4, DETAILS_TOP - ROW_PADDING / 2 - NAME_LINES * NAME_SIZE * LINE, LEFT + 260, DETAILS_TOP,
)

INK = colors.black
RULE = colors.Color(0.55, 0.55, 0.55)
LABEL_INK = colors.Color(0.25, 0.25, 0.25)


@dataclass(frozen=True)
class OrderSheet:
    """Everything one duplicate prints, taken from the order and its print job."""

    number: str
    language: str
    copy_number: int
    reprint_number: int
    backfill: bool
    urgent: bool
    resident_name: str
    address: str
    phone: str
    access_notes: str
    emergency_contacts: Sequence[str]
    service_name: str
    service_name_en: str
    service_standard: str
    requested_for: datetime.datetime | None
    assignee_is_partner: bool
    assignee: str
    fee: Decimal | None
    fee_unit: str
    notes: str
    printed_at: datetime.datetime
    printed_by: str
    department_name: str = field(default_factory=lambda: settings.DEPARTMENT_NAME)
    department_phone: str = field(default_factory=lambda: settings.DEPARTMENT_PHONE)
    # A reprint given with a reason (a lost or jammed copy) names the copy it
    # replaces, void from then on; 0 otherwise.
    replaces_copy: int = 0


def readable_phone(number) -> str:
    """A stored E.164 phone as people write it: national form for our own
    region, international otherwise."""
    if not number:
        return ""
    parsed = getattr(number, "_phonenumber", None) or number
    if not isinstance(parsed, phonenumbers.PhoneNumber):
        try:
            parsed = phonenumbers.parse(str(number), settings.PHONE_REGION)
        except phonenumbers.NumberParseException:
            return str(number)
    form = (
        phonenumbers.PhoneNumberFormat.NATIONAL
        if phonenumbers.region_code_for_number(parsed) == settings.PHONE_REGION
        else phonenumbers.PhoneNumberFormat.INTERNATIONAL
    )
    return phonenumbers.format_number(parsed, form)


def sheet_for(order, job) -> OrderSheet:
    """Snapshot of `order` (a workorders.WorkOrder) for print job `job`."""
    resident, service = order.resident, order.service
    phone = resident.primary_phone
    contacts = [
        f"{c.name} ({c.relation}) {readable_phone(c.phone)}" for c in resident.emergency_contacts.all()[:2]
    ]
    if order.partner_id:
        assignee = f"{order.partner.name} · {order.partner.contact_person} {readable_phone(order.partner.phone)}"
    elif order.worker_id:
        assignee = f"{order.worker.name} {readable_phone(order.worker.phone)}"
    else:
        assignee = ""
    if order.fee > 0:
        fee, unit = order.fee, ""
    elif service.chargeable:
        # The price when the request was taken: a later catalog change does not reach this order.
        fee = order.expected_fee if order.expected_fee is not None else service.price
        unit = service.unit
    else:
        fee, unit = None, ""
    return OrderSheet(
        number=order.number,
        language=job.language,
        copy_number=job.copy_number,
        reprint_number=job.reprint_number,
        replaces_copy=job.copy_number - 1 if job.reason and job.copy_number > 1 else 0,
        backfill=job.kind == "backfill",
        urgent=order.urgency == "urgent",
        resident_name=resident.name,
        address=resident.address,
        phone=readable_phone(phone.number) if phone else "",
        access_notes=resident.access_notes,
        emergency_contacts=contacts,
        service_name=service.name,
        service_name_en=service.name_en,
        service_standard=service.standard,
        requested_for=order.requested_for,
        assignee_is_partner=bool(order.partner_id),
        assignee=assignee,
        fee=fee,
        fee_unit=unit,
        notes=order.notes,
        printed_at=job.printed_at,
        printed_by=job.printed_by.get_username(),
    )


@one_render_at_a_time
def render_orders(sheets: Iterable[OrderSheet]) -> bytes:
    """One PDF: each sheet as two A4 pages, copy 1 (dispatch group) then
    copy 2 (front desk)."""
    sheets = list(sheets)
    if not sheets:
        raise ValueError("no sheet to render")
    face = typeface()
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=A4, pageCompression=1)
    canvas.setTitle(sheets[0].number if len(sheets) == 1 else f"{sheets[0].number} … {sheets[-1].number}")
    canvas.setCreator(settings.DEPARTMENT_NAME)
    for index, sheet in enumerate(sheets):
        with translation.override(sheet.language):
            # Both copies share everything but their label and page number: the
            # shared part is drawn once, as a form both pages place. Half the
            # drawing and half the content to compress.
            form = f"order{index}"
            canvas.beginForm(form)
            _order_body(canvas, face, sheet)
            canvas.endForm()
            for copy in (1, 2):
                canvas.doForm(form)
                _copy_marks(canvas, face, sheet, copy)
                canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def _copy_label(copy: int) -> str:
    return _("Copy 1: dispatch group") if copy == 1 else _("Copy 2: front desk")


def _fit(face: Typeface, text: str, size: float, width: float) -> float:
    """The largest size up to `size` at which `text` fits in `width`."""
    needed = face.width(text, size)
    return size if needed <= width else size * width / needed


def _one_line(face: Typeface, text: str, size: float, width: float) -> str:
    return wrap(face, text, size, width, 1, "…")[0]


def whole(face: Typeface, text: str, size: float, width: float) -> list[str]:
    """`text` in lines no wider than `width`, all of it: never cut."""
    return wrap(face, text, size, width, len(text) + 1, "")


def name_lines(face: Typeface, name: str, width: float) -> tuple[float, list[str]]:
    """The size and lines of a resident's name in `width`: the largest size
    from NAME_SIZE down to NAME_MIN_SIZE at which it takes at most NAME_LINES
    lines, else every line it needs at NAME_MIN_SIZE. Never cut."""
    size = NAME_SIZE
    while True:
        lines = whole(face, name, size, width)
        if len(lines) <= NAME_LINES or size <= NAME_MIN_SIZE:
            return size, lines
        size = max(NAME_MIN_SIZE, size - 0.5)


def _local(moment: datetime.datetime) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M")


def local_time(moment: datetime.datetime) -> str:
    """Hours and minutes in the department's time zone."""
    return timezone.localtime(moment).strftime("%H:%M")


COPY_BOX_WIDTH, COPY_BOX_HEIGHT = 236.0, 34.0


def _copy_marks(canvas: Canvas, face: Typeface, sheet: OrderSheet, copy: int) -> None:
    """What differs between the two copies: the copy's label and the page number."""
    label = _copy_label(copy)
    box_w, box_h = COPY_BOX_WIDTH, COPY_BOX_HEIGHT
    canvas.setFillColor(INK)
    canvas.rect(RIGHT - box_w, TOP - box_h, box_w, box_h, stroke=0, fill=1)
    size = _fit(face, label, 16, box_w - 16)
    draw_text(canvas, face, RIGHT - box_w / 2, TOP - box_h + 11, label, size, bold=True, align="center",
              color=colors.white)
    printed = _("Printed %(at)s by %(user)s · page %(page)s of 2") % {
        "at": _local(sheet.printed_at), "user": sheet.printed_by, "page": copy,
    }
    draw_text(canvas, face, RIGHT, FOOTER_Y, _one_line(face, printed, 9, (RIGHT - LEFT - 12) / 2), 9, align="right")


def _order_body(canvas: Canvas, face: Typeface, sheet: OrderSheet) -> None:
    """Everything both copies carry."""
    cut = " " + _("[… more in the system]")
    canvas.setFillColor(INK)
    canvas.setStrokeColor(INK)

    # --- header: department, title, copy number ------------------------------------
    box_w = COPY_BOX_WIDTH
    head_w = RIGHT - box_w - LEFT - 10
    draw_text(canvas, face, LEFT, TOP - 12, _one_line(face, sheet.department_name, 12, head_w), 12)
    draw_text(canvas, face, LEFT, TOP - 42, _("Work order"), _fit(face, _("Work order"), 24, head_w), bold=True)
    draw_text(canvas, face, RIGHT - box_w, TOP - 52, _("Copy no. %(number)s") % {"number": sheet.copy_number}, 12)

    # --- the order number three ways: text, Code 128, QR ---------------------------
    draw_text(canvas, face, LEFT, TOP - 72, _("Order no."), LABEL_SIZE)
    draw_text(canvas, face, LEFT, TOP - 100, sheet.number, 26, bold=True)
    draw_code128(canvas, LEFT - 10, TOP - 150, sheet.number, bar_width=1.0, height=38)
    draw_qr(canvas, RIGHT - 100, TOP - 160, sheet.number, size=100)

    marks = []
    if sheet.reprint_number:
        marks.append((_("REPRINT %(number)s") % {"number": sheet.reprint_number}, False))
    if sheet.replaces_copy:
        marks.append((_("Replaces copy no. %(number)s (void)") % {"number": sheet.replaces_copy}, False))
    if sheet.backfill:
        marks.append((_("Filled in after an emergency start"), False))
    if sheet.urgent:
        marks.append((_("URGENT"), True))
    mark_x, mark_w, mark_y = RIGHT - box_w, box_w - 108, TOP - 86
    for text, inverse in marks:
        canvas.setLineWidth(2)
        canvas.rect(mark_x, mark_y, mark_w, 24, stroke=1, fill=1 if inverse else 0)
        draw_text(canvas, face, mark_x + mark_w / 2, mark_y + 7, text, _fit(face, text, 14, mark_w - 8),
                  bold=True, align="center", color=colors.white if inverse else INK)
        mark_y -= 30
    canvas.setLineWidth(1.2)
    canvas.line(LEFT, DETAILS_TOP + 6, RIGHT, DETAILS_TOP + 6)

    # --- what to do, where, for whom --------------------------------------------------
    service = sheet.service_name
    if sheet.language != "zh-hans" and sheet.service_name_en and sheet.service_name_en != service:
        service = f"{sheet.service_name_en} ({sheet.service_name})"
    if sheet.fee is None:
        fee = _("No charge")
    else:
        fee = f"{sheet.fee:.2f}" + (f" / {sheet.fee_unit}" if sheet.fee_unit else "")
    when = _local(sheet.requested_for) if sheet.requested_for else _("As soon as possible")
    name_size, name = name_lines(face, sheet.resident_name or "—", HALF_VALUE_WIDTH)
    rows = [
        [(_("Resident"), sheet.resident_name, name_size, len(name), True),
         (_("Phone"), sheet.phone, VALUE_SIZE, 1, True)],
        [(_("Address"), sheet.address, VALUE_SIZE, 2, False)],
        [(_("Access notes"), sheet.access_notes, VALUE_SIZE, 2, False)],
        [(_("Emergency contact"), "\n".join(sheet.emergency_contacts), VALUE_SIZE, 2, False)],
        [(_("Service"), service, VALUE_SIZE, 2, True),
         (_("Urgency"), _("Urgent") if sheet.urgent else _("Normal"), VALUE_SIZE, 1, sheet.urgent)],
        [(_("Service standard"), sheet.service_standard, 11, 2, False)],
        [(_("Agreed time"), when, VALUE_SIZE, 1, True), (_("Fee"), fee, VALUE_SIZE, 1, False)],
        [(_("Partner unit") if sheet.assignee_is_partner else _("Worker"), sheet.assignee, VALUE_SIZE, 1, False)],
    ]
    y = DETAILS_TOP
    for cells in rows:
        y = _details_row(canvas, face, y, cells, cut)
    # Special instructions take what room is left above the boxes (at least 4 lines).
    room = int((y - HAND_TOP - ROW_PADDING) // (VALUE_SIZE * LINE))
    y = _details_row(canvas, face, y, [(_("Special instructions"), sheet.notes, VALUE_SIZE, max(4, room), True)], cut)

    # --- boxes to fill by hand ------------------------------------------------------
    # They start under the details and take the room short details leave, so
    # there is more space to write; with the longest details they start at HAND_TOP.
    top = min(y - 10, HAND_TOP + 140)
    extra = top - HAND_TOP
    draw_text(canvas, face, LEFT, top - 14, _("To fill in by hand"), 12, bold=True)
    half = (RIGHT - LEFT - 8) / 2
    canvas.setLineWidth(0.9)
    y = top - 22
    y = _boxes(canvas, face, y, 34, [(LEFT, half, _("Actual start")), (LEFT + half + 8, half, _("Actual end"))])
    y = _boxes(canvas, face, y, 42 + extra * 0.25, [(LEFT, RIGHT - LEFT, _("Materials used"))])
    y = _boxes(canvas, face, y, 52 + extra * 0.35, [(LEFT, RIGHT - LEFT, _("Remarks"))])
    _boxes(canvas, face, y, 64 + extra * 0.4, [
        (LEFT, half, _("Resident's signature")), (LEFT + half + 8, half, _("Worker's signature")),
    ])

    # --- footer ------------------------------------------------------------------------
    department = sheet.department_name
    if sheet.department_phone:
        department += " · " + _("Phone %(phone)s") % {"phone": sheet.department_phone}
    draw_text(canvas, face, LEFT, FOOTER_Y, _one_line(face, department, 10, (RIGHT - LEFT - 12) / 2), 10)


Cell = tuple[str, str, float, int, bool]


def _details_row(canvas: Canvas, face: Typeface, top: float, cells: list[Cell], cut: str) -> float:
    """One row of label/value cells side by side; returns the row's bottom."""
    width = (RIGHT - LEFT) / len(cells)  # a value's: width - LABEL_WIDTH - 8 (HALF_VALUE_WIDTH in a row of two)
    height = 0.0
    drawn = []
    for index, (label, value, size, max_lines, bold) in enumerate(cells):
        x = LEFT + index * width
        label_lines = wrap(face, label, LABEL_SIZE, LABEL_WIDTH - 6, 2, "…")
        # One line has no room for the long mark; "…" still shows the cut.
        value_lines = wrap(face, value or "—", size, width - LABEL_WIDTH - 8, max_lines, cut if max_lines > 1 else "…")
        height = max(height, len(label_lines) * LABEL_SIZE * 1.2, len(value_lines) * size * LINE)
        drawn.append((x, label_lines, value_lines, size, bold))
    for x, label_lines, value_lines, size, bold in drawn:
        for n, line in enumerate(label_lines):
            draw_text(canvas, face, x, top - ROW_PADDING / 2 - LABEL_SIZE - n * LABEL_SIZE * 1.2, line, LABEL_SIZE,
                      color=LABEL_INK)
        for n, line in enumerate(value_lines):
            draw_text(canvas, face, x + LABEL_WIDTH, top - ROW_PADDING / 2 - size - n * size * LINE + 2, line, size,
                      bold=bold)
    bottom = top - height - ROW_PADDING
    canvas.setStrokeColor(RULE)
    canvas.setLineWidth(0.6)
    canvas.line(LEFT, bottom, RIGHT, bottom)
    canvas.setStrokeColor(INK)
    return bottom


def _boxes(canvas: Canvas, face: Typeface, top: float, height: float, boxes: list[tuple[float, float, str]]) -> float:
    for x, width, label in boxes:
        canvas.rect(x, top - height, width, height, stroke=1, fill=0)
        draw_text(canvas, face, x + 5, top - 13, label, LABEL_SIZE, color=LABEL_INK)
    return top - height - 6


# --- the daily dispatch list ------------------------------------------------------------


@dataclass(frozen=True)
class DailyListRow:
    time: str
    number: str
    resident: str
    address: str
    phone: str
    service: str
    urgent: bool
    state: str
    notes: str


def render_daily_list(
    *, language: str, worker: str, day: datetime.date, rows: Sequence[DailyListRow], printed_by: str
) -> bytes:
    """A landscape table of one worker's orders for one day, repeated header
    row on every page."""
    with translation.override(language):
        return _table_document(
            title=_("Daily dispatch list"),
            subtitle=_("Worker: %(worker)s · Date: %(day)s · %(count)s orders")
            % {"worker": worker, "day": day.isoformat(), "count": len(rows)},
            headers=[_("Time"), _("Order no."), _("Resident"), _("Address"), _("Phone"), _("Service"),
                     _("Urgency"), _("State"), _("Special instructions")],
            rows=[
                [row.time, row.number, row.resident, row.address, row.phone, row.service,
                 _("Urgent") if row.urgent else _("Normal"), row.state, _clip(row.notes, 160)]
                for row in rows
            ],
            widths=[56, 104, 88, 126, 84, 96, 58, 68, 90],
            empty=_("No orders for this day."),
            printed_by=printed_by,
            names=2,
        )


@dataclass(frozen=True)
class FollowUpSheetRow:
    returned: str
    number: str
    resident: str
    phone: str
    service: str
    worker: str


def render_followup_sheet(*, language: str, rows: Sequence[FollowUpSheetRow], printed_by: str) -> bytes:
    """The follow-up call sheet: the returned orders waiting for their call,
    oldest first, with empty cells a caller ticks and fills on paper (the
    outcome, quality 1-5, satisfied, comments) before typing them in."""
    with translation.override(language):
        return _table_document(
            title=_("Follow-up call sheet"),
            subtitle=_("%(count)s calls · Tick one outcome per call; quality 1 (bad) to 5 (very good)")
            % {"count": len(rows)},
            headers=[_("Returned"), _("Order no."), _("Resident"), _("Phone"), _("Service"), _("Worker"),
                     _("Reached"), _("No answer"), _("Wrong number"), _("Refused"),
                     _("Quality (1-5)"), _("Satisfied (yes/no)"), _("Comments")],
            rows=[
                [row.returned, row.number, row.resident, row.phone, row.service, row.worker,
                 "", "", "", "", "", "", ""]
                for row in rows
            ],
            widths=[52, 82, 86, 72, 66, 56, 38, 38, 38, 38, 42, 46, 116],
            empty=_("No follow-up calls are waiting."),
            printed_by=printed_by,
            min_row_height=30,
            names=2,
        )


@one_render_at_a_time
def _table_document(
    *, title: str, subtitle: str, headers: list[str], rows: list[list[str]], widths: list[float], empty: str,
    printed_by: str, min_row_height: float | None = None, names: int | None = None,
) -> bytes:
    """A landscape A4 table under a title line, its header row repeated on
    every page, a footer with who printed it and the page number. Text is
    person-entered: escaped, never read as markup. Column `names` holds
    residents' names, broken into lines as the order's copies break them
    (between words, after a hyphen; a word in pieces only when it is wider
    than the column). Call inside the print language's translation.override."""
    face = typeface()
    buffer = io.BytesIO()
    cell = ParagraphStyle("cell", fontName=face.name, fontSize=10.5, leading=13)
    # Chinese has no spaces: such text may break between any two characters.
    cjk_cell = ParagraphStyle("cjk_cell", parent=cell, wordWrap="CJK")
    head = ParagraphStyle("head", parent=cell, fontSize=10.5)
    title_style = ParagraphStyle("title", parent=cell, fontSize=18, leading=24)
    sub = ParagraphStyle("sub", parent=cell, fontSize=12, leading=16)

    def p(text: str, style: ParagraphStyle = cell) -> Paragraph:
        if style is cell and _HAS_CJK.search(text):
            style = cjk_cell
        return Paragraph(_escape(text), style)

    def name(text: str, width: float) -> Paragraph:
        # Lines of our own: the table's own breaking fills a line with the
        # start of a long word ("Margareta J / ohansson").
        return p("\n".join(whole(face, text, cell.fontSize, width - 2 * CELL_PADDING)))

    data = [[p(h, head) for h in headers]] + [
        [name(value, widths[index]) if index == names else p(value) for index, value in enumerate(row)] for row in rows
    ]
    heights = [None] + [min_row_height] * len(rows) if min_row_height else None
    table = Table(data, colWidths=widths, rowHeights=heights, repeatRows=1)
    table.setStyle(TableStyle([
        ("GRID", (0, 0), (-1, -1), 0.5, colors.Color(0.4, 0.4, 0.4)),
        ("BACKGROUND", (0, 0), (-1, 0), colors.Color(0.88, 0.88, 0.88)),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
    ]))
    story = [
        p(f"{settings.DEPARTMENT_NAME} · {title}", title_style),
        p(subtitle, sub),
        Spacer(1, 8),
        table if rows else p(empty, sub),
    ]
    footer = _("Printed %(at)s by %(user)s") % {"at": _local(timezone.now()), "user": printed_by}
    page_label = _("Page %(page)s")

    def on_page(canvas: Canvas, doc) -> None:
        canvas.saveState()
        draw_text(canvas, face, MARGIN, MARGIN / 2, footer, 9)
        draw_text(canvas, face, landscape(A4)[0] - MARGIN, MARGIN / 2, page_label % {"page": doc.page}, 9,
                  align="right")
        canvas.restoreState()

    doc = SimpleDocTemplate(
        buffer, pagesize=landscape(A4), leftMargin=MARGIN, rightMargin=MARGIN, topMargin=MARGIN,
        bottomMargin=MARGIN, title=title,
    )
    doc.build(story, onFirstPage=on_page, onLaterPages=on_page)
    return buffer.getvalue()


# A table cell's padding on each side (ReportLab's default).
CELL_PADDING = 6.0
_HAS_CJK = re.compile(r"[\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef]")


def _escape(text: str) -> str:
    # Paragraph reads a small markup language: person-entered text must not be taken for it.
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\n", "<br/>")


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
