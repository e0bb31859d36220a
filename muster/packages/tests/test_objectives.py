"""SCORM 2004 shared global objectives: read from the manifest, written from one
SCO's commits, read into another SCO's cmi.objectives at launch, kept to the
learner and, with objectivesGlobalToSystem false, to the course."""

from __future__ import annotations

import json
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings

from muster.learning.models import Enrollment
from muster.packages import launch
from muster.packages.models import CmiCommit, GlobalObjective, Package, SharedData
from muster.packages.tests import fixtures
from muster.packages.tests.helpers import MediaMixin, academy, author, imported
from muster.test import BaseTestCase

CONTENT = "http://127.0.0.1"
FORCE = "urn:muster:obj:force"

PASSED_SCO_ONE = {
    "cmi.completion_status": "completed",
    "cmi.score.scaled": "0.9",
    "cmi.score.raw": "90",
    "cmi.objectives.0.id": "force-taught",
    "cmi.objectives.1.id": "quiz-local",
    "cmi.objectives.1.success_status": "passed",
}


@override_settings(PACKAGE_CONTENT_ORIGIN=CONTENT)
class GlobalObjectivesTestCase(MediaMixin, BaseTestCase):
    global_to_system = "true"

    def setUp(self) -> None:
        super().setUp()
        self.ada = author()
        self.package = imported(
            fixtures.global_objectives_zip(global_to_system=self.global_to_system),
            actor=self.ada,
        )
        self.one, self.two = self.package.items.all()
        self.enrollment = self.enroll(self.bob, self.package)

    def enroll(self, user, package) -> Enrollment:
        self.client.force_login(user)
        self.client.post(f"/learn/{package.course.slug}/enroll/")
        return Enrollment.objects.get(user=user, course=package.course)

    def commit(self, item, data, enrollment=None):
        enrollment = enrollment or self.enrollment
        token = launch.new_token(enrollment.pk, item.pk, "http://testserver")
        return self.client.post(
            f"/package-content/{token}/commit/",
            json.dumps(data),
            content_type="text/plain",
            HTTP_HOST="127.0.0.1",
        )

    def launched_objectives(self, item, enrollment=None) -> list[dict]:
        enrollment = enrollment or self.enrollment
        token = launch.new_token(enrollment.pk, item.pk, "http://testserver")
        response = self.client.get(f"/package-content/{token}/", HTTP_HOST="127.0.0.1")
        config = json.loads(
            response.content.decode()
            .split('id="muster-launch" type="application/json">')[1]
            .split("</script>")[0]
        )
        return config["cmi"].get("objectives", [])


class ManifestTestCase(GlobalObjectivesTestCase):
    def test_the_objectives_and_their_maps_are_read_with_the_defaults(self) -> None:
        self.assertTrue(self.package.objectives_global_to_system)
        primary, quiz = self.one.objectives
        self.assertEqual(
            (primary["id"], primary["primary"], primary["min_measure"]),
            ("force-taught", True, "0.8"),
        )
        imsss, adlseq = primary["maps"]
        self.assertEqual(imsss["target"], FORCE)
        # SN book 5.1.5: reads default to true, writes to false.
        self.assertTrue(imsss["write_satisfied"] and imsss["write_measure"])
        self.assertTrue(imsss["read_satisfied"] and imsss["read_measure"])
        self.assertFalse(imsss["write_completion"])
        self.assertTrue(adlseq["write_completion"] and adlseq["write_raw"])
        self.assertFalse(adlseq["write_progress"] or adlseq["read_satisfied"])
        self.assertFalse(quiz["maps"][0]["write_satisfied"])
        self.assertEqual(
            self.two.data_maps,
            [{"target": "urn:muster:data:notes", "read": True, "write": True}],
        )


