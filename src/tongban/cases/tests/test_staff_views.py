"""The staff pages (/work/): each page for the right role, denials that change nothing, every action
through its view exactly once, conflicts as 409, scoped downloads."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from tongban.cases.choices import (
    CaseEventKind,
    CaseStatus,
    DocumentKind,
    MaterialStatus,
    StepKind,
    StepStatus,
)
from tongban.cases.models import Case, CaseDocument, CaseEvent, CaseMaterial, Step
from tongban.cases.services._base import CONFLICT_MESSAGE

from .conftest import PDF
from .helpers import define_parallel, define_serial, register_at_window, submit_online

pytestmark = pytest.mark.django_db

CST = dt.timezone(dt.timedelta(hours=8))


def url(name: str, *args) -> str:
    return reverse(f"work:{name}", args=args)


def as_user(client, user):
    client.force_login(user)
    return client


def snapshot(case: Case) -> tuple:
    case.refresh_from_db()
    return (case.status, case.version, case.events.count(), case.steps.count(), case.documents.count())


def accepted_parallel(world) -> Case:
    define_parallel(world)
    case = register_at_window(world, world.parallel_item)
    from tongban.cases import services

    return services.case_accept(actor=world.clerk, case_id=case.pk)


# ---- pages and who may open them ------------------------------------------------------------------


def test_anonymous_goes_to_login_and_applicant_is_refused(client, world):
    response = client.get(url("dashboard"))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    as_user(client, world.applicant.user)
    for name in ("dashboard", "intake", "intake-new", "issuance", "tasks"):
        assert client.get(url(name)).status_code == 403, name


def test_dashboard_links_follow_roles(client, world):
    submit_online(world)
    body = as_user(client, world.clerk).get(url("dashboard")).content.decode()
    assert url("intake") in body and 'id="count-intake">1<' in body
    assert 'id="count-todo"' not in body
    body = as_user(client, world.approvers["住建"]).get(url("dashboard")).content.decode()
    assert 'id="count-todo">0<' in body and 'id="count-intake"' not in body
    assert f'href="{url("intake")}" accesskey="q"' not in body  # the menu offers only what the role may open
    assert f'href="{url("tasks")}" accesskey="t"' in body


def test_intake_queue_for_clerks_only_and_the_five_day_flag(client, world, clock):
    online = submit_online(world)
    response = as_user(client, world.clerk).get(url("intake"))
    assert response.status_code == 200
    body = response.content.decode()
    assert online.number in body and "网上预审" in body and "intake-late" not in body
    assert as_user(client, world.approvers["住建"]).get(url("intake")).status_code == 403

    clock.move_to(dt.datetime(2026, 3, 12, 10, tzinfo=CST))  # intake due 9 March has passed
    body = as_user(client, world.other_clerk).get(url("intake")).content.decode()
    assert online.number in body and "超过5个工作日" in body


def test_tasks_tabs_and_scoping(client, world):
    case = accepted_parallel(world)
    response = as_user(client, world.approvers["规划"]).get(url("tasks"))
    assert response.status_code == 200
    body = response.content.decode()
    assert case.number in body and 'data-clock="running"' in body and "剩余 8 个工作日" in body
    assert 'aria-current="page"' in body
    assert (
        case.number
        not in as_user(client, world.approvers["规划"]).get(url("tasks") + "?tab=done").content.decode()
    )
    assert as_user(client, world.clerk).get(url("tasks")).status_code == 403
    # sorting by due date both ways keeps every row
    desc = as_user(client, world.approvers["住建"]).get(url("tasks") + "?sort=-due").content.decode()
    assert case.number in desc and "descending" in desc


def test_case_page_visible_to_its_staff_only(client, world):
    define_serial(world)
    case = register_at_window(world)
    page = url("case", case.pk)
    body = as_user(client, world.clerk).get(page).content.decode()
    assert world.applicant.id_number in body  # full identity for staff
    assert 'id="intake-decision"' in body and f'name="expected_version" value="{case.version}"' in body
    assert as_user(client, world.other_clerk).get(page).status_code == 404  # another hall's window case
    assert as_user(client, world.approvers["规划"]).get(page).status_code == 404  # another department
    assert as_user(client, world.applicant.user).get(page).status_code == 403
    # the item's own department sees it, without the window's forms
    body = as_user(client, world.approvers["住建"]).get(page).content.decode()
    assert 'id="intake-decision"' not in body


# ---- window actions -----------------------------------------------------------------------------


def test_window_intake_pages_register_once(client, world):
    as_user(client, world.clerk)
    response = client.post(
        url("intake-new"), {"kind": "natural", "name": "王五", "id_number": "bad", "mobile": ""}
    )
    assert response.status_code == 400
    assert "身份证" in response.content.decode()
    from tongban.accounts.tests.factories import make_id_number

    number = make_id_number(4242)
    response = client.post(
        url("intake-new"), {"kind": "natural", "name": "王五", "id_number": number, "mobile": "13800138000"}
    )
    assert response.status_code == 302
    applicant_id = int(response["Location"].rstrip("/").split("/")[-1])

    results = client.get(url("intake-item", applicant_id) + "?q=卫生许可", HTTP_HX_REQUEST="true")
    assert results.status_code == 200 and "公共场所卫生许可" in results.content.decode()
    assert "<html" not in results.content.decode()  # the htmx answer is the list only

    form_url = url("intake-form", applicant_id, world.serial_item.pk)
    page = client.get(form_url).content.decode()
    assert number in page and "autofocus" in page  # prefilled from the applicant's record
    data = {"idempotency_key": "window-1", "name": "王五", "identity_number": number, "mobile": "13800138000"}
    response = client.post(form_url, data)
    assert response.status_code == 400
    assert "请填写“申请事由”。" in response.content.decode()
    assert Case.objects.count() == 0
    data["reason"] = "开业"
    first = client.post(form_url, data)
    second = client.post(form_url, data)  # a double click
    assert first.status_code == second.status_code == 302
    case = Case.objects.get()
    assert first["Location"] == url("case", case.pk) + "#materials"
    assert (case.status, case.visit_count, case.intake_hall_id) == (CaseStatus.SUBMITTED, 1, world.hall.pk)


def test_material_upload_check_and_scoped_download(client, world):
    define_serial(world)
    case = register_at_window(world, upload=False)
    material = CaseMaterial.objects.filter(case=case).order_by("id").first()
    as_user(client, world.clerk)
    bad = client.post(
        url("material-upload", case.pk, material.pk), {"file": SimpleUploadedFile("x.exe", b"MZ\x90\x00")}
    )
    assert bad.status_code == 400 and "file_" in bad.content.decode()
    material.refresh_from_db()
    assert material.status == MaterialStatus.MISSING
    ok = client.post(
        url("material-upload", case.pk, material.pk), {"file": SimpleUploadedFile("申请书.pdf", PDF)}
    )
    assert ok.status_code == 302
    material.refresh_from_db()
    assert material.status == MaterialStatus.SUBMITTED

    response = client.post(url("material-check", case.pk, material.pk), {"ok": "0", "note": ""})
    assert response.status_code == 400 and "请填写需补正的原因。" in response.content.decode()
    assert client.post(url("material-check", case.pk, material.pk), {"ok": "1"}).status_code == 302
    material.refresh_from_db()
    assert material.status == MaterialStatus.ACCEPTED

    download = client.get(url("material-download", case.pk, material.pk))
    assert download.status_code == 200
    assert download["Content-Disposition"].startswith("attachment")
    assert b"".join(download.streaming_content) == PDF
    assert (
        as_user(client, world.other_clerk).get(url("material-download", case.pk, material.pk)).status_code
        == 404
    )
    assert (
        as_user(client, world.approvers["规划"])
        .get(url("material-download", case.pk, material.pk))
        .status_code
        == 404
    )
    assert (
        as_user(client, world.applicant.user).get(url("material-download", case.pk, material.pk)).status_code
        == 403
    )
    # another hall's clerk cannot upload either: nothing changes
    before = material.sha256
    response = as_user(client, world.other_clerk).post(
        url("material-upload", case.pk, material.pk), {"file": SimpleUploadedFile("b.pdf", PDF + b"x")}
    )
    assert response.status_code == 404
    material.refresh_from_db()
    assert material.sha256 == before


def test_accept_once_offers_the_notice_and_a_stale_form_conflicts(client, world):
    define_serial(world)
    case = register_at_window(world)
    stale = case.version
    as_user(client, world.clerk)
    response = client.post(url("case-accept", case.pk), {"expected_version": stale})
    assert response.status_code == 302
    doc = CaseDocument.objects.get(case=case, kind=DocumentKind.ACCEPTANCE)
    assert response["Location"] == url("case", case.pk) + f"?doc={doc.pk}"
    page = client.get(response["Location"]).content.decode()
    assert 'id="new-document"' in page and url("document-download", case.pk, doc.pk) in page
    pdf = client.get(url("document-download", case.pk, doc.pk))
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    assert "attachment" in pdf["Content-Disposition"]

    before = snapshot(case)
    again = client.post(url("case-refuse", case.pk), {"expected_version": stale, "reason": "迟到的操作"})
    assert again.status_code == 409
    assert CONFLICT_MESSAGE in again.content.decode()
    assert snapshot(case) == before
    assert CaseEvent.objects.filter(case=case, kind=CaseEventKind.ACCEPTED).count() == 1


def test_wrong_hall_clerk_cannot_act_and_nothing_changes(client, world):
    case = submit_online(world)  # visible to every hall until taken
    from tongban.cases import services

    services.case_material_check(
        actor=world.clerk, case_id=case.pk, material_id=case.materials.first().pk, ok=True
    )
    case = Case.objects.get(pk=case.pk)
    taken = services.case_request_correction(
        actor=world.clerk,
        case_id=case.pk,
        items=[{"material_id": case.materials.first().pk, "reason": "模糊"}],
    )
    before = snapshot(taken)
    response = as_user(client, world.other_clerk).post(
        url("case-resubmit", case.pk), {"expected_version": taken.version}
    )
    assert response.status_code == 404
    assert snapshot(taken) == before


def test_refuse_needs_a_reason_then_refuses_once(client, world):
    define_serial(world)
    case = register_at_window(world)
    as_user(client, world.clerk)
    response = client.post(url("case-refuse", case.pk), {"expected_version": case.version, "reason": " "})
    assert response.status_code == 400
    body = response.content.decode()
    assert "请填写不予受理的理由。" in body and 'id="refuse-reason-error"' in body
    case.refresh_from_db()
    assert case.status == CaseStatus.SUBMITTED
    response = client.post(
        url("case-refuse", case.pk),
        {"expected_version": case.version, "reason": "不属于本机关职权", "refer_to": "市市场监管局"},
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert (case.status, case.refer_to) == (CaseStatus.REFUSED, "市市场监管局")
    assert CaseDocument.objects.filter(case=case, kind=DocumentKind.REFUSAL).count() == 1


def test_one_correction_notice_lists_every_material_then_window_resubmission(client, world):
    define_serial(world)
    case = register_at_window(world)
    first, second = CaseMaterial.objects.filter(case=case).order_by("id")
    as_user(client, world.clerk)
    missing_reason = client.post(
        url("case-correction", case.pk),
        {"expected_version": case.version, "material": [first.pk], f"reason_{first.pk}": ""},
    )
    assert (
        missing_reason.status_code == 400 and "第 1 项补正内容缺少原因。" in missing_reason.content.decode()
    )
    response = client.post(
        url("case-correction", case.pk),
        {
            "expected_version": case.version,
            "material": [first.pk, second.pk],
            f"reason_{first.pk}": "缺少签名",
            f"reason_{second.pk}": "已过有效期",
            "extra_name_1": "场地平面图",
            "extra_reason_1": "清单外补充",
        },
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == CaseStatus.CORRECTION
    assert CaseDocument.objects.filter(case=case, kind=DocumentKind.CORRECTION).count() == 1
    assert CaseMaterial.objects.filter(case=case, status=MaterialStatus.DEFICIENT).count() == 3

    page = client.get(url("case", case.pk)).content.decode()
    assert 'id="resubmit"' in page
    early = client.post(url("case-resubmit", case.pk), {"expected_version": case.version})
    assert early.status_code == 400 and "以下材料仍需补正" in early.content.decode()
    for m in CaseMaterial.objects.filter(case=case):
        client.post(url("material-upload", case.pk, m.pk), {"file": SimpleUploadedFile("fix.pdf", PDF)})
    response = client.post(url("case-resubmit", case.pk), {"expected_version": case.version})
    assert response.status_code == 302
    case.refresh_from_db()
    assert (case.status, case.visit_count) == (CaseStatus.SUBMITTED, 2)


def test_parallel_review_decision_and_issuance_through_the_pages(client, world):
    case = accepted_parallel(world)
    steps = {s.department.short_name: s for s in Step.objects.filter(case=case)}

    # an approver of another department cannot complete this step: 403, nothing changed
    before = snapshot(case)
    response = as_user(client, world.approvers["规划"]).post(
        url("step-complete", case.pk, steps["住建"].pk),
        {"expected_version": case.version, "outcome": "pass", "opinion": "同意"},
    )
    assert response.status_code == 403 and "不能办理该环节" in response.content.decode()
    assert snapshot(case) == before

    # an opinion is required
    response = as_user(client, world.approvers["应急"]).post(
        url("step-complete", case.pk, steps["应急"].pk), {"expected_version": case.version, "outcome": "pass"}
    )
    assert response.status_code == 400 and "请填写办理意见。" in response.content.decode()

    for short in ("住建", "规划", "应急"):
        case.refresh_from_db()
        client = as_user(client, world.approvers[short])
        page = client.get(url("case", case.pk)).content.decode()
        assert f'id="step-{steps[short].pk}"' in page
        response = client.post(
            url("step-complete", case.pk, steps[short].pk),
            {"expected_version": case.version, "outcome": "pass", "opinion": f"{short}同意"},
        )
        assert response.status_code == 302, response.content.decode()[:500]
    assert Step.objects.get(pk=steps["规划"].pk).status == StepStatus.DONE
    joint = Step.objects.get(case=case, status=StepStatus.OPEN)
    assert (joint.kind, joint.department_id) == (StepKind.DECISION, world.housing.pk)

    # the lead sees every sibling's opinion and decides
    case.refresh_from_db()
    lead = as_user(client, world.approvers["住建"])
    page = lead.get(url("case", case.pk)).content.decode()
    assert "规划同意" in page and "应急同意" in page and 'id="decide"' in page
    assert (
        as_user(client, world.approvers["规划"])
        .get(url("case", case.pk))
        .content.decode()
        .count('id="decide"')
        == 0
    )
    lead = as_user(client, world.approvers["住建"])
    response = lead.post(
        url("case-decide", case.pk),
        {
            "expected_version": case.version,
            "decision": "approved",
            "reason": "符合条件",
            "legal_basis": "《建筑法》第八条",
        },
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == CaseStatus.CONCLUDED
    assert CaseDocument.objects.filter(case=case, kind=DocumentKind.DECISION).count() == 1

    clerk = as_user(client, world.clerk)
    assert case.number in clerk.get(url("issuance")).content.decode()
    response = clerk.post(
        url("case-issue", case.pk),
        {"expected_version": case.version, "method": "pickup", "receiver_name": "张小明"},
    )
    assert response.status_code == 400 and "窗口领取须核验领取人身份证件。" in response.content.decode()
    response = clerk.post(
        url("case-issue", case.pk),
        {
            "expected_version": case.version,
            "method": "pickup",
            "identity_checked": "1",
            "receiver_name": "张小明",
            "receiver_id_number": world.applicant.id_number,
        },
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert (case.status, case.visit_count) == (CaseStatus.CLOSED, 2)
    assert CaseEvent.objects.filter(case=case, kind=CaseEventKind.ISSUED).count() == 1


def test_pause_resume_and_extension_only_for_the_head(client, world):
    case = accepted_parallel(world)
    approver = as_user(client, world.approvers["规划"])
    page = approver.get(url("case", case.pk)).content.decode()
    assert 'id="clock"' in page and 'id="extend"' not in page
    response = approver.post(
        url("case-pause", case.pk),
        {
            "expected_version": case.version,
            "procedure": "expert_review",
            "reason": "需专家评审",
            "expected_days": "5",
        },
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.is_paused
    page = approver.get(url("case", case.pk)).content.decode()
    assert 'data-clock="paused"' in page
    response = approver.post(url("case-resume", case.pk), {"expected_version": case.version})
    assert response.status_code == 302
    case.refresh_from_db()
    assert not case.is_paused

    before = snapshot(case)
    response = approver.post(
        url("case-extend", case.pk), {"expected_version": case.version, "days": "3", "reason": "复杂"}
    )
    assert response.status_code == 403 and "只有办理部门的负责人可以批准延期。" in response.content.decode()
    assert snapshot(case) == before

    head = as_user(client, world.heads["住建"])
    assert 'id="extend"' in head.get(url("case", case.pk)).content.decode()
    bad = head.post(
        url("case-extend", case.pk), {"expected_version": case.version, "days": "x", "reason": "复杂"}
    )
    assert bad.status_code == 400
    response = head.post(
        url("case-extend", case.pk), {"expected_version": case.version, "days": "3", "reason": "情况复杂"}
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.extension_days == 3


def test_immediate_item_in_one_page(client, world):
    case = register_at_window(world, world.immediate_item)
    clerk = as_user(client, world.clerk)
    page = clerk.get(url("case", case.pk)).content.decode()
    assert 'id="immediate"' in page and 'id="accept"' not in page
    response = clerk.post(
        url("case-immediate", case.pk),
        {
            "expected_version": case.version,
            "decision": "approved",
            "reason": "材料齐全，当场办结",
            "method": "pickup",
            "identity_checked": "1",
            "receiver_name": world.applicant.name,
            "receiver_id_number": world.applicant.id_number,
        },
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert (case.status, case.visit_count) == (CaseStatus.CLOSED, 1)


def test_clock_badge_colours(world):
    from django.template.loader import render_to_string

    from tongban.cases.selectors import CaseClock

    D = dt.date(2026, 3, 10)

    def badge(**kw):
        return render_to_string("cases/partials/clock_badge.html", {"clock": CaseClock(due_date=D, **kw)})

    assert 'data-clock="running"' in badge(remaining_days=5, is_paused=False)
    assert 'data-clock="warning"' in badge(remaining_days=1, is_paused=False)
    late = badge(remaining_days=-2, is_paused=False, overdue=True)
    assert 'data-clock="overdue"' in late and "已超期 2 个工作日" in late
    assert 'data-clock="paused"' in badge(remaining_days=3, is_paused=True)
    assert 'data-clock="none"' in render_to_string(
        "cases/partials/clock_badge.html",
        {"clock": CaseClock(due_date=None, remaining_days=None, is_paused=False)},
    )
    ended = badge(remaining_days=None, is_paused=False, ended="已撤回")
    assert 'data-clock="ended"' in ended and "已撤回" in ended and "未受理" not in ended


@pytest.mark.parametrize(
    ("status", "label"),
    [
        (CaseStatus.CLOSED, "已办结"),
        (CaseStatus.CONCLUDED, "已办结"),
        (CaseStatus.WITHDRAWN, "已撤回"),
        (CaseStatus.REFUSED, "不予受理"),
        (CaseStatus.SUBMITTED, "未受理"),
    ],
)
def test_clock_of_a_case_that_no_longer_runs_says_why(status, label):
    from tongban.cases.selectors import case_clock

    clock = case_clock(Case(status=status, due_date=dt.date(2026, 3, 10) if status != "submitted" else None))
    assert clock.label == label and clock.remaining_days is None


def test_return_to_window_then_correction_pauses_the_clock(client, world):
    case = accepted_parallel(world)
    step = Step.objects.get(case=case, department=world.fire)
    response = as_user(client, world.approvers["应急"]).post(
        url("step-complete", case.pk, step.pk),
        {"expected_version": case.version, "outcome": "return", "opinion": "消防设计图纸缺页"},
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == CaseStatus.RETURNED
    clerk = as_user(client, world.clerk)
    page = clerk.get(url("case", case.pk)).content.decode()
    assert "消防设计图纸缺页" in page and 'id="correction"' in page and 'id="intake-decision"' not in page
    material = case.materials.first()
    response = clerk.post(
        url("case-correction", case.pk),
        {
            "expected_version": case.version,
            "material": [material.pk],
            f"reason_{material.pk}": "补齐消防图纸",
        },
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert (case.status, case.is_paused) == (CaseStatus.SUPPLEMENTING, True)
    assert 'data-clock="paused"' in clerk.get(url("case", case.pk)).content.decode()
