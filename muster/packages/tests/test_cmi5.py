"""Muster as the cmi5 LMS: one test (or a few) per LMS requirement, named after
the section of the cmi5 specification (Quartz) it checks."""

from __future__ import annotations

import base64
import html
import io
import json
import re
import uuid
from datetime import timedelta
from urllib.parse import parse_qsl, urlencode, urlsplit

import time_machine
from django.core.management import call_command
from django.test import Client, override_settings
from django.utils import timezone

from muster.accounts.choices import Role
from muster.agencies.choices import RecordSource
from muster.agencies.models import TrainingRecord
from muster.audit.models import AuditEntry
from muster.learning.models import Enrollment
from muster.packages import cmi5, cmi5_rules
from muster.packages.manifest import PackageError
from muster.packages.models import Cmi5Registration, Cmi5Session, Package, ScoState
from muster.packages.tests import fixtures
from muster.packages.tests.helpers import MediaMixin, imported
from muster.test import BaseTestCase, make_user
from muster.xapi.models import Document, LRSClient, Statement
from muster.xapi.protocol import Refused

CONTENT = "http://127.0.0.1"
COURSE = "https://muster.example/courses/cmi5-lms"
STRUCTURE = f"""<?xml version="1.0" encoding="utf-8"?>
<courseStructure xmlns="https://w3id.org/xapi/profiles/cmi5/v1/CourseStructure.xsd">
  <course id="{COURSE}">
    <title><langstring lang="en-US">Use of Force Reporting</langstring></title>
    <description><langstring lang="en-US">Two AUs.</langstring></description>
  </course>
  <objectives>
    <objective id=" {COURSE}/objective/report ">
      <title><langstring lang="en-US">Write the use-of-force report</langstring></title>
      <description><langstring lang="en-US">Within the shift.</langstring></description>
    </objective>
    <objective id="{COURSE}/objective/unused">
      <title><langstring lang="en-US">Nobody refers to this</langstring></title>
      <description><langstring lang="en-US">Unused.</langstring></description>
    </objective>
  </objectives>
  <block id="{COURSE}/block1">
    <title><langstring lang="en-US">Block</langstring></title>
    <description><langstring lang="en-US">Block.</langstring></description>
    <objectives><objective idref="{COURSE}/objective/report"/></objectives>
    <au id=" {COURSE}/au1 " moveOn="CompletedAndPassed" masteryScore="0.8">
      <title><langstring lang="en-US">The quiz</langstring></title>
      <description><langstring lang="en-US">Quiz.</langstring></description>
      <objectives><objective idref=" {COURSE}/objective/report "/></objectives>
      <url>au/index.html?lang=en</url>
      <launchParameters>QuizMode=1</launchParameters>
      <entitlementKey>ek-123</entitlementKey>
    </au>
  </block>
  <au id="{COURSE}/au2" moveOn="Completed">
    <title><langstring lang="en-US">The reading</langstring></title>
    <description><langstring lang="en-US">Reading.</langstring></description>
    <url>au/two.html</url>
  </au>
</courseStructure>
"""


EXPERIENCED = "http://adlnet.gov/expapi/verbs/experienced"
# Timestamps the AU gives in the ordering tests: seconds after this moment.
BASE = timezone.now() - timedelta(hours=1)


def stamp(moment) -> str:
    if isinstance(moment, int | float):
        moment = BASE + timedelta(seconds=moment)
    return moment.isoformat().replace("+00:00", "Z")


def structure_zip(text: str = STRUCTURE) -> bytes:
    return fixtures.build_zip(
        {"cmi5.xml": text, "au/index.html": fixtures.PAGE, "au/two.html": fixtures.PAGE}
    )


@override_settings(PACKAGE_CONTENT_ORIGIN=CONTENT)
class Cmi5TestCase(MediaMixin, BaseTestCase):  # packages stored in a temporary folder
    zip_data = staticmethod(structure_zip)

    def setUp(self) -> None:
        super().setUp()
        self.package = imported(self.zip_data())
        self.course = self.package.course
        self.course.seat_time_minutes = 0
        self.course.save()
        self.client.force_login(self.bob)
        self.client.post(f"/learn/{self.course.slug}/enroll/")
        self.enrollment = Enrollment.objects.get(person=self.bob_person)
        self.au1, *rest = self.package.items.all()
        self.au2 = rest[0] if rest else None
        self.http = Client()

    # The learner's side: the player, the fetch URL, the LRS.

    def launch(self, position: int = 1) -> dict:
        response = self.client.get(f"/learn/{self.course.slug}/package/{position}/")
        self.assertEqual(response.status_code, 200)
        src = html.unescape(
            re.search(
                r'id="package-frame"[^>]*src="([^"]+)"', response.content.decode()
            )[1]
        )
        params = dict(parse_qsl(urlsplit(src).query))
        params["url"] = src
        params["session"] = Cmi5Session.objects.latest("pk").session_id
        return params

    def fetch(self, params: dict) -> dict:
        response = self.http.post(urlsplit(params["fetch"]).path, HTTP_HOST="127.0.0.1")
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response["Content-Type"], "application/json")
        return response.json()

    def started(self, position: int = 1) -> tuple[dict, str]:
        """Launched, token fetched and the learner preferences read (11.0), as an
        AU starts."""
        params = self.launch(position)
        token = self.fetch(params)["auth-token"]
        self.preferences(params, token)
        return params, token

    def preferences(self, params, token, method="GET", body=None, **extra):
        query = {"agent": params["actor"], "profileId": "cmi5LearnerPreferences"}
        query.update(extra)
        query = {k: v for k, v in query.items() if v is not None}
        return self.xapi(token, method, "agents/profile", body, **query)

    def xapi(self, token, method, path, body=None, **params):
        query = "&".join(f"{k}={v}" for k, v in params.items())
        return self.http.generic(
            method,
            f"/xapi/{path}" + (f"?{query}" if query else ""),
            json.dumps(body) if body is not None else "",
            content_type="application/json",
            HTTP_AUTHORIZATION=f"Basic {token}",
            HTTP_X_EXPERIENCE_API_VERSION="1.0.3",
        )

    def defined(
        self, params, verb, result=None, moveon=None, at=None, **context
    ) -> dict:
        """A "cmi5 defined" statement; `at`: its timestamp, seconds after BASE."""
        item = (
            self.au1 if params["activityId"].endswith(f"/{self.au1.pk}") else self.au2
        )
        categories = [{"id": cmi5.CATEGORY_CMI5}]
        if moveon or (
            moveon is None and result and ({"success", "completion"} & set(result))
        ):
            categories.append({"id": cmi5.CATEGORY_MOVEON})
        statement = {
            "id": str(uuid.uuid4()),
            "actor": json.loads(params["actor"]),
            "verb": {"id": verb},
            "object": {"id": params["activityId"]},
            "timestamp": stamp(timezone.now() if at is None else at),
            "context": {
                "registration": params["registration"],
                "contextActivities": {
                    "category": categories,
                    "grouping": [{"id": item.identifier}],
                },
                "extensions": {
                    cmi5.SESSION_ID: params["session"],
                    **({cmi5.MASTERY_SCORE: 0.8} if item == self.au1 else {}),
                },
                **context,
            },
        }
        if result is not None:
            statement["result"] = result
        return statement

    def allowed(self, params, verb=EXPERIENCED, at=None) -> dict:
        """A "cmi5 allowed" statement: the contextTemplate, no cmi5 category."""
        statement = self.defined(params, verb, at=at)
        statement["context"]["contextActivities"]["category"] = []
        return statement

    def send(self, token, *statements):
        return self.xapi(token, "POST", "statements", list(statements))

    def run_session(self, params, token, *statements):
        for statement in statements:
            response = self.send(token, statement)
            self.assertEqual(response.status_code, 200, response.content)


