"""The applicant's pages: online application, drafts, uploads, submission, 我的办件, corrections."""

from __future__ import annotations

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from tongban.cases import services
from tongban.cases.choices import CaseStatus, MaterialStatus
from tongban.cases.models import Case, CaseEvent, CaseMaterial
from tongban.catalogue.choices import MaterialSource
from tongban.catalogue.tests.factories import MaterialRequirementFactory, ServiceItemFactory

from .conftest import PDF, PNG
from .helpers import define_serial, submit_online

pytestmark = pytest.mark.django_db


def post_form(applicant, **extra) -> dict:
    data = {
        "f_name": applicant.name,
        "f_identity_number": applicant.id_number,
        "f_mobile": applicant.mobile,
        "f_reason": "新开业申请",
        "submit_key": "key-1",
    }
    data.update(extra)
    return data


@pytest.fixture
def logged_in(client, world):
    client.force_login(world.applicant.user)
    return client


def start_draft(client, world, **extra) -> Case:
    url = reverse("cases:apply", kwargs={"code": world.serial_item.code})
    response = client.post(url, post_form(world.applicant, action="save", **extra))
    assert response.status_code == 302, response.content.decode()[:2000]
    return Case.objects.get(status=CaseStatus.DRAFT, submitted_by=world.applicant.user)


def upload(client, case, material, content=PDF, name="a.pdf", htmx=False):
    url = reverse("cases:material-upload", kwargs={"case_id": case.pk, "material_id": material.pk})
    headers = {"HTTP_HX_REQUEST": "true"} if htmx else {}
    return client.post(url, {"file": SimpleUploadedFile(name, content)}, **headers)


def test_anonymous_is_sent_to_login(client, world):
    url = reverse("cases:apply", kwargs={"code": world.serial_item.code})
    response = client.get(url)
    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]
    assert client.get(reverse("cases:my-cases")).status_code == 302


def test_apply_form_is_prefilled_from_profile(logged_in, world):
    response = logged_in.get(reverse("cases:apply", kwargs={"code": world.serial_item.code}))
    html = response.content.decode()
    assert response.status_code == 200
    assert f'value="{world.applicant.id_number}"' in html
    assert f'value="{world.applicant.name}"' in html
    assert 'name="submit_key"' in html
    assert "PDF" in html and "20 MB" in html  # allowed types and size are shown


def test_shared_material_shows_as_not_needed(logged_in, world):
    MaterialRequirementFactory(
        item=world.serial_item, position=3, name="户口簿", source=MaterialSource.SHARED
    )
    html = logged_in.get(reverse("cases:apply", kwargs={"code": world.serial_item.code})).content.decode()
    assert "户口簿" in html and 'data-shared="1"' in html
    case = start_draft(logged_in, world)
    assert CaseMaterial.objects.get(case=case, name="户口簿").status == MaterialStatus.NOT_NEEDED
    html = logged_in.get(reverse("cases:draft", kwargs={"case_id": case.pk})).content.decode()
    assert "免提交" in html


def test_submit_with_errors_shows_field_errors_and_files_nothing(logged_in, world):
    define_serial(world)
    case = start_draft(logged_in, world)
    for m in case.materials.all():
        assert upload(logged_in, case, m).status_code == 303
    url = reverse("cases:draft", kwargs={"case_id": case.pk})
    response = logged_in.post(
        url, post_form(world.applicant, f_identity_number="123", f_mobile="", action="submit")
    )
    html = response.content.decode()
    assert response.status_code == 400
    assert 'data-field-error="identity_number"' in html
    assert "请填写“联系电话”" in html
    case.refresh_from_db()
    assert case.status == CaseStatus.DRAFT and case.number is None
    assert case.form_data["identity_number"] == "123"  # kept as typed in the draft


def test_draft_resume_upload_and_double_submit_files_one_case(logged_in, world):
    define_serial(world)
    case = start_draft(logged_in, world, f_reason="")
    draft_url = reverse("cases:draft", kwargs={"case_id": case.pk})
    # resume later: the saved values come back
    html = logged_in.get(draft_url).content.decode()
    assert f'value="{world.applicant.mobile}"' in html
    key = re.search(r'name="submit_key" value="([^"]+)"', html).group(1)
    # missing material blocks submission, with the material named
    response = logged_in.post(draft_url, post_form(world.applicant, action="submit", submit_key=key))
    assert response.status_code == 400
    assert 'data-field-error="materials"' in response.content.decode()
    for m in case.materials.all():
        row = upload(logged_in, case, m, htmx=True)
        # uploaded, not yet submitted (issue 12 point 8): the draft is not filed until 提交申请
        assert row.status_code == 200 and "已上传，待提交" in row.content.decode()
        assert "已提交" not in row.content.decode() and "SHA-256" not in row.content.decode()
    first = logged_in.post(draft_url, post_form(world.applicant, action="submit", submit_key=key))
    second = logged_in.post(draft_url, post_form(world.applicant, action="submit", submit_key=key))
    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"]
    assert Case.objects.exclude(status=CaseStatus.DRAFT).count() == 1
    case.refresh_from_db()
    assert case.status == CaseStatus.SUBMITTED
    assert CaseEvent.objects.filter(case=case, kind="submitted").count() == 1
    page = logged_in.get(first["Location"]).content.decode()
    assert case.number in page and case.query_code in page and "submitted-banner" in page


