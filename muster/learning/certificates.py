"""Certificate codes and the certificate PDF, with a QR code to the public check.

A code is 80 random bits in base32, in four groups (`7KQ2-M4XD-PR9A-...`): too
many to guess, easy to read aloud or type from paper. Text is set in the same
embedded Vera fonts as muster.transfers.pdf, and the QR code is drawn by
reportlab's own barcode module, so no other library is needed.
"""

from __future__ import annotations

import base64
import io
import secrets

from reportlab.graphics.barcode.qr import QrCodeWidget
from reportlab.graphics.shapes import Drawing
from reportlab.lib import colors
from reportlab.lib.pagesizes import landscape, letter
from reportlab.lib.units import inch
from reportlab.pdfgen import canvas

from muster.learning.models import Certificate
from muster.transfers.exports import plain_number
from muster.transfers.pdf import BOLD, FONT, _fonts


def new_code() -> str:
    """A fresh, unguessable certificate code such as `7KQ2-M4XD-PR9A-HC3T`."""
    raw = base64.b32encode(secrets.token_bytes(10)).decode("ascii")
    return "-".join(raw[i : i + 4] for i in range(0, 16, 4))


def normalise_code(text: str) -> str:
    """The code as stored, from what someone typed (any case, spaces or dashes)."""
    raw = "".join(ch for ch in text.upper() if ch.isalnum())
    return "-".join(raw[i : i + 4] for i in range(0, len(raw), 4))


def certificate_pdf(certificate: Certificate, verify_url: str) -> bytes:
    """One landscape page: who completed what, the credit, and how to verify it."""
    _fonts()
    enrollment = certificate.enrollment
    record = enrollment.record
    course = enrollment.course
    buffer = io.BytesIO()
    width, height = landscape(letter)
    pdf = canvas.Canvas(buffer, pagesize=(width, height))
    pdf.setTitle(f"Certificate {certificate.code}")
    pdf.setAuthor("Muster")
    pdf.setStrokeColor(colors.HexColor("#1f3b5a"))
    pdf.setLineWidth(3)
    pdf.rect(0.4 * inch, 0.4 * inch, width - 0.8 * inch, height - 0.8 * inch)

    centre = width / 2
    _text(pdf, centre, height - 1.3 * inch, "Certificate of completion", BOLD, 28)
    _text(pdf, centre, height - 1.9 * inch, "This certifies that", FONT, 13)
    name = enrollment.person.get_full_name()
    _text(pdf, centre, height - 2.5 * inch, name, BOLD, 24)
    _text(pdf, centre, height - 3.0 * inch, "completed the online course", FONT, 13)
    _text(pdf, centre, height - 3.55 * inch, course.title, BOLD, 18)

    lines = [
        f"Completed on {record.completed_on.isoformat()}",
        f"Hours credited: {plain_number(record.total_hours)}",
        f"Provider: {record.provider_name}",
        f"{enrollment.get_jurisdiction_display()} approval number: "
        f"{record.course_number}",
    ]
    if certificate.is_revoked:
        lines.insert(0, f"REVOKED on {certificate.revoked_at.date().isoformat()}")
    for line in record.credit_lines.all():
        area = line.get_area_display() if line.area else "Hours"
        topics = f" ({', '.join(line.topics)})" if line.topics else ""
        lines.append(f"Credit: {plain_number(line.hours)} h {area}{topics}")
    y = height - 4.2 * inch
    for line in lines:
        pdf.setFont(FONT, 11)
        pdf.drawString(1 * inch, y, line)
        y -= 0.26 * inch

    size = 1.6 * inch
    x, y = width - 1 * inch - size, 0.9 * inch
    _qr(pdf, verify_url, x, y, size)
    pdf.setFont(FONT, 9)
    pdf.drawRightString(width - 1 * inch, y - 0.15 * inch, verify_url)
    pdf.setFont(BOLD, 12)
    pdf.drawString(1 * inch, 1.2 * inch, f"Certificate code: {certificate.code}")
    pdf.setFont(FONT, 9)
    pdf.drawString(1 * inch, 0.95 * inch, "Check it at the address under the QR code.")
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()


def _text(pdf: canvas.Canvas, x: float, y: float, text: str, font: str, size: int):
    pdf.setFont(font, size)
    pdf.drawCentredString(x, y, text)


def _qr(pdf: canvas.Canvas, value: str, x: float, y: float, size: float) -> None:
    widget = QrCodeWidget(value)
    left, bottom, right, top = widget.getBounds()
    drawing = Drawing(
        size,
        size,
        transform=[size / (right - left), 0, 0, size / (top - bottom), 0, 0],
    )
    drawing.add(widget)
    drawing.drawOn(pdf, x, y)
