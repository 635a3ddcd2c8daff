"""Background tasks of the cases app (DESIGN rule 6): idempotent, safe to run at any time."""

from __future__ import annotations

from django_tasks import task

from . import services


@task()
def flag_intake_overdue_task() -> int:
    """The 5-day intake rule sweep; run daily (e.g. from cron: `tongban cases_sweep` or a scheduler)."""
    return services.case_flag_intake_overdue_sweep()


@task()
def render_document_task(document_id: int) -> str:
    """Render a notice's PDF after the transaction that issued it committed (idempotent)."""
    from .documents import document_render

    doc = document_render(document_id)
    return doc.sha256 if doc is not None else ""
