"""How many duplicate work orders (two A4 pages, Code 128 and QR code, CJK
font subset embedded) one process renders per second.

    .venv/bin/python bench/bench_print.py [--seconds 5] [--language zh-hans]

Renders invented orders with a new order number each time (so no QR code is
served from the per-process cache) and prints the rate. `--naive-qr` draws the
QR code with ReportLab's own widget instead, for comparison.

`--order ID` measures the whole print instead (`order_print_pdf`: lock,
accounting, print job, PDF) as reprints of that order in the configured
database, e.g. the demo one: it writes one print job per PDF there.
"""

import argparse
import datetime
import os
import sys
import time
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()

from django.utils import timezone  # noqa: E402

from printing import documents, typesetting  # noqa: E402


def sheet(i: int, language: str) -> documents.OrderSheet:
    now = timezone.now()
    return documents.OrderSheet(
        number=f"WO-2026-{i:06d}", language=language, copy_number=1 + i % 3, reprint_number=i % 2, backfill=False,
        urgent=i % 5 == 0, resident_name="王秀英", address="幸福路128号3单元1203室", phone="138 0013 8000",
        access_notes="门禁密码请致电确认 / Call for the door code", emergency_contacts=["李建国 (儿子) 139 0013 9000"],
        service_name="居家保洁", service_name_en="Home cleaning",
        service_standard="按《居家保洁服务规范》执行 / Performed to the home cleaning standard.",
        requested_for=now + datetime.timedelta(hours=2), assignee_is_partner=False, assignee="李阿姨 135 0000 0001",
        fee=Decimal("30.00"), fee_unit="次", notes="少盐 / Low salt. 老人听力不好，请大声敲门并稍候。" * 3,
        printed_at=now, printed_by="frontdesk",
    )


def naive_qr(canvas, x, y, value, *, size):
    """ReportLab's own QR widget, one shape per module: the slow way."""
    from reportlab.graphics import renderPDF
    from reportlab.graphics.barcode.qr import QrCodeWidget
    from reportlab.graphics.shapes import Drawing

    widget = QrCodeWidget(value, barWidth=size, barHeight=size)
    drawing = Drawing(size, size)
    drawing.add(widget)
    renderPDF.draw(drawing, canvas, x, y)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--language", default="zh-hans", choices=["zh-hans", "en", "sv"])
    parser.add_argument("--naive-qr", action="store_true")
    parser.add_argument("--order", type=int, help="print this order through the service (demo database)")
    parser.add_argument("--user", default="frontdesk", help="who prints, with --order")
    args = parser.parse_args()
    if args.naive_qr:
        documents.draw_qr = naive_qr
    face = typesetting.typeface()
    if args.order:
        from django.contrib.auth import get_user_model

        from printing.services import order_print_pdf

        user = get_user_model().objects.get(username=args.user)

        def render(_i: int) -> bytes:
            return order_print_pdf(actor=user, order_id=args.order, language=args.language).pdf
    else:

        def render(i: int) -> bytes:
            return documents.render_orders([sheet(i, args.language)])

    render(0)  # warm-up: font registration, imports
    count, size = 0, 0
    start, cpu_start = time.perf_counter(), time.process_time()
    while time.perf_counter() - start < args.seconds:
        count += 1
        size += len(render(count))
    elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu_start
    # Per CPU second too: on a shared machine the wall-clock rate drops when
    # other processes take the cores.
    print(
        f"{count / elapsed:.1f} two-page PDFs/s, {count / cpu:.1f} per CPU second "
        f"({count} in {elapsed:.1f} s, one process, "
        f"font {face.name}{' embedded' if face.embedded else ' (CID, not embedded)'}, "
        f"QR {'ReportLab widget' if args.naive_qr else 'merged runs'}, language {args.language}, "
        f"{'through order_print_pdf' if args.order else 'rendering only'}, "
        f"mean size {size // count} bytes)"
    )


if __name__ == "__main__":
    main()