class ManifestErrorsTestCase(MediaMixin, BaseTestCase):
    def test_bad_objectives_are_named_and_nothing_is_written(self) -> None:
        manifest = (
            fixtures.MANIFEST_GLOBAL.format(
                global_to_system="maybe", name="bad", title="Bad"
            )
            .replace('<imsss:objective objectiveID="quiz-local">', "<imsss:objective>")
            .replace('writeSatisfiedStatus="true"', 'writeSatisfiedStatus="yes"')
            .replace(
                '<imsss:mapInfo targetObjectiveID="urn:muster:obj:quiz"/>',
                "<imsss:mapInfo/>",
            )
            .replace(
                '<adlseq:objective objectiveID="force-known">',
                '<adlseq:objective objectiveID="nowhere">',
            )
            .replace(
                '<imsss:primaryObjective objectiveID="scenarios"/>',
                '<imsss:primaryObjective objectiveID="scenarios"/>'
                '<imsss:primaryObjective objectiveID="again"/>',
            )
            .replace(
                '<adlcp:map targetID="urn:muster:data:notes" writeSharedData="true"/>',
                "<adlcp:map/>",
            )
        )
        files = {
            "imsmanifest.xml": manifest,
            "one/index.html": "",
            "two/index.html": "",
        }
        ada = author()
        self.client.force_login(ada)
        response = self.client.post(
            "/authoring/packages/new/",
            {
                "provider": academy().pk,
                "credited_hours": "1",
                "package": SimpleUploadedFile("p.zip", fixtures.build_zip(files)),
            },
        )
        self.assertEqual(response.status_code, 400)
        for message in (
            "imsmanifest.xml: <organization identifier='ORG'> has "
            "adlseq:objectivesGlobalToSystem='maybe'; expected true or false.",
            "imsmanifest.xml: <item identifier='SCO1'> has an <imsss:objective> "
            "without an objectiveID.",
            "imsmanifest.xml: <item identifier='SCO1'>, <imsss:mapInfo "
            "targetObjectiveID='urn:muster:obj:force'>, has writeSatisfiedStatus='yes'; "
            "expected true or false.",
            "imsmanifest.xml: <item identifier='SCO2'> has an <imsss:mapInfo> without "
            "a targetObjectiveID.",
            "imsmanifest.xml: <item identifier='SCO2'> has <adlseq:objective "
            "objectiveID='nowhere'>, which names no <imsss:primaryObjective> or "
            "<imsss:objective> of the item.",
            "imsmanifest.xml: <item identifier='SCO2'> has <imsss:objectives> with 2 "
            "<imsss:primaryObjective>; it must have exactly one.",
            "imsmanifest.xml: <item identifier='SCO2'> has an <adlcp:map> without a "
            "targetID.",
        ):
            self.assertIn(message, response.context["problems"])
        self.assertFalse(Package.objects.exists())


