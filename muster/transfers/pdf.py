"""PDF documents: the agency compliance report and a person's transcript.

Text is set in Bitstream Vera, shipped with reportlab and embedded in the file, so
the PDF shows the same on every reader and its text can be searched and copied.
Every page carries a footer naming the document, the agency and "page N of M", so a
page that comes loose from a printed report still says where it belongs.
"""

from __future__ import annotations

import io
import re
from datetime import date
from decimal import Decimal
from functools import cache

from reportlab.graphics.charts.barcharts import VerticalBarChart
from reportlab.graphics.shapes import Drawing, String
from reportlab.lib import colors
from reportlab.lib.pagesizes import landscape, letter
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import inch
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    KeepTogether,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from muster.agencies.compliance import words
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
        "h3": ParagraphStyle(
            "h3", parent=base["Heading3"], fontName=BOLD, fontSize=10, spaceBefore=6
        ),
        "body": ParagraphStyle("b", parent=base["BodyText"], fontName=FONT),
        # BodyText's space before a paragraph would pad every table row.
        "cell": ParagraphStyle(
            "c",
            parent=base["BodyText"],
            fontName=FONT,
            fontSize=8,
            leading=10,
            spaceBefore=0,
        ),
        "small": ParagraphStyle(
            "s",
            parent=base["BodyText"],
            fontName=FONT,
            fontSize=7,
            leading=8.4,
            spaceBefore=0,
        ),
    }


# Status keys as a reader says them.
STATUS_WORDS = {
    "compliant": "Compliant",
    "on-track": "On track",
    "at-risk": "At risk",
    "deficient": "Deficient",
    "exempt": "Exempt",
    "not-applicable": "Not applicable",
    "not-encoded": "Not encoded",
    "not evaluated": "Not evaluated",
}


def status_word(status: str) -> str:
    return STATUS_WORDS.get(status, status)


