"""The demonstration login for `make run`, for demo-data code to call.

The demo data (muster/agencies/demo.py, seed_demo) belongs to another part of
the project; it calls `ensure_demo_login(agency)` once it has created the agency
the demo coordinator should work for. Development only: seed_demo refuses to run
without MUSTER_DEBUG.
"""

from __future__ import annotations

import secrets

from muster.accounts.actions import grant_role
from muster.accounts.choices import Role
from muster.accounts.models import User

DEMO_USERNAME = "coordinator"


def ensure_demo_login(agency, username: str = DEMO_USERNAME) -> tuple[User, str | None]:
    """A coordinator login for `agency`, created if missing, with an active grant.

    Returns the user and, only when it was just created, its new random password
    (to print). Coordinators must use MFA, so the first sign-in goes to the
    authenticator enrolment page.
    """
    password = None
    user = User.objects.filter(username=username).first()
    if user is None:
        password = secrets.token_urlsafe(12)
        user = User.objects.create_user(username, password=password)
    has_grant = (
        user.active_grants().filter(role=Role.COORDINATOR, agency=agency).exists()
    )
    if not has_grant:
        grant_role(user, Role.COORDINATOR, agency=agency, reason="demo data")
    return user, password
