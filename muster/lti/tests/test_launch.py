"""Login initiation and launch against the test platform, and every refusal."""

from __future__ import annotations

import time
from datetime import date

from cryptography.hazmat.primitives.asymmetric import rsa

from muster.accounts.models import User
from muster.lti import claims
from muster.lti.models import Launch, LoginState, ResourceLink
from muster.lti.tests.helpers import LtiTestCase
from muster.lti.tests.platform import CLIENT_ID, ISSUER, LINEITEMS, MEMBERSHIPS
from muster.lti.tests.test_deep_linking import SETTINGS


class LaunchTestCase(LtiTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.link_bob()

    def test_it_opens_the_course_signed_in_as_the_linked_officer(self) -> None:
        response, _, _ = self.lms.launch(self.client)
        self.assertRedirects(
            response, "/learn/use-of-force/", fetch_redirect_response=False
        )
        page = self.client.get("/learn/use-of-force/")
        self.assertEqual(page.status_code, 200, page.get("Location"))
        self.assertEqual(page.wsgi_request.user, self.bob)
        launch = Launch.objects.get()
        self.assertEqual((launch.user, launch.roles), (self.bob, [claims.LEARNER]))
        link = ResourceLink.objects.get()
        self.assertEqual(link.course, self.course)
        self.assertEqual(link.lineitems_url, LINEITEMS)
        self.assertEqual(link.memberships_url, MEMBERSHIPS)
        self.assertEqual(link.context_title, "Patrol in-service 2026")

    def test_it_sends_the_browser_to_the_platform_with_state_and_nonce(self) -> None:
        _, query, _ = self.lms.launch(self.client)
        state = LoginState.objects.get()
        self.assertEqual(
            query,
            {
                "scope": "openid",
                "response_type": "id_token",
                "response_mode": "form_post",
                "prompt": "none",
                "client_id": CLIENT_ID,
                "redirect_uri": "http://testserver/lti/launch/",
                "login_hint": "hint-bob",
                "lti_message_hint": "msg-1",
                "state": state.state,
                "nonce": state.nonce,
            },
        )
        self.assertIsNotNone(state.used_at)

    def test_it_makes_an_officer_account_for_a_linked_person_without_one(self) -> None:
        self.bob.person = None
        self.bob.save()
        response, _, _ = self.lms.launch(self.client)
        self.assertEqual(response.status_code, 302)
        user = User.objects.get(person=self.bob_person)
        self.assertTrue(user.username.startswith("lti-"))
        self.assertFalse(user.has_usable_password())
        self.assertEqual(list(user.active_grants().values_list("role", "agency")),
                         [("officer", self.agency.pk)])  # fmt: skip

    def test_it_refuses_a_learner_no_roster_sync_linked(self) -> None:
        before = self.written()
        response, _, _ = self.lms.launch(self.client, sub="lms-user-unknown")
        self.assertContains(response, "not yet linked", status_code=403)
        self.assertEqual(Launch.objects.count(), 0)
        self.assertEqual(User.objects.filter(username__startswith="lti-").count(), 0)
        self.assertEqual(before[1:3], self.written()[1:3])

    def test_it_records_the_link_for_an_instructor(self) -> None:
        response, _, _ = self.lms.launch(
            self.client, sub="lms-teacher", roles=[claims.INSTRUCTOR]
        )
        self.assertContains(response, "now opens")
        self.assertEqual(ResourceLink.objects.count(), 1)
        self.assertEqual(Launch.objects.count(), 0)

    def test_it_drops_logins_left_unfinished_for_a_day(self) -> None:
        self.lms.launch(self.client)
        self.clock.shift(86400 + 60)
        self.client.get(
            "/lti/login/",
            {"iss": ISSUER, "login_hint": "x", "target_link_uri": "http://t/"},
        )
        self.assertEqual(LoginState.objects.count(), 1)

    def test_it_refuses_an_officer_whose_role_needs_a_second_factor(self) -> None:
        self.bob.is_superuser = True
        self.bob.save()
        before = self.written()
        response, _, _ = self.lms.launch(self.client)
        self.assertContains(response, "second factor", status_code=400)
        self.assertEqual(before, self.written())


class RefusedLaunchTestCase(LtiTestCase):
    """Each bad launch: a clear message, status 400, nothing written."""

    def setUp(self) -> None:
        super().setUp()
        self.link_bob()

    def refused(self, expected: str, **overrides) -> None:
        before = self.written()
        response, _, _ = self.lms.launch(self.client, **overrides)
        self.assertContains(response, expected, status_code=400)
        self.assertEqual(before, self.written())
        self.assertNotIn("_auth_user_id", self.client.session)

    def test_it_refuses_a_wrong_signature(self) -> None:
        other = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.refused("signature does not match", key=other)

    def test_it_refuses_an_unknown_key_id(self) -> None:
        self.refused("has no single key", kid="someone-else")

    def test_it_refuses_an_expired_token(self) -> None:
        now = int(time.time())
        self.refused("expired", exp=now - 120, iat=now - 600)

    def test_it_refuses_a_token_issued_in_the_future(self) -> None:
        now = int(time.time())
        self.refused("issued in the future", iat=now + 600, exp=now + 900)

    def test_it_refuses_another_audience(self) -> None:
        self.refused("not addressed to Muster", aud="another-tool")

    def test_it_refuses_several_audiences_without_azp(self) -> None:
        # (Another audience is refused first, as Muster trusts no other.)
        self.refused("no `azp`", aud=[CLIENT_ID, CLIENT_ID])

    def test_it_refuses_an_azp_that_is_not_muster(self) -> None:
        self.refused("`azp` is not", azp="another-tool")

    def test_it_refuses_another_issuer(self) -> None:
        self.refused("another issuer", iss="https://evil.example.test")

    def test_it_refuses_a_nonce_it_did_not_send(self) -> None:
        self.refused("nonce is not the one", token_nonce="made-up")

    def test_it_refuses_an_unknown_deployment(self) -> None:
        self.refused("Deployment elsewhere-9", deployment_id="elsewhere-9")

    def test_it_refuses_another_lti_version(self) -> None:
        self.refused("not 1.3.0", version="1.1")

    def test_it_refuses_another_message_type(self) -> None:
        self.refused("does not accept", message_type="LtiSubmissionReviewRequest")

    def test_it_refuses_a_launch_without_roles(self) -> None:
        self.refused("no roles claim", roles=None)

    def test_it_refuses_a_launch_without_subject(self) -> None:
        self.refused("missing the &quot;sub&quot; claim", sub=None)

    def test_it_refuses_a_course_that_is_not_open(self) -> None:
        self.refused("names no Muster course", custom={"course": "no-such-course"})

    def test_it_refuses_a_replayed_launch(self) -> None:
        response, query, token = self.lms.launch(self.client)
        self.assertEqual(response.status_code, 302)
        before = self.written()
        # Even with the state cookie back (a copy of the browser's), the state
        # and its nonce were used once and are no more.
        self.client.cookies["lti_state"] = query["state"]
        again = self.client.post(
            "/lti/launch/", {"id_token": token, "state": query["state"]}
        )
        self.assertContains(again, "already used", status_code=400)
        self.assertEqual(before, self.written())

    def test_it_refuses_a_state_this_browser_did_not_start(self) -> None:
        answer = self.client.post(
            "/lti/login/",
            {"iss": ISSUER, "login_hint": "x", "target_link_uri": "http://t/"},
        )
        state = LoginState.objects.get()
        self.client.cookies.pop("lti_state")
        token = self.lms.id_token(state.nonce)
        response = self.client.post(
            "/lti/launch/", {"id_token": token, "state": state.state}
        )
        self.assertEqual(answer.status_code, 302)
        self.assertContains(response, "not the one this browser", status_code=400)

    def test_it_refuses_a_login_from_an_unknown_issuer(self) -> None:
        response = self.client.post(
            "/lti/login/",
            {"iss": "https://unknown.test", "login_hint": "x", "target_link_uri": "y"},
        )
        self.assertContains(response, "No platform is registered", status_code=400)
        self.assertEqual(LoginState.objects.count(), 0)

    def test_it_refuses_a_login_for_an_unknown_deployment(self) -> None:
        response = self.client.post(
            "/lti/login/",
            {"iss": ISSUER, "login_hint": "x", "target_link_uri": "y",
             "lti_deployment_id": "nope"},
        )  # fmt: skip
        self.assertContains(response, "Deployment nope", status_code=400)
        self.assertEqual(LoginState.objects.count(), 0)

    def test_it_refuses_an_audience_besides_muster_even_with_azp(self) -> None:
        self.refused(
            "addressed to other audiences too (another-tool)",
            aud=[CLIENT_ID, "another-tool"],
            azp=CLIENT_ID,
        )

    def test_muster_alone_in_a_list_is_its_audience(self) -> None:
        response, _, _ = self.lms.launch(self.client, aud=[CLIENT_ID])
        self.assertEqual(response.status_code, 302)

    def test_it_refuses_a_launch_without_target_link_uri(self) -> None:
        self.refused("no target_link_uri claim", target_link_uri=None)

    def test_it_refuses_a_target_link_uri_other_than_the_logins(self) -> None:
        self.refused(
            "is not the one its login was started for",
            **{claims.TARGET_LINK_URI: "http://testserver/lti/launch/?course=x"},
        )

    def test_it_refuses_a_deep_linking_request_that_takes_no_lti_link(self) -> None:
        self.refused(
            "does not accept an LTI link here",
            message_type=claims.DEEP_LINKING_REQUEST,
            roles=[claims.INSTRUCTOR],
            resource_link=None,
            dl_settings={**SETTINGS, "accept_types": ["link", "file"]},
        )
        self.refused(
            "does not accept an LTI link here",
            message_type=claims.DEEP_LINKING_REQUEST,
            roles=[claims.INSTRUCTOR],
            resource_link=None,
            dl_settings={"deep_link_return_url": ISSUER + "/back"},
        )


class PlatformKeysTestCase(LtiTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.link_bob()

    def test_it_follows_the_platforms_key_rotation(self) -> None:
        first, _, _ = self.lms.launch(self.client)
        self.assertEqual(first.status_code, 302)
        # The platform rotates: a new key and kid, its JWKS changed since Muster
        # kept a copy. The unknown kid makes Muster fetch the JWKS again.
        self.lms.key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.lms.kid = "platform-key-2"
        self.client.logout()
        second, _, _ = self.lms.launch(self.client)
        self.assertEqual(second.status_code, 302)

    def test_a_person_who_left_the_agency_is_not_signed_in(self) -> None:
        self.bob_person.employments.update(ends_on=date(2026, 1, 31))
        response, _, _ = self.lms.launch(self.client)
        self.assertContains(response, "not yet linked", status_code=403)
        self.assertEqual(Launch.objects.count(), 0)


class AgencyLinksTestCase(LtiTestCase):
    def test_it_lists_the_agencys_lms_links_for_its_coordinator(self) -> None:
        self.lms.launch(self.client, sub="lms-teacher", roles=[claims.INSTRUCTOR])
        self.client.force_login(self.alice)
        page = self.client.get(f"/agencies/{self.agency.code}/lms-links/")
        self.assertContains(page, "Patrol in-service 2026")
        link = ResourceLink.objects.get()
        self.assertContains(page, f"/lti/links/{link.pk}/roster/")
        self.assertContains(page, "/lti/register/")

    def test_it_hides_them_from_another_agencys_coordinator(self) -> None:
        self.client.force_login(self.dana)
        page = self.client.get(f"/agencies/{self.agency.code}/lms-links/")
        self.assertEqual(page.status_code, 404)
