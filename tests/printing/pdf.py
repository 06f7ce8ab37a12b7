"""Reading printed PDFs back the way people and scanners do: the text on each
page (pypdf), each page rendered to PNG (poppler's pdftoppm) and the codes a
scanner finds on it (zbarimg)."""

import io
import re
import subprocess
from pathlib import Path

from PIL import Image
from pypdf import PdfReader

DPI = 150


def page_texts(pdf: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages]


def squeezed(text: str) -> str:
    """Text without whitespace: extraction may split a line where it was drawn in pieces."""
    return re.sub(r"\s+", "", text)


def font_names(pdf: bytes) -> set[str]:
    names = set()
    for page in PdfReader(io.BytesIO(pdf)).pages:
        for font in page["/Resources"]["/Font"].values():
            names.add(str(font.get_object()["/BaseFont"]).lstrip("/"))
    return names


def render_pages(pdf: bytes, folder: Path) -> list[Path]:
    source = folder / "document.pdf"
    source.write_bytes(pdf)
    subprocess.run(["pdftoppm", "-r", str(DPI), "-png", str(source), str(folder / "page")], check=True)
    return sorted(folder.glob("page-*.png"))


def scanned_codes(png: Path) -> set[str]:
    """What a scanner reads on the page, as "QR-Code:<data>" and "CODE-128:<data>"."""
    result = subprocess.run(
        ["zbarimg", "--quiet", "-Sdisable", "-Sqrcode.enable", "-Scode128.enable", str(png)],
        capture_output=True, text=True,
    )
    return {line.strip() for line in result.stdout.splitlines() if line.strip()}


def crop(png: Path, area_points: tuple[float, float, float, float], page_height: float) -> Image.Image:
    """The part of a rendered page inside (x0, y0, x1, y1), in PDF points from the lower left."""
    x0, y0, x1, y1 = (v * DPI / 72 for v in area_points)
    height = page_height * DPI / 72
    return Image.open(png).convert("L").crop((round(x0), round(height - y1), round(x1), round(height - y0)))


def ink(image: Image.Image) -> float:
    """Share of dark pixels."""
    histogram = image.histogram()
    return sum(histogram[:128]) / sum(histogram)
