"""Integrity: the transition table, idempotent submission, optimistic conflicts, scoping denials,
uploads checked by content, process and form validation, and (PostgreSQL) two clerks racing."""

from __future__ import annotations

import threading

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, connections

from tongban.cases import selectors, services
from tongban.cases.choices import CaseStatus
from tongban.cases.forms import default_schema, form_prefill, form_validate
from tongban.cases.models import Case, CaseEvent, CaseMaterial, ProcessDefinition
from tongban.cases.transitions import TRANSITIONS, allowed_actions
from tongban.cases.uploads import check_upload, detect_type
from tongban.common.errors import Conflict, IllegalTransition, NotAllowed, NotFound, ValidationFailed

from .conftest import JPEG, PDF, PNG, form_for, ooxml
from .helpers import define_serial, register_at_window, submit_online

pytestmark = pytest.mark.django_db


def snapshot(case):
    c = Case.objects.get(pk=case.pk)
    return (c.status, c.version, c.due_date, CaseEvent.objects.filter(case=c).count())


def test_illegal_transitions_are_refused_with_reason(world, clock):
    case = submit_online(world)
    before = snapshot(case)
    with pytest.raises(IllegalTransition) as exc:
        services.case_decide(
            actor=world.heads["住建"], case_id=case.pk, decision="approved", reason="r", legal_basis="b"
        )
    assert exc.value.message == "办件当前状态为“待受理”，不能作出审批决定。"
    with pytest.raises(IllegalTransition):
        services.case_issue(actor=world.clerk, case_id=case.pk, method="electronic")
    with pytest.raises(IllegalTransition):
        services.case_resubmit(actor=world.applicant.user, case_id=case.pk)
    assert snapshot(case) == before
    services.case_accept(actor=world.clerk, case_id=case.pk)
    with pytest.raises(IllegalTransition) as exc:
        services.case_accept(actor=world.clerk, case_id=case.pk)
    assert exc.value.message == "办件当前状态为“审查中”，不能受理。"
    with pytest.raises(IllegalTransition):
        services.case_refuse(actor=world.clerk, case_id=case.pk, reason="x")
    assert allowed_actions(CaseStatus.CLOSED) == ["record_visit", "record_fee"]
    assert set(TRANSITIONS["accept"]) == {CaseStatus.SUBMITTED}


def test_double_submit_with_same_key_makes_one_case(world, clock):
    first = submit_online(world, key="click-1")
    again = services.case_submit(actor=world.applicant.user, case_id=first.pk, idempotency_key="click-1")
    assert again.pk == first.pk and again.number == first.number
    # one-shot submissions (no draft) retried with the same key
    from tongban.catalogue.tests.factories import ServiceItemFactory

    from .helpers import upload_all  # noqa: F401  (materials are required: use an item without any)

    bare = ServiceItemFactory(name="无材料事项", department=world.housing)
    a = services.case_submit(
        actor=world.applicant.user,
        item_id=bare.pk,
        form_data=form_for(world.applicant),
        idempotency_key="click-2",
    )
    b = services.case_submit(
        actor=world.applicant.user,
        item_id=bare.pk,
        form_data=form_for(world.applicant),
        idempotency_key="click-2",
    )
    assert a.pk == b.pk
    assert Case.objects.filter(item=bare).count() == 1
    assert Case.objects.exclude(status=CaseStatus.DRAFT).count() == 2
    with pytest.raises(Conflict):  # someone else's key
        services.case_submit(
            actor=world.other_applicant.user,
            item_id=bare.pk,
            form_data=form_for(world.other_applicant),
            idempotency_key="click-2",
        )


