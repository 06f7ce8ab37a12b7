"""The printed duplicate: what each page says, what a scanner reads on it, and
that Chinese is drawn with the embedded font."""

import datetime
import logging
from decimal import Decimal

import pytest
from django.utils import timezone

from printing import documents
from printing.typesetting import typeface, wrap
from tests.printing.pdf import crop, font_names, ink, page_texts, render_pages, scanned_codes, squeezed

LABELS = {
    "zh-hans": ("第一联：调度组留存", "第二联：前台留存"),
    "en": ("Copy 1: dispatch group", "Copy 2: front desk"),
    "sv": ("Exemplar 1: utsändningsgruppen", "Exemplar 2: receptionen"),
}


@pytest.mark.parametrize("language", ["zh-hans", "en", "sv"])
def test_each_page_holds_its_copy_label_the_order_number_and_the_resident(assigned_order, print_order, language):
    order = assigned_order()
    response = print_order(order, language=language)
    assert response.status_code == 200
    pages = page_texts(response.content)
    assert len(pages) == 2
    for page, label in zip(pages, LABELS[language], strict=True):
        text = squeezed(page)
        assert squeezed(label) in text
        assert order.number in text
        assert "王秀英" in text
        assert "幸福路12号3单元1203室" in text
    other = LABELS[language][1]
    assert squeezed(other) not in squeezed(pages[0]), "copy 1 must not carry copy 2's label"


def test_the_page_carries_what_the_worker_needs(assigned_order, print_order, people):
    order = assigned_order(notes="少盐 / Low salt", requested_for=timezone.now() + datetime.timedelta(days=1))
    text = squeezed(page_texts(print_order(order, language="en").content)[0])
    for expected in [
        "1380013 8001", "门禁密码请致电确认", "李建国(儿子)", "Homecleaning", "Agreedtime",
        timezone.localtime(order.requested_for).strftime("%Y-%m-%d%H:%M"), "Cleaner Worker", "30.00",
        "少盐/Lowsalt", "Normal", "Actualstart", "Actualend", "Materialsused", "Remarks",
        "Resident'ssignature", "Worker'ssignature",
    ]:
        assert squeezed(expected) in text, expected


def test_an_order_without_a_time_says_as_soon_as_possible(assigned_order, print_order):
    text = squeezed(page_texts(print_order(assigned_order(), language="zh-hans").content)[0])
    assert "尽快" in text


def test_the_qr_code_and_the_barcode_on_each_page_decode_to_the_order_number(assigned_order, print_order, tmp_path):
    order = assigned_order()
    pngs = render_pages(print_order(order, language="zh-hans").content, tmp_path)
    assert len(pngs) == 2
    for png in pngs:
        assert scanned_codes(png) == {f"QR-Code:{order.number}", f"CODE-128:{order.number}"}


def test_chinese_glyphs_are_drawn_with_the_embedded_font_on_every_page(assigned_order, print_order, tmp_path):
    assert typeface().embedded, "fonts-wqy-microhei must be installed (scripts/bootstrap.sh)"
    wang = print_order(assigned_order(resident="wang"), language="zh-hans").content
    li = print_order(assigned_order(resident="li"), language="zh-hans").content
    assert any("WenQuanYi" in name for name in font_names(wang))
    (tmp_path / "wang").mkdir()
    (tmp_path / "li").mkdir()
    for wang_png, li_png in zip(render_pages(wang, tmp_path / "wang"), render_pages(li, tmp_path / "li"), strict=True):
        wang_name = crop(wang_png, documents.RESIDENT_NAME_AREA, documents.PAGE_HEIGHT)
        li_name = crop(li_png, documents.RESIDENT_NAME_AREA, documents.PAGE_HEIGHT)
        assert ink(wang_name) > 0.03, "the resident's name is blank"
        assert ink(li_name) > 0.03
        # Different names must give different pixels: boxes for missing glyphs would look alike.
        assert wang_name.tobytes() != li_name.tobytes()


def test_long_text_is_cut_with_a_visible_mark_and_the_page_keeps_its_boxes(assigned_order, print_order):
    notes = "老人听力不好，请大声敲门并稍候。Knock loudly and wait. " * 60 + "END-OF-NOTES"
    pages = page_texts(print_order(assigned_order(notes=notes), language="en").content)
    assert len(pages) == 2, "one page per copy, however long the notes"
    for page in pages:
        text = squeezed(page)
        assert squeezed("[… more in the system]") in text
        assert "END-OF-NOTES" not in text
        assert "Worker'ssignature" in text


