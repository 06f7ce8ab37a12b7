"""Drawing primitives for the printed documents: the typeface, wrapped text
that is cut with a visible mark, the Code 128 barcode and a fast QR code.

Everything costly is done once per process: the font file is parsed and
registered on first use and kept.
"""

import functools
import logging
import os
import re
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import ParamSpec, TypeVar

import segno
from django.conf import settings
from reportlab.graphics.barcode.code128 import Code128
from reportlab.lib.colors import Color, black
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfbase.ttfonts import TTFError, TTFont
from reportlab.pdfgen.canvas import Canvas

logger = logging.getLogger(__name__)

# Debian's fonts-wqy-microhei, installed by scripts/bootstrap.sh. Settings may
# point PRINTING_CJK_FONT elsewhere (a test points it at a missing file).
DEFAULT_CJK_FONT = "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"
CID_FONT = "STSong-Light"
# The CID font has no glyphs for å, ä, ö and most Latin-1 punctuation; in the
# fallback, text a Type 1 font can encode goes to Helvetica instead.
LATIN_FONT = "Helvetica"


@dataclass(frozen=True)
class Typeface:
    """The font the documents are set in. `embedded` is True for the TrueType
    CJK font (subset embedded: renders in any viewer), False for the CID
    fallback (which relies on the viewer having a Chinese font)."""

    name: str
    embedded: bool

    def runs(self, text: str) -> Iterator[tuple[str, str]]:
        """(font name, text) pieces to draw one after the other."""
        if self.embedded or not text:
            yield self.name, text
            return
        for piece in _LATIN_RUNS.finditer(text):
            latin, other = piece.group(1), piece.group(2)
            yield (LATIN_FONT, latin) if latin else (self.name, other)

    def width(self, text: str, size: float) -> float:
        return sum(pdfmetrics.stringWidth(part, font, size) for font, part in self.runs(text))


# Runs of characters Helvetica (WinAnsi) can draw, or runs of anything else.
_LATIN_RUNS = re.compile(r"([\x20-\x7e\xa0-\xff–—‘’“”…•€]+)|([^\x20-\x7e\xa0-\xff–—‘’“”…•€]+)")


# ReportLab keeps each document's font subset in the registered TrueType font,
# one object per process, and its subsetting is not thread-safe: two requests
# rendering at once (Daphne runs each in its own thread) corrupted each other's
# subsets (IndexError, KeyError in makeSubset; 135 of 200 renders in 8 threads
# failed in a test). Rendering is CPU-bound Python that holds the GIL anyway,
# so taking turns costs a process almost no throughput.
_render_turn = threading.RLock()  # re-entrant: a renderer may call another
P = ParamSpec("P")
R = TypeVar("R")


def one_render_at_a_time(render: Callable[P, R]) -> Callable[P, R]:
    """For every function that draws text with the typeface, from the first
    drawing to the finished PDF."""

    @functools.wraps(render)
    def taking_turns(*args: P.args, **kwargs: P.kwargs) -> R:
        with _render_turn:
            return render(*args, **kwargs)

    return taking_turns


def typeface() -> Typeface:
    """The process's typeface, registered with ReportLab on first use."""
    return _typeface(getattr(settings, "PRINTING_CJK_FONT", DEFAULT_CJK_FONT))


@functools.cache
def _typeface(path: str) -> Typeface:
    if os.path.isfile(path):
        name = "PrintCJK-" + os.path.splitext(os.path.basename(path))[0]
        try:
            # subfontIndex=0: the first face of the .ttc collection (WenQuanYi Micro Hei).
            pdfmetrics.registerFont(TTFont(name, path, subfontIndex=0))
            return Typeface(name=name, embedded=True)
        except (TTFError, OSError) as exc:
            logger.warning("printing: cannot use the CJK font file %s (%s)", path, exc)
    logger.warning(
        "printing: CJK TrueType font %s not found; falling back to the CID font %s, which is not "
        "embedded: Chinese text shows only in viewers that have a Chinese font. Install fonts-wqy-microhei.",
        path, CID_FONT,
    )
    pdfmetrics.registerFont(UnicodeCIDFont(CID_FONT))
    return Typeface(name=CID_FONT, embedded=False)