def cmi5_rows(verb=None):
    """The LRS's cmi5 statements (not those Muster's native courses emit)."""
    rows = Statement.objects.filter(data__context__extensions__has_key=cmi5.SESSION_ID)
    return rows.filter(verb_id=verb) if verb else rows


class LaunchTests(Cmi5TestCase):
    def test_8_1_the_launch_url_carries_the_five_parameters(self) -> None:
        params = self.launch()
        self.assertEqual(params["endpoint"], "http://testserver/xapi/")
        self.assertTrue(params["fetch"].startswith(f"{CONTENT}/package-content/"))
        actor = json.loads(params["actor"])
        self.assertEqual(actor["objectType"], "Agent")
        self.assertIn("account", actor)
        self.assertNotIn("Bob", params["actor"])  # no PII in the actor
        registration = Cmi5Registration.objects.get(enrollment=self.enrollment)
        self.assertEqual(params["registration"], str(registration.registration))
        self.assertEqual(params["activityId"], cmi5.au_activity_id(self.au1))
        # The AU's own query string is kept, merged with cmi5's (13.1.4 url).
        self.assertEqual(params["lang"], "en")
        self.assertTrue(params["url"].startswith(f"{CONTENT}/package-content/"))

    def test_8_1_the_activity_id_is_not_the_publisher_id_and_is_stable(self) -> None:
        first = self.launch()
        again = self.launch()
        self.assertNotEqual(first["activityId"], self.au1.identifier)
        self.assertEqual(first["activityId"], again["activityId"])
        self.assertEqual(first["registration"], again["registration"])
        self.assertNotEqual(first["session"], again["session"])

    def test_13_1_the_publisher_id_is_stripped_of_whitespace(self) -> None:
        self.assertEqual(self.au1.identifier, f"{COURSE}/au1")
        self.assertEqual(self.au1.blocks, [f"{COURSE}/block1"])
        self.assertEqual(self.au2.blocks, [])

    def test_13_1_3_objectives_are_imported_with_who_refers_to_them(self) -> None:
        self.assertEqual(
            self.package.cmi5_objectives,
            [
                {
                    "id": f"{COURSE}/objective/report",
                    "title": "Write the use-of-force report",
                    "description": "Within the shift.",
                    "blocks": [f"{COURSE}/block1"],
                    "aus": [f"{COURSE}/au1"],
                },
                {
                    "id": f"{COURSE}/objective/unused",
                    "title": "Nobody refers to this",
                    "description": "Unused.",
                    "blocks": [],
                    "aus": [],
                },
            ],
        )

    def test_13_1_3_a_reference_to_an_undeclared_objective_is_refused(self) -> None:
        text = STRUCTURE.replace(
            f'<objective idref=" {COURSE}/objective/report "/>',
            f'<objective idref="{COURSE}/objective/missing"/>',
        )
        no_id = STRUCTURE.replace(
            f'<objective id="{COURSE}/objective/unused">', "<objective>"
        )
        before = Package.objects.count()
        for bad, named in (
            (
                text,
                f"<au id='{COURSE}/au1'> refers to objective '{COURSE}/objective/missing'",
            ),
            (no_id, "<objectives>, <objective> has no id; it is required (13.2)"),
        ):
            with self.subTest(named=named):
                with self.assertRaises(PackageError) as error:
                    imported(structure_zip(bad), actor=self.package.uploaded_by)
                self.assertIn(named, str(error.exception))
        self.assertEqual(Package.objects.count(), before)

    def test_9_3_1_launched_is_recorded_before_the_launch(self) -> None:
        params = self.launch()
        launched = cmi5_rows(cmi5.LAUNCHED).get()
        data = launched.data
        self.assertEqual(data["object"]["id"], params["activityId"])
        self.assertEqual(data["context"]["registration"], params["registration"])
        extensions = data["context"]["extensions"]
        self.assertEqual(extensions[cmi5.SESSION_ID], params["session"])
        self.assertEqual(extensions[cmi5.EXTENSION + "launchmode"], "Normal")
        self.assertEqual(extensions[cmi5.EXTENSION + "moveon"], "CompletedAndPassed")
        self.assertEqual(extensions[cmi5.EXTENSION + "launchparameters"], "QuizMode=1")
        self.assertEqual(extensions[cmi5.MASTERY_SCORE], 0.8)
        launch_url = extensions[cmi5.EXTENSION + "launchurl"]
        self.assertTrue(launch_url.endswith("au/index.html?lang=en"))
        self.assertNotIn("endpoint", launch_url)
        activities = data["context"]["contextActivities"]
        self.assertEqual(activities["category"][0]["id"], cmi5.CATEGORY_CMI5)
        self.assertEqual(activities["grouping"][0]["id"], self.au1.identifier)

    def test_10_0_launch_data_is_written_before_the_launch(self) -> None:
        params, token = self.started()
        response = self.xapi(
            token,
            "GET",
            "activities/state",
            activityId=params["activityId"],
            agent=params["actor"],
            registration=params["registration"],
            stateId="LMS.LaunchData",
        )
        self.assertEqual(response.status_code, 200, response.content)
        data = response.json()
        template = data["contextTemplate"]
        self.assertEqual(template["extensions"][cmi5.SESSION_ID], params["session"])
        self.assertEqual(template["extensions"][cmi5.MASTERY_SCORE], 0.8)
        self.assertEqual(
            template["contextActivities"]["grouping"][0]["id"], self.au1.identifier
        )
        self.assertEqual(data["launchMode"], "Normal")
        self.assertEqual(data["moveOn"], "CompletedAndPassed")
        self.assertEqual(data["masteryScore"], 0.8)
        self.assertEqual(data["launchParameters"], "QuizMode=1")
        self.assertEqual(data["entitlementKey"], {"courseStructure": "ek-123"})
        self.assertTrue(data["returnURL"].startswith(f"{CONTENT}/package-content/"))

    def test_10_0_the_au_may_not_change_launch_data(self) -> None:
        params, token = self.started()
        for method in ("PUT", "POST", "DELETE"):
            response = self.xapi(
                token,
                method,
                "activities/state",
                {"launchMode": "Browse"},
                activityId=params["activityId"],
                agent=params["actor"],
                registration=params["registration"],
                stateId="LMS.LaunchData",
            )
            self.assertEqual(response.status_code, 403, method)
        document = Document.objects.get(document_id="LMS.LaunchData")
        self.assertEqual(json.loads(bytes(document.content))["launchMode"], "Normal")

    def test_10_0_the_au_keeps_its_own_state(self) -> None:
        params, token = self.started()
        response = self.xapi(
            token,
            "PUT",
            "activities/state",
            {"page": 3},
            activityId=params["activityId"],
            agent=params["actor"],
            registration=params["registration"],
            stateId="bookmark",
        )
        self.assertEqual(response.status_code, 204, response.content)

    def test_11_0_learner_preferences_the_au_may_write_well_formed(self) -> None:
        params = self.launch()
        token = self.fetch(params)["auth-token"]
        # Muster keeps no audio preference, so it writes no document (404 is
        # what the AU reads then).
        self.assertEqual(self.preferences(params, token).status_code, 404)
        good = {"languagePreference": "en-US,fr-FR", "audioPreference": "off"}
        self.assertEqual(self.preferences(params, token, "PUT", good).status_code, 204)
        self.assertEqual(self.preferences(params, token).json(), good)
        other = json.dumps({"mbox": "mailto:someone@example.com"})
        bad = [
            ({"agent": None}, good),
            ({"agent": other}, good),
            ({}, {"languagePreference": "en-US"}),
            ({}, {"audioPreference": "on"}),
            ({}, {**good, "languagePreference": "not comma separated"}),
            ({}, {**good, "languagePreference": ""}),
            ({}, {**good, "audioPreference": "loud"}),
            ({}, ["en-US"]),
        ]
        for extra, body in bad:
            with self.subTest(extra=extra, body=body):
                response = self.preferences(params, token, "PUT", body, **extra)
                self.assertEqual(response.status_code, 403, response.content)
        text = self.http.put(
            "/xapi/agents/profile?"
            + urlencode(
                {"agent": params["actor"], "profileId": "cmi5LearnerPreferences"}
            ),
            "just some text",
            content_type="text/plain",
            HTTP_AUTHORIZATION=f"Basic {token}",
            HTTP_X_EXPERIENCE_API_VERSION="1.0.3",
        )
        self.assertEqual(text.status_code, 403)
        self.assertEqual(self.preferences(params, token).json(), good)

    def test_11_0_statements_wait_until_the_preferences_are_read(self) -> None:
        params = self.launch()
        token = self.fetch(params)["auth-token"]
        before = Statement.objects.count()
        self.assertEqual(
            self.send(token, self.defined(params, cmi5.INITIALIZED)).status_code, 403
        )
        self.assertEqual(Statement.objects.count(), before)
        self.preferences(params, token)
        self.assertEqual(
            self.send(token, self.defined(params, cmi5.INITIALIZED)).status_code, 200
        )

    def test_the_endpoint_works_with_a_doubled_slash(self) -> None:
        params, token = self.started()
        statement = self.defined(params, cmi5.INITIALIZED)
        response = self.http.put(
            f"/xapi//statements?statementId={statement['id']}",
            json.dumps(statement),
            content_type="application/json",
            HTTP_AUTHORIZATION=f"Basic {token}",
            HTTP_X_EXPERIENCE_API_VERSION="1.0.3",
        )
        self.assertEqual(response.status_code, 204, response.content)

    def test_10_0_state_only_for_the_launch_registration(self) -> None:
        params, token = self.started()
        for registration in (None, str(uuid.uuid4())):
            query = {
                "activityId": params["activityId"], "agent": params["actor"],
                "stateId": "bookmark",
            }  # fmt: skip
            if registration:
                query["registration"] = registration
            response = self.xapi(token, "PUT", "activities/state", {"a": 1}, **query)
            self.assertEqual(response.status_code, 403, registration)

    def test_8_1_own_window_aus_open_in_a_window_of_their_own(self) -> None:
        self.au1.launch_method = "OwnWindow"
        self.au1.save()
        response = self.client.get(f"/learn/{self.course.slug}/package/1/")
        self.assertContains(response, 'id="package-open"')
        self.assertNotContains(response, 'id="package-frame"')

    def test_no_agency_no_launch_and_nothing_written(self) -> None:
        self.bob_person.employments.update(
            ends_on=timezone.localdate() - timedelta(days=1)
        )
        response = self.client.get(f"/learn/{self.course.slug}/package/1/")
        self.assertContains(response, "current agency")
        self.assertFalse(cmi5_rows().exists())
        self.assertFalse(Cmi5Session.objects.exists())


