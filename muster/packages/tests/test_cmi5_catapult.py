"""The LMS requirements the ADL CATAPULT LMS test suite checks at run time
(lts/__tests__/runtime.js and its test AUs 001, 004-5 and 005-1), restated as
this project's own cases against Muster: the suite itself is not run here (it
drives an LMS through an adapter and a browser), and none of its code is used.
Each case names the requirement id the suite gives it.
"""

from __future__ import annotations

import copy
import json
import uuid

from muster.agencies.choices import RecordSource
from muster.agencies.models import TrainingRecord
from muster.packages import cmi5
from muster.packages.tests.test_cmi5 import (
    COURSE,
    EXPERIENCED,
    STRUCTURE,
    Cmi5TestCase,
    structure_zip,
)
from muster.xapi.models import Statement

VOIDED = "http://adlnet.gov/expapi/verbs/voided"


def registration_rows(registration: str) -> list[dict]:
    """The registration's statements in the order the LRS stored them."""
    rows = Statement.objects.filter(data__context__registration=registration)
    return [row.data for row in rows.order_by("pk")]


class EssentialsTests(Cmi5TestCase):
    """001-essentials: one AU in a block, CompletedAndPassed with a masteryScore
    (au2 NotApplicable, so au1 completes block and course)."""

    zip_data = staticmethod(
        lambda: structure_zip(
            STRUCTURE.replace('moveOn="Completed"', 'moveOn="NotApplicable"')
        )
    )

    def test_a_session_records_launched_first_then_satisfied_block_and_course(
        self,
    ) -> None:
        params, token = self.started(1)
        passed = {"success": True, "duration": "PT1S", "score": {"scaled": 0.9}}
        self.run_session(
            params, token,
            self.defined(params, cmi5.INITIALIZED),
            self.defined(params, cmi5.COMPLETED, {"completion": True, "duration": "PT1S"}),
            self.defined(params, cmi5.PASSED, passed),
            self.defined(params, cmi5.TERMINATED, {"duration": "PT2S"}),
        )  # fmt: skip
        rows = registration_rows(params["registration"])
        verbs = [row["verb"]["id"] for row in rows]
        self.assertEqual(
            verbs,
            [
                cmi5.LAUNCHED,  # 9.3.1.0-1: the registration's first statement
                cmi5.INITIALIZED,
                cmi5.COMPLETED,
                cmi5.PASSED,
                cmi5.SATISFIED,  # 9.3.9.0-1: the block's
                cmi5.SATISFIED,  # 9.3.9.0-5: the course's
                cmi5.TERMINATED,
            ],
        )
        self.assertEqual(verbs.count(cmi5.LAUNCHED), 1)  # 9.3.1.0-2
        actor = json.loads(params["actor"])
        block, course = rows[4], rows[5]
        for row, kind, publisher in (
            (block, cmi5.BLOCK_TYPE, f"{COURSE}/block1"),
            (course, cmi5.COURSE_TYPE, COURSE),
        ):
            with self.subTest(kind=kind):
                self.assertEqual(row["object"]["definition"]["type"], kind)  # -2, -6
                self.assertNotEqual(row["object"]["id"], publisher)  # -4, -8
                context = row["context"]
                # 9.3.9.0-9: the session's id; 9.6.2.3-2: the publisher id.
                self.assertEqual(
                    context["extensions"][cmi5.SESSION_ID], params["session"]
                )
                grouping = [a["id"] for a in context["contextActivities"]["grouping"]]
                self.assertIn(publisher, grouping)
                categories = [a["id"] for a in context["contextActivities"]["category"]]
                self.assertIn(cmi5.CATEGORY_CMI5, categories)  # 9.6.2.1-1
                self.assertEqual(row["actor"]["account"], actor["account"])
                self.assertEqual(context["registration"], params["registration"])
        launched = rows[0]["context"]
        self.assertIn(
            cmi5.CATEGORY_CMI5,
            [a["id"] for a in launched["contextActivities"]["category"]],
        )
        self.assertEqual(launched["extensions"][cmi5.SESSION_ID], params["session"])


