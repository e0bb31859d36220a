"""The learner's own pages offer their badge in every form the verify page does,
from one partial (badges/_downloads.html), and nobody else's page shows it."""

from __future__ import annotations

import re

from django.urls import reverse

from muster.badges.tests.test_badges import BadgeTestCase
from muster.learning.models import Attempt

FORMS = ("badge.jwt", "badge.json", "badge.proof.json", "badge-qr.svg")
IDS = ("download-badge", "download-badge-json", "download-badge-proof", "badge-qr")


class LearnerPagesTestCase(BadgeTestCase):
    def setUp(self) -> None:
        super().setUp()
        attempt = Attempt.objects.get()
        self.pages = {
            "verify page": f"/verify/{self.certificate.code}/",
            "assessment result": (f"/learn/{self.course.slug}/attempts/{attempt.pk}/"),
            "course page": f"/learn/{self.course.slug}/",
            "own records": (
                reverse("agencies:person", args=[self.bob_person.pk])
                + f"?year={self.certificate.issued_at.year}"
            ),
        }

    def forms_on(self, url: str) -> set[str]:
        """The badge addresses of this certificate that `url` links or shows."""
        html = self.client.get(url).content.decode()
        prefix = re.escape(f"/verify/{self.certificate.code}/")
        return set(re.findall(rf'(?:href|src)="{prefix}([^"]+)"', html))

    def test_every_place_of_the_learner_offers_all_forms_and_the_qr_code(self) -> None:
        self.client.force_login(self.bob)
        for name, url in self.pages.items():
            with self.subTest(name):
                self.assertEqual(self.forms_on(url), set(FORMS))
                for form in FORMS:
                    served = self.client.get(f"/verify/{self.certificate.code}/{form}")
                    self.assertEqual(served.status_code, 200, form)

    def test_pages_of_one_certificate_keep_the_stable_ids(self) -> None:
        self.client.force_login(self.bob)
        for name in ("verify page", "assessment result"):
            html = self.client.get(self.pages[name]).content.decode()
            for element in IDS:
                with self.subTest(name, element=element):
                    self.assertEqual(html.count(f'id="{element}"'), 1)

    def test_nobody_else_is_shown_the_badge(self) -> None:
        # Another agency's officer: the result page is not theirs, the course
        # page lists only their own completions, Bob's records are not theirs.
        self.client.force_login(self.charlie)
        self.assertEqual(
            self.client.get(self.pages["assessment result"]).status_code, 404
        )
        self.assertEqual(self.forms_on(self.pages["course page"]), set())
        self.assertEqual(self.client.get(self.pages["own records"]).status_code, 404)
        # Bob's coordinator reads his records, but a certificate's code opens
        # its badge to anyone: only Bob's own page shows it.
        self.client.force_login(self.alice)
        response = self.client.get(self.pages["own records"])
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, self.course.title)
        self.assertNotContains(response, self.certificate.code)