class FetchTests(Cmi5TestCase):
    def test_8_2_the_fetch_url_gives_the_token_once(self) -> None:
        params = self.launch()
        first = self.fetch(params)
        self.assertIn("auth-token", first)
        key, _, secret = base64.b64decode(first["auth-token"]).decode().partition(":")
        self.assertTrue(LRSClient.objects.get(key=key).check_secret(secret))
        second = self.fetch(params)
        self.assertEqual(second["error-code"], "1")
        self.assertNotIn("auth-token", second)

    def test_8_2_3_a_forged_fetch_url_is_error_2(self) -> None:
        response = self.http.post(
            "/package-content/forged/cmi5/fetch/", HTTP_HOST="127.0.0.1"
        )
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.json()["error-code"], "2")

    def test_8_2_3_2_an_expired_fetch_url_is_error_1(self) -> None:
        params = self.launch()
        later = timezone.now() + cmi5.SESSION_TIMEOUT + timedelta(minutes=1)
        with time_machine.travel(later, tick=False):
            answer = self.fetch(params)
        self.assertEqual(answer["error-code"], "1")  # "Already in Use or Expired"
        self.assertNotIn("auth-token", answer)

    def test_8_2_1_get_is_not_allowed(self) -> None:
        params = self.launch()
        response = self.http.get(urlsplit(params["fetch"]).path, HTTP_HOST="127.0.0.1")
        self.assertEqual(response.status_code, 405)
        self.assertIn("auth-token", self.fetch(params))

    def test_8_2_the_fetch_url_is_served_only_on_the_content_origin(self) -> None:
        params = self.launch()
        response = self.http.post(urlsplit(params["fetch"]).path)
        self.assertEqual(response.status_code, 404)

    def test_8_2_the_token_is_a_credential_for_this_learner_only(self) -> None:
        params, token = self.started()
        carol = {
            "objectType": "Agent",
            "account": {"homePage": "https://x.example", "name": "c"},
        }
        statement = self.defined(params, cmi5.INITIALIZED)
        statement["actor"] = carol
        self.assertEqual(self.send(token, statement).status_code, 403)
        response = self.xapi(
            token, "GET", "agents/profile", agent=json.dumps(carol),
            profileId="cmi5LearnerPreferences",
        )  # fmt: skip
        self.assertEqual(response.status_code, 403)
        other = self.defined(params, cmi5.INITIALIZED)
        other["context"]["registration"] = str(uuid.uuid4())
        self.assertEqual(self.send(token, other).status_code, 403)

    def test_8_2_the_token_ends_with_the_session(self) -> None:
        params, token = self.started()
        self.run_session(
            params, token,
            self.defined(params, cmi5.INITIALIZED),
            self.defined(params, cmi5.TERMINATED, {"duration": "PT5S"}),
        )  # fmt: skip
        late = self.defined(params, "http://adlnet.gov/expapi/verbs/experienced")
        self.assertIn(self.send(token, late).status_code, (401, 403))

    def test_the_au_reads_only_its_learners_statements(self) -> None:
        params, token = self.started()
        self.run_session(params, token, self.defined(params, cmi5.INITIALIZED))
        response = self.xapi(token, "GET", "statements")
        actors = {
            json.dumps(s["actor"], sort_keys=True)
            for s in response.json()["statements"]
        }
        self.assertEqual(len(actors), 1)
        self.assertEqual(
            json.loads(actors.pop())["account"], json.loads(params["actor"])["account"]
        )


