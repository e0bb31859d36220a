"""The shared setup of the LTI tests: a test platform registered for Riverton,
Muster's signing key, and a Missouri-approved course to link."""

from __future__ import annotations

from unittest import mock

from muster.audit.models import AuditEntry
from muster.learning.tests.helpers import ClockMixin, make_course
from muster.lti import actions
from muster.lti.models import Identity, Launch, LoginState, ResourceLink
from muster.lti.tests.platform import LtiPlatform
from muster.test import BaseTestCase


class LtiTestCase(ClockMixin, BaseTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.lms = LtiPlatform()
        patcher = mock.patch("muster.lti.http.session", self.lms.session)
        patcher.start()
        self.addCleanup(patcher.stop)
        self.tool_key = actions.rotate_key()
        self.course = make_course("use-of-force")
        self.platform = self.lms.register_in_muster(self.agency)

    def link_bob(self) -> Identity:
        return Identity.objects.create(
            platform=self.platform, subject="lms-user-bob", person=self.bob_person
        )

    def written(self) -> tuple:
        """What a refused launch must leave as it was."""
        return (
            ResourceLink.objects.count(),
            Launch.objects.count(),
            Identity.objects.count(),
            AuditEntry.objects.count(),
            LoginState.objects.filter(used_at__isnull=False).count(),
        )
