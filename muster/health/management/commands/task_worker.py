"""`manage.py task_worker`: django-tasks' db_worker, after requeuing orphans.

Use this instead of `db_worker`: it names itself `host:pid`, so a later worker
can tell that it died, and first puts back the tasks a dead worker held
(muster/health/orphans.py). It then runs exactly as db_worker does.
"""

from __future__ import annotations

from django_tasks_db.management.commands.db_worker import Command as DbWorker

from muster.health.orphans import requeue_orphans, this_worker_id


class Command(DbWorker):
    help = "Run the task worker, first putting back tasks a dead worker held"

    def add_arguments(self, parser) -> None:
        super().add_arguments(parser)
        parser.set_defaults(worker_id=this_worker_id())

    def handle(self, *args, **options) -> None:
        requeued = requeue_orphans()
        if requeued and options["verbosity"]:
            self.stdout.write(f"Put back {len(requeued)} task(s) a dead worker held.")
        super().handle(*args, **options)
