"""PDF documents: the agency compliance report and a person's transcript.

Text is set in Bitstream Vera, shipped with reportlab and embedded in the file, so
the PDF shows the same on every reader and its text can be searched and copied.
"""

from __future__ import annotations

import io
from datetime import date
from functools import cache

from reportlab.graphics.charts.barcharts import VerticalBarChart
from reportlab.graphics.shapes import Drawing, String
from reportlab.lib import colors
from reportlab.lib.pagesizes import landscape, letter
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import inch
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from muster.transfers.exports import plain_number

FONT, BOLD = "MusterVera", "MusterVeraBold"
STATUS_COLOURS = {
    "compliant": colors.HexColor("#2e7d32"),
    "on-track": colors.HexColor("#558b2f"),
    "at-risk": colors.HexColor("#ef6c00"),
    "deficient": colors.HexColor("#c62828"),
    "exempt": colors.HexColor("#1565c0"),
}


@cache
def _fonts() -> None:
    pdfmetrics.registerFont(TTFont(FONT, "Vera.ttf"))
    pdfmetrics.registerFont(TTFont(BOLD, "VeraBd.ttf"))


def _styles() -> dict[str, ParagraphStyle]:
    _fonts()
    base = getSampleStyleSheet()
    return {
        "title": ParagraphStyle("t", parent=base["Title"], fontName=BOLD),
        "h2": ParagraphStyle("h", parent=base["Heading2"], fontName=BOLD),
        "body": ParagraphStyle("b", parent=base["BodyText"], fontName=FONT),
        "cell": ParagraphStyle(
            "c", parent=base["BodyText"], fontName=FONT, fontSize=8, leading=10
        ),
    }


def _table(header: list[str], rows: list[list[str]], widths=None) -> Table:
    style = _styles()["cell"]
    data = [header] + [[Paragraph(_escape(c), style) for c in row] for row in rows]
    table = Table(data, colWidths=widths, repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("FONTNAME", (0, 0), (-1, 0), BOLD),
                ("FONTSIZE", (0, 0), (-1, 0), 8),
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e0e0e0")),
                ("GRID", (0, 0), (-1, -1), 0.25, colors.grey),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ]
        )
    )
    return table


def _escape(text: str) -> str:
    return str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def status_chart(counts: dict[str, int]) -> Drawing:
    """A bar chart of how many mandate results have each status."""
    _fonts()
    drawing = Drawing(6 * inch, 2.4 * inch)
    if not counts:
        drawing.add(String(10, 80, "No one on staff is evaluated.", fontName=FONT))
        return drawing
    chart = VerticalBarChart()
    chart.x, chart.y = 40, 30
    chart.width, chart.height = 5.2 * inch, 1.8 * inch
    statuses = list(counts)
    # One stacked series per status, each non-zero only in its own column, so
    # that every status gets its own colour.
    chart.data = [
        [counts[s] if s == status else 0 for s in statuses] for status in statuses
    ]
    chart.categoryAxis.style = "stacked"
    chart.categoryAxis.categoryNames = [f"{s} ({counts[s]})" for s in statuses]
    chart.categoryAxis.labels.fontName = FONT
    chart.valueAxis.labels.fontName = FONT
    chart.valueAxis.valueMin = 0
    chart.valueAxis.valueStep = max(1, -(-max(counts.values()) // 5))
    chart.bars.strokeColor = None
    for i, status in enumerate(statuses):
        chart.bars[i].fillColor = STATUS_COLOURS.get(status, colors.grey)
    drawing.add(chart)
    return drawing


def compliance_report(
    agency, rows, counts: dict[str, int], year: int, today: date
) -> bytes:
    """The agency's compliance report: a status chart, then a table of people."""
    styles = _styles()
    story = [
        Paragraph(
            _escape(f"{agency.name}: training compliance {year}"), styles["title"]
        ),
        Paragraph(
            _escape(
                f"As of {today.isoformat()}. Statuses come from the "
                "training records on file and the encoded state rules."
            ),
            styles["body"],
        ),
        Spacer(1, 8),
        status_chart(counts),
        Spacer(1, 8),
        _table(
            ["Name", "Rank", "License", "Mandate", "Due", "Status", "Short of"],
            [
                [
                    f"{r.last_name}, {r.first_name}",
                    r.rank,
                    f"{r.state} {r.license_number}",
                    r.mandate,
                    r.due,
                    r.status,
                    r.short_of,
                ]
                for r in rows
            ],
            widths=[
                1.5 * inch,
                1 * inch,
                1.1 * inch,
                2.2 * inch,
                0.9 * inch,
                0.8 * inch,
                2.5 * inch,
            ],
        ),
    ]
    return _build(story, landscape(letter), f"{agency.name} compliance {year}")


def transcript(person, records, standings, today: date) -> bytes:
    """A person's training transcript: licenses, standing, and every record."""
    styles = _styles()
    story = [
        Paragraph(
            _escape(f"Training transcript: {person.get_full_name()}"), styles["title"]
        ),
        Paragraph(_escape(f"Printed {today.isoformat()}."), styles["body"]),
        Paragraph("Standing", styles["h2"]),
    ]
    standing_rows = []
    for standing in standings:
        lic = standing.license
        label = f"{lic.jurisdiction} {lic.number}".strip()
        if not standing.mandates:
            standing_rows.append([label, "", standing.not_evaluated])
        for mandate in standing.mandates:
            standing_rows.append([label, mandate.mandate.title, mandate.status])
    story.append(
        _table(
            ["License", "Mandate", "Status"],
            standing_rows,
            widths=[1.4 * inch, 3.6 * inch, 2 * inch],
        )
    )
    story.append(Paragraph("Training records", styles["h2"]))
    story.append(
        _table(
            ["Date", "Title", "Provider", "Hours", "Areas and topics", "Course no."],
            [
                [
                    r.completed_on.isoformat(),
                    r.title + (" (void)" if r.is_void else ""),
                    r.provider_name,
                    plain_number(r.total_hours),
                    _lines(r),
                    r.course_number,
                ]
                for r in records
            ],
            widths=[
                0.8 * inch,
                2 * inch,
                1.4 * inch,
                0.5 * inch,
                1.6 * inch,
                0.9 * inch,
            ],
        )
    )
    return _build(story, letter, f"Transcript of {person.get_full_name()}")


def _lines(record) -> str:
    return "; ".join(
        f"{plain_number(line.hours)} h {line.area or ''} {' '.join(line.topics)}".strip()
        for line in record.credit_lines.all()
    )


def _build(story, pagesize, title: str) -> bytes:
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer,
        pagesize=pagesize,
        title=title,
        author="Muster",
        leftMargin=0.5 * inch,
        rightMargin=0.5 * inch,
        topMargin=0.5 * inch,
        bottomMargin=0.5 * inch,
    )
    doc.build(story)
    return buffer.getvalue()