class StatementRuleTests(Cmi5TestCase):
    def assert_refused(self, token, *statements) -> None:
        before = Statement.objects.count()
        response = self.send(token, *statements)
        self.assertEqual(response.status_code, 403, response.content)
        self.assertIn("cmi5", response.json()["error"])
        self.assertEqual(Statement.objects.count(), before)

    def test_9_3_2_initialized_comes_first(self) -> None:
        params, token = self.started()
        self.assert_refused(
            token,
            self.defined(
                params, cmi5.COMPLETED, {"completion": True, "duration": "PT1S"}
            ),
        )
        self.assert_refused(token, self.allowed(params))
        self.run_session(params, token, self.defined(params, cmi5.INITIALIZED))
        self.assertEqual(self.send(token, self.allowed(params)).status_code, 200)

    def test_9_3_verbs_are_not_duplicated_in_a_session(self) -> None:
        params, token = self.started()
        self.run_session(params, token, self.defined(params, cmi5.INITIALIZED))
        self.assert_refused(token, self.defined(params, cmi5.INITIALIZED))

    def test_9_3_only_one_of_passed_and_failed_in_a_session(self) -> None:
        params, token = self.started()
        failed = {"success": False, "duration": "PT1S", "score": {"scaled": 0.5}}
        self.run_session(
            params, token, self.defined(params, cmi5.INITIALIZED),
            self.defined(params, cmi5.FAILED, failed),
        )  # fmt: skip
        self.assert_refused(
            token,
            self.defined(params, cmi5.PASSED, {"success": True, "duration": "PT1S"}),
        )

    def test_9_3_the_lms_verbs_and_voiding_are_not_for_the_au(self) -> None:
        params, token = self.started()
        self.run_session(params, token, self.defined(params, cmi5.INITIALIZED))
        for verb in (cmi5.LAUNCHED, cmi5.SATISFIED, cmi5.WAIVED, cmi5.ABANDONED):
            self.assert_refused(token, self.defined(params, verb))
        voiding = {
            "actor": json.loads(params["actor"]),
            "verb": {"id": "http://adlnet.gov/expapi/verbs/voided"},
            "object": {
                "objectType": "StatementRef",
                "id": str(Statement.objects.first().statement_id),
            },
        }
        self.assert_refused(token, voiding)  # 6.3

    def test_9_3_8_terminated_is_the_last_statement(self) -> None:
        params, token = self.started()
        batch = [
            self.defined(params, cmi5.INITIALIZED),
            self.defined(params, cmi5.TERMINATED, {"duration": "PT1S"}),
            self.defined(
                params, cmi5.COMPLETED, {"completion": True, "duration": "PT1S"}
            ),
        ]
        self.assert_refused(token, *batch)

    def test_9_3_4_passed_needs_a_score_at_or_above_the_mastery_score(self) -> None:
        params, token = self.started()
        self.run_session(params, token, self.defined(params, cmi5.INITIALIZED))
        low = {"success": True, "duration": "PT1S", "score": {"scaled": 0.79}}
        self.assert_refused(token, self.defined(params, cmi5.PASSED, low))
        high = {"success": False, "duration": "PT1S", "score": {"scaled": 0.8}}
        self.assert_refused(token, self.defined(params, cmi5.FAILED, high))  # 9.3.5
        wrong = self.defined(params, cmi5.PASSED, {**low, "score": {"scaled": 0.9}})
        wrong["context"]["extensions"][cmi5.MASTERY_SCORE] = 0.5
        self.assert_refused(token, wrong)  # 9.6.3.2

    def test_9_5_result_rules(self) -> None:
        params, token = self.started()
        self.run_session(params, token, self.defined(params, cmi5.INITIALIZED))
        cases = [
            (
                cmi5.COMPLETED,
                {"completion": True, "duration": "PT1S", "score": {"scaled": 1}},
            ),  # 9.5.1
            (
                cmi5.PASSED,
                {"success": True, "duration": "PT1S", "score": {"raw": 9}},
            ),  # 9.5.1
            (cmi5.PASSED, {"duration": "PT1S"}),  # 9.5.2
            (cmi5.FAILED, {"success": True, "duration": "PT1S"}),  # 9.5.2
            (cmi5.COMPLETED, {"duration": "PT1S"}),  # 9.5.3
            (cmi5.COMPLETED, {"completion": True}),  # 9.5.4.1
            (
                cmi5.PASSED,
                {"success": True, "completion": True, "duration": "PT1S"},
            ),  # 9.5.3
        ]
        for verb, result in cases:
            with self.subTest(verb=verb, result=result):
                self.assert_refused(token, self.defined(params, verb, result))
        no_moveon = self.defined(
            params,
            cmi5.COMPLETED,
            {"completion": True, "duration": "PT1S"},
            moveon=False,
        )
        self.assert_refused(token, no_moveon)  # 9.6.2.2
        terminated = self.defined(
            params, cmi5.TERMINATED, {"duration": "PT1S"}, moveon=True
        )
        self.assert_refused(token, terminated)  # 9.6.2.2

    def test_9_1_and_9_7_ids_and_utc_timestamps_are_required(self) -> None:
        params, token = self.started()
        no_id = self.defined(params, cmi5.INITIALIZED)
        del no_id["id"]
        no_time = self.defined(params, cmi5.INITIALIZED)
        del no_time["timestamp"]
        local = self.defined(params, cmi5.INITIALIZED)
        local["timestamp"] = local["timestamp"].replace("Z", "-06:00")
        for statement in (no_id, no_time, local):
            self.assert_refused(token, statement)
        self.run_session(params, token, self.defined(params, cmi5.INITIALIZED))

    def test_9_6_3_2_passed_carries_the_mastery_score(self) -> None:
        params, token = self.started()
        self.run_session(params, token, self.defined(params, cmi5.INITIALIZED))
        passed = self.defined(
            params, cmi5.PASSED, {"success": True, "duration": "PT1S"}
        )
        del passed["context"]["extensions"][cmi5.MASTERY_SCORE]
        self.assert_refused(token, passed)
        passed["context"]["extensions"][cmi5.MASTERY_SCORE] = 0.8
        self.assertEqual(self.send(token, passed).status_code, 200)

    def test_9_2_the_actor_is_an_agent_with_an_account(self) -> None:
        params, token = self.started()
        self.run_session(params, token, self.defined(params, cmi5.INITIALIZED))
        group = self.defined(params, cmi5.PASSED, {"success": True, "duration": "PT1S"})
        group["actor"]["objectType"] = "Group"
        mbox = self.defined(params, cmi5.PASSED, {"success": True, "duration": "PT1S"})
        mbox["actor"] = {"mbox": "mailto:catapult@example.com"}
        for statement in (group, mbox):
            self.assert_refused(token, statement)

    def test_9_6_the_context_template_is_required(self) -> None:
        params, token = self.started()
        no_session = self.defined(params, cmi5.INITIALIZED)
        no_session["context"]["extensions"] = {}
        no_grouping = self.defined(params, cmi5.INITIALIZED)
        no_grouping["context"]["contextActivities"]["grouping"] = []
        wrong_object = self.defined(params, cmi5.INITIALIZED)
        wrong_object["object"]["id"] = self.au1.identifier  # 9.4
        no_context = self.defined(params, cmi5.INITIALIZED)
        del no_context["context"]
        for statement in (no_session, no_grouping, wrong_object, no_context):
            self.assert_refused(token, statement)

    def test_9_3_one_completed_and_one_passed_per_registration(self) -> None:
        params, token = self.started()
        completed = {"completion": True, "duration": "PT1S"}
        self.run_session(
            params, token, self.defined(params, cmi5.INITIALIZED),
            self.defined(params, cmi5.COMPLETED, completed),
            self.defined(params, cmi5.FAILED, {"success": False, "duration": "PT1S"}),
            self.defined(params, cmi5.TERMINATED, {"duration": "PT1S"}),
        )  # fmt: skip
        params, token = self.started()
        self.run_session(params, token, self.defined(params, cmi5.INITIALIZED))
        self.assert_refused(token, self.defined(params, cmi5.COMPLETED, completed))
        passed = {"success": True, "duration": "PT1S", "score": {"scaled": 0.9}}
        self.run_session(params, token, self.defined(params, cmi5.PASSED, passed))
        self.run_session(
            params, token, self.defined(params, cmi5.TERMINATED, {"duration": "PT1S"})
        )
        params, token = self.started()
        self.run_session(params, token, self.defined(params, cmi5.INITIALIZED))
        self.assert_refused(
            token,
            self.defined(params, cmi5.FAILED, {"success": False, "duration": "PT1S"}),
        )

    def test_10_0_browse_mode_on_request_records_no_completion(self) -> None:
        response = self.client.get(f"/learn/{self.course.slug}/package/2/?mode=Loud")
        self.assertEqual(response.status_code, 400)
        self.assertFalse(Cmi5Session.objects.exists())
        self.client.get(f"/learn/{self.course.slug}/package/2/?mode=Browse")
        session = Cmi5Session.objects.get()
        self.assertEqual(session.launch_mode, "Browse")
        launched = cmi5_rows(cmi5.LAUNCHED).get().data
        self.assertEqual(
            launched["context"]["extensions"][cmi5.EXTENSION + "launchmode"], "Browse"
        )

    def test_10_0_review_mode_records_no_completion(self) -> None:
        params, token = self.started(2)
        self.run_session(
            params, token, self.defined(params, cmi5.INITIALIZED),
            self.defined(params, cmi5.COMPLETED, {"completion": True, "duration": "PT1S"}),
            self.defined(params, cmi5.TERMINATED, {"duration": "PT1S"}),
        )  # fmt: skip
        params, token = self.started(2)
        self.assertEqual(Cmi5Session.objects.latest("pk").launch_mode, "Review")
        self.run_session(params, token, self.defined(params, cmi5.INITIALIZED))
        self.assert_refused(
            token,
            self.defined(params, cmi5.PASSED, {"success": True, "duration": "PT1S"}),
        )


