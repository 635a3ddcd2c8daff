"""Background tasks (DESIGN rule 6): they take ids, are idempotent, and are enqueued on commit."""

from __future__ import annotations

from django_tasks import task

from . import services


@task()
def send_message_task(message_id: int) -> str:
    """One delivery attempt; a failure schedules the next one (deferred task or `notify_retry`)."""
    return services.message_send(message_id=message_id)


@task()
def send_messages_task(message_ids: list[int]) -> list[str]:
    """One delivery attempt for each message of one event (e.g. its SMS and its e-mail); each message
    keeps its own status, attempts and retries, so one failing channel does not hold up the other."""
    return [services.message_send(message_id=pk) for pk in message_ids]


@task()
def retry_due_messages_task(limit: int = 500) -> int:
    """Resend every due failed message; for deployments that enqueue it from a scheduler."""
    return len(services.messages_retry_due(limit=limit))