def test_upload_checks_type_by_content_and_size(logged_in, world, settings):
    case = start_draft(logged_in, world)
    material = case.materials.first()
    settings.UPLOAD_ALLOWED_TYPES = ["pdf"]
    row = upload(logged_in, case, material, content=PNG, name="scan.pdf", htmx=True).content.decode()
    assert "实际为 PNG 图片" in row and "不在允许的类型内" in row
    material.refresh_from_db()
    assert material.status == MaterialStatus.MISSING and not material.file
    settings.UPLOAD_MAX_BYTES = 100
    response = upload(logged_in, case, material, content=PDF + b"0" * 200)
    assert response.status_code == 302
    material.refresh_from_db()
    assert material.status == MaterialStatus.MISSING
    assert not CaseEvent.objects.filter(case=case, kind="material_uploaded").exists()
    page = logged_in.get(reverse("cases:draft", kwargs={"case_id": case.pk})).content.decode()
    assert "文件过大" in page


def test_item_without_uploads_submits_from_the_apply_page(logged_in, world):
    item = ServiceItemFactory(
        name="无材料事项", department=world.housing, promised_limit=5, statutory_limit=10
    )
    url = reverse("cases:apply", kwargs={"code": item.code})
    data = post_form(world.applicant, action="submit", submit_key="one-go")
    first, second = logged_in.post(url, data), logged_in.post(url, data)
    assert first["Location"] == second["Location"]
    assert Case.objects.filter(item=item).count() == 1
    assert Case.objects.get(item=item).status == CaseStatus.SUBMITTED


def test_agent_files_for_another_applicant(client, world):
    client.force_login(world.other_applicant.user)
    url = reverse("cases:apply", kwargs={"code": world.serial_item.code})
    data = post_form(
        world.applicant,
        action="save",
        as_agent="1",
        for_identity=world.applicant.id_number,
        agent_name="李四",
        agent_id_number=world.other_applicant.id_number,
        agent_mobile="13912345678",
    )
    response = client.post(url, data)
    assert response.status_code == 302
    case = Case.objects.get()
    assert (case.applicant, case.submitted_by, case.agent_name) == (
        world.applicant,
        world.other_applicant.user,
        "李四",
    )
    # an unknown identity is a field error, nothing created
    data["for_identity"] = "440106199001010000"
    response = client.post(url, data)
    assert response.status_code == 400 and Case.objects.count() == 1


def test_my_cases_are_scoped(client, world):
    define_serial(world)
    mine = submit_online(world, key="mine")
    theirs = submit_online(world, key="theirs", applicant=world.other_applicant)
    client.force_login(world.applicant.user)
    html = client.get(reverse("cases:my-cases")).content.decode()
    assert mine.number in html and theirs.number not in html
    assert client.get(reverse("cases:case-detail", kwargs={"number": mine.number})).status_code == 200
    for name, kwargs in [
        ("cases:case-detail", {"number": theirs.number}),
        ("cases:resubmit", {"number": theirs.number}),
    ]:
        response = client.get(reverse(name, kwargs=kwargs))
        assert response.status_code == 404 and theirs.query_code not in response.content.decode()
    doc_url = reverse("cases:document-download", kwargs={"number": theirs.number, "document_id": 1})
    assert client.get(doc_url).status_code == 404
    m = theirs.materials.first()
    assert upload(client, theirs, m).status_code == 404
    version = Case.objects.get(pk=theirs.pk).version
    response = client.post(reverse("cases:withdraw", kwargs={"number": theirs.number}))
    assert response.status_code == 404
    assert Case.objects.get(pk=theirs.pk).version == version


def test_resubmit_after_correction_and_document_download(logged_in, world):
    define_serial(world)
    case = submit_online(world)
    material = case.materials.order_by("id").first()
    services.case_request_correction(
        actor=world.clerk, case_id=case.pk, items=[{"material_id": material.pk, "reason": "未盖公章"}]
    )
    html = logged_in.get(reverse("cases:my-cases")).content.decode()
    assert "补正材料" in html
    detail = logged_in.get(reverse("cases:case-detail", kwargs={"number": case.number})).content.decode()
    assert "未盖公章" in detail and "补正告知书" in detail
    doc = case.documents.get(kind="correction")
    response = logged_in.get(
        reverse("cases:document-download", kwargs={"number": case.number, "document_id": doc.pk})
    )
    assert response.status_code == 200 and response.content.startswith(b"%PDF")

    resubmit_url = reverse("cases:resubmit", kwargs={"number": case.number})
    page = logged_in.get(resubmit_url).content.decode()
    assert "未盖公章" in page
    case.refresh_from_db()
    # resubmitting before uploading is refused and nothing changes
    response = logged_in.post(resubmit_url, {"expected_version": case.version})
    assert response.status_code == 400 and "仍需补正" in response.content.decode()
    assert Case.objects.get(pk=case.pk).status == CaseStatus.CORRECTION
    assert upload(logged_in, case, material).status_code == 303
    response = logged_in.post(resubmit_url, {"expected_version": case.version})
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == CaseStatus.SUBMITTED


def test_stale_version_on_withdraw_is_a_conflict(logged_in, world):
    define_serial(world)
    case = submit_online(world)
    url = reverse("cases:withdraw", kwargs={"number": case.number})
    response = logged_in.post(url, {"expected_version": case.version - 1}, follow=True)
    assert "已被他人处理" in response.content.decode()
    assert Case.objects.get(pk=case.pk).status == CaseStatus.SUBMITTED
    logged_in.post(url, {"expected_version": case.version, "reason": "不办了"})
    assert Case.objects.get(pk=case.pk).status == CaseStatus.WITHDRAWN