class OrderTests(Cmi5TestCase):
    """9.3: "the order is determined by the value of the timestamp property"."""

    completed = {"completion": True, "duration": "PT1S"}

    def assert_refused(self, token, *statements, naming=()) -> dict:
        before = Statement.objects.count()
        response = self.send(token, *statements)
        self.assertEqual(response.status_code, 403, response.content)
        error = response.json()["error"]
        for words in naming:
            self.assertIn(words, error)
        self.assertEqual(Statement.objects.count(), before)
        return error

    def session(self) -> Cmi5Session:
        return Cmi5Session.objects.latest("pk")

    def test_9_3_a_batch_sent_out_of_order_is_judged_by_timestamp(self) -> None:
        params, token = self.started()
        response = self.send(
            token,
            self.defined(params, cmi5.TERMINATED, {"duration": "PT3S"}, at=30),
            self.defined(params, cmi5.COMPLETED, self.completed, at=20),
            self.allowed(params, at=15),
            self.defined(params, cmi5.INITIALIZED, at=10),
        )
        self.assertEqual(response.status_code, 200, response.content)
        session = self.session()
        self.assertEqual(
            session.verbs, [cmi5.INITIALIZED, cmi5.COMPLETED, cmi5.TERMINATED]
        )
        self.assertIsNotNone(session.terminated_at)
        self.assertEqual(cmi5_rows().filter(client=session.credential).count(), 4)
        self.assertEqual(
            ScoState.objects.get(item=self.au1).completion_status, "completed"
        )

    def test_9_3_2_a_statement_timed_before_initialized_is_refused(self) -> None:
        params, token = self.started()
        early = self.allowed(params, at=5)
        self.assert_refused(
            token,
            self.defined(params, cmi5.INITIALIZED, at=10),
            early,
            naming=(
                "statement[1].timestamp",
                "before the batch's Initialized",
                "9.3.2",
            ),
        )
        self.run_session(params, token, self.defined(params, cmi5.INITIALIZED, at=10))
        # Arriving later, with a timestamp before the stored Initialized.
        error = self.assert_refused(
            token,
            self.defined(params, cmi5.COMPLETED, self.completed, at=9),
            naming=("statement.timestamp", "before the session's Initialized"),
        )
        self.assertIn("9.3.2", error)
        self.assert_refused(token, early, naming=("before the session's Initialized",))
        self.assertEqual(self.session().verbs, [cmi5.INITIALIZED])

    def test_9_3_a_statement_arriving_late_is_placed_by_its_timestamp(self) -> None:
        params, token = self.started()
        self.run_session(
            params, token, self.defined(params, cmi5.INITIALIZED, at=10),
            self.defined(params, cmi5.COMPLETED, self.completed, at=30),
        )  # fmt: skip
        # Before the stored Completed, after Initialized: in its place, accepted.
        self.run_session(params, token, self.allowed(params, at=20))
        passed = {"success": True, "duration": "PT1S", "score": {"scaled": 0.9}}
        self.run_session(
            params, token, self.defined(params, cmi5.PASSED, passed, at=25)
        )
        self.assertEqual(
            self.session().verbs, [cmi5.INITIALIZED, cmi5.COMPLETED, cmi5.PASSED]
        )

    def test_9_3_8_a_statement_timed_after_terminated_is_refused(self) -> None:
        params, token = self.started()
        self.assert_refused(
            token,
            self.defined(params, cmi5.INITIALIZED, at=10),
            self.defined(params, cmi5.TERMINATED, {"duration": "PT1S"}, at=20),
            self.allowed(params, at=21),
            naming=("statement[2].timestamp", "after the session's Terminated", "9.3"),
        )
        # Completed sent after Terminated but timed before it: the same batch,
        # so judged in its place.
        response = self.send(
            token,
            self.defined(params, cmi5.INITIALIZED, at=10),
            self.defined(params, cmi5.TERMINATED, {"duration": "PT1S"}, at=20),
            self.defined(params, cmi5.COMPLETED, self.completed, at=15),
        )
        self.assertEqual(response.status_code, 200, response.content)
        self.assertEqual(
            self.session().verbs, [cmi5.INITIALIZED, cmi5.COMPLETED, cmi5.TERMINATED]
        )
        # Once Terminated is received nothing more is accepted, whatever its
        # timestamp (9.3.8, the wait being zero); the credential is revoked too.
        before = Statement.objects.count()
        response = self.send(token, self.allowed(params, at=12))
        self.assertIn(response.status_code, (401, 403))
        self.assertEqual(Statement.objects.count(), before)

    def test_9_3_8_nothing_is_accepted_once_terminated_is_received(self) -> None:
        params, token = self.started()
        self.run_session(params, token, self.defined(params, cmi5.INITIALIZED, at=10))
        self.run_session(
            params,
            token,
            self.defined(params, cmi5.TERMINATED, {"duration": "PT1S"}, at=20),
        )
        # Past the revoked credential, the rule itself (9.3.8) refuses it.
        view = cmi5_rules.SessionView(self.session())
        with self.assertRaises(Refused) as refused:
            cmi5_rules.check_statement(self.allowed(params, at=15), view, "statement")
        self.assertEqual(refused.exception.status, 403)
        self.assertIn("Terminated has been received", str(refused.exception))

    def test_9_7_equal_timestamps_put_neither_first(self) -> None:
        params, token = self.started()
        response = self.send(
            token,
            self.defined(params, cmi5.TERMINATED, {"duration": "PT0S"}, at=10),
            self.allowed(params, at=10),
            self.defined(params, cmi5.COMPLETED, self.completed, at=10),
            self.defined(params, cmi5.INITIALIZED, at=10),
        )
        self.assertEqual(response.status_code, 200, response.content)
        self.assertEqual(
            self.session().verbs, [cmi5.INITIALIZED, cmi5.COMPLETED, cmi5.TERMINATED]
        )
        params, token = self.started()
        self.run_session(params, token, self.defined(params, cmi5.INITIALIZED, at=40))
        self.run_session(
            params, token, self.allowed(params, at=40)
        )  # a tie: not before

    def test_9_3_failed_and_passed_across_sessions_by_timestamp(self) -> None:
        passed = {"success": True, "duration": "PT1S", "score": {"scaled": 0.9}}
        failed = {"success": False, "duration": "PT1S", "score": {"scaled": 0.5}}
        params, token = self.started()
        self.run_session(
            params, token, self.defined(params, cmi5.INITIALIZED, at=100),
            self.defined(params, cmi5.FAILED, failed, at=110),
            self.defined(params, cmi5.TERMINATED, {"duration": "PT1S"}, at=120),
        )  # fmt: skip
        # A Passed timed before the registration's Failed would put the Failed
        # after it: refused. After it: accepted.
        params, token = self.started()
        self.run_session(params, token, self.defined(params, cmi5.INITIALIZED, at=50))
        self.assert_refused(
            token,
            self.defined(params, cmi5.PASSED, passed, at=60),
            naming=("before a Failed", "(9.3)"),
        )
        self.run_session(
            params, token, self.defined(params, cmi5.PASSED, passed, at=200),
            self.defined(params, cmi5.TERMINATED, {"duration": "PT1S"}, at=210),
        )  # fmt: skip
        # A Failed timed after that Passed: refused (one timed before it would
        # not follow it).
        params, token = self.started()
        self.run_session(params, token, self.defined(params, cmi5.INITIALIZED, at=300))
        self.assert_refused(
            token,
            self.defined(params, cmi5.FAILED, failed, at=310),
            naming=("must not follow a Passed",),
        )


