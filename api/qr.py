"""QR codes for each commune's chat page (PNG, SVG) and a printable A4 poster (PDF)."""

from __future__ import annotations

import io
from pathlib import Path

import segno

from bot.errors import ConfigError
from bot.knowledge.communes import Commune
from bot.settings import Settings

CALL_TO_ACTION = "Quét mã để hỏi đáp thủ tục hành chính 24/7"
ERROR_LEVEL = "H"  # survives ~30% damage: glare and scratches on a laminated wall print


def chat_url(settings: Settings, ward_code: str, qr: bool = False) -> str:
    return f"{settings.public_url.rstrip('/')}/c/{ward_code}" + ("?src=qr" if qr else "")


def _make(url: str) -> segno.QRCode:
    return segno.make_qr(url, error=ERROR_LEVEL, boost_error=False)


def qr_png(url: str, scale: int = 10) -> bytes:
    buf = io.BytesIO()
    _make(url).save(buf, kind="png", scale=scale, border=4)
    return buf.getvalue()


def qr_svg(url: str, scale: int = 10) -> bytes:
    buf = io.BytesIO()
    _make(url).save(buf, kind="svg", scale=scale, border=4, xmldecl=False, svgns=True, title=url)
    return buf.getvalue()


def qr_pdf(settings: Settings, commune: Commune) -> bytes:
    """An A4 poster: commune name and province, the call to action, the code, the short URL."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont
    from reportlab.pdfgen import canvas

    for name, path in (("TthcSans", settings.pdf_font), ("TthcSans-Bold", settings.pdf_font_bold)):
        if name not in pdfmetrics.getRegisteredFontNames():
            if not Path(path).is_file():
                raise ConfigError(f"PDF font {path} not found. Install Debian's fonts-dejavu-core or set "
                                  "TTHC_PDF_FONT / TTHC_PDF_FONT_BOLD to a TTF with Vietnamese glyphs.")
            pdfmetrics.registerFont(TTFont(name, str(path)))
    width, height = A4
    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=A4)
    c.setTitle(f"QR hỏi đáp TTHC – {commune.ward_name}")
    c.setFont("TthcSans-Bold", 30)
    c.drawCentredString(width / 2, height - 90, commune.ward_name)
    c.setFont("TthcSans", 18)
    c.drawCentredString(width / 2, height - 122, commune.province_name)
    c.setFont("TthcSans-Bold", 20)
    c.drawCentredString(width / 2, height - 180, CALL_TO_ACTION)

    qr = _make(chat_url(settings, commune.ward_code, qr=True))
    matrix = list(qr.matrix)
    modules = len(matrix)
    border = 4
    size = 360.0
    cell = size / (modules + 2 * border)
    x0, y0 = (width - size) / 2, height - 220 - size
    c.setFillColorRGB(1, 1, 1)
    c.rect(x0, y0, size, size, stroke=0, fill=1)
    c.setFillColorRGB(0, 0, 0)
    for r, row in enumerate(matrix):
        for col, dark in enumerate(row):
            if dark:
                c.rect(x0 + (col + border) * cell, y0 + size - (r + border + 1) * cell, cell, cell, stroke=0, fill=1)
    c.setFont("TthcSans", 16)
    c.drawCentredString(width / 2, y0 - 36, chat_url(settings, commune.ward_code))
    c.setFont("TthcSans", 12)
    c.drawCentredString(width / 2, y0 - 64, "Không quét được mã? Gõ địa chỉ trên vào trình duyệt điện thoại.")
    c.drawCentredString(width / 2, 60, "Thông tin mang tính hướng dẫn; Trung tâm Phục vụ hành chính công là nơi có "
                        "ý kiến cuối cùng.")
    c.showPage()
    c.save()
    return buf.getvalue()