def test_wrapped_lines_fit_their_width_and_the_last_one_shows_the_cut():
    face = typeface()
    text = "幸福路12号3单元1203室 " * 10 + "Averyveryverylongwordwithoutanyspaceatallthatmustbebroken " * 3
    lines = wrap(face, text, 13, 200, 4, " [cut]")
    assert len(lines) == 4
    assert all(face.width(line, 13) <= 200 for line in lines)
    assert lines[-1].endswith(" [cut]")
    assert wrap(face, "short", 13, 200, 4, " [cut]") == ["short"]


def test_reprint_and_backfill_marks_and_the_department_are_printed(settings):
    settings.DEPARTMENT_NAME = "幸福里社区养老服务部"
    settings.DEPARTMENT_PHONE = "010 6521 0000"
    now = timezone.now()
    sheet = documents.OrderSheet(
        number="WO-2026-000042", language="en", copy_number=5, reprint_number=3, backfill=True, urgent=True,
        resident_name="王秀英", address="幸福路12号", phone="138 0013 8001", access_notes="", emergency_contacts=[],
        service_name="居家保洁", service_name_en="Home cleaning", service_standard="", requested_for=None,
        assignee_is_partner=True, assignee="阳光家政服务中心", fee=Decimal("35.00"), fee_unit="小时", notes="",
        printed_at=now, printed_by="frontdesk",
    )
    text = squeezed(page_texts(documents.render_orders([sheet]))[1])
    for expected in ["REPRINT 3", "Copy no. 5", "Filled in after an emergency start", "URGENT", "Partner unit",
                     "幸福里社区养老服务部", "Phone 010 6521 0000", "35.00 / 小时", "page 2 of 2"]:
        assert squeezed(expected) in text, expected


def test_it_falls_back_to_the_cid_font_with_a_warning_when_the_truetype_font_is_missing(
    assigned_order, print_order, settings, caplog, tmp_path
):
    settings.PRINTING_CJK_FONT = str(tmp_path / "missing.ttc")
    with caplog.at_level(logging.WARNING, logger="printing.typesetting"):
        response = print_order(assigned_order(), language="zh-hans")
    assert response.status_code == 200
    assert "STSong-Light" in font_names(response.content)
    assert not any("WenQuanYi" in name for name in font_names(response.content))
    assert "falling back to the CID font" in caplog.text
    assert "王秀英" not in caplog.text, "no personal data in logs"


@pytest.mark.parametrize("language", ["zh-hans", "sv"])
def test_nothing_is_drawn_in_the_margins_even_when_every_field_is_too_long(settings, tmp_path, language):
    settings.DEPARTMENT_NAME = "幸福里社区养老服务部" * 8
    settings.DEPARTMENT_PHONE = "010 6521 0000"
    long = "很长的文字内容 Long words here " * 40
    now = timezone.now()
    sheet = documents.OrderSheet(
        number="WO-2026-999999", language=language, copy_number=12, reprint_number=11, backfill=True, urgent=True,
        resident_name="欧阳" * 30, address=long, phone="+46 70 123 45 67 / 138 0013 8000", access_notes=long,
        emergency_contacts=[long, long], service_name=long, service_name_en=long, service_standard=long,
        requested_for=now, assignee_is_partner=True, assignee=long, fee=Decimal("123456.78"), fee_unit=long,
        notes=long, printed_at=now, printed_by="a-very-long-user-name-" * 4,
    )
    pdf = documents.render_orders([sheet])
    width, height = documents.PAGE_WIDTH, documents.PAGE_HEIGHT
    inside = (documents.LEFT - 2, documents.BOTTOM - 4, documents.RIGHT + 2, documents.TOP + 2)
    margins = [(0, 0, inside[0], height), (inside[2], 0, width, height), (0, 0, width, inside[1]), (0, inside[3], width, height)]
    for png in render_pages(pdf, tmp_path):
        for strip in margins:
            assert ink(crop(png, strip, height)) == 0, f"ink in the margin {strip} of {png.name}"
    text = squeezed(page_texts(pdf)[0])
    assert squeezed(LABELS[language][0]) in text and "WO-2026-999999" in text
    assert ("服务人员签字" if language == "zh-hans" else "Medarbetarensunderskrift") in text
