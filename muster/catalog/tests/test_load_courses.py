"""manage.py load_courses: checks, creates, updates in place, and is idempotent."""

from __future__ import annotations

import tempfile
from io import StringIO
from pathlib import Path

import time_machine
from django.core.management import CommandError, call_command
from django.test import TestCase

from muster.agencies.models import Agency
from muster.catalog.loader import CONTENT_DIR, CourseContentError, load_courses
from muster.catalog.models import ApprovalCredit, Choice, Course, Question
from muster.catalog.tests.factories import course_data, question, write_course
from muster.learning.models import Attempt, Enrollment
from muster.test import make_person, make_user


class LoadCoursesTestCase(TestCase):
    def setUp(self) -> None:
        folder = tempfile.TemporaryDirectory()
        self.addCleanup(folder.cleanup)
        self.root = Path(folder.name)

    def load(self, data=None) -> str:
        write_course(self.root, data)
        out = StringIO()
        call_command("load_courses", path=self.root, stdout=out)
        return out.getvalue()

    def refused(self, data) -> str:
        write_course(self.root, data)
        with self.assertRaises(CommandError) as caught:
            call_command("load_courses", path=self.root, stdout=StringIO())
        return str(caught.exception)

    def test_it_creates_the_course_its_provider_lessons_approvals_and_bank(self):
        self.assertIn("Created: bias-basics", self.load())
        course = Course.objects.get(slug="bias-basics")
        self.assertTrue(course.is_published)
        self.assertEqual(course.provider.code, "test-academy")
        self.assertEqual(course.provider.kind, "academy")
        self.assertEqual(
            [lesson.title for lesson in course.lessons.all()],
            ["What it is", "What to do"],
        )
        self.assertIn("# What it is", course.lessons.first().body)
        approval = course.approvals.get()
        self.assertEqual(approval.approval_number, "DEMO-MO-1")
        credit = approval.credits.get()
        self.assertEqual(
            (credit.area, credit.topics), ("interpersonal", ["implicit-bias"])
        )
        self.assertEqual(course.questions.filter(lesson__isnull=True).count(), 3)
        check = course.questions.get(lesson__position=1)
        self.assertEqual(check.choices.filter(is_correct=True).get().text, "Yes")

    def test_a_second_load_changes_nothing(self):
        self.load()
        question_ids = set(Question.objects.values_list("pk", flat=True))
        credit_ids = set(ApprovalCredit.objects.values_list("pk", flat=True))
        updated_at = Course.objects.get().updated_at
        self.assertIn("Unchanged: bias-basics", self.load())
        self.assertEqual(
            set(Question.objects.values_list("pk", flat=True)), question_ids
        )
        self.assertEqual(
            set(ApprovalCredit.objects.values_list("pk", flat=True)), credit_ids
        )
        self.assertEqual(Course.objects.get().updated_at, updated_at)
        self.assertEqual(Agency.objects.filter(code="test-academy").count(), 1)

    def test_a_changed_file_updates_the_course_in_place(self):
        self.load()
        course = Course.objects.get()
        question_ids = set(Question.objects.values_list("pk", flat=True))
        data = course_data(title="Bias Basics, revised", credited_hours=2)
        data["approvals"][0]["approval_number"] = "DEMO-MO-2"
        self.assertIn("Updated: bias-basics", self.load(data))
        course.refresh_from_db()
        self.assertEqual(course.title, "Bias Basics, revised")
        self.assertEqual(course.credited_hours, 2)
        self.assertEqual(course.approvals.get().approval_number, "DEMO-MO-2")
        # The bank did not change, so its questions are the same rows.
        self.assertEqual(
            set(Question.objects.values_list("pk", flat=True)), question_ids
        )

    def test_a_changed_bank_replaces_questions_but_keeps_those_attempts_used(self):
        self.load()
        course = Course.objects.get()
        used = course.questions.filter(lesson__isnull=True).first()
        unused = course.questions.filter(lesson__isnull=True).last()
        person = make_person("Bob", "Baker", course.provider)
        user = make_user("bob", person=person)
        enrollment = Enrollment.objects.create(
            person=person, user=user, course=course, jurisdiction="MO"
        )
        Attempt.objects.create(
            enrollment=enrollment,
            number=1,
            questions=[
                {"question": used.pk, "choices": [c.pk for c in used.choices.all()]}
            ],
        )
        data = course_data(questions=[question("New 1"), question("New 2")])
        self.load(data)
        used.refresh_from_db()
        self.assertFalse(used.is_active)
        self.assertEqual(used.choices.count(), 2)
        self.assertFalse(Question.objects.filter(pk=unused.pk).exists())
        active = course.questions.filter(is_active=True, lesson__isnull=True)
        self.assertEqual([q.text for q in active], ["New 1", "New 2"])
        self.assertIn("Unchanged", self.load(data))

    def test_it_names_file_and_key_of_a_missing_key(self):
        data = course_data()
        del data["title"]
        message = self.refused(data)
        self.assertIn("bias-basics/course.yaml", message)
        self.assertIn("key `title` is missing", message)

    def test_it_refuses_an_unknown_key(self):
        message = self.refused(course_data(titel="Typo"))
        self.assertIn("key `titel` is not a known key", message)

    def test_it_refuses_a_topic_not_in_topics_yaml(self):
        data = course_data()
        data["approvals"][0]["credits"][0]["topics"] = ["implicit_bias"]
        message = self.refused(data)
        self.assertIn("approvals > 0 > credits > 0 > topics", message)
        self.assertIn("unknown topic 'implicit_bias'", message)

    def test_it_refuses_an_unknown_area_state_and_audience(self):
        data = course_data(audience=["sworn"])
        data["approvals"][0]["jurisdiction"] = "XX"
        data["approvals"][0]["credits"][0]["area"] = "legalese"
        message = self.refused(data)
        self.assertIn("key `audience`: unknown value 'sworn'", message)
        self.assertIn("key `approvals > 0 > jurisdiction`: unknown value 'XX'", message)
        self.assertIn("credits > 0 > area`: unknown value 'legalese'", message)

    def test_it_refuses_a_question_without_a_correct_choice(self):
        bad = question("Q9")
        bad["choices"][0]["correct"] = False
        data = course_data(questions=[question("Q1"), bad])
        message = self.refused(data)
        self.assertIn("key `questions > 1 > choices`: no choice is marked", message)

    def test_it_refuses_two_correct_choices_in_a_single_choice_question(self):
        bad = question("Q9")
        bad["choices"][1]["correct"] = True
        message = self.refused(course_data(questions=[question("Q1"), bad]))
        self.assertIn("set `kind: multiple`", message)

    def test_it_refuses_a_bank_smaller_than_an_attempt(self):
        message = self.refused(course_data(questions_per_attempt=5))
        self.assertIn("3 questions, fewer than questions_per_attempt (5)", message)

    def test_it_refuses_a_missing_lesson_file_and_a_slug_unlike_its_folder(self):
        path = write_course(self.root)
        (path.parent / "02-do.md").unlink()
        data = course_data()
        text = path.read_text().replace("slug: bias-basics", "slug: other-slug")
        path.write_text(text)
        with self.assertRaises(CourseContentError) as caught:
            load_courses(self.root)
        message = str(caught.exception)
        self.assertIn("differs from the folder name", message)
        self.assertIn("no file '02-do.md'", message)
        del data

    def test_an_invalid_file_writes_nothing_at_all(self):
        write_course(self.root)
        self.refused(course_data(slug="second", questions_per_attempt=9))
        self.assertFalse(Course.objects.exists())

    def test_it_loads_the_shipped_content(self):
        self.assertTrue(list(CONTENT_DIR.glob("*/course.yaml")), CONTENT_DIR)
        report = load_courses()
        self.assertTrue(report.created)
        self.assertEqual(load_courses().unchanged, sorted(report.created))
        self.assertTrue(Choice.objects.exists())


class ShippedContentTestCase(TestCase):
    """The real content, as an officer meets it in the catalog."""

    def test_an_officer_short_of_implicit_bias_is_told_the_course_counts(self):
        self.assertTrue((CONTENT_DIR / "implicit-bias-for-law-enforcement").is_dir())
        load_courses()
        agency = Agency.objects.create(
            name="Riverton PD", code="riverton", kind="police-department", state="MO"
        )
        person = make_person("Bob", "Baker", agency)
        user = make_user("bob", person=person)
        self.client.force_login(user)
        with time_machine.travel("2026-06-01 12:00:00+00:00", tick=False):
            page = self.client.get("/courses/implicit-bias-for-law-enforcement/")
            home = self.client.get("/")
        self.assertContains(page, "Counts toward: Implicit bias 1 h")
        self.assertContains(page, "Start course")
        self.assertContains(home, "Implicit Bias for Law Enforcement")
