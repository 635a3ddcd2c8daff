"""The comprehensive window for supervisors and administrators: they may LOOK at the intake queue and
the issuance list (oversight), but every window page or POST that writes — registering an applicant,
收件, 受理/不予受理/补正, material scanning and checking, 即办, 出件, fees, visits — is for clerks (and
superusers): a 403 before anything is written, and no link to what they cannot complete."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from tongban.accounts.models import Applicant, User
from tongban.accounts.tests.factories import StaffFactory, make_id_number
from tongban.cases import services
from tongban.cases.choices import CaseStatus
from tongban.cases.models import Case, CaseMaterial
from tongban.common.choices import ApplicantKind
from tongban.organisations.choices import StaffRole

from .conftest import PDF
from .helpers import define_parallel, define_serial, register_at_window

pytestmark = pytest.mark.django_db


def url(name: str, *args) -> str:
    return reverse(f"work:{name}", args=args)


def new_applicant_post() -> dict:
    return {
        "kind": ApplicantKind.NATURAL,
        "name": "王监察测试",
        "id_number": make_id_number(777_001),
        "mobile": "13900000001",
    }


def counts() -> tuple[int, int]:
    return Applicant.objects.count(), User.objects.count()


def snapshot(case: Case) -> tuple:
    case.refresh_from_db()
    materials = tuple(CaseMaterial.objects.filter(case=case).order_by("id").values_list("status", "sha256"))
    return (case.status, case.version, case.events.count(), case.documents.count(), materials)


@pytest.fixture(params=[StaffRole.SUPERVISOR, StaffRole.ADMINISTRATOR])
def overseer(request, world):
    return StaffFactory.with_role(request.param, display_name="监察")


def test_overseer_cannot_open_or_post_the_intake_pages_and_nothing_is_registered(client, world, overseer):
    client.force_login(overseer)
    assert client.get(url("intake-new")).status_code == 403
    before = counts()
    response = client.post(url("intake-new"), new_applicant_post())
    assert response.status_code == 403
    assert counts() == before  # no Applicant (nor User) row
    assert not Applicant.objects.filter(name="王监察测试").exists()
    assert client.get(url("intake-item", world.applicant.pk)).status_code == 403
    form = url("intake-form", world.applicant.pk, world.serial_item.pk)
    assert client.get(form).status_code == 403
    cases = Case.objects.count()
    assert client.post(form, {"name": world.applicant.name}).status_code == 403
    assert Case.objects.count() == cases


def test_overseer_reads_the_window_lists_without_the_intake_links(client, world, overseer):
    define_serial(world)
    case = register_at_window(world)
    client.force_login(overseer)
    queue = client.get(url("intake"))
    assert queue.status_code == 200
    body = queue.content.decode()
    assert case.number in body  # oversight: they see what waits
    assert url("intake-new") not in body
    assert client.get(url("issuance")).status_code == 200
    dashboard = client.get(url("dashboard")).content.decode()
    assert f'href="{url("intake")}"' in dashboard and 'id="count-intake">1<' in dashboard
    assert url("intake-new") not in dashboard and "窗口收件（新办件）" not in dashboard
    # the case page offers no window form either
    page = client.get(url("case", case.pk)).content.decode()
    assert 'id="intake-decision"' not in page and "/upload/" not in page


def test_overseer_posts_to_window_actions_are_refused_and_change_nothing(client, world, overseer):
    define_serial(world)
    case = register_at_window(world)
    material = CaseMaterial.objects.filter(case=case).order_by("id").first()
    client.force_login(overseer)
    posts = [
        (url("case-accept", case.pk), {"expected_version": case.version}),
        (url("case-refuse", case.pk), {"expected_version": case.version, "reason": "监察不应办理"}),
        (
            url("case-correction", case.pk),
            {"expected_version": case.version, "material": [material.pk], f"reason_{material.pk}": "缺章"},
        ),
        (url("case-resubmit", case.pk), {"expected_version": case.version}),
        (url("case-immediate", case.pk), {"expected_version": case.version, "decision": "approve"}),
        (url("case-issue", case.pk), {"expected_version": case.version, "method": "pickup"}),
        (url("case-fee", case.pk), {"expected_version": case.version, "amount": "10", "receipt_number": "R"}),
        (url("material-check", case.pk, material.pk), {"ok": "1"}),
    ]
    before = snapshot(case)
    for target, data in posts:
        assert client.post(target, data).status_code == 403, target
    upload = client.post(
        url("material-upload", case.pk, material.pk), {"file": SimpleUploadedFile("x.pdf", PDF + b"1")}
    )
    assert upload.status_code == 403
    assert snapshot(case) == before


def test_clerk_sees_and_uses_window_intake(client, world):
    client.force_login(world.clerk)
    body = client.get(url("intake")).content.decode()
    assert f'href="{url("intake-new")}"' in body
    assert "窗口收件（新办件）" in client.get(url("dashboard")).content.decode()
    assert client.get(url("intake-new")).status_code == 200
    before = Applicant.objects.count()
    response = client.post(url("intake-new"), new_applicant_post())
    applicant = Applicant.objects.get(name="王监察测试")
    assert response.status_code == 302 and response["Location"] == url("intake-item", applicant.pk)
    assert Applicant.objects.count() == before + 1
    assert client.get(url("intake-item", applicant.pk)).status_code == 200


def test_superuser_still_counts_as_a_clerk(client, world):
    root = User.objects.create_superuser("root", password="Tongban@2026")
    client.force_login(root)
    assert client.get(url("intake-new")).status_code == 200
    assert url("intake-new") in client.get(url("intake")).content.decode()


def test_department_staff_still_ask_for_correction_in_review(client, world):
    define_parallel(world)
    case = services.case_accept(actor=world.clerk, case_id=register_at_window(world, world.parallel_item).pk)
    assert case.status == CaseStatus.IN_REVIEW
    material = case.materials.order_by("id").first()
    client.force_login(world.approvers["住建"])
    response = client.post(
        url("case-correction", case.pk),
        {"expected_version": case.version, "material": [material.pk], f"reason_{material.pk}": "图纸缺页"},
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == CaseStatus.SUPPLEMENTING
