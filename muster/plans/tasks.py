"""Background work of plans: a what-if run of a state too large to evaluate in
the request (`actions.ask_what_if` queues it; its page shows the progress)."""

from __future__ import annotations

from django_tasks import task

from muster.plans import actions


@task()
def evaluate_what_if(run_id: int) -> str:
    """Evaluate one queued run; its status when done (done or failed)."""
    return actions.complete_what_if(run_id).status