class AllNotApplicableTests(Cmi5TestCase):
    """004-5-moveOn-NotApplicable: block and course satisfied at registration."""

    zip_data = staticmethod(
        lambda: structure_zip(
            STRUCTURE.replace('moveOn="Completed"', 'moveOn="NotApplicable"').replace(
                'moveOn="CompletedAndPassed"', 'moveOn="NotApplicable"'
            )
        )
    )

    def test_9_6_1_satisfied_before_the_launch_and_the_course_credited(self) -> None:
        params = self.launch(1)
        rows = registration_rows(params["registration"])
        verbs = [row["verb"]["id"] for row in rows]
        # 9.6.1.1-3: Satisfied for the block and the course, before Launched.
        self.assertEqual(verbs, [cmi5.SATISFIED, cmi5.SATISFIED, cmi5.LAUNCHED])
        self.assertIn(
            f"{COURSE}/block1",
            [a["id"] for a in rows[0]["context"]["contextActivities"]["grouping"]],
        )
        self.assertIn(
            COURSE,
            [a["id"] for a in rows[1]["context"]["contextActivities"]["grouping"]],
        )
        # Outside a session, a session id of their own (9.6.1), not the launch's.
        satisfied_session = rows[0]["context"]["extensions"][cmi5.SESSION_ID]
        self.assertNotEqual(satisfied_session, params["session"])
        self.enrollment.refresh_from_db()
        self.assertTrue(self.enrollment.is_complete)
        self.assertTrue(
            TrainingRecord.objects.filter(source=RecordSource.ONLINE_COURSE).exists()
        )


