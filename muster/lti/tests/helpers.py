"""The shared setup of the LTI tests: a test platform registered for Riverton,
Muster's signing key, and a Missouri-approved course to link."""

from __future__ import annotations

import re

from django.test import Client

from muster.audit.models import AuditEntry
from muster.learning.tests.helpers import ClockMixin, make_course
from muster.lti import actions
from muster.lti.models import Identity, Launch, LoginState, ResourceLink
from muster.lti.tests.platform import LtiPlatform
from muster.test import BaseTestCase

# What a browser sends with a form Muster's own page posts (Origin is set on
# every POST; Sec-Fetch-Site where the browser knows it).
SAME_ORIGIN = {"HTTP_ORIGIN": "http://testserver", "HTTP_SEC_FETCH_SITE": "same-origin"}


class LtiTestCase(ClockMixin, BaseTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.lms = LtiPlatform()
        self.enterContext(self.lms.serve())
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

    def continue_token(self, response) -> str:
        """The one-time token of a framed launch's page: in a form that posts it
        into a new window, never in a link."""
        self.assertEqual(response.status_code, 200, response.content.decode()[:500])
        page = response.content.decode()
        form = re.search(r'<form id="lti-continue"([^>]*)>(.*?)</form>', page, re.S)
        self.assertIsNotNone(form, page[:1500])
        self.assertIn('method="post"', form[1])
        self.assertIn('action="/lti/continue/"', form[1])
        self.assertIn('target="_blank"', form[1])
        self.assertNotIn("/lti/continue/", page.replace('action="/lti/continue/"', ""))
        token = re.search(r'name="token" value="([^"]+)"', form[2])
        self.assertIsNotNone(token, form[2])
        return token[1]

    def open_window(self, token: str, client=None, **headers):
        """The new window's post of the token, as Muster's framed page sends it
        (or with the headers given)."""
        client = client or Client()
        return client.post(
            "/lti/continue/", {"token": token}, **(headers or SAME_ORIGIN)
        )