def _table(
    header: list[str],
    rows: list[list[str]],
    widths=None,
    nowrap: tuple[int, ...] = (),
    compact: bool = False,
) -> Table:
    """A table whose header repeats on every page. Columns in `nowrap` (dates,
    numbers) are set as plain strings, which never wrap; the others wrap."""
    style = _styles()["small" if compact else "cell"]
    data = [header] + [
        [c if i in nowrap else Paragraph(_escape(c), style) for i, c in enumerate(row)]
        for row in rows
    ]
    table = Table(data, colWidths=widths, repeatRows=1)
    padding = 1.5 if compact else 3
    table.setStyle(
        TableStyle(
            [
                ("FONTNAME", (0, 0), (-1, 0), BOLD),
                ("FONTNAME", (0, 1), (-1, -1), FONT),
                ("FONTSIZE", (0, 0), (-1, -1), style.fontSize),
                # Plain-string cells (dates) otherwise keep a 12 pt leading.
                ("LEADING", (0, 0), (-1, -1), style.leading),
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e0e0e0")),
                ("GRID", (0, 0), (-1, -1), 0.25, colors.grey),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("TOPPADDING", (0, 0), (-1, -1), padding),
                ("BOTTOMPADDING", (0, 0), (-1, -1), padding),
                ("ROWBACKGROUNDS", (0, 1), (-1, -1), [colors.white, "#f5f5f5"]),
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
    chart.categoryAxis.categoryNames = [
        f"{status_word(s)} ({counts[s]})" for s in statuses
    ]
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
    agency,
    rows,
    counts: dict[str, int],
    year: int,
    today: date,
    *,
    printed_by: str = "",
    printed_at=None,
    rules: tuple[str, ...] = (),
) -> bytes:
    """The agency's compliance report: a status chart, a table of people, and a
    certification block for the person who signs it off.

    `rules` names the encoded rule sets the statuses come from (with the day each
    was last checked against its source), so a reader knows what was applied.
    """
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
        *_people_tables(rows, styles),
        Spacer(1, 14),
        _certification(agency, year, printed_by, printed_at, rules, styles),
    ]
    return _build(
        story,
        landscape(letter),
        f"{agency.name} compliance {year}",
        footer=f"{agency.name} · Training compliance {year}",
    )


def _people_tables(rows, styles) -> list:
    """One table per mandate, under its title, so the long title is printed once
    and the "short of" column gets the width."""
    groups: dict[str, list] = {}
    for row in rows:
        groups.setdefault(row.mandate or "Not evaluated", []).append(row)
    story: list = []
    for mandate, members in groups.items():
        story.append(Paragraph(_escape(mandate), styles["h3"]))
        story.append(
            _table(
                ["Name", "Rank", "License", "Due", "Status", "Short of"],
                [
                    [
                        f"{r.last_name}, {r.first_name}",
                        r.rank,
                        f"{r.state} {r.license_number}".strip(),
                        r.due,
                        status_word(r.status),
                        _shortfall(r.short_of),
                    ]
                    for r in members
                ],
                # License and status wide enough for "MO MO07665623" and
                # "Not applicable" on one line: a word never breaks mid-way.
                widths=[
                    1.45 * inch,
                    0.8 * inch,
                    1.15 * inch,
                    0.72 * inch,
                    0.9 * inch,
                    4.98 * inch,
                ],
                nowrap=(3,),
                compact=True,
            )
        )
    return story


_SHORT = re.compile(
    r"^(?P<label>.+): (?P<earned>[\d.]+)/(?P<required>[\d.]+) (?P<unit>\w+)$"
)


def _shortfall(short_of: str) -> str:
    """ "Legal studies: 0.5/2 hours" -> "Legal studies 1.5 h": what is missing,
    in half the width. A reason that is not a shortfall is kept as it is."""
    parts = []
    for part in short_of.split("; ") if short_of else ():
        found = _SHORT.match(part)
        if found is None:
            parts.append(part)
            continue
        missing = Decimal(found["required"]) - Decimal(found["earned"])
        unit = " h" if found["unit"] == "hours" else ""
        parts.append(f"{found['label']} {plain_number(missing)}{unit}")
    return "; ".join(parts)


def _certification(agency, year, printed_by, printed_at, rules, styles):
    """Who printed the report, when, on which rules, and a line to sign."""
    printed = printed_at.strftime("%Y-%m-%d %H:%M %Z") if printed_at else ""
    lines = [
        Paragraph("Certification", styles["h2"]),
        Paragraph(
            _escape(
                f"I certify that the training records summarised in this report are, "
                f"to the best of my knowledge, a true and complete account of the "
                f"training of {agency.name}'s staff for {year}."
            ),
            styles["body"],
        ),
        Spacer(1, 22),
        _signature_lines(),
        Spacer(1, 8),
        Paragraph(
            _escape(f"Printed by {printed_by or 'an unnamed user'} on {printed}."),
            styles["cell"],
        ),
    ]
    if rules:
        lines.append(
            Paragraph(
                _escape("Rules applied: " + "; ".join(rules) + "."), styles["cell"]
            )
        )
    return KeepTogether(lines)


def _signature_lines() -> Table:
    blank = "_" * 38
    table = Table(
        [[blank, blank, "_" * 18], ["Signature", "Name and title", "Date"]],
        colWidths=[3.4 * inch, 3.4 * inch, 2 * inch],
    )
    table.setStyle(
        TableStyle(
            [
                ("FONTNAME", (0, 0), (-1, -1), FONT),
                ("FONTSIZE", (0, 0), (-1, -1), 8),
                ("TEXTCOLOR", (0, 1), (-1, 1), colors.grey),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
            ]
        )
    )
    return table


def transcript(person, records, standings, today: date, *, agency=None) -> bytes:
    """A person's training transcript: licenses, standing, and every record."""
    styles = _styles()
    heading = f"Training transcript: {person.get_full_name()}"
    facts = [f"Printed {today.isoformat()}"]
    if agency is not None:
        facts.insert(0, agency.name)
    if person.external_id:
        facts.append(f"badge {person.external_id}")
    story = [
        Paragraph(_escape(heading), styles["title"]),
        Paragraph(_escape(" · ".join(facts) + "."), styles["body"]),
        Paragraph("Standing", styles["h2"]),
    ]
    standing_rows = []
    for standing in standings:
        lic = standing.license
        label = f"{lic.get_jurisdiction_display()} {lic.number}".strip()
        if not standing.mandates:
            standing_rows.append([label, "", standing.not_evaluated])
        for mandate in standing.mandates:
            standing_rows.append(
                [label, mandate.mandate.title, status_word(mandate.status)]
            )
    story.append(
        _table(
            ["License", "Mandate", "Status"],
            standing_rows,
            widths=[1.6 * inch, 4 * inch, 1.9 * inch],
        )
    )
    story.append(Paragraph("Training records", styles["h2"]))
    story.append(
        _table(
            [
                "Completed",
                "Title",
                "Provider",
                "Hours",
                "Areas and topics",
                "Course no.",
            ],
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
                1.9 * inch,
                1.35 * inch,
                0.55 * inch,
                2 * inch,
                0.9 * inch,
            ],
            nowrap=(0, 3),
        )
    )
    footer = f"Transcript of {person.get_full_name()}"
    if agency is not None:
        footer += f" · {agency.name}"
    return _build(story, letter, f"Transcript of {person.get_full_name()}", footer)


def _lines(record) -> str:
    """Each credit line as "2 h Skill development (Firearms skill development)"."""
    parts = []
    for line in record.credit_lines.all():
        text = f"{plain_number(line.hours)} h"
        if line.area:
            text += f" {words.area_label(line.area)}"
        if line.topics:
            text += f" ({words.topics_in_words(line.topics)})"
        parts.append(text)
    return "; ".join(parts)


class _NumberedCanvas(Canvas):
    """A canvas that holds each page until the end, so that every page can say
    "page N of M" and carry the document's footer."""

    footer = ""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._pages: list[dict] = []

    def showPage(self) -> None:  # noqa: N802 (reportlab's name)
        self._pages.append(dict(self.__dict__))
        self._startPage()

    def save(self) -> None:
        total = len(self._pages)
        for number, state in enumerate(self._pages, start=1):
            self.__dict__.update(state)
            self._draw_footer(number, total)
            super().showPage()
        super().save()

    def _draw_footer(self, number: int, total: int) -> None:
        width, _ = self._pagesize
        self.setFont(FONT, 7)
        self.setFillColor(colors.grey)
        self.drawString(0.5 * inch, 0.3 * inch, self.footer)
        self.drawRightString(
            width - 0.5 * inch, 0.3 * inch, f"Page {number} of {total}"
        )


def _build(story, pagesize, title: str, footer: str = "") -> bytes:
    _fonts()
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer,
        pagesize=pagesize,
        title=title,
        author="Muster",
        leftMargin=0.5 * inch,
        rightMargin=0.5 * inch,
        topMargin=0.5 * inch,
        bottomMargin=0.6 * inch,
    )
    canvas = type("Canvas", (_NumberedCanvas,), {"footer": footer or title})
    doc.build(story, canvasmaker=canvas)
    return buffer.getvalue()
