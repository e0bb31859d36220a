"""SCORM 2004 sequencing applied (SN book, 4th edition): control modes, attempt
limits and precondition rules judge navigation requests (the learner's choice in
the list of parts and a SCO's adl.nav.request); the manifest's rollup rules give
the course's status, which credits the record when the package has sequencing."""

from __future__ import annotations

import json

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings

from muster.learning.models import Enrollment
from muster.packages import launch
from muster.packages.models import Package
from muster.packages.tests import fixtures
from muster.packages.tests.helpers import MediaMixin, academy, author, imported
from muster.test import BaseTestCase

IMSSS = 'xmlns:imsss="http://www.imsglobal.org/xsd/imsss"'


def manifest(org: str = "", a: str = "", b: str = "", c: str = "") -> str:
    """The three-part package (A, B, C) with the given `<imsss:sequencing>`
    contents for the organization and each part."""
    text = fixtures.MANIFEST_NAV.replace(
        'xmlns:adlcp="http://www.adlnet.org/xsd/adlcp_v1p3"',
        f'xmlns:adlcp="http://www.adlnet.org/xsd/adlcp_v1p3" {IMSSS}',
    )
    for name, inner in (("A", a), ("B", b), ("C", c)):
        text = text.replace(
            f"<title>Part {name}</title>",
            f"<title>Part {name}</title><imsss:sequencing>{inner}</imsss:sequencing>",
        )
    return text.replace(
        "</organization>", f"<imsss:sequencing>{org}</imsss:sequencing></organization>"
    )


def package_zip(text: str) -> bytes:
    return fixtures.build_zip(
        {"imsmanifest.xml": text, "nav/index.html": fixtures.NAV_PAGE, "nav/nav.js": ""}
    )


FLOW = '<imsss:controlMode flow="true"/>'


def pre(action: str, condition: str, operator: str = "noOp", ref: str = "") -> str:
    return pre_any(action, [(condition, operator)], ref, combination="all")


def pre_any(action: str, conditions, ref: str = "", combination: str = "any") -> str:
    referenced = f' referencedObjective="{ref}"' if ref else ""
    inner = "".join(
        f'<imsss:ruleCondition condition="{c}" operator="{o}"{referenced}/>'
        for c, o in conditions
    )
    return (
        "<imsss:sequencingRules><imsss:preConditionRule>"
        f'<imsss:ruleConditions conditionCombination="{combination}">{inner}'
        f'</imsss:ruleConditions><imsss:ruleAction action="{action}"/>'
        "</imsss:preConditionRule></imsss:sequencingRules>"
    )


# "not completed" is unknown, not true, for a part never reported (SN: the
# rule condition's value is unknown when the status is); manifests add "or its
# progress is not known", as these do.
NOT_COMPLETED = [("completed", "not"), ("activityProgressKnown", "not")]
NOT_SATISFIED = [("satisfied", "not"), ("objectiveStatusKnown", "not")]


@override_settings(PACKAGE_CONTENT_ORIGIN="http://127.0.0.1")
class SequencingWorld(MediaMixin, BaseTestCase):
    def take(self, text: str) -> None:
        self.package = imported(package_zip(text))
        self.package.course.seat_time_minutes = 0
        self.package.course.save()
        self.slug = self.package.course.slug
        self.a, self.b, self.c = self.package.items.all()
        self.client.force_login(self.bob)
        self.client.post(f"/learn/{self.slug}/enroll/")
        self.enrollment = Enrollment.objects.get(person=self.bob_person)

    def commit(self, item, **data):
        # Each commit is a launch of its own (a new token names a new launch).
        token = launch.new_token(self.enrollment.pk, item.pk, "http://testserver")
        response = self.client.post(
            f"/package-content/{token}/commit/",
            json.dumps(data),
            content_type="text/plain",
            HTTP_HOST="127.0.0.1",
        )
        self.assertEqual(response.status_code, 200, response.content)
        return response

    def terminate(self, item, request: str, **extra):
        return self.commit(
            item,
            **{
                "cmi.completion_status": "incomplete",
                "muster_terminate": True,
                "adl.nav.request": request,
                **extra,
            },
        )

    def after(self):
        return self.client.get(f"/learn/{self.slug}/package/?after=terminate")

    def choose(self, item):
        return self.client.get(f"/learn/{self.slug}/package/{item.position}/")

    def assertRefused(self, response, words: str) -> None:
        self.assertContains(response, 'id="package-refused"')
        self.assertContains(response, words)
        self.assertNotContains(response, 'id="package-frame"')
        self.assertNotContains(response, "data-heartbeat-url")

    def assertOpens(self, response, item) -> None:
        self.assertContains(response, 'id="package-frame"')
        self.assertEqual(response.context["current"], item)


