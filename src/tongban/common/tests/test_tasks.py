"""`enqueue_with_transaction`: with the database queue the task row is part of the caller's
transaction (it commits or rolls back with the data); with any other backend it waits for commit."""

from __future__ import annotations

import pytest
from django.db import transaction
from django.test import override_settings
from django_tasks import task
from django_tasks_db.models import DBTaskResult

from tongban.common.tasks import enqueue_with_transaction

pytestmark = pytest.mark.django_db

DATABASE_QUEUE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
RENDER = "tongban.common.tests.test_tasks.render_document_task"


@task()
def render_document_task(document_id: int) -> str:
    """A task of the tests' own: the kernel's tests import no app (the real one is cases.tasks')."""
    return str(document_id)


def rows() -> list[tuple[str, dict]]:
    return [(r.task_path, r.args_kwargs) for r in DBTaskResult.objects.order_by("enqueued_at")]


@override_settings(TASKS=DATABASE_QUEUE)
def test_database_queue_row_is_written_in_the_transaction_and_rolls_back_with_it(
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks, transaction.atomic():
        enqueue_with_transaction(render_document_task, 41)
        assert rows() == [(RENDER, {"args": [41], "kwargs": {}})]  # already there, before commit
        with pytest.raises(RuntimeError), transaction.atomic():
            enqueue_with_transaction(render_document_task, 42)
            raise RuntimeError("the change fails")
    assert rows() == [(RENDER, {"args": [41], "kwargs": {}})]
    assert callbacks == []  # nothing left to do after commit


def test_other_backends_are_enqueued_after_commit(django_capture_on_commit_callbacks, monkeypatch):
    ran = []
    monkeypatch.setattr(render_document_task.get_backend(), "enqueue", lambda task, a, kw: ran.append(a))
    with django_capture_on_commit_callbacks(execute=False) as callbacks, transaction.atomic():
        enqueue_with_transaction(render_document_task, 43)
        assert ran == []
    assert len(callbacks) == 1 and rows() == []
    callbacks[0]()
    assert ran == [(43,)]
