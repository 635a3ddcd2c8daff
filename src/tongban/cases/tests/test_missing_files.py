"""A stored file that has gone (media deleted, MEDIA_ROOT moved): a material's download is a 404 that
says so, for the applicant and for staff, with a warning in the log; a notice is rendered again from
its stored content."""

from __future__ import annotations

import logging

import pytest
from django.urls import reverse

from tongban.cases import services
from tongban.cases.choices import DocumentKind
from tongban.cases.documents import document_render
from tongban.cases.models import CaseDocument, CaseMaterial

from .conftest import PDF
from .helpers import define_serial, register_at_window, submit_online

pytestmark = pytest.mark.django_db


def _delete_stored(field_file) -> None:
    field_file.storage.delete(field_file.name)
    assert not field_file.storage.exists(field_file.name)


def test_applicant_download_of_a_vanished_material_is_a_404_with_the_message(client, world, caplog):
    define_serial(world)
    case = submit_online(world)
    material = CaseMaterial.objects.filter(case=case).exclude(file="").order_by("id").first()
    download = reverse("cases:material-download", kwargs={"case_id": case.pk, "material_id": material.pk})
    client.force_login(world.applicant.user)
    ok = client.get(download)
    assert ok.status_code == 200 and b"".join(ok.streaming_content) == PDF

    _delete_stored(material.file)
    with caplog.at_level(logging.WARNING, logger="tongban.cases.documents"):
        response = client.get(download)
    assert response.status_code == 404
    assert "材料文件不存在，请联系窗口重新上传。" in response.content.decode()
    warning = " ".join(r.getMessage() for r in caplog.records if r.levelno == logging.WARNING)
    assert case.number in warning and f"material {material.pk}" in warning


def test_staff_download_of_a_vanished_material_is_a_404_with_the_message(client, world, caplog):
    define_serial(world)
    case = register_at_window(world)
    material = CaseMaterial.objects.filter(case=case).exclude(file="").order_by("id").first()
    download = reverse("work:material-download", args=[case.pk, material.pk])
    client.force_login(world.clerk)
    assert client.get(download).status_code == 200

    _delete_stored(material.file)
    with caplog.at_level(logging.WARNING, logger="tongban.cases.documents"):
        response = client.get(download)
    assert response.status_code == 404
    body = response.content.decode()
    assert "材料文件不存在，请联系窗口重新上传。" in body and 'id="error-message"' in body
    warning = " ".join(r.getMessage() for r in caplog.records if r.levelno == logging.WARNING)
    assert case.number in warning and f"material {material.pk}" in warning
    # the case page still opens
    assert client.get(reverse("work:case", args=[case.pk])).status_code == 200


def test_a_notice_whose_pdf_vanished_is_rendered_again_from_its_content(client, world, caplog):
    define_serial(world)
    case = register_at_window(world)
    services.case_accept(actor=world.clerk, case_id=case.pk)
    doc = CaseDocument.objects.get(case=case, kind=DocumentKind.ACCEPTANCE)
    doc = document_render(doc.pk)
    assert doc.rendered_at is not None and doc.file
    stored_hash = doc.sha256
    _delete_stored(doc.file)

    client.force_login(world.clerk)
    with caplog.at_level(logging.WARNING, logger="tongban.cases.documents"):
        staff = client.get(reverse("work:document-download", args=[case.pk, doc.pk]))
    assert staff.status_code == 200 and staff.content.startswith(b"%PDF")
    assert any(f"document {doc.pk}" in r.getMessage() for r in caplog.records)

    client.force_login(world.applicant.user)
    mine = client.get(
        reverse("cases:document-download", kwargs={"number": case.number, "document_id": doc.pk})
    )
    assert mine.status_code == 200 and mine.content.startswith(b"%PDF")
    doc.refresh_from_db()
    assert doc.sha256 == stored_hash  # the record of what was issued is left as it was
