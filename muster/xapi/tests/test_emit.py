"""Muster's own online courses send statements to the learner's agency's LRS."""

from __future__ import annotations

from muster.agencies.choices import RecordSource
from muster.agencies.models import TrainingRecord
from muster.learning.models import Attempt
from muster.learning.tests.helpers import (
    ClockMixin,
    make_course,
    ready_for_assessment,
    right_answers,
)
from muster.test import BaseTestCase
from muster.xapi.emit import VERBS
from muster.xapi.models import Statement


class EmitTestCase(ClockMixin, BaseTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.course = make_course()
        self.client.force_login(self.bob)
        self.enrollment = ready_for_assessment(self.client, self.course, self.clock)
        self.url = f"/learn/{self.course.slug}/assessment/"
        self.client.get(self.url)
        self.attempt = Attempt.objects.get(enrollment=self.enrollment)

    def test_a_course_taken_online_sends_launched_progressed_passed_completed(
        self,
    ) -> None:
        self.client.post(self.url, right_answers(self.attempt))
        self.client.post(self.url, right_answers(self.attempt))  # a double submit
        rows = Statement.objects.filter(agency=self.agency)
        verbs = sorted(rows.values_list("verb_id", flat=True))
        expected = sorted(
            [
                VERBS["launched"],
                VERBS["progressed"],
                VERBS["progressed"],
                VERBS["passed"],
                VERBS["completed"],
            ]
        )
        self.assertEqual(verbs, expected)
        completed = rows.get(verb_id=VERBS["completed"]).data
        self.assertEqual(
            completed["actor"]["account"]["name"], f"person-{self.bob_person.pk}"
        )
        self.assertEqual(
            completed["result"]["duration"],
            f"PT{self.enrollment.__class__.objects.get(pk=self.enrollment.pk).active_seconds}S",
        )
        self.assertEqual(completed["authority"]["name"], "Muster")
        # The course's own record is the only training record: the statement adds none.
        self.assertEqual(
            TrainingRecord.objects.filter(
                person=self.bob_person, source=RecordSource.XAPI
            ).count(),
            0,
        )
        self.assertFalse(Statement.objects.filter(agency=self.other_agency).exists())
