"""Reports read from a read replica, when one is configured.

With `DATABASE_REPLICA_URL` set, settings add a `replica` database and this
router. A view marked `@reads_from_replica` (the compliance and state exports)
runs its queries there; everything else, every write, and the audit trail (its
chain is read under a lock on the primary before each new entry) stay on the
primary. Pages are not routed there wholesale because a replica lags: a
coordinator who has just saved a record must see it on the next page.
"""

from __future__ import annotations

from contextvars import ContextVar
from functools import wraps

from django.db import connections

REPLICA = "replica"
# Apps whose reads must see the latest write: the audit chain, sign-in, the queue.
PRIMARY_ONLY = {"audit", "sessions", "auth", "accounts", "django_tasks_db"}
_reporting: ContextVar[bool] = ContextVar("muster_reporting", default=False)


def reads_from_replica(view):
    """Run the view's reads on the replica (if any), its writes on the primary."""

    @wraps(view)
    def wrapper(*args, **kwargs):
        token = _reporting.set(True)
        try:
            return view(*args, **kwargs)
        finally:
            _reporting.reset(token)

    return wrapper


class ReplicaRouter:
    def db_for_read(self, model, **hints):
        if not _reporting.get() or REPLICA not in connections.databases:
            return None
        if model._meta.app_label in PRIMARY_ONLY:
            return "default"
        return REPLICA

    def db_for_write(self, model, **hints):
        return "default"

    def allow_relation(self, obj1, obj2, **hints):
        # Both aliases hold the same data: rows read from either relate.
        return True

    def allow_migrate(self, db, app_label, **hints):
        return db == "default"
