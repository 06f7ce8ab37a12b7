"""Daphne renders PDFs for several requests at once, each in its own thread,
with one TrueType font object per process. ReportLab's font subsetting keeps
per-document state in that shared object and is not thread-safe: concurrent
renders must still all succeed and each carry its own text."""

import random
import sys
import threading
from decimal import Decimal

import pytest
from django.utils import timezone

from printing import documents
from tests.printing.pdf import page_texts, squeezed

CJK = [chr(code) for code in range(0x4E00, 0x4E00 + 3000)]


def _sheet(seed: int) -> documents.OrderSheet:
    pick = random.Random(seed)

    def words(n: int) -> str:
        return "".join(pick.choice(CJK) for _ in range(n))

    return documents.OrderSheet(
        number=f"WO-2026-{seed:06d}", language="zh-hans", copy_number=1, reprint_number=0, backfill=False,
        urgent=False, resident_name=words(3), address=words(12), phone="138 0013 8001", access_notes=words(20),
        emergency_contacts=[words(6)], service_name=words(4), service_name_en="Invented service",
        service_standard=words(30), requested_for=None, assignee_is_partner=False, assignee=words(3),
        fee=Decimal("1.00"), fee_unit=words(1), notes=words(40), printed_at=timezone.now(), printed_by="frontdesk",
    )


@pytest.fixture
def threads_switch_often():
    # Many switches between threads per render, as a busy server has.
    before = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    yield
    sys.setswitchinterval(before)


def test_orders_rendered_in_eight_threads_at_once_all_come_out_whole(threads_switch_often):
    documents.render_orders([_sheet(0)])  # the font registered before the race
    failures: list[str] = []
    rendered: dict[int, bytes] = {}

    def render(thread: int) -> None:
        for i in range(6):
            seed = thread * 100 + i + 1
            try:
                rendered[seed] = documents.render_orders([_sheet(seed)])
            except Exception as exc:  # noqa: BLE001 - collected, asserted below
                failures.append(repr(exc))

    threads = [threading.Thread(target=render, args=(t,)) for t in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    assert failures == []
    for seed in (1, 306, 706):
        assert squeezed(_sheet(seed).notes) in squeezed(page_texts(rendered[seed])[0])