class InvalidAuTests(Cmi5TestCase):
    """005-1-invalid-au: what an AU must not do is refused with 401 or 403 (400
    only where the suite allows it), and nothing of it is stored."""

    def assert_refused(self, response, req: str, statuses=(401, 403)) -> None:
        self.assertIn(response.status_code, statuses, f"{req}: {response.content!r}")

    def test_before_the_session_starts(self) -> None:
        params = self.launch()
        # 8.1.2.0-2: a statement with credentials the fetch URL did not give.
        bogus = "Y2F0YXB1bHQ6bm90IGEgdG9rZW4="
        self.assert_refused(self.send(bogus, self.allowed(params)), "8.1.2.0-2")
        token = self.fetch(params)["auth-token"]
        # 11.0.0.0-3: Initialized before the learner preferences are read.
        response = self.send(token, self.defined(params, cmi5.INITIALIZED))
        self.assert_refused(response, "11.0.0.0-3")
        # 8.2.3.0-1, 8.2.3.2-1: a second fetch is 200 with an error code, no token.
        again = self.fetch(params)
        self.assertNotIn("auth-token", again)
        self.assertIn(again["error-code"], ("1", "2", "3"))
        # 10.2.1.0-5: LMS.LaunchData may be read, not written or deleted.
        scope = {
            "stateId": "LMS.LaunchData",
            "activityId": params["activityId"],
            "agent": params["actor"],
            "registration": params["registration"],
        }
        for method, body in (("PUT", {"test": True}), ("DELETE", None)):
            response = self.xapi(token, method, "activities/state", body, **scope)
            self.assert_refused(response, f"10.2.1.0-5 {method}")
        # 11.0.0.0-1, 11.0.0.0-5, 11.1.0.0-1: learner preferences writes.
        good = {"languagePreference": "en-US,fr-FR", "audioPreference": "on"}
        for label, agent, body in (
            ("no agent", None, good),
            ("another agent", json.dumps({"mbox": "mailto:x@example.com"}), good),
            ("no languagePreference", params["actor"], {"audioPreference": "on"}),
            ("no audioPreference", params["actor"], {"languagePreference": "en"}),
            ("not a list", params["actor"], {**good, "languagePreference": "no list"}),
            ("empty", params["actor"], {**good, "languagePreference": ""}),
        ):
            with self.subTest(preferences=label):
                response = self.preferences(params, token, "PUT", body, agent=agent)
                self.assert_refused(response, "11.0.0.0-5")
        plain = self.http.put(
            "/xapi/agents/profile?"
            + f"profileId=cmi5LearnerPreferences&agent={params['actor']}",
            "just some text",
            content_type="text/plain",
            HTTP_AUTHORIZATION=f"Basic {token}",
            HTTP_X_EXPERIENCE_API_VERSION="1.0.3",
        )
        self.assert_refused(plain, "11.0.0.0-5 text")
        self.preferences(params, token)  # now read: the AU may start
        # 9.3.0.0-4, 7.1.1.0-1: a statement before Initialized.
        self.assert_refused(self.send(token, self.allowed(params)), "9.3.0.0-4")
        self.assertFalse(
            Statement.objects.filter(client__cmi5_session__isnull=False).exists()
        )

    def test_every_rule_of_a_session(self) -> None:
        params, token = self.started(1)
        self.run_session(params, token, self.defined(params, cmi5.INITIALIZED))
        score = {"min": 0, "max": 100, "raw": 90, "scaled": 0.9}
        templates = {
            "allowed": self.allowed(params),
            "initialized": self.defined(params, cmi5.INITIALIZED),
            "completed": self.defined(
                params, cmi5.COMPLETED, {"completion": True, "duration": "PT1S"}
            ),
            "passed": self.defined(
                params,
                cmi5.PASSED,
                {"success": True, "duration": "PT1S", "score": score},
            ),
            "failed": self.defined(
                params,
                cmi5.FAILED,
                {
                    "success": False,
                    "duration": "PT1S",
                    "score": {**score, "raw": 70, "scaled": 0.7},
                },
            ),
            "terminated": self.defined(params, cmi5.TERMINATED, {"duration": "PT1S"}),
        }

        def context(st):
            return st["context"]

        def categories(st):
            return st["context"]["contextActivities"]["category"]

        cases = (
            ("9.1.0.0-1", "allowed", lambda st: st.pop("id")),
            ("9.7.0.0-1", "allowed", lambda st: st.pop("timestamp")),
            ("9.7.0.0-2", "allowed", lambda st: st.update(timestamp=st["timestamp"].replace("Z", "-06:00"))),
            ("9.2.0.0-2", "passed", lambda st: st["actor"].update(objectType="Group")),
            ("9.2.0.0-2 unknown", "passed", lambda st: st["actor"].update(objectType="Unknown")),
            ("9.2.0.0-3", "passed", lambda st: st.update(actor={"mbox": "mailto:c@example.com"})),
            ("9.3.2.0-3", "initialized", None),
            ("9.4.0.0-1", "passed", lambda st: st["object"].update(id="http://example.com/not/the/lms/id")),
            ("9.6.0.0-1", "passed", lambda st: st.pop("context")),
            ("9.6.1.0-1 none", "passed", lambda st: context(st).pop("registration")),
            ("9.6.1.0-1 other", "passed", lambda st: context(st).update(registration="ccaf384c-f8d4-4e7a-8304-49af58f0b176")),
            ("9.5.3.0-2", "passed", lambda st: st["result"].update(completion=True)),
            ("9.5.2.0-3", "completed", lambda st: st["result"].update(success=True)),
            ("9.5.3.0-1 none", "completed", lambda st: st["result"].pop("completion")),
            ("9.5.3.0-1 false", "completed", lambda st: st["result"].update(completion=False)),
            ("9.5.1.0-2", "completed", lambda st: st["result"].update(score=score)),
            ("9.5.4.1-1 no result", "terminated", lambda st: st.pop("result")),
            ("9.5.4.1-1", "terminated", lambda st: st["result"].pop("duration")),
            ("9.5.4.1-2", "completed", lambda st: st["result"].pop("duration")),
            ("9.5.4.1-3", "passed", lambda st: st["result"].pop("duration")),
            ("9.5.4.1-4", "failed", lambda st: st["result"].pop("duration")),
            ("9.5.2.0-1 none", "passed", lambda st: st["result"].pop("success")),
            ("9.5.2.0-1 false", "passed", lambda st: st["result"].update(success=False)),
            ("9.5.2.0-2 none", "failed", lambda st: st["result"].pop("success")),
            ("9.5.2.0-2 true", "failed", lambda st: st["result"].update(success=True)),
            ("9.3.4.0-2", "passed", lambda st: st["result"].update(score={"scaled": 0.79})),
            ("9.3.5.0-2 equal", "failed", lambda st: st["result"].update(score={"scaled": 0.8})),
            ("9.3.5.0-2 above", "failed", lambda st: st["result"].update(score={"scaled": 0.81})),
            ("9.5.1.0-3 min", "passed", lambda st: st["result"]["score"].pop("min")),
            ("9.5.1.0-3 max", "passed", lambda st: st["result"]["score"].pop("max")),
            ("9.6.2.2-1 completed", "completed", lambda st: categories(st).pop()),
            ("9.6.2.2-1 passed", "passed", lambda st: categories(st).pop()),
            ("9.6.2.2-1 failed", "failed", lambda st: categories(st).pop()),
            ("9.6.2.2-2 allowed", "allowed", lambda st: categories(st).append({"id": cmi5.CATEGORY_MOVEON})),
            ("9.6.2.2-2 terminated", "terminated", lambda st: categories(st).append({"id": cmi5.CATEGORY_MOVEON})),
            ("9.6.3.2-2 none", "passed", lambda st: context(st)["extensions"].pop(cmi5.MASTERY_SCORE)),
            ("9.6.3.2-2 other", "passed", lambda st: context(st)["extensions"].update({cmi5.MASTERY_SCORE: 0.7})),
            ("9.6.3.1-4", "allowed", lambda st: context(st)["extensions"].pop(cmi5.SESSION_ID)),
        )  # fmt: skip
        stored = Statement.objects.count()
        for req, kind, alter in cases:
            statement = copy.deepcopy(templates[kind])
            statement["id"] = str(uuid.uuid4())
            if alter:
                alter(statement)
            with self.subTest(req=req):
                statuses = (400, 403) if "unknown" in req else (401, 403)
                self.assert_refused(self.send(token, statement), req, statuses)
                self.assertEqual(Statement.objects.count(), stored)
        # 6.3.0.0-1: an allowed statement is stored, voiding it is refused.
        allowed = self.allowed(params, EXPERIENCED)
        self.run_session(params, token, allowed)
        voiding = self.allowed(params, VOIDED)
        voiding["object"] = {"objectType": "StatementRef", "id": allowed["id"]}
        self.assert_refused(self.send(token, voiding), "6.3.0.0-1")
        # 9.3.0.0-2: no verb twice; 9.3.0.0-8: no Failed after Passed.
        for kind in ("completed", "passed"):
            self.run_session(params, token, templates[kind])
            again = {**copy.deepcopy(templates[kind]), "id": str(uuid.uuid4())}
            self.assert_refused(self.send(token, again), f"9.3.0.0-2 {kind}")
        self.assert_refused(self.send(token, templates["failed"]), "9.3.0.0-8")
        self.run_session(params, token, templates["terminated"])
        # 9.3.0.0-5: nothing after Terminated, statements or other requests.
        late = {**self.allowed(params), "id": str(uuid.uuid4())}
        self.assert_refused(self.send(token, late), "9.3.0.0-5")
        state = self.xapi(
            token, "GET", "activities/state",
            stateId="LMS.LaunchData", activityId=params["activityId"],
            agent=params["actor"], registration=params["registration"],
        )  # fmt: skip
        self.assert_refused(state, "8.1.2.0-2 after terminated")