def draw_text(
    canvas: Canvas, face: Typeface, x: float, y: float, text: str, size: float, *,
    bold: bool = False, align: str = "left", color: Color | None = None,
) -> float:
    """Draw one line at baseline y; returns its width. `bold` strokes the
    outline too (in `color`, default black): the CJK font has no bold face."""
    width = face.width(text, size)
    if align == "right":
        x -= width
    elif align == "center":
        x -= width / 2
    own_state = bold or color is not None
    if own_state:
        # Colours, render mode and line width are graphics state: keep them to this text.
        canvas.saveState()
        if color is not None:
            canvas.setFillColor(color)
        if bold:
            canvas.setStrokeColor(color or black)
            canvas.setLineWidth(size / 28)
    obj = canvas.beginText(x, y)
    if bold:
        obj.setTextRenderMode(2)
    for font, part in face.runs(text):
        obj.setFont(font, size)
        obj.textOut(part)
    canvas.drawText(obj)
    if own_state:
        canvas.restoreState()
    return width


# A token is a word with its trailing spaces, or the part of a word up to a
# hyphen inside it ("Johansson-" of "Johansson-Lindqvist": a line may break
# there, as people break names), one CJK character (lines may break between
# any two), or a run of spaces.
_TOKENS = re.compile(
    r"[^\s\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef-]+-(?=[^\s\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef-])"
    r"|[^\s\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef]+\s*|[\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef]\s*|\s+"
)


def wrap(face: Typeface, text: str, size: float, width: float, max_lines: int, cut_mark: str) -> list[str]:
    """Break `text` into lines no wider than `width`. When it needs more than
    `max_lines`, the last line ends with `cut_mark` so the reader sees that
    something was left out: nothing is ever drawn past the box."""
    lines: list[str] = []
    for paragraph in text.replace("\r\n", "\n").split("\n"):
        lines.extend(_wrap_paragraph(face, paragraph, size, width))
        if len(lines) > max_lines:
            break
    while lines and not lines[-1].strip() and len(lines) > 1:
        lines.pop()
    if len(lines) <= max_lines:
        return lines
    kept = lines[:max_lines]
    last = kept[-1].rstrip()
    while last and face.width(last + cut_mark, size) > width:
        last = last[:-1].rstrip()
    kept[-1] = last + cut_mark
    return kept


def _wrap_paragraph(face: Typeface, text: str, size: float, width: float) -> list[str]:
    if face.width(text, size) <= width:
        return [text.rstrip()]
    lines: list[str] = []
    line = ""
    for token in _TOKENS.findall(text):
        if face.width(line + token.rstrip(), size) <= width:
            line += token
            continue
        if line.strip():
            lines.append(line.rstrip())
            line = ""
            token = token.lstrip()
        # A word wider than the whole line is broken between characters.
        for char in token:
            if line and face.width(line + char, size) > width:
                lines.append(line.rstrip())
                line = char.lstrip()
            else:
                line += char
    lines.append(line.rstrip())
    return lines


def draw_code128(canvas: Canvas, x: float, y: float, value: str, *, bar_width: float, height: float) -> float:
    """A Code 128 barcode with its quiet zones, lower left at (x, y); returns its width.
    A desk scanner types `value` as keystrokes."""
    code = Code128(value, barWidth=bar_width, barHeight=height, quiet=True, humanReadable=False)
    code.drawOn(canvas, x, y)
    return code.width


@functools.lru_cache(maxsize=256)
def qr_runs(value: str) -> tuple[int, tuple[tuple[int, int, int], ...]]:
    """The QR code of `value` as (modules per side, dark runs (row, first column, length)).

    ReportLab's QR widget draws each module as its own shape, which made a
    two-page order cost about 65 ms; merging each row's dark modules into one
    rectangle and filling them as one path costs well under one.
    """
    matrix = segno.make(value, error="m", micro=False).matrix
    runs = []
    for row_index, row in enumerate(matrix):
        start = None
        for col, dark in enumerate((*row, 0)):
            if dark and start is None:
                start = col
            elif not dark and start is not None:
                runs.append((row_index, start, col - start))
                start = None
    return len(matrix), tuple(runs)


def draw_qr(canvas: Canvas, x: float, y: float, value: str, *, size: float) -> None:
    """The QR code of `value` in a size x size square (quiet zone of 4
    modules included), lower left at (x, y)."""
    count, runs = qr_runs(value)
    quiet = 4
    module = size / (count + 2 * quiet)
    top = y + size - quiet * module
    left = x + quiet * module
    path = canvas.beginPath()
    for row, col, length in runs:
        path.rect(left + col * module, top - (row + 1) * module, length * module, module)
    canvas.drawPath(path, stroke=0, fill=1)
