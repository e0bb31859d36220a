"""Stored standings: the dashboard reads them and agrees with the person page and
the engine on every day; verify finds a standing that went wrong; the actions
refuse bad writes."""

import io
from datetime import date

import pytest
import time_machine
from django.core.management import CommandError, call_command

from muster.accounts.choices import Role
from muster.agencies import actions, compliance
from muster.agencies.compliance.standings import verify_standings
from muster.agencies.models import (
    STATUS_ORDER,
    Agency,
    Employment,
    Exemption,
    Person,
    Qualification,
    Standing,
    StandingSummary,
    status_expression,
)
from muster.agencies.tests.standings_check import flush
from muster.test import make_person, make_record, make_user
from muster.transfers import exports

# Stored standings must match a fresh evaluation after each test here.
pytestmark = pytest.mark.standings_check

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
    flush()  # the hand-made rows' standings, as an action would have stored them
    return people


def _board(agency, day=TODAY, **filters):
    return compliance.standings_for_agency(
        agency, day.year, compliance.Filters(**filters), day
    )


@time_machine.travel("2026-11-27 12:00:00+00:00", tick=False)
def test_the_stored_board_agrees_with_the_person_page(agency, varied):
    board = _board(agency, sort="name")
    assert [row.last_name for row in board.rows] == [p.last_name for p in varied]
    for row, person in zip(board.rows, varied, strict=True):
        standings = compliance.standing_for(person, 2026, TODAY)
        [mandate] = standings[0].mandates
        [cell] = row.cells
        assert cell.status == mandate.status == row.status, person
        assert cell.due_on == mandate.due_on == row.due_on, person
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
    assert board.staff == 7 and board.evaluated == 7


@time_machine.travel("2026-11-27 12:00:00+00:00", tick=False)
@pytest.mark.parametrize(
    "day",
    [
        date(2026, 11, 27),
        date(2026, 12, 2),
        date(2026, 12, 31),
        date(2027, 1, 1),
        date(2027, 3, 15),
        date(2027, 3, 16),
    ],
)
def test_the_stored_dates_give_the_engines_status_on_each_later_day(
    agency, varied, day
):
    # Standings store no status that depends on today: the day someone turns at
    # risk or deficient is stored, and reading on `day` (in Python or in SQL) must
    # say what evaluating on that day says.
    sql = dict(
        StandingSummary.objects.filter(year=2026)
        .annotate(status=status_expression(day))
        .values_list("person_id", "status")
    )
    for person in varied:
        [mandate] = compliance.standing_for(person, 2026, day)[0].mandates
        stored = Standing.objects.get(person=person, year=2026)
        assert stored.status_on(day) == mandate.status, (person, day)
        summary = StandingSummary.objects.get(person=person, year=2026)
        assert summary.status_on(day) == sql[person.pk] == mandate.status


def test_the_board_counts_a_year_without_encoded_rules_apart(db):
    # Ohio's hours for 2026 are not encoded: the board says so instead of calling
    # the officer compliant, not applicable, or failing on the unknown status.
    ohio = Agency.objects.create(
        name="Dayton Police", code="dayton-pd", kind="police-department", state="OH"
    )
    make_person("Ann", "Ohio", ohio, state="OH", attributes=())
    flush()
    board = _board(ohio)
    assert [row.status for row in board.rows] == ["not-encoded"]
    assert board.tally["not-encoded"] == 1
    assert "1 not encoded" in board.at_a_glance()


@time_machine.travel("2026-11-27 12:00:00+00:00", tick=False)
def test_it_finds_people_as_the_table_writes_them_and_by_license(agency, varied):
    hector = make_person("Hector", "Castellano", agency)
    flush()
    for typed in ("Castellano, Hector", "hector castellano", "castel"):
        assert [r.person_id for r in _board(agency, q=typed).rows] == [hector.pk]
    number = hector.licenses.get().number
    assert [r.person_id for r in _board(agency, q=number.lower()).rows] == [hector.pk]
    assert _board(agency, q="Castellano, Nobody").rows == []


