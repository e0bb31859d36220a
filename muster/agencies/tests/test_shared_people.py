"""A person two agencies employ at once (a reserve post): the person form keeps
their name, email, badge number, discipline and license as the roster import
does (access.kept_fields), and changes only the job at the agency editing."""

from datetime import date

import time_machine

from muster.accounts import access
from muster.agencies import actions
from muster.agencies.models import Employment, License, Person, breaks_to_stored
from muster.agencies.tests.test_people_forms import person_data
from muster.audit.models import AuditEntry
from muster.test import BaseTestCase

KEPT = "another agency employs this person too"


def shared_post(person: Person, **changes) -> dict:
    """What a browser posts for `person`'s edit form: the read-only fields are
    not sent; `changes` adds fields, as a crafted post would."""
    job = {"title": "Reserve deputy", "unit": "Patrol", "starts_on": "2015-06-01"}
    return {"reason": "Reserve post", **job, **changes}


@time_machine.travel("2026-11-27 12:00:00+00:00", tick=False)
class SharedPersonFormTestCase(BaseTestCase):
    def setUp(self) -> None:
        super().setUp()
        # Bob works at Riverton (Alice's) and, today, at Oakdale (Dana's) too.
        self.reserve = Employment.objects.create(
            person=self.bob_person, agency=self.other_agency, starts_on=date(2020, 1, 1)
        )
        self.license = self.bob_person.licenses.get()
        License.objects.filter(pk=self.license.pk).update(
            separated_on=date(2018, 1, 1),
            returned_on=date(2019, 1, 1),
            earlier_breaks=breaks_to_stored([(date(2010, 1, 1), date(2011, 1, 1))]),
        )
        self.url = f"/agencies/{self.agency.code}/people/{self.bob_person.pk}/edit/"
        self.client.force_login(self.alice)

    def details(self) -> tuple:
        person = Person.objects.get(pk=self.bob_person.pk)
        license = License.objects.get(pk=self.license.pk)
        return (
            person.first_name,
            person.last_name,
            person.email,
            person.external_id,
            person.discipline,
            license.number,
            license.jurisdiction,
            license.licensed_on,
            license.status,
            license.license_class,
            license.separated_on,
            license.returned_on,
            license.earlier_breaks,
            license.attributes,
        )

    def written(self) -> tuple:
        return (self.details(), AuditEntry.objects.count(), License.objects.count())

    def test_the_page_shows_the_shared_details_read_only_with_the_reason(self) -> None:
        page = self.client.get(self.url)
        self.assertContains(page, KEPT)
        html = page.content.decode()
        for name in (
            "first_name",
            "last_name",
            "email",
            "external_id",
            "discipline",
            "license_number",
            "license_status",
            "licensed_on",
            "separated_on",
            "earlier_breaks",
            "attributes",
        ):
            self.assertIn("disabled", _input(html, name), name)
        self.assertContains(page, 'value="Bob"')
        # The job here stays editable; nothing names the other agency.
        self.assertNotIn("disabled", _input(html, "title"))
        self.assertNotIn("disabled", _input(html, "starts_on"))
        self.assertNotContains(page, self.other_agency.name)
        self.assertNotContains(page, "Oakdale")

    def test_a_posted_change_to_any_shared_field_writes_nothing(self) -> None:
        before = self.written()
        for name, value in (
            ("first_name", "Robert"),
            ("last_name", "Renamed"),
            ("email", "bob@attacker.example.org"),
            ("external_id", "X-1"),
            ("discipline", "corrections"),
            ("license_number", "MO-999999"),
            ("license_class", "B"),
            ("licensed_on", "2001-01-01"),
            ("license_status", "revoked"),
            ("separated_on", "2017-01-01"),
            ("returned_on", "2019-06-01"),
            ("earlier_breaks", "2012-01-15 to 2014-03-01"),
            ("attributes", ["firearms-carry"]),
        ):
            response = self.client.post(
                self.url, shared_post(self.bob_person, **{name: value})
            )
            self.assertEqual(response.status_code, 200, name)
            self.assertContains(response, f'id="id_{name}_error"', msg_prefix=name)
            self.assertContains(response, f"Kept as it is: {KEPT}", msg_prefix=name)
            self.assertEqual(self.written(), before, name)
        self.assertEqual(
            Employment.objects.get(person=self.bob_person, agency=self.agency).title, ""
        )

    def test_the_whole_form_posted_back_unchanged_changes_only_the_job(self) -> None:
        before = self.details()
        data = person_data(
            first_name="Bob",
            last_name="Baker",
            external_id="",
            email="bob@example.org",
            license_number=self.license.number,
            license_class="",
            licensed_on="2015-06-01",
            attributes=["traffic-enforcement"],
            separated_on="2018-01-01",
            returned_on="2019-01-01",
            earlier_breaks="2010-01-01 to 2011-01-01",
            starts_on="2015-06-01",
            title="Reserve deputy",
            reason="Reserve post",
        )
        response = self.client.post(self.url, data)
        self.assertEqual(response.status_code, 302)
        self.assertEqual(self.details(), before)
        job = Employment.objects.get(person=self.bob_person, agency=self.agency)
        self.assertEqual(job.title, "Reserve deputy")
        self.assertEqual(
            AuditEntry.objects.filter(object_type="agencies.Person").count(), 0
        )

    def test_the_job_here_and_leaving_stay_editable(self) -> None:
        before = self.details()
        response = self.client.post(
            self.url, shared_post(self.bob_person, ends_on="2026-11-01")
        )
        self.assertEqual(response.status_code, 302)
        job = Employment.objects.get(person=self.bob_person, agency=self.agency)
        self.assertEqual(
            (job.title, str(job.ends_on)), ("Reserve deputy", "2026-11-01")
        )
        self.assertEqual(self.details(), before)
        self.reserve.refresh_from_db()
        self.assertIsNone(self.reserve.ends_on)

    def test_the_action_refuses_even_without_the_form(self) -> None:
        before = self.written()
        kept = access.kept_fields(self.alice, self.agency, self.bob_person)
        job = Employment.objects.get(person=self.bob_person, agency=self.agency)
        with self.assertRaises(actions.SharedDetailsKept) as refused:
            actions.edit_person(
                actor=self.alice,
                person=self.bob_person,
                agency=self.agency,
                person_fields={"first_name": "Robert"},
                license_fields={"earlier_breaks": []},
                employment_fields={"title": "Changed", "starts_on": job.starts_on},
                reason="Probe",
                kept=kept,
            )
        self.assertEqual(refused.exception.fields, ["first_name", "earlier_breaks"])
        self.assertEqual(self.written(), before)
        job.refresh_from_db()
        self.assertEqual(job.title, "")

    def test_no_license_is_added_for_a_shared_person_without_one_here(self) -> None:
        License.objects.filter(pk=self.license.pk).update(jurisdiction="KS")
        before = License.objects.count()
        response = self.client.post(self.url, shared_post(self.bob_person))
        self.assertEqual(response.status_code, 302)
        self.assertEqual(License.objects.count(), before)
        forged = self.client.post(
            self.url, shared_post(self.bob_person, license_number="MO-123123")
        )
        self.assertContains(forged, f"Kept as it is: {KEPT}")
        self.assertEqual(License.objects.count(), before)

    def test_the_other_agencys_coordinator_is_held_to_the_same_rule(self) -> None:
        self.client.force_login(self.dana)
        url = f"/agencies/{self.other_agency.code}/people/{self.bob_person.pk}/edit/"
        page = self.client.get(url)
        self.assertContains(page, KEPT)
        self.assertNotContains(page, self.agency.name)
        before = self.written()
        response = self.client.post(url, shared_post(self.bob_person, first_name="Rob"))
        self.assertContains(response, f"Kept as it is: {KEPT}")
        self.assertEqual(self.written(), before)
        self.assertEqual(
            self.client.post(url, shared_post(self.bob_person)).status_code, 302
        )
        self.reserve.refresh_from_db()
        self.assertEqual(self.reserve.title, "Reserve deputy")

    def test_a_hire_at_the_other_agency_not_yet_begun_counts(self) -> None:
        Employment.objects.filter(pk=self.reserve.pk).update(starts_on=date(2027, 1, 4))
        before = self.written()
        response = self.client.post(
            self.url, shared_post(self.bob_person, first_name="Rob")
        )
        self.assertContains(response, f"Kept as it is: {KEPT}")
        self.assertEqual(self.written(), before)

    def test_a_former_job_elsewhere_leaves_the_details_to_this_agency(self) -> None:
        Employment.objects.filter(pk=self.reserve.pk).update(ends_on=date(2026, 1, 31))
        page = self.client.get(self.url)
        self.assertNotContains(page, KEPT)
        self.assertNotIn("disabled", _input(page.content.decode(), "first_name"))
        data = person_data(
            first_name="Robert",
            last_name="Baker",
            license_number=self.license.number,
            earlier_breaks="",
            reason="Full first name",
        )
        self.assertEqual(self.client.post(self.url, data).status_code, 302)
        person = Person.objects.get(pk=self.bob_person.pk)
        self.assertEqual(person.first_name, "Robert")
        self.assertEqual(License.objects.get(pk=self.license.pk).earlier_breaks, [])

    def test_a_platform_administrator_may_still_correct_them(self) -> None:
        self.client.force_login(self.root)
        self.assertNotContains(self.client.get(self.url), KEPT)
        data = person_data(
            first_name="Robert",
            last_name="Baker",
            license_number=self.license.number,
            reason="Corrected for the state",
        )
        self.assertEqual(self.client.post(self.url, data).status_code, 302)
        self.assertEqual(Person.objects.get(pk=self.bob_person.pk).first_name, "Robert")

    def test_a_state_auditor_changes_nothing(self) -> None:
        self.client.force_login(self.sam)
        before = self.written()
        self.assertEqual(self.client.get(self.url).status_code, 404)
        response = self.client.post(
            self.url, shared_post(self.bob_person, first_name="X")
        )
        self.assertEqual(response.status_code, 404)
        self.assertEqual(self.written(), before)


def _input(html: str, name: str) -> str:
    """The tag of the form control named `name`."""
    start = html.index(f'name="{name}"')
    return html[html.rindex("<", 0, start) : html.index(">", start)]