class SharedObjectiveTestCase(GlobalObjectivesTestCase):
    def test_sco_one_satisfies_the_objective_and_sco_two_reads_it_at_launch(
        self,
    ) -> None:
        self.assertEqual(
            self.launched_objectives(self.two),
            [{"id": "scenarios"}, {"id": "force-known"}, {"id": "quiz-known"}],
        )
        self.assertEqual(self.commit(self.one, PASSED_SCO_ONE).status_code, 200)
        row = GlobalObjective.objects.get()
        self.assertEqual(
            (row.target_id, row.person, row.package, row.success_status),
            (FORCE, self.bob_person, None, "passed"),
        )
        self.assertEqual(row.normalized_measure, Decimal("0.9"))
        self.assertEqual((row.completion_status, row.score_raw), ("completed", 90))
        self.assertEqual(row.written_by, CmiCommit.objects.get())
        self.assertEqual(
            self.launched_objectives(self.two),
            [
                {"id": "scenarios"},
                # readRawScore="false": the raw score stays behind.
                {
                    "id": "force-known",
                    "success_status": "passed",
                    "completion_status": "completed",
                    "score": {"scaled": "0.9"},
                },
                {"id": "quiz-known"},
            ],
        )

    def test_a_map_that_does_not_write_writes_nothing(self) -> None:
        # quiz-local is passed in the commit, but its map has writeSatisfiedStatus
        # false: no global objective urn:muster:obj:quiz appears.
        self.commit(self.one, PASSED_SCO_ONE)
        self.assertEqual(
            list(GlobalObjective.objects.values_list("target_id", flat=True)), [FORCE]
        )

    def test_unknown_does_not_erase_what_was_written(self) -> None:
        self.commit(self.one, PASSED_SCO_ONE)
        self.commit(self.one, {"cmi.completion_status": "incomplete"})
        row = GlobalObjective.objects.get()
        # No score: satisfied by measure is unknown, so passed stays; completion
        # is known (incomplete) and is written.
        self.assertEqual(
            (row.success_status, row.normalized_measure), ("passed", Decimal("0.9"))
        )
        self.assertEqual(row.completion_status, "incomplete")

    def test_a_failed_score_is_written_as_failed(self) -> None:
        self.commit(self.one, {**PASSED_SCO_ONE, "cmi.score.scaled": "0.5"})
        row = GlobalObjective.objects.get()
        self.assertEqual(
            (row.success_status, row.normalized_measure), ("failed", Decimal("0.5"))
        )
        self.assertEqual(
            self.launched_objectives(self.two)[1]["success_status"], "failed"
        )

    def test_a_bad_objective_value_refuses_the_commit_by_name(self) -> None:
        response = self.commit(
            self.one, {**PASSED_SCO_ONE, "cmi.objectives.1.success_status": "great"}
        )
        self.assertEqual(response.status_code, 400)
        self.assertIn(
            "cmi.objectives.1.success_status: 'great' is not one of",
            response.json()["error"],
        )
        response = self.commit(
            self.one, {**PASSED_SCO_ONE, "cmi.objectives.0.score.scaled": "2"}
        )
        self.assertIn(
            "cmi.objectives.0.score.scaled: 2 is outside -1 to 1",
            response.json()["error"],
        )
        self.assertFalse(CmiCommit.objects.exists())
        self.assertFalse(GlobalObjective.objects.exists())

    def test_objectives_global_to_the_system_reach_the_learners_other_courses(
        self,
    ) -> None:
        self.commit(self.one, PASSED_SCO_ONE)
        other = imported(
            fixtures.global_objectives_zip(name="other", title="Other"), actor=self.ada
        )
        enrollment = self.enroll(self.bob, other)
        second = other.items.get(position=2)
        self.assertEqual(
            self.launched_objectives(second, enrollment)[1]["success_status"], "passed"
        )

    def test_another_learner_never_sees_them(self) -> None:
        # Charlie, of another agency, takes the same course after Bob passed.
        self.commit(self.one, PASSED_SCO_ONE)
        charlie = self.enroll(self.charlie, self.package)
        self.assertEqual(
            self.launched_objectives(self.two, charlie),
            [{"id": "scenarios"}, {"id": "force-known"}, {"id": "quiz-known"}],
        )
        self.commit(self.one, {**PASSED_SCO_ONE, "cmi.score.scaled": "0.2"}, charlie)
        mine = GlobalObjective.objects.get(person=self.bob_person)
        self.assertEqual(mine.success_status, "passed")
        theirs = GlobalObjective.objects.get(person=self.charlie_person)
        self.assertEqual(theirs.success_status, "failed")
        self.assertEqual(
            self.launched_objectives(self.two)[1]["success_status"], "passed"
        )


class CourseScopedObjectiveTestCase(GlobalObjectivesTestCase):
    global_to_system = "false"

    def test_objectives_not_global_to_the_system_stay_in_the_course(self) -> None:
        self.assertFalse(self.package.objectives_global_to_system)
        self.commit(self.one, PASSED_SCO_ONE)
        row = GlobalObjective.objects.get()
        self.assertEqual(row.package, self.package)
        self.assertEqual(
            self.launched_objectives(self.two)[1]["success_status"], "passed"
        )
        # Another course mapping the same target ID, global to the system or
        # not, does not see it.
        for scope in ("true", "false"):
            other = imported(
                fixtures.global_objectives_zip(
                    global_to_system=scope, name=f"other-{scope}", title=scope
                ),
                actor=self.ada,
            )
            enrollment = self.enroll(self.bob, other)
            second = other.items.get(position=2)
            self.assertNotIn(
                "success_status", self.launched_objectives(second, enrollment)[1]
            )