@time_machine.travel("2026-11-27 12:00:00+00:00", tick=False)
def test_it_sorts_and_filters_in_the_database(agency, varied):
    by_missing = _board(agency, sort="missing").rows
    missing = [row.missing_hours for row in by_missing]
    assert missing == sorted(missing, reverse=True) and missing[0] > 0
    worst_first = [row.status for row in _board(agency).rows]
    ranks = [STATUS_ORDER.index(s) for s in worst_first]
    assert ranks == sorted(ranks)
    at_risk = _board(agency, status="at-risk")
    assert {row.status for row in at_risk.rows} == {"at-risk"}
    assert at_risk.page.paginator.count == at_risk.tally["at-risk"]
    assert _board(agency, mandate="us.mo.nothing").rows == []


@time_machine.travel("2026-11-27 12:00:00+00:00", tick=False)
def test_an_approved_extension_moves_the_one_due_date_everywhere(agency):
    # Issue 15.1: the dashboard, the person page, the digest and the exports said
    # different days. The stored standing carries the extended day to all of them.
    head = make_user("harold", (Role.AGENCY_HEAD, agency))
    alice = make_user("alice", (Role.COORDINATOR, agency))
    person = make_person("Ed", "Extended", agency)
    make_record(person, agency, hours="4")
    proposal = actions.propose_exemption(
        actor=alice,
        person=person,
        agency=agency,
        fields={
            "kind": "extension",
            "starts_on": date(2026, 12, 1),
            "ends_on": date(2027, 2, 28),
            "reason": "Medical leave",
        },
    )
    assert Standing.objects.get(person=person, year=2026).due_on == date(2026, 12, 31)
    actions.decide_exemption(actor=head, exemption=proposal, approve=True)
    extended = date(2027, 2, 28)
    assert Standing.objects.get(person=person, year=2026).due_on == extended
    [row] = _board(agency).rows
    assert row.due_on == extended and row.cells[0].due_on == extended
    [mandate] = compliance.standing_for(person, 2026, TODAY)[0].mandates
    assert mandate.due_on == extended
    people = Person.objects.all()
    [exported] = exports.compliance_rows(people, agency, 2026, TODAY)
    assert exported.due == "2027-02-28"


@pytest.mark.no_standings_check
def test_verify_reports_a_standing_changed_behind_its_back(agency, varied):
    call_command("standings", "refresh", stdout=io.StringIO())
    assert verify_standings() == []
    person = varied[0]
    Standing.objects.filter(person=person, year=2026).update(due_on=date(2030, 1, 1))
    StandingSummary.objects.filter(person=varied[1], year=2026).delete()
    found = verify_standings()
    assert {(d.person_id, d.what) for d in found} == {
        (person.pk, "us.mo.peace_officer"),
        (varied[1].pk, "summary"),
    }
    assert "due_on stored" in str(found[0]) or "due_on stored" in str(found[1])
    with pytest.raises(CommandError, match="2 stored standings differ"):
        call_command("standings", "verify", stdout=io.StringIO())
    call_command("standings", "refresh", stdout=io.StringIO())
    assert verify_standings() == []


@pytest.mark.no_standings_check
def test_verify_reports_standings_of_rules_that_changed(agency, varied):
    call_command("standings", "refresh", stdout=io.StringIO())
    Standing.objects.filter(person=varied[0]).update(rules_version="0" * 16)
    found = verify_standings()
    assert found and all("rules_version" in d.problem for d in found)


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


