"""The certificate as a PDF (reportlab): learner, course, format, cohort, date, score, hours of
effort, issuer, the course's branding (a COOC's logo and colours) and a QR code (segno) to the
public verification page.

``render`` takes plain data (see :func:`pdf_input`) so a process pool can render in bulk.
"""

from __future__ import annotations

import io
from datetime import datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

import segno
from PIL import Image
from reportlab import rl_config
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas

from nbcampus.school.certificates.models import Certificate
from nbcampus.school.certificates.public import facts
from nbcampus.school.certificates.settings import CertificateSettings

# binary (Flate only) streams: ASCII85 on top costs time and a fifth more bytes, for 7-bit
# transports that PDFs no longer travel through
rl_config.useA85 = 0

PAGE = landscape(A4)
SCHOOL_PRIMARY, SCHOOL_ACCENT = "#1f3a5f", "#c9a227"
#: fonts for names outside Latin-1 (the PDF standard fonts cover Western European text only)
UNICODE_FONTS = [
    "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
    str(Path(pdfmetrics.__file__).parents[1] / "fonts" / "Vera.ttf"),
]


def pdf_input(cert: Certificate, settings: CertificateSettings) -> dict[str, Any]:
    """Everything :func:`render` needs, as plain (picklable) data."""
    branding = cert.branding or {}
    logo = settings.logo_path(cert.course_id, branding.get("logo"))
    return {
        **facts(cert),
        "colors": branding.get("colors", {}),
        "logo": str(logo) if logo else None,
        "issuer": settings.issuer_name,
        "verify_url": settings.verify_url(cert.id),
    }


@lru_cache(maxsize=1)
def _unicode_font() -> str | None:
    for path in UNICODE_FONTS:
        if Path(path).is_file():
            pdfmetrics.registerFont(TTFont("nbcampus-unicode", path))
            return "nbcampus-unicode"
    return None


def _font(text: str, standard: str) -> str:
    try:
        text.encode("cp1252")
        return standard
    except UnicodeEncodeError:
        return _unicode_font() or standard


@lru_cache(maxsize=64)
def _logo(path: str):
    """The logo as a reportlab drawing (SVG by svglib) or image; parsed once per process."""
    if path.lower().endswith(".svg"):
        from svglib.svglib import svg2rlg

        return "svg", svg2rlg(path)
    return "image", ImageReader(path)


def _colour(value: str | None, fallback: str) -> colors.Color:
    try:
        return colors.HexColor(value or fallback)
    except (ValueError, TypeError):
        return colors.HexColor(fallback)


def _centred(c: canvas.Canvas, text: str, y: float, font: str, size: float, width: float) -> None:
    font = _font(text, font)
    # long course titles shrink to fit the page rather than run off it
    while size > 8 and pdfmetrics.stringWidth(text, font, size) > width:
        size -= 1
    c.setFont(font, size)
    c.drawCentredString(PAGE[0] / 2, y, text)


def _qr(c: canvas.Canvas, url: str, x: float, y: float, size: float) -> None:
    """The QR code as a one-pixel-per-module greyscale image: drawing each module as a
    rectangle was most of a PDF's rendering time. PDF viewers scale images without smoothing
    unless asked (/Interpolate), so the modules stay sharp."""
    qr = segno.make(url, error="m")
    rows = [bytes(0 if dark else 255 for dark in row) for row in qr.matrix_iter(border=0)]
    image = Image.frombytes("L", (len(rows[0]), len(rows)), b"".join(rows))
    c.drawImage(ImageReader(image), x, y, size, size)


def _draw_logo(c: canvas.Canvas, path: str, x: float, y: float, w: float, h: float) -> bool:
    try:
        kind, logo = _logo(path)
    except Exception:  # a broken logo must not stop a certificate
        return False
    if logo is None:
        return False
    if kind == "svg":
        from reportlab.graphics import renderPDF

        scale = min(w / logo.width, h / logo.height)
        c.saveState()
        c.translate(x, y + h - logo.height * scale)
        c.scale(scale, scale)
        renderPDF.draw(logo, c, 0, 0)
        c.restoreState()
    else:
        c.drawImage(logo, x, y, w, h, preserveAspectRatio=True, anchor="nw", mask="auto")
    return True


def render(data: dict[str, Any]) -> bytes:
    """The PDF of one certificate (``data`` from :func:`pdf_input`)."""
    width, height = PAGE
    primary = _colour(data["colors"].get("primary"), SCHOOL_PRIMARY)
    accent = _colour(data["colors"].get("accent"), SCHOOL_ACCENT)
    out = io.BytesIO()
    c = canvas.Canvas(out, pagesize=PAGE, pageCompression=1)
    c.setTitle(f"Certificate: {data['course']} - {data['learner']}")
    c.setAuthor(data["issuer"])
    c.setSubject(f"Certificate {data['id']}, verify at {data['verify_url']}")
    c.setCreator("nbcampus")

    c.setStrokeColor(primary)
    c.setLineWidth(6)
    c.rect(24, 24, width - 48, height - 48)
    c.setStrokeColor(accent)
    c.setLineWidth(1.5)
    c.rect(36, 36, width - 72, height - 72)

    if data.get("logo"):
        _draw_logo(c, data["logo"], 56, height - 110, 160, 56)
    c.setFillColor(primary)
    top_right = data.get("organisation") or data["issuer"]
    c.setFont(_font(top_right, "Helvetica-Bold"), 16)
    c.drawRightString(width - 56, height - 80, top_right)

    usable = width - 140
    c.setFillColor(primary)
    _centred(c, "CERTIFICATE OF COMPLETION", height - 170, "Helvetica-Bold", 30, usable)
    c.setFillColor(colors.HexColor("#333333"))
    _centred(c, "This certifies that", height - 215, "Helvetica", 14, usable)
    c.setFillColor(colors.black)
    _centred(c, data["learner"], height - 260, "Helvetica-Bold", 32, usable)
    c.setFillColor(colors.HexColor("#333333"))
    done = "has completed the module" if data.get("module") else "has completed the course"
    _centred(c, done, height - 295, "Helvetica", 14, usable)
    c.setFillColor(primary)
    what = f"{data['module']} \u2014 {data['course']}" if data.get("module") else data["course"]
    _centred(c, what, height - 330, "Helvetica-Bold", 22, usable)

    details = [data["format"].upper()]
    if data.get("cohort"):
        details.append(f"cohort {data['cohort']}")
    details.append(f"{data['hours']:g} hours of effort")
    if data.get("score") is not None:
        details.append(f"score {data['score']:.1f}%")
    c.setFillColor(colors.HexColor("#333333"))
    _centred(c, "  |  ".join(details), height - 365, "Helvetica", 13, usable)
    issued = datetime.fromisoformat(data["issued_at"]).strftime("%d %B %Y")
    _centred(c, f"Issued on {issued} by {data['issuer']}", height - 390, "Helvetica", 13, usable)

    c.setStrokeColor(accent)
    c.setLineWidth(1)
    c.line(72, 150, width - 200, 150)
    c.setFillColor(colors.HexColor("#333333"))
    c.setFont("Helvetica", 10)
    c.drawString(72, 130, f"Certificate No. {data['course_id']}-{data['number']:05d}")
    c.drawString(72, 114, f"ID {data['id']}")
    c.setFont("Helvetica", 9)
    c.drawString(72, 98, f"Check this certificate: {data['verify_url']}")
    _qr(c, data["verify_url"], width - 160, 60, 100)

    c.showPage()
    c.save()
    return out.getvalue()
