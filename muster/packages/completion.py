"""What a package course needs before credit, and the commit log kept as evidence.

Handed to muster.learning.actions.complete_enrollment (as `PACKAGE_CONTENT`)
for courses with a package, in place of the lessons-and-assessment check of
native courses; the seat-time check stays the same for both.
"""

from __future__ import annotations

import csv
import io

from django.core.files.base import ContentFile

from muster.learning.actions import ContentCheck
from muster.learning.models import Enrollment
from muster.packages.models import CmiCommit, ScoState
from muster.packages.sequencing import Tracker
from muster.tabular import spreadsheet_safe


def done_item_ids(enrollment: Enrollment) -> set[int]:
    """The package items this enrollment has done."""
    return set(
        ScoState.objects.filter(enrollment=enrollment, is_complete=True).values_list(
            "item_id", flat=True
        )
    )


def state_of(enrollment: Enrollment, item) -> ScoState | None:
    """Where the enrollment stands in `item`, or None before its first commit."""
    return ScoState.objects.filter(enrollment=enrollment, item=item).first()


def required_items(package) -> list:
    """The items the course needs done: those counting towards its rollup, or
    all of them if the manifest leaves every one out."""
    items = list(package.items.all())
    return [i for i in items if i.counts_for_credit] or items


def why_incomplete(enrollment: Enrollment) -> str:
    """ "" when the package is done; else why not.

    A SCORM 2004 package whose manifest defines sequencing (any
    `<imsss:sequencing>`) is done when its course status, rolled up by the
    manifest's rules (muster/packages/sequencing.py), is completed and not
    failed: the author's rules decide, e.g. "completed when any two parts
    are". Otherwise every item counting towards the rollup must be done."""
    package = enrollment.course.package
    items = list(package.items.all())
    if (package.sequencing or {}).get("defined") and any(
        i.counts_for_credit for i in items
    ):
        # (A manifest leaving every item out of the rollup could never roll up
        # to completed: then every item is needed, as without sequencing.)
        status = Tracker(enrollment, package).course_status()
        if status.satisfied is False:
            return (
                "Not passed: the course's status, rolled up from its parts, is failed."
            )
        if status.completed is not True:
            return (
                "Not yet completed: the course's status, rolled up from its parts "
                "by its sequencing rules, is not completed."
            )
        return ""
    done = set(
        ScoState.objects.filter(enrollment=enrollment, is_complete=True).values_list(
            "item_id", flat=True
        )
    )
    left = [item.title for item in required_items(package) if item.pk not in done]
    if not left:
        return ""
    return f"Not yet completed: {', '.join(left)}."


def commit_log(enrollment: Enrollment) -> str:
    """A CSV of every CMI commit (statuses, score, session time), for the record."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(
        [
            "received_at",
            "item",
            "launch",
            "sequence",
            "completion_status",
            "success_status",
            "score",
            "reported_session_seconds",
            "terminate",
        ]
    )
    commits = CmiCommit.objects.filter(enrollment=enrollment).select_related("item")
    for commit in commits.order_by("received_at", "pk").iterator():
        score = commit.data.get("cmi.core.score.raw") or commit.data.get(
            "cmi.score.scaled", ""
        )
        row = [
            commit.received_at.isoformat(),
            commit.item.identifier,
            commit.launch,
            commit.sequence if commit.sequence is not None else "",
            commit.completion_status,
            commit.success_status,
            score,
            commit.session_seconds if commit.session_seconds is not None else "",
            int(commit.is_terminate),
        ]
        writer.writerow([spreadsheet_safe(cell) for cell in row])
    return out.getvalue()


def evidence(enrollment: Enrollment) -> list[ContentFile]:
    return [
        ContentFile(
            commit_log(enrollment).encode("utf-8"),
            name=f"cmi-commits-enrollment-{enrollment.pk}.csv",
        )
    ]


PACKAGE_CONTENT = ContentCheck(
    why_incomplete=why_incomplete,
    evidence=evidence,
    description="CMI commits as reported",
    reason="Completed the content package",
)