def test_one_shot_submission_checks_everything_before_writing(world, clock):
    """Without a draft: a bad form or a required material not uploaded writes nothing (no case, no
    number used); a good one is filed with its materials and a log that starts with the submission."""
    from tongban.cases.models import CaseSequence

    before = (Case.objects.count(), CaseEvent.objects.count(), CaseSequence.objects.count())
    bad_form = {**form_for(world.applicant), "mobile": "123"}
    with pytest.raises(ValidationFailed) as exc:
        services.case_submit(
            actor=world.applicant.user, item_id=world.serial_item.pk, form_data=bad_form, idempotency_key="x1"
        )
    assert exc.value.field == "form_data"
    with pytest.raises(ValidationFailed) as exc:  # the serial item requires 申请书 and 营业执照
        services.case_submit(
            actor=world.applicant.user,
            item_id=world.serial_item.pk,
            form_data=form_for(world.applicant),
            idempotency_key="x2",
        )
    assert exc.value.field == "materials" and exc.value.errors == {"materials": ["申请书", "营业执照"]}
    assert (Case.objects.count(), CaseEvent.objects.count(), CaseSequence.objects.count()) == before

    from tongban.catalogue.tests.factories import MaterialRequirementFactory, ServiceItemFactory

    item = ServiceItemFactory(name="可选材料事项", department=world.housing)
    MaterialRequirementFactory(item=item, position=1, name="补充说明", required=False)
    case = services.case_submit(
        actor=world.applicant.user, item_id=item.pk, form_data=form_for(world.applicant), idempotency_key="x3"
    )
    case = Case.objects.get(pk=case.pk)
    assert (case.status, case.version, case.channel) == (CaseStatus.SUBMITTED, 1, "online")
    assert case.number.endswith("-000001") and len(case.query_code) == 8
    assert list(case.materials.values_list("name", "status")) == [("补充说明", "missing")]
    assert list(CaseEvent.objects.filter(case=case).values_list("kind", "from_status", "to_status")) == [
        ("submitted", "draft", "submitted")
    ]


def test_submit_validates_form_and_materials(world, clock):
    draft = services.case_draft_save(
        actor=world.applicant.user,
        item_id=world.serial_item.pk,
        form_data={"name": "张小明", "mobile": "123", "junk": "x"},
    )
    assert "junk" not in draft.form_data
    with pytest.raises(ValidationFailed) as exc:
        services.case_submit(actor=world.applicant.user, case_id=draft.pk, idempotency_key="k")
    assert exc.value.errors == {
        "identity_number": "请填写“身份证号码”。",
        "mobile": "“联系电话”手机号码应为 11 位，以 1 开头。",
        "reason": "请填写“申请事由”。",
    }
    with pytest.raises(ValidationFailed) as exc:
        services.case_submit(
            actor=world.applicant.user,
            case_id=draft.pk,
            idempotency_key="k",
            form_data=form_for(world.applicant),
        )
    assert exc.value.message == "请上传以下必需材料：申请书、营业执照。"
    assert Case.objects.get(pk=draft.pk).status == CaseStatus.DRAFT


def test_optimistic_conflict_changes_nothing(world, clock):
    define_serial(world)
    case = register_at_window(world)
    stale = case.version
    services.case_material_check(
        actor=world.clerk,
        case_id=case.pk,
        material_id=CaseMaterial.objects.filter(case=case).first().pk,
        ok=True,
    )
    services.visit_record(actor=world.clerk, case_id=case.pk, kind="other")
    case.refresh_from_db()
    # a state change by someone else bumps the version
    services.case_request_correction(
        actor=world.clerk, case_id=case.pk, items=[{"name": "补充说明", "reason": "缺"}]
    )
    before = snapshot(case)
    with pytest.raises(Conflict) as exc:
        services.case_refuse(actor=world.clerk, case_id=case.pk, reason="不符合条件", expected_version=stale)
    assert exc.value.message == "该办件已被他人处理，请刷新后重试"
    assert snapshot(case) == before


def test_scoping_denials(world, clock):
    define_serial(world)
    online = submit_online(world)
    window = register_at_window(world, applicant=world.other_applicant)
    # applicants see only their own
    assert list(selectors.my_cases(user=world.applicant.user)) == [online]
    with pytest.raises(NotFound):
        selectors.case_get(user=world.applicant.user, case_id=window.pk)
    # clerks: their hall's cases and untaken online submissions; not another hall's window case
    assert set(Case.objects.visible_to(world.other_clerk)) == {online}
    before = snapshot(window)
    with pytest.raises(NotAllowed):
        services.case_accept(actor=world.other_clerk, case_id=window.pk)
    with pytest.raises(NotAllowed):
        services.case_accept(actor=world.approvers["住建"], case_id=window.pk)
    with pytest.raises(NotAllowed):  # an applicant cannot act as a clerk
        services.case_accept(actor=world.other_applicant.user, case_id=window.pk)
    assert snapshot(window) == before
    services.case_accept(actor=world.clerk, case_id=window.pk)
    # departments: 住建 owns the item and has the step; 规划 sees nothing
    assert set(Case.objects.visible_to(world.approvers["住建"])) == {online, window}
    assert list(Case.objects.visible_to(world.approvers["规划"])) == []
    assert selectors.tasks_todo(user=world.approvers["规划"]) == []
    with pytest.raises(NotFound):
        selectors.case_events(user=world.approvers["规划"], case_id=window.pk)
    assert list(Case.objects.visible_to(None)) == []