@pytest.mark.django_db
def test_the_mandates_shown_are_those_the_staff_have_standings_under():
    from muster.agencies.compliance import board
    from muster.agencies.models import Agency, License
    from muster.agencies.tests.standings_check import flush

    agency = Agency.objects.create(name="Two State PD", code="two-state", state="MO")
    elsewhere = Agency.objects.create(name="Elsewhere", code="elsewhere", state="TX")
    make_person("Mo", "Officer", agency)
    make_person("Tex", "Officer", elsewhere, state="TX")
    flush()
    shown = [mandate for mandate, _ in board.mandates_shown(agency, 2026, TODAY)]
    assert shown and all(m.startswith("us.mo.") for m in shown)
    # A second license in Alabama brings its mandate in, and only for this agency.
    officer = make_person("Al", "Both", agency)
    License.objects.create(
        person=officer,
        jurisdiction="AL",
        discipline=officer.discipline,
        number="AL-1",
        licensed_on=date(2015, 6, 1),
    )
    flush()
    shown = [mandate for mandate, _ in board.mandates_shown(agency, 2026, TODAY)]
    assert any(m.startswith("us.al.") for m in shown)
    assert not any(m.startswith("us.tx.") for m in shown)
    texas = [mandate for mandate, _ in board.mandates_shown(elsewhere, 2026, TODAY)]
    assert texas and all(m.startswith("us.tx.") for m in texas)
    # The board reads the states with its units and disciplines, in one query:
    # the same mandates; someone without a license still brings their unit.
    unlicensed = make_person("No", "License", agency)
    License.objects.filter(person=unlicensed).delete()
    Employment.objects.filter(person=unlicensed).update(unit="Records")
    flush()
    for which in (agency, elsewhere):
        whole = _board(which)
        assert whole.mandates == board.mandates_shown(which, 2026, TODAY)
    assert "Records" in _board(agency).units
    assert "Records" not in _board(elsewhere).units


@time_machine.travel("2026-11-27 12:00:00+00:00", tick=False)
def test_a_row_shows_the_job_held_at_this_agency_not_one_elsewhere(agency):
    elsewhere = Agency.objects.create(name="County Jail", code="county", state="MO")
    person = make_person("Dual", "Worker", agency)
    Employment.objects.filter(person=person).update(unit="Patrol", title="Officer")
    Employment.objects.create(
        person=person,
        agency=elsewhere,
        unit="Jail",
        title="Guard",
        starts_on=date(2024, 1, 1),  # the later job, read first
    )
    flush()
    [here] = _board(agency).rows
    [there] = _board(elsewhere).rows
    assert (here.unit, here.title) == ("Patrol", "Officer")
    assert (there.unit, there.title) == ("Jail", "Guard")


@time_machine.travel("2026-11-27 12:00:00+00:00", tick=False)
def test_pages_are_counted_once_whatever_narrows_them(agency, varied, monkeypatch):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from muster.agencies.compliance import board

    monkeypatch.setattr(board, "PAGE_SIZE", 2)
    Employment.objects.filter(person__in=varied[:3]).update(unit="Traffic")
    names = sorted(p.last_name for p in varied[:3])
    first = _board(agency, unit="Traffic", sort="name")
    second = compliance.standings_for_agency(
        agency, 2026, compliance.Filters(unit="Traffic", sort="name"), TODAY, "2"
    )
    assert [r.last_name for r in first.rows + second.rows] == names
    assert first.page.paginator.count == second.page.paginator.count == 3
    assert first.page.has_next() and not second.page.has_next()
    # Nothing but the status: the status counts count the pages.
    at_risk = _board(agency, status="at-risk")
    assert at_risk.page.paginator.count == at_risk.tally["at-risk"]
    assert len(at_risk.rows) == min(2, at_risk.tally["at-risk"])
    # The page's own query counts the matching rows (a window count): a full
    # page, a later page and a short one ask no separate COUNT of them.
    with CaptureQueriesContext(connection) as full:
        _board(agency, unit="Traffic")
    with CaptureQueriesContext(connection) as later:
        compliance.standings_for_agency(
            agency, 2026, compliance.Filters(unit="Traffic"), TODAY, "2"
        )
    with CaptureQueriesContext(connection) as short:
        found = _board(agency, q=varied[4].last_name)
    assert [r.person_id for r in found.rows] == [varied[4].pk]
    assert found.page.paginator.count == 1 and not found.page.has_other_pages()
    assert len(short) == len(full) == len(later)
    for query in full.captured_queries + later.captured_queries:
        assert not query["sql"].startswith("SELECT COUNT(*) AS")
    # Past the last page, or before the first, the paginator's own fallback:
    # the last page.
    for asked in ("9", "0", "-1"):
        beyond = compliance.standings_for_agency(
            agency, 2026, compliance.Filters(unit="Traffic", sort="name"), TODAY, asked
        )
        assert beyond.page.number == 2
        assert [r.last_name for r in beyond.rows] == names[2:]
    nothing = _board(agency, unit="Traffic", q="nobody-is-called-this")
    assert nothing.rows == [] and nothing.page.paginator.count == 0