class ParsingTestCase(MediaMixin, BaseTestCase):
    def test_the_sequencing_is_read_into_the_activity_tree(self) -> None:
        rollup = (
            '<imsss:rollupRules><imsss:rollupRule childActivitySet="atLeastCount" '
            'minimumCount="2"><imsss:rollupConditions><imsss:rollupCondition '
            'condition="completed"/></imsss:rollupConditions><imsss:rollupAction '
            'action="completed"/></imsss:rollupRule></imsss:rollupRules>'
        )
        ada = author()
        package = imported(
            actor=ada,
            data=package_zip(
                manifest(
                    org=f'<imsss:controlMode choice="false" flow="true" forwardOnly="true"/>{rollup}',
                    b='<imsss:limitConditions attemptLimit="2"/>'
                    + pre("disabled", "satisfied", "not"),
                )
            ),
        )
        tree = package.sequencing
        self.assertTrue(tree["defined"])
        self.assertEqual(tree["root"], "ORG")
        root = tree["activities"]["ORG"]
        self.assertEqual(root["children"], ["A", "B", "C"])
        self.assertEqual(
            root["control"],
            {"choice": False, "choiceExit": True, "flow": True, "forwardOnly": True},
        )
        self.assertEqual(
            root["rollup_rules"],
            [
                {
                    "set": "atLeastCount",
                    "count": 2,
                    "percent": "0",
                    "action": "completed",
                    "combination": "any",
                    "conditions": [{"condition": "completed", "not": False}],
                }
            ],
        )
        b = tree["activities"]["B"]
        self.assertEqual(b["parent"], "ORG")
        self.assertEqual(b["limit"], 2)
        self.assertEqual(
            b["pre"],
            [
                {
                    "action": "disabled",
                    "combination": "all",
                    "conditions": [
                        {
                            "condition": "satisfied",
                            "not": True,
                            "objective": "",
                            "threshold": "0.0",
                        }
                    ],
                }
            ],
        )
        # The defaults (SN 5.1.1): choice and choiceExit on, flow and forwardOnly off.
        self.assertEqual(
            tree["activities"]["A"]["control"],
            {"choice": True, "choiceExit": True, "flow": False, "forwardOnly": False},
        )
        # A package without any <imsss:sequencing>: the tree, not "defined".
        plain = imported(package_zip(fixtures.MANIFEST_NAV), actor=ada)
        self.assertFalse(plain.sequencing["defined"])

    def test_bad_sequencing_is_named_and_nothing_is_written(self) -> None:
        bad = manifest(
            org='<imsss:controlMode flow="yes"/>'
            "<imsss:rollupRules>"
            '<imsss:rollupRule childActivitySet="most"><imsss:rollupConditions>'
            '<imsss:rollupCondition condition="bored"/></imsss:rollupConditions>'
            '<imsss:rollupAction action="completed"/></imsss:rollupRule>'
            "<imsss:rollupRule><imsss:rollupConditions><imsss:rollupCondition "
            'condition="completed"/></imsss:rollupConditions></imsss:rollupRule>'
            '<imsss:rollupRule minimumPercent="2"><imsss:rollupConditions>'
            '<imsss:rollupCondition condition="completed"/></imsss:rollupConditions>'
            '<imsss:rollupAction action="completed"/></imsss:rollupRule>'
            "</imsss:rollupRules>",
            a='<imsss:limitConditions attemptLimit="-1"/>',
            b=pre("explode", "always"),
            c=pre("skip", "satisfied", ref="nowhere"),
        )
        self.client.force_login(author())
        upload = SimpleUploadedFile("package.zip", package_zip(bad))
        response = self.client.post(
            "/authoring/packages/new/",
            {"provider": academy().pk, "package": upload, "credited_hours": "1"},
        )
        self.assertEqual(response.status_code, 400)
        org = "imsmanifest.xml: <organization identifier='ORG'>"
        self.assertEqual(
            response.context["problems"],
            [
                f"{org}, <imsss:controlMode>, has flow='yes'; expected true or false.",
                f"{org}, <imsss:rollupRule>, has childActivitySet 'most'; expected "
                "one of all, any, none, atLeastCount, atLeastPercent.",
                f"{org}, <imsss:rollupRule>, <imsss:rollupCondition> has condition "
                "'bored'; expected one of satisfied, objectiveStatusKnown, "
                "objectiveMeasureKnown, completed, activityProgressKnown, attempted, "
                "attemptLimitExceeded, timeLimitExceeded, outsideAvailableTimeRange.",
                f"{org}, <imsss:rollupRule>, has no valid <imsss:rollupCondition>.",
                f"{org}, <imsss:rollupRule>, has no <imsss:rollupAction action>.",
                f"{org}, <imsss:rollupRule>, has minimumPercent '2'; expected a "
                "number from 0 to 1.",
                "imsmanifest.xml: <item identifier='A'>, <imsss:limitConditions>, has "
                "attemptLimit '-1'; expected a whole number of 0 or more.",
                "imsmanifest.xml: <item identifier='B'>, <imsss:preConditionRule>, "
                "<imsss:ruleAction> has action 'explode'; expected one of skip, "
                "disabled, hiddenFromChoice, stopForwardTraversal.",
                "imsmanifest.xml: <item identifier='C'>, <imsss:preConditionRule>, "
                "<imsss:ruleCondition> has referencedObjective 'nowhere', which names "
                "no objective of the activity.",
                "imsmanifest.xml: <item identifier='C'>, <imsss:preConditionRule>, has "
                "no valid <imsss:ruleCondition>.",
            ],
        )
        self.assertFalse(Package.objects.exists())


