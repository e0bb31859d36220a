"""What `/health/` checks: the database answers, and the task queue is being worked.

Each check returns None when healthy, or a short reason meant for an operator's
dashboard. Reasons name the failing part only: never a host name, a user name,
an error message from the driver or a count of records, since the endpoint is
public (load balancers call it without signing in). The details go to the log.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from django.conf import settings
from django.db import DatabaseError, connection
from django.db.models import Case, F, Min, When
from django.utils import timezone
from django_tasks_db.models import DBTaskResult, get_date_max

logger = logging.getLogger(__name__)


def database_problem() -> str | None:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        logger.exception("Health check: the database did not answer")
        return "the database does not answer"
    return None


def oldest_pending_wait() -> timedelta | None:
    """How long the longest-waiting task that is due has waited, or None if none."""
    now = timezone.now()
    # A task without a time of its own (run_after at the far-future marker) is due
    # from the moment it was queued.
    due_at = Case(
        When(run_after=get_date_max(), then=F("enqueued_at")), default=F("run_after")
    )
    oldest = (
        DBTaskResult.objects.ready()
        .annotate(due_at=due_at)
        .aggregate(oldest=Min("due_at"))["oldest"]
    )
    return None if oldest is None else now - oldest


def queue_problem() -> str | None:
    """A reason when a due task has waited longer than MUSTER_HEALTH_QUEUE_MAX_AGE:
    the task worker (`manage.py task_worker`) is stopped, stuck or too slow."""
    limit = timedelta(seconds=settings.MUSTER_HEALTH_QUEUE_MAX_AGE)
    try:
        waited = oldest_pending_wait()
    except DatabaseError:
        logger.exception("Health check: the task queue could not be read")
        return "the task queue cannot be read"
    if waited is not None and waited > limit:
        return (
            f"a queued task has waited {int(waited.total_seconds())} s "
            f"(limit {int(limit.total_seconds())} s): is the task worker running?"
        )
    return None
