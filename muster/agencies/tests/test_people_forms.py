"""Adding and changing a person in the interface: through actions, audited, for
the agency's own staff only; bad input writes nothing."""

import time_machine

from muster.agencies.models import Employment, License, Person
from muster.audit.choices import Action
from muster.audit.log import history_for
from muster.test import BaseTestCase


def person_data(**fields) -> dict:
    data = {
        "first_name": "Dana",
        "last_name": "Diaz",
        "external_id": "R-2207",
        "discipline": "peace-officer",
        "email": "dana@riverton.example.org",
        "license_number": "MO-884120",
        "license_class": "A",
        "licensed_on": "2019-08-01",
        "license_status": "active",
        "attributes": ["traffic-enforcement"],
        "title": "Patrol officer",
        "unit": "Patrol",
        "starts_on": "2024-02-01",
    }
    return data | fields


@time_machine.travel("2026-11-27 12:00:00+00:00", tick=False)
class PeopleFormsTestCase(BaseTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.new_url = f"/agencies/{self.agency.code}/people/new/"
        self.edit_url = (
            f"/agencies/{self.agency.code}/people/{self.bob_person.pk}/edit/"
        )
        self.client.force_login(self.alice)

    def test_a_coordinator_adds_a_person_with_license_and_job(self) -> None:
        response = self.client.post(self.new_url, person_data(), follow=True)
        self.assertContains(response, "Dana Diaz added to Riverton Police Department.")
        person = Person.objects.get(last_name="Diaz")
        license = person.licenses.get()
        self.assertEqual(
            (license.jurisdiction, license.number, license.attributes),
            ("MO", "MO-884120", ["traffic-enforcement"]),
        )
        job = person.employments.get()
        self.assertEqual((job.agency, job.title), (self.agency, "Patrol officer"))
        entry = history_for(person).get()
        self.assertEqual((entry.action, entry.actor), ("person.create", self.alice))
        license = person.licenses.get()
        self.assertEqual(history_for(license).get().after["number"], "MO-884120")
        self.assertEqual(history_for(job).get().action, "employment.create")
        self.assertContains(self.client.get(f"/agencies/{self.agency.code}/"), "Diaz")

    def test_bad_input_writes_nothing(self) -> None:
        before = (Person.objects.count(), License.objects.count())
        for bad, field in (
            ({"last_name": ""}, "last_name"),
            ({"starts_on": "1901-01-01"}, "starts_on"),
            ({"licensed_on": "2030-01-01"}, "licensed_on"),
            ({"attributes": ["jedi"]}, "attributes"),
            ({"email": "not an address"}, "email"),
        ):
            response = self.client.post(self.new_url, person_data(**bad))
            self.assertContains(response, f'id="id_{field}_error"', msg_prefix=field)
        self.assertEqual((Person.objects.count(), License.objects.count()), before)

    def test_the_dates_some_rules_count_from_are_saved_on_the_license(self) -> None:
        dates = {
            "appointed_on": "2022-03-15",
            "separated_on": "2019-06-30",
            "returned_on": "2022-09-01",
        }
        self.client.post(self.new_url, person_data(**dates))
        license = Person.objects.get(last_name="Diaz").licenses.get()
        after = history_for(license).get().after
        for name, day in dates.items():
            self.assertEqual(str(getattr(license, name)), day)
            self.assertEqual(after[name], day)

    def test_a_break_ending_before_it_starts_or_a_future_date_writes_nothing(self):
        before = License.objects.count()
        for bad, field in (
            (
                {"separated_on": "2022-09-01", "returned_on": "2019-06-30"},
                "returned_on",
            ),
            ({"appointed_on": "2030-01-01"}, "appointed_on"),
        ):
            response = self.client.post(self.new_url, person_data(**bad))
            self.assertContains(response, f'id="id_{field}_error"', msg_prefix=field)
        self.assertEqual(License.objects.count(), before)

    def test_a_license_number_already_on_file_is_refused_without_naming_whose(self):
        number = self.charlie_person.licenses.get().number
        response = self.client.post(self.new_url, person_data(license_number=number))
        self.assertContains(response, "already on file for someone else")
        self.assertNotContains(response, "Charlie")
        self.assertFalse(Person.objects.filter(last_name="Diaz").exists())

    def test_a_coordinator_changes_details_with_a_reason(self) -> None:
        page = self.client.get(self.edit_url)
        self.assertContains(page, 'value="Bob"')
        missing = self.client.post(self.edit_url, person_data(first_name="Robert"))
        self.assertContains(missing, 'id="id_reason_error"')
        self.client.post(
            self.edit_url,
            person_data(
                first_name="Robert",
                last_name="Baker",
                license_number="MO-000777",
                reason="Uses his full first name",
            ),
        )
        self.bob_person.refresh_from_db()
        self.assertEqual(self.bob_person.first_name, "Robert")
        entry = history_for(self.bob_person).get(action=Action.PERSON_CHANGE)
        self.assertEqual(entry.before["first_name"], "Bob")
        self.assertEqual(entry.after["first_name"], "Robert")
        license = self.bob_person.licenses.get()
        self.assertEqual(
            history_for(license).get(action=Action.LICENSE_CHANGE).after["number"],
            "MO-000777",
        )
        self.assertEqual(entry.reason, "Uses his full first name")

    def test_leaving_ends_the_job_and_keeps_the_person(self) -> None:
        self.client.post(
            self.edit_url,
            person_data(
                first_name="Bob",
                last_name="Baker",
                license_number="",
                ends_on="2026-11-01",
                reason="Resigned",
            ),
        )
        job = Employment.objects.get(person=self.bob_person, agency=self.agency)
        self.assertEqual(str(job.ends_on), "2026-11-01")
        self.assertTrue(Person.objects.filter(pk=self.bob_person.pk).exists())

    def test_another_agencys_person_cannot_be_edited(self) -> None:
        url = f"/agencies/{self.agency.code}/people/{self.charlie_person.pk}/edit/"
        self.assertEqual(self.client.get(url).status_code, 404)
        self.client.force_login(self.sam)
        self.assertEqual(self.client.get(self.new_url).status_code, 404)