class ControlModeTestCase(SequencingWorld):
    def test_continue_needs_flow_which_is_off_by_default(self) -> None:
        self.take(manifest())
        self.terminate(self.a, "continue")
        self.assertRefused(self.after(), "does not move to the next part")
        self.terminate(self.b, "previous")
        self.assertRefused(self.after(), "does not move to the previous part")

    def test_with_flow_continue_and_previous_are_followed(self) -> None:
        self.take(manifest(org=FLOW))
        self.terminate(self.a, "continue")
        self.assertOpens(self.after(), self.b)
        self.terminate(self.b, "previous")
        self.assertOpens(self.after(), self.a)

    def test_forward_only_refuses_previous_and_backward_choice(self) -> None:
        self.take(manifest(org='<imsss:controlMode flow="true" forwardOnly="true"/>'))
        self.terminate(self.b, "previous")
        self.assertRefused(self.after(), "goes forward only")
        self.terminate(self.b, "{target=A}choice")
        self.assertRefused(self.after(), "comes before where you are")
        # The learner's own pick in the list is judged the same way.
        self.assertRefused(self.choose(self.a), "comes before where you are")
        self.terminate(self.b, "{target=C}choice")
        self.assertOpens(self.after(), self.c)

    def test_choice_off_refuses_the_list_and_the_scos_choice(self) -> None:
        self.take(manifest(org='<imsss:controlMode choice="false" flow="true"/>'))
        self.commit(self.a, **{"cmi.completion_status": "incomplete"})
        page = self.client.get(f"/learn/{self.slug}/package/")
        self.assertContains(page, "not available: The parts of")
        self.assertNotContains(page, f'href="/learn/{self.slug}/package/3/"')
        self.assertRefused(self.choose(self.c), "the course sets their order")
        self.terminate(self.a, "{target=C}choice")
        self.assertRefused(self.after(), "the course sets their order")
        # Flow still works, and a jump is not a choice.
        self.terminate(self.a, "continue")
        self.assertOpens(self.after(), self.b)
        self.terminate(self.a, "{target=C}jump")
        self.assertOpens(self.after(), self.c)

    def test_choice_on_lets_the_learner_pick_any_part(self) -> None:
        self.take(manifest(org='<imsss:controlMode choice="true"/>'))
        self.assertContains(
            self.client.get(f"/learn/{self.slug}/package/"),
            f'href="/learn/{self.slug}/package/3/"',
        )
        self.assertOpens(self.choose(self.c), self.c)

    def test_choice_exit_off_keeps_the_learner_in_the_active_part(self) -> None:
        self.take(manifest(a='<imsss:controlMode choiceExit="false"/>'))
        # A is in its attempt (no terminate yet): no other part may be chosen.
        self.commit(self.a, **{"cmi.completion_status": "incomplete"})
        self.assertRefused(self.choose(self.b), "must be finished before")
        # A SCO's own choice is judged while its attempt is still on.
        self.terminate(self.a, "{target=B}choice")
        self.assertRefused(self.after(), "must be finished before")
        # Once A's attempt has ended, the list may be used again.
        self.assertOpens(self.choose(self.b), self.b)

    def test_choice_exit_on_lets_the_sco_choose_elsewhere(self) -> None:
        self.take(manifest(a='<imsss:controlMode choiceExit="true"/>'))
        self.terminate(self.a, "{target=B}choice")
        self.assertOpens(self.after(), self.b)