class ContextTemplateTests(Cmi5TestCase):
    """10.0: the AU uses the contextTemplate for all its statements and "MUST NOT
    overwrite any values provided in the contextTemplate"."""

    def assert_refused(self, token, statement, *naming) -> None:
        before = Statement.objects.count()
        response = self.send(token, statement)
        self.assertEqual(response.status_code, 403, response.content)
        for words in naming:
            self.assertIn(words, response.json()["error"])
        self.assertEqual(Statement.objects.count(), before)

    def test_10_0_allowed_statements_carry_every_template_value(self) -> None:
        params, token = self.started()
        self.run_session(params, token, self.defined(params, cmi5.INITIALIZED))
        no_mastery = self.allowed(params)
        del no_mastery["context"]["extensions"][cmi5.MASTERY_SCORE]
        self.assert_refused(token, no_mastery, cmi5.MASTERY_SCORE, "9.6.3.2, 10.0")
        other_mastery = self.allowed(params)
        other_mastery["context"]["extensions"][cmi5.MASTERY_SCORE] = 0.5
        self.assert_refused(token, other_mastery, "contextTemplate's 0.8")
        other_session = self.allowed(params)
        other_session["context"]["extensions"][cmi5.SESSION_ID] = "another"
        self.assert_refused(token, other_session, "9.6.3.1, 10.0")
        no_publisher = self.allowed(params)
        no_publisher["context"]["contextActivities"]["grouping"] = [
            {"id": "https://vendor.example/other"}
        ]
        self.assert_refused(
            token, no_publisher, "contextActivities.grouping", self.au1.identifier
        )
        # Values added beside the template's, and 0.80 for 0.8, are the AU's to give.
        fine = self.allowed(params)
        fine["context"]["extensions"][cmi5.MASTERY_SCORE] = 0.80
        fine["context"]["extensions"]["https://vendor.example/ext/page"] = 3
        fine["context"]["contextActivities"]["grouping"].append(
            {"id": "https://vendor.example/other"}
        )
        fine["context"]["contextActivities"]["parent"] = [
            {"id": "https://vendor.example/quiz"}
        ]
        self.assertEqual(self.send(token, fine).status_code, 200)

    def test_10_0_defined_statements_carry_every_template_value(self) -> None:
        params, token = self.started()
        initialized = self.defined(params, cmi5.INITIALIZED)
        del initialized["context"]["extensions"][cmi5.MASTERY_SCORE]
        self.assert_refused(token, initialized, "masteryscore")
        self.run_session(params, token, self.defined(params, cmi5.INITIALIZED))

    def test_10_0_an_au_without_mastery_score_has_none_in_its_template(self) -> None:
        params, token = self.started(2)
        self.run_session(params, token, self.defined(params, cmi5.INITIALIZED))
        self.run_session(params, token, self.allowed(params))


