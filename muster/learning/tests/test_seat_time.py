"""Seat time is measured on the server and cannot be inflated from the browser."""

from __future__ import annotations

import re

import time_machine
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext

from muster.learning.models import Enrollment, Heartbeat, LessonProgress
from muster.learning.tests.helpers import START, beat, make_course, sit_through
from muster.test import BaseTestCase


def main_table(sql: str) -> str:
    """The table a statement reads or writes, not those of its subqueries."""
    while re.search(r"\([^()]*\)", sql):
        sql = re.sub(r"\([^()]*\)", "", sql)
    return re.search(r'(?:FROM|UPDATE|INTO) "(\w+)"', sql).group(1)


class SeatTimeTestCase(BaseTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.course = make_course()
        self.client.force_login(self.bob)
        self.client.post(f"/learn/{self.course.slug}/enroll/")
        self.client.get(f"/learn/{self.course.slug}/lessons/1/")
        self.enrollment = Enrollment.objects.get(person=self.bob_person)

    def active_seconds(self) -> int:
        self.enrollment.refresh_from_db()
        return self.enrollment.active_seconds

    def test_it_credits_the_time_between_heartbeats(self) -> None:
        with time_machine.travel(START, tick=False) as traveller:
            beat(self.client, self.course)
            sit_through(self.client, self.course, traveller, 2)
        self.assertEqual(self.active_seconds(), 120)
        progress = LessonProgress.objects.get(enrollment=self.enrollment)
        self.assertEqual(progress.active_seconds, 120)

    def test_a_heartbeat_naming_no_lesson_credits_the_course_alone(self) -> None:
        """The assessment page beats without a lesson: seat time, no lesson's."""
        with time_machine.travel(START, tick=False) as traveller:
            beat(self.client, self.course, lesson="")
            traveller.shift(20)
            response = beat(self.client, self.course, lesson="")
        self.assertEqual(response.status_code, 200)
        self.assertEqual(self.active_seconds(), 20)
        progress = LessonProgress.objects.filter(enrollment=self.enrollment)
        self.assertEqual(sum(p.active_seconds for p in progress), 0)

    def test_it_shows_the_meter_in_minutes(self) -> None:
        with time_machine.travel(START, tick=False) as traveller:
            beat(self.client, self.course)
            sit_through(self.client, self.course, traveller, 23)
            response = self.client.get(f"/learn/{self.course.slug}/lessons/1/")
        self.assertContains(response, "23 of 60 minutes")
        self.assertContains(response, 'id="seat-time"')

    def test_it_answers_the_heartbeat_with_the_meter(self) -> None:
        with time_machine.travel(START, tick=False) as traveller:
            beat(self.client, self.course)
            traveller.shift(15)
            data = beat(self.client, self.course).json()
        self.assertEqual(data["active_seconds"], 15)
        self.assertEqual(data["text"], "0 of 60 minutes")

    def test_it_ignores_a_client_timestamp(self) -> None:
        with time_machine.travel(START, tick=False) as traveller:
            beat(self.client, self.course)
            traveller.shift(15)
            beat(
                self.client,
                self.course,
                client_time="2030-01-01T00:00:00Z",
                elapsed="3600",
                active_seconds="3600",
            )
        self.assertEqual(self.active_seconds(), 15)

    def test_it_credits_nothing_for_many_heartbeats_in_one_second(self) -> None:
        with time_machine.travel(START, tick=False) as traveller:
            beat(self.client, self.course)
            traveller.shift(0.9)
            for _ in range(50):
                beat(self.client, self.course)
        self.assertEqual(self.active_seconds(), 0)
        self.assertEqual(
            Heartbeat.objects.filter(enrollment=self.enrollment).count(), 51
        )

    def test_it_caps_a_late_heartbeat_at_30_seconds(self) -> None:
        with time_machine.travel(START, tick=False) as traveller:
            beat(self.client, self.course)
            traveller.shift(600)
            beat(self.client, self.course)
        self.assertEqual(self.active_seconds(), 30)

    def test_a_second_tab_does_not_count_twice(self) -> None:
        with time_machine.travel(START, tick=False) as traveller:
            beat(self.client, self.course, tab="a")
            for _ in range(8):
                traveller.shift(7.5)
                beat(self.client, self.course, tab="b", lesson="2")
                traveller.shift(7.5)
                beat(self.client, self.course, tab="a")
        # Two tabs each beating every 15 s over 120 s of wall clock: 120 s, once.
        self.assertEqual(self.active_seconds(), 120)

    def test_it_pauses_while_hidden_or_idle(self) -> None:
        with time_machine.travel(START, tick=False) as traveller:
            beat(self.client, self.course)
            traveller.shift(15)
            beat(self.client, self.course, visible="hidden")
            traveller.shift(15)
            beat(self.client, self.course, idle="1")
            traveller.shift(15)
            beat(self.client, self.course)
        self.assertEqual(self.active_seconds(), 15)
        credited = list(
            Heartbeat.objects.filter(enrollment=self.enrollment).values_list(
                "credited_seconds", flat=True
            )
        )
        self.assertEqual(credited, [0, 0, 0, 15])

    def test_a_reload_resumes_the_count(self) -> None:
        with time_machine.travel(START, tick=False) as traveller:
            beat(self.client, self.course)
            sit_through(self.client, self.course, traveller, 1)
            self.client.get(f"/learn/{self.course.slug}/lessons/1/")
            traveller.shift(15)
            beat(self.client, self.course, tab="after-reload")
        self.assertEqual(self.active_seconds(), 75)

    @override_settings(MUSTER_REQUIRE_MFA=True)
    def test_a_heartbeat_is_one_locked_read_and_its_writes(self) -> None:
        # Heartbeats are most of a site's requests (every learner, every 15 s):
        # each is the sign-in (session, user, whether MFA is owed), then one
        # read of the enrollment with its course and lesson, locked, then the
        # writes. Nothing else: no lesson or enrollment read outside the lock,
        # no session write (the session is refreshed at most once a minute).
        with time_machine.travel(START, tick=False) as traveller:
            beat(self.client, self.course)
            traveller.shift(15)
            with CaptureQueriesContext(connection) as queries:
                self.assertEqual(beat(self.client, self.course).status_code, 200)
        statements = [
            q["sql"]
            for q in queries.captured_queries
            if not q["sql"].startswith(("SAVEPOINT", "RELEASE", "BEGIN", "COMMIT"))
        ]
        self.assertEqual(
            [(sql.split()[0], main_table(sql)) for sql in statements],
            [
                ("SELECT", "django_session"),
                ("SELECT", "accounts_user"),
                ("SELECT", "accounts_rolegrant"),
                ("SELECT", "learning_enrollment"),
                ("UPDATE", "learning_enrollment"),
                ("UPDATE", "learning_lessonprogress"),
                ("INSERT", "learning_heartbeat"),
            ],
        )
        if connection.features.has_select_for_update:
            self.assertIn("FOR UPDATE", statements[3])
        self.assertEqual(self.active_seconds(), 15)

    def test_it_refuses_heartbeats_for_another_persons_enrollment(self) -> None:
        self.client.force_login(self.charlie)
        self.assertEqual(beat(self.client, self.course).status_code, 404)


class IdleSignOutTestCase(BaseTestCase):
    """A lesson left open and idle does not keep the session alive forever."""

    def setUp(self) -> None:
        super().setUp()
        self.course = make_course()
        self.client.force_login(self.bob)
        self.client.post(f"/learn/{self.course.slug}/enroll/")
        self.lesson = f"/learn/{self.course.slug}/lessons/1/"

    def idle_for(self, traveller, minutes: int) -> None:
        for _ in range(minutes * 4):
            traveller.shift(15)
            beat(self.client, self.course, idle="1")

    def test_idle_heartbeats_end_the_session_after_its_idle_age(self) -> None:
        with time_machine.travel(START, tick=False) as traveller:
            self.idle_for(traveller, 29)
            self.assertEqual(beat(self.client, self.course, idle="1").status_code, 200)
            self.idle_for(traveller, 2)
            response = self.client.get(self.lesson)
        self.assertRedirects(response, f"/accounts/login/?next={self.lesson}")

    def test_an_active_heartbeat_restarts_the_idle_count(self) -> None:
        with time_machine.travel(START, tick=False) as traveller:
            self.idle_for(traveller, 25)
            beat(self.client, self.course)
            self.idle_for(traveller, 25)
            response = self.client.get(self.lesson)
        self.assertEqual(response.status_code, 200)

    def test_a_request_to_another_page_restarts_the_idle_count(self) -> None:
        with time_machine.travel(START, tick=False) as traveller:
            self.idle_for(traveller, 25)
            self.client.get("/courses/")  # Working in another tab.
            self.idle_for(traveller, 25)
            response = self.client.get(self.lesson)
        self.assertEqual(response.status_code, 200)
