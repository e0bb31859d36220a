"""Starting a course, the lesson pages, knowledge checks and resuming."""

from __future__ import annotations

import tempfile
from datetime import date

from django.core.files.base import ContentFile
from django.test import override_settings
from django.utils import timezone

from muster.agencies.models import License
from muster.catalog.models import LessonAsset
from muster.learning.models import Enrollment, LessonProgress
from muster.learning.tests.helpers import make_course
from muster.test import BaseTestCase


class EnrollTestCase(BaseTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.course = make_course()
        self.url = f"/learn/{self.course.slug}/enroll/"
        self.client.force_login(self.bob)

    def test_it_enrolls_a_licensed_officer_in_a_state_that_approved_it(self) -> None:
        response = self.client.post(self.url)
        self.assertRedirects(response, f"/learn/{self.course.slug}/lessons/1/")
        enrollment = Enrollment.objects.get(person=self.bob_person)
        self.assertEqual(enrollment.jurisdiction, "MO")
        self.assertEqual(enrollment.user, self.bob)

    def test_it_reuses_the_open_enrollment(self) -> None:
        self.client.post(self.url)
        self.client.post(self.url)
        self.assertEqual(Enrollment.objects.filter(person=self.bob_person).count(), 1)

    def test_it_refuses_where_the_course_is_not_approved(self) -> None:
        License.objects.filter(person=self.bob_person).update(jurisdiction="TN")
        response = self.client.post(self.url, follow=True)
        self.assertContains(response, "not approved for credit in any state")
        self.assertFalse(Enrollment.objects.exists())

    def test_it_refuses_a_user_without_an_officer_record(self) -> None:
        self.client.force_login(self.alice)
        response = self.client.post(self.url, follow=True)
        self.assertContains(response, "not linked to an officer record")
        self.assertFalse(Enrollment.objects.exists())

    def test_it_refuses_a_course_not_yet_released(self) -> None:
        self.course.release_on = date(2099, 1, 1)
        self.course.save()
        self.assertEqual(self.client.post(self.url).status_code, 404)
        self.assertFalse(Enrollment.objects.exists())

    def test_it_offers_the_course_to_someone_not_enrolled(self) -> None:
        response = self.client.get(f"/learn/{self.course.slug}/")
        self.assertContains(response, 'id="enroll-button"')

    def test_it_shows_a_retired_course_taken_before_as_closed(self) -> None:
        Enrollment.objects.create(
            person=self.bob_person,
            user=self.bob,
            course=self.course,
            jurisdiction="MO",
            completed_at=timezone.now(),
        )
        self.course.retire_on = date(2022, 1, 1)
        self.course.save()
        response = self.client.get(f"/learn/{self.course.slug}/")
        self.assertContains(response, "not open for new enrollments")
        self.assertNotContains(response, 'id="enroll-button"')


class LessonTestCase(BaseTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.course = make_course()
        self.client.force_login(self.bob)
        self.client.post(f"/learn/{self.course.slug}/enroll/")
        self.base = f"/learn/{self.course.slug}"

    def test_it_renders_the_lesson_body_as_sanitised_markdown(self) -> None:
        lesson = self.course.lessons.get(position=1)
        lesson.body = "# Bias\n\n<script>alert(1)</script> **bold**"
        lesson.save()
        response = self.client.get(f"{self.base}/lessons/1/")
        self.assertContains(response, "<strong>bold</strong>", html=True)
        self.assertNotContains(response, "<script>alert")
        self.assertContains(response, "learning/seat.js")

    def test_it_saves_progress_and_resumes_at_the_last_lesson(self) -> None:
        self.client.get(f"{self.base}/lessons/1/")
        response = self.client.post(f"{self.base}/lessons/1/")
        self.assertRedirects(response, f"{self.base}/lessons/2/")
        self.client.get(f"{self.base}/lessons/2/")
        self.assertRedirects(
            self.client.get(f"{self.base}/"), f"{self.base}/lessons/2/"
        )
        done = LessonProgress.objects.filter(completed_at__isnull=False)
        self.assertEqual([p.lesson.position for p in done], [1])

    def test_the_last_lesson_leads_to_the_assessment(self) -> None:
        response = self.client.post(f"{self.base}/lessons/2/")
        self.assertRedirects(
            response, f"{self.base}/assessment/", fetch_redirect_response=False
        )

    def test_a_knowledge_check_gives_instant_feedback(self) -> None:
        check = self.course.questions.get(lesson__isnull=False)
        right = check.choices.get(is_correct=True)
        wrong = check.choices.get(is_correct=False)
        url = f"{self.base}/lessons/1/"
        response = self.client.post(url, {"question": check.pk, "choice": right.pk})
        self.assertContains(response, "Correct.")
        self.assertContains(response, "works without awareness")
        response = self.client.post(url, {"question": check.pk, "choice": wrong.pk})
        self.assertContains(response, "Not quite.")

    def test_it_hides_another_persons_lesson_pages(self) -> None:
        self.client.force_login(self.charlie)
        self.assertEqual(self.client.get(f"{self.base}/lessons/1/").status_code, 404)


class LessonAssetTestCase(BaseTestCase):
    """The lesson's files are the catalog's asset URL, open to the learner."""

    def setUp(self) -> None:
        super().setUp()
        media = tempfile.TemporaryDirectory()
        self.addCleanup(media.cleanup)
        self.enterContext(override_settings(MEDIA_ROOT=media.name))
        self.course = make_course()
        self.handout = LessonAsset.objects.create(
            lesson=self.course.lessons.get(position=1),
            kind="handout",
            title="Checklist",
            file=ContentFile(b"checklist", name="checklist.txt"),
        )
        self.url = f"/courses/{self.course.slug}/assets/{self.handout.pk}/"
        self.client.force_login(self.bob)
        self.client.post(f"/learn/{self.course.slug}/enroll/")

    def test_the_lesson_page_links_its_handout(self) -> None:
        response = self.client.get(f"/learn/{self.course.slug}/lessons/1/")
        self.assertContains(response, f'href="{self.url}"')
        self.assertEqual(self.client.get(self.url).status_code, 200)

    def test_a_learner_keeps_the_files_of_a_course_retired_mid_course(self) -> None:
        self.course.retire_on = date(2022, 1, 1)
        self.course.save()
        self.assertEqual(self.client.get(self.url).status_code, 200)
        self.client.force_login(self.charlie)
        self.assertEqual(self.client.get(self.url).status_code, 404)
