"""Free text is escaped wherever it is shown; writes without a CSRF token are refused."""

from datetime import date

from django.test import Client
from django.urls import reverse

from muster.agencies.choices import Approval
from muster.agencies.models import Exemption
from muster.test import BaseTestCase, make_record
from muster.tests.isolation import declared_cases

SCRIPT = "<script>alert(1)</script>"
IMAGE = '"><img src=x onerror=alert(1)>'
ESCAPED = ("&lt;script&gt;alert(1)&lt;/script&gt;", "&quot;&gt;&lt;img src=x")


class EscapingTestCase(BaseTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.bob_person.first_name = SCRIPT
        self.bob_person.last_name = IMAGE
        self.bob_person.external_id = SCRIPT
        self.bob_person.save()
        self.agency.name = f"Riverton {SCRIPT}"
        self.agency.save()
        self.bob_record.title = f"{SCRIPT} {IMAGE}"
        self.bob_record.provider_name = IMAGE
        self.bob_record.save()
        make_record(self.bob_person, self.agency, title=f"Pending {SCRIPT}")
        self.bob_person.training_records.filter(title__startswith="Pending").update(
            approval=Approval.PENDING
        )
        Exemption.objects.create(
            person=self.bob_person,
            kind="waiver",
            starts_on=date(2026, 1, 1),
            ends_on=date(2026, 12, 31),
            reason=f"Reason {IMAGE}",
            agency=self.agency,
            approval=Approval.PENDING,
        )

    def pages(self) -> list[str]:
        return [
            "/",
            reverse("agencies:dashboard", kwargs={"code": self.agency.code}),
            reverse("agencies:approvals", kwargs={"code": self.agency.code}),
            self.bob_person.get_absolute_url(),
            self.bob_person.get_absolute_url() + "?year=2026",
            reverse("agencies:training-correct", kwargs={"pk": self.bob_record.pk}),
            reverse("agencies:training-void", kwargs={"pk": self.bob_record.pk}),
        ]

    def test_names_titles_and_reasons_are_escaped_on_every_page(self) -> None:
        for user in (self.alice, self.harold, self.bob, self.sam, self.root):
            self.client.force_login(user)
            for url in self.pages():
                response = self.client.get(url, follow=True)
                content = response.content.decode()
                with self.subTest(user=user.username, url=url):
                    self.assertNotIn(SCRIPT, content)
                    self.assertNotIn("<img src=x", content)
                    if response.status_code == 200 and url != "/":
                        self.assertTrue(
                            any(text in content for text in ESCAPED),
                            "the free text should be shown, escaped",
                        )


# Views that read no cookie, so have no session for a forged request to borrow.
CSRF_EXEMPT = {
    # The package runtime's commit endpoint: a signed launch token in its URL is
    # its only credential (docs/packages.md).
    "packages:commit",
    # cmi5's fetch URL (cmi5 8.2): the AU posts to it from the content origin; the
    # signed launch token in its path names the session, and it answers once.
    "packages:cmi5-fetch",
    # LTI 1.3: the platform posts cross-site by design. Login only redirects to the
    # platform; the launch's credential is the platform-signed id_token bound to a
    # state cookie this browser got at login; the deep-link answer carries a signed
    # pick token made for that launch; dynamic registration's URL is a signed
    # invitation (docs/lti.md).
    "lti:login",
    "lti:launch",
    "lti:deep-link",
    "lti:register",
    # LTI platform storage: a framed page gets no cookie, so the login's state comes
    # back from the platform's storage frame (answers read only from the LMS's own
    # origin) and Muster's page posts it here; only a post whose Origin is Muster's
    # own is taken (test_platform_storage.py shows a cross-site one refused).
    "lti:launch-storage",
    # The framed launch's continue step (a new window signed in once): posted by
    # Muster's own framed page, so taken only with Muster's Origin and
    # Sec-Fetch-Site same-origin, never a GET (test_framed_launch.py, docs/lti.md).
    "lti:continue",
}


class CsrfTestCase(BaseTestCase):
    def test_every_write_view_refuses_a_post_without_a_token(self) -> None:
        client = Client(enforce_csrf_checks=True)
        client.force_login(self.alice)
        for name, case in sorted(declared_cases().items()):
            # API endpoints take a bearer token, never the session cookie, so a
            # forged cross-site request carries no credential to misuse.
            if "POST" not in case.methods or "send" in case.extra:
                continue
            if name in CSRF_EXEMPT:
                continue
            for kwargs in case.build(self) if case.build else [{}]:
                url = reverse(name, kwargs=kwargs)
                with self.subTest(url=url):
                    response = client.post(url, {})
                    self.assertEqual(response.status_code, 403)
                    self.assertContains(response, "CSRF", status_code=403)

    def test_sign_in_and_sign_out_need_a_token(self) -> None:
        client = Client(enforce_csrf_checks=True)
        response = client.post("/accounts/login/", {"login": "bob", "password": "x"})
        self.assertEqual(response.status_code, 403)
        client.force_login(self.bob)
        self.assertEqual(client.post("/accounts/logout/").status_code, 403)

    def test_a_post_with_the_token_gets_past_the_check(self) -> None:
        client = Client(enforce_csrf_checks=True)
        client.force_login(self.bob)
        client.get(reverse("agencies:self-report"))
        token = client.cookies["csrftoken"].value
        response = client.post(
            reverse("agencies:self-report"), {"csrfmiddlewaretoken": token}
        )
        self.assertNotEqual(response.status_code, 403)
