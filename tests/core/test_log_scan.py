"""The log scan of tests/conftest.py finds what it must find."""

import json
import logging
import os
import uuid

from tests.conftest import LOG_DIR, PHONE_LIKE, _personal_names, personal_data_in


def test_the_scan_recognises_phones_and_names():
    for line in ["call +8613800138000 now", "13912345678", "0046 70: +46701234567", "office +861065213301"]:
        assert PHONE_LIKE.search(line), line
    for line in ["order 12 assigned", "WO-2026-000123", "took 123.4ms", "event 13800"]:
        assert not PHONE_LIKE.search(line), line
    assert "王秀英" in _personal_names()


def test_a_request_id_is_not_taken_for_a_phone_but_a_phone_beside_it_is():
    names = _personal_names()
    request_id = '"request_id": "78c461760889437a8166033f11c56e4e"'
    assert PHONE_LIKE.search(request_id)  # the digits alone would look like +46 and ten digits
    assert not personal_data_in(request_id, names)
    assert personal_data_in(request_id + ' "message": "call 13912345678"', names)
    assert personal_data_in(request_id + ' "message": "王秀英"', names)


def test_log_records_reach_the_scanned_file():
    marker = f"scan check {uuid.uuid4().hex[:12]}"
    logging.getLogger("dispatch").info("%s", marker)
    for handler in logging.getLogger().handlers:
        handler.flush()
    written = (LOG_DIR / f"pytest-{os.getpid()}.log").read_text(encoding="utf-8")
    assert any(json.loads(line)["message"] == marker for line in written.splitlines())
