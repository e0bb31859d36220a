"""Reminders: who is short, at which point, sent once, to a real SMTP server."""

import io
import signal
import socket
from datetime import date
from unittest import mock

import time_machine
from aiosmtpd.controller import Controller
from django.core import mail
from django.core.management import call_command
from django.db import IntegrityError
from django.test import override_settings

from muster.agencies.models import TrainingRecord
from muster.reminders.models import DigestSent, ReminderSent
from muster.reminders.schedule import current_point
from muster.test import BaseTestCase, make_person, make_record, run_queued_tasks

IMMEDIATE = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
DATABASE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
# A year of training that meets every Missouri peace-officer requirement.
COMPLETE_YEAR = [
    (8, "legal", ("legislative-update",)),
    (8, "interpersonal", ("implicit-bias", "de-escalation")),
    (8, "technical", ("firearms", "racial-profiling")),
]


def send(day: date) -> None:
    with time_machine.travel(day, tick=False):
        call_command("send_reminders", stdout=io.StringIO())


def test_the_current_point_is_the_nearest_one_reached() -> None:
    deadline = date(2026, 12, 31)
    days = [90, 30, 7]
    assert current_point(deadline, date(2026, 9, 1), days) is None
    assert current_point(deadline, date(2026, 10, 2), days) == 90
    assert current_point(deadline, date(2026, 12, 1), days) == 30
    assert current_point(deadline, date(2026, 12, 31), days) == 7
    assert current_point(deadline, date(2027, 1, 1), days) is None


@override_settings(
    TASKS=IMMEDIATE,
    EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",
    MUSTER_REMINDER_DAYS=["90", "30", "7"],
)
class ReminderTestCase(BaseTestCase):
    def test_it_reminds_a_short_person_and_digests_their_coordinator(self) -> None:
        send(date(2026, 10, 15))
        to_bob = [m for m in mail.outbox if m.to == ["bob@example.org"]]
        self.assertEqual(len(to_bob), 1)
        self.assertIn("due by 31 December 2026", to_bob[0].subject)
        self.assertIn("more hours needed", to_bob[0].body)
        digest = [m for m in mail.outbox if m.to == ["alice@example.org"]]
        self.assertEqual(len(digest), 1)
        self.assertIn("Bob Baker", digest[0].body)
        # Dana coordinates Oakdale, where Charlie (also short) works.
        self.assertIn("Charlie Chen", mail.outbox[-1].body + mail.outbox[-2].body)
        self.assertTrue(
            ReminderSent.objects.filter(person=self.bob_person, point="90").exists()
        )

    def test_it_never_sends_the_same_point_twice(self) -> None:
        send(date(2026, 10, 15))
        sent = len(mail.outbox)
        send(date(2026, 10, 16))
        send(date(2026, 11, 20))
        self.assertEqual(len(mail.outbox), sent)
        send(date(2026, 12, 2))
        points = set(
            ReminderSent.objects.filter(person=self.bob_person).values_list(
                "point", flat=True
            )
        )
        self.assertEqual(points, {"90", "30"})
        self.assertEqual(DigestSent.objects.filter(user=self.alice).count(), 2)

    def test_it_reminds_during_missouris_grace_period(self) -> None:
        send(date(2027, 3, 10))
        points = set(
            ReminderSent.objects.filter(
                person=self.bob_person, period_start=date(2026, 1, 1)
            ).values_list("point", flat=True)
        )
        self.assertEqual(points, {"grace-7"})
        bob = next(
            m
            for m in mail.outbox
            if m.to == ["bob@example.org"] and "grace period" in m.body
        )
        self.assertIn("15 March 2027", bob.body)

    def test_it_leaves_compliant_people_and_people_without_email_alone(self) -> None:
        self.bob_person.email = ""
        self.bob_person.save()
        for hours, area, topics in COMPLETE_YEAR:
            make_record(
                self.charlie_person, self.other_agency, area=area, topics=topics
            ).credit_lines.update(hours=hours)
        TrainingRecord.objects.filter(person=self.charlie_person).update(
            provider_kind="approved-provider"
        )
        # Eve is short and has an address: the run does send reminders.
        eve = make_person("Eve", "Evans", self.agency)
        send(date(2026, 10, 15))
        self.assertEqual(
            set(ReminderSent.objects.values_list("person", flat=True)), {eve.pk}
        )
        reminded = {tuple(m.to) for m in mail.outbox if "due by" in m.subject}
        self.assertEqual(reminded, {("eve@example.org",)})

    def test_the_log_refuses_a_second_row_for_the_same_point(self) -> None:
        fields = dict(
            person=self.bob_person,
            mandate="us.mo.clee",
            period_start=date(2026, 1, 1),
            point="30",
            email="b@x.org",
        )
        ReminderSent.objects.create(**fields)
        with self.assertRaises(IntegrityError):
            ReminderSent.objects.create(**fields)

    def test_the_run_reads_stored_standings_and_evaluates_nobody(self) -> None:
        from muster.agencies.tests.standings_check import flush

        flush()
        with (
            mock.patch(
                "muster.rules.engine.evaluate_population",
                side_effect=AssertionError("evaluated"),
            ),
            mock.patch(
                "muster.rules.evaluate", side_effect=AssertionError("evaluated")
            ),
        ):
            send(date(2026, 10, 15))
        reminded = {tuple(m.to) for m in mail.outbox if "due by" in m.subject}
        self.assertIn(("bob@example.org",), reminded)
        bob = next(m for m in mail.outbox if m.to == ["bob@example.org"])
        self.assertIn("more hours needed by 31 December 2026", bob.body)


class Inbox:
    """An aiosmtpd handler that keeps every message it receives."""

    def __init__(self) -> None:
        self.messages: list = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(envelope)
        return "250 Message accepted for delivery"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class SmtpDeliveryTestCase(BaseTestCase):
    def test_it_delivers_through_the_queue_to_a_real_smtp_server(self) -> None:
        inbox = Inbox()
        port = free_port()
        controller = Controller(inbox, hostname="127.0.0.1", port=port)
        controller.start()
        self.addCleanup(controller.stop)
        with override_settings(
            TASKS=DATABASE,
            EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
            EMAIL_HOST="127.0.0.1",
            EMAIL_PORT=port,
            EMAIL_USE_TLS=False,
            EMAIL_HOST_USER="",
            EMAIL_HOST_PASSWORD="",
            MUSTER_REMINDER_DAYS=["90", "30", "7"],
        ):
            send(date(2026, 10, 15))
            self.assertEqual(inbox.messages, [])  # queued, not sent yet
            handler = signal.getsignal(signal.SIGTERM)
            run_queued_tasks()
            # The worker's own handler (sys.exit) must not outlive it here.
            self.assertIs(signal.getsignal(signal.SIGTERM), handler)
        recipients = sorted(r for m in inbox.messages for r in m.rcpt_tos)
        self.assertIn("bob@example.org", recipients)
        self.assertIn("alice@example.org", recipients)
        bob = next(m for m in inbox.messages if m.rcpt_tos == ["bob@example.org"])
        self.assertIn(b"Subject: Training due by 31 December 2026", bob.content)
        self.assertEqual(ReminderSent.objects.filter(person=self.bob_person).count(), 1)
