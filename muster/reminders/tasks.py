"""Background tasks that send reminder and digest emails, once each.

Each task writes its log row and sends the email in one transaction: if the mail
server refuses, the row is rolled back and tomorrow's run tries again; if the row
exists already (another worker, a repeated run, a task put back after its worker
was killed: muster/health/orphans.py), nothing is sent. The one window left is a
worker killed after the mail server accepted the message and before the commit:
the task then runs again and the message goes out a second time (docs/deploy.md).
"""

from __future__ import annotations

from datetime import date

from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django_tasks import task

from muster.agencies.choices import Approval
from muster.agencies.models import Agency, Person, TrainingRecord
from muster.reminders.models import DigestSent, ReminderSent, ReviewEmailSent


@task()
def send_reminder(
    person_id: int,
    mandate_id: str,
    mandate_title: str,
    period_start: str,
    deadline: str,
    point: str,
    gaps: list[str],
) -> bool:
    """Email one person what they still need; False if it was sent before."""
    person = Person.objects.get(pk=person_id)
    context = {
        "person": person,
        "mandate_title": mandate_title,
        "deadline": date.fromisoformat(deadline),
        "is_grace": point.startswith("grace"),
        "gaps": gaps,
    }
    try:
        with transaction.atomic():
            ReminderSent.objects.create(
                person=person,
                mandate=mandate_id,
                period_start=date.fromisoformat(period_start),
                point=point,
                email=person.email,
            )
            send_mail(
                f"Training due by {context['deadline']:%-d %B %Y}: {mandate_title}",
                render_to_string("reminders/email/reminder.txt", context),
                None,
                [person.email],
            )
    except IntegrityError:
        return False
    return True


@task()
def send_digest(user_id: int, agency_id: int, sent_on: str, lines: list[str]) -> bool:
    """Email a coordinator the day's list of people reminded; once a day."""
    user = get_user_model().objects.get(pk=user_id)
    agency = Agency.objects.get(pk=agency_id)
    context = {"user": user, "agency": agency, "lines": lines}
    try:
        with transaction.atomic():
            DigestSent.objects.create(
                user=user,
                agency=agency,
                sent_on=date.fromisoformat(sent_on),
                people=len(lines),
            )
            send_mail(
                f"{agency.name}: {len(lines)} training reminder(s) sent today",
                render_to_string("reminders/email/digest.txt", context),
                None,
                [user.email],
            )
    except IntegrityError:
        return False
    return True


@task()
def send_review_waiting(record_id: int, user_id: int) -> bool:
    """Tell a coordinator that an officer's self-reported training waits for them."""
    record = TrainingRecord.objects.select_related("person", "agency").get(pk=record_id)
    user = get_user_model().objects.get(pk=user_id)
    return _send_review_email(
        record,
        "waiting",
        user.email,
        f"Training to review: {record.person.get_full_name()}, {record.title}",
        render_to_string(
            "reminders/email/review_waiting.txt", {"user": user, "record": record}
        ),
    )


@task()
def send_review_decision(record_id: int, email: str) -> bool:
    """Tell the officer whether their self-reported training was approved."""
    record = TrainingRecord.objects.select_related("person", "reviewed_by").get(
        pk=record_id
    )
    approved = record.approval == Approval.APPROVED
    verb = "approved" if approved else "not approved"
    return _send_review_email(
        record,
        "approved" if approved else "rejected",
        email,
        f"Your training {verb}: {record.title}",
        render_to_string(
            "reminders/email/review_decision.txt",
            {"record": record, "approved": approved},
        ),
    )


def _send_review_email(
    record: TrainingRecord, kind: str, email: str, subject: str, body: str
) -> bool:
    """Log and send in one transaction, as reminders are; False if sent before."""
    try:
        with transaction.atomic():
            ReviewEmailSent.objects.create(record=record, kind=kind, email=email)
            send_mail(subject, body, None, [email])
    except IntegrityError:
        return False
    return True