class AttemptLimitTestCase(SequencingWorld):
    def attempt(self, item, **extra) -> None:
        """One launch of `item` with a commit: one attempt, unless resumed."""
        self.choose(item)
        self.commit(item, **{"cmi.completion_status": "incomplete", **extra})

    def test_a_used_up_attempt_limit_refuses_a_new_attempt(self) -> None:
        self.take(manifest(org=FLOW, b='<imsss:limitConditions attemptLimit="1"/>'))
        self.attempt(self.b, muster_terminate=True)
        self.commit(self.a, **{"cmi.completion_status": "incomplete"})
        self.assertRefused(self.choose(self.b), "may be attempted once")
        self.terminate(self.a, "continue")
        self.assertRefused(self.after(), "may be attempted once")
        self.terminate(self.a, "{target=B}jump")
        self.assertRefused(self.after(), "may be attempted once")
        page = self.client.get(f"/learn/{self.slug}/package/")
        self.assertContains(page, "not available: “Part B” may be attempted once")

    def test_within_the_limit_or_suspended_the_part_opens(self) -> None:
        self.take(manifest(b='<imsss:limitConditions attemptLimit="2"/>'))
        self.attempt(self.b, muster_terminate=True)
        self.commit(self.a, **{"cmi.completion_status": "incomplete"})
        # One attempt of two.
        self.assertOpens(self.choose(self.b), self.b)

    def test_a_suspended_attempt_is_not_a_new_one(self) -> None:
        self.take(manifest(b='<imsss:limitConditions attemptLimit="1"/>'))
        self.attempt(self.b, **{"cmi.exit": "suspend", "muster_terminate": True})
        self.commit(self.a, **{"cmi.completion_status": "incomplete"})
        self.assertOpens(self.choose(self.b), self.b)


