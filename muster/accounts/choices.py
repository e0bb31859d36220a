"""Roles a user can hold, and what each may do (see docs/security.md, "Roles")."""

from django.db import models


class Role(models.TextChoices):
    OFFICER = "officer", "Officer (own records)"
    COORDINATOR = "coordinator", "Training coordinator"
    AGENCY_HEAD = "agency-head", "Agency head"
    COURSE_AUTHOR = "course-author", "Course author"
    STATE_AUDITOR = "state-auditor", "State auditor"
    PLATFORM_ADMIN = "platform-admin", "Platform administrator"


# Roles that are granted for one agency; the state auditor's is for a state and
# the platform administrator's for everything.
AGENCY_ROLES = (Role.OFFICER, Role.COORDINATOR, Role.AGENCY_HEAD, Role.COURSE_AUTHOR)

# Roles that must sign in with a second factor (CJIS policy for privileged access).
MFA_REQUIRED_ROLES = (
    Role.COORDINATOR,
    Role.AGENCY_HEAD,
    Role.STATE_AUDITOR,
    Role.PLATFORM_ADMIN,
)