class SessionTests(Cmi5TestCase):
    def test_9_3_6_a_new_launch_abandons_the_open_session(self) -> None:
        params, token = self.started()
        self.run_session(params, token, self.defined(params, cmi5.INITIALIZED))
        self.started(2)
        abandoned = Statement.objects.get(verb_id=cmi5.ABANDONED)
        self.assertEqual(
            abandoned.data["context"]["extensions"][cmi5.SESSION_ID], params["session"]
        )
        self.assertTrue(abandoned.data["result"]["duration"].startswith("PT"))
        late = self.defined(params, "http://adlnet.gov/expapi/verbs/experienced")
        self.assertIn(self.send(token, late).status_code, (401, 403))
        self.started(1)
        self.assertEqual(Statement.objects.filter(verb_id=cmi5.ABANDONED).count(), 2)

    def test_9_3_6_a_session_left_open_is_abandoned_after_the_timeout(self) -> None:
        params, token = self.started()
        session = Cmi5Session.objects.get(session_id=params["session"])
        self.assertEqual(cmi5.abandon_stale_sessions(), 0)
        later = timezone.now() + cmi5.SESSION_TIMEOUT + timedelta(minutes=1)
        self.assertEqual(cmi5.abandon_stale_sessions(later), 1)
        session.refresh_from_db()
        self.assertIsNotNone(session.abandoned_at)
        self.assertEqual(cmi5.abandon_stale_sessions(later), 0)  # only once (9.3)

    def test_9_3_6_the_daily_command_abandons_stale_sessions(self) -> None:
        params, _ = self.started()
        Cmi5Session.objects.filter(session_id=params["session"]).update(
            launched_at=timezone.now() - cmi5.SESSION_TIMEOUT - timedelta(minutes=1)
        )
        out = io.StringIO()
        call_command("abandon_cmi5_sessions", stdout=out)
        self.assertIn("Abandoned 1 cmi5 session(s).", out.getvalue())
        self.assertEqual(cmi5_rows(cmi5.ABANDONED).count(), 1)

    def test_9_3_a_terminated_session_is_not_abandoned(self) -> None:
        params, token = self.started()
        self.run_session(
            params, token, self.defined(params, cmi5.INITIALIZED),
            self.defined(params, cmi5.TERMINATED, {"duration": "PT1S"}),
        )  # fmt: skip
        self.started(2)
        self.assertFalse(Statement.objects.filter(verb_id=cmi5.ABANDONED).exists())


class MoveOnTests(Cmi5TestCase):
    def test_13_1_4_move_on_values(self) -> None:
        table = {
            "NotApplicable": (True, True, True, True),
            "Completed": (False, True, False, True),
            "Passed": (False, False, True, True),
            "CompletedAndPassed": (False, False, False, True),
            "CompletedOrPassed": (False, True, True, True),
        }
        for rule, expected in table.items():
            got = tuple(
                cmi5.move_on_met(rule, completed=c, passed=p)
                for c, p in ((False, False), (True, False), (False, True), (True, True))
            )
            self.assertEqual(got, expected, rule)

    def test_9_3_9_satisfied_for_the_block_and_the_course_then_the_record(self) -> None:
        params, token = self.started(1)
        self.run_session(
            params, token, self.defined(params, cmi5.INITIALIZED),
            self.defined(params, cmi5.COMPLETED, {"completion": True, "duration": "PT1S"}),
        )  # fmt: skip
        self.assertFalse(Statement.objects.filter(verb_id=cmi5.SATISFIED).exists())
        passed = {"success": True, "duration": "PT1S", "score": {"scaled": 0.85}}
        self.run_session(params, token, self.defined(params, cmi5.PASSED, passed))
        satisfied = Statement.objects.filter(verb_id=cmi5.SATISFIED)
        self.assertEqual(satisfied.count(), 1)
        block = satisfied.get().data
        self.assertEqual(block["object"]["definition"]["type"], cmi5.BLOCK_TYPE)
        self.assertNotEqual(block["object"]["id"], f"{COURSE}/block1")
        self.assertEqual(
            block["context"]["extensions"][cmi5.SESSION_ID], params["session"]
        )
        self.run_session(
            params, token, self.defined(params, cmi5.TERMINATED, {"duration": "PT1S"})
        )
        self.assertFalse(
            TrainingRecord.objects.filter(source=RecordSource.ONLINE_COURSE).exists()
        )

        params, token = self.started(2)
        self.run_session(
            params, token, self.defined(params, cmi5.INITIALIZED),
            self.defined(params, cmi5.COMPLETED, {"completion": True, "duration": "PT1S"}),
        )  # fmt: skip
        course = Statement.objects.filter(verb_id=cmi5.SATISFIED).latest("pk").data
        self.assertEqual(course["object"]["definition"]["type"], cmi5.COURSE_TYPE)
        self.assertEqual(course["object"]["id"], cmi5.course_activity_id(self.package))
        self.enrollment.refresh_from_db()
        self.assertTrue(self.enrollment.is_complete)
        record = TrainingRecord.objects.get(source=RecordSource.ONLINE_COURSE)
        self.assertEqual(self.enrollment.record, record)
        # Satisfied is issued once per block and course in a registration.
        self.run_session(
            params, token, self.defined(params, cmi5.TERMINATED, {"duration": "PT1S"})
        )
        self.assertEqual(Statement.objects.filter(verb_id=cmi5.SATISFIED).count(), 2)


class NotApplicableTests(Cmi5TestCase):
    zip_data = staticmethod(
        lambda: structure_zip(
            STRUCTURE.replace('moveOn="Completed"', 'moveOn="NotApplicable"')
        )
    )

    def test_9_6_1_move_on_is_evaluated_at_registration(self) -> None:
        self.launch(1)
        state = ScoState.objects.get(enrollment=self.enrollment, item=self.au2)
        self.assertTrue(state.is_complete)
        self.assertFalse(Statement.objects.filter(verb_id=cmi5.SATISFIED).exists())


class CoordinatorTestCase(Cmi5TestCase):
    def setUp(self) -> None:
        super().setUp()
        self.coordinator = make_user("cora", (Role.COORDINATOR, self.agency))
        self.coordinator_client = Client()
        self.coordinator_client.force_login(self.coordinator)

    def waive(self, position: int, reason: str = "Tested Out", client=None):
        client = client or self.coordinator_client
        return client.post(
            f"/agencies/{self.agency.code}/cmi5/waive/{self.enrollment.pk}/{position}/",
            {"reason": reason},
        )


