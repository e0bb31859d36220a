"""Seat time is measured on the server and cannot be inflated from the browser."""

from __future__ import annotations

import time_machine

from muster.learning.models import Enrollment, Heartbeat, LessonProgress
from muster.learning.tests.helpers import START, beat, make_course, sit_through
from muster.test import BaseTestCase


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
