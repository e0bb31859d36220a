"""The MFA pages say why they ask for the password again, and lead somewhere after
the recovery codes are shown."""

from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from django.test import override_settings

from muster.accounts.tests.test_mfa import ENROL
from muster.test import PASSWORD, BaseTestCase


@override_settings(MUSTER_REQUIRE_MFA=True)
class MfaPagesTestCase(BaseTestCase):
    def test_the_password_prompt_before_enrolment_says_why(self) -> None:
        self.client.post("/accounts/login/", {"login": "alice", "password": PASSWORD})
        prompt = self.client.get(ENROL, follow=True)
        self.assertContains(prompt, 'id="reauthenticate-why"')
        self.assertContains(prompt, "changes how your account is protected")

    def test_the_recovery_codes_page_leads_onward(self) -> None:
        RecoveryCodes.activate(self.bob)
        self.client.post("/accounts/login/", {"login": "bob", "password": PASSWORD})
        self.client.post("/accounts/reauthenticate/", {"password": PASSWORD})
        page = self.client.get("/accounts/2fa/recovery-codes/")
        self.assertContains(page, 'id="recovery-next"')
        self.assertContains(page, 'href="/">Continue to Muster</a>')
        self.assertContains(page, 'href="/accounts/2fa/"')
