"""The log scan of tests/conftest.py finds what it must find."""

import logging

from tests.conftest import PHONE_LIKE, _personal_names


def test_the_scan_recognises_phones_and_names():
    for line in ["call +8613800138000 now", "13912345678", "0046 70: +46701234567", "office +861065213301"]:
        assert PHONE_LIKE.search(line), line
    for line in ["order 12 assigned", "WO-2026-000123", "took 123.4ms", "event 13800"]:
        assert not PHONE_LIKE.search(line), line
    assert "王秀英" in _personal_names()


def test_log_records_reach_the_scanned_file(caplog):
    logging.getLogger("dispatch").info("order %s assigned", 12)
    assert any(r.getMessage() == "order 12 assigned" for r in caplog.records)
