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
- when an attempt ends (`terminate`, TB.2.3) the exit rules of the clusters
  above (TB.2.1) and the post-condition rules (TB.2.2) may end attempts of
  clusters and the course, and ask for retry, continue or previous, which
  replace the SCO's request;
- limit conditions (UP.1): attemptLimit on leaves, clusters and the course,
  attemptAbsoluteDurationLimit as the server saw the attempt's commits;
- selection and randomization (SR.1, SR.2): a cluster's children drawn and
  ordered once or per attempt, kept in `SequencingState.orders`;
- `request_valid`: adl.nav.request_valid for a SCO being launched, by the
  same rules;
- a primary objective's read maps (named or not) give a leaf its status from
  the learner's global objectives (`primary_reads`);
- the course's status is rolled up by the manifest's rollup rules, with the SN
  book's default rules for each action the manifest gives none (RB.1.2.b,
  RB.1.3), and the measure as the weighted average (RB.1.1); a cluster or
  course whose primary objective is satisfied by measure is satisfied when that
  measure reaches its minNormalizedMeasure, ahead of the rules (RB.1.2.a).

Not applied: available time ranges (SCORM 2004 manifests have none).

An attempt on a leaf is counted from the commits: each launch with commits is
a new attempt unless the launch before it ended suspended (cmi.exit suspend).
An attempt on a cluster begins with a launch inside it after one outside it,
or after sequencing ended its attempt (kept in `SequencingState.ended`).
A package without a tree (SCORM 1.2, cmi5, or imported before sequencing was
read) is judged as before: every request is followed.
"""

from __future__ import annotations

import random
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal
from functools import cached_property

from django.db import transaction
from django.db.models import Max, Min
from django.db.models.fields.json import KeyTextTransform
from django.utils import timezone

from muster.packages.models import CmiCommit, ScoState, SequencingState

END = "end"
SKIPPED = "skipped"
# Selection and randomization draw from here (tests seed it).
RANDOM = random.Random()


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
        self._orders: dict[str, list[str]] = {}
        self._launching: str | None = None

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
        """The activity the learner is in: the item being launched
        (`request_valid`), else the item of the last commit."""
        if self._launching is not None:
            return self._launching
        commit = self.last_commit
        if commit is None:
            return None
        return next((k for k, i in self.items.items() if i.pk == commit.item_id), None)

    @cached_property
    def launch_rows(self) -> list[dict]:
        """Every launch with commits, in order: its item, first and last commit
        (pk and time) and the `cmi.exit` it ended with (without loading the
        commits' data models)."""
        rows = list(
            self._commits()
            .values("item_id", "launch")
            .annotate(
                first=Min("pk"),
                last=Max("pk"),
                began=Min("received_at"),
                ended=Max("received_at"),
            )
            .order_by("first")
        )
        exits = dict(
            CmiCommit.objects.filter(pk__in=[r["last"] for r in rows])
            .annotate(exit=KeyTextTransform("cmi.exit", "data"))
            .values_list("pk", "exit")
        )
        by_pk = {i.pk: k for k, i in self.items.items()}
        for row in rows:
            row["exit"] = exits.get(row["last"]) or ""
            row["leaf"] = by_pk.get(row["item_id"])
        return rows

    @cached_property
    def launches(self) -> dict[int, list[str]]:
        """Per item, the `cmi.exit` each of its launches ended with, in order."""
        found: dict[int, list[str]] = {}
        for row in self.launch_rows:
            found.setdefault(row["item_id"], []).append(row["exit"])
        return found

    def attempts(self, item) -> int:
        """Each launch with commits is an attempt, unless the one before it
        ended suspended (then it resumed that attempt)."""
        return len(self._attempt_starts(item.identifier))

    # --- attempts on clusters, and their ends -------------------------------

    @cached_property
    def saved(self) -> SequencingState | None:
        return SequencingState.objects.filter(enrollment=self.enrollment).first()

    def _ends(self, ident: str) -> list[int]:
        """The commits after which sequencing ended the attempt on `ident` or
        on an activity above it."""
        above = set(self.path(ident))
        ended = self.saved.ended if self.saved is not None else []
        return sorted(pk for activity, pk in ended if activity in above)

    def _attempt_starts(self, ident: str) -> list[dict]:
        """The launches that began an attempt on `ident`. A leaf: each launch,
        unless the one before it ended suspended. A cluster: a launch inside it
        after one outside it (choosing or flowing out of a cluster ends its
        attempt, DB.2 / UP.3), or after sequencing ended its attempt."""
        rows = self.launch_rows
        if ident in self.items:
            mine = [r for r in rows if r["leaf"] == ident]
            return [
                r
                for n, r in enumerate(mine)
                if n == 0 or mine[n - 1]["exit"] != "suspend"
            ]
        ends = self._ends(ident)
        starts, previous = [], None
        for row in rows:
            inside = row["leaf"] is not None and ident in self.path(row["leaf"])
            if inside and (
                previous is None
                or previous["leaf"] is None
                or ident not in self.path(previous["leaf"])
                or any(previous["first"] <= e < row["first"] for e in ends)
            ):
                starts.append(row)
            previous = row
        return starts

    @contextmanager
    def _locked(self):
        """The enrollment's SequencingState, locked for a change (two pages
        of one learner may decide at once), saved after the block; kept as
        `saved`."""
        SequencingState.objects.get_or_create(enrollment=self.enrollment)
        with transaction.atomic():
            row = SequencingState.objects.select_for_update().get(
                enrollment=self.enrollment
            )
            yield row
            row.updated_at = timezone.now()
            row.save()
        self.saved = row

    # --- selection and randomization (SR.1, SR.2) ---------------------------

    def children(self, ident: str) -> list[str]:
        """The cluster's available children, in order, for its current attempt
        (or the next one, when it is not in one): the manifest's, unless its
        randomizationControls select some (selectCount, SR.1) or reorder them
        (reorderChildren, SR.2). Timing `once`: chosen the first time and kept;
        `onEachNewAttempt`: chosen again for each new attempt; `never`: the
        manifest's. What is chosen is kept (`SequencingState.orders`), so a
        resumed course or a reloaded page keeps the same parts in the same
        order; an activity in an attempt is never changed (SR.1 and SR.2 do
        nothing to an active or suspended activity)."""
        node = self.nodes.get(ident) or {}
        kids = list(node.get("children", []))
        controls = node.get("randomization")
        if not controls or not kids:
            return kids
        if ident in self._orders:
            return self._orders[ident]
        active = self.is_active(ident)
        attempt = len(self._attempt_starts(ident)) + (0 if active else 1)
        stored = (self.saved.orders if self.saved is not None else {}).get(ident)
        fresh = stored is None
        again = not fresh and not active and stored["attempt"] != attempt
        select, shuffle = controls["selection_timing"], controls["randomization_timing"]
        selected = kids if fresh else stored["selected"]
        order = kids if fresh else stored["children"]
        reselected = fresh or (again and select == "onEachNewAttempt")
        if reselected:
            selected = kids
            count = controls.get("select_count")
            if select != "never" and count is not None and count < len(kids):
                chosen = set(RANDOM.sample(range(len(kids)), count))
                selected = [k for n, k in enumerate(kids) if n in chosen]
            order = list(selected)
        if (
            controls.get("reorder")
            and shuffle != "never"
            and (reselected or (again and shuffle == "onEachNewAttempt"))
        ):
            order = list(selected)
            RANDOM.shuffle(order)
        if fresh or (again and "onEachNewAttempt" in (select, shuffle)):
            with self._locked() as row:
                if row.orders.get(ident) != stored:
                    # Another request drew first: its draw stands.
                    order = row.orders[ident]["children"]
                else:
                    row.orders = {
                        **row.orders,
                        ident: {
                            "attempt": attempt,
                            "selected": selected,
                            "children": order,
                        },
                    }
        self._orders[ident] = order
        return order

    def available(self, ident: str) -> bool:
        """Whether the activity and those above it are among their clusters'
        available children (SR.1)."""
        path = self.path(ident)
        return all(
            kid in self.children(parent)
            for parent, kid in zip(path, path[1:], strict=False)
        )

    def ordered(self, items: list) -> list:
        """`items` (leaves) in the order the tree presents them now: the
        available ones first, in their clusters' order, then the rest."""
        found: list[str] = []

        def walk(ident: str) -> None:
            if ident in self.items:
                found.append(ident)
            for kid in self.children(ident):
                walk(kid)

        walk(self.tree["root"])
        rank = {ident: n for n, ident in enumerate(found)}
        return sorted(items, key=lambda i: rank.get(i.identifier, len(rank)))

    def attempt_seconds(self, ident: str) -> Decimal | None:
        """Attempt Absolute Duration (SN 4.2.1): from the first commit of the
        activity's latest attempt to the latest commit inside it, as the server
        received them; None before any attempt."""
        starts = self._attempt_starts(ident)
        if not starts:
            return None
        inside = [
            r
            for r in self.launch_rows
            if r["leaf"] is not None
            and ident in self.path(r["leaf"])
            and r["first"] >= starts[-1]["first"]
        ]
        span = max(r["ended"] for r in inside) - starts[-1]["began"]
        return Decimal(str(span.total_seconds()))

    def end(self, activities: list[str]) -> None:
        """Sequencing ended the attempts on `activities` (clusters, the root)
        now, after the enrollment's last commit: kept, so a later launch inside
        one begins a new attempt on it."""
        clusters = [a for a in activities if a not in self.items]
        last = self.last_commit
        if not clusters or last is None:
            return
        with self._locked() as state:
            added = [[a, last.pk] for a in clusters if [a, last.pk] not in state.ended]
            state.ended = [*state.ended, *added]
        self._status.clear()

    def status(self, ident: str) -> Status:
        if ident not in self._status:
            item = self.items.get(ident)
            self._status[ident] = (
                self._leaf(item) if item is not None else self._rolled_up(ident)
            )
        return self._status[ident]

    @cached_property
    def primary_reads(self) -> dict[str, dict]:
        from muster.packages.objectives import read_primaries

        return read_primaries(self.enrollment, list(self.items.values()))

    def _leaf(self, item) -> Status:
        state = self.states.get(item.pk)
        found = Status(attempts=self.attempts(item))
        if state is not None:
            completed = {"completed": True, "incomplete": False}.get(
                state.completion_status
            )
            found.satisfied = {"passed": True, "failed": False}.get(
                state.success_status
            )
            found.completed = True if state.is_complete else completed
            found.measure = state.score_scaled
            found.suspended = state.exit == "suspend"
        # The primary objective's read maps (named or not): a global
        # objective's known status is the activity's own (SN 4.2.1), so a
        # part another SCO satisfied through a shared objective is satisfied
        # here, launched or not. A part done for credit stays completed.
        read = self.primary_reads.get(item.identifier) or {}
        satisfied = {"passed": True, "failed": False}.get(read.get("success_status"))
        if satisfied is not None:
            found.satisfied = satisfied
        if (read.get("score") or {}).get("scaled") is not None:
            found.measure = Decimal(str(read["score"]["scaled"]))
        completion = {"completed": True, "incomplete": False}.get(
            read.get("completion_status")
        )
        if completion is not None and not (state and state.is_complete):
            found.completed = completion
        return found

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
        kids = self.children(ident)
        tracked = [k for k in kids if self._controls(k).get("tracked", True)]
        satisfying = [k for k in tracked if self._controls(k).get("satisfied", True)]
        completing = [k for k in tracked if self._controls(k).get("completion", True)]
        rules = node.get("rollup_rules", [])
        found = Status(attempts=len(self._attempt_starts(ident)))
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
            # while no child's measure is known, and while the activity is
            # active if its measureSatisfactionIfActive is false (SN 5.1.8).
            found.satisfied = (
                None
                if found.measure is None
                or (
                    not self._considerations(ident).get("if_active", True)
                    and self.is_active(ident)
                )
                else found.measure >= Decimal(node["min_measure"])
            )
        return found

    def _considerations(self, ident: str) -> dict:
        return (self.nodes.get(ident) or {}).get("considerations") or {}

    def _included(self, kid: str, action: str) -> bool:
        """Check Child for Rollup (RB.1.4.2): adlseq:requiredFor<action>.
        ifAttempted: only once attempted; ifNotSuspended: attempted and not
        suspended; ifNotSkipped: not while a skip rule of its fires."""
        required = self._considerations(kid).get(action, "always")
        if required == "always":
            return True
        status = self.status(kid)
        if required == "ifAttempted":
            return status.attempts > 0
        if required == "ifNotSuspended":
            return status.attempts > 0 and not status.suspended
        return not self.fires(kid, "skip")

    def _by_rules(self, rules, negative, positive, contributing, known, done):
        """RB.1.2.b / RB.1.3: the negative rules, then the positive ones (which
        win); an action without rules of the manifest's gets the default rule
        ("all <known> then <negative>", "all <done> then <positive>")."""
        result = None
        for action, default in ((negative, known), (positive, done)):
            kids = [k for k in contributing if self._included(k, action)]
            chosen = [r for r in rules if r["action"] == action] or [
                {
                    "set": "all",
                    "count": 0,
                    "percent": "0",
                    "combination": "any",
                    "conditions": [{"condition": default, "not": False}],
                }
            ]
            if any(self._rollup_rule(r, kids) for r in chosen):
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
        if name == "timeLimitExceeded":
            # The attempt's absolute duration past attemptAbsoluteDurationLimit;
            # an activity without that limit has none to exceed.
            return self._over_time(ident)
        # outsideAvailableTimeRange: SCORM 2004 gives no begin or end time
        # limits in the manifest, so no activity is ever outside its range.
        return False

    def _over_time(self, ident: str) -> bool:
        limit = (self.nodes.get(ident) or {}).get("duration_limit")
        if not limit:
            return False
        spent = self.attempt_seconds(ident)
        return spent is not None and spent >= Decimal(limit)

    def fires(self, ident: str, action: str, kind: str = "pre") -> bool:
        node = self.nodes.get(ident) or {}
        return any(
            self._combine(rule["combination"], rule["conditions"], ident) is True
            for rule in node.get(kind, [])
            if rule["action"] == action
        )

    def rule_action(self, ident: str, kind: str) -> str | None:
        """Sequencing Rules Check (UP.2) over the activity's `kind` rules
        ("pre", "exit", "post"): the action of the first, in manifest order,
        whose conditions are true; None if none is."""
        node = self.nodes.get(ident) or {}
        for rule in node.get(kind, []):
            if self._combine(rule["combination"], rule["conditions"], ident) is True:
                return rule["action"]
        return None

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
        """A cluster holding the current item is in an attempt, until
        sequencing ends it (`end`); the current leaf until its terminate
        commit."""
        if self._launching is not None:
            # As the launch will have it: the item and its clusters active.
            return ident in self.path(self._launching)
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
        rows = self.launch_rows
        if not rows or rows[-1]["leaf"] is None:
            return False
        if ident not in self.path(rows[-1]["leaf"]):
            return False
        return not any(e >= rows[-1]["first"] for e in self._ends(ident))

    def blocked(self, ident: str) -> str:
        """Check Activity (UP.5): why the activity cannot be delivered, or ""."""
        title = self.title(ident)
        if self.fires(ident, "disabled"):
            return f"“{title}” is not available yet: disabled by the sequencing rules of the course."
        # Limit Conditions Check (UP.1): not for an activity that is not
        # tracked, is active or is suspended.
        node = self.nodes.get(ident) or {}
        limit = node.get("limit")
        status = self.status(ident)
        if (
            not self._controls(ident).get("tracked", True)
            or status.suspended
            or self.is_active(ident)
        ):
            return ""
        if limit and status.attempts >= limit:
            times = "once" if limit == 1 else f"{limit} times"
            return f"“{title}” may be attempted {times}, and that is used up."
        if self._over_time(ident):
            return f"“{title}” has used up the time its attempt may take."
        return ""

    def hidden(self, ident: str) -> bool:
        """Not to be listed or chosen: hidden from choice by a rule of its own
        or above it, or not among the children selected for its cluster's
        attempt (SR.1)."""
        return not self.available(ident) or any(
            self.fires(a, "hiddenFromChoice") for a in self.path(ident)
        )

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
        kids = self.children(common)
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

    def flow_refusal(self, current: str, forward: bool) -> str:
        """Why continue / previous from `current` is not valid (NB.2.1,
        SB.2.7, SB.2.8), or ""."""
        parent = self.parent(current)
        word = "next" if forward else "previous"
        if not self.control(parent, "flow"):
            return (
                f"The course does not move to the {word} part from "
                f"“{self.title(current)}”; choose a part from the list."
            )
        if not forward and self.control(parent, "forwardOnly"):
            return (
                f"“{self.title(parent)}” goes forward only; there is no going back "
                f"from “{self.title(current)}”."
            )
        return ""

    def flow(self, current: str, forward: bool):
        """continue / previous from `current`, a leaf or a cluster whose attempt
        ended (NB.2.1, SB.2.1-SB.2.3): the next item, END past the last one,
        None before the first, or Refused."""
        reason = self.flow_refusal(current, forward)
        if reason:
            return Refused(reason)
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
        kids = self.children(parent)
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
        kids = self.children(ident)
        for kid in kids if forward else kids[::-1]:
            found = self._enter(kid, forward)
            if found is not SKIPPED:
                return found
        return SKIPPED

    def into(self, ident: str):
        """Deliver `ident`, or, a cluster, the first leaf the flow reaches in it
        (SB.2.3 with its children considered): Check Activity (UP.5) on the way
        down from the root, then the cluster's own flow, skip rules and checks
        (SB.2.2). An item, or Refused."""
        for activity in self.path(ident):
            reason = self.blocked(activity)
            if reason:
                return Refused(reason)
        if ident in self.items:
            return self.items[ident]
        for kid in self.children(ident):
            found = self._enter(kid, True)
            if found is not SKIPPED:
                return found
        return Refused(f"Nothing in “{self.title(ident)}” can be opened now.")

    # --- the end of an attempt (TB.2.3) ---------------------------------------

    def terminate(self, leaf: str, suspended: bool) -> tuple[str, str | None]:
        """The attempt on `leaf` ends (the Termination Request Process, TB.2.3,
        for exit). The exit rules of the activities above it, from the root
        down (TB.2.1), end the attempt of the first whose rule fires, and of
        all below it; then the post-condition rules (TB.2.2) of the activity
        now current, unless it is the suspended leaf: exitParent ends the
        parent's attempt and its rules are checked in turn; exitAll ends the
        root's; retryAll ends the root's and retries it; retry, continue and
        previous are sequencing requests from where the rules leave the
        learner. Returns that activity and the request (retry, continue,
        previous, exit) or None, when the navigation request's own stands.
        Ended attempts are kept (`end`)."""
        root = self.tree["root"]
        current, ended = leaf, []
        for ident in self.path(leaf)[:-1]:
            if self.rule_action(ident, "exit") == "exit":
                current = ident
                ended.append(ident)
                break
        while True:
            skip = current == leaf and suspended
            action = None if skip else self.rule_action(current, "post")
            if action in ("exitAll", "retryAll"):
                current, request = root, "retry" if action == "retryAll" else "exit"
                ended.append(root)
                break
            if action == "exitParent" and self.parent(current) is not None:
                current = self.parent(current)
                ended.append(current)
                continue
            # exitParent at the root is not valid (TB.2.3-4): the session ends,
            # as it does when the rules leave the learner at the root
            # without a retry.
            request = "exit" if action == "exitParent" else action
            if current == root and request != "retry":
                request = "exit"
            break
        self._current_active = False
        self.end(ended)
        return current, request

    # --- adl.nav.request_valid (RTE 4.4.3) ------------------------------------

    def request_valid(self, leaf: str) -> dict:
        """What `adl.nav.request_valid` answers to the SCO `leaf` launched now:
        whether continue and previous would deliver something (or, continue
        past the last part, end the course), which choices and jumps the
        rules allow, by target; the leaving requests always. Judged as the
        launch begins: what the SCO does in its session (passing, say) is not
        seen until its next launch. Nothing is kept."""
        self._launching = leaf
        self._status.clear()
        try:
            words = {True: "true", False: "false"}
            found = {
                "continue": words[
                    not isinstance(self.flow(leaf, True), Refused | type(None))
                ],
                "previous": words[
                    not isinstance(self.flow(leaf, False), Refused | type(None))
                ],
                "choice": {
                    ident: words[
                        not self.hidden(ident) and not self.why_not_chosen(ident, leaf)
                    ]
                    for ident in self.nodes
                    if ident != self.tree["root"]
                },
                "jump": {
                    ident: words[
                        self.available(ident)
                        and not any(map(self.blocked, self.path(ident)))
                    ]
                    for ident in self.items
                },
            }
        finally:
            self._launching = None
            self._status.clear()
        for name in ("exit", "exitAll", "abandon", "abandonAll", "suspendAll"):
            found[name] = "true"
        return found
