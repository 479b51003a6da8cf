"""Visible watermarks on downloaded confidential PDFs (issue 10 §2).

Each page of the stored PDF gets an overlay drawn by WeasyPrint (Noto CJK fonts: Chinese names and
organisations render) with the viewer's organisation, name and the time, diagonally across the page
and as a line at its foot; pypdf merges the overlay onto every page of a copy. The stored file is never
changed: the watermarked copy exists only in the response.
"""

from __future__ import annotations

import io
from decimal import Decimal
from html import escape

import weasyprint
from pypdf import PdfReader, PdfWriter, Transformation

# One overlay is drawn per distinct page size (points); a document with mixed sizes gets several.
OVERLAY_CSS = """
@page { size: %(width)spt %(height)spt; margin: 0; }
html, body { margin: 0; padding: 0; }
body { width: %(width)spt; height: %(height)spt; position: relative; overflow: hidden;
       font-family: "Noto Sans CJK SC", "Noto Sans CJK", "Noto Serif CJK SC", sans-serif; }
.diagonal { position: absolute; left: 50%%; top: 50%%; width: %(diagonal)spt; margin-left: -%(half)spt;
            transform: rotate(-35deg); text-align: center; color: rgba(200, 30, 30, 0.28);
            font-size: %(size)spt; line-height: 1.5; white-space: nowrap; }
.foot { position: absolute; left: 12pt; right: 12pt; bottom: 8pt; color: rgba(160, 20, 20, 0.85);
        font-size: 7.5pt; white-space: nowrap; overflow: hidden; }
"""


def watermark_lines(*, organisation: str, name: str, at: str) -> list[str]:
    """The watermark's text, one line each: organisation, person, time (what the tests look for)."""
    return [organisation, name, at]


def _overlay(width: Decimal, height: Decimal, lines: list[str], footer: str) -> bytes:
    shorter = min(width, height)
    diagonal = (width**2 + height**2).sqrt()
    css = OVERLAY_CSS % {
        "width": width,
        "height": height,
        "diagonal": diagonal.quantize(Decimal("0.1")),
        "half": (diagonal / 2).quantize(Decimal("0.1")),
        "size": max(10, min(28, int(shorter / 22))),
    }
    body = "<br>".join(escape(line) for line in lines)
    html = (
        f"<html><head><meta charset='utf-8'><style>{css}</style></head><body>"
        f"<div class='diagonal'>{body}</div><div class='foot'>{escape(footer)}</div></body></html>"
    )
    pdf: bytes = weasyprint.HTML(string=html).write_pdf()
    return pdf


def watermark_pdf(source: io.BufferedIOBase | io.BytesIO | bytes, *, lines: list[str], footer: str) -> bytes:
    """A copy of the PDF ``source`` with the overlay merged onto every page."""
    data = source if isinstance(source, bytes) else source.read()
    writer = PdfWriter(clone_from=io.BytesIO(data))
    overlays: dict[tuple[Decimal, Decimal], object] = {}
    for page in writer.pages:
        box = page.mediabox
        width = Decimal(str(round(float(box.width), 2)))
        height = Decimal(str(round(float(box.height), 2)))
        key = (width, height)
        if key not in overlays:
            overlays[key] = PdfReader(io.BytesIO(_overlay(width, height, lines, footer))).pages[0]
        overlay = overlays[key]
        page.merge_transformed_page(
            overlay,  # type: ignore[arg-type]
            Transformation().translate(float(box.left), float(box.bottom)),
            over=True,
        )
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()
