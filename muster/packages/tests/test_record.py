"""The learner's page of what each SCO reported: objectives and interactions."""

from __future__ import annotations

import json

from django.test import override_settings

from muster.learning.models import Enrollment
from muster.packages import launch
from muster.packages.tests import fixtures
from muster.packages.tests.helpers import MediaMixin, author, imported
from muster.test import BaseTestCase


@override_settings(PACKAGE_CONTENT_ORIGIN="http://127.0.0.1")
class RecordPageTestCase(MediaMixin, BaseTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.ada = author()

    def take(self, data: bytes, user) -> Enrollment:
        package = imported(data, actor=self.ada)
        self.client.force_login(user)
        self.client.post(f"/learn/{package.course.slug}/enroll/")
        return Enrollment.objects.get(user=user, course=package.course)

    def commit(self, enrollment, data, launch_id="one"):
        item = enrollment.course.package.items.first()
        token = launch.new_token(
            enrollment.pk, item.pk, "http://testserver", launch_id=launch_id
        )
        response = self.client.post(
            f"/package-content/{token}/commit/",
            json.dumps(data),
            content_type="text/plain",
            HTTP_HOST="127.0.0.1",
        )
        self.assertEqual(response.status_code, 200, response.content)

    def test_a_2004_scos_objectives_and_interactions_are_shown(self) -> None:
        enrollment = self.take(fixtures.scorm2004_zip(), self.bob)
        self.commit(
            enrollment,
            {
                "cmi.completion_status": "completed",
                "cmi.score.scaled": "0.9",
                "cmi.objectives.0.id": "pass",
                "cmi.objectives.0.success_status": "passed",
                "cmi.objectives.0.completion_status": "completed",
                "cmi.objectives.0.score.scaled": "0.9",
                "cmi.interactions.0.id": "q1",
                "cmi.interactions.0.type": "choice",
                "cmi.interactions.0.learner_response": "<b>c</b>",
                "cmi.interactions.0.correct_responses.0.pattern": "c",
                "cmi.interactions.0.result": "correct",
                "cmi.interactions.0.timestamp": "2026-03-02T10:00:00",
            },
        )
        response = self.client.get(f"/learn/{enrollment.course.slug}/package/record/")
        self.assertContains(response, '<th scope="row">pass</th>', html=False)
        self.assertContains(response, "completed / passed")
        self.assertContains(response, "<td>choice</td>", html=False)
        self.assertContains(response, "<td>correct</td>", html=False)
        # The SCO's values are text, never markup.
        self.assertContains(response, "&lt;b&gt;c&lt;/b&gt;")
        self.assertNotContains(response, "<b>c</b>")
        self.assertContains(response, "2026-03-02T10:00:00")

    def test_a_12_scos_objectives_and_interactions_are_shown(self) -> None:
        enrollment = self.take(fixtures.scorm12_zip(), self.bob)
        self.commit(
            enrollment,
            {
                "cmi.core.lesson_status": "incomplete",
                "cmi.objectives.0.id": "obj-radio",
                "cmi.objectives.0.status": "passed",
                "cmi.objectives.0.score.raw": "85",
                "cmi.interactions.0.id": "q-radio",
                "cmi.interactions.0.type": "true-false",
                "cmi.interactions.0.student_response": "t",
                "cmi.interactions.0.result": "wrong",
                "cmi.interactions.0.time": "10:00:00",
            },
        )
        self.commit(enrollment, {"cmi.core.lesson_status": "incomplete"}, "two")
        response = self.client.get(f"/learn/{enrollment.course.slug}/package/record/")
        self.assertContains(response, "obj-radio")
        self.assertContains(response, "<td>85</td>", html=False)
        self.assertContains(response, "q-radio")
        self.assertContains(response, "<td>wrong</td>", html=False)
        # Two sessions: the second reported nothing.
        self.assertContains(response, "No objectives or interactions reported.")

    def test_only_the_learner_sees_their_page(self) -> None:
        enrollment = self.take(fixtures.scorm2004_zip(), self.bob)
        self.commit(enrollment, {"cmi.objectives.0.id": "bobs-objective"})
        url = f"/learn/{enrollment.course.slug}/package/record/"
        for other in (self.charlie, self.alice, self.dana, self.sam):
            with self.subTest(other.username):
                self.client.force_login(other)
                self.assertEqual(self.client.get(url).status_code, 404)
        # Charlie's own enrollment in the same course shows Charlie's, not Bob's.
        self.client.force_login(self.charlie)
        self.client.post(f"/learn/{enrollment.course.slug}/enroll/")
        response = self.client.get(url)
        self.assertEqual(response.status_code, 200)
        self.assertNotContains(response, "bobs-objective")
