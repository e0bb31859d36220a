"""SCORM 2004 sequencing when an attempt ends (SN book, 4th edition): exit
action rules (TB.2.1) and post-condition rules (TB.2.2) in the Termination
Request Process (TB.2.3), then their sequencing request (retry SB.2.10,
continue, previous); and limit conditions (UP.1) on clusters and the
organization, attempt counts and attemptAbsoluteDurationLimit."""

from __future__ import annotations

import json
import random
from datetime import timedelta
from unittest import mock

import time_machine
from django.utils import timezone

from muster.packages import launch, sequencing
from muster.packages import manifest as reader
from muster.packages.models import SequencingState
from muster.packages.tests.test_sequencing import (
    FLOW,
    NOT_SATISFIED,
    SequencingWorld,
    clustered,
    manifest,
)
from muster.packages.zipcheck import PackageError


def rules(*parts: str) -> str:
    return f"<imsss:sequencingRules>{''.join(parts)}</imsss:sequencingRules>"


def rule(kind: str, action: str, conditions, combination: str = "all") -> str:
    """One `<imsss:{kind}ConditionRule>` (kind pre, exit or post)."""
    inner = "".join(
        f'<imsss:ruleCondition condition="{c}" operator="{o}"/>' for c, o in conditions
    )
    return (
        f"<imsss:{kind}ConditionRule>"
        f'<imsss:ruleConditions conditionCombination="{combination}">{inner}'
        f'</imsss:ruleConditions><imsss:ruleAction action="{action}"/>'
        f"</imsss:{kind}ConditionRule>"
    )


ALWAYS = [("always", "noOp")]
SATISFIED = [("satisfied", "noOp")]


def limit(attempts: int) -> str:
    return f'<imsss:limitConditions attemptLimit="{attempts}"/>'


class PostConditionTestCase(SequencingWorld):
    def test_continue_after_the_attempt_when_its_rule_fires(self) -> None:
        self.take(manifest(org=FLOW, a=rules(rule("post", "continue", SATISFIED))))
        # Not satisfied: no rule fires; the player opens the first part not done.
        self.terminate(self.a, "_none_", **{"cmi.success_status": "failed"})
        self.assertOpens(self.after(), self.a)
        self.terminate(self.a, "_none_", **{"cmi.success_status": "passed"})
        self.assertOpens(self.after(), self.b)

    def test_previous_replaces_the_scos_own_request(self) -> None:
        self.take(manifest(org=FLOW, b=rules(rule("post", "previous", ALWAYS))))
        self.terminate(self.b, "continue")
        self.assertOpens(self.after(), self.a)

    def test_retry_until_satisfied(self) -> None:
        self.take(
            manifest(org=FLOW, b=rules(rule("post", "retry", NOT_SATISFIED, "any")))
        )
        self.terminate(self.b, "continue", **{"cmi.success_status": "failed"})
        self.assertOpens(self.after(), self.b)
        self.terminate(self.b, "continue", **{"cmi.success_status": "passed"})
        self.assertOpens(self.after(), self.c)

    def test_retry_within_the_attempt_limit_only(self) -> None:
        self.take(
            manifest(
                org=FLOW,
                b=rules(rule("post", "retry", NOT_SATISFIED, "any")) + limit(2),
            )
        )
        self.terminate(self.b, "continue", **{"cmi.success_status": "failed"})
        self.assertOpens(self.after(), self.b)
        self.terminate(self.b, "continue", **{"cmi.success_status": "failed"})
        self.assertRefused(self.after(), "“Part B” may be attempted 2 times")

    def test_a_suspended_attempt_has_no_post_condition(self) -> None:
        self.take(manifest(org=FLOW, b=rules(rule("post", "retry", ALWAYS))))
        self.terminate(self.b, "continue", **{"cmi.exit": "suspend"})
        self.assertOpens(self.after(), self.c)
        self.terminate(self.b, "continue")
        self.assertOpens(self.after(), self.b)

    def test_exit_all_ends_the_course(self) -> None:
        self.take(manifest(org=FLOW, a=rules(rule("post", "exitAll", ALWAYS))))
        self.terminate(self.a, "continue")
        self.assertContains(self.after(), 'id="package-left"')
        state = SequencingState.objects.get(enrollment=self.enrollment)
        self.assertEqual([a for a, _ in state.ended], ["ORG"])

    def test_exit_request_followed_by_a_retry_rule(self) -> None:
        self.take(manifest(b=rules(rule("post", "retry", ALWAYS))))
        self.terminate(self.b, "exit")
        self.assertOpens(self.after(), self.b)

    def test_exit_request_without_rules_leaves_the_course(self) -> None:
        self.take(manifest())
        self.terminate(self.b, "exit")
        self.assertContains(self.after(), 'id="package-left"')

    def test_retry_all_starts_the_course_again(self) -> None:
        self.take(manifest(org=FLOW, c=rules(rule("post", "retryAll", ALWAYS))))
        self.terminate(self.a, "continue")
        self.terminate(self.c, "continue")
        self.assertOpens(self.after(), self.a)

    def test_retry_all_within_the_courses_attempt_limit(self) -> None:
        self.take(
            manifest(org=FLOW + limit(1), c=rules(rule("post", "retryAll", ALWAYS)))
        )
        self.terminate(self.c, "continue")
        self.assertRefused(self.after(), "“Radio Procedure” may be attempted once")


