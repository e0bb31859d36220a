"""Background work of exports: a compliance report of a year the stored standings
do not keep, for an agency too large to evaluate in the request
(`actions.ask_compliance_export` queues it; its page shows the progress)."""

from __future__ import annotations

from django_tasks import task

from muster.transfers import actions


@task()
def build_export(job_id: int) -> str:
    """Make one queued export; its status when done (done or failed)."""
    return actions.complete_export(job_id).status
