"""Charts as server-rendered SVG: no script, readable without colour.

Each chart is drawn from the same figures as the table printed beside it, which
is what screen readers are pointed to (`aria-describedby`); the SVG itself is an
image with a title. Bars carry their value as text, so no colour alone says
anything.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

WIDTH = 640
LABEL_WIDTH = 200
BAR_HEIGHT = 14
GAP = 10
# Two series at most, told apart by fill and by pattern (the second is hatched).
FILLS = ("#1f5fa8", "url(#hatch)")


@dataclass(frozen=True)
class Series:
    name: str
    values: Sequence[Decimal | int | float]


def _at(coordinate: float) -> str:
    return f"{coordinate:.1f}"


def _number(value) -> str:
    value = Decimal(str(value))
    return f"{value.normalize():f}" if value == value.to_integral() else f"{value:.1f}"


def bar_chart(
    title: str,
    labels: Sequence[str],
    series: Sequence[Series],
    *,
    table_id: str,
    unit: str = "",
) -> SafeString:
    """Horizontal bars, one group per label, one bar per series (at most two)."""
    biggest = max([Decimal(str(v)) for s in series for v in s.values] + [Decimal(1)])
    group = BAR_HEIGHT * len(series) + GAP
    legend_height = 24
    height = legend_height + group * len(labels) + GAP
    span = WIDTH - LABEL_WIDTH - 60
    parts = []
    for row, label in enumerate(labels):
        top = legend_height + row * group
        parts.append(
            format_html(
                '<text x="{}" y="{}" text-anchor="end" class="chart-label">{}</text>',
                LABEL_WIDTH - 6,
                _at(top + BAR_HEIGHT * len(series) / 2 + 4),
                label[:32],
            )
        )
        for index, one in enumerate(series):
            value = Decimal(str(one.values[row]))
            length = float(value / biggest) * span
            y = top + index * BAR_HEIGHT
            parts.append(
                format_html(
                    '<rect x="{}" y="{}" width="{}" height="{}" fill="{}" '
                    'stroke="#1f5fa8"><title>{}: {} {}</title></rect>'
                    '<text x="{}" y="{}" class="chart-value">{}</text>',
                    LABEL_WIDTH,
                    y,
                    _at(length),
                    BAR_HEIGHT - 2,
                    FILLS[index],
                    one.name,
                    _number(value),
                    unit,
                    _at(LABEL_WIDTH + length + 4),
                    y + BAR_HEIGHT - 4,
                    _number(value),
                )
            )
    return _svg(title, table_id, height, _legend(series) + "".join(parts))


def _legend(series: Sequence[Series]) -> str:
    return format_html_join(
        "",
        '<rect x="{}" y="4" width="12" height="12" fill="{}" stroke="#1f5fa8"/>'
        '<text x="{}" y="14" class="chart-label">{}</text>',
        (
            (LABEL_WIDTH + i * 180, FILLS[i], LABEL_WIDTH + i * 180 + 16, s.name)
            for i, s in enumerate(series)
        ),
    )


def line_chart(
    title: str,
    labels: Sequence[str],
    values: Sequence[Decimal | int | float | None],
    *,
    table_id: str,
    unit: str = "%",
    top: Decimal = Decimal(100),
) -> SafeString:
    """One series over a few points (years), on a 0..`top` scale; a missing value
    (None) leaves a gap."""
    height, left, bottom = 220, 50, 180
    step = (WIDTH - left - 40) / max(1, len(labels) - 1)
    points = []
    parts = [
        format_html(
            '<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="#888"/>'
            '<text x="{}" y="{}" text-anchor="end" class="chart-label">{}{}</text>',
            left,
            _at(bottom - fraction * 160),
            WIDTH - 30,
            _at(bottom - fraction * 160),
            left - 6,
            _at(bottom - fraction * 160 + 4),
            _number(top * Decimal(str(fraction))),
            unit,
        )
        for fraction in (0, 0.5, 1)
    ]
    for index, (label, value) in enumerate(zip(labels, values, strict=True)):
        x = left + index * step
        parts.append(
            format_html(
                '<text x="{}" y="{}" text-anchor="middle" class="chart-label">'
                "{}</text>",
                _at(x),
                bottom + 20,
                label,
            )
        )
        if value is None:
            continue
        y = bottom - float(Decimal(str(value)) / top) * 160
        points.append((x, y))
        parts.append(
            format_html(
                '<circle cx="{}" cy="{}" r="4" fill="#1f5fa8"><title>{}: {}{}'
                '</title></circle><text x="{}" y="{}" text-anchor="middle" '
                'class="chart-value">{}{}</text>',
                _at(x),
                _at(y),
                label,
                _number(value),
                unit,
                _at(x),
                _at(y - 8),
                _number(value),
                unit,
            )
        )
    if len(points) > 1:
        path = " ".join(f"{x:.1f},{y:.1f}" for x, y in points)
        parts.insert(
            0,
            format_html(
                '<polyline points="{}" fill="none" stroke="#1f5fa8" stroke-width="2"/>',
                path,
            ),
        )
    return _svg(title, table_id, height, "".join(parts))


def _svg(title: str, table_id: str, height: int, body: str) -> SafeString:
    defs = (
        '<defs><pattern id="hatch" width="6" height="6" patternUnits="userSpaceOnUse" '
        'patternTransform="rotate(45)"><rect width="6" height="6" fill="#fff"/>'
        '<line x1="0" y1="0" x2="0" y2="6" stroke="#c0392b" stroke-width="3"/>'
        "</pattern></defs>"
    )
    head = format_html(
        '<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" '
        'viewBox="0 0 {} {}" width="100%" aria-labelledby="{}-title" '
        'aria-describedby="{}"><title id="{}-title">{}</title>',
        WIDTH,
        height,
        table_id,
        table_id,
        table_id,
        title,
    )
    return mark_safe(head + defs + body + "</svg>")  # noqa: S308 (parts escaped above)
