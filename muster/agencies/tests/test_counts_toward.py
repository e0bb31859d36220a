"""While a coordinator fills a record form, each credit line says what it will
count toward, from the mandates' own counting rules (htmx)."""

import time_machine

from muster.agencies.tests.test_recording import training_data
from muster.test import BaseTestCase


def line(hours: str, area: str = "", topics: tuple[str, ...] = (), **fields) -> dict:
    data = training_data(hours) | {"lines-0-area": area, "lines-0-topics": list(topics)}
    return data | fields


@time_machine.travel("2026-11-27 12:00:00+00:00", tick=False)
class CountsTowardTestCase(BaseTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.url = f"/people/{self.bob_person.pk}/counts-toward/"
        self.client.force_login(self.alice)

    def test_skill_development_without_the_topic_says_what_it_misses(self) -> None:
        response = self.client.post(self.url, line("2", "skill-development"))
        self.assertContains(response, "Line 1")
        self.assertContains(response, "will count toward:")
        self.assertContains(response, "Total CLEE hours")
        self.assertContains(
            response,
            "Not toward <strong>Skill development - firearms (live)</strong> unless "
            "the topic <strong>Firearms skill development</strong> is ticked",
        )

    def test_with_the_topic_it_counts_toward_the_firearms_requirement(self) -> None:
        response = self.client.post(
            self.url, line("2", "skill-development", ("firearms",))
        )
        content = response.content.decode()
        self.assertIn("Skill development - firearms (live)", content)
        self.assertNotIn("unless the topic", content)

    def test_online_firearms_hours_do_not_count_toward_the_live_requirement(self):
        response = self.client.post(
            self.url,
            line("2", "skill-development", ("firearms",), delivery="online"),
        )
        self.assertNotContains(response, "Skill development - firearms (live)")
        self.assertContains(response, "Total CLEE hours")

    def test_provider_kind_decides_the_approved_provider_hours(self) -> None:
        approved = self.client.post(self.url, line("2", "legal"))
        self.assertContains(approved, "Hours from an approved provider")
        in_service = self.client.post(
            self.url, line("2", "legal", provider_kind="in-service")
        )
        self.assertNotContains(in_service, "Hours from an approved provider")

    def test_a_line_without_hours_is_left_out(self) -> None:
        response = self.client.post(self.url, line(""))
        self.assertContains(response, "Enter the hours of a line")

    def test_the_form_asks_for_it_as_the_lines_change(self) -> None:
        form = self.client.get(
            f"/agencies/{self.agency.code}/people/{self.bob_person.pk}/training/new/"
        )
        self.assertContains(form, f'hx-post="{self.url}"')
        self.assertContains(form, 'id="counts-toward"')

    def test_a_class_asks_under_the_agencys_staff(self) -> None:
        url = f"/agencies/{self.agency.code}/classes/counts-toward/"
        response = self.client.post(url, line("1", "interpersonal", ("de-escalation",)))
        self.assertContains(response, "De-escalation")
        self.assertContains(response, "Interpersonal perspectives")
        form = self.client.get(f"/agencies/{self.agency.code}/classes/new/")
        self.assertContains(form, f'hx-post="{url}"')

    def test_the_officer_asks_for_their_own_self_report(self) -> None:
        self.client.force_login(self.bob)
        response = self.client.post(self.url, line("1", "legal"))
        self.assertContains(response, "Legal studies")
        form = self.client.get("/my/training/new/")
        self.assertContains(form, f'hx-post="{self.url}"')

    def test_a_reader_who_may_not_record_is_refused(self) -> None:
        self.client.force_login(self.sam)  # Missouri's state auditor
        self.assertEqual(self.client.post(self.url, line("1")).status_code, 404)

    def test_it_refuses_a_get(self) -> None:
        self.assertEqual(self.client.get(self.url).status_code, 405)