M_RETRY = FLOW + rules(rule("post", "retry", NOT_SATISFIED, "any"))
EXIT_PARENT = rules(rule("post", "exitParent", ALWAYS))


class ClusterRulesTestCase(SequencingWorld):
    """Part A, then Module M holding B and C."""

    def take_clustered(self, module: str, c: str = "") -> None:
        text = clustered(org=FLOW, module=module)
        if c:
            text = text.replace(
                "<title>Part C</title><imsss:sequencing>",
                f"<title>Part C</title><imsss:sequencing>{c}",
            )
        self.take(text)

    def test_exit_parent_then_the_clusters_retry(self) -> None:
        self.take_clustered(M_RETRY, c=EXIT_PARENT)
        self.terminate(self.b, "continue", **{"cmi.success_status": "failed"})
        self.terminate(self.c, "continue", **{"cmi.success_status": "passed"})
        # C's rule ends M's attempt; M (B failed) is not satisfied: M again
        # from its start.
        self.assertOpens(self.after(), self.b)
        state = SequencingState.objects.get(enrollment=self.enrollment)
        self.assertEqual([a for a, _ in state.ended], ["M"])
        # Reloading the page decides the same, and ends nothing twice.
        self.assertOpens(self.after(), self.b)
        state.refresh_from_db()
        self.assertEqual(len(state.ended), 1)

    def test_the_cluster_satisfied_the_flow_goes_on(self) -> None:
        self.take_clustered(M_RETRY, c=EXIT_PARENT)
        self.terminate(self.b, "continue", **{"cmi.success_status": "passed"})
        self.terminate(self.c, "continue", **{"cmi.success_status": "passed"})
        # M satisfied: continue from M, the last part: the course is over.
        self.assertContains(self.after(), 'id="package-left"')

    def test_a_clusters_attempt_limit_refuses_its_retry(self) -> None:
        self.take_clustered(M_RETRY + limit(1), c=EXIT_PARENT)
        self.terminate(self.b, "continue", **{"cmi.success_status": "failed"})
        self.terminate(self.c, "continue", **{"cmi.success_status": "passed"})
        self.assertRefused(self.after(), "“Module M” may be attempted once")

    def test_a_clusters_retry_begins_a_new_attempt_on_it(self) -> None:
        self.take_clustered(M_RETRY + limit(2), c=EXIT_PARENT)
        for _ in range(2):
            self.terminate(self.b, "continue", **{"cmi.success_status": "failed"})
            self.terminate(self.c, "continue", **{"cmi.success_status": "passed"})
            response = self.after()
        # The second retry would be M's third attempt.
        self.assertRefused(response, "“Module M” may be attempted 2 times")

    def test_an_exit_rule_ends_the_clusters_attempt(self) -> None:
        self.take_clustered(FLOW + rules(rule("exit", "exit", ALWAYS)))
        self.terminate(self.b, "continue")
        # M's attempt ends with B's: continue from M, the last part.
        self.assertContains(self.after(), 'id="package-left"')

    def test_an_exit_rule_that_does_not_fire(self) -> None:
        self.take_clustered(FLOW + rules(rule("exit", "exit", SATISFIED)))
        self.terminate(self.b, "continue")
        self.assertOpens(self.after(), self.c)

    def test_leaving_a_cluster_ends_its_attempt(self) -> None:
        # attemptLimit on a cluster (UP.1): going elsewhere and coming back
        # is a second attempt on it.
        self.take(clustered(module=limit(1)))
        self.commit(self.b, **{"cmi.completion_status": "incomplete"})
        self.assertOpens(self.choose(self.c), self.c)  # within M's attempt
        self.commit(self.c, **{"cmi.completion_status": "incomplete"})
        self.commit(self.a, **{"cmi.completion_status": "incomplete"})
        self.assertRefused(self.choose(self.c), "“Module M” may be attempted once")

    def test_a_cluster_within_its_limit_opens_again(self) -> None:
        self.take(clustered(module=limit(2)))
        self.commit(self.b, **{"cmi.completion_status": "incomplete"})
        self.commit(self.a, **{"cmi.completion_status": "incomplete"})
        self.assertOpens(self.choose(self.c), self.c)


