"""Text people type: how long it may be, and what it may not carry.

Every free text has a bound in the model, the API and the forms: a note of a
megabyte froze the order page in the browser for most of a minute. A text
carries no unpaired bidirectional control: an unclosed right-to-left override
in a name reversed the system's text after it on screen, and the screen and
the paper showed the name differently. A name or an address carries no
control character at all: it is printed, read aloud and searched for.
"""

import re
import unicodedata

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# A note, an instruction, a reason given in a sentence or two.
NOTE_LENGTH = 2000
# What a call or a visit found, how a complaint ended, a service's standard.
LONG_TEXT_LENGTH = 4000

# Opening embeddings and overrides (LRE, RLE, LRO, RLO) close with PDF; the
# isolates (LRI, RLI, FSI) with PDI.
_OPENS_EMBEDDING = "\u202a\u202b\u202d\u202e"
_CLOSES_EMBEDDING = "\u202c"
_OPENS_ISOLATE = "\u2066\u2067\u2068"
_CLOSES_ISOLATE = "\u2069"
_BIDI_CONTROL = re.compile("[\u202a-\u202e\u2066-\u2069]")


def without_unpaired_bidi(text: str) -> str:
    """The text with every bidirectional control that is not closed within
    it (or closes nothing) removed, line by line: what is left cannot change
    the direction of anything shown after it."""
    if not _BIDI_CONTROL.search(text):
        return text
    return "\n".join(_paired_only(line) for line in text.split("\n"))


def _paired_only(line: str) -> str:
    keep = [True] * len(line)
    stack: list[tuple[str, int]] = []  # (kind, position) of the controls still open
    for position, char in enumerate(line):
        if char in _OPENS_EMBEDDING or char in _OPENS_ISOLATE:
            stack.append(("isolate" if char in _OPENS_ISOLATE else "embedding", position))
        elif char in _CLOSES_EMBEDDING or char in _CLOSES_ISOLATE:
            kind = "isolate" if char in _CLOSES_ISOLATE else "embedding"
            if stack and stack[-1][0] == kind:
                stack.pop()
            else:
                keep[position] = False
    for _kind, position in stack:
        keep[position] = False
    return "".join(char for char, kept in zip(line, keep, strict=True) if kept)


def has_control_characters(text: str) -> bool:
    """Whether the text holds a control or format character (a line break,
    a NUL, a bidirectional control, a zero-width joiner...)."""
    return any(unicodedata.category(char) in ("Cc", "Cf") for char in text)


def no_control_characters(value: str) -> None:
    """A validator for names and addresses."""
    if isinstance(value, str) and has_control_characters(value):
        raise ValidationError(_("Only letters, digits, spaces and punctuation, please."), code="control_characters")
