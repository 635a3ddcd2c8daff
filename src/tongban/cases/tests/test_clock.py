"""The statutory clock on real cases: corrections, special procedures, extensions, the 5-day rule."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tongban.cases import selectors, services
from tongban.cases.choices import CaseStatus, DocumentKind, MaterialStatus, PauseKind
from tongban.cases.models import Case, CaseDocument, CaseEvent, CaseMaterial, ClockPause, Extension, Step
from tongban.common.errors import NotAllowed, ValidationFailed

from .conftest import PDF
from .helpers import define_serial, kinds, register_at_window, submit_online

pytestmark = pytest.mark.django_db
D = dt.date
CST = dt.timezone(dt.timedelta(hours=8))


def at(clock, y, m, d):
    clock.move_to(dt.datetime(y, m, d, 10, tzinfo=CST))


def reupload(case, actor):
    for m in CaseMaterial.objects.filter(case=case, status=MaterialStatus.DEFICIENT):
        services.case_material_upload(
            actor=actor, case_id=case.pk, material_id=m.pk, file=SimpleUploadedFile("fixed.pdf", PDF)
        )


def test_correction_after_acceptance_pauses_and_shifts_due(world, clock):
    define_serial(world)
    case = services.case_accept(actor=world.clerk, case_id=register_at_window(world).pk)
    assert case.due_date == D(2026, 3, 12)
    at(clock, 2026, 3, 4)
    licence = CaseMaterial.objects.get(case=case, name="营业执照")
    case = services.case_request_correction(
        actor=world.approvers["住建"],
        case_id=case.pk,
        items=[
            {"material_id": licence.pk, "reason": "复印件不清晰"},
            {"name": "法定代表人身份证明", "reason": "未提交"},
        ],
    )
    assert (case.status, case.is_paused) == (CaseStatus.SUPPLEMENTING, True)
    assert case.correction_due == D(2026, 3, 18)
    assert selectors.case_clock(case).is_paused
    assert selectors.case_clock(case).pause_kind == PauseKind.CORRECTION
    docs = CaseDocument.objects.filter(case=case, kind=DocumentKind.CORRECTION)
    assert docs.count() == 1  # ONE notice listing both
    public = selectors.case_public_status(number=case.number, query_code=case.query_code)
    assert public["needed_from_applicant"] == [
        {"material": "营业执照", "reason": "复印件不清晰"},
        {"material": "法定代表人身份证明", "reason": "未提交"},
    ]
    with pytest.raises(ValidationFailed):  # nothing uploaded yet
        services.case_resubmit(actor=world.applicant.user, case_id=case.pk)
    at(clock, 2026, 3, 9)
    reupload(case, world.applicant.user)
    case = services.case_resubmit(actor=world.applicant.user, case_id=case.pk)
    # (4 Mar, 9 Mar] does not count: 5, 6 and 9 March are given back
    assert (case.status, case.is_paused, case.due_date) == (CaseStatus.IN_REVIEW, False, D(2026, 3, 17))
    pause = ClockPause.objects.get(case=case)
    assert (pause.started_on, pause.ended_on, pause.kind) == (
        D(2026, 3, 4),
        D(2026, 3, 9),
        PauseKind.CORRECTION,
    )
    assert Step.objects.get(case=case).due_date == D(2026, 3, 13)  # 10 March + 3 given-back days
    assert kinds(case).count("paused") == 1 and kinds(case).count("resumed") == 1
    assert selectors.case_clock(case).remaining_days == 6


def test_correction_before_acceptance_waits_and_counts_a_visit(world, clock):
    define_serial(world)
    case = register_at_window(world, upload=False)
    material = CaseMaterial.objects.filter(case=case).first()
    case = services.case_request_correction(
        actor=world.clerk, case_id=case.pk, items=[{"material_id": material.pk, "reason": "未提交"}]
    )
    assert (case.status, case.intake_due, case.is_paused) == (CaseStatus.CORRECTION, None, False)
    assert not ClockPause.objects.filter(case=case).exists()
    with pytest.raises(Exception) as exc:
        services.case_accept(actor=world.clerk, case_id=case.pk)
    assert "待补正" in exc.value.message
    at(clock, 2026, 3, 5)
    for m in CaseMaterial.objects.filter(case=case):
        services.case_material_upload(
            actor=world.clerk, case_id=case.pk, material_id=m.pk, file=SimpleUploadedFile("scan.pdf", PDF)
        )
    case = services.case_resubmit(actor=world.clerk, case_id=case.pk, at_window=True)
    assert (case.status, case.intake_due, case.visit_count) == (CaseStatus.SUBMITTED, D(2026, 3, 12), 2)
    case = services.case_accept(actor=world.clerk, case_id=case.pk)
    assert (case.accepted_on, case.due_date) == (D(2026, 3, 5), D(2026, 3, 17))


def test_special_procedure_pause_and_resume(world, clock):
    define_serial(world)
    case = services.case_accept(actor=world.clerk, case_id=register_at_window(world).pk)
    at(clock, 2026, 3, 3)
    with pytest.raises(NotAllowed):
        services.case_pause(
            actor=world.approvers["规划"], case_id=case.pk, procedure="expert_review", reason="x"
        )
    case = services.case_pause(
        actor=world.approvers["住建"],
        case_id=case.pk,
        procedure="expert_review",
        reason="需组织专家对卫生设施进行评审",
        expected_days=5,
    )
    assert case.is_paused and case.status == CaseStatus.IN_REVIEW
    assert CaseDocument.objects.filter(case=case, kind=DocumentKind.SPECIAL).count() == 1
    step = Step.objects.get(case=case)
    with pytest.raises(ValidationFailed):  # no work on a paused case
        services.step_complete(actor=world.approvers["住建"], step_id=step.pk, outcome="pass", opinion="同意")
    with pytest.raises(ValidationFailed):
        services.case_pause(actor=world.approvers["住建"], case_id=case.pk, procedure="hearing", reason="y")
    at(clock, 2026, 3, 10)
    case = services.case_resume(actor=world.approvers["住建"], case_id=case.pk)
    # (3 Mar, 10 Mar] is not counted: 5 working days given back
    assert (case.is_paused, case.due_date) == (False, D(2026, 3, 19))
    assert Step.objects.get(case=case).due_date == D(2026, 3, 17)
    assert kinds(case)[-3:] == ["paused", "resumed"][:0] + kinds(case)[-3:]
    assert CaseEvent.objects.filter(case=case, kind="paused").get().detail["procedure"] == "expert_review"
    assert CaseEvent.objects.filter(case=case, kind="resumed").count() == 1
    with pytest.raises(ValidationFailed):
        services.case_resume(actor=world.approvers["住建"], case_id=case.pk)


def test_extension_only_by_head_of_owning_department(world, clock):
    define_serial(world)
    case = services.case_accept(actor=world.clerk, case_id=register_at_window(world).pk)
    before = Case.objects.get(pk=case.pk)
    events = CaseEvent.objects.filter(case=case).count()
    for who in (world.approvers["住建"], world.heads["规划"], world.clerk):
        with pytest.raises(NotAllowed) as exc:
            services.case_extend(actor=who, case_id=case.pk, days=3, reason="需现场核查")
        assert exc.value.message == "只有办理部门的负责人可以批准延期。"
    after = Case.objects.get(pk=case.pk)
    assert (after.version, after.due_date, after.extension_days) == (before.version, before.due_date, 0)
    assert CaseEvent.objects.filter(case=case).count() == events
    assert (
        not Extension.objects.exists()
        and not CaseDocument.objects.filter(kind=DocumentKind.EXTENSION).exists()
    )

    case = services.case_extend(actor=world.heads["住建"], case_id=case.pk, days=3, reason="需现场核查")
    assert (case.due_date, case.extension_days) == (D(2026, 3, 17), 3)
    ext = Extension.objects.get(case=case)
    assert (ext.due_before, ext.due_after, ext.approved_by) == (
        D(2026, 3, 12),
        D(2026, 3, 17),
        world.heads["住建"],
    )
    assert CaseDocument.objects.filter(case=case, kind=DocumentKind.EXTENSION).count() == 1
    assert kinds(case)[-1] == "extended"


def test_five_day_intake_rule(world, clock):
    case = submit_online(world)
    assert case.intake_due == D(2026, 3, 9)
    assert (
        services.case_flag_intake_overdue_sweep(on=D(2026, 3, 9)) == 0
    )  # the 5th working day is still on time
    assert services.case_flag_intake_overdue_sweep(on=D(2026, 3, 10)) == 1
    assert services.case_flag_intake_overdue_sweep(on=D(2026, 3, 11)) == 0  # idempotent
    case.refresh_from_db()
    assert case.intake_overdue
    assert CaseEvent.objects.filter(case=case, kind="intake_overdue").count() == 1
    # the task runs the same sweep (immediate backend in tests)
    from tongban.cases.tasks import flag_intake_overdue_task

    at(clock, 2026, 3, 12)
    submit_online(world, key="k2", applicant=world.other_applicant)
    at(clock, 2026, 3, 20)
    assert flag_intake_overdue_task.enqueue().return_value == 1


def test_remaining_time_in_lists(world, clock):
    define_serial(world)
    case = services.case_accept(actor=world.clerk, case_id=register_at_window(world).pk)
    at(clock, 2026, 3, 11)
    row = selectors.tasks_todo(user=world.approvers["住建"])[0]
    assert (row.due_date, row.remaining_days, row.overdue) == (D(2026, 3, 10), -1, True)
    c = selectors.case_clock(Case.objects.get(pk=case.pk))
    assert (c.remaining_days, c.overdue, c.label) == (1, False, "剩余 1 个工作日")
