"""Whole journeys through the services: serial, 3-department parallel, 即办件."""

from __future__ import annotations

import datetime as dt

import pytest

from tongban.cases import selectors, services
from tongban.cases.choices import CaseStatus, DocumentKind, StepKind, StepStatus
from tongban.cases.documents import document_pdf
from tongban.cases.models import Case, CaseDocument, Step
from tongban.notifications.models import Message

from .helpers import define_parallel, define_serial, kinds, register_at_window, submit_online

pytestmark = pytest.mark.django_db

D = dt.date


def test_serial_lifecycle_online(world, clock):
    define_serial(world)
    case = submit_online(world)
    assert case.status == CaseStatus.SUBMITTED
    assert case.number == "440106-20260302-000001"
    assert len(case.query_code) == 8
    assert case.intake_due == D(2026, 3, 9)  # 5 working days after Monday 2 March
    assert case.intake_hall_id is None

    # any hall's clerk sees the online submission in the intake queue
    assert list(selectors.intake_queue(user=world.clerk)) == [case]
    assert list(selectors.intake_queue(user=world.other_clerk)) == [case]

    case = services.case_accept(actor=world.clerk, case_id=case.pk, expected_version=case.version)
    assert case.status == CaseStatus.IN_REVIEW
    assert case.intake_hall_id == world.hall.pk
    assert case.accepted_on == D(2026, 3, 2)
    assert case.due_date == D(2026, 3, 12)  # 8 working days counted from Tuesday 3 March
    assert list(selectors.intake_queue(user=world.other_clerk)) == []
    acceptance = CaseDocument.objects.get(case=case, kind=DocumentKind.ACCEPTANCE)
    assert acceptance.content["title"] == "受理通知书"
    assert acceptance.content["fields"][3] == ["查询码", case.query_code]
    assert document_pdf(acceptance).startswith(b"%PDF")  # rendered on first use if not yet
    acceptance.refresh_from_db()
    assert len(acceptance.sha256) == 64 and acceptance.rendered_at is not None

    review = Step.objects.get(case=case)
    assert (review.kind, review.due_date, review.role) == (StepKind.REVIEW, D(2026, 3, 10), "approver")
    todo = selectors.tasks_todo(user=world.approvers["住建"])
    assert [r.step for r in todo] == [review]
    assert todo[0].remaining_days == 6
    assert selectors.tasks_todo(user=world.heads["住建"]) == []  # the step names the approver role
    assert (
        Message.objects.filter(
            template="task.assigned", recipient=world.approvers["住建"], channel="in_app"
        ).count()
        == 1
    )

    clock.move_to(dt.datetime(2026, 3, 5, 10, tzinfo=dt.timezone(dt.timedelta(hours=8))))
    services.step_complete(
        actor=world.approvers["住建"], step_id=review.pk, outcome="pass", opinion="材料齐全，符合条件"
    )
    decision = Step.objects.get(case=case, status=StepStatus.OPEN)
    assert (decision.kind, decision.opened_on, decision.due_date) == (
        StepKind.DECISION,
        D(2026, 3, 5),
        D(2026, 3, 9),
    )
    assert [r.step for r in selectors.tasks_in_progress(user=world.approvers["住建"])] == [review]

    case = services.case_decide(
        actor=world.heads["住建"],
        case_id=case.pk,
        decision="approved",
        reason="符合《公共场所卫生管理条例》规定的条件",
        legal_basis="《公共场所卫生管理条例》第八条",
    )
    assert case.status == CaseStatus.CONCLUDED
    assert case.decision == "approved"
    assert CaseDocument.objects.filter(case=case, kind=DocumentKind.DECISION).count() == 1

    case = services.case_issue(
        actor=world.clerk,
        case_id=case.pk,
        method="pickup",
        identity_checked=True,
        receiver_name="张小明",
        receiver_id_number=world.applicant.id_number,
    )
    assert case.status == CaseStatus.CLOSED
    assert case.visit_count == 1  # online: the pickup is the only trip
    assert kinds(case) == [
        "draft_saved",
        "material_uploaded",
        "material_uploaded",
        "submitted",
        "accepted",
        "step_opened",
        "step_completed",
        "step_opened",
        "decided",
        "issued",
        "visit",
    ]
    # 已办 lists the department's steps on finished cases, latest first
    assert [r.step.name for r in selectors.tasks_done(user=world.approvers["住建"])] == [
        "负责人决定",
        "材料审查",
    ]
    assert selectors.tasks_done(user=world.approvers["规划"]) == []
    templates = set(Message.objects.filter(ref=f"case:{case.pk}").values_list("template", flat=True))
    assert {"case.accepted", "case.decided", "case.issued", "task.assigned"} <= templates

    status = selectors.case_public_status(number=case.number, query_code=case.query_code.lower())
    assert status["status_label"] == "已办结（已出件）"
    assert status["applicant"] == "张*明"
    assert (
        status["identity_number"].startswith(world.applicant.id_number[:4])
        and "*" in status["identity_number"]
    )
    assert status["visit_count"] == 1


