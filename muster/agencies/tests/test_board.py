"""The dashboard board agrees with the person page, and the actions refuse bad writes."""

from datetime import date

import pytest
import time_machine

from muster.accounts.choices import Role
from muster.agencies import actions, compliance
from muster.agencies.models import Agency, Employment, Exemption, Qualification
from muster.test import make_person, make_record, make_user

TODAY = date(2026, 11, 27)


@pytest.fixture
def agency(db):
    return Agency.objects.create(
        name="Riverton Police Department",
        code="riverton-pd",
        kind="police-department",
        state="MO",
    )


@pytest.fixture
def varied(agency):
    """People in many situations: short, done, void, pending, waived, make-up."""
    people = [make_person(f"P{n}", f"Person{n}", agency) for n in range(7)]
    short, done, voided, pending, waived, made_up, qualified = people
    make_record(short, agency, hours="4")
    for person in (done, voided, qualified):
        for topic in ("implicit-bias", "de-escalation", "racial-profiling"):
            make_record(
                person, agency, hours="1", area="interpersonal", topics=(topic,)
            )
        make_record(person, agency, hours="4", area="legal")
        make_record(person, agency, hours="15", area="technical")
        make_record(
            person, agency, hours="2", area="skill-development", topics=("firearms",)
        )
        person.training_records.update(provider_kind="approved-provider")
    voided.training_records.filter(credit_lines__area="legal").get().void(
        "Wrong officer"
    )
    record = make_record(pending, agency, hours="24")
    record.approval = "pending"
    record.save()
    Exemption.objects.create(
        person=waived,
        kind="waiver",
        starts_on=date(2026, 1, 1),
        ends_on=date(2026, 12, 31),
        reason="Medical",
    )
    late = make_record(made_up, agency, hours="6", completed_on=date(2026, 2, 1))
    late.counts_for = 2025
    late.save()
    Qualification.objects.create(
        person=qualified,
        qualified_on=date(2026, 5, 1),
        weapon_type="Handgun",
        result="fail",
    )
    former = make_person("Gone", "Former", agency)
    Employment.objects.filter(person=former).update(ends_on=date(2026, 1, 31))
    return people


@time_machine.travel("2026-11-27 12:00:00+00:00", tick=False)
def test_the_board_agrees_with_the_person_page(agency, varied):
    board = compliance.build_board(agency, TODAY)
    assert [row.last_name for row in board.rows] == [p.last_name for p in varied]
    for row, person in zip(board.rows, varied, strict=True):
        standings = compliance.standing_for(person, 2026, TODAY)
        [mandate] = standings[0].mandates
        [cell] = row.cells
        assert cell.status == mandate.status, person
        shown = {p.label: (p.earned, p.required) for p in cell.progress}
        for requirement in mandate.result.requirements:
            if requirement.label in shown:
                assert shown[requirement.label] == (
                    requirement.earned,
                    requirement.required,
                ), (person, requirement.label)
    statuses = [row.status for row in board.rows]
    assert statuses[0] == "at-risk" and statuses[1] == "compliant"
    assert statuses[4] == "exempt"


def test_the_board_counts_a_year_without_encoded_rules_apart(db):
    # Ohio's hours for 2026 are not encoded: the board says so instead of calling
    # the officer compliant, not applicable, or failing on the unknown status.
    ohio = Agency.objects.create(
        name="Dayton Police", code="dayton-pd", kind="police-department", state="OH"
    )
    make_person("Ann", "Ohio", ohio, state="OH", attributes=())
    board = compliance.build_board(ohio, TODAY)
    assert [row.status for row in board.rows] == ["not-encoded"]
    assert board.tally["not-encoded"] == 1
    assert "1 not encoded" in board.at_a_glance()


@time_machine.travel("2026-11-27 12:00:00+00:00", tick=False)
def test_the_actions_refuse_writes_without_reasons_or_twice(agency):
    alice = make_user("alice", (Role.COORDINATOR, agency))
    person = make_person("Bob", "Baker", agency)
    record = make_record(person, agency)
    with pytest.raises(ValueError, match="needs a reason"):
        actions.void_training(actor=alice, record=record, reason="  ")
    actions.void_training(actor=alice, record=record, reason="Duplicate")
    with pytest.raises(ValueError, match="already void"):
        actions.void_training(actor=alice, record=record, reason="Again")
    with pytest.raises(ValueError, match="correction needs a reason"):
        actions.correct_training(
            actor=alice, record=record, fields={}, lines=[], reason=""
        )
    with pytest.raises(ValueError, match="void; it cannot be corrected"):
        actions.correct_training(
            actor=alice, record=record, fields={}, lines=[], reason="Typo"
        )
    assert record.credit_lines.count() == 1
    with pytest.raises(ValueError, match="at least one credit line"):
        actions.record_training(
            actor=alice,
            person=person,
            agency=agency,
            fields={"title": "X", "completed_on": TODAY},
            lines=[],
        )
    assert person.training_records.count() == 1