def test_public_tracking_masks_and_hides(world, clock):
    case = submit_online(world)
    with pytest.raises(NotFound) as wrong:
        selectors.case_public_status(number=case.number, query_code="AAAAAAAA")
    with pytest.raises(NotFound) as unknown:
        selectors.case_public_status(number="440106-20260302-999999", query_code=case.query_code)
    assert wrong.value.message == unknown.value.message
    status = selectors.case_public_status(number=case.number, query_code=case.query_code)
    assert status["applicant"] == "张*明"
    assert world.applicant.id_number not in str(status)


def test_upload_type_by_content(world, clock, settings):
    settings.UPLOAD_ALLOWED_TYPES = ["pdf"]
    assert [detect_type(x) for x in (PDF, PNG, JPEG, ooxml("xlsx"), ooxml("docx"))] == [
        "pdf",
        "png",
        "jpeg",
        "xlsx",
        "docx",
    ]
    import io
    import zipfile

    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("a.txt", "x")
    assert detect_type(buf.getvalue()) is None  # a plain zip is not an office document
    with pytest.raises(ValidationFailed) as exc:
        check_upload(
            SimpleUploadedFile("licence.pdf", PNG, content_type="application/pdf"), material_name="营业执照"
        )
    assert exc.value.message == "“营业执照”的文件实际为 PNG 图片，不在允许的类型内（PDF）。"
    settings.UPLOAD_MAX_BYTES = 10
    with pytest.raises(ValidationFailed) as exc:
        check_upload(PDF, material_name="申请书")
    assert exc.value.message.startswith("“申请书”文件过大")
    settings.UPLOAD_MAX_BYTES = 1024
    checked = check_upload(PDF, material_name="申请书")
    assert (checked.kind, checked.size, len(checked.sha256)) == ("pdf", len(PDF), 64)
    # through the service: nothing stored when refused
    draft = services.case_draft_save(actor=world.applicant.user, item_id=world.serial_item.pk, form_data={})
    m = CaseMaterial.objects.filter(case=draft).first()
    with pytest.raises(ValidationFailed):
        services.case_material_upload(
            actor=world.applicant.user,
            case_id=draft.pk,
            material_id=m.pk,
            file=SimpleUploadedFile("x.pdf", PNG),
        )
    m.refresh_from_db()
    assert (m.status, m.sha256, bool(m.file)) == ("missing", "", False)
    with pytest.raises(NotAllowed):
        services.case_material_upload(
            actor=world.other_applicant.user,
            case_id=draft.pk,
            material_id=m.pk,
            file=SimpleUploadedFile("x.pdf", PDF),
        )


def test_process_validation(world):
    def define(stages, item=None):
        return services.process_define(item_id=(item or world.parallel_item).pk, stages=stages)

    with pytest.raises(ValidationFailed) as exc:
        define(
            [
                {
                    "name": "并联",
                    "kind": "parallel",
                    "lead_department_id": world.fire.pk,
                    "steps": [
                        {"name": "a", "department_id": world.housing.pk, "limit_days": 12},
                        {"name": "b", "department_id": world.planning.pk, "limit_days": 3},
                    ],
                }
            ]
        )
    assert exc.value.errors == [
        "第 1 阶段“并联”的牵头部门“天河区应急管理局”不在本阶段的部门之中。",
        "各阶段时限之和（每阶段取最长环节，并联阶段另加牵头部门汇总时限）为 13 个工作日，"
        "超过了承诺办结时限 10 个工作日。",
    ]
    with pytest.raises(ValidationFailed) as exc:
        define(
            [
                {
                    "name": "并联",
                    "kind": "parallel",
                    "lead_department_id": world.housing.pk,
                    "steps": [{"name": "a", "department_id": world.housing.pk, "limit_days": 3}],
                }
            ]
        )
    assert exc.value.errors == ["第 1 阶段“并联”为并联审批，至少需要 2 个部门的环节。"]
    assert not ProcessDefinition.objects.exists()
    # default process: the item's own department, the whole promised limit
    flow = selectors.process_flow(world.serial_item)
    assert flow == [
        {
            "position": 1,
            "name": "审查决定",
            "kind": "single",
            "lead_department_id": None,
            "lead_department": "",
            "joint_limit_days": 0,
            "duration_days": 8,
            "steps": [
                {
                    "name": "审查与决定",
                    "department_id": world.housing.pk,
                    "department": world.housing.name,
                    "limit_days": 8,
                    "role": "",
                }
            ],
        }
    ]
    assert selectors.process_for_item(world.immediate_item).immediate


