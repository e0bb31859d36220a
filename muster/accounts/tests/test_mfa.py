"""MFA: forced enrolment for privileged roles, TOTP sign-in, recovery codes, audit."""

import pyotp
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import TOTP
from django.conf import settings
from django.test import override_settings

from muster.accounts.adapters import MFAAdapter
from muster.audit.models import AuditEntry
from muster.test import PASSWORD, BaseTestCase

ENROL = "/accounts/2fa/totp/activate/"


def enrol(user) -> pyotp.TOTP:
    """Give `user` a TOTP authenticator and recovery codes; return a code maker."""
    secret = pyotp.random_base32()
    TOTP.activate(user, secret)
    RecoveryCodes.activate(user)
    return pyotp.TOTP(secret)


@override_settings(MUSTER_REQUIRE_MFA=True)
class ForcedEnrolmentTestCase(BaseTestCase):
    def test_it_sends_privileged_users_to_enrolment_from_every_page(self) -> None:
        for user in (self.alice, self.harold, self.sam, self.root):
            self.client.force_login(user)
            for url in (
                "/",
                f"/people/{self.bob_person.pk}/",
                "/admin/",
                "/accounts/2fa/",
            ):
                response = self.client.get(url)
                self.assertRedirects(
                    response, ENROL, fetch_redirect_response=False, msg_prefix=url
                )
            self.assertEqual(self.client.post("/").status_code, 302)

    def sign_in(self, username: str) -> None:
        """A first sign-in (password only), then the password again, which allauth
        asks for before any change to a user's authenticators."""
        self.client.post("/accounts/login/", {"login": username, "password": PASSWORD})
        response = self.client.get(ENROL)
        self.assertTrue(response["Location"].startswith("/accounts/reauthenticate/"))
        self.client.post(response["Location"], {"password": PASSWORD})

    def test_it_shows_the_enrolment_page_and_allows_signing_out(self) -> None:
        self.sign_in("alice")
        page = self.client.get(ENROL)
        self.assertContains(page, "Authenticator secret")
        self.client.post("/accounts/logout/")
        self.assertNotIn("_auth_user_id", self.client.session)

    def test_it_leaves_mfa_optional_for_officers(self) -> None:
        self.client.force_login(self.bob)
        self.assertEqual(
            self.client.get(f"/people/{self.bob_person.pk}/").status_code, 200
        )

    def test_it_lets_an_enrolled_coordinator_through(self) -> None:
        enrol(self.alice)
        self.client.force_login(self.alice)
        self.assertEqual(
            self.client.get(f"/people/{self.bob_person.pk}/").status_code, 200
        )

    # allauth sends its notification email from an on-commit callback, which a
    # TestCase can only run after the request has ended, when allauth no longer
    # knows the request; the browser test covers enrolment with notifications on.
    @override_settings(ACCOUNT_EMAIL_NOTIFICATIONS=False)
    def test_enrolling_through_the_page_is_logged(self) -> None:
        self.sign_in("alice")
        self.assertRedirects(self.client.get("/"), ENROL, fetch_redirect_response=False)
        page = self.client.get(ENROL)
        secret = page.context["form"].secret
        # allauth sends its "added" signal once the transaction commits.
        with self.captureOnCommitCallbacks(execute=True):
            response = self.client.post(ENROL, {"code": pyotp.TOTP(secret).now()})
        self.assertEqual(response.status_code, 302)
        self.assertTrue(
            Authenticator.objects.filter(user=self.alice, type="totp").exists()
        )
        self.assertTrue(AuditEntry.objects.filter(action="mfa.enrol").exists())
        self.assertEqual(
            self.client.get(f"/people/{self.bob_person.pk}/").status_code, 200
        )


class TOTPSignInTestCase(BaseTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.codes = enrol(self.alice)

    def start(self):
        return self.client.post(
            "/accounts/login/", {"login": "alice", "password": PASSWORD}
        )

    def test_a_password_alone_does_not_sign_in(self) -> None:
        response = self.start()
        self.assertRedirects(
            response, "/accounts/2fa/authenticate/", fetch_redirect_response=False
        )
        self.assertNotIn("_auth_user_id", self.client.session)

    def test_it_signs_in_with_password_and_totp_code(self) -> None:
        self.start()
        response = self.client.post(
            "/accounts/2fa/authenticate/", {"code": self.codes.now()}
        )
        self.assertRedirects(response, "/", fetch_redirect_response=False)
        self.assertEqual(self.client.session["_auth_user_id"], str(self.alice.pk))

    def test_a_wrong_code_is_refused_and_logged(self) -> None:
        self.start()
        wrong = "000000" if self.codes.now() != "000000" else "111111"
        response = self.client.post("/accounts/2fa/authenticate/", {"code": wrong})
        self.assertEqual(response.status_code, 200)
        self.assertNotIn("_auth_user_id", self.client.session)
        self.assertTrue(AuditEntry.objects.filter(action="mfa.failed").exists())

    def test_a_recovery_code_signs_in_once_and_is_logged(self) -> None:
        recovery = Authenticator.objects.get(user=self.alice, type="recovery_codes")
        code = recovery.wrap().get_unused_codes()[0]
        self.start()
        response = self.client.post("/accounts/2fa/authenticate/", {"code": code})
        self.assertEqual(response.status_code, 302)
        self.assertTrue(
            AuditEntry.objects.filter(action="mfa.recovery-code-used").exists()
        )

    def test_a_coordinator_cannot_remove_their_authenticator(self) -> None:
        totp = Authenticator.objects.get(user=self.alice, type="totp")
        self.assertFalse(MFAAdapter().can_delete_authenticator(totp))
        enrol(self.bob)
        bob_totp = Authenticator.objects.get(user=self.bob, type="totp")
        self.assertTrue(MFAAdapter().can_delete_authenticator(bob_totp))

    def test_secrets_are_encrypted_in_the_database(self) -> None:
        totp = Authenticator.objects.get(user=self.alice, type="totp")
        stored = totp.data["secret"]
        self.assertTrue(stored.startswith("fernet1:"))
        self.assertNotIn(self.codes.secret, stored)
        self.assertEqual(MFAAdapter().decrypt(stored), self.codes.secret)
        seed = Authenticator.objects.get(user=self.alice, type="recovery_codes")
        self.assertTrue(seed.data["seed"].startswith("fernet1:"))

    def test_secrets_survive_a_secret_key_rotation(self) -> None:
        stored = Authenticator.objects.get(user=self.alice, type="totp").data["secret"]
        with override_settings(
            SECRET_KEY="a-new-key-" + "z" * 40,
            SECRET_KEY_FALLBACKS=[settings.SECRET_KEY],
        ):
            self.assertEqual(MFAAdapter().decrypt(stored), self.codes.secret)
            self.start()
            response = self.client.post(
                "/accounts/2fa/authenticate/", {"code": self.codes.now()}
            )
        self.assertEqual(response.status_code, 302)