class DurationLimitTestCase(SequencingWorld):
    LIMIT = '<imsss:limitConditions attemptAbsoluteDurationLimit="PT10M"/>'

    def one_launch(self, item, minutes: int, **last) -> None:
        """A launch of `item` committing now and again `minutes` later."""
        token = launch.new_token(self.enrollment.pk, item.pk, "http://testserver")
        start = timezone.now()
        for offset, data in (
            (0, {"cmi.completion_status": "incomplete"}),
            (minutes, {"cmi.completion_status": "incomplete", **last}),
        ):
            with time_machine.travel(start + timedelta(minutes=offset), tick=False):
                response = self.client.post(
                    f"/package-content/{token}/commit/",
                    json.dumps(data),
                    content_type="text/plain",
                    HTTP_HOST="127.0.0.1",
                )
                self.assertEqual(response.status_code, 200, response.content)

    def test_an_attempt_over_its_duration_limit_is_not_delivered_again(self) -> None:
        self.take(manifest(b=self.LIMIT))
        self.one_launch(self.b, 11, muster_terminate=True)
        self.commit(self.a, **{"cmi.completion_status": "incomplete"})
        self.assertRefused(self.choose(self.b), "used up the time its attempt")

    def test_within_its_duration_limit_it_is(self) -> None:
        self.take(manifest(b=self.LIMIT))
        self.one_launch(self.b, 9, muster_terminate=True)
        self.commit(self.a, **{"cmi.completion_status": "incomplete"})
        self.assertOpens(self.choose(self.b), self.b)

    def test_time_limit_exceeded_as_a_rule_condition(self) -> None:
        continue_late = rules(rule("post", "continue", [("timeLimitExceeded", "noOp")]))
        self.take(manifest(org=FLOW, b=self.LIMIT + continue_late))
        self.one_launch(self.b, 12, muster_terminate=True)
        self.assertOpens(self.after(), self.c)
        # Within the limit the rule does not fire: the first part not done.
        self.one_launch(self.b, 5, muster_terminate=True)
        self.assertOpens(self.after(), self.a)

    def test_a_bad_duration_is_named(self) -> None:
        from muster.packages import manifest as reader
        from muster.packages.tests.test_sequencing import manifest as build
        from muster.packages.zipcheck import PackageError

        text = build(
            b='<imsss:limitConditions attemptAbsoluteDurationLimit="ten minutes"/>'
        )
        with self.assertRaises(PackageError) as caught:
            reader.read_scorm(text.encode(), {"nav/index.html", "nav/nav.js"})
        self.assertEqual(
            str(caught.exception),
            "imsmanifest.xml: <item identifier='B'>, <imsss:limitConditions>, has "
            "attemptAbsoluteDurationLimit 'ten minutes'; expected a duration such "
            "as PT1H30M.",
        )