def test_process_copied_to_new_item_version(world):
    define_serial(world)
    from tongban.catalogue.tests.factories import ServiceItemFactory

    v2 = ServiceItemFactory(
        code=world.serial_item.code,
        version=2,
        draft=True,
        name=world.serial_item.name,
        department=world.housing,
        promised_limit=8,
    )
    copy = services.process_copy_to(item=v2)
    assert copy is not None and copy.item == v2
    assert selectors.process_flow(v2) == selectors.process_flow(world.serial_item)
    assert services.process_copy_to(item=v2).pk == copy.pk  # idempotent


def test_form_schema_helpers(world):
    schema = default_schema(world.serial_item)
    assert form_prefill(schema, world.applicant) == {
        "name": "张小明",
        "identity_number": world.applicant.id_number,
        "mobile": world.applicant.mobile,
    }
    errors = form_validate(
        {
            "fields": [
                {"key": "n", "label": "面积", "type": "number", "min": 1},
                {"key": "d", "label": "开业日期", "type": "date"},
                {"key": "s", "label": "规模", "type": "select", "options": ["小", "大"]},
                {"key": "c", "label": "信用代码", "type": "creditcode"},
            ]
        },
        {"n": "0", "d": "2026-13-01", "s": "中", "c": "91440106MA5KLMNPQ0"},
    )
    assert errors["n"] == "“面积”不能小于 1。"
    assert errors["d"] == "“开业日期”应为日期，格式如 2026-01-31。"
    assert errors["s"] == "“规模”应从以下选项中选择：小、大。"
    assert errors["c"].startswith("“信用代码”")
    with pytest.raises(ValidationFailed):
        services.form_define(item_id=world.serial_item.pk, schema={"fields": [{"key": "A", "type": "x"}]})


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_clerks_race_to_accept(world):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL row locks")
    define_serial(world)
    case = register_at_window(world)
    second_clerk = type(world.clerk).objects.get(pk=world.clerk.pk)
    version = Case.objects.get(pk=case.pk).version
    barrier = threading.Barrier(2)
    results: list = []

    def accept(actor):
        try:
            barrier.wait()
            services.case_accept(actor=actor, case_id=case.pk, expected_version=version)
            results.append("ok")
        except (Conflict, IllegalTransition) as exc:
            results.append(type(exc).__name__)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=accept, args=(u,)) for u in (world.clerk, second_clerk)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == ["Conflict", "ok"]
    assert CaseEvent.objects.filter(case=case, kind="accepted").count() == 1
    assert Case.objects.get(pk=case.pk).status == CaseStatus.IN_REVIEW


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_an_approver_locks_the_step_not_the_department(world, monkeypatch):
    """While one approver's step_complete is in its transaction, the department's row is free: other
    approvers of the department (other cases) and an administrator editing it are not queued."""
    from tongban.cases.models import Step
    from tongban.cases.services import review
    from tongban.organisations.models import Department

    from .helpers import define_parallel, paused_inside, row_is_free

    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL row locks")
    define_parallel(world)
    case = services.case_accept(actor=world.clerk, case_id=register_at_window(world, world.parallel_item).pk)
    step = Step.objects.get(case=case, department=world.planning)

    def approve():
        services.step_complete(actor=world.approvers["规划"], step_id=step.pk, outcome="pass", opinion="同意")

    with paused_inside(monkeypatch, review, "require_department", approve):
        assert row_is_free(Department, world.planning.pk), "the department row was locked by an approver"
    assert Step.objects.get(pk=step.pk).status == "done"
