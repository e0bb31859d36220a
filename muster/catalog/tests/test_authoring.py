"""Authoring under /authoring/: scoped to the author's provider, every change audited."""

from __future__ import annotations

import tempfile

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings

from muster.accounts.choices import Role
from muster.audit.models import AuditEntry
from muster.catalog.models import Course, Lesson, Question
from muster.catalog.tests.factories import make_course, make_provider
from muster.learning.models import Attempt, Enrollment
from muster.test import BaseTestCase, make_user


def course_post(**changes) -> dict:
    data = {
        "slug": "new-course",
        "title": "New Course",
        "summary": "Short.",
        "description": "Long.",
        "audience": ["peace-officer"],
        "credited_hours": "1",
        "seat_time_minutes": "",
        "pass_mark": "80",
        "questions_per_attempt": "2",
        "max_attempts": "3",
        "retry_wait_minutes": "60",
        "release_on": "",
        "retire_on": "",
    }
    data.update(changes)
    return data


def choices_post(*choices: tuple[str, bool], prefix: str = "choices") -> dict:
    data = {
        f"{prefix}-TOTAL_FORMS": str(len(choices)),
        f"{prefix}-INITIAL_FORMS": "0",
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "8",
    }
    for i, (text, correct) in enumerate(choices):
        data[f"{prefix}-{i}-text"] = text
        if correct:
            data[f"{prefix}-{i}-is_correct"] = "on"
    return data


def credits_post(*lines: tuple[str, str, list[str]]) -> dict:
    data = {
        "credits-TOTAL_FORMS": str(len(lines)),
        "credits-INITIAL_FORMS": "0",
        "credits-MIN_NUM_FORMS": "0",
        "credits-MAX_NUM_FORMS": "10",
    }
    for i, (hours, area, topics) in enumerate(lines):
        data[f"credits-{i}-hours"] = hours
        data[f"credits-{i}-area"] = area
        data[f"credits-{i}-topics"] = topics
    return data