class PreconditionTestCase(SequencingWorld):
    def test_disabled_when_its_rule_fires(self) -> None:
        # No retake once passed: B is disabled when satisfied.
        self.take(manifest(b=pre("disabled", "satisfied")))
        self.assertOpens(self.choose(self.b), self.b)
        self.commit(self.b, **{"cmi.success_status": "passed"})
        self.commit(self.a, **{"cmi.completion_status": "incomplete"})
        self.assertRefused(self.choose(self.b), "disabled by the sequencing rules")

    def test_a_rule_on_a_referenced_objective(self) -> None:
        objectives = (
            '<imsss:objectives><imsss:primaryObjective objectiveID="b-main"/>'
            '<imsss:objective objectiveID="b-radio"/></imsss:objectives>'
        )
        self.take(manifest(b=pre("disabled", "satisfied", ref="b-radio") + objectives))
        # B itself passed, but the rule asks about its b-radio objective.
        self.commit(
            self.b,
            **{
                "cmi.success_status": "passed",
                "cmi.objectives.0.id": "b-radio",
                "cmi.objectives.0.success_status": "failed",
            },
        )
        self.commit(self.a, **{"cmi.completion_status": "incomplete"})
        self.assertOpens(self.choose(self.b), self.b)
        self.commit(
            self.b,
            **{
                "cmi.objectives.0.id": "b-radio",
                "cmi.objectives.0.success_status": "passed",
            },
        )
        self.commit(self.a, **{"cmi.completion_status": "incomplete"})
        self.assertRefused(self.choose(self.b), "disabled by the sequencing rules")

    def test_disabled_stops_the_flow(self) -> None:
        self.take(manifest(org=FLOW, b=pre("disabled", "always")))
        self.terminate(self.a, "continue")
        self.assertRefused(self.after(), "disabled by the sequencing rules")

    def test_hidden_from_choice_is_not_listed_and_not_chosen(self) -> None:
        self.take(manifest(c=pre_any("hiddenFromChoice", NOT_COMPLETED)))
        page = self.client.get(f"/learn/{self.slug}/package/")
        self.assertNotContains(page, "Part C")
        self.assertRefused(self.choose(self.c), "hides it from choice")
        self.terminate(self.a, "{target=C}choice")
        self.assertRefused(self.after(), "hides it from choice")
        # Once the rule no longer fires (C completed), C is listed and chosen.
        self.commit(self.c, **{"cmi.completion_status": "completed"})
        self.assertContains(self.client.get(f"/learn/{self.slug}/package/"), "Part C")
        self.assertOpens(self.choose(self.c), self.c)

    def test_skip_passes_over_a_part_in_the_flow(self) -> None:
        self.take(manifest(org=FLOW, b=pre("skip", "completed")))
        self.terminate(self.a, "continue")
        self.assertOpens(self.after(), self.b)
        self.commit(self.b, **{"cmi.completion_status": "completed"})
        self.terminate(self.a, "continue")
        self.assertOpens(self.after(), self.c)
        # Skip is for the flow only: B may still be chosen.
        self.terminate(self.a, "{target=B}choice")
        self.assertOpens(self.after(), self.b)

    def test_stop_forward_traversal_refuses_a_choice_past_it(self) -> None:
        self.take(manifest(b=pre_any("stopForwardTraversal", NOT_SATISFIED)))
        self.terminate(self.a, "{target=C}choice")
        self.assertRefused(self.after(), "stops moving forward at “Part B”")
        self.terminate(self.a, "{target=B}choice")
        self.assertOpens(self.after(), self.b)
        self.commit(self.b, **{"cmi.success_status": "passed"})
        self.terminate(self.a, "{target=C}choice")
        self.assertOpens(self.after(), self.c)


def rollup_rule(action: str, condition: str, child_set: str, extra: str = "") -> str:
    return (
        f'<imsss:rollupRule childActivitySet="{child_set}"{extra}>'
        "<imsss:rollupConditions>"
        f'<imsss:rollupCondition condition="{condition}"/></imsss:rollupConditions>'
        f'<imsss:rollupAction action="{action}"/></imsss:rollupRule>'
    )


