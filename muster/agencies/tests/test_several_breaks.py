"""Several breaks in service of one license: entered through the audited edit,
stored on the license, and read by the person page, stored standings and
`standings verify` alike (a refresher owed after an earlier long break is not
hidden by a later short one)."""

from datetime import date

import time_machine
from django.core.management import call_command

from muster.accounts.choices import Role
from muster.agencies.choices import AgencyKind
from muster.agencies.models import Agency, License, Standing
from muster.audit.log import history_for
from muster.test import BaseTestCase, make_person, make_user

# What the page's "Still needed" list says while the refresher is owed.
REFRESHER = (
    "Refresher skill tests and law courses, after a break of more than two years: "
    "not done yet, due by 1 October 2025."
)


def edit_data(person, **fields) -> dict:
    license = person.licenses.get()
    data = {
        "first_name": person.first_name,
        "last_name": person.last_name,
        "external_id": "",
        "discipline": "peace-officer",
        "email": person.email,
        "license_number": license.number,
        "license_class": "",
        "licensed_on": "2015-01-01",
        "license_status": "active",
        "title": "",
        "unit": "",
        "starts_on": "2015-01-01",
        "separated_on": "2025-03-01",
        "returned_on": "2025-06-01",
        "reason": "Breaks in service from the state record",
    }
    return data | fields


def refresher_2025(person) -> str | None:
    (standing,) = Standing.objects.filter(
        person=person, year=2025, mandate_id="us.ms.peace_officer"
    )
    return next(
        (
            r["status"]
            for r in standing.requirements
            if r["id"] == "refresher-skills-law"
        ),
        None,
    )


@time_machine.travel("2026-11-27 12:00:00+00:00", tick=False)
class SeveralBreaksTestCase(BaseTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.ms_agency = Agency.objects.create(
            name="Pearl River Police",
            code="pearl",
            kind=AgencyKind.POLICE_DEPARTMENT,
            state="MS",
        )
        self.officer = make_person(
            "Morgan",
            "Reyes",
            self.ms_agency,
            state="MS",
            attributes=(),
            hired_on=date(2015, 1, 1),
        )
        self.coordinator = make_user("mia", (Role.COORDINATOR, self.ms_agency))
        self.client.force_login(self.coordinator)
        self.edit_url = f"/agencies/pearl/people/{self.officer.pk}/edit/"

    def test_a_long_break_then_a_short_one_owes_the_refresher_everywhere(self) -> None:
        # The short latest break alone owes nothing.
        self.client.post(self.edit_url, edit_data(self.officer))
        self.assertIsNone(refresher_2025(self.officer))
        page = self.client.get(f"/people/{self.officer.pk}/?year=2025")
        self.assertNotContains(page, REFRESHER)

        # The earlier long break (two years and a day) entered with it: the
        # stored standing is rewritten by the same edit.
        response = self.client.post(
            self.edit_url,
            edit_data(self.officer, earlier_breaks="2022-09-30 to 2024-10-01"),
        )
        self.assertEqual(response.status_code, 302)
        license = self.officer.licenses.get()
        stored = [{"separated_on": "2022-09-30", "returned_on": "2024-10-01"}]
        self.assertEqual(license.earlier_breaks, stored)
        trail = [entry.after.get("earlier_breaks") for entry in history_for(license)]
        self.assertIn(stored, trail)
        self.assertEqual(refresher_2025(self.officer), "missing")
        page = self.client.get(f"/people/{self.officer.pk}/?year=2025")
        self.assertContains(page, REFRESHER)  # a year after the first return
        self.assertContains(page, "earlier breaks in service: 2022-09-30 to 2024-10-01")
        self.assertContains(
            page, "the break recorded runs from 2022-09-30 to 2024-10-01"
        )
        call_command("standings", "verify")  # raises on a stale standing

        # The edit form shows the breaks as they were entered.
        form = self.client.get(self.edit_url)
        self.assertContains(form, 'value="2022-09-30 to 2024-10-01"')

    def test_bad_earlier_breaks_write_nothing_and_say_why(self) -> None:
        before = self.officer.licenses.get().earlier_breaks
        for text, words in (
            ("2022-09-30 until 2024-10-01", "is not a break in service"),
            ("2024-10-01 to 2022-09-30", "ends before it starts"),
            (
                "2020-01-01 to 2021-01-01; 2020-06-01 to 2022-01-01",
                "starts before the break listed before it ends",
            ),
            ("2022-09-30 to 2025-04-01", "must end before the latest break starts"),
            ("2022-09-30 to 2030-01-01", "is after today"),
        ):
            response = self.client.post(
                self.edit_url, edit_data(self.officer, earlier_breaks=text)
            )
            self.assertContains(
                response, 'id="id_earlier_breaks_error"', msg_prefix=text
            )
            self.assertContains(response, words, msg_prefix=text)
        response = self.client.post(
            self.edit_url,
            edit_data(
                self.officer,
                earlier_breaks="2022-09-30 to 2024-10-01",
                separated_on="",
                returned_on="",
            ),
        )
        self.assertContains(response, "Earlier breaks need the latest break too")
        self.assertEqual(self.officer.licenses.get().earlier_breaks, before)

    def test_the_license_refuses_breaks_out_of_order(self) -> None:
        from django.core.exceptions import ValidationError

        license = License(
            person=self.officer,
            jurisdiction="FL",
            discipline="peace-officer",
            separated_on=date(2025, 3, 1),
            returned_on=date(2025, 6, 1),
            earlier_breaks=[
                {"separated_on": "2024-01-01", "returned_on": "2025-04-01"}
            ],
        )
        with self.assertRaisesMessage(ValidationError, "must end before"):
            license.full_clean()
        license.earlier_breaks = [{"left": "2020-01-01"}]
        with self.assertRaisesMessage(ValidationError, "Enter a list of breaks"):
            license.full_clean()
