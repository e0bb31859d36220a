"""Isolation cases for the agencies app, read by muster/tests/test_isolation.py.

Every named URL of the project needs exactly one entry in some app's `CASES`;
a URL without one makes the matrix fail, naming it. For each entry the matrix
signs in, in turn, as an officer, a coordinator and the head of Riverton PD, a
Tennessee state auditor, a Tennessee coordinator, and nobody, and requests the URL
pointed at Oakdale's data (Charlie Chen, his records, Oakdale's code). Each must
be refused (403, 404, or 405 for a method the view does not take; anonymous
users may be sent to the sign-in page), and no response may contain Charlie's
name.

Format (see `muster.tests.isolation.Case`):

    def _charlie_qualification(t) -> Qualification:
    return Qualification.objects.create(
        person=t.charlie_person,
        agency=t.other_agency,
        qualified_on=date(2026, 5, 1),
        weapon_type="Handgun",
        result="pass",
        instructor="Charlie Chen's range officer",
    )


CASES = {
        # Takes no object of another agency: only "no Charlie on the page" is checked.
        "agencies:home": NO_OBJECT,
        # One variant: the other agency's person.
        "agencies:person": Case(lambda t: [{"pk": t.charlie_person.pk}]),
        # A write view: GET and POST, with variants that mix one's own agency code
        # with the other agency's person (the classic cross-object hole).
        "agencies:training-new": Case(
            lambda t: [
                {"code": t.other_agency.code, "pk": t.charlie_person.pk},
                {"code": t.agency.code, "pk": t.charlie_person.pk},
            ],
            methods=("GET", "POST"),
        ),
    }

`t` is the running test case (muster.test.BaseTestCase): use its cast, or create
the rows a URL needs (an exemption, an evidence file) inside the lambda.
"""

from datetime import date

from django.core.files.base import ContentFile

from muster.agencies.models import Evidence, Exemption, Qualification
from muster.tests.isolation import NO_OBJECT, Case

WRITE = ("GET", "POST")


def _other_and_own(t, pk) -> list[dict]:
    return [
        {"code": t.other_agency.code, "pk": pk},
        {"code": t.agency.code, "pk": pk},
    ]


def _charlie_exemption(t) -> Exemption:
    return Exemption.objects.create(
        person=t.charlie_person,
        kind="waiver",
        starts_on=date(2026, 1, 1),
        ends_on=date(2026, 6, 30),
        reason="Charlie Chen medical leave",
        agency=t.other_agency,
    )


def _charlie_evidence(t) -> Evidence:
    return Evidence.objects.create(
        record=t.charlie_record,
        file=ContentFile(b"Charlie Chen sign-in sheet", name="charlie.txt"),
        description="Charlie Chen sign-in sheet",
    )


def _charlie_qualification(t) -> Qualification:
    return Qualification.objects.create(
        person=t.charlie_person,
        agency=t.other_agency,
        qualified_on=date(2026, 5, 1),
        weapon_type="Handgun",
        result="pass",
        instructor="Charlie Chen's range officer",
    )


CASES = {
    # Adding a person: under the other agency's code.
    "agencies:person-new": Case(
        lambda t: [{"code": t.other_agency.code}], methods=WRITE
    ),
    # Editing one: the other agency's person, under either agency's code.
    "agencies:person-edit": Case(
        lambda t: _other_and_own(t, t.charlie_person.pk), methods=WRITE
    ),
    # What a line being typed would count toward: the other agency's person; a
    # class endpoint under the other agency's code.
    "agencies:counts-toward": Case(
        lambda t: [{"pk": t.charlie_person.pk}], methods=("POST",)
    ),
    "agencies:class-counts-toward": Case(
        lambda t: [{"code": t.other_agency.code}], methods=("POST",)
    ),
    # The signed-in officer's own transcript: takes no object of anyone else.
    "agencies:own-transcript": NO_OBJECT,
    "agencies:home": NO_OBJECT,
    "agencies:self-report": Case(None, methods=WRITE),
    "agencies:dashboard": Case(lambda t: [{"code": t.other_agency.code}]),
    "agencies:class-new": Case(
        lambda t: [{"code": t.other_agency.code}], methods=WRITE
    ),
    "agencies:approvals": Case(lambda t: [{"code": t.other_agency.code}]),
    "agencies:training-review": Case(
        lambda t: _other_and_own(t, t.charlie_record.pk), methods=WRITE
    ),
    "agencies:exemption-decide": Case(
        lambda t: _other_and_own(t, _charlie_exemption(t).pk), methods=WRITE
    ),
    "agencies:training-new": Case(
        lambda t: _other_and_own(t, t.charlie_person.pk), methods=WRITE
    ),
    "agencies:qualification-new": Case(
        lambda t: _other_and_own(t, t.charlie_person.pk), methods=WRITE
    ),
    # Valid posts, so that a hole would show as a saved change, not a form error.
    "agencies:qualification-correct": Case(
        lambda t: _other_and_own(t, _charlie_qualification(t).pk),
        methods=WRITE,
        data=lambda t: {
            "qualified_on": "2026-05-01",
            "weapon_type": "Rifle",
            "result": "fail",
            "reason": "Isolation probe",
        },
    ),
    "agencies:qualification-void": Case(
        lambda t: _other_and_own(t, _charlie_qualification(t).pk),
        methods=WRITE,
        data=lambda t: {"reason": "Isolation probe"},
    ),
    "agencies:exemption-new": Case(
        lambda t: _other_and_own(t, t.charlie_person.pk), methods=WRITE
    ),
    "agencies:person": Case(lambda t: [{"pk": t.charlie_person.pk}]),
    "agencies:training-correct": Case(
        lambda t: [{"pk": t.charlie_record.pk}], methods=WRITE
    ),
    "agencies:training-void": Case(
        lambda t: [{"pk": t.charlie_record.pk}], methods=WRITE
    ),
    "agencies:evidence": Case(lambda t: [{"pk": _charlie_evidence(t).pk}]),
}