class WaiveTests(CoordinatorTestCase):
    def test_9_3_7_waived_with_its_reason_in_a_session_of_its_own(self) -> None:
        response = self.waive(2)
        self.assertRedirects(
            response, f"/agencies/{self.agency.code}/cmi5/{self.course.pk}/"
        )
        waived = Statement.objects.get(verb_id=cmi5.WAIVED).data
        self.assertEqual(waived["result"]["success"], True)
        self.assertEqual(waived["result"]["completion"], True)
        self.assertEqual(waived["result"]["extensions"][cmi5.REASON], "Tested Out")
        session = Cmi5Session.objects.get(is_waiver=True)
        self.assertEqual(
            waived["context"]["extensions"][cmi5.SESSION_ID], session.session_id
        )
        categories = [
            c["id"] for c in waived["context"]["contextActivities"]["category"]
        ]
        self.assertIn(cmi5.CATEGORY_MOVEON, categories)
        self.assertTrue(AuditEntry.objects.filter(action="cmi5.waive").exists())
        # Waiving au1 too satisfies the block and the course, in the waiver's session.
        self.assertEqual(self.waive(1, "Administrative").status_code, 302)
        satisfied = Statement.objects.filter(verb_id=cmi5.SATISFIED)
        self.assertEqual(satisfied.count(), 2)
        last = Cmi5Session.objects.filter(is_waiver=True).latest("pk")
        for row in satisfied:
            self.assertEqual(
                row.data["context"]["extensions"][cmi5.SESSION_ID], last.session_id
            )
        self.enrollment.refresh_from_db()
        self.assertTrue(self.enrollment.is_complete)

    def test_9_3_7_one_waiver_per_au_and_a_known_reason_else_nothing_written(
        self,
    ) -> None:
        refused = self.coordinator_client.get(self.waive(2, "Because").url)
        self.assertContains(refused, "reason: &#x27;Because&#x27; is not one of")
        self.assertFalse(Statement.objects.filter(verb_id=cmi5.WAIVED).exists())
        self.assertFalse(AuditEntry.objects.filter(action="cmi5.waive").exists())
        waived = self.coordinator_client.get(self.waive(2).url)
        self.assertContains(waived, "The reading is waived for Bob Baker.")
        again = self.coordinator_client.get(self.waive(2).url)
        self.assertContains(again, "The reading is already waived")
        self.assertEqual(Statement.objects.filter(verb_id=cmi5.WAIVED).count(), 1)

    def test_only_a_coordinator_of_the_learners_agency_may_waive(self) -> None:
        self.assertEqual(self.waive(2, client=self.client).status_code, 404)
        dana = Client()
        dana.force_login(self.dana)
        self.assertEqual(self.waive(2, client=dana).status_code, 404)
        self.assertFalse(Statement.objects.filter(verb_id=cmi5.WAIVED).exists())


class RegistrationScreenTests(CoordinatorTestCase):
    """The coordinator's view of cmi5 registrations: who launched, where each AU
    stands, the sessions; a waiver from it."""

    def page(self, client=None):
        client = client or self.coordinator_client
        return client.get(f"/agencies/{self.agency.code}/cmi5/{self.course.pk}/")

    def test_the_course_list_counts_the_agencys_learners(self) -> None:
        params, token = self.started(1)
        response = self.coordinator_client.get(f"/agencies/{self.agency.code}/cmi5/")
        self.assertContains(response, self.course.title)
        line = response.context["lines"][0]
        self.assertEqual(
            (line.enrolled, line.launched, line.satisfied, line.complete),
            (1, 1, 0, 0),
        )

    def test_the_course_page_shows_the_objectives(self) -> None:
        response = self.page()
        self.assertContains(response, 'id="cmi5-objectives"')
        self.assertContains(response, "Write the use-of-force report")
        self.assertContains(response, "<td>The quiz</td>", html=True)
        self.assertContains(response, f"<code>{COURSE}/block1</code>", html=True)

    def test_who_launched_each_au_standing_and_sessions(self) -> None:
        response = self.page()
        self.assertContains(response, "Bob Baker")
        self.assertContains(response, "Not launched")
        params, token = self.started(1)
        self.run_session(
            params,
            token,
            self.defined(params, cmi5.INITIALIZED),
            self.defined(
                params, cmi5.COMPLETED, {"completion": True, "duration": "PT5S"}
            ),
            self.allowed(params),
        )
        self.launch(1)  # the first session is abandoned by the next launch
        line = self.page().context["lines"][0]
        self.assertEqual(line.status, "In progress")
        self.assertEqual(
            line.registration, str(self.enrollment.cmi5_registration.registration)
        )
        quiz, reading = line.aus
        self.assertEqual(quiz.standing, "Not satisfied (completed)")
        self.assertEqual((quiz.sessions, quiz.last_end), (2, "open"))
        # The AU's own statements, cmi5 defined and allowed (not the LMS's).
        self.assertEqual((quiz.statements, reading.statements), (3, 0))
        self.assertEqual(reading.standing, "Not launched")
        self.assertTrue(quiz.can_waive and reading.can_waive)

    def test_a_waiver_from_the_screen_shows_and_satisfies_the_course(self) -> None:
        self.waive(1, "Administrative")
        self.waive(2, "Equivalent AU")
        response = self.page()
        line = response.context["lines"][0]
        self.assertEqual(line.status, "Complete")
        self.assertEqual([au.standing for au in line.aus], ["Waived", "Waived"])
        self.assertFalse(any(au.can_waive for au in line.aus))
        self.assertNotContains(response, 'name="reason"')

    def test_a_head_reads_but_has_no_waiver(self) -> None:
        head = Client()
        head.force_login(self.harold)
        response = self.page(head)
        self.assertContains(response, "Bob Baker")
        self.assertNotContains(response, 'name="reason"')
        self.assertEqual(self.waive(1, client=head).status_code, 404)

    def test_another_agencys_coordinator_sees_nothing(self) -> None:
        dana = Client()
        dana.force_login(self.dana)
        self.assertEqual(self.page(dana).status_code, 404)
        listing = dana.get(f"/agencies/{self.other_agency.code}/cmi5/")
        self.assertNotContains(listing, self.course.title)
        other = dana.get(f"/agencies/{self.other_agency.code}/cmi5/{self.course.pk}/")
        self.assertEqual(other.status_code, 404)

    def test_a_learner_who_left_the_agency_is_not_listed(self) -> None:
        from muster.agencies.models import Employment

        yesterday = timezone.localdate() - timedelta(days=1)
        Employment.objects.filter(person=self.bob_person).update(
            starts_on=yesterday - timedelta(days=365), ends_on=yesterday
        )
        self.assertEqual(self.page().status_code, 404)
