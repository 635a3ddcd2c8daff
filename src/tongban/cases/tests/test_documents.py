"""Notices are fixed in the issuing transaction and rendered after commit (or on first download)."""

from __future__ import annotations

import hashlib

import pytest
from django.db import transaction

from tongban.cases import services
from tongban.cases.choices import DocumentKind
from tongban.cases.documents import document_pdf, document_render
from tongban.cases.models import CaseDocument
from tongban.common.pdf import Notice

from .helpers import define_serial, submit_online

pytestmark = pytest.mark.django_db


def _accept(world):
    define_serial(world)
    case = submit_online(world)
    return services.case_accept(actor=world.clerk, case_id=case.pk, expected_version=case.version)


def test_acceptance_notice_is_rendered_by_a_task_after_commit(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        case = _accept(world)
    doc = CaseDocument.objects.get(case=case, kind=DocumentKind.ACCEPTANCE)
    assert (doc.rendered_at, doc.sha256, doc.size, bool(doc.file)) == (None, "", 0, False)
    for callback in callbacks:  # commit: notifications and the render task (immediate backend in tests)
        callback()
    doc.refresh_from_db()
    pdf = doc.file.read()
    assert pdf.startswith(b"%PDF") and doc.size == len(pdf)
    assert doc.sha256 == hashlib.sha256(pdf).hexdigest()
    assert doc.rendered_at is not None


def test_rendering_twice_keeps_the_first_file(world):
    case = _accept(world)
    doc = CaseDocument.objects.get(case=case, kind=DocumentKind.ACCEPTANCE)
    first = document_render(doc.pk)
    second = document_render(doc.pk)
    assert (second.file.name, second.sha256, second.rendered_at) == (
        first.file.name,
        first.sha256,
        first.rendered_at,
    )


def test_a_rolled_back_issue_leaves_no_document_and_renders_nothing(
    world, django_capture_on_commit_callbacks
):
    define_serial(world)
    case = submit_online(world)

    class Abort(Exception):
        pass

    with (
        django_capture_on_commit_callbacks(execute=False) as callbacks,
        pytest.raises(Abort),
        transaction.atomic(),
    ):
        services.case_accept(actor=world.clerk, case_id=case.pk, expected_version=case.version)
        raise Abort
    assert not CaseDocument.objects.filter(case=case).exists()
    assert callbacks == []


def test_the_stored_content_is_what_is_printed(world):
    """The notice printed later is the one decided at acceptance, whatever changed since."""
    case = _accept(world)
    doc = CaseDocument.objects.get(case=case, kind=DocumentKind.ACCEPTANCE)
    notice = Notice.from_data(doc.content)
    assert notice.number == doc.number and notice.recipient == case.applicant.name
    assert Notice.from_data(notice.to_data()) == notice
    case.item.name = "改名后的事项"
    case.item.save(update_fields=["name"])
    assert document_pdf(doc).startswith(b"%PDF")
    doc.refresh_from_db()
    assert Notice.from_data(doc.content) == notice


def test_staff_download_renders_a_document_not_rendered_yet(world, client):
    case = _accept(world)
    doc = CaseDocument.objects.get(case=case, kind=DocumentKind.ACCEPTANCE)
    assert doc.rendered_at is None
    client.force_login(world.clerk)
    response = client.get(f"/work/cases/{case.pk}/documents/{doc.pk}/")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    doc.refresh_from_db()
    assert doc.sha256 == hashlib.sha256(response.content).hexdigest()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_rendering_a_notice_does_not_hold_the_case(world, monkeypatch):
    """The worker renders with the document row locked, never the case's: a clerk or approver acting
    on the case meanwhile is not kept waiting for the PDF."""
    from django.db import connection

    from tongban.cases import documents
    from tongban.cases.models import Case

    from .helpers import paused_inside, row_is_free

    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL row locks")
    case = _accept(world)
    doc = CaseDocument.objects.get(case=case, kind=DocumentKind.ACCEPTANCE)
    CaseDocument.objects.filter(pk=doc.pk).update(rendered_at=None, file="", sha256="", size=0)
    with paused_inside(monkeypatch, documents, "render_notice", lambda: document_render(doc.pk)):
        assert row_is_free(Case, case.pk), "the case row was locked while its notice rendered"
    doc.refresh_from_db()
    assert doc.rendered_at is not None and doc.size > 0


def test_a_rolled_back_acceptance_leaves_no_task(world, settings):
    """With the database queue, the notice's render task and the applicant's send task are written in
    the acceptance's transaction, and live and die with it."""
    from django_tasks_db.models import DBTaskResult

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    define_serial(world)
    case = submit_online(world)
    before = DBTaskResult.objects.count()
    with pytest.raises(RuntimeError), transaction.atomic():
        services.case_accept(actor=world.clerk, case_id=case.pk)
        paths = set(DBTaskResult.objects.values_list("task_path", flat=True))
        assert {
            "tongban.cases.tasks.render_document_task",
            "tongban.notifications.tasks.send_messages_task",
        } <= paths
        raise RuntimeError("the request fails after the service returned")
    assert DBTaskResult.objects.count() == before
    assert not CaseDocument.objects.filter(case=case).exists()