class RollupRulesTestCase(SequencingWorld):
    def rolled_up(self):
        return self.client.get(f"/learn/{self.slug}/package/record/").context["rollup"]

    def test_the_default_rules_without_the_manifests_own(self) -> None:
        self.take(manifest(org=FLOW))
        for item, success in (
            (self.a, "passed"),
            (self.b, "failed"),
            (self.c, "passed"),
        ):
            self.commit(
                item,
                **{"cmi.completion_status": "completed", "cmi.success_status": success},
            )
        rollup = self.rolled_up()
        self.assertEqual((rollup.completion, rollup.success), ("completed", "failed"))

    def test_the_manifests_rules_replace_the_defaults(self) -> None:
        rules = (
            "<imsss:rollupRules>"
            + rollup_rule("satisfied", "satisfied", "any")
            + rollup_rule("completed", "completed", "atLeastCount", ' minimumCount="2"')
            + "</imsss:rollupRules>"
        )
        self.take(manifest(org=rules))
        self.commit(
            self.a,
            **{"cmi.completion_status": "completed", "cmi.success_status": "passed"},
        )
        rollup = self.rolled_up()
        # One passed is enough for "any"; one completed is not two.
        self.assertEqual(rollup.success, "passed")
        self.assertEqual(rollup.completion, "unknown")
        self.commit(self.b, **{"cmi.completion_status": "completed"})
        self.assertEqual(self.rolled_up().completion, "completed")

    def test_none_and_at_least_percent(self) -> None:
        rules = (
            "<imsss:rollupRules>"
            + rollup_rule("notSatisfied", "satisfied", "none")
            + rollup_rule(
                "completed", "completed", "atLeastPercent", ' minimumPercent="0.6"'
            )
            + "</imsss:rollupRules>"
        )
        self.take(manifest(org=rules))
        for item in (self.a, self.b):
            self.commit(
                item,
                **{
                    "cmi.completion_status": "completed",
                    "cmi.success_status": "failed",
                },
            )
        rollup = self.rolled_up()
        # "none" needs every child's value known and false: C's is unknown.
        self.assertEqual(rollup.success, "unknown")
        self.assertEqual(rollup.completion, "completed")  # 2 of 3 >= 60%
        self.commit(self.c, **{"cmi.success_status": "failed"})
        self.assertEqual(self.rolled_up().success, "failed")


class CreditTestCase(SequencingWorld):
    def test_with_sequencing_the_rolled_up_status_credits_the_record(self) -> None:
        rules = (
            "<imsss:rollupRules>"
            + rollup_rule("completed", "completed", "any")
            + "</imsss:rollupRules>"
        )
        self.take(manifest(org=rules))
        # One part completed: the course is completed by its rules, B and C
        # not done.
        self.commit(self.a, **{"cmi.completion_status": "completed"})
        self.enrollment.refresh_from_db()
        self.assertIsNotNone(self.enrollment.completed_at)

    def test_a_failed_course_status_is_not_credited(self) -> None:
        rules = (
            "<imsss:rollupRules>"
            + rollup_rule("completed", "completed", "any")
            + rollup_rule("notSatisfied", "satisfied", "any", "").replace(
                'condition="satisfied"', 'condition="satisfied" operator="not"'
            )
            + "</imsss:rollupRules>"
        )
        self.take(manifest(org=rules))
        self.commit(
            self.a,
            **{"cmi.completion_status": "completed", "cmi.success_status": "failed"},
        )
        self.enrollment.refresh_from_db()
        self.assertIsNone(self.enrollment.completed_at)
        response = self.client.post(f"/learn/{self.slug}/package/finish/", follow=True)
        self.assertContains(response, "Not passed")

    def test_without_sequencing_every_part_is_needed(self) -> None:
        self.take(fixtures.MANIFEST_NAV)
        self.commit(self.a, **{"cmi.completion_status": "completed"})
        self.enrollment.refresh_from_db()
        self.assertIsNone(self.enrollment.completed_at)


def clustered(org: str = "", module: str = "", b: str = "") -> str:
    """Part A, then the module M holding parts B and C."""
    text = manifest(org=org, b=b)
    start = text.index('<item identifier="B"')
    end = text.index("</item>", text.index('<item identifier="C"')) + len("</item>")
    return (
        text[:start]
        + '<item identifier="M"><title>Module M</title>'
        + text[start:end]
        + f"<imsss:sequencing>{module}</imsss:sequencing></item>"
        + text[end:]
    )


