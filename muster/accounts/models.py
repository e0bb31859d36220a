"""Users and the roles they hold in agencies, states or the platform."""

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone

from muster.accounts.choices import AGENCY_ROLES, MFA_REQUIRED_ROLES, Role


class User(AbstractUser):
    """A person who signs in. Officers are linked to their `Person` record."""

    person = models.OneToOneField(
        "agencies.Person",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="user",
        help_text="The training record this user sees as their own.",
    )

    class Meta:
        ordering = ["username"]

    def active_grants(self) -> models.QuerySet["RoleGrant"]:
        return self.role_grants.filter(revoked_at__isnull=True)

    @property
    def needs_mfa(self) -> bool:
        """Whether this user must use a second factor to sign in."""
        if self.is_superuser:
            return True
        return self.active_grants().filter(role__in=MFA_REQUIRED_ROLES).exists()


class RoleGrant(models.Model):
    """One role held by one user, in one agency or state, until revoked.

    Grants are never deleted: revoking sets `revoked_at`, so that who could see
    what, and when, stays answerable.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="role_grants"
    )
    role = models.CharField(max_length=20, choices=Role.choices)
    agency = models.ForeignKey(
        "agencies.Agency",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="role_grants",
    )
    state = models.CharField(
        max_length=2, blank=True, help_text="For state auditors: the two-letter state."
    )
    granted_at = models.DateTimeField(default=timezone.now)
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["user", "role", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(role__in=[r.value for r in AGENCY_ROLES], agency__isnull=False)
                    | Q(role=Role.STATE_AUDITOR, agency__isnull=True) & ~Q(state="")
                    | Q(role=Role.PLATFORM_ADMIN, agency__isnull=True)
                ),
                name="role_grant_has_its_scope",
            ),
        ]

    def __str__(self) -> str:
        scope = self.agency or self.state or "platform"
        return f"{self.user} as {self.get_role_display()} ({scope})"

    def clean(self) -> None:
        if self.role in AGENCY_ROLES and self.agency_id is None:
            raise ValidationError({"agency": "This role is granted for an agency."})
        if self.role == Role.STATE_AUDITOR and (self.agency_id or not self.state):
            raise ValidationError({"state": "A state auditor is granted for a state."})
        if self.role == Role.PLATFORM_ADMIN and self.agency_id:
            raise ValidationError({"agency": "A platform role has no agency."})

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None
