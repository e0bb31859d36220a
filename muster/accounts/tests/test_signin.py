"""Sign-in: passwords, limits on failures, password reset, redirects, audit entries."""

from datetime import timedelta

import time_machine
from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.contrib.sessions.models import Session
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from muster.accounts.models import User
from muster.audit.models import AuditEntry
from muster.test import PASSWORD, BaseTestCase, make_user

LOGIN = "/accounts/login/"
SETTINGS_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]


class SignInTestCase(BaseTestCase):
    def sign_in(self, username: str, password: str, **extra):
        data = {"login": username, "password": password, **extra}
        return self.client.post(LOGIN, data)

    def test_it_signs_in_with_a_password_and_logs_it(self) -> None:
        response = self.sign_in("bob", PASSWORD)
        self.assertRedirects(response, "/", fetch_redirect_response=False)
        entry = AuditEntry.objects.get(action="account.signin")
        self.assertEqual(entry.actor, self.bob)
        self.assertEqual(entry.ip_address, "127.0.0.1")

    def test_it_logs_a_failed_sign_in_without_the_password(self) -> None:
        response = self.sign_in("bob", "not the password at all")
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "not correct")
        entry = AuditEntry.objects.get(action="account.signin-failed")
        self.assertEqual(entry.object_label, "bob")
        self.assertNotIn("not the password", str(entry.payload()))

    def test_it_locks_an_account_after_five_failures(self) -> None:
        for _ in range(5):
            self.sign_in("bob", "wrong password, again")
        # Even the right password is refused while the account is locked.
        response = self.sign_in("bob", PASSWORD)
        self.assertContains(response, "Too many failed sign-ins")
        self.assertNotIn("_auth_user_id", self.client.session)
        self.assertTrue(
            AuditEntry.objects.filter(action="account.signin-locked").exists()
        )
        # Another account from another address is not affected.
        other = self.client_class(REMOTE_ADDR="10.0.0.2")
        response = other.post(LOGIN, {"login": "alice", "password": PASSWORD})
        self.assertEqual(response.status_code, 302)

    def test_it_throttles_an_address_that_tries_many_accounts(self) -> None:
        for number in range(20):
            self.sign_in(f"nobody{number}", "wrong password, again")
        response = self.sign_in("bob", PASSWORD)
        self.assertContains(response, "Too many failed sign-ins")

    @override_settings(ALLAUTH_TRUSTED_PROXY_COUNT=1)
    def test_behind_a_proxy_it_counts_and_logs_the_clients_address(self) -> None:
        # One client behind the proxy exhausts its address's allowance...
        for number in range(20):
            self.client.post(
                LOGIN,
                {"login": f"nobody{number}", "password": "wrong"},
                HTTP_X_FORWARDED_FOR="203.0.113.9, 198.51.100.1",
            )
        entry = AuditEntry.objects.filter(action="account.signin-failed").last()
        self.assertEqual(entry.ip_address, "198.51.100.1")
        # ...while another client, through the same proxy, still signs in.
        response = self.client.post(
            LOGIN,
            {"login": "alice", "password": PASSWORD},
            HTTP_X_FORWARDED_FOR="192.0.2.7",
        )
        self.assertEqual(response.status_code, 302)

    def test_it_ignores_an_offsite_next(self) -> None:
        for target in ("https://evil.example/", "//evil.example/", "/\\evil.example/"):
            self.client.logout()
            response = self.sign_in("bob", PASSWORD, next=target)
            self.assertEqual(response.status_code, 302)
            self.assertEqual(response["Location"], "/", target)

    def test_it_follows_a_local_next(self) -> None:
        response = self.sign_in("bob", PASSWORD, next=f"/people/{self.bob_person.pk}/")
        self.assertEqual(response["Location"], f"/people/{self.bob_person.pk}/")

    def test_it_sends_visitors_to_the_sign_in_page(self) -> None:
        response = self.client.get("/")
        self.assertRedirects(response, f"{LOGIN}?next=/", fetch_redirect_response=False)

    def test_it_puts_the_admin_behind_the_same_sign_in(self) -> None:
        response = self.client.get("/admin/login/?next=/admin/")
        self.assertEqual(response.status_code, 302)
        self.assertTrue(response["Location"].startswith(LOGIN))

    def test_it_has_no_sign_up(self) -> None:
        response = self.client.get("/accounts/signup/")
        self.assertContains(response, "closed")

    def test_a_password_reset_does_not_reveal_whether_an_account_exists(self) -> None:
        known = self.client.post(
            "/accounts/password/reset/", {"email": "bob@example.org"}
        )
        unknown = self.client.post(
            "/accounts/password/reset/", {"email": "nobody@example.org"}
        )
        self.assertEqual(known.status_code, unknown.status_code)
        self.assertEqual(known["Location"], unknown["Location"])
        page = self.client.get(known["Location"])
        self.assertContains(page, "sent you an email")
        # Only the real account's owner gets a reset link.
        links = [m for m in mail.outbox if "/accounts/password/reset/key/" in m.body]
        self.assertEqual([m.to for m in links], [["bob@example.org"]])

    def test_a_password_reset_finds_an_address_whatever_its_case(self) -> None:
        # Made in the admin: a capitalised address and no EmailAddress row.
        carol = make_user("carol")
        User.objects.filter(pk=carol.pk).update(email="Carol.Cruz@Example.org")
        self.bob.emailaddress_set.all().delete()
        for typed in (
            "carol.cruz@example.org",
            "CAROL.CRUZ@EXAMPLE.ORG",
            "BOB@example.org",
        ):
            self.client.post("/accounts/password/reset/", {"email": typed})
        links = [m for m in mail.outbox if "/accounts/password/reset/key/" in m.body]
        # Sent to the address as typed, lowered (allauth's choice).
        self.assertEqual(
            [m.to for m in links],
            [
                ["carol.cruz@example.org"],
                ["carol.cruz@example.org"],
                ["bob@example.org"],
            ],
        )

    def test_a_deactivated_user_gets_no_reset_link(self) -> None:
        self.bob.is_active = False
        self.bob.save()
        self.client.post("/accounts/password/reset/", {"email": "bob@example.org"})
        links = [m for m in mail.outbox if "/accounts/password/reset/key/" in m.body]
        self.assertEqual(links, [])

    def test_changing_an_email_address_asks_for_the_password_again(self) -> None:
        self.client.force_login(self.bob)
        response = self.client.post(
            "/accounts/email/", {"action_add": "", "email": "mallory@example.org"}
        )
        self.assertTrue(response["Location"].startswith("/accounts/reauthenticate/"))
        self.assertFalse(self.bob.emailaddress_set.filter(email__startswith="mall"))

    def test_a_password_change_is_logged_and_the_owner_told(self) -> None:
        self.client.post(LOGIN, {"login": "bob", "password": PASSWORD})
        new = "a brand new passphrase 42"
        response = self.client.post(
            "/accounts/password/change/",
            {"oldpassword": PASSWORD, "password1": new, "password2": new},
        )
        self.assertEqual(response.status_code, 302)
        self.assertTrue(
            AuditEntry.objects.filter(action="account.password-change").exists()
        )
        self.assertEqual([m.to for m in mail.outbox], [["bob@example.org"]])

    def test_it_signs_out_and_logs_it(self) -> None:
        self.client.force_login(self.bob)
        self.client.post("/accounts/logout/")
        self.assertNotIn("_auth_user_id", self.client.session)
        self.assertTrue(AuditEntry.objects.filter(action="account.signout").exists())


