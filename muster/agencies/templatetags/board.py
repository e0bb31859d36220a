"""The dashboard's rows, built in Python: `{% board_rows rows %}`.

A dashboard page shows 50 people with up to a dozen requirements each. Written
in the template, with an include per status and a tag per bar, the rows were
most of the page's time; built with `format_html`, a bar still cost more than
its share (Django's escaping goes through its lazy-string wrappers for every
value). Here each row is one f-string per part, escaped with the standard
library's `html.escape`, which is what Django's `escape` calls. The markup is
the one `_board.html` had: what the template showed, escaped the same way.

Values shared by many rows are worked out once a page: a bar depends only on
its `Progress`, a due date's text only on the date, and the person's address is
one `reverse()` with the number put in.
"""

from __future__ import annotations

from functools import lru_cache
from html import escape

from django import template
from django.urls import reverse
from django.utils.formats import localize
from django.utils.safestring import SafeString

register = template.Library()

# A number no person has, to find where the person's number goes in the URL.
_MARK = 987654321


@register.simple_tag
def board_rows(rows) -> str:
    """The `<tr>` of each row: name, unit, status, progress per mandate, due."""
    head, tail = reverse("agencies:person", args=[_MARK]).split(str(_MARK))
    dates: dict = {}
    return SafeString("".join(_row(row, head, tail, dates) for row in rows))


def _row(row, head: str, tail: str, dates: dict) -> str:
    note = escape(row.title or row.discipline)
    if row.external_id:
        note += f" · {escape(row.external_id)}"
    if row.license_numbers:
        note += f" · license {escape(row.license_numbers)}"
    if row.status:
        status = status_span(row.status)
    else:
        status = f'<span class="muted">{escape(row.not_evaluated)}</span>'
    titled = len(row.cells) > 1
    progress = "".join(
        '<div class="cell">'
        + (f'<div class="note">{escape(cell.title)}</div>' if titled else "")
        + "".join(_bar(p) for p in cell.progress)
        + "</div>"
        for cell in row.cells
    )
    return (
        "<tr>"
        f'<td data-label="Name"><a href="{head}{row.person_id}{tail}">'
        f"{escape(row.last_name)}, {escape(row.first_name)}</a>"
        f'<div class="note">{note}</div></td>'
        f'<td data-label="Unit">{escape(row.unit) or "—"}</td>'
        f'<td data-label="Status">{status}</td>'
        f'<td data-label="Progress">{progress}</td>'
        f'<td data-label="Due" class="num">{_due(row, dates)}</td>'
        "</tr>"
    )


def _due(row, dates: dict) -> str:
    """Days left (or "past due") over the due date, as the template showed it."""
    if not row.due_on:
        return "—"
    days = row.days_left
    left = f"{days} day{'' if days == 1 else 's'}" if days >= 0 else "past due"
    shown = dates.get(row.due_on)
    if shown is None:
        shown = dates[row.due_on] = escape(str(localize(row.due_on)))
    return f'{left}<div class="note">{shown}</div>'


@lru_cache(maxsize=64)
def status_span(status: str) -> str:
    """`_status.html`: the status's key as its class, its words as its text."""
    return (
        f'<span class="status status-{escape(status)}">'
        f"{escape(status.replace('-', ' '))}</span>"
    )


@lru_cache(maxsize=4096)
def _bar(p) -> str:
    """One requirement's bar: label, percent done, "earned/required" figure."""
    label, figure, unit = escape(p.label), escape(p.figure), escape(p.unit)
    percent = p.percent
    return (
        f'<div class="progress-row"><span class="progress-label">{label}</span>'
        f'<progress max="100" value="{percent}" aria-label="{label}: {figure} {unit}">'
        f'{percent}%</progress><span class="progress-figure status-{escape(p.status)}">'
        f"{figure}</span></div>"
    )