class ClusterTestCase(SequencingWorld):
    def test_the_flow_enters_a_cluster_only_with_its_own_flow(self) -> None:
        self.take(clustered(org=FLOW))
        self.terminate(self.a, "continue")
        self.assertRefused(self.after(), "does not move into “Part B” in order")
        self.terminate(self.b, "continue")
        self.assertRefused(self.after(), "does not move to the next part")

    def test_with_flow_in_the_cluster_continue_goes_in_and_out(self) -> None:
        self.take(clustered(org=FLOW, module=FLOW))
        self.terminate(self.a, "continue")
        self.assertOpens(self.after(), self.b)
        self.terminate(self.b, "continue")
        self.assertOpens(self.after(), self.c)
        self.terminate(self.c, "continue")
        self.assertContains(self.after(), 'id="package-left"')
        self.terminate(self.b, "previous")
        self.assertOpens(self.after(), self.a)

    def test_choice_exit_off_on_the_cluster_keeps_the_learner_in_it(self) -> None:
        self.take(clustered(module='<imsss:controlMode choiceExit="false"/>'))
        self.terminate(self.b, "{target=A}choice")
        self.assertRefused(self.after(), "“Module M” must be finished before")
        # Inside the cluster a choice is free.
        self.terminate(self.b, "{target=C}choice")
        self.assertOpens(self.after(), self.c)

    def test_hidden_cluster_hides_its_parts(self) -> None:
        self.take(clustered(module=pre("hiddenFromChoice", "always")))
        page = self.client.get(f"/learn/{self.slug}/package/")
        self.assertNotContains(page, "Part B")
        self.assertRefused(self.choose(self.c), "hides it from choice")

    def test_a_clusters_own_rollup_rules_feed_the_course(self) -> None:
        any_completed = (
            "<imsss:rollupRules>"
            + rollup_rule("completed", "completed", "any")
            + "</imsss:rollupRules>"
        )
        self.take(clustered(module=any_completed))
        self.commit(self.a, **{"cmi.completion_status": "completed"})
        self.enrollment.refresh_from_db()
        self.assertIsNone(self.enrollment.completed_at)
        # B completes the module by its rule (C not needed), and so the course.
        self.commit(self.b, **{"cmi.completion_status": "completed"})
        self.enrollment.refresh_from_db()
        self.assertIsNotNone(self.enrollment.completed_at)


class MeasureRollupTestCase(SequencingWorld):
    BY_MEASURE = (
        '<imsss:objectives><imsss:primaryObjective satisfiedByMeasure="true">'
        "<imsss:minNormalizedMeasure>0.7</imsss:minNormalizedMeasure>"
        "</imsss:primaryObjective></imsss:objectives>"
    )

    def rolled_up(self):
        return self.client.get(f"/learn/{self.slug}/package/record/").context["rollup"]

    def scored(self, item, scaled: str) -> None:
        self.commit(
            item, **{"cmi.score.scaled": scaled, "cmi.success_status": "failed"}
        )

    def test_the_course_is_satisfied_by_its_rolled_up_measure(self) -> None:
        self.take(manifest(org=self.BY_MEASURE))
        self.assertEqual(self.rolled_up().success, "unknown")
        # Every part failed on its own, but the average (0.9+0.9+0.4)/3 = 0.7333.
        for item, scaled in ((self.a, "0.9"), (self.b, "0.9"), (self.c, "0.4")):
            self.scored(item, scaled)
        self.assertEqual(self.rolled_up().success, "passed")

    def test_below_the_minimum_measure_it_is_not(self) -> None:
        self.take(manifest(org=self.BY_MEASURE))
        for item, scaled in ((self.a, "0.9"), (self.b, "0.6"), (self.c, "0.4")):
            self.scored(item, scaled)
        self.assertEqual(self.rolled_up().success, "failed")

    def test_a_bad_minimum_measure_is_named(self) -> None:
        self.client.force_login(author())
        text = manifest(org=self.BY_MEASURE.replace("0.7", "7"))
        response = self.client.post(
            "/authoring/packages/new/",
            {
                "provider": academy().pk,
                "credited_hours": "1",
                "package": SimpleUploadedFile("p.zip", package_zip(text)),
            },
        )
        self.assertEqual(
            response.context["problems"],
            [
                "imsmanifest.xml: <organization identifier='ORG'>, "
                "<imsss:primaryObjective>, has imsss:minNormalizedMeasure '7'; "
                "expected a number from -1 to 1."
            ],
        )
        self.assertFalse(Package.objects.exists())
