"""Tasks whose worker died: put back in the queue so that another worker runs them.

`db_worker` marks a task RUNNING when it claims it and only a live worker ever
finishes it, so a worker killed mid-task (kill -9, out of memory, a host gone)
leaves the task RUNNING for ever: the email it was sending is lost. Each worker
Muster starts (`manage.py task_worker`) has an id naming its host and process,
and before taking work it puts back:

- tasks claimed on this host by a process that no longer exists (known at once;
  a live one keeps its task however long it runs);
- tasks claimed on another host that have run longer than
  MUSTER_TASK_ORPHAN_AFTER seconds (a worker there cannot be asked whether it is
  alive).

Running a task again is safe because every task is idempotent: the email tasks
log what they sent under a unique constraint in the sending transaction
(muster/reminders/tasks.py), and forwarding skips what was delivered.
"""

from __future__ import annotations

import logging
import os
import socket
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

logger = logging.getLogger(__name__)

# db_worker refuses longer ids.
WORKER_ID_LENGTH = 64


def this_worker_id() -> str:
    """`host:pid` of this process, which orphans() can test for life."""
    pid = str(os.getpid())
    host = socket.gethostname()[: WORKER_ID_LENGTH - len(pid) - 1]
    return f"{host}:{pid}"


def requeue_orphans() -> list[str]:
    """Put orphaned RUNNING tasks back as READY; the ids put back."""
    cutoff = timezone.now() - timedelta(seconds=settings.MUSTER_TASK_ORPHAN_AFTER)
    requeued = []
    with transaction.atomic():
        running = DBTaskResult.objects.running().select_for_update(skip_locked=True)
        for task in running:
            holder = task.worker_ids[-1] if task.worker_ids else ""
            alive = _is_alive_here(holder)
            if alive is None:  # elsewhere: only silence tells
                alive = bool(task.started_at and task.started_at >= cutoff)
            if not alive:
                task.status = TaskResultStatus.READY
                task.started_at = None
                task.save(update_fields=["status", "started_at"])
                requeued.append(str(task.id))
                logger.warning(
                    "task put back in the queue",
                    extra={
                        "task_id": str(task.id),
                        "task": task.task_path,
                        "worker_id": holder,
                    },
                )
    return requeued


def _is_alive_here(worker_id: str) -> bool | None:
    """Whether the `host:pid` worker lives; None if it is not of this host."""
    host, _, pid = worker_id.rpartition(":")
    if not host or not pid.isdigit() or host != socket.gethostname()[: len(host)]:
        return None
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # alive, under another user
        return True
    return True
