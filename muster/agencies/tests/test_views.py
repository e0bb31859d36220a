"""The home page and the person page: statuses, explanations, warnings, login."""

import dataclasses
from datetime import date

import pytest

from muster import rules
from muster.agencies.models import Agency, Employment
from muster.agencies.tests.helpers import (
    add_missouri_2021_except_de_escalation,
    add_record,
    make_person,
)

pytestmark = pytest.mark.usefixtures("frozen_today")


@pytest.fixture
def signed_in(client, coordinator):
    client.force_login(coordinator)
    return client


@pytest.fixture
def behind(db):
    """A Missouri officer with 2026 training short of de-escalation, for pages."""
    person = make_person(first_name="Carol", last_name="Behind")
    add_record(
        person,
        date(2026, 3, 1),
        ("24", "technical", ["firearms"]),
        title="Long course",
        provider_kind="approved-provider",
    )
    return person


@pytest.fixture
def agency(db):
    return Agency.objects.create(
        name="Riverton Police Department",
        code="riverton-pd",
        kind="police-department",
        state="MO",
    )


def employ(person, agency):
    Employment.objects.create(person=person, agency=agency, starts_on=date(2015, 6, 1))


@pytest.mark.parametrize("url", ["/", "/people/1/"])
def test_it_sends_visitors_to_the_login_page(client, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].endswith(f"?next={url}")


def test_it_lists_people_with_their_status_this_year(signed_in, behind, agency):
    employ(behind, agency)
    response = signed_in.get(f"/agencies/{agency.code}/")
    assert response.status_code == 200
    content = response.content.decode()
    assert "Behind, Carol" in content
    assert behind.get_absolute_url() in content
    assert '<span class="status status-at-risk">at risk</span>' in content


def test_it_says_when_a_license_is_not_evaluated(signed_in, db):
    person = make_person(state="WY", last_name="Frontier")
    response = signed_in.get(person.get_absolute_url())
    assert "No Wyoming rules are encoded yet" in response.content.decode()


def test_it_shows_each_requirement_with_its_source(signed_in, behind):
    response = signed_in.get(behind.get_absolute_url())
    assert response.status_code == 200
    content = response.content.decode()
    assert "Carol Behind" in content
    assert "De-escalation" in content
    assert (
        '<a href="https://dps.mo.gov/news/newsitem/uuid/'
        '9a334ab7-6446-4d64-9726-46b6cb2183a6" rel="noopener noreferrer">'
        "POST Commission emergency rule, effective 2021-01-01 (DPS news release)</a>"
    ) in content
    assert '<span class="status status-missing">missing</span>' in content


def test_it_explains_how_each_line_counted(signed_in, behind):
    content = signed_in.get(behind.get_absolute_url()).content.decode()
    # Requirements by their labels, never by their ids ("toward total").
    assert (
        "2026-03-01 24.00 h (Long course): counted 24.00 h toward Total CLEE hours; "
        "counted 24.00 h toward Technical studies"
    ) in content


def test_it_says_beside_each_citation_how_sure_the_figure_is(signed_in, db):
    person = make_person()
    add_missouri_2021_except_de_escalation(person)
    content = signed_in.get(f"{person.get_absolute_url()}?year=2021").content.decode()
    total = '<small class="muted sureness">regulation text</small>'
    press = (
        '<small class="muted sureness">agency press release, not verified against '
        "the rule</small>"
    )
    assert total in content  # 24 hours: 11 CSR 75-15.010(2)
    assert press in content  # implicit bias and de-escalation: a DPS news release


def test_it_says_when_no_rules_are_encoded_for_the_year(signed_in, db):
    # Ohio's hours for 2024 were not found: the page must not read as "owes
    # nothing" (not-applicable) but say that the year is not encoded, and why.
    person = make_person(state="OH", licensed_on=date(2010, 6, 1))
    content = signed_in.get(f"{person.get_absolute_url()}?year=2024").content.decode()
    assert '<span class="status status-not-encoded">not encoded</span>' in content
    assert "NO RULES ENCODED for the period containing 31 December 2024" in content
    assert "status-not-applicable" not in content


def test_it_shows_an_earlier_year_on_request(signed_in, db):
    person = make_person()
    add_missouri_2021_except_de_escalation(person)
    content = signed_in.get(f"{person.get_absolute_url()}?year=2021").content
    assert b"CLEE), 2021" in content
    assert b'<span class="status status-deficient">deficient</span>' in content
    assert b"Range day" in content


@pytest.mark.parametrize("year", ["1949", "2030", "last"])
def test_it_refuses_a_year_out_of_range(signed_in, behind, year):
    response = signed_in.get(f"{behind.get_absolute_url()}?year={year}")
    assert response.status_code == 404


def test_it_shows_a_voided_record_as_void(signed_in, behind):
    record = behind.training_records.get()
    record.void("Entered for the wrong officer")
    content = signed_in.get(behind.get_absolute_url()).content.decode()
    assert "Void: Entered for the wrong officer" in content
    assert "counted 24.00 h" not in content


def test_it_warns_loudly_about_unverified_rules(signed_in, behind, agency, monkeypatch):
    library = rules.load_mandates()
    missouri = library.get("MO")
    unverified = dataclasses.replace(
        missouri,
        mandates=tuple(
            dataclasses.replace(m, is_verified=False) for m in missouri.mandates
        ),
    )
    fake = dataclasses.replace(
        library, jurisdictions={**library.jurisdictions, "MO": unverified}
    )
    monkeypatch.setattr(rules, "load_mandates", lambda: fake)

    employ(behind, agency)
    for url in [f"/agencies/{agency.code}/", behind.get_absolute_url()]:
        content = signed_in.get(url).content.decode()
        assert '<p class="warning" role="alert">UNVERIFIED RULES' in content


def test_it_answers_404_for_an_unknown_person(signed_in):
    assert signed_in.get("/people/999999/").status_code == 404
