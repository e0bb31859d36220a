"""Illinois's three-year period is each officer's own, by the first letter of the
last name: the person's last name reaches the engine on the person page, in the
population evaluation and in stored standings, which keep each officer's period."""

from datetime import date

from muster.agencies import compliance
from muster.agencies.compliance import figures
from muster.agencies.compliance.recording import make_up_problem
from muster.agencies.tests.helpers import add_record, make_person

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


def test_the_person_page_says_a_year_before_the_groups_first_period_is_not_encoded(
    client, coordinator, frozen_today, db
):
    # H-O's first period starts on 30 January 2024: for 2023 the three-year
    # topics are not encoded, which the page says with the reason, never as
    # nothing owed; A-G's 2023 is evaluated.
    client.force_login(coordinator)
    hughes = make_person(state="IL", last_name="Hughes", licensed_on=date(2010, 6, 1))
    page = client.get(f"{hughes.get_absolute_url()}?year=2023").content.decode()
    assert (
        "NO RULES ENCODED for the period containing 31 December 2023 of Use of force"
        in page
    )
    assert "for last names H-O the first period encoded starts on 2024-01-30" in page
    garcia = make_person(state="IL", last_name="Garcia", licensed_on=date(2010, 6, 1))
    page = client.get(f"{garcia.get_absolute_url()}?year=2023").content.decode()
    assert "NO RULES ENCODED for the period containing" not in page
    assert "Use of force - hands-on, scenario-based role play" in page


def test_a_stored_standing_before_the_groups_first_period_is_not_encoded(db):
    # The yearly topics done, the three-year ones before H-O's first period: the
    # stored standing is not-encoded, never compliant; A-G's is a gap found.
    standings = {}
    for name in ("Hughes", "Garcia"):
        officer = make_person(state="IL", last_name=name)
        for day, topic in (
            (date(2023, 2, 1), "crisis-intervention"),
            (date(2023, 3, 1), "legislative-update"),
            (date(2023, 4, 1), "emergency-medical"),
        ):
            add_record(officer, day, ("4", "", [topic]))
        add_record(
            officer,
            date(2023, 5, 1),
            ("0", "", ["firearms-qualification"]),
            result="pass",
        )
        found, _ = figures.evaluate_figures([officer.pk], [2023])
        (standings[name],) = [s for s in found if s.mandate_id == "us.il.peace_officer"]
    assert standings["Hughes"].status_on(date(2026, 6, 1)) == "not-encoded"
    assert THREE_YEAR not in {r["id"] for r in standings["Hughes"].requirements}
    assert standings["Garcia"].status_on(date(2026, 6, 1)) == "deficient"


def test_make_up_for_an_a_g_officers_period_is_taken_until_31_march_only(db):
    # ILETSB's grace period: the period ending 29 January 2026 (the one holding
    # 31 December 2025) may be made up until 31 March 2026, for A-G only.
    garcia = make_person(state="IL", last_name="Garcia")
    hughes = make_person(state="IL", last_name="Hughes")
    assert make_up_problem([garcia], 2025, date(2026, 3, 31)) is None
    late = make_up_problem([garcia], 2025, date(2026, 4, 1))
    assert late is not None and "ends on 31 March 2026" in late
    refused = make_up_problem([hughes], 2025, date(2026, 3, 1))
    assert refused is not None and "allow no make-up for 2025" in refused
