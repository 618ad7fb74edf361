"""Writing PDFs with ReportLab: an embedded font with Polish glyphs, byte-identical output.

The 14 standard PDF fonts have no ``ą ć ę ł ń ó ś ź ż``; DejaVu Sans (vendored
in ``data/`` with its licence) is embedded as a subset. Documents are built in
ReportLab's *invariant* mode: no creation time or random id in the file, so
the same data always gives the same bytes (a proof downloaded today equals
the one e-mailed, and tests can compare files). ReportLab keeps per-document
state in its shared font objects, so builds are serialised by a lock.
"""

from __future__ import annotations

import io
import threading
from collections.abc import Iterable
from pathlib import Path

from reportlab.lib import colors
from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import Flowable, SimpleDocTemplate

__all__ = ["FONT", "FONT_BOLD", "build", "styles"]

DATA = Path(__file__).resolve().parent / "data"
FONT = "KantorSans"
FONT_BOLD = "KantorSans-Bold"

_lock = threading.Lock()
_fonts_lock = threading.Lock()
_fonts_ready = False


def _register_fonts() -> None:
    """Once per process (paragraph markup such as ``<b>`` looks the family up)."""
    global _fonts_ready
    with _fonts_lock:
        if _fonts_ready:
            return
        pdfmetrics.registerFont(TTFont(FONT, str(DATA / "DejaVuSans.ttf")))
        pdfmetrics.registerFont(TTFont(FONT_BOLD, str(DATA / "DejaVuSans-Bold.ttf")))
        pdfmetrics.registerFontFamily(
            FONT, normal=FONT, bold=FONT_BOLD, italic=FONT, boldItalic=FONT_BOLD
        )
        _fonts_ready = True


def styles() -> dict[str, ParagraphStyle]:
    _register_fonts()
    base = ParagraphStyle("body", fontName=FONT, fontSize=9.5, leading=13)
    bold = {"fontName": FONT_BOLD}
    return {
        "body": base,
        "small": ParagraphStyle(
            "small", parent=base, fontSize=8, leading=10.5, textColor=colors.dimgrey
        ),
        "title": ParagraphStyle(
            "title", parent=base, **bold, fontSize=13, leading=17, alignment=TA_RIGHT
        ),
        "heading": ParagraphStyle(
            "heading", parent=base, **bold, fontSize=10.5, leading=14, spaceBefore=8
        ),
        "right": ParagraphStyle("right", parent=base, alignment=TA_RIGHT),
        "right_bold": ParagraphStyle("right_bold", parent=base, **bold, alignment=TA_RIGHT),
    }


def build(
    flowables: Iterable[Flowable],
    *,
    title: str,
    author: str,
    subject: str = "",
    lang: str = "pl",
) -> bytes:
    """An A4 PDF of ``flowables``; the same input always gives the same bytes."""
    with _lock:
        _register_fonts()
        out = io.BytesIO()
        doc = SimpleDocTemplate(
            out,
            pagesize=A4,
            leftMargin=20 * mm,
            rightMargin=20 * mm,
            topMargin=18 * mm,
            bottomMargin=18 * mm,
            title=title,
            author=author,
            subject=subject,
            creator="Kantor",
            lang=lang,
            invariant=1,
        )
        doc.build(list(flowables))
        return out.getvalue()
