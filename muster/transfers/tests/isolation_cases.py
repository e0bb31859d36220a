"""Isolation cases for imports and exports, read by muster/tests/test_isolation.py.

Format and rules: see the docstring of muster/agencies/tests/isolation_cases.py.
Each URL is pointed at Oakdale (the other agency) and, where it takes a row, at
one of Oakdale's rows under the attacker's own agency code too.
"""

from muster.tests.isolation import NO_OBJECT, Case
from muster.transfers import actions
from muster.transfers.models import ExportJob, ImportBatch, TransferRequest

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


def _oakdale_export(t) -> list[dict]:
    """A finished 2020 report of Oakdale, asked for by Oakdale's coordinator: its
    file names Charlie, so a download that leaked would show him."""
    job = actions.ask_compliance_export(
        t.dana,
        t.other_agency,
        person_ids=[t.charlie_person.pk],
        year=2020,
        fmt="csv",
        today=t.charlie_record.completed_on,
    )
    assert ExportJob.objects.get(pk=job.pk).is_done
    return [
        {"code": t.other_agency.code, "pk": job.pk},
        {"code": t.agency.code, "pk": job.pk},
    ]


def _charlie(t) -> list[dict]:
    return [
        {"code": t.other_agency.code, "pk": t.charlie_person.pk},
        {"code": t.agency.code, "pk": t.charlie_person.pk},
    ]


def _transfer(t, requesting, person, releasing) -> TransferRequest:
    """A pending request; the name typed is Charlie's, so a leak would show it."""
    license = person.licenses.get()
    request, _ = TransferRequest.objects.get_or_create(
        requesting_agency=requesting,
        person=person,
        status="pending",
        defaults={
            "releasing_agency": releasing,
            "license_state": license.jurisdiction,
            "license_number": license.number,
            "typed_first_name": "Charlie",
            "typed_last_name": "Chen",
            "starts_on": "2030-01-02",
        },
    )
    return request


def _releasing_charlie(t) -> list[dict]:
    """Millbrook asks Oakdale for Charlie; Riverton (the attacker's) asks too, and
    must not release him by naming its own request under its own code."""
    theirs = _transfer(t, t.tn_agency, t.charlie_person, t.other_agency)
    mine = _transfer(t, t.agency, t.charlie_person, t.other_agency)
    return [
        {"code": t.other_agency.code, "pk": theirs.pk},
        {"code": t.agency.code, "pk": theirs.pk},
        {"code": t.agency.code, "pk": mine.pk},
    ]


def _oakdale_request(t) -> list[dict]:
    """Oakdale's own request (for Bob, as it happens): only Oakdale withdraws it."""
    request = _transfer(t, t.other_agency, t.bob_person, t.agency)
    return [
        {"code": t.other_agency.code, "pk": request.pk},
        {"code": t.agency.code, "pk": request.pk},
    ]


def _oakdale_transfers(t) -> list[dict]:
    _transfer(t, t.tn_agency, t.charlie_person, t.other_agency)
    _transfer(t, t.other_agency, t.bob_person, t.agency)
    return _oakdale(t)


def _charlies_answer(t) -> list[dict]:
    return [{"pk": _transfer(t, t.tn_agency, t.charlie_person, t.other_agency).pk}]


CASES = {
    "transfers:transfers": Case(_oakdale_transfers),
    "transfers:transfer-release": Case(
        _releasing_charlie, methods=WRITE, data=lambda t: {"decision": "approve"}
    ),
    "transfers:transfer-withdraw": Case(
        _oakdale_request, methods=WRITE, data=lambda t: {"reason": "Not needed"}
    ),
    # Lists only the signed-in officer's own requests: no Charlie for anyone else.
    "my_transfers:list": NO_OBJECT,
    "my_transfers:answer": Case(
        _charlies_answer, methods=WRITE, data=lambda t: {"decision": "approve"}
    ),
    "transfers:roster": Case(_oakdale, methods=WRITE),
    "transfers:training": Case(_oakdale, methods=WRITE),
    "transfers:roster-template": Case(_oakdale),
    "transfers:training-template": Case(_oakdale),
    "transfers:mapping": Case(_oakdale_batch, methods=WRITE),
    "transfers:preview": Case(_oakdale_batch, methods=WRITE),
    "transfers:undo": Case(_oakdale_batch, methods=WRITE),
    "transfers:exports": Case(_oakdale),
    "transfers:compliance-csv": Case(_oakdale),
    "transfers:compliance-pdf": Case(_oakdale),
    "transfers:compliance-ask": Case(
        _oakdale,
        methods=("POST",),
        data=lambda t: {"year": "2020", "fmt": "csv"},
        extra={
            "auditor_writes": "asking for an old year's report is reading it: "
            "auditors may download the compliance report of their state's agencies"
        },
    ),
    "transfers:export-job": Case(_oakdale_export),
    "transfers:export-job-download": Case(_oakdale_export),
    "transfers:tn-in-service": Case(_oakdale),
    "transfers:mo-clee-roster": Case(_oakdale),
    "transfers:transcript": Case(_charlie),
}
