"""Isolation cases for imports and exports, read by muster/tests/test_isolation.py.

Format and rules: see the docstring of muster/agencies/tests/isolation_cases.py.
Each URL is pointed at Oakdale (the other agency) and, where it takes a row, at
one of Oakdale's rows under the attacker's own agency code too.
"""

from muster.tests.isolation import Case
from muster.transfers.models import ImportBatch

WRITE = ("GET", "POST")


def _oakdale(t) -> list[dict]:
    return [{"code": t.other_agency.code}]


def _oakdale_batch(t) -> list[dict]:
    batch = ImportBatch.objects.create(
        agency=t.other_agency,
        kind="roster",
        file_name="oakdale.csv",
        content=b"first_name,last_name\nCharlie,Chen\n",
    )
    return [
        {"code": t.other_agency.code, "pk": batch.pk},
        {"code": t.agency.code, "pk": batch.pk},
    ]


def _charlie(t) -> list[dict]:
    return [
        {"code": t.other_agency.code, "pk": t.charlie_person.pk},
        {"code": t.agency.code, "pk": t.charlie_person.pk},
    ]


CASES = {
    "transfers:roster": Case(_oakdale, methods=WRITE),
    "transfers:training": Case(_oakdale, methods=WRITE),
    "transfers:mapping": Case(_oakdale_batch, methods=WRITE),
    "transfers:preview": Case(_oakdale_batch, methods=WRITE),
    "transfers:exports": Case(_oakdale),
    "transfers:compliance-csv": Case(_oakdale),
    "transfers:compliance-pdf": Case(_oakdale),
    "transfers:tn-in-service": Case(_oakdale),
    "transfers:mo-clee-roster": Case(_oakdale),
    "transfers:transcript": Case(_charlie),
}
