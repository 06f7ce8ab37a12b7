"""The screens' own strings are translated in every shipped language."""

from pathlib import Path

import polib
import pytest
from django.utils import translation

ROOT = Path(__file__).resolve().parents[2]
CATALOGS = [ROOT / app / "locale" / lang / "LC_MESSAGES" / "django.po"
            for app in ("front", "dispatch", "workorders") for lang in ("zh_Hans", "sv")]


@pytest.mark.parametrize("path", CATALOGS, ids=lambda p: f"{p.parts[-5]}-{p.parts[-3]}")
def test_every_string_of_the_screens_is_translated(path):
    po = polib.pofile(str(path))
    assert po.untranslated_entries() == [] and po.fuzzy_entries() == []


@pytest.mark.parametrize("language, word", [("zh-hans", "受理"), ("sv", "Mottagning")])
def test_the_compiled_catalogs_are_used(language, word):
    with translation.override(language):
        assert translation.gettext("Intake") == word