class ParsingTestCase(SequencingWorld):
    def test_exit_and_post_rules_and_limits_are_read(self) -> None:
        self.take(
            clustered(
                module=rules(rule("exit", "exit", SATISFIED))
                + '<imsss:limitConditions attemptLimit="3" '
                'attemptAbsoluteDurationLimit="PT1H30M"/>',
                b=rules(
                    rule("post", "retry", NOT_SATISFIED, "any"),
                    rule("post", "exitParent", ALWAYS),
                ),
            )
        )
        nodes = self.package.sequencing["activities"]
        self.assertEqual(nodes["M"]["limit"], 3)
        self.assertEqual(nodes["M"]["duration_limit"], "5400")
        self.assertEqual(
            [r["action"] for r in nodes["M"]["exit"]],
            ["exit"],
        )
        self.assertEqual(
            [(r["action"], r["combination"]) for r in nodes["B"]["post"]],
            [("retry", "any"), ("exitParent", "all")],
        )
        self.assertEqual(nodes["B"]["pre"], [])

    def test_a_rule_with_an_action_of_another_kind_is_named(self) -> None:
        text = manifest(
            a=rules(rule("post", "skip", ALWAYS)),
            b=rules(rule("exit", "retry", ALWAYS)),
        )
        with self.assertRaises(PackageError) as caught:
            reader.read_scorm(text.encode(), {"nav/index.html", "nav/nav.js"})
        self.assertEqual(
            str(caught.exception).splitlines(),
            [
                "imsmanifest.xml: <item identifier='A'>, <imsss:postConditionRule>, "
                "<imsss:ruleAction> has action 'skip'; expected one of exitParent, "
                "exitAll, retry, retryAll, continue, previous.",
                "imsmanifest.xml: <item identifier='B'>, <imsss:exitConditionRule>, "
                "<imsss:ruleAction> has action 'retry'; expected one of exit.",
            ],
        )


def considerations(**attributes: str) -> str:
    named = " ".join(f'{k}="{v}"' for k, v in attributes.items())
    return (
        '<adlseq:rollupConsiderations xmlns:adlseq="http://www.adlnet.org/xsd/'
        f'adlseq_v1p3" {named}/>'
    )


