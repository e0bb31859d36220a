"""The runtime on the server: launch, commits kept as evidence, statuses judged, credit."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal

from django.test import override_settings

from muster.agencies.choices import RecordSource
from muster.agencies.compliance import standing_for
from muster.agencies.models import TrainingRecord
from muster.learning.models import Enrollment
from muster.learning.tests.helpers import ClockMixin
from muster.packages import launch
from muster.packages.models import CmiCommit, ScoState
from muster.packages.tests import fixtures
from muster.packages.tests.helpers import imported
from muster.test import BaseTestCase

CONTENT = "http://127.0.0.1"


@override_settings(PACKAGE_CONTENT_ORIGIN=CONTENT)
class RuntimeTestCase(ClockMixin, BaseTestCase):
    package_zip = staticmethod(fixtures.scorm12_zip)

    def setUp(self) -> None:
        super().setUp()
        self.package = imported(self.package_zip())
        self.course = self.package.course
        self.course.seat_time_minutes = 1
        self.course.save()
        self.item = self.package.items.get()
        self.client.force_login(self.bob)
        self.client.post(f"/learn/{self.course.slug}/enroll/")
        self.enrollment = Enrollment.objects.get(person=self.bob_person)

    def token(self, item=None) -> str:
        item = item or self.item
        return launch.new_token(self.enrollment.pk, item.pk, "http://testserver")

    def commit(self, data, token=None):
        token = token or self.token()
        return self.client.post(
            f"/package-content/{token}/commit/",
            json.dumps(data),
            content_type="text/plain",
            HTTP_HOST="127.0.0.1",
        )

    def launched(self) -> dict:
        """The CMI values the launcher hands scorm-again on a new launch."""
        response = self.client.get(
            f"/package-content/{self.token()}/", HTTP_HOST="127.0.0.1"
        )
        config = (
            response.content.decode()
            .split('id="muster-launch" type="application/json">')[1]
            .split("</script>")[0]
        )
        return json.loads(config)["cmi"]

    def seat_time(self, seconds: int) -> None:
        for _ in range(seconds // 15 + 1):
            self.client.post(
                f"/learn/{self.course.slug}/heartbeat/",
                {"tab": "t", "visible": "visible", "idle": "0"},
            )
            self.clock.shift(15)

    def implicit_bias_status(self) -> str:
        standing = standing_for(self.bob_person, 2026, date(2026, 3, 2))
        for mandate in standing[0].mandates:
            for requirement in mandate.result.requirements:
                if requirement.id == "implicit-bias":
                    return requirement.status
        raise AssertionError("No implicit-bias requirement")


class Scorm12TestCase(RuntimeTestCase):
    def test_the_course_page_sends_a_package_course_to_the_player(self) -> None:
        response = self.client.get(f"/learn/{self.course.slug}/")
        self.assertRedirects(
            response,
            f"/learn/{self.course.slug}/package/",
            fetch_redirect_response=False,
        )

    def test_the_player_frames_the_content_origin_in_a_sandbox(self) -> None:
        response = self.client.get(f"/learn/{self.course.slug}/package/")
        self.assertContains(response, 'id="package-frame"')
        self.assertContains(response, f'src="{CONTENT}/package-content/')
        self.assertContains(response, 'sandbox="allow-scripts allow-same-origin')
        self.assertIn(f"frame-src {CONTENT}", response["Content-Security-Policy"])

    @override_settings(PACKAGE_CONTENT_ORIGIN="")
    def test_without_a_content_origin_the_player_says_so(self) -> None:
        response = self.client.get(f"/learn/{self.course.slug}/package/")
        self.assertContains(response, "set MUSTER_PACKAGE_ORIGIN")
        self.assertNotContains(response, "<iframe")

    def test_the_launcher_hands_scorm_again_the_learners_data(self) -> None:
        token = self.token()
        response = self.client.get(f"/package-content/{token}/", HTTP_HOST="127.0.0.1")
        self.assertContains(response, "scorm-again-3.4.3.min.js")
        self.assertIn(
            "frame-ancestors 'self' http://testserver",
            response["Content-Security-Policy"],
        )
        self.assertNotIn("X-Frame-Options", response)
        config = json.loads(
            response.content.decode()
            .split('id="muster-launch" type="application/json">')[1]
            .split("</script>")[0]
        )
        self.assertEqual(config["cmi"]["core"]["student_name"], "Baker, Bob")
        self.assertEqual(config["cmi"]["core"]["entry"], "ab-initio")
        self.assertEqual(config["cmi"]["student_data"]["mastery_score"], "80")
        self.assertEqual(config["cmi"]["launch_data"], "chapter=1")
        self.assertTrue(config["launchUrl"].endswith("/files/sco/index.html"))

    def test_content_is_served_only_on_the_content_host(self) -> None:
        url = f"/package-content/{self.token()}/files/sco/index.html"
        self.assertEqual(self.client.get(url).status_code, 404)
        response = self.client.get(url, HTTP_HOST="127.0.0.1")
        self.assertEqual(response.status_code, 200)
        self.assertIn(b"<h1", b"".join(response.streaming_content))
        self.assertIn("connect-src 'self'", response["Content-Security-Policy"])
        # Muster's own pages do not answer on the content host.
        self.assertEqual(
            self.client.get("/courses/", HTTP_HOST="127.0.0.1").status_code, 404
        )

    def test_a_forged_or_foreign_token_opens_nothing(self) -> None:
        token = self.token()
        forged = token[:-3] + ("aaa" if not token.endswith("aaa") else "bbb")
        for bad in (forged, "nonsense"):
            response = self.client.get(
                f"/package-content/{bad}/files/sco/index.html", HTTP_HOST="127.0.0.1"
            )
            self.assertEqual(response.status_code, 404)
        other = imported(fixtures.scorm2004_zip(), actor=self.package.uploaded_by)
        foreign = self.token(item=other.items.get())
        response = self.commit({"cmi.core.lesson_status": "passed"}, token=foreign)
        self.assertEqual(response.status_code, 404)
        self.assertFalse(CmiCommit.objects.exists())

    def test_a_commit_is_kept_and_suspend_resumes(self) -> None:
        response = self.commit(
            {
                "cmi.core.lesson_status": "incomplete",
                "cmi.core.exit": "suspend",
                "cmi.suspend_data": "page=3",
                "cmi.core.lesson_location": "p3",
                "cmi.core.session_time": "00:01:30",
                "commitSequence": 1,
            }
        )
        self.assertEqual(response.json(), {"result": True, "errorCode": 0})
        commit = CmiCommit.objects.get()
        self.assertEqual(commit.session_seconds, Decimal("90"))
        self.assertEqual(commit.data["cmi.suspend_data"], "page=3")
        response = self.client.get(
            f"/package-content/{self.token()}/", HTTP_HOST="127.0.0.1"
        )
        self.assertContains(response, '"entry": "resume"')
        self.assertContains(response, '"suspend_data": "page=3"')
        self.assertContains(response, '"total_time": "0000:01:30.00"')

    def test_a_relaunch_not_suspended_is_neither_first_nor_resumed(self) -> None:
        """RTE 1.2 cmi.core.entry: "" for an entry neither ab-initio nor resume;
        lesson_status starts "not attempted" only on the first attempt, so it
        carries over (1.2 has no attempts), but the suspend data does not."""
        for exit_ in ("", "logout", "time-out"):
            self.commit(
                {
                    "cmi.core.lesson_status": "incomplete",
                    "cmi.core.exit": exit_,
                    "cmi.suspend_data": "page=3",
                    "cmi.core.lesson_location": "p3",
                    "cmi.core.session_time": "00:01:00",
                }
            )
            core = self.launched()["core"]
            self.assertEqual(core["entry"], "", exit_)
            self.assertEqual(core["lesson_status"], "incomplete")
            self.assertEqual(core["lesson_location"], "")
            self.assertEqual(self.launched()["suspend_data"], "")
        # 1.2 total time is every session's, suspended or not.
        self.assertEqual(core["total_time"], "0000:03:00.00")

    def test_the_score_comes_back_on_resume_and_on_a_later_launch(self) -> None:
        """RTE 1.2 cmi.core.score is read/write and kept for the SCO; like
        lesson_status it carries over, suspended or not (no attempts)."""
        self.assertNotIn("score", self.launched()["core"])  # first launch
        self.commit({"cmi.core.lesson_status": "incomplete", "cmi.core.exit": "suspend",
                     "cmi.core.score.raw": "80", "cmi.core.score.min": "0",
                     "cmi.core.score.max": "100"})  # fmt: skip
        core = self.launched()["core"]
        self.assertEqual(core["entry"], "resume")
        self.assertEqual(core["score"], {"raw": "80", "min": "0", "max": "100"})
        self.commit({"cmi.core.lesson_status": "incomplete", "cmi.core.exit": "",
                     "cmi.core.score.raw": "65", "cmi.core.score.min": "",
                     "cmi.core.score.max": "not a number"})  # fmt: skip
        core = self.launched()["core"]
        self.assertEqual(core["entry"], "")
        # Only numbers go back: scorm-again would refuse a stray max.
        self.assertEqual(core["score"], {"raw": "65"})

    def test_a_pass_stays_credited_when_the_sco_is_run_again(self) -> None:
        self.seat_time(75)
        self.commit({"cmi.core.lesson_status": "passed", "cmi.core.score.raw": "90",
                     "cmi.core.exit": ""})  # fmt: skip
        self.assertEqual(self.launched()["core"]["lesson_status"], "passed")
        self.commit({"cmi.core.lesson_status": "incomplete", "cmi.core.exit": ""})
        self.enrollment.refresh_from_db()
        self.assertTrue(ScoState.objects.get().is_complete)
        self.assertTrue(self.enrollment.is_complete)
        self.assertEqual(CmiCommit.objects.count(), 2)

    def test_total_time_adds_each_launchs_last_session_time(self) -> None:
        first, second = self.token(), self.token()
        self.commit({"cmi.core.session_time": "00:01:00"}, token=first)
        self.commit({"cmi.core.session_time": "00:02:00"}, token=first)
        self.commit({"cmi.core.session_time": "00:00:30.5"}, token=second)
        state = ScoState.objects.get()
        self.assertEqual(state.reported_seconds, Decimal("150.5"))

    def test_a_bad_element_is_refused_by_name_and_nothing_is_kept(self) -> None:
        cases = {
            "cmi.core.lesson_status": ("done", "'done' is not one of"),
            "cmi.core.session_time": ("90 seconds", "is not a time span HHHH:MM:SS.SS"),
            "cmi.core.score.raw": ("abc", "'abc' is not a number"),
            "cmi.suspend_data": ("x" * 4097, "4097 characters, more than the 4096"),
        }
        for key, (value, message) in cases.items():
            response = self.commit({key: value})
            self.assertEqual(response.status_code, 400)
            self.assertEqual(response.json()["errorCode"], 101)
            self.assertIn(f"{key}: ", response.json()["error"])
            self.assertIn(message, response.json()["error"])
        self.assertEqual(self.commit([1, 2]).status_code, 400)
        self.assertFalse(CmiCommit.objects.exists())
        self.assertFalse(ScoState.objects.exists())

    def test_the_mastery_score_decides_passed_or_failed(self) -> None:
        self.commit({"cmi.core.lesson_status": "completed", "cmi.core.score.raw": "70"})
        state = ScoState.objects.get()
        self.assertEqual(
            (state.completion_status, state.is_complete), ("failed", False)
        )
        self.commit({"cmi.core.lesson_status": "completed", "cmi.core.score.raw": "85"})
        state.refresh_from_db()
        self.assertEqual((state.completion_status, state.is_complete), ("passed", True))

    def test_a_pass_after_the_seat_time_credits_the_record_and_the_standing(
        self,
    ) -> None:
        self.assertEqual(self.implicit_bias_status(), "missing")
        self.seat_time(75)
        self.commit({"cmi.core.lesson_status": "passed", "cmi.core.score.raw": "90",
                     "cmi.core.session_time": "00:02:05"})  # fmt: skip
        self.enrollment.refresh_from_db()
        self.assertTrue(self.enrollment.is_complete)
        record = TrainingRecord.objects.get(source=RecordSource.ONLINE_COURSE)
        self.assertEqual(record.title, "De-escalation Basics")
        self.assertEqual(self.enrollment.record, record)
        names = sorted(e.file.name.rsplit("/", 1)[-1] for e in record.evidence.all())
        self.assertTrue(names[0].startswith("cmi-commits-enrollment-"))
        self.assertTrue(names[1].startswith("seat-time-enrollment-"))
        log = record.evidence.get(file__contains="cmi-commits").file.read().decode()
        self.assertIn("passed", log)
        self.assertIn("125", log)
        self.assertEqual(self.implicit_bias_status(), "met")

    def test_a_pass_before_the_seat_time_waits_for_it(self) -> None:
        self.commit({"cmi.core.lesson_status": "passed"})
        self.enrollment.refresh_from_db()
        self.assertFalse(self.enrollment.is_complete)
        response = self.client.post(
            f"/learn/{self.course.slug}/package/finish/", follow=True
        )
        self.assertContains(response, "seat time has not been reached")
        self.seat_time(75)
        response = self.client.post(f"/learn/{self.course.slug}/package/finish/")
        self.enrollment.refresh_from_db()
        self.assertTrue(self.enrollment.is_complete)
        self.assertEqual(
            TrainingRecord.objects.filter(source=RecordSource.ONLINE_COURSE).count(), 1
        )

    def test_finishing_before_the_sco_is_done_names_it(self) -> None:
        self.seat_time(75)
        response = self.client.post(
            f"/learn/{self.course.slug}/package/finish/", follow=True
        )
        self.assertContains(response, "Not yet completed: Calming a crisis.")
        self.assertFalse(
            TrainingRecord.objects.filter(source=RecordSource.ONLINE_COURSE).exists()
        )

    def test_commits_are_evidence_and_never_change(self) -> None:
        self.commit({"cmi.core.lesson_status": "incomplete"})
        commit = CmiCommit.objects.get()
        with self.assertRaises(ValueError):
            commit.save()
        with self.assertRaises(ValueError):
            commit.delete()


class Scorm2004TestCase(RuntimeTestCase):
    package_zip = staticmethod(fixtures.scorm2004_zip)

    def test_the_scaled_passing_score_judges_success(self) -> None:
        self.commit({"cmi.completion_status": "completed", "cmi.success_status": "passed",
                     "cmi.score.scaled": "0.5"})  # fmt: skip
        state = ScoState.objects.get()
        self.assertEqual((state.success_status, state.is_complete), ("failed", False))
        self.commit({"cmi.completion_status": "completed", "cmi.score.scaled": "0.85",
                     "cmi.session_time": "PT2M5.5S"})  # fmt: skip
        state.refresh_from_db()
        self.assertEqual((state.success_status, state.is_complete), ("passed", True))
        self.assertEqual(state.reported_seconds, Decimal("125.5"))

    def test_2004_elements_are_checked_by_name(self) -> None:
        response = self.commit({"cmi.session_time": "00:01:00"})
        self.assertEqual(response.status_code, 400)
        self.assertEqual(response.json()["errorCode"], 391)
        self.assertIn(
            "cmi.session_time: '00:01:00' is not an ISO 8601 duration",
            response.json()["error"],
        )
        response = self.commit({"cmi.score.scaled": "1.5"})
        self.assertIn(
            "cmi.score.scaled: 1.5 is outside -1 to 1", response.json()["error"]
        )

    def suspended_then_resumed(self) -> None:
        first, second = self.token(), self.token()
        self.commit({"cmi.completion_status": "completed", "cmi.session_time": "PT1M",
                     "cmi.success_status": "passed", "cmi.score.scaled": "0.9",
                     "cmi.exit": "normal"}, token=first)  # fmt: skip
        self.commit({"cmi.completion_status": "incomplete", "cmi.exit": "suspend",
                     "cmi.location": "p2", "cmi.suspend_data": "page=2",
                     "cmi.session_time": "PT30S", "cmi.score.scaled": "0.2",
                     "cmi.interactions.0.id": "q1",
                     "cmi.interactions.0.type": "true-false",
                     "cmi.interactions.0.learner_response": "true"},
                    token=second)  # fmt: skip

    def test_a_suspended_attempt_resumes_with_its_data(self) -> None:
        self.suspended_then_resumed()
        cmi = self.launched()
        self.assertEqual(cmi["entry"], "resume")
        self.assertEqual(cmi["success_status"], "failed")  # 0.2 < 0.7
        self.assertEqual(cmi["interactions"][0]["learner_response"], "true")
        self.assertEqual(cmi["total_time"], "PT0H0M30.00S")
        self.commit({"cmi.exit": "suspend", "cmi.location": "p3",
                     "cmi.completion_status": "incomplete",
                     "cmi.suspend_data": "page=3", "cmi.session_time": "PT15S"})  # fmt: skip
        cmi = self.launched()
        self.assertEqual(cmi["entry"], "resume")
        self.assertEqual((cmi["location"], cmi["suspend_data"]), ("p3", "page=3"))
        self.assertEqual(cmi["completion_status"], "incomplete")
        # RTE 4.2.28: the sessions of this attempt (30 s + 15 s), not the
        # minute of the attempt that ended normally before it.
        self.assertEqual(cmi["total_time"], "PT0H0M45.00S")

    def test_a_resumed_attempt_reads_back_its_score_and_progress(self) -> None:
        """RTE 4.2.8: a resumed attempt has its suspended session's run-time
        data, cmi.score (4.2.20) and cmi.progress_measure (4.2.18) with it."""
        self.commit({"cmi.completion_status": "incomplete", "cmi.exit": "suspend",
                     "cmi.score.scaled": "0.25", "cmi.score.raw": "25",
                     "cmi.score.min": "0", "cmi.score.max": "100",
                     "cmi.progress_measure": "0.4"})  # fmt: skip
        cmi = self.launched()
        self.assertEqual(cmi["entry"], "resume")
        self.assertEqual(
            cmi["score"], {"scaled": "0.25", "raw": "25", "min": "0", "max": "100"}
        )
        self.assertEqual(cmi["progress_measure"], "0.4")
        self.assertEqual(cmi["success_status"], "failed")  # 0.25 < 0.7

    def test_a_relaunch_after_the_attempt_ended_starts_a_new_one(self) -> None:
        """RTE 4.2.8 / 4.2.9: normal, logout, time-out or "" end the attempt;
        its data is not available when the SCO is launched again."""
        for exit_ in ("normal", "", "logout", "time-out"):
            self.commit({"cmi.completion_status": "incomplete", "cmi.exit": exit_,
                         "cmi.success_status": "failed", "cmi.location": "p2",
                         "cmi.suspend_data": "page=2", "cmi.session_time": "PT30S",
                         "cmi.score.scaled": "0.5", "cmi.score.raw": "50",
                         "cmi.progress_measure": "0.6",
                         "cmi.interactions.0.id": "q1",
                         "cmi.interactions.0.type": "true-false"})  # fmt: skip
            cmi = self.launched()
            self.assertEqual(cmi["entry"], "ab-initio", exit_)
            self.assertNotIn("score", cmi)
            self.assertNotIn("progress_measure", cmi)
            self.assertNotIn("completion_status", cmi)
            self.assertNotIn("success_status", cmi)
            self.assertNotIn("interactions", cmi)
            self.assertEqual((cmi["location"], cmi["suspend_data"]), ("", ""))
            self.assertEqual(cmi["total_time"], "PT0H0M0.00S")
            self.assertEqual(cmi["scaled_passing_score"], "0.7")

    def test_a_new_attempt_does_not_take_back_the_credit(self) -> None:
        self.seat_time(75)
        self.commit({"cmi.completion_status": "completed", "cmi.score.scaled": "0.9",
                     "cmi.exit": "normal"})  # fmt: skip
        self.enrollment.refresh_from_db()
        self.assertTrue(self.enrollment.is_complete)
        self.assertEqual(self.launched()["entry"], "ab-initio")
        self.commit({"cmi.completion_status": "incomplete", "cmi.exit": "suspend"})
        self.enrollment.refresh_from_db()
        state = ScoState.objects.get()
        self.assertTrue(state.is_complete)
        self.assertTrue(self.enrollment.is_complete)
        first = CmiCommit.objects.order_by("pk").first()
        self.assertEqual(first.data["cmi.score.scaled"], "0.9")
        self.assertEqual(CmiCommit.objects.count(), 2)

    def test_the_launcher_gives_the_passing_score(self) -> None:
        response = self.client.get(
            f"/package-content/{self.token()}/", HTTP_HOST="127.0.0.1"
        )
        self.assertContains(response, '"scaled_passing_score": "0.7"')
        self.assertContains(response, '"learner_name": "Baker, Bob"')


class ContentOriginCheckTestCase(BaseTestCase):
    @override_settings(
        PACKAGE_CONTENT_ORIGIN="https://content.muster.example",
        SESSION_COOKIE_DOMAIN=".muster.example",
    )
    def test_a_cookie_domain_covering_the_content_host_is_an_error(self) -> None:
        from muster.packages.checks import content_origin_is_apart

        errors = content_origin_is_apart(None)
        self.assertEqual([e.id for e in errors], ["packages.E001"])
        self.assertIn("SESSION_COOKIE_DOMAIN (muster.example) covers", errors[0].msg)

    @override_settings(PACKAGE_CONTENT_ORIGIN="https://content.example.net")
    def test_an_unrelated_content_host_passes(self) -> None:
        from muster.packages.checks import content_origin_is_apart

        self.assertEqual(content_origin_is_apart(None), [])


def test_the_served_scorm_again_is_the_one_package_lock_pins() -> None:
    """The vendored runtime is scorm-again's own build, at the locked version."""
    from pathlib import Path

    root = Path(__file__).resolve().parents[3]
    lock = json.loads((root / "package-lock.json").read_text())
    version = lock["packages"]["node_modules/scorm-again"]["version"]
    served = root / f"muster/static/packages/vendor/scorm-again-{version}.min.js"
    assert served.exists(), f"Copy scorm-again {version}'s dist file to {served}"
    built = root / "node_modules/scorm-again/dist/scorm-again.min.js"
    if built.exists():
        assert served.read_bytes() == built.read_bytes()