class PasswordPolicyTestCase(BaseTestCase):
    @override_settings(PASSWORD_HASHERS=SETTINGS_HASHERS)
    def test_it_hashes_passwords_with_argon2(self) -> None:
        self.bob.set_password(PASSWORD)
        self.assertTrue(self.bob.password.startswith("argon2$argon2id$"))

    def test_settings_put_argon2_first(self) -> None:
        import muster.settings as production

        self.assertEqual(
            production.PASSWORD_HASHERS[0],
            "django.contrib.auth.hashers.Argon2PasswordHasher",
        )

    def test_it_wants_length_not_composition(self) -> None:
        with self.assertRaisesMessage(ValidationError, "at least 12 characters"):
            validate_password("Sh0rt!pass")
        with self.assertRaisesMessage(ValidationError, "too common"):
            validate_password("password1234")
        with self.assertRaisesMessage(ValidationError, "too similar"):
            validate_password("bob@example.org", user=self.bob)
        # Lower-case words only, no digit or symbol: long enough, so accepted.
        validate_password("river otter lantern quietly")


class SessionAndHeaderTestCase(BaseTestCase):
    def test_sessions_end_after_thirty_idle_minutes(self) -> None:
        self.assertEqual(settings.SESSION_COOKIE_AGE, 1800)
        # Slid by muster/accounts/sessions.py, at most once a minute.
        self.assertFalse(settings.SESSION_SAVE_EVERY_REQUEST)
        self.assertEqual(settings.SESSION_REFRESH_SECONDS, 60)

    def _session_writes(self, page: str) -> int:
        with CaptureQueriesContext(connection) as queries:
            self.assertEqual(self.client.get(page).status_code, 200)
        return sum(
            1
            for q in queries.captured_queries
            if "django_session" in q["sql"]
            and q["sql"].lstrip().upper().startswith(("UPDATE", "INSERT"))
        )

    def test_the_session_row_is_rewritten_at_most_once_a_minute(self) -> None:
        page = f"/people/{self.bob_person.pk}/"
        start = timezone.now()
        with time_machine.travel(start, tick=False) as clock:
            self.client.force_login(self.bob)
            self.assertEqual(self._session_writes(page), 1)  # first refresh
            clock.shift(timedelta(seconds=30))
            self.assertEqual(self._session_writes(page), 0)
            clock.shift(timedelta(seconds=31))
            self.assertEqual(self._session_writes(page), 1)

    def test_a_cookie_naming_no_readable_session_gets_no_session_written(
        self,
    ) -> None:
        # A row whose data no longer reads (signed with another secret key).
        unreadable = Session.objects.create(
            session_key="k" * 32,
            session_data="not-signed-with-this-key",
            expire_date=timezone.now() + timedelta(minutes=10),
        )
        self.client.cookies[settings.SESSION_COOKIE_NAME] = unreadable.session_key
        with CaptureQueriesContext(connection) as queries:
            self.client.get(LOGIN)
        writes = [
            q["sql"]
            for q in queries.captured_queries
            if "django_session" in q["sql"]
            and q["sql"].lstrip().upper().startswith(("UPDATE", "INSERT"))
        ]
        self.assertEqual(writes, [])
        unreadable.refresh_from_db()
        self.assertEqual(unreadable.session_data, "not-signed-with-this-key")

    def test_a_request_between_refreshes_never_keeps_a_session_past_the_lock(
        self,
    ) -> None:
        page = f"/people/{self.bob_person.pk}/"
        start = timezone.now()
        with time_machine.travel(start, tick=False) as clock:
            self.client.force_login(self.bob)
            self.assertEqual(self.client.get(page).status_code, 200)  # refreshed
            clock.shift(timedelta(seconds=30))
            self.assertEqual(self.client.get(page).status_code, 200)  # not saved
            # 30 minutes and a second after the refresh (29.5 minutes after the
            # last request): the lock has fallen, early rather than late.
            clock.shift(timedelta(minutes=29, seconds=31))
            response = self.client.get(page)
        self.assertRedirects(
            response, f"{LOGIN}?next={page}", fetch_redirect_response=False
        )

    def test_a_session_ends_after_thirty_minutes_without_a_request(self) -> None:
        page = f"/people/{self.bob_person.pk}/"
        start = timezone.now()
        with time_machine.travel(start, tick=False) as clock:
            self.client.force_login(self.bob)
            # Each request restarts the 30 minutes.
            for _ in range(3):
                clock.shift(timedelta(minutes=29))
                self.assertEqual(self.client.get(page).status_code, 200)
            clock.shift(timedelta(minutes=31))
            response = self.client.get(page)
        self.assertRedirects(
            response, f"{LOGIN}?next={page}", fetch_redirect_response=False
        )

    def test_every_page_sends_the_security_headers(self) -> None:
        response = self.client.get(LOGIN)
        policy = response["Content-Security-Policy"]
        self.assertIn("script-src 'self'", policy)
        self.assertIn("frame-ancestors 'none'", policy)
        self.assertNotIn("unsafe-inline", policy)
        self.assertEqual(response["X-Frame-Options"], "DENY")
        self.assertEqual(response["Referrer-Policy"], "same-origin")
        self.assertEqual(response["X-Content-Type-Options"], "nosniff")