class RollupConsiderationsTestCase(SequencingWorld):
    """adlseq:rollupConsiderations (SN 5.1.8), applied by Check Child for
    Rollup (RB.1.4.2) to the child that carries them."""

    def rolled_up(self):
        return self.client.get(f"/learn/{self.slug}/package/record/").context["rollup"]

    def test_if_attempted_leaves_out_a_part_never_attempted(self) -> None:
        self.take(manifest(c=considerations(requiredForCompleted="ifAttempted")))
        for item in (self.a, self.b):
            self.commit(item, **{"cmi.completion_status": "completed"})
        self.assertEqual(self.rolled_up().completion, "completed")
        self.enrollment.refresh_from_db()
        self.assertIsNotNone(self.enrollment.completed_at)

    def test_always_needs_every_part(self) -> None:
        self.take(manifest(c=considerations(requiredForCompleted="always")))
        for item in (self.a, self.b):
            self.commit(item, **{"cmi.completion_status": "completed"})
        self.assertEqual(self.rolled_up().completion, "unknown")

    def test_if_attempted_counts_a_part_once_attempted(self) -> None:
        self.take(manifest(c=considerations(requiredForCompleted="ifAttempted")))
        self.commit(self.a, **{"cmi.completion_status": "completed"})
        self.commit(self.c, **{"cmi.completion_status": "incomplete"})
        self.commit(self.b, **{"cmi.completion_status": "completed"})
        self.assertEqual(self.rolled_up().completion, "incomplete")

    def test_if_not_suspended_leaves_out_a_suspended_part(self) -> None:
        self.take(manifest(b=considerations(requiredForSatisfied="ifNotSuspended")))
        for item in (self.a, self.c):
            self.commit(item, **{"cmi.success_status": "passed"})
        self.commit(self.b, **{"cmi.exit": "suspend"})
        self.assertEqual(self.rolled_up().success, "passed")
        # Once B's attempt ends unsuspended it counts again.
        self.commit(self.b, **{"cmi.exit": ""})
        self.assertEqual(self.rolled_up().success, "unknown")

    def test_if_not_skipped_leaves_out_a_skipped_part(self) -> None:
        skip = rules(rule("pre", "skip", ALWAYS))
        self.take(
            manifest(
                org=FLOW,
                b=skip + considerations(requiredForNotSatisfied="ifNotSkipped"),
            )
        )
        for item in (self.a, self.c):
            self.commit(item, **{"cmi.success_status": "failed"})
        # Not satisfied by default needs every included child's status known:
        # B, skipped, is left out of that rule.
        self.assertEqual(self.rolled_up().success, "failed")

    def test_measure_satisfaction_if_active(self) -> None:
        by_measure = (
            '<imsss:objectives><imsss:primaryObjective satisfiedByMeasure="true">'
            "<imsss:minNormalizedMeasure>0.5</imsss:minNormalizedMeasure>"
            "</imsss:primaryObjective></imsss:objectives>"
        )
        self.take(
            manifest(
                org=FLOW
                + by_measure
                + considerations(measureSatisfactionIfActive="false")
            )
        )
        for item in (self.a, self.b, self.c):
            self.commit(item, **{"cmi.score.scaled": "0.9"})
        # The course is active (the learner is in it): its measure does not
        # decide its satisfaction yet.
        self.assertEqual(self.rolled_up().success, "unknown")
        self.terminate(self.c, "exitAll")
        self.after()
        self.assertEqual(self.rolled_up().success, "passed")

    def test_a_bad_consideration_is_named(self) -> None:
        text = manifest(a=considerations(requiredForSatisfied="sometimes"))
        with self.assertRaises(PackageError) as caught:
            reader.read_scorm(text.encode(), {"nav/index.html", "nav/nav.js"})
        self.assertEqual(
            str(caught.exception),
            "imsmanifest.xml: <item identifier='A'>, <adlseq:rollupConsiderations>, "
            "has requiredForSatisfied 'sometimes'; expected one of always, "
            "ifAttempted, ifNotSkipped, ifNotSuspended.",
        )


class ClusterChoiceTestCase(SequencingWorld):
    def test_a_chosen_cluster_is_entered_at_its_first_part(self) -> None:
        self.take(clustered(org=FLOW, module=FLOW))
        self.terminate(self.a, "{target=M}choice")
        self.assertOpens(self.after(), self.b)

    def test_past_a_skipped_first_part(self) -> None:
        self.take(
            clustered(org=FLOW, module=FLOW, b=rules(rule("pre", "skip", ALWAYS)))
        )
        self.terminate(self.a, "{target=M}choice")
        self.assertOpens(self.after(), self.c)

    def test_without_the_clusters_flow_nothing_is_entered(self) -> None:
        # SB.2.9: the flow enters the chosen cluster, which needs its flow.
        self.take(clustered(org=FLOW))
        self.terminate(self.a, "{target=M}choice")
        self.assertRefused(self.after(), "does not move into “Part B” in order")

    def test_a_jump_to_a_cluster_is_ignored(self) -> None:
        # A jump delivers a leaf (DB.1.1): the player's own pick instead.
        self.take(clustered(org=FLOW, module=FLOW))
        self.commit(self.a, **{"cmi.completion_status": "completed"})
        self.terminate(self.c, "{target=M}jump")
        self.assertOpens(self.after(), self.b)


def randomized(**attributes: str) -> str:
    named = " ".join(f'{k}="{v}"' for k, v in attributes.items())
    return f"<imsss:randomizationControls {named}/>"


