"""Every shipped catalog is complete: no untranslated or fuzzy string in
Simplified Chinese or Swedish, and placeholders kept."""

import re
from pathlib import Path

import polib
import pytest

ROOT = Path(__file__).resolve().parents[2]
CATALOGS = sorted(
    p for p in ROOT.glob("**/locale/*/LC_MESSAGES/django.po") if ".venv" not in p.parts and "var" not in p.parts
)
PLACEHOLDER = re.compile(r"%\([a-z_]+\)[sd]|%[sd]|\{[a-z_]*\}")


def test_there_are_catalogs_for_both_languages():
    languages = {p.parts[-3] for p in CATALOGS}
    assert languages == {"zh_Hans", "sv"}


@pytest.mark.parametrize("path", CATALOGS, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_string_is_translated_with_its_placeholders(path):
    po = polib.pofile(str(path))
    assert [e.msgid for e in po.untranslated_entries()] == []
    assert [e.msgid for e in po.fuzzy_entries()] == []
    for entry in po.translated_entries():
        if not entry.msgid_plural:
            assert sorted(PLACEHOLDER.findall(entry.msgstr)) == sorted(PLACEHOLDER.findall(entry.msgid)), entry.msgid
            continue
        # A plural form keeps every placeholder of the singular and takes no
        # other than the plural's ("a minute" / "%(minutes)s minutes"; a
        # language with one form, like Chinese, writes the number).
        needed, allowed = set(PLACEHOLDER.findall(entry.msgid)), set(PLACEHOLDER.findall(entry.msgid_plural))
        for text in entry.msgstr_plural.values():
            found = set(PLACEHOLDER.findall(text))
            assert needed <= found <= allowed | needed, entry.msgid