class AuthoringTestCase(BaseTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.academy = make_provider("river-academy")
        self.rival = make_provider("rival-academy")
        self.pat = make_user("pat", (Role.COURSE_AUTHOR, self.academy))
        self.rita = make_user("rita", (Role.COURSE_AUTHOR, self.rival))
        self.course = make_course("ours", provider=self.academy, title="Our Course")
        self.theirs = make_course("theirs", provider=self.rival, title="Their Course")
        self.client.force_login(self.pat)

    def audited(self, action: str) -> AuditEntry:
        return AuditEntry.objects.filter(action=action).latest("sequence")

    # Access ------------------------------------------------------------------

    def test_an_author_lists_only_their_providers_courses(self):
        response = self.client.get("/authoring/")
        self.assertContains(response, "Our Course")
        self.assertNotContains(response, "Their Course")

    def test_an_author_of_another_provider_gets_404_everywhere(self):
        lesson = self.theirs.lessons.get()
        question = self.theirs.questions.get()
        approval = self.theirs.approvals.get()
        for url in (
            "/authoring/theirs/",
            "/authoring/theirs/preview/",
            "/authoring/theirs/preview/1/",
            "/authoring/theirs/lessons/new/",
            f"/authoring/theirs/lessons/{lesson.pk}/",
            f"/authoring/theirs/questions/{question.pk}/",
            f"/authoring/theirs/approvals/{approval.pk}/",
        ):
            with self.subTest(url=url):
                self.assertEqual(self.client.get(url).status_code, 404)
        response = self.client.post("/authoring/theirs/publish/", {"publish": "0"})
        self.assertEqual(response.status_code, 404)
        self.assertTrue(Course.objects.get(slug="theirs").is_published)

    def test_own_course_with_another_courses_parts_is_404(self):
        lesson = self.theirs.lessons.get()
        question = self.theirs.questions.get()
        approval = self.theirs.approvals.get()
        for url in (
            f"/authoring/ours/lessons/{lesson.pk}/",
            f"/authoring/ours/questions/{question.pk}/",
            f"/authoring/ours/approvals/{approval.pk}/",
        ):
            with self.subTest(url=url):
                self.assertEqual(self.client.get(url).status_code, 404)

    def test_officers_and_coordinators_cannot_author(self):
        for user in (self.bob, self.alice):
            self.client.force_login(user)
            for url in ("/authoring/", "/authoring/new/", "/authoring/ours/"):
                with self.subTest(user=user.username, url=url):
                    self.assertEqual(self.client.get(url).status_code, 404)

    def test_a_platform_admin_authors_any_course(self):
        self.client.force_login(self.root)
        self.assertContains(self.client.get("/authoring/"), "Their Course")
        self.assertEqual(self.client.get("/authoring/theirs/").status_code, 200)

    # Course metadata ----------------------------------------------------------

    def test_it_creates_a_draft_course_and_audits_it(self):
        response = self.client.post(
            "/authoring/new/", course_post(provider=self.academy.pk)
        )
        self.assertRedirects(response, "/authoring/new-course/")
        course = Course.objects.get(slug="new-course")
        self.assertFalse(course.is_published)
        entry = self.audited("course.create")
        self.assertEqual(entry.actor, self.pat)
        self.assertEqual(entry.agency_id, self.academy.pk)
        self.assertEqual(entry.after["title"], "New Course")

    def test_it_refuses_a_provider_the_author_does_not_work_for(self):
        response = self.client.post(
            "/authoring/new/", course_post(provider=self.rival.pk)
        )
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "Select a valid choice")
        self.assertFalse(Course.objects.filter(slug="new-course").exists())

    def test_errors_show_next_to_their_fields(self):
        response = self.client.post(
            "/authoring/new/",
            course_post(
                provider=self.academy.pk,
                title="",
                release_on="2026-05-01",
                retire_on="2026-01-01",
            ),
        )
        self.assertContains(response, 'id="id_title_error"')
        self.assertContains(response, 'id="id_retire_on_error"')
        self.assertContains(response, "The retirement date must follow the release.")

    def test_it_edits_metadata_and_keeps_the_slug(self):
        data = course_post(
            provider=self.academy.pk, slug="renamed", title="Our Course, revised"
        )
        self.client.post("/authoring/ours/", data)
        course = Course.objects.get(pk=self.course.pk)
        self.assertEqual((course.slug, course.title), ("ours", "Our Course, revised"))
        entry = self.audited("course.update")
        self.assertEqual(entry.before["title"], "Our Course")

    def test_publish_and_unpublish_are_audited_and_checked(self):
        self.client.post("/authoring/ours/publish/", {"publish": "0"})
        self.assertFalse(Course.objects.get(pk=self.course.pk).is_published)
        self.assertTrue(self.audited("course.unpublish"))
        Course.objects.filter(pk=self.course.pk).update(questions_per_attempt=5)
        response = self.client.post(
            "/authoring/ours/publish/", {"publish": "1"}, follow=True
        )
        self.assertContains(response, "needs at least 5 questions")
        self.assertFalse(Course.objects.get(pk=self.course.pk).is_published)
        Course.objects.filter(pk=self.course.pk).update(questions_per_attempt=1)
        self.client.post("/authoring/ours/publish/", {"publish": "1"})
        self.assertTrue(Course.objects.get(pk=self.course.pk).is_published)

    def test_a_course_without_lessons_cannot_be_published(self):
        Course.objects.filter(pk=self.course.pk).update(is_published=False)
        self.course.lessons.all().delete()
        response = self.client.post(
            "/authoring/ours/publish/", {"publish": "1"}, follow=True
        )
        self.assertContains(response, "Add at least one lesson before publishing.")
        self.assertFalse(Course.objects.get(pk=self.course.pk).is_published)

    # Lessons ----------------------------------------------------------------

    def test_it_adds_a_lesson_and_refuses_a_taken_position(self):
        data = {"position": "2", "title": "Two", "body": "# Hi", "minutes": "5"}
        response = self.client.post("/authoring/ours/lessons/new/", data)
        lesson = Lesson.objects.get(course=self.course, position=2)
        self.assertRedirects(response, f"/authoring/ours/lessons/{lesson.pk}/")
        self.assertTrue(self.audited("lesson.create"))
        response = self.client.post("/authoring/ours/lessons/new/", data)
        self.assertContains(response, "Lesson 2 already exists")

    def test_the_lesson_editor_previews_sanitised_markdown(self):
        lesson = self.course.lessons.get()
        response = self.client.get(f"/authoring/ours/lessons/{lesson.pk}/")
        self.assertContains(response, 'hx-post="/authoring/preview-markdown/"')
        self.assertNotContains(response, "<script>")
        response = self.client.post(
            "/authoring/preview-markdown/",
            {"body": "**bold** <script>alert(1)</script>"},
        )
        self.assertContains(response, "<strong>bold</strong>")
        self.assertNotContains(response, "<script>alert")

    def test_the_preview_endpoint_is_for_authors_only(self):
        self.client.force_login(self.bob)
        response = self.client.post("/authoring/preview-markdown/", {"body": "x"})
        self.assertEqual(response.status_code, 404)

    def test_it_uploads_an_asset_and_refuses_a_wrong_type(self):
        media = tempfile.TemporaryDirectory()
        self.addCleanup(media.cleanup)
        self.enterContext(override_settings(MEDIA_ROOT=media.name))
        lesson = self.course.lessons.get()
        url = f"/authoring/ours/lessons/{lesson.pk}/assets/"
        image = SimpleUploadedFile("map.png", b"\x89PNG fake", "image/png")
        response = self.client.post(
            url, {"kind": "image", "title": "Map", "file": image}
        )
        self.assertRedirects(response, f"/authoring/ours/lessons/{lesson.pk}/")
        asset = lesson.assets.get()
        self.assertTrue(self.audited("asset.create"))
        self.assertEqual(
            self.client.get(f"/courses/ours/assets/{asset.pk}/").status_code, 200
        )
        script = SimpleUploadedFile("x.html", b"<script>", "text/html")
        response = self.client.post(
            url, {"kind": "image", "title": "Bad", "file": script}
        )
        self.assertEqual(response.status_code, 400)
        self.assertContains(
            response, "must end in one of: .gif, .jpeg", status_code=400
        )

    # Questions ----------------------------------------------------------------

    def test_it_adds_a_question_with_choices(self):
        data = {"text": "Which?", "kind": "single", "explanation": "Because."}
        data.update(choices_post(("Right", True), ("Wrong", False)))
        response = self.client.post("/authoring/ours/questions/new/", data)
        self.assertRedirects(response, "/authoring/ours/")
        question = Question.objects.get(text="Which?")
        self.assertEqual(
            [(c.text, c.is_correct) for c in question.choices.all()],
            [("Right", True), ("Wrong", False)],
        )
        self.assertEqual(len(self.audited("question.create").after["choices"]), 2)

    def test_it_refuses_a_question_without_a_correct_choice_or_with_two(self):
        data = {"text": "Which?", "kind": "single", "explanation": ""}
        data.update(choices_post(("A", False), ("B", False)))
        response = self.client.post("/authoring/ours/questions/new/", data)
        self.assertContains(response, "Mark at least one choice as correct.")
        data.update(choices_post(("A", True), ("B", True)))
        response = self.client.post("/authoring/ours/questions/new/", data)
        self.assertContains(response, "exactly one correct choice")
        data["kind"] = "multiple"
        response = self.client.post("/authoring/ours/questions/new/", data)
        self.assertEqual(response.status_code, 302)

    def test_a_question_edit_is_audited_with_the_text_it_replaced(self):
        question = self.course.questions.get()
        data = {"text": "Is it, really?", "kind": "single", "explanation": ""}
        data.update(choices_post(("A", True), ("B", False)))
        response = self.client.post(f"/authoring/ours/questions/{question.pk}/", data)
        self.assertRedirects(response, "/authoring/ours/")
        entry = self.audited("question.update")
        self.assertEqual(entry.before["text"], "Is it?")
        self.assertEqual(entry.after["text"], "Is it, really?")

    def test_removing_a_question_keeps_it_inactive(self):
        question = self.course.questions.get()
        self.client.post(f"/authoring/ours/questions/{question.pk}/retire/")
        question.refresh_from_db()
        self.assertFalse(question.is_active)
        self.assertTrue(self.audited("question.retire"))

    # Approvals ----------------------------------------------------------------

    def test_it_adds_an_approval_with_credit_lines(self):
        data = {
            "jurisdiction": "TN",
            "approval_number": "TN-42",
            "valid_from": "2026-01-01",
            "valid_until": "",
            "provider_kind": "approved-provider",
        }
        data.update(credits_post(("2", "", ["de-escalation"])))
        response = self.client.post("/authoring/ours/approvals/new/", data)
        self.assertRedirects(response, "/authoring/ours/")
        approval = self.course.approvals.get(jurisdiction="TN")
        self.assertEqual(approval.credits.get().topics, ["de-escalation"])
        self.assertTrue(self.audited("approval.create"))

    def test_an_approval_edit_is_audited_with_the_number_it_replaced(self):
        approval = self.course.approvals.get()
        old_number = approval.approval_number
        data = {
            "jurisdiction": approval.jurisdiction,
            "approval_number": "RENEWED-1",
            "valid_from": approval.valid_from.isoformat(),
            "valid_until": "",
            "provider_kind": approval.provider_kind,
        }
        data.update(credits_post(("2", "", ["de-escalation"])))
        url = f"/authoring/ours/approvals/{approval.pk}/"
        self.assertRedirects(self.client.post(url, data), "/authoring/ours/")
        entry = self.audited("approval.update")
        self.assertEqual(entry.before["approval_number"], old_number)
        self.assertEqual(entry.after["approval_number"], "RENEWED-1")

    def test_it_refuses_an_unknown_topic_and_an_approval_without_credit(self):
        data = {
            "jurisdiction": "TN",
            "approval_number": "TN-42",
            "valid_from": "2026-01-01",
            "valid_until": "2025-01-01",
            "provider_kind": "approved-provider",
        }
        data.update(credits_post(("1", "", ["implicit_bias"])))
        response = self.client.post("/authoring/ours/approvals/new/", data)
        self.assertContains(response, "Select a valid choice")
        self.assertContains(response, "cannot end before it starts")
        data.update(credits_post())
        data["valid_until"] = ""
        response = self.client.post("/authoring/ours/approvals/new/", data)
        self.assertContains(response, "Give at least one credit line.")

    # Preview ------------------------------------------------------------------

    def test_an_author_previews_a_draft_without_enrolling(self):
        Course.objects.filter(pk=self.course.pk).update(is_published=False)
        self.assertEqual(self.client.get("/courses/ours/").status_code, 404)
        response = self.client.get("/authoring/ours/preview/")
        self.assertContains(response, "Preview: this is how learners see")
        self.assertNotContains(response, "Start course")
        response = self.client.get("/authoring/ours/preview/1/")
        self.assertContains(response, "Intro")
        self.assertContains(response, "Preview: nothing is recorded")
        self.assertFalse(self.course.enrollments.exists())

    def test_a_question_learners_answered_cannot_change(self):
        question = self.course.questions.get()
        person = self.bob_person
        enrollment = Enrollment.objects.create(
            person=person, user=self.bob, course=self.course, jurisdiction="MO"
        )
        Attempt.objects.create(
            enrollment=enrollment, number=1, questions=[{"question": question.pk}]
        )
        data = {"text": "Changed?", "kind": "single", "explanation": ""}
        data.update(choices_post(("A", True), ("B", False)))
        response = self.client.post(f"/authoring/ours/questions/{question.pk}/", data)
        self.assertContains(response, "Learners have answered this question")
        question.refresh_from_db()
        self.assertEqual(question.text, "Is it?")
