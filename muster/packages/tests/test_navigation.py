"""adl.nav.request from a SCO's terminate commit, applied by the player (RTE 4.4.2)."""

from __future__ import annotations

import json

from django.test import override_settings

from muster.learning.models import Enrollment
from muster.packages import launch
from muster.packages.models import CmiCommit
from muster.packages.tests import fixtures
from muster.packages.tests.helpers import MediaMixin, imported
from muster.test import BaseTestCase


@override_settings(PACKAGE_CONTENT_ORIGIN="http://127.0.0.1")
class NavigationWorld(MediaMixin, BaseTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.package = imported(fixtures.nav_zip())
        self.slug = self.package.course.slug
        self.a, self.b, self.c = self.package.items.all()
        self.client.force_login(self.bob)
        self.client.post(f"/learn/{self.slug}/enroll/")
        self.enrollment = Enrollment.objects.get(person=self.bob_person)

    def terminate(self, item, request: str | None, **extra):
        data = {"cmi.completion_status": "incomplete", "muster_terminate": True}
        if request is not None:
            data["adl.nav.request"] = request
        token = launch.new_token(self.enrollment.pk, item.pk, "http://testserver")
        return self.client.post(
            f"/package-content/{token}/commit/",
            json.dumps({**data, **extra}),
            content_type="text/plain",
            HTTP_HOST="127.0.0.1",
        )

    def after(self):
        return self.client.get(f"/learn/{self.slug}/package/?after=terminate")


@override_settings(PACKAGE_CONTENT_ORIGIN="http://127.0.0.1")
class NavigationRequestTestCase(NavigationWorld):
    def test_continue_and_previous_move_in_manifest_order(self) -> None:
        self.terminate(self.b, "continue")
        self.assertEqual(self.after().context["current"], self.c)
        self.terminate(self.b, "previous")
        self.assertEqual(self.after().context["current"], self.a)

    def test_continue_past_the_last_item_ends_the_session(self) -> None:
        self.terminate(self.c, "continue")
        self.assertContains(self.after(), 'id="package-left"')

    def test_previous_before_the_first_item_is_ignored(self) -> None:
        self.terminate(self.a, "previous")
        self.assertEqual(self.after().context["current"], self.a)

    def test_choice_and_jump_open_their_target(self) -> None:
        self.terminate(self.a, "{target=C}choice")
        self.assertEqual(self.after().context["current"], self.c)
        self.terminate(self.c, "{target=B}jump")
        self.assertEqual(self.after().context["current"], self.b)
        # A target naming no item: the usual first item not yet done.
        self.terminate(self.c, "{target=nowhere}choice")
        self.assertEqual(self.after().context["current"], self.a)

    def test_exit_requests_leave_the_sco_for_the_list_of_parts(self) -> None:
        for request in ("exit", "exitAll", "abandon", "abandonAll", "suspendAll"):
            with self.subTest(request):
                self.terminate(self.b, request)
                response = self.after()
                self.assertContains(response, 'id="package-left"')
                self.assertNotContains(response, 'id="package-frame"')
                # No seat time is counted while nothing plays.
                self.assertNotContains(response, "data-heartbeat-url")

    def test_after_suspend_all_the_player_resumes_the_suspended_item(self) -> None:
        self.terminate(self.b, "suspendAll", **{"cmi.exit": "suspend"})
        response = self.client.get(f"/learn/{self.slug}/package/")
        self.assertEqual(response.context["current"], self.b)

    def test_without_a_request_the_next_item_not_done_opens(self) -> None:
        self.terminate(self.b, None)
        self.assertEqual(self.after().context["current"], self.a)
        self.terminate(self.b, "_none_")
        self.assertEqual(self.after().context["current"], self.a)

    def test_the_request_is_needed_only_right_after_a_terminate(self) -> None:
        # Opening the player later is not "after terminate": continue is not
        # applied again.
        self.terminate(self.a, "continue")
        response = self.client.get(f"/learn/{self.slug}/package/")
        self.assertEqual(response.context["current"], self.a)

    def test_a_bad_request_refuses_the_commit_by_name(self) -> None:
        response = self.terminate(self.a, "jump-to-C")
        self.assertEqual(response.status_code, 400)
        self.assertIn(
            "adl.nav.request: 'jump-to-C' is not a navigation request",
            response.json()["error"],
        )
        self.assertFalse(CmiCommit.objects.exists())


@override_settings(PACKAGE_CONTENT_ORIGIN="http://127.0.0.1")
class ResumeTestCase(NavigationWorld):
    def launched(self, item) -> dict:
        token = launch.new_token(self.enrollment.pk, item.pk, "http://testserver")
        response = self.client.get(f"/package-content/{token}/", HTTP_HOST="127.0.0.1")
        return json.loads(
            response.content.decode()
            .split('id="muster-launch" type="application/json">')[1]
            .split("</script>")[0]
        )["cmi"]

    def test_a_suspended_scos_own_collections_are_given_back(self) -> None:
        data = {
            "cmi.exit": "suspend",
            "cmi.interactions.0.id": "q1",
            "cmi.interactions.0.type": "choice",
            "cmi.interactions.0.learner_response": "a[,]b",
            "cmi.interactions.0.correct_responses.0.pattern": "a[,]b",
            "cmi.interactions.0.objectives.0.id": "obj-1",
            "cmi.objectives.0.id": "obj-1",
            "cmi.objectives.0.score.scaled": "0.5",
            "cmi.comments_from_learner.0.comment": "Too fast",
        }
        self.terminate(self.a, None, **data)
        cmi = self.launched(self.a)
        self.assertEqual(
            cmi["interactions"],
            [
                {
                    "id": "q1",
                    "type": "choice",
                    "learner_response": "a[,]b",
                    "correct_responses": [{"pattern": "a[,]b"}],
                    "objectives": [{"id": "obj-1"}],
                }
            ],
        )
        self.assertEqual(
            cmi["objectives"], [{"id": "obj-1", "score": {"scaled": "0.5"}}]
        )
        self.assertEqual(cmi["comments_from_learner"], [{"comment": "Too fast"}])
        # Not suspended: a fresh attempt, nothing given back.
        self.terminate(self.a, None, **{**data, "cmi.exit": "normal"})
        self.assertNotIn("interactions", self.launched(self.a))