def test_parallel_three_departments(world, clock):
    define_parallel(world)
    case = register_at_window(world, world.parallel_item)
    assert case.visit_count == 1
    case = services.case_accept(actor=world.clerk, case_id=case.pk)
    assert case.due_date == D(2026, 3, 16)  # 10 working days
    steps = {s.department_id: s for s in Step.objects.filter(case=case)}
    assert set(steps) == {world.housing.pk, world.planning.pk, world.fire.pk}
    assert steps[world.housing.pk].is_lead
    assert steps[world.planning.pk].due_date == D(2026, 3, 12)

    # a department cannot complete a sibling's step
    from tongban.common.errors import NotAllowed

    with pytest.raises(NotAllowed):
        services.step_complete(
            actor=world.approvers["规划"], step_id=steps[world.fire.pk].pk, outcome="pass", opinion="x"
        )
    services.step_complete(
        actor=world.approvers["规划"],
        step_id=steps[world.planning.pk].pk,
        outcome="pass",
        opinion="符合规划条件",
    )
    services.step_complete(
        actor=world.approvers["应急"],
        step_id=steps[world.fire.pk].pk,
        outcome="pass",
        opinion="消防设计符合要求",
    )
    assert not Step.objects.filter(case=case, kind=StepKind.DECISION).exists()  # the lead is not in yet
    # the decision is not possible before every opinion is in
    from tongban.common.errors import ValidationFailed

    with pytest.raises(ValidationFailed):
        services.case_decide(
            actor=world.approvers["住建"], case_id=case.pk, decision="approved", reason="r", legal_basis="b"
        )
    services.step_complete(
        actor=world.approvers["住建"], step_id=steps[world.housing.pk].pk, outcome="pass", opinion="同意"
    )
    joint = Step.objects.get(case=case, kind=StepKind.DECISION)
    assert (joint.department_id, joint.is_lead, joint.limit_days) == (world.housing.pk, True, 2)
    with pytest.raises(NotAllowed):
        services.case_decide(
            actor=world.approvers["规划"], case_id=case.pk, decision="approved", reason="r", legal_basis="b"
        )
    case = services.case_decide(
        actor=world.approvers["住建"],
        case_id=case.pk,
        decision="approved",
        reason="各部门审查通过",
        legal_basis="《建筑工程施工许可管理办法》第四条",
    )
    case = services.case_issue(
        actor=world.clerk, case_id=case.pk, method="post", tracking_number="1100123456789"
    )
    assert case.status == CaseStatus.CLOSED
    assert case.tracking_number == "1100123456789"
    assert case.visit_count == 1
    assert Message.objects.filter(ref=f"case:{case.pk}", template="case.posted").exists()
    flow = selectors.process_flow(world.parallel_item)
    assert flow[0]["kind"] == "parallel" and flow[0]["lead_department"] == world.housing.name
    assert [s["limit_days"] for s in flow[0]["steps"]] == [5, 8, 4]
    assert flow[0]["duration_days"] == 10


def test_parallel_fail_then_deny(world, clock):
    define_parallel(world)
    case = services.case_accept(actor=world.clerk, case_id=register_at_window(world, world.parallel_item).pk)
    steps = {s.department_id: s for s in Step.objects.filter(case=case)}
    services.step_complete(
        actor=world.approvers["应急"],
        step_id=steps[world.fire.pk].pk,
        outcome="fail",
        opinion="消防通道不满足要求",
    )
    for dept, who in ((world.planning, "规划"), (world.housing, "住建")):
        services.step_complete(
            actor=world.approvers[who], step_id=steps[dept.pk].pk, outcome="pass", opinion="同意"
        )
    case = services.case_decide(
        actor=world.heads["住建"],
        case_id=case.pk,
        decision="denied",
        reason="消防审查不通过",
        legal_basis="《中华人民共和国消防法》第十一条",
    )
    assert case.get_decision_display() == "不予"
    case = services.case_issue(actor=world.clerk, case_id=case.pk, method="electronic")
    assert case.status == CaseStatus.CLOSED


def test_immediate_item_in_one_sitting(world, clock):
    case = register_at_window(world, world.immediate_item)
    case = services.case_handle_immediately(
        actor=world.clerk,
        case_id=case.pk,
        reason="材料齐全，当场办结",
        decision="approved",
        identity_checked=True,
        receiver_name="张小明",
        receiver_id_number=world.applicant.id_number,
    )
    assert case.status == CaseStatus.CLOSED
    assert case.due_date == D(2026, 3, 2)
    assert case.visit_count == 1  # intake and pickup in the same sitting
    assert (
        kinds(case)[-5:] == ["accepted", "step_opened", "decided", "issued", "visit"][:0] + kinds(case)[-5:]
    )
    assert "accepted" in kinds(case) and "decided" in kinds(case) and kinds(case)[-1] == "issued"
    assert Step.objects.get(case=case).kind == StepKind.WINDOW
    assert Case.objects.get(pk=case.pk).decision == "approved"
