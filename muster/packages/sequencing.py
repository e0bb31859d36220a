"""SCORM 2004 sequencing, as much as Muster applies (SN book, 4th edition).

The manifest's activity tree is kept on the package (`Package.sequencing`, read
by `manifest.sequencing_tree`): the organization (the root), its clusters and
its leaves, each with its control modes, attempt limit, precondition rules and
rollup rules. `Tracker` judges one enrollment's navigation requests against it:

- a choice (the learner's pick in the list of parts, or a SCO's
  `{target=ID}choice`) is refused when an activity on the way to the target is
  hidden from choice (SB.2.9), the target's parent has `choice="false"`, an
  active activity being left has `choiceExit="false"` (NB.2.1), the target lies
  backward under a `forwardOnly` parent, a `stopForwardTraversal` rule fires
  between where the learner is and the target (SB.2.4), or an activity on the
  path is disabled or has used up its attempt limit (UP.5, UP.1);
- `continue` / `previous` need `flow="true"` on the parent (the default is
  false, SN 5.1.1), `previous` refuses under `forwardOnly`; the flow walks the
  tree in order, passes over activities whose `skip` rule fires, and stops,
  delivering nothing, at one that is disabled or at its attempt limit (SB.2.2);
- `jump` bypasses control modes and rules but not the disabled / limit check;
- the course's status is rolled up by the manifest's rollup rules, with the SN
  book's default rules for each action the manifest gives none (RB.1.2.b,
  RB.1.3), and the measure as the weighted average (RB.1.1); a cluster or
  course whose primary objective is satisfied by measure is satisfied when that
  measure reaches its minNormalizedMeasure, ahead of the rules (RB.1.2.a).

Not applied: post-condition and exit rules, time limits and available time
ranges (their conditions are false, as for an activity without such limits),
selection and randomisation, adlseq requiredFor* (every contributing child
counts, "always"), a cluster's own attempts (a cluster is attempted once any of
its children is).

An attempt on a leaf is counted from the commits: each launch with commits is
a new attempt unless the launch before it ended suspended (cmi.exit suspend).
A package without a tree (SCORM 1.2, cmi5, or imported before sequencing was
read) is judged as before: every request is followed.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from functools import cached_property

from django.db.models import Max, Min
from django.db.models.fields.json import KeyTextTransform

from muster.packages.models import CmiCommit, ScoState

END = "end"
SKIPPED = "skipped"


@dataclass(frozen=True)
class Refused:
    """A navigation request the sequencing rules refuse, and why (for the learner)."""

    reason: str


@dataclass
class Status:
    satisfied: bool | None = None
    completed: bool | None = None
    measure: Decimal | None = None
    attempts: int = 0
    suspended: bool = False


def _tri_all(values: list) -> bool | None:
    if any(v is False for v in values):
        return False
    if any(v is None for v in values):
        return None
    return True


def _tri_any(values: list) -> bool | None:
    if any(v is True for v in values):
        return True
    if any(v is None for v in values):
        return None
    return False


class Tracker:
    """One enrollment's standing in its package's activity tree."""

    def __init__(self, enrollment, package=None, items=None) -> None:
        self.enrollment = enrollment
        self.package = package or enrollment.course.package
        self.tree = self.package.sequencing or {}
        self.nodes: dict = self.tree.get("activities", {})
        self.items = {i.identifier: i for i in (items or self.package.items.all())}
        self._status: dict[str, Status] = {}

    @property
    def applies(self) -> bool:
        return bool(self.nodes)

    # --- what the learner has done ------------------------------------------

    @cached_property
    def states(self) -> dict[int, ScoState]:
        return {
            s.item_id: s for s in ScoState.objects.filter(enrollment=self.enrollment)
        }

    def _commits(self):
        return CmiCommit.objects.filter(enrollment=self.enrollment)

    @cached_property
    def last_commit(self) -> CmiCommit | None:
        return (
            self._commits()
            .order_by("-received_at", "-pk")
            .only("pk", "item_id", "is_terminate")
            .first()
        )

    def current(self) -> str | None:
        """The activity the learner is in: the item of the last commit."""
        commit = self.last_commit
        if commit is None:
            return None
        return next((k for k, i in self.items.items() if i.pk == commit.item_id), None)

    @cached_property
    def launches(self) -> dict[int, list[str]]:
        """Per item, the `cmi.exit` each of its launches ended with, in order
        (without loading the commits' data models)."""
        rows = list(
            self._commits()
            .values("item_id", "launch")
            .annotate(first=Min("pk"), last=Max("pk"))
            .order_by("first")
        )
        exits = dict(
            CmiCommit.objects.filter(pk__in=[r["last"] for r in rows])
            .annotate(exit=KeyTextTransform("cmi.exit", "data"))
            .values_list("pk", "exit")
        )
        found: dict[int, list[str]] = {}
        for row in rows:
            found.setdefault(row["item_id"], []).append(exits.get(row["last"]) or "")
        return found

    def attempts(self, item) -> int:
        """Each launch with commits is an attempt, unless the one before it
        ended suspended (then it resumed that attempt)."""
        count, previous = 0, None
        for exit_value in self.launches.get(item.pk, []):
            if previous != "suspend":
                count += 1
            previous = exit_value
        return count

    def status(self, ident: str) -> Status:
        if ident not in self._status:
            item = self.items.get(ident)
            self._status[ident] = (
                self._leaf(item) if item is not None else self._rolled_up(ident)
            )
        return self._status[ident]

    def _leaf(self, item) -> Status:
        state = self.states.get(item.pk)
        if state is None:
            return Status()
        completed = {"completed": True, "incomplete": False}.get(
            state.completion_status
        )
        return Status(
            satisfied={"passed": True, "failed": False}.get(state.success_status),
            completed=True if state.is_complete else completed,
            measure=state.score_scaled,
            attempts=self.attempts(item),
            suspended=state.exit == "suspend",
        )

    def objective(self, ident: str, objective_id: str) -> Status:
        """The status of one of a leaf's objectives: what its last commit says
        (cmi.objectives.n), else what its read maps find in global objectives."""
        item = self.items.get(ident)
        found = Status()
        if item is None:
            return found
        commit = (
            self._commits().filter(item=item).order_by("-received_at", "-pk").first()
        )
        if commit is not None:
            for key, value in commit.data.items():
                if (
                    key.startswith("cmi.objectives.")
                    and key.endswith(".id")
                    and value == objective_id
                ):
                    prefix = key[: -len("id")]
                    success = commit.data.get(prefix + "success_status")
                    found.satisfied = {"passed": True, "failed": False}.get(success)
                    scaled = commit.data.get(prefix + "score.scaled")
                    if scaled not in (None, ""):
                        found.measure = Decimal(str(scaled))
        if found.satisfied is None or found.measure is None:
            from muster.packages.objectives import read_global

            for entry in read_global(self.enrollment, item):
                if entry["id"] != objective_id:
                    continue
                if found.satisfied is None:
                    found.satisfied = {"passed": True, "failed": False}.get(
                        entry.get("success_status")
                    )
                scaled = (entry.get("score") or {}).get("scaled")
                if found.measure is None and scaled is not None:
                    found.measure = Decimal(str(scaled))
        return found

    # --- rollup (RB.1) ---------------------------------------------------------

    def _controls(self, ident: str) -> dict:
        item = self.items.get(ident)
        if item is not None:
            return item.rollup or {}
        return self.nodes.get(ident, {}).get("controls") or {}

    def _rolled_up(self, ident: str) -> Status:
        node = self.nodes.get(ident) or {}
        kids = node.get("children", [])
        tracked = [k for k in kids if self._controls(k).get("tracked", True)]
        satisfying = [k for k in tracked if self._controls(k).get("satisfied", True)]
        completing = [k for k in tracked if self._controls(k).get("completion", True)]
        rules = node.get("rollup_rules", [])
        found = Status(attempts=1 if any(self.status(k).attempts for k in kids) else 0)
        found.satisfied = self._by_rules(
            rules,
            "notSatisfied",
            "satisfied",
            satisfying,
            "objectiveStatusKnown",
            "satisfied",
        )
        found.completed = self._by_rules(
            rules,
            "incomplete",
            "completed",
            completing,
            "activityProgressKnown",
            "completed",
        )
        total = counted = Decimal(0)
        valid = False
        for kid in tracked:
            weight = Decimal(self._controls(kid).get("weight", "1.0"))
            counted += weight
            measure = self.status(kid).measure
            if measure is not None:
                total += measure * weight
                valid = True
        if valid and counted:
            found.measure = (total / counted).quantize(Decimal("0.0001"))
        if node.get("min_measure") is not None:
            # RB.1.2.a: satisfied by measure, whatever the rules say; unknown
            # while no child's measure is known.
            found.satisfied = (
                None
                if found.measure is None
                else found.measure >= Decimal(node["min_measure"])
            )
        return found

    def _by_rules(self, rules, negative, positive, contributing, known, done):
        """RB.1.2.b / RB.1.3: the negative rules, then the positive ones (which
        win); an action without rules of the manifest's gets the default rule
        ("all <known> then <negative>", "all <done> then <positive>")."""
        result = None
        for action, default in ((negative, known), (positive, done)):
            chosen = [r for r in rules if r["action"] == action] or [
                {
                    "set": "all",
                    "count": 0,
                    "percent": "0",
                    "combination": "any",
                    "conditions": [{"condition": default, "not": False}],
                }
            ]
            if any(self._rollup_rule(r, contributing) for r in chosen):
                result = action == positive
        return result

    def _rollup_rule(self, rule: dict, contributing: list[str]) -> bool:
        bag = [
            self._combine(rule["combination"], rule["conditions"], kid)
            for kid in contributing
        ]
        if not bag:
            return False
        kind = rule["set"]
        if kind == "all":
            return all(v is True for v in bag)
        if kind == "any":
            return any(v is True for v in bag)
        if kind == "none":
            return all(v is False for v in bag)
        trues = sum(1 for v in bag if v is True)
        if kind == "atLeastCount":
            return trues >= rule["count"]
        return Decimal(trues) / len(bag) >= Decimal(rule["percent"])

    # --- rule conditions (UP.2) -----------------------------------------------

    def _combine(self, combination: str, conditions: list[dict], ident: str):
        values = []
        for condition in conditions:
            value = self._condition(condition, ident)
            if condition.get("not") and value is not None:
                value = not value
            values.append(value)
        return _tri_all(values) if combination == "all" else _tri_any(values)

    def _condition(self, condition: dict, ident: str) -> bool | None:
        name = condition["condition"]
        status = self.status(ident)
        objective = status
        if condition.get("objective") and ident in self.items:
            primary = next(
                (
                    o
                    for o in self.items[ident].objectives
                    if o["primary"] and o["id"] == condition["objective"]
                ),
                None,
            )
            if primary is None:
                objective = self.objective(ident, condition["objective"])
        limit = (self.nodes.get(ident) or {}).get("limit")
        threshold = Decimal(condition.get("threshold") or "0")
        if name == "always":
            return True
        if name == "satisfied":
            return objective.satisfied
        if name == "objectiveStatusKnown":
            return objective.satisfied is not None
        if name == "objectiveMeasureKnown":
            return objective.measure is not None
        if name == "objectiveMeasureGreaterThan":
            return None if objective.measure is None else objective.measure > threshold
        if name == "objectiveMeasureLessThan":
            return None if objective.measure is None else objective.measure < threshold
        if name == "completed":
            return status.completed
        if name == "activityProgressKnown":
            return status.completed is not None
        if name == "attempted":
            return status.attempts > 0
        if name == "attemptLimitExceeded":
            return bool(limit) and status.attempts >= limit
        # timeLimitExceeded, outsideAvailableTimeRange: Muster reads no time
        # limits, so no activity has one to exceed.
        return False

    def fires(self, ident: str, action: str) -> bool:
        node = self.nodes.get(ident) or {}
        return any(
            self._combine(rule["combination"], rule["conditions"], ident) is True
            for rule in node.get("pre", [])
            if rule["action"] == action
        )

    # --- checks on the tree -------------------------------------------------

    def course_status(self) -> Status:
        """The root's (the course's) rolled-up status."""
        return self.status(self.tree["root"])

    def title(self, ident: str) -> str:
        item = self.items.get(ident)
        if item is not None:
            return item.title
        return (self.nodes.get(ident) or {}).get("title") or ident

    def control(self, ident: str | None, name: str) -> bool:
        from muster.packages.manifest import CONTROL_MODES

        node = self.nodes.get(ident or "") or {}
        return (node.get("control") or {}).get(name, CONTROL_MODES[name])

    def parent(self, ident: str) -> str | None:
        return (self.nodes.get(ident) or {}).get("parent")

    def path(self, ident: str) -> list[str]:
        """Root first, down to `ident`."""
        found = []
        while ident is not None and ident in self.nodes:
            found.append(ident)
            ident = self.parent(ident)
        return found[::-1]

    def is_active(self, ident: str) -> bool:
        """A cluster holding the current item is in an attempt; the current
        leaf until its terminate commit."""
        if ident in self.items:
            if getattr(self, "_current_active", None) is not None and (
                ident == self.current()
            ):
                return self._current_active
            commit = self.last_commit
            return (
                commit is not None
                and commit.item_id == self.items[ident].pk
                and not commit.is_terminate
            )
        return True

    def blocked(self, ident: str) -> str:
        """Check Activity (UP.5): why the activity cannot be delivered, or ""."""
        title = self.title(ident)
        if self.fires(ident, "disabled"):
            return f"“{title}” is not available yet: disabled by the sequencing rules of the course."
        limit = (self.nodes.get(ident) or {}).get("limit")
        status = self.status(ident)
        if (
            limit
            and not status.suspended
            and not self.is_active(ident)
            and status.attempts >= limit
        ):
            times = "once" if limit == 1 else f"{limit} times"
            return f"“{title}” may be attempted {times}, and that is used up."
        return ""

    def hidden(self, ident: str) -> bool:
        return any(self.fires(a, "hiddenFromChoice") for a in self.path(ident))

    def why_not_chosen(
        self, target: str, current: str | None, current_active: bool | None = None
    ) -> str:
        """Why a choice of `target` is refused (SB.2.9, NB.2.1), or "".
        `current_active`: whether the current leaf is still in its attempt (a
        SCO's own request is judged before its attempt ends); by default, until
        its terminate commit."""
        self._current_active = current_active
        if not self.applies or target not in self.nodes:
            return ""
        title = self.title(target)
        if self.hidden(target):
            return f"“{title}” cannot be chosen: the course hides it from choice."
        parent = self.parent(target)
        if parent is not None and not self.control(parent, "choice"):
            return (
                f"The parts of “{self.title(parent)}” cannot be chosen from the "
                "list: the course sets their order."
            )
        if current in self.nodes and current != target:
            reason = self._leaving(target, current)
            if reason:
                return reason
        for ident in self.path(target):
            reason = self.blocked(ident)
            if reason:
                return reason
        return ""

    def _leaving(self, target: str, current: str) -> str:
        up, down = self.path(current), self.path(target)
        shared = 0
        while shared < min(len(up), len(down)) and up[shared] == down[shared]:
            shared += 1
        common = up[shared - 1]
        for ident in up[shared:]:
            if self.is_active(ident) and not self.control(ident, "choiceExit"):
                return (
                    f"“{self.title(ident)}” must be finished before a part "
                    "outside it can be chosen."
                )
        kids = (self.nodes.get(common) or {}).get("children", [])
        if shared >= len(up) or shared >= len(down):
            return ""
        here, there = kids.index(up[shared]), kids.index(down[shared])
        if there < here and self.control(common, "forwardOnly"):
            return (
                f"“{self.title(common)}” goes forward only: “{self.title(target)}” "
                "comes before where you are."
            )
        if there > here:
            between = [*up[shared:][::-1], *kids[here + 1 : there]]
            for ident in between:
                if self.fires(ident, "stopForwardTraversal"):
                    return (
                        f"“{self.title(target)}” cannot be chosen yet: the course "
                        f"stops moving forward at “{self.title(ident)}”."
                    )
        return ""

    def flow(self, current: str, forward: bool):
        """continue / previous from `current` (NB.2.1, SB.2.1-SB.2.3): the next
        item, END past the last one, None before the first, or Refused."""
        parent = self.parent(current)
        word = "next" if forward else "previous"
        if not self.control(parent, "flow"):
            return Refused(
                f"The course does not move to the {word} part from "
                f"“{self.title(current)}”; choose a part from the list."
            )
        if not forward and self.control(parent, "forwardOnly"):
            return Refused(
                f"“{self.title(parent)}” goes forward only; there is no going back "
                f"from “{self.title(current)}”."
            )
        node = current
        while True:
            step = self._sibling(node, forward)
            while step is None:
                node = self.parent(node)
                if node is None or self.parent(node) is None:
                    return END if forward else None
                step = self._sibling(node, forward)
            found = self._enter(step, forward)
            if found is SKIPPED:
                node = step
                continue
            return found

    def _sibling(self, ident: str, forward: bool) -> str | None:
        parent = self.parent(ident)
        if parent is None:
            return None
        kids = self.nodes[parent]["children"]
        at = kids.index(ident) + (1 if forward else -1)
        return kids[at] if 0 <= at < len(kids) else None

    def _enter(self, ident: str, forward: bool):
        parent = self.parent(ident)
        if not self.control(parent, "flow"):
            return Refused(
                f"The course does not move into “{self.title(ident)}” in order; "
                "choose a part from the list."
            )
        if self.fires(ident, "skip"):
            return SKIPPED
        reason = self.blocked(ident)
        if reason:
            return Refused(reason)
        if ident in self.items:
            return self.items[ident]
        kids = self.nodes[ident]["children"]
        for kid in kids if forward else kids[::-1]:
            found = self._enter(kid, forward)
            if found is not SKIPPED:
                return found
        return SKIPPED