class SelectionRandomizationTestCase(SequencingWorld):
    """randomizationControls (SN 5.1.9): Select Children (SR.1) and Randomize
    Children (SR.2), chosen once per attempt and kept."""

    def listed(self, response=None) -> list[str]:
        response = response or self.client.get(f"/learn/{self.slug}/package/")
        hidden = response.context["hidden"]
        return [i.identifier for i in response.context["items"] if i.pk not in hidden]

    def seeded(self, seed: int):
        return mock.patch.object(sequencing, "RANDOM", random.Random(seed))

    def test_select_count_once(self) -> None:
        with self.seeded(0):  # draws parts 2 and 3 of 3
            self.take(
                manifest(org=FLOW + randomized(selectCount="2", selectionTiming="once"))
            )
            self.assertEqual(self.listed(), ["B", "C"])
        # Kept: another draw would not change it.
        with self.seeded(4):
            self.assertEqual(self.listed(), ["B", "C"])
            state = SequencingState.objects.get(enrollment=self.enrollment)
            self.assertEqual(state.orders["ORG"]["selected"], ["B", "C"])
            # The player opens the first part selected; A cannot be chosen.
            self.assertOpens(self.client.get(f"/learn/{self.slug}/package/"), self.b)
            self.assertRefused(self.choose(self.a), "cannot be chosen")
            self.terminate(self.b, "continue")
            self.assertOpens(self.after(), self.c)
            # The course is the parts selected: B and C completed complete it.
            self.commit(self.b, **{"cmi.completion_status": "completed"})
            self.commit(self.c, **{"cmi.completion_status": "completed"})
        self.enrollment.refresh_from_db()
        self.assertIsNotNone(self.enrollment.completed_at)

    def test_without_selection_timing_every_part_stays(self) -> None:
        with self.seeded(0):
            self.take(manifest(org=FLOW + randomized(selectCount="2")))
            self.assertEqual(self.listed(), ["A", "B", "C"])

    def test_reorder_children_once(self) -> None:
        with self.seeded(7):  # shuffles A, B, C into C, A, B
            self.take(
                manifest(
                    org=FLOW
                    + randomized(randomizationTiming="once", reorderChildren="true")
                )
            )
            self.assertEqual(self.listed(), ["C", "A", "B"])
            self.assertOpens(self.client.get(f"/learn/{self.slug}/package/"), self.c)
            # The flow follows the drawn order.
            self.terminate(self.c, "continue")
            self.assertOpens(self.after(), self.a)
            self.terminate(self.b, "continue")
            self.assertContains(self.after(), 'id="package-left"')
        with self.seeded(0):
            # The course's attempt ended (continue past its last part): "once"
            # keeps the order for the next attempt.
            self.assertEqual(self.listed(), ["C", "A", "B"])

    def test_reorder_without_reorder_children_keeps_the_manifests_order(self) -> None:
        with self.seeded(7):
            self.take(manifest(org=FLOW + randomized(randomizationTiming="once")))
            self.assertEqual(self.listed(), ["A", "B", "C"])

    def test_on_each_new_attempt_a_new_order(self) -> None:
        module = FLOW + randomized(
            randomizationTiming="onEachNewAttempt", reorderChildren="true"
        )
        with self.seeded(1):
            self.take(clustered(org=FLOW, module=module))
            self.commit(self.b, **{"cmi.completion_status": "incomplete"})
            first = self.listed()
            state = SequencingState.objects.get(enrollment=self.enrollment)
            self.assertEqual(state.orders["M"]["attempt"], 1)
            # Within M's attempt the order stays.
            self.commit(self.c, **{"cmi.completion_status": "incomplete"})
            self.assertEqual(self.listed(), first)
            # Leaving M ends its attempt: the next one is drawn again.
            self.commit(self.a, **{"cmi.completion_status": "incomplete"})
            self.listed()
            state.refresh_from_db()
            self.assertEqual(state.orders["M"]["attempt"], 2)

    def test_a_bad_timing_is_named(self) -> None:
        text = manifest(org=randomized(randomizationTiming="sometimes"))
        with self.assertRaises(PackageError) as caught:
            reader.read_scorm(text.encode(), {"nav/index.html", "nav/nav.js"})
        self.assertEqual(
            str(caught.exception),
            "imsmanifest.xml: <organization identifier='ORG'>, "
            "<imsss:randomizationControls>, has randomizationTiming 'sometimes'; "
            "expected one of never, once, onEachNewAttempt.",
        )


