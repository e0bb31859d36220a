"""LTI 1.3 records: Muster's signing keys, the platforms (LMSs) that launch it, the
people and course links they launched, and scores sent back (docs/lti.md)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from muster.agencies.models import Agency, Person
from muster.catalog.models import Course
from muster.learning.models import Enrollment
from muster.lti.choices import ScoreStatus


class ToolKey(models.Model):
    """One RSA key Muster signs with, published in its JWKS until retired.

    The newest key not retired signs; older ones stay in the JWKS so that a
    platform holding a cached copy still verifies what they signed.
    """

    kid = models.CharField("key id", max_length=64, unique=True)
    private_key_pem = models.TextField()
    created_at = models.DateTimeField(default=timezone.now)
    retired_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        state = "retired" if self.retired_at else "published"
        return f"{self.kid} ({state})"


class Platform(models.Model):
    """An LMS registered to launch Muster for one agency.

    Everything it sends (launches, rosters) lands in that agency and no other.
    """

    agency = models.ForeignKey(
        Agency, on_delete=models.PROTECT, related_name="lti_platforms"
    )
    name = models.CharField(max_length=200)
    issuer = models.URLField(help_text="The platform's `iss`, exactly as it sends it.")
    client_id = models.CharField(
        max_length=200, help_text="The client id the platform gave Muster."
    )
    auth_login_url = models.URLField(help_text="OIDC authorization endpoint.")
    auth_token_url = models.URLField(help_text="OAuth 2 token endpoint.")
    token_audience = models.CharField(
        max_length=300,
        blank=True,
        help_text="`aud` of the token request's assertion; blank means the token URL.",
    )
    jwks_url = models.URLField("JWKS URL", help_text="The platform's public keys.")
    is_active = models.BooleanField(default=True)
    registered_at = models.DateTimeField(default=timezone.now)
    is_dynamic = models.BooleanField(
        "registered dynamically", default=False, editable=False
    )

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["issuer", "client_id"], name="one_platform_per_client"
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.agency})"


class Deployment(models.Model):
    """One deployment of Muster inside a platform (`deployment_id`)."""

    platform = models.ForeignKey(
        Platform, on_delete=models.CASCADE, related_name="deployments"
    )
    deployment_id = models.CharField(max_length=255)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["platform", "deployment_id"], name="one_deployment_id"
            )
        ]

    def __str__(self) -> str:
        return self.deployment_id


class LoginState(models.Model):
    """One OIDC login under way: the `state` and `nonce` Muster sent, used once."""

    platform = models.ForeignKey(Platform, on_delete=models.CASCADE, related_name="+")
    state = models.CharField(max_length=64, unique=True)
    nonce = models.CharField(max_length=64, unique=True)
    target_link_uri = models.URLField(max_length=1000)
    # The platform's login initiation parameters, to start the login again in a
    # window of its own when a frame cannot keep the state cookie (docs/lti.md).
    login_params = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    used_at = models.DateTimeField(null=True, blank=True)
    # A launch in a frame continues once in a new window (views.continue_launch).
    continued_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return self.state


class Identity(models.Model):
    """A platform's user (`sub`) known as one of the agency's people.

    Made only by a roster sync (Names and Role Provisioning), under the same
    rules as a roster import; a launch never creates one.
    """

    platform = models.ForeignKey(
        Platform, on_delete=models.PROTECT, related_name="identities"
    )
    subject = models.CharField("sub", max_length=255)
    person = models.ForeignKey(
        Person, on_delete=models.PROTECT, related_name="lti_identities"
    )
    linked_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name_plural = "identities"
        constraints = [
            models.UniqueConstraint(
                fields=["platform", "subject"], name="one_person_per_subject"
            )
        ]

    def __str__(self) -> str:
        return f"{self.subject} at {self.platform.issuer}"


class ResourceLink(models.Model):
    """A link in a platform's course that opens a Muster course, with its services."""

    platform = models.ForeignKey(
        Platform, on_delete=models.PROTECT, related_name="links"
    )
    deployment = models.ForeignKey(
        Deployment, on_delete=models.PROTECT, related_name="links"
    )
    resource_link_id = models.CharField(max_length=255)
    course = models.ForeignKey(Course, on_delete=models.PROTECT, related_name="+")
    context_id = models.CharField(max_length=255, blank=True)
    context_title = models.CharField(max_length=255, blank=True)
    lineitem_url = models.URLField(max_length=1000, blank=True)
    lineitems_url = models.URLField(max_length=1000, blank=True)
    ags_scopes = models.JSONField(default=list, blank=True)
    memberships_url = models.URLField(max_length=1000, blank=True)
    last_launch_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["platform", "resource_link_id"], name="one_link_per_id"
            )
        ]

    def __str__(self) -> str:
        return f"{self.context_title or self.context_id}: {self.course}"


class Launch(models.Model):
    """One person's launch through a link: who to score, and where."""

    link = models.ForeignKey(
        ResourceLink, on_delete=models.PROTECT, related_name="launches"
    )
    identity = models.ForeignKey(
        Identity, on_delete=models.PROTECT, related_name="launches"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    roles = models.JSONField(default=list)
    launched_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-launched_at"]

    def __str__(self) -> str:
        return f"{self.identity} via {self.link}"


class ScorePost(models.Model):
    """A score sent (or to send) to a platform's gradebook for one completion."""

    link = models.ForeignKey(ResourceLink, on_delete=models.PROTECT, related_name="+")
    identity = models.ForeignKey(Identity, on_delete=models.PROTECT, related_name="+")
    enrollment = models.ForeignKey(
        Enrollment, on_delete=models.PROTECT, related_name="+"
    )
    payload = models.JSONField()
    status = models.CharField(
        max_length=10, choices=ScoreStatus.choices, default=ScoreStatus.PENDING
    )
    http_status = models.PositiveSmallIntegerField(null=True, blank=True)
    error = models.TextField(blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["link", "identity", "enrollment"], name="one_score_per_link"
            )
        ]

    def __str__(self) -> str:
        return f"{self.enrollment}: {self.get_status_display()}"
