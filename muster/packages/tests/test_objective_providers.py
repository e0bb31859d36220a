"""Global objectives and shared data stay with the provider that wrote them.

"Global to the system" lets any package map any target ID. A course of another
provider naming a target ID of this one's courses would read the learner's
status there (its content can send it out: the player's frame may open popups)
and could write a status this provider's content then reads as the learner's.
So the system is the provider's: the learner's objectives and stores written by
one provider's courses are shared among that provider's courses only.
"""

from __future__ import annotations

from django.test import override_settings

from muster.agencies.choices import AgencyKind
from muster.agencies.models import Agency
from muster.catalog.models import Course
from muster.packages.models import GlobalObjective, SharedData
from muster.packages.tests import fixtures
from muster.packages.tests.helpers import imported
from muster.packages.tests.test_objectives import (
    CONTENT,
    FORCE,
    PASSED_SCO_ONE,
    GlobalObjectivesTestCase,
)

NOTES = "urn:muster:data:notes"


@override_settings(PACKAGE_CONTENT_ORIGIN=CONTENT)
class AnotherProviderTestCase(GlobalObjectivesTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.rival = Agency.objects.create(
            code="rival-academy",
            name="Rival Academy",
            kind=AgencyKind.STATE_AGENCY,
            state="MO",
        )
        # The same manifest, target IDs and all, in a course of another provider.
        self.other = imported(
            fixtures.global_objectives_zip(name="rival", title="Rival"), actor=self.ada
        )
        Course.objects.filter(pk=self.other.course_id).update(provider=self.rival)
        self.other.refresh_from_db()
        self.other_enrollment = self.enroll(self.bob, self.other)
        self.other_one, self.other_two = self.other.items.all()

    def test_another_providers_course_does_not_read_the_objective(self) -> None:
        self.commit(self.one, PASSED_SCO_ONE)
        self.assertEqual(
            self.launched_objectives(self.two)[1]["success_status"], "passed"
        )
        self.assertEqual(
            self.launched_objectives(self.other_two, self.other_enrollment),
            [{"id": "scenarios"}, {"id": "force-known"}, {"id": "quiz-known"}],
        )

    def test_another_providers_course_does_not_change_the_objective(self) -> None:
        self.commit(self.one, PASSED_SCO_ONE)
        failing = {**PASSED_SCO_ONE, "cmi.score.scaled": "0.1"}
        response = self.commit(self.other_one, failing, self.other_enrollment)
        self.assertEqual(response.status_code, 200)
        # Each provider's row: the academy's still passed, the rival's failed.
        rows = GlobalObjective.objects.filter(target_id=FORCE).order_by("pk")
        self.assertEqual(
            [(row.provider_id, row.success_status) for row in rows],
            [(self.package.course.provider_id, "passed"), (self.rival.pk, "failed")],
        )
        self.assertEqual(
            self.launched_objectives(self.two)[1]["success_status"], "passed"
        )
        self.assertEqual(
            self.launched_objectives(self.other_two, self.other_enrollment)[1][
                "success_status"
            ],
            "failed",
        )

    def test_another_providers_course_neither_reads_nor_writes_the_store(self) -> None:
        self.commit(self.one, {"adl.data": {NOTES: "the academy's"}})
        token_config = self.launched_config(self.other_two, self.other_enrollment)
        self.assertEqual(token_config["sharedData"]["stores"], {})
        self.commit(
            self.other_one, {"adl.data": {NOTES: "the rival's"}}, self.other_enrollment
        )
        self.assertEqual(
            self.launched_config(self.two)["sharedData"]["stores"],
            {NOTES: "the academy's"},
        )
        self.assertEqual(SharedData.objects.filter(target_id=NOTES).count(), 2)

    def test_the_record_page_shows_the_courses_own_providers_objectives(self) -> None:
        self.commit(self.one, PASSED_SCO_ONE)
        self.client.force_login(self.bob)
        page = self.client.get(f"/learn/{self.other.course.slug}/package/record/")
        self.assertEqual(page.status_code, 200)
        self.assertEqual(page.context["shared"], [])

    def launched_config(self, item, enrollment=None) -> dict:
        import json

        from muster.packages import launch

        enrollment = enrollment or self.enrollment
        token = launch.new_token(enrollment.pk, item.pk, "http://testserver")
        response = self.client.get(f"/package-content/{token}/", HTTP_HOST="127.0.0.1")
        return json.loads(
            response.content.decode()
            .split('id="muster-launch" type="application/json">')[1]
            .split("</script>")[0]
        )
