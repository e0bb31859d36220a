"""Assignment and Grade Services: the learner completes the course in Muster and the
score reaches the platform's gradebook."""

from __future__ import annotations

from datetime import date
from io import StringIO

from django.core.management import call_command
from django.utils import timezone
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from muster.agencies.models import Employment
from muster.learning.models import Attempt
from muster.learning.tests.helpers import ready_for_assessment, right_answers
from muster.lti import actions, claims
from muster.lti.choices import ScoreStatus
from muster.lti.models import ResourceLink, ScorePost
from muster.lti.tasks import MAX_ATTEMPTS, send_lti_score
from muster.lti.tests.helpers import LtiTestCase
from muster.lti.tests.platform import CLIENT_ID, ISSUER, LINEITEMS


class ScoreTestCase(LtiTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.link_bob()
        response, _, _ = self.lms.launch(self.client)
        self.assertEqual(response.status_code, 302)

    def complete(self) -> None:
        enrollment = ready_for_assessment(self.client, self.course, self.clock)
        url = f"/learn/{self.course.slug}/assessment/"
        self.client.get(url)
        attempt = Attempt.objects.get(enrollment=enrollment)
        with self.captureOnCommitCallbacks(execute=True):
            self.client.post(url, right_answers(attempt))
        enrollment.refresh_from_db()
        self.assertTrue(enrollment.is_complete)
        self.enrollment = enrollment
        # Queued for the task worker, not sent inside the learner's request.
        self.assertEqual(self.lms.scores, [])
        self.run_queued()

    def queued(self):
        return DBTaskResult.objects.filter(
            task_path="muster.lti.tasks.send_lti_score", status=TaskResultStatus.READY
        )

    def run_queued(self) -> list[bool]:
        """Run the queued score tasks due now, as the worker would."""
        outcomes = []
        for queued in self.queued().ready():
            queued.status = TaskResultStatus.SUCCESSFUL
            queued.save(update_fields=["status"])
            outcomes.append(send_lti_score.call(*queued.args_kwargs["args"]))
        return outcomes

    def test_it_posts_the_score_when_the_learner_completes(self) -> None:
        self.complete()
        self.assertEqual(len(self.lms.scores), 1)
        score = self.lms.scores[0]
        self.assertEqual(score["url"], LINEITEMS + "/1/scores")
        self.assertEqual(
            score["body"],
            {
                "userId": "lms-user-bob",
                "scoreGiven": 100,
                "scoreMaximum": 100,
                "activityProgress": "Completed",
                "gradingProgress": "FullyGraded",
                "timestamp": "2026-03-02T15:00:00.000+00:00",
                "comment": f"Completed in Muster: {self.course.title}",
            },
        )
        post = ScorePost.objects.get()
        self.assertEqual((post.status, post.http_status), (ScoreStatus.SENT, 204))

    def test_it_makes_the_line_item_for_the_link(self) -> None:
        self.complete()
        self.assertEqual(
            self.lms.lineitems,
            [
                {
                    "scoreMaximum": 100,
                    "label": self.course.title,
                    "resourceLinkId": "link-1",
                    "resourceId": "use-of-force",
                    "id": LINEITEMS + "/1",
                }
            ],
        )

    def test_it_authenticates_with_a_jwt_signed_by_the_tool_key(self) -> None:
        self.complete()
        assertion = self.lms.assertions[0]
        self.assertEqual(assertion["kid"], self.tool_key.kid)
        self.assertEqual(
            (assertion["iss"], assertion["sub"], assertion["aud"]),
            (CLIENT_ID, CLIENT_ID, ISSUER + "/token"),
        )

    def test_a_refused_score_is_retried_from_the_queue_later(self) -> None:
        self.lms.refuse_scores = True
        self.complete()
        post = ScorePost.objects.get()
        self.assertEqual((post.status, post.attempts), (ScoreStatus.FAILED, 1))
        self.assertIn("answered HTTP 503", post.error)
        self.assertNotIn("gradebook closed", post.error)  # the platform's body
        retry = self.queued().get()
        self.assertEqual(retry.args_kwargs["args"], [post.pk])
        self.assertGreater(retry.run_after, timezone.now())
        self.lms.refuse_scores = False
        self.assertTrue(send_lti_score.call(post.pk))  # the worker, once it is due
        post.refresh_from_db()
        self.assertEqual((post.status, post.attempts), (ScoreStatus.SENT, 2))
        self.assertEqual(len(self.lms.scores), 1)

    def test_retries_stop_after_the_last_attempt(self) -> None:
        self.lms.refuse_scores = True
        self.complete()
        post = ScorePost.objects.get()
        ScorePost.objects.filter(pk=post.pk).update(attempts=MAX_ATTEMPTS - 1)
        self.queued().delete()
        self.assertFalse(send_lti_score.call(post.pk))
        post.refresh_from_db()
        self.assertEqual(post.attempts, MAX_ATTEMPTS)
        self.assertFalse(self.queued().exists())

    def test_it_keeps_a_refused_score_and_sends_it_again(self) -> None:
        self.lms.refuse_scores = True
        self.complete()
        post = ScorePost.objects.get()
        self.assertEqual(post.status, ScoreStatus.FAILED)
        self.assertIn("503", post.error)
        self.lms.refuse_scores = False
        out = StringIO()
        call_command("lti_send_scores", stdout=out)
        post.refresh_from_db()
        self.assertEqual(post.status, ScoreStatus.SENT)
        self.assertEqual(len(self.lms.scores), 1)

    def test_it_sends_one_score_however_often_it_is_asked(self) -> None:
        self.complete()
        for post in actions.queue_scores(self.enrollment):
            actions.send_score(post)
        self.assertEqual(len(self.lms.scores), 1)

    def test_a_former_employers_lms_is_not_sent_a_later_completion(self) -> None:
        """Bob launched from his agency's LMS, then moved to Oakdale: the course he
        completes there is Oakdale's business, not his former employer's gradebook."""
        job = Employment.objects.current().get(
            person=self.bob_person, agency=self.agency
        )
        Employment.objects.filter(pk=job.pk).update(
            starts_on=date(2020, 1, 1), ends_on=date(2020, 6, 1)
        )
        Employment.objects.create(
            person=self.bob_person, agency=self.other_agency, starts_on=date(2020, 6, 2)
        )
        self.complete()
        self.assertEqual(self.lms.scores, [])
        self.assertFalse(ScorePost.objects.exists())

    def test_another_links_line_item_is_not_scored(self) -> None:
        """A platform ignoring the resource_link_id filter lists another link's
        line item first: Muster makes its own rather than score that one."""
        theirs = {"id": LINEITEMS + "/9", "resourceLinkId": "link-other",
                  "label": "Other", "scoreMaximum": 10}  # fmt: skip
        self.lms._lineitems = lambda request: (200, [theirs])
        self.complete()
        [score] = self.lms.scores
        self.assertEqual(score["url"], LINEITEMS + "/1/scores")
        self.assertEqual(self.lms.lineitems[0]["resourceLinkId"], "link-1")

    def test_the_links_own_line_item_is_found_among_others(self) -> None:
        ours = {"id": LINEITEMS + "/5", "resourceLinkId": "link-1", "label": "x",
                "scoreMaximum": 100}  # fmt: skip
        other = {**ours, "id": LINEITEMS + "/4", "resourceLinkId": "link-other"}
        self.lms._lineitems = lambda request: (200, [other, ours])
        self.complete()
        self.assertEqual(self.lms.scores[0]["url"], LINEITEMS + "/5/scores")
        self.assertEqual(self.lms.lineitems, [])  # none made

    def test_the_links_line_item_is_found_on_a_later_page(self) -> None:
        ours = {"id": LINEITEMS + "/5", "resourceLinkId": "link-1", "label": "x",
                "scoreMaximum": 100}  # fmt: skip
        other = {**ours, "id": LINEITEMS + "/4", "resourceLinkId": "link-other"}

        def answer(request):
            if "page=2" in request.url:
                return 200, [ours]
            return 200, [other], {"Link": f'<{LINEITEMS}?page=2>; rel="next"'}

        self.lms._lineitems = answer
        self.complete()
        self.assertEqual(self.lms.scores[0]["url"], LINEITEMS + "/5/scores")
        self.assertEqual(self.lms.lineitems, [])

    def read_only_line_items(self) -> None:
        ResourceLink.objects.update(
            ags_scopes=[claims.SCOPE_LINEITEM_READONLY, claims.SCOPE_SCORE]
        )

    def test_the_read_only_scope_finds_the_links_line_item(self) -> None:
        self.read_only_line_items()
        self.lms.lineitems = [{"id": LINEITEMS + "/3", "resourceLinkId": "link-1",
                               "label": "x", "scoreMaximum": 100}]  # fmt: skip
        self.complete()
        self.assertEqual(self.lms.scores[0]["url"], LINEITEMS + "/3/scores")
        self.assertEqual(len(self.lms.lineitems), 1)

    def test_the_read_only_scope_makes_no_line_item(self) -> None:
        self.read_only_line_items()
        self.complete()
        post = ScorePost.objects.get()
        self.assertEqual(post.status, ScoreStatus.FAILED)
        self.assertIn("only the read-only line item scope", post.error)
        self.assertEqual((self.lms.lineitems, self.lms.scores), ([], []))

    def line_items_not_read(self, answer) -> None:
        """The platform fails to list the context's line items (an outage, a
        token refused, a body not a list): Muster cannot tell the link has
        none, so it makes none (a new gradebook column at each failure) and
        the score waits."""
        ours = {"id": LINEITEMS + "/5", "resourceLinkId": "link-1", "label": "x",
                "scoreMaximum": 100}  # fmt: skip
        self.lms.lineitems = [ours]
        self.lms._lineitems = lambda request: answer
        self.complete()
        self.assertEqual(self.lms.lineitems, [ours])
        self.assertEqual(self.lms.scores, [])
        post = ScorePost.objects.get()
        self.assertEqual(post.status, ScoreStatus.FAILED)
        self.assertIn(LINEITEMS, post.error)

    def test_a_line_item_list_refused_makes_no_line_item(self) -> None:
        self.line_items_not_read((503, {"error": "busy"}))

    def test_a_line_item_list_not_a_list_makes_no_line_item(self) -> None:
        self.line_items_not_read((200, {"not": "a list"}))
