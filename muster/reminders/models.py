"""The log of reminders sent, which makes sure no reminder goes out twice."""

from django.conf import settings
from django.db import models
from django.utils import timezone

from muster.agencies.models import Agency, Person


class ReminderSent(models.Model):
    """One reminder emailed to one person about one mandate, period and point.

    A point is a number of days before the deadline ("30") or before the end of
    a grace period ("grace-30"). The unique constraint is what stops a second
    email, even when two workers race.
    """

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")
    mandate = models.CharField(max_length=100)
    period_start = models.DateField()
    point = models.CharField(max_length=20)
    email = models.EmailField()
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-sent_at", "pk"]
        verbose_name = "reminder sent"
        verbose_name_plural = "reminders sent"
        constraints = [
            models.UniqueConstraint(
                fields=["person", "mandate", "period_start", "point"],
                name="one_reminder_per_person_mandate_period_point",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.point} reminder to {self.person} ({self.mandate})"


class DigestSent(models.Model):
    """One day's digest emailed to one coordinator about one agency's people."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="+")
    sent_on = models.DateField()
    people = models.PositiveIntegerField()
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-sent_at", "pk"]
        verbose_name = "digest sent"
        verbose_name_plural = "digests sent"
        constraints = [
            models.UniqueConstraint(
                fields=["user", "agency", "sent_on"], name="one_digest_a_day"
            ),
        ]

    def __str__(self) -> str:
        return f"Digest for {self.user} ({self.agency}, {self.sent_on})"


class ReviewEmailSent(models.Model):
    """One email about a self-reported record's review, to one address.

    `kind` says which: "waiting" (to a coordinator) or the decision the officer
    is told of ("approved", "rejected"). As for reminders, the unique constraint
    is what stops a second email when a task runs again after its worker died.
    """

    record = models.ForeignKey(
        "agencies.TrainingRecord", on_delete=models.CASCADE, related_name="+"
    )
    kind = models.CharField(max_length=20)
    email = models.EmailField()
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-sent_at", "pk"]
        verbose_name = "review email sent"
        verbose_name_plural = "review emails sent"
        constraints = [
            models.UniqueConstraint(
                fields=["record", "kind", "email"], name="one_review_email_per_kind"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} email to {self.email} (record {self.record_id})"