class SharedDataTestCase(GlobalObjectivesTestCase):
    def shared(self, item, enrollment=None) -> dict:
        enrollment = enrollment or self.enrollment
        token = launch.new_token(enrollment.pk, item.pk, "http://testserver")
        response = self.client.get(f"/package-content/{token}/", HTTP_HOST="127.0.0.1")
        return json.loads(
            response.content.decode()
            .split('id="muster-launch" type="application/json">')[1]
            .split("</script>")[0]
        )["sharedData"]

    def test_a_store_written_by_one_sco_is_read_by_the_next(self) -> None:
        notes = "urn:muster:data:notes"
        self.assertEqual(
            self.shared(self.two),
            {
                "maps": [
                    {"targetID": notes, "readSharedData": True, "writeSharedData": True}
                ],
                "stores": {},
            },
        )
        response = self.commit(self.one, {"adl.data": {notes: "radio code 10-4"}})
        self.assertEqual(response.status_code, 200)
        row = SharedData.objects.get()
        scope = None if self.global_to_system == "true" else self.package
        self.assertEqual(
            (row.person, row.package, row.store),
            (self.bob_person, scope, "radio code 10-4"),
        )
        self.assertEqual(self.shared(self.two)["stores"], {notes: "radio code 10-4"})
        # SCO 1 may write but not read it (readSharedData="false").
        self.assertEqual(self.shared(self.one)["stores"], {})

    def test_a_store_the_item_may_not_write_is_refused_by_name(self) -> None:
        response = self.commit(self.one, {"adl.data": {"urn:other": "x"}})
        self.assertEqual(response.status_code, 400)
        self.assertIn(
            "adl.data: 'urn:other' is not a shared data map this item may write.",
            response.json()["error"],
        )
        response = self.commit(
            self.one, {"adl.data": {"urn:muster:data:notes": "x" * 64001}}
        )
        self.assertIn("more than the 64000 allowed", response.json()["error"])
        self.assertFalse(SharedData.objects.exists())
        self.assertFalse(CmiCommit.objects.exists())

    def test_another_learner_never_reads_the_store(self) -> None:
        self.commit(self.one, {"adl.data": {"urn:muster:data:notes": "bob's"}})
        charlie = self.enroll(self.charlie, self.package)
        self.assertEqual(self.shared(self.two, charlie)["stores"], {})


class CourseScopedSharedDataTestCase(SharedDataTestCase):
    global_to_system = "false"

    def test_shared_data_not_global_to_the_system_stays_in_the_course(self) -> None:
        self.assertFalse(self.package.shared_data_global_to_system)
        self.commit(self.one, {"adl.data": {"urn:muster:data:notes": "here"}})
        self.assertEqual(SharedData.objects.get().package, self.package)
        other = imported(
            fixtures.global_objectives_zip(name="other", title="Other"), actor=self.ada
        )
        enrollment = self.enroll(self.bob, other)
        self.assertEqual(
            self.shared(other.items.get(position=2), enrollment)["stores"], {}
        )


class RecordPageTestCase(GlobalObjectivesTestCase):
    def test_the_learners_shared_objectives_are_on_their_record_page(self) -> None:
        self.commit(self.one, PASSED_SCO_ONE)
        url = f"/learn/{self.package.course.slug}/package/record/"
        response = self.client.get(url)
        self.assertEqual([g.target_id for g in response.context["shared"]], [FORCE])
        self.assertContains(response, "<td>passed</td>", html=False)
        self.client.force_login(self.charlie)
        self.client.post(f"/learn/{self.package.course.slug}/enroll/")
        self.assertEqual(self.client.get(url).context["shared"], [])
