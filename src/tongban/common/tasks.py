"""Enqueue a background task that must run only if the caller's transaction commits.

With the database task backend (django-tasks-db, the default here) writing to the same database, the
task row is written inside the caller's transaction: a transactional outbox. The task exists exactly
when the data it is about does — a rollback removes both, a crash just after commit loses nothing —
and it costs no commit of its own (enqueuing after commit took one more transaction per task, two
per acceptance). Any other backend (a broker, or the immediate backend of the tests) cannot take part
in the transaction, so the task is enqueued after commit, and a failure to enqueue is logged instead
of being raised at someone whose change is already committed.
"""

from __future__ import annotations

from functools import partial
from typing import Any

from django.db import DEFAULT_DB_ALIAS, router, transaction


def _in_transaction_outbox(task) -> bool:
    """Does `task`'s backend store tasks as rows of the database our transactions write to?"""
    try:
        from django_tasks_db.backend import DatabaseBackend
        from django_tasks_db.models import DBTaskResult
    except ImportError:  # pragma: no cover - the package is a dependency; kept for a leaner install
        return False
    backend = task.get_backend()
    return isinstance(backend, DatabaseBackend) and router.db_for_write(DBTaskResult) == DEFAULT_DB_ALIAS


def enqueue_with_transaction(task, *args: Any, **kwargs: Any) -> None:
    """Enqueue `task(*args, **kwargs)` so that it runs if, and only if, the current transaction commits
    (at once when there is no transaction)."""
    if _in_transaction_outbox(task):
        task.enqueue(*args, **kwargs)
    else:
        transaction.on_commit(partial(task.enqueue, *args, **kwargs), robust=True)
