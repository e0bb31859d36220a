"""The certificate PDF, the public check and revocation."""

from __future__ import annotations

from muster.accounts.choices import Role
from muster.audit.models import AuditEntry
from muster.learning.certificates import new_code, normalise_code
from muster.learning.models import Attempt, Certificate
from muster.learning.tests.helpers import (
    ClockMixin,
    make_course,
    ready_for_assessment,
    right_answers,
)
from muster.test import BaseTestCase, make_user
from muster.transfers.tests.test_exports import pdf_text_and_ink


class CertificateTestCase(ClockMixin, BaseTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.course = make_course()
        self.client.force_login(self.bob)
        ready_for_assessment(self.client, self.course, self.clock)
        url = f"/learn/{self.course.slug}/assessment/"
        self.client.get(url)
        self.client.post(url, right_answers(Attempt.objects.get()))
        self.certificate = Certificate.objects.get()
        self.pdf_url = f"/learn/certificates/{self.certificate.code}.pdf"
        self.verify_url = f"/verify/{self.certificate.code}/"

    def test_codes_are_long_random_and_grouped(self) -> None:
        codes = {new_code() for _ in range(200)}
        self.assertEqual(len(codes), 200)
        self.assertRegex(self.certificate.code, r"^[A-Z2-7]{4}(-[A-Z2-7]{4}){3}$")
        code = self.certificate.code
        self.assertEqual(normalise_code(code.lower().replace("-", " ")), code)

    def test_the_pdf_names_the_learner_the_course_and_the_code(self) -> None:
        response = self.client.get(self.pdf_url)
        self.assertEqual(response["Content-Type"], "application/pdf")
        text, ink = pdf_text_and_ink(response.content, "learning-certificate.png")
        self.assertGreater(ink, 0.01)
        for expected in (
            "Bob Baker",
            self.course.title,
            self.certificate.code,
            "DEMO-MO-IB-2021",
            "Muster Academy",
            "2026-03-02",
            "Hours credited: 1",
            "Interpersonal perspectives",
            f"http://testserver{self.verify_url}",
        ):
            self.assertIn(expected, text)

    def test_a_coordinator_of_the_learners_agency_may_download_it(self) -> None:
        self.client.force_login(self.alice)
        self.assertEqual(self.client.get(self.pdf_url).status_code, 200)

    def test_others_get_404_for_the_pdf(self) -> None:
        for user in (self.charlie, self.dana, self.tess):
            self.client.force_login(user)
            self.assertEqual(self.client.get(self.pdf_url).status_code, 404)

    def test_the_public_check_confirms_name_course_hours_and_date_only(self) -> None:
        self.client.logout()
        response = self.client.get(self.verify_url)
        self.assertContains(response, "Valid")
        for expected in ("Bob Baker", self.course.title, "2026-03-02"):
            self.assertContains(response, expected)
        for private in ("riverton", "Riverton", "MO0", "bob@example.org", "DEMO-MO"):
            self.assertNotContains(response, private)

    def test_the_public_check_takes_a_code_in_any_case(self) -> None:
        code = self.certificate.code.lower()
        self.assertContains(self.client.get(f"/verify/{code}/"), "Valid")

    def test_an_unknown_code_is_a_clear_404(self) -> None:
        response = self.client.get("/verify/AAAA-BBBB-CCCC-DDDD/")
        self.assertContains(response, "Not found", status_code=404)

    def test_a_platform_admin_revokes_a_certificate_with_a_reason(self) -> None:
        self.client.force_login(self.root)
        url = f"/learn/certificates/{self.certificate.code}/revoke/"
        response = self.client.post(url, {"reason": ""})
        self.assertContains(response, "Say why")
        self.client.post(url, {"reason": "Seat time found forged"})
        self.client.logout()
        response = self.client.get(self.verify_url)
        self.assertContains(response, "Revoked on 2026-03-02")
        entry = AuditEntry.objects.get(action="certificate.revoke")
        self.assertEqual(entry.reason, "Seat time found forged")

    def test_an_author_of_the_provider_may_revoke_but_not_another(self) -> None:
        author = make_user("author", (Role.COURSE_AUTHOR, self.course.provider))
        stranger = make_user("stranger", (Role.COURSE_AUTHOR, self.agency))
        url = f"/learn/certificates/{self.certificate.code}/revoke/"
        self.client.force_login(stranger)
        self.assertEqual(self.client.post(url, {"reason": "x"}).status_code, 404)
        self.client.force_login(self.alice)
        self.assertEqual(self.client.post(url, {"reason": "x"}).status_code, 404)
        self.client.force_login(author)
        self.client.post(url, {"reason": "Approval withdrawn"})
        self.certificate.refresh_from_db()
        self.assertTrue(self.certificate.is_revoked)

    def test_a_finished_learner_is_sent_to_the_course_page(self) -> None:
        base = f"/learn/{self.course.slug}"
        for url in (f"{base}/lessons/1/", f"{base}/assessment/"):
            self.assertRedirects(self.client.get(url), f"{base}/")
        response = self.client.get(f"{base}/")
        self.assertContains(response, self.certificate.code)

    def test_the_admin_lists_certificates_read_only_with_a_revoke_link(self) -> None:
        self.client.force_login(self.root)
        response = self.client.get("/admin/learning/certificate/")
        self.assertContains(
            response, f"/learn/certificates/{self.certificate.code}/revoke/"
        )
        change = f"/admin/learning/certificate/{self.certificate.pk}/change/"
        self.client.post(change, {"revoked_at_0": "2026-03-02", "revoke_reason": "x"})
        self.certificate.refresh_from_db()
        self.assertFalse(self.certificate.is_revoked)
