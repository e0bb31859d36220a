"""Illinois's three-year period is each officer's own, by the first letter of the
last name: the person's last name reaches the engine on the person page, in the
population evaluation and in stored standings, which keep each officer's period."""

from datetime import date

from muster.agencies import compliance
from muster.agencies.compliance import figures
from muster.agencies.tests.helpers import make_person

THREE_YEAR = "use-of-force-scenarios"


def stored_period(person, year: int) -> tuple[str, str]:
    standings, _ = figures.evaluate_figures([person.pk], [year])
    (standing,) = [s for s in standings if s.mandate_id == "us.il.peace_officer"]
    (found,) = [r for r in standing.requirements if r["id"] == THREE_YEAR]
    return found["start"], found["end"]


def test_each_officer_is_evaluated_over_the_period_of_their_surname_group(db):
    garcia = make_person(state="IL", last_name="Garcia")
    hughes = make_person(state="IL", last_name="Hughes")
    (result,) = compliance.evaluate_person(garcia, "IL", 2025, date(2026, 6, 1))
    assert result.requirement(THREE_YEAR).period.start == date(2023, 1, 30)
    assert result.requirement(THREE_YEAR).period.end == date(2026, 1, 29)
    (result,) = compliance.evaluate_person(hughes, "IL", 2025, date(2026, 6, 1))
    assert result.requirement(THREE_YEAR).period.start == date(2024, 1, 30)
    assert stored_period(garcia, 2025) == ("2023-01-30", "2026-01-29")
    assert stored_period(hughes, 2025) == ("2024-01-30", "2027-01-29")


def test_the_population_reads_each_officers_last_name(db):
    garcia = make_person(state="IL", last_name="Garcia")
    patel = make_person(state="IL", last_name="Patel")
    people = type(garcia).objects.filter(pk__in=[garcia.pk, patel.pk])
    judged = compliance.population.judge_people(people, 2025, date(2026, 6, 1))
    due = {}
    for person_id, licenses in judged.items():
        (license,) = licenses
        (mandate,) = license.mandates
        (found,) = [r for r in mandate.requirements if "scenario-based" in r.label]
        due[person_id] = found.due_on
    assert due == {garcia.pk: date(2026, 1, 29), patel.pk: date(2028, 1, 29)}


def test_an_officer_whose_last_name_is_blank_is_told_to_enter_it(db):
    officer = make_person(state="IL", last_name="")
    (result,) = compliance.evaluate_person(officer, "IL", 2025, date(2026, 6, 1))
    assert THREE_YEAR not in {r.id for r in result.requirements}
    assert any(
        "no last name beginning with a letter A-Z recorded" in n for n in result.notes
    )
