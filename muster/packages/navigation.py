"""Where the player goes when a SCO terminates: its navigation request applied.

A SCORM 2004 SCO may set `adl.nav.request` before Terminate (RTE 4.4.2); the
launcher adds it to the terminate commit, which keeps it as evidence, and the
player, reloaded after the SCO finished, asks here what to open:

- `continue` / `previous`: the next / previous item in manifest order (continue
  past the last item ends the session: back to the course page; previous
  before the first is not valid and is ignored);
- `{target=ID}choice` / `{target=ID}jump`: the item with that identifier (a
  target that names no launchable item is ignored);
- `exit`, `exitAll`, `abandon`, `abandonAll`, `suspendAll`: nothing is launched;
  the player shows the list of parts, for the learner to choose (SN: the
  sequencer waits for a navigation request). After `suspendAll` the next visit
  to the player resumes the suspended item, whatever else is left to do;
- `_none_` (or none): the first item not yet done, as before.

When the package has an activity tree (SCORM 2004), the requests are judged
by its sequencing (muster/packages/sequencing.py: control modes, attempt
limits, precondition rules): continue/previous follow the flow and may be
refused (`continue` needs flow="true", which SCORM 2004 does not default to),
a choice may be refused (a choice of a cluster enters it by its flow), a jump
only by the disabled / attempt-limit check. A refused request launches
nothing; the player shows why (`sequencing.Refused`). Once a request is
judged valid, the SCO's attempt ends (`Tracker.terminate`): exit and
post-condition rules may end clusters' attempts or the course's and ask for
retry, continue or previous instead of the SCO's own request; `exit` and
no request are processed so too.
"""

from __future__ import annotations

from muster.packages.models import CmiCommit, PackageItem
from muster.packages.runtime import NAV_TARGET
from muster.packages.sequencing import END, Refused, Tracker

LEAVE = "leave"
LEAVING = ("exit", "exitAll", "abandon", "abandonAll", "suspendAll")


def _last_commit(enrollment) -> CmiCommit | None:
    """The enrollment's last commit. The launcher commits synchronously just
    before Terminate (scorm-again's own terminate commit is a beacon, which may
    arrive after the player asks), so this is the one the SCO left."""
    return (
        CmiCommit.objects.filter(enrollment=enrollment)
        .order_by("-received_at", "-pk")
        .first()
    )


def _request(commit: CmiCommit) -> str:
    return str(commit.data.get("adl.nav.request") or "_none_")


def after_terminate(
    enrollment, items: list[PackageItem]
) -> PackageItem | Refused | str | None:
    """What the last SCO's navigation request asks for: an item, LEAVE, Refused
    (the sequencing rules refuse it), or None (no request, or one naming
    nothing: the usual next item)."""
    commit = _last_commit(enrollment)
    if commit is None:
        return None
    request = _request(commit)
    index = next((n for n, i in enumerate(items) if i.pk == commit.item_id), None)
    tracker = Tracker(enrollment, items=items)
    if request in ("exitAll", "abandonAll") and tracker.applies:
        # The attempt on the course (the root) ends (TB.2.3): a later
        # launch begins a new one.
        tracker.end([tracker.tree["root"]])
    if request in LEAVING and not (request == "exit" and tracker.applies):
        return LEAVE
    if tracker.applies and index is not None:
        return _sequenced(tracker, request, items[index], commit)
    if request == "continue" and index is not None:
        # Past the last item the sequencing session ends.
        return items[index + 1] if index + 1 < len(items) else LEAVE
    if request == "previous" and index:
        return items[index - 1]
    match = NAV_TARGET.match(request)
    if match:
        return next((i for i in items if i.identifier == match[1]), None)
    return None


def suspended_item(enrollment, items: list[PackageItem]) -> PackageItem | None:
    """The item a suspendAll left the course suspended in, if the last SCO to
    terminate asked for one."""
    commit = _last_commit(enrollment)
    if commit is None or _request(commit) != "suspendAll":
        return None
    return next((i for i in items if i.pk == commit.item_id), None)


def _sequenced(tracker: Tracker, request: str, current: PackageItem, commit):
    """The navigation request judged (NB.2.1), the attempt's end with its exit
    and post-condition rules (TB.2.3), then the sequencing request: the
    rules' own, which replaces the navigation request's, or that one."""
    leaf = current.identifier
    target = None
    if request in ("continue", "previous"):
        reason = tracker.flow_refusal(leaf, request == "continue")
        if reason:
            return Refused(reason)
    elif match := NAV_TARGET.match(request):
        target, how = match[1], match[2]
        if target not in tracker.nodes or (
            how == "jump" and target not in tracker.items
        ):
            # Nothing of that name, or a jump to a cluster (a jump delivers
            # a leaf: DB.1.1): ignored.
            return None
        if how == "choice":
            # The SCO's attempt is still on while its request is judged (NB.2.1).
            reason = tracker.why_not_chosen(target, leaf, True)
            if reason:
                return Refused(reason)
    elif request not in ("exit", "_none_"):
        return None
    # With no request (_none_) the player's own pick stands in for the
    # learner's, so the attempt's end is processed as for any other.
    at, asked = tracker.terminate(leaf, commit.data.get("cmi.exit") == "suspend")
    if asked == "exit":
        return LEAVE
    if asked == "retry":
        return tracker.into(at)
    if asked in ("continue", "previous"):
        request = asked
    elif target is not None:
        if how == "choice":
            # SB.2.9: a cluster chosen is entered by the flow from its start.
            return tracker.into(target)
        # SN 4th edition jump: no control modes or rules, only Check Activity.
        reason = next(filter(None, map(tracker.blocked, tracker.path(target))), "")
        return Refused(reason) if reason else tracker.items[target]
    if request in ("continue", "previous"):
        found = tracker.flow(at, request == "continue")
        if found == END:
            # Past the last item the sequencing session ends, and the
            # course's attempt with it.
            tracker.end([tracker.tree["root"]])
            return LEAVE
        return found
    return LEAVE if request == "exit" else None
