"""The final assessment: gates, drawing, grading, waits and review."""

from __future__ import annotations

from datetime import timedelta

from muster.learning.models import Attempt, Enrollment
from muster.learning.tests.helpers import (
    ClockMixin,
    beat,
    make_course,
    ready_for_assessment,
    right_answers,
    sit_through,
    view_all_lessons,
)
from muster.test import BaseTestCase


class AssessmentGateTestCase(ClockMixin, BaseTestCase):
    """Skipping to the end earns nothing."""

    def setUp(self) -> None:
        super().setUp()
        self.course = make_course()
        self.client.force_login(self.bob)
        self.client.post(f"/learn/{self.course.slug}/enroll/")
        self.url = f"/learn/{self.course.slug}/assessment/"

    def test_it_refuses_the_assessment_before_the_seat_time(self) -> None:
        view_all_lessons(self.client, self.course)
        response = self.client.get(self.url)
        self.assertContains(response, 'id="assessment-blocked"')
        self.assertContains(response, "reaches 60 minutes; you have 0")
        self.assertFalse(Attempt.objects.exists())

    def test_it_refuses_the_assessment_until_every_lesson_is_viewed(self) -> None:
        self.client.get(f"/learn/{self.course.slug}/lessons/1/")
        beat(self.client, self.course)
        sit_through(self.client, self.course, self.clock, 60)
        response = self.client.get(self.url)
        self.assertContains(response, "1 not yet viewed")
        self.assertFalse(Attempt.objects.exists())

    def test_a_forged_submission_without_an_attempt_earns_nothing(self) -> None:
        response = self.client.post(self.url, {"attempt": "1", "q1": "1"})
        self.assertEqual(response.status_code, 404)
        enrollment = Enrollment.objects.get()
        self.assertIsNone(enrollment.record)
        self.assertFalse(enrollment.is_complete)


class AssessmentTestCase(ClockMixin, BaseTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.course = make_course()
        self.client.force_login(self.bob)
        self.enrollment = ready_for_assessment(self.client, self.course, self.clock)
        self.url = f"/learn/{self.course.slug}/assessment/"

    def open(self) -> Attempt:
        self.assertContains(self.client.get(self.url), 'id="assessment-form"')
        return Attempt.objects.get(enrollment=self.enrollment, submitted_at=None)

    def test_it_draws_final_questions_only_and_keeps_the_paper(self) -> None:
        attempt = self.open()
        self.assertEqual(len(attempt.questions), 3)
        drawn = self.course.questions.filter(
            pk__in=[q["question"] for q in attempt.questions]
        )
        self.assertFalse(drawn.filter(lesson__isnull=False).exists())
        self.assertEqual(self.open().pk, attempt.pk)

    def test_it_never_draws_a_question_removed_from_the_bank(self) -> None:
        final = self.course.questions.filter(lesson__isnull=True)
        removed = final.first()
        final.filter(pk=removed.pk).update(is_active=False)
        attempt = self.open()
        self.assertNotIn(removed.pk, [q["question"] for q in attempt.questions])

    def test_it_grades_and_reviews_a_failed_attempt(self) -> None:
        attempt = self.open()
        response = self.client.post(self.url, {"attempt": attempt.pk}, follow=True)
        self.assertContains(response, "Not passed")
        self.assertContains(response, "0 of 3 right")
        self.assertContains(response, "Because")
        self.assertContains(response, "You can try again in 1 h 0 min")
        self.enrollment.refresh_from_db()
        self.assertIsNone(self.enrollment.record)

    def test_it_makes_the_learner_wait_after_a_failure(self) -> None:
        attempt = self.open()
        self.client.post(self.url, {"attempt": attempt.pk})
        self.assertContains(self.client.get(self.url), "try again in 1 h 0 min")
        self.clock.shift(timedelta(minutes=25))
        self.client.get(self.url)  # Sessions end after 30 idle minutes.
        self.clock.shift(timedelta(minutes=20))
        self.assertContains(self.client.get(self.url), "try again in 15 min")
        self.clock.shift(timedelta(minutes=16))
        self.assertContains(self.client.get(self.url), 'id="assessment-form"')

    def test_it_stops_after_the_last_attempt(self) -> None:
        for _ in range(2):
            attempt = self.open()
            self.client.post(self.url, {"attempt": attempt.pk})
            # Sessions end after 30 idle minutes: keep this one alive while waiting.
            for _ in range(3):
                self.clock.shift(timedelta(minutes=25))
                self.client.get(self.url)
        self.assertContains(self.client.get(self.url), "used all 2 attempts")

    def test_a_double_submission_changes_nothing(self) -> None:
        attempt = self.open()
        self.client.post(self.url, {"attempt": attempt.pk})
        self.client.post(self.url, right_answers(attempt))
        attempt.refresh_from_db()
        self.assertFalse(attempt.is_passed)
        self.assertEqual(attempt.correct, 0)

    def test_it_ignores_choices_from_other_questions(self) -> None:
        attempt = self.open()
        data = right_answers(attempt)
        first, second = (f"q{q['question']}" for q in attempt.questions[:2])
        data[first] = data[second]
        self.client.post(self.url, data)
        attempt.refresh_from_db()
        self.assertEqual(attempt.correct, 2)

    def test_a_pass_completes_the_course_and_shows_the_certificate(self) -> None:
        attempt = self.open()
        response = self.client.post(self.url, right_answers(attempt), follow=True)
        self.assertContains(response, "Passed")
        self.assertContains(response, 'id="download-certificate"')
        self.enrollment.refresh_from_db()
        self.assertTrue(self.enrollment.is_complete)


class MultipleChoiceWordingTestCase(ClockMixin, BaseTestCase):
    """A question that already says "Choose all that apply" is not told twice."""

    def setUp(self) -> None:
        super().setUp()
        self.course = make_course()
        for question in self.course.questions.filter(lesson__isnull=True):
            question.kind = "multiple"
            question.text = f"{question.text}: which apply? Choose all that apply."
            question.save()
        self.client.force_login(self.bob)
        ready_for_assessment(self.client, self.course, self.clock)

    def test_it_says_choose_all_that_apply_once(self) -> None:
        page = self.client.get(f"/learn/{self.course.slug}/assessment/")
        self.assertContains(page, "Choose all that apply.")
        self.assertNotContains(page, "(choose all that apply)")
