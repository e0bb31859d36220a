"""compliance: ORM rows in, engine results out."""

from datetime import date
from decimal import Decimal

import pytest

from muster import rules
from muster.agencies import compliance
from muster.agencies.models import Exemption, License
from muster.agencies.tests.helpers import (
    add_de_escalation,
    add_missouri_2021_except_de_escalation,
    add_record,
    make_person,
)

JUDGED_ON = date(2022, 6, 1)


def statuses(person, year=2021, as_of=JUDGED_ON, code="MO"):
    return {
        r.mandate: r.status
        for r in compliance.evaluate_person(person, code, year, as_of)
    }


def test_it_describes_the_person_by_their_license_in_that_state(db):
    person = make_person(
        discipline="peace-officer",
        licensed_on=date(2015, 6, 1),
        attributes=("traffic-enforcement",),
    )
    assert compliance.person_to_engine(person, "mo") == rules.Person(
        id=str(person.pk),
        discipline="peace-officer",
        licensed_on=date(2015, 6, 1),
        attributes=frozenset({"traffic-enforcement"}),
        surname="Officer",  # the last name: Illinois's period is by its letter
    )


def test_it_refuses_a_state_where_the_person_holds_no_license(db):
    person = make_person(state="MO")
    with pytest.raises(License.DoesNotExist, match="no license in TN"):
        compliance.person_to_engine(person, "TN")


def test_it_turns_each_credit_line_into_an_engine_line(db):
    person = make_person()
    add_record(
        person,
        date(2022, 2, 1),
        ("1.5", "interpersonal", ["implicit-bias"]),
        ("2", "", ["de-escalation", "use-of-force"]),
        title="Bias and force",
        delivery="online",
        provider_kind="approved-provider",
        result="pass",
        counts_for=2021,
    )
    first, second = compliance.lines_for(person)
    assert first == rules.CreditLine(
        person=str(person.pk),
        completed_on=date(2022, 2, 1),
        hours=Decimal("1.5"),
        area="interpersonal",
        topics=frozenset({"implicit-bias"}),
        delivery="online",
        provider="approved-provider",
        result="pass",
        counts_for=2021,
        label="Bias and force",
    )
    assert second.area is None
    assert second.topics == frozenset({"de-escalation", "use-of-force"})


def test_it_sends_a_blank_result_as_none(db):
    person = make_person()
    add_record(person, date(2022, 2, 1), ("1", "legal", []))
    assert compliance.lines_for(person)[0].result is None


def test_it_finds_an_officer_with_24_hours_and_the_topics_compliant_for_2021(
    officer,
):
    result = compliance.evaluate_person(officer, "MO", 2021, JUDGED_ON)[0]
    assert result.mandate == "us.mo.peace_officer"
    assert result.status == "compliant"
    assert result.requirement("total").earned == Decimal(24)


def test_it_changes_status_as_soon_as_a_record_is_saved(db):
    person = make_person()
    add_missouri_2021_except_de_escalation(person)
    assert statuses(person) == {"us.mo.peace_officer": "deficient"}

    add_de_escalation(person)

    assert statuses(person) == {"us.mo.peace_officer": "compliant"}


def test_it_changes_status_as_soon_as_a_record_is_voided(officer):
    officer.training_records.get(title="De-escalation").void("Wrong person")
    assert statuses(officer) == {"us.mo.peace_officer": "deficient"}


def test_it_evaluates_only_the_mandates_that_apply(db):
    dispatcher = make_person(discipline="telecommunicator")
    assert list(statuses(dispatcher)) == ["us.mo.telecommunicator"]


def test_it_passes_waivers_to_the_engine(db):
    person = make_person()
    Exemption.objects.create(
        person=person,
        kind="waiver",
        starts_on=date(2021, 2, 1),
        ends_on=date(2021, 12, 31),
        reason="Deployed",
        requirements=["total"],
    )
    assert compliance.exemptions_for(person) == [
        rules.Exemption(
            person=str(person.pk),
            kind="waiver",
            starts_on=date(2021, 2, 1),
            ends_on=date(2021, 12, 31),
            reason="Deployed",
            requirements=frozenset({"total"}),
        )
    ]
    result = compliance.evaluate_person(person, "MO", 2021, JUDGED_ON)[0]
    assert result.requirement("total").status == "exempt"


def test_an_approved_absence_lets_a_tennessee_deputy_miss_a_tenth_of_the_course(db):
    # deputy-sheriff is a discipline the Tennessee file names; 1110-09-.05(1)(d).
    deputy = make_person(state="TN", discipline="deputy-sheriff")
    add_record(deputy, date(2022, 5, 2), ("36", "technical", []))
    assert statuses(deputy, 2022, date(2023, 6, 1), "TN") == {
        "us.tn.peace_officer": "deficient"
    }
    Exemption.objects.create(
        person=deputy,
        kind="absence",
        starts_on=date(2022, 5, 5),
        ends_on=date(2022, 5, 5),
        reason="Family emergency",
    )
    (result,) = compliance.evaluate_person(deputy, "TN", 2022, date(2023, 6, 1))
    assert result.status == "compliant"
    total = result.requirement("total")
    assert total.required == Decimal(36)
    assert any("Family emergency" in note for note in total.notes)


def test_it_exempts_an_officer_licensed_during_the_year(db):
    person = make_person(licensed_on=date(2021, 4, 1))
    assert statuses(person) == {"us.mo.peace_officer": "exempt"}


def test_it_names_a_state_without_encoded_rules(db):
    person = make_person(state="WY")
    with pytest.raises(rules.MandateError, match="unknown jurisdiction"):
        compliance.evaluate_person(person, "WY", 2021, JUDGED_ON)
    (standing,) = compliance.standing_for(person, 2021, JUDGED_ON)
    assert standing.mandates == ()
    assert standing.not_evaluated == (
        "No Wyoming rules are encoded yet: this license is not evaluated."
    )


def test_it_does_not_evaluate_a_lapsed_license(db):
    person = make_person(status="lapsed")
    (standing,) = compliance.standing_for(person, 2021, JUDGED_ON)
    assert standing.not_evaluated == "The Missouri license is lapsed: not evaluated."


def test_it_gives_each_license_its_standing_with_the_mandate(officer):
    (standing,) = compliance.standing_for(officer, 2021, JUDGED_ON)
    (mandate,) = standing.mandates
    assert standing.license.jurisdiction == "MO"
    assert mandate.mandate.id == "us.mo.peace_officer"
    assert mandate.status == "compliant"
    assert len(mandate.period_lines) == 7
    assert mandate.other_lines == []


def test_it_sets_lines_from_other_periods_apart(officer):
    (standing,) = compliance.standing_for(officer, 2023, JUDGED_ON)
    (mandate,) = standing.mandates
    assert mandate.period_lines == []
    assert len(mandate.other_lines) == 7


def test_each_person_is_judged_on_their_own_lines(officer, db):
    late = make_person(last_name="Late")
    add_missouri_2021_except_de_escalation(late)
    statuses = [
        m.status
        for person in (officer, late)
        for standing in compliance.standing_for(person, 2021, JUDGED_ON)
        for m in standing.mandates
    ]
    assert statuses == ["compliant", "deficient"]


def test_it_lists_unknown_topics():
    assert compliance.unknown_topics(["firearms", "juggling"]) == ["juggling"]
