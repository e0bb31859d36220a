"""Build import files and walk the import screens in tests."""

from __future__ import annotations

import csv
import io
from functools import partial

from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook

from muster.accounts import access
from muster.transfers.models import ImportBatch

ROSTER_HEADER = [
    "First name",
    "Last name",
    "License number",
    "State",
    "Discipline",
    "Class",
    "Licensed on",
    "Rank",
    "Badge",
    "Email",
    "Hire date",
]


def roster_row(i: int, **overrides) -> list[str]:
    row = {
        "First name": f"Pat{i}",
        "Last name": f"Import{i}",
        "License number": f"MO9{i:05d}",
        "State": "MO",
        "Discipline": "Peace officer",
        "Class": "A",
        "Licensed on": "2016-05-01",
        "Rank": "Patrol officer",
        "Badge": f"B{i}",
        "Email": f"pat{i}@example.org",
        "Hire date": "05/01/2016",
    }
    row.update(overrides)
    return [row[h] for h in ROSTER_HEADER]


def csv_bytes(header: list[str], rows: list[list[str]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8")


def xlsx_bytes(header: list[str], rows: list[list]) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def upload(client, code: str, kind: str, data: bytes, name: str = "people.csv"):
    """Upload `data`; returns the response (a redirect to the mapping on success)."""
    return client.post(
        f"/agencies/{code}/import/{kind}/",
        {"file": SimpleUploadedFile(name, data)},
    )


def last_batch() -> ImportBatch:
    return ImportBatch.objects.order_by("-pk").first()


def kept_by(user):
    """What a roster plan keeps when `user` previews or confirms it, as the
    import's view passes it."""
    return partial(access.kept_fields_of, user)
