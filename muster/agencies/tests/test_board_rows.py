"""The dashboard's rows, built in Python (`templatetags/board.py`): each part of a
row as the template showed it, every value escaped."""

from datetime import date
from decimal import Decimal

from django.template import Context, Template
from django.urls import reverse

from muster.agencies.compliance import BoardCell, BoardRow, Progress

TODAY = date(2026, 11, 27)


def _row(**changes) -> BoardRow:
    bar = Progress("Total hours", "hours", Decimal("4.5"), Decimal("24"), "missing")
    fields = {
        "person_id": 7,
        "first_name": "Hector",
        "last_name": "Castellano",
        "external_id": "B-12",
        "discipline": "peace-officer",
        "unit": "Traffic",
        "title": "Sergeant",
        "license_numbers": "MO-1, MO-2",
        "status": "at-risk",
        "due_on": date(2026, 12, 31),
        "missing_hours": Decimal("19.5"),
        "cells": (BoardCell("us.mo.x", "Missouri", "at-risk", None, (bar,)),),
        "as_of": TODAY,
    }
    return BoardRow(**(fields | changes))


def _render(*rows: BoardRow) -> str:
    return Template("{% load board %}{% board_rows rows %}").render(
        Context({"rows": list(rows)})
    )


def test_a_row_shows_name_job_status_progress_and_days_left():
    html = _render(_row())
    link = reverse("agencies:person", args=[7])
    assert f'<a href="{link}">Castellano, Hector</a>' in html
    assert '<div class="note">Sergeant · B-12 · license MO-1, MO-2</div>' in html
    assert '<td data-label="Unit">Traffic</td>' in html
    assert '<span class="status status-at-risk">at risk</span>' in html
    assert (
        '<progress max="100" value="18" aria-label="Total hours: 4.5/24 hours">18%'
        "</progress>"
    ) in html
    assert '<span class="progress-figure status-missing">4.5/24</span>' in html
    # One mandate: no title over its bars.
    assert "Missouri" not in html
    assert '34 days<div class="note">2026-12-31</div>' in html


def test_blank_parts_fall_back_as_the_template_did():
    html = _render(
        _row(
            title="",
            external_id="",
            license_numbers="",
            unit="",
            status="",
            not_evaluated="No active license",
            due_on=None,
        )
    )
    assert '<div class="note">peace-officer</div>' in html
    assert '<td data-label="Unit">—</td>' in html
    assert '<span class="muted">No active license</span>' in html
    assert '<td data-label="Due" class="num">—</td>' in html


def test_one_day_left_past_due_and_two_mandates():
    cell = _row().cells[0]
    other = BoardCell("us.al.y", "Alabama", "compliant", None, ())
    one = _render(_row(due_on=date(2026, 11, 28), cells=(cell, other)))
    assert "1 day<" in one
    assert '<div class="note">Missouri</div>' in one
    assert '<div class="note">Alabama</div>' in one
    assert "past due<" in _render(_row(due_on=date(2026, 11, 26)))


def test_every_value_is_escaped():
    script = "<script>alert(1)</script>"
    bar = Progress(script, '"><b>', Decimal("1"), Decimal("2"), "met")
    html = _render(
        _row(
            first_name=script,
            last_name='"><img src=x>',
            external_id=script,
            unit=script,
            title=script,
            license_numbers=script,
            cells=(
                BoardCell("a", script, "met", None, (bar,)),
                BoardCell("b", "B", "met", None, ()),
            ),
        )
    )
    assert "<script>" not in html and "<img" not in html and "<b>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "&quot;&gt;&lt;img src=x&gt;" in html