def primary(**map_flags: str) -> str:
    """An unnamed primary objective mapped to the global objective urn:g."""
    flags = " ".join(f'{k}="{v}"' for k, v in map_flags.items())
    return (
        "<imsss:objectives><imsss:primaryObjective>"
        f'<imsss:mapInfo targetObjectiveID="urn:g" {flags}/>'
        "</imsss:primaryObjective></imsss:objectives>"
    )


class UnnamedPrimaryObjectiveTestCase(SequencingWorld):
    """A primary objective without an objectiveID has no cmi.objectives entry;
    the sequencer reads it through its maps all the same (SN 4.2.1)."""

    WRITES = primary(writeSatisfiedStatus="true", readSatisfiedStatus="false")

    def test_a_part_satisfied_elsewhere_is_skipped(self) -> None:
        self.take(
            manifest(
                org=FLOW,
                a=self.WRITES,
                b=primary() + rules(rule("pre", "skip", SATISFIED)),
            )
        )
        self.terminate(self.a, "continue", **{"cmi.success_status": "failed"})
        self.assertOpens(self.after(), self.b)
        self.terminate(self.a, "continue", **{"cmi.success_status": "passed"})
        self.assertOpens(self.after(), self.c)

    def test_it_feeds_the_rollup(self) -> None:
        self.take(manifest(a=self.WRITES, b=primary()))
        for item in (self.a, self.c):
            self.commit(item, **{"cmi.success_status": "passed"})
        # B, never launched, is satisfied through urn:g: all three are.
        rollup = self.client.get(f"/learn/{self.slug}/package/record/").context[
            "rollup"
        ]
        self.assertEqual(rollup.success, "passed")

    def test_without_a_read_map_it_is_not(self) -> None:
        self.take(manifest(a=self.WRITES, b=primary(readSatisfiedStatus="false")))
        for item in (self.a, self.c):
            self.commit(item, **{"cmi.success_status": "passed"})
        rollup = self.client.get(f"/learn/{self.slug}/package/record/").context[
            "rollup"
        ]
        self.assertEqual(rollup.success, "unknown")


class RequestValidTestCase(SequencingWorld):
    """adl.nav.request_valid (RTE 4.4.3) from the manifest's rules, given to
    the launcher for the SCO launched."""

    def valid_at_launch(self, item) -> dict:
        token = launch.new_token(self.enrollment.pk, item.pk, "http://testserver")
        response = self.client.get(f"/package-content/{token}/", HTTP_HOST="127.0.0.1")
        self.assertEqual(response.status_code, 200)
        return response.context["config"]["requestValid"]

    def test_by_the_control_modes_and_rules(self) -> None:
        self.take(
            manifest(
                org='<imsss:controlMode flow="true" forwardOnly="true"/>',
                c=rules(rule("pre", "hiddenFromChoice", ALWAYS)),
            )
        )
        valid = self.valid_at_launch(self.b)
        self.assertEqual(valid["continue"], "true")
        self.assertEqual(valid["previous"], "false")  # forward only
        self.assertEqual(
            valid["choice"], {"A": "false", "B": "true", "C": "false"}
        )  # A lies backward, C is hidden
        self.assertEqual(valid["jump"], {"A": "true", "B": "true", "C": "true"})
        self.assertEqual(valid["suspendAll"], "true")

    def test_without_flow_neither_continue_nor_previous(self) -> None:
        self.take(manifest(b=rules(rule("pre", "disabled", ALWAYS))))
        valid = self.valid_at_launch(self.a)
        self.assertEqual((valid["continue"], valid["previous"]), ("false", "false"))
        self.assertEqual(valid["choice"]["B"], "false")
        self.assertEqual(valid["jump"]["B"], "false")
        self.assertEqual(valid["choice"]["C"], "true")

    def test_continue_from_the_last_part_ends_the_course(self) -> None:
        self.take(manifest(org=FLOW))
        self.assertEqual(self.valid_at_launch(self.c)["continue"], "true")
        self.assertEqual(self.valid_at_launch(self.a)["previous"], "false")
