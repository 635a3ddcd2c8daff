"""Cases for tests, two ways.

- `CaseFactory` / `StepFactory` write rows directly: fast, for reads, figures and pages that only need a
  case to exist in a given status (nothing else is made: no events, watches, documents or messages).
- `Office` + `case_at(status)` drive the real services (draft → submit → accept → review → decide →
  issue, and the side roads), so a case at any state carries everything the services write. Use this
  where the test is about behaviour that depends on that history.
"""

from __future__ import annotations

import datetime as dt
import itertools
from dataclasses import dataclass

import factory
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models import Model
from django.utils import timezone

from tongban.accounts.models import Applicant, User
from tongban.cases.choices import CaseChannel, CaseStatus, StepKind, StepStatus
from tongban.cases.models import Case, CaseMaterial, Step
from tongban.catalogue.models import ServiceItem
from tongban.organisations.choices import StaffRole
from tongban.organisations.models import Department, ServiceHall
from tongban.workdays.calendar import add_working_days

from .accounts import ApplicantFactory, StaffFactory
from .catalogue import MaterialRequirementFactory, ServiceItemFactory
from .organisations import DepartmentFactory, HallFactory, RegionFactory

__all__ = [
    "PDF",
    "CaseFactory",
    "Office",
    "StepFactory",
    "case_at",
    "form_for",
    "item_with_process",
    "office_make",
    "serial_stages",
    "upload_all",
]

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
_numbers = itertools.count(1)
_keys = itertools.count(1)

# Statuses a row-written case has reached after submission / acceptance / decision.
_SUBMITTED = set(CaseStatus.values) - {CaseStatus.DRAFT}
_ACCEPTED = {*CaseStatus.handling(), *CaseStatus.concluded()}


def _when(o, statuses: set[str]) -> dt.datetime | None:
    return timezone.now() if o.status in statuses else None


class CaseFactory(factory.django.DjangoModelFactory):
    """A case row in `status` (default submitted online), with the dates that status implies."""

    class Meta:
        model = Case

    item = factory.SubFactory(ServiceItemFactory)
    applicant = factory.SubFactory(ApplicantFactory, registered=True)
    submitted_by = factory.LazyAttribute(lambda o: o.applicant.user)
    channel = CaseChannel.ONLINE
    status = CaseStatus.SUBMITTED
    number = factory.LazyAttribute(
        lambda o: f"TB-{next(_numbers):08d}" if o.status != CaseStatus.DRAFT else None
    )
    query_code = factory.LazyAttribute(lambda o: f"Q{next(_numbers):07d}" if o.number else "")
    submitted_at = factory.LazyAttribute(lambda o: _when(o, _SUBMITTED))
    accepted_at = factory.LazyAttribute(lambda o: _when(o, _ACCEPTED))
    accepted_on = factory.LazyAttribute(lambda o: o.accepted_at and timezone.localdate(o.accepted_at))
    due_date = factory.LazyAttribute(
        lambda o: o.accepted_on and add_working_days(o.accepted_on, o.item.promised_limit)
    )
    concluded_at = factory.LazyAttribute(lambda o: _when(o, set(CaseStatus.concluded())))
    decision = factory.LazyAttribute(lambda o: "approved" if o.concluded_at else "")
    closed_at = factory.LazyAttribute(lambda o: _when(o, {CaseStatus.CLOSED}))


class StepFactory(factory.django.DjangoModelFactory):
    """An open review step of an accepted case, for its item's department, due in `limit_days`."""

    class Meta:
        model = Step

    case = factory.SubFactory(CaseFactory, status=CaseStatus.IN_REVIEW)
    stage_position = 1
    stage_name = "审查"
    kind = StepKind.REVIEW
    name = "材料审查"
    department = factory.LazyAttribute(lambda o: o.case.item.department)
    role = StaffRole.APPROVER
    limit_days = 5
    status = StepStatus.OPEN
    opened_at = factory.LazyFunction(timezone.now)
    opened_on = factory.LazyAttribute(lambda o: timezone.localdate(o.opened_at))
    due_date = factory.LazyAttribute(lambda o: add_working_days(o.opened_on, o.limit_days))


def serial_stages(department: Department) -> list[dict]:
    """Review by an approver (6 working days), then the head's decision (2): the common serial plan."""
    return [
        {
            "name": "审查",
            "kind": "single",
            "steps": [
                {"name": "材料审查", "department_id": department.pk, "limit_days": 6, "role": "approver"}
            ],
        },
        {
            "name": "审批决定",
            "kind": "single",
            "steps": [
                {"name": "负责人决定", "department_id": department.pk, "limit_days": 2, "role": "dept_head"}
            ],
        },
    ]


def item_with_process(
    *, department: Department, materials: int = 2, stages: list[dict] | None = None, **fields
) -> ServiceItem:
    """A published item with `materials` required materials and a process (serial by default), the
    process written by the cases service as the system does at set-up. The promised limit defaults
    to 8 working days, which the serial plan's 6 + 2 fits."""
    from tongban.cases import services

    fields.setdefault("promised_limit", 8)
    item = ServiceItemFactory(department=department, **fields)
    for position in range(1, materials + 1):
        MaterialRequirementFactory(item=item, position=position)
    services.process_define(item_id=item.pk, stages=stages or serial_stages(department))
    return item


def form_for(applicant: Applicant, **extra) -> dict:
    """The default application form filled for `applicant`."""
    return {
        "name": applicant.name,
        "identity_number": applicant.id_number,
        "mobile": applicant.mobile,
        "reason": "新开业申请",
        **extra,
    }


def upload_all(case: Case, actor: User) -> None:
    """Upload a small PDF for every material of the case, through the service."""
    from tongban.cases import services

    for m in CaseMaterial.objects.filter(case=case).order_by("id"):
        services.case_material_upload(
            actor=actor,
            case_id=case.pk,
            material_id=m.pk,
            file=SimpleUploadedFile(f"{m.name}.pdf", PDF, content_type="application/pdf"),
        )


@dataclass
class Office:
    """The people and places one case needs: a hall with a clerk, a department with an approver and a
    head, a published item with two materials and the serial process, and a registered applicant."""

    hall: ServiceHall
    department: Department
    clerk: User
    approver: User
    head: User
    item: ServiceItem
    applicant: Applicant


def office_make(*, region_code: str = "440106") -> Office:
    region = RegionFactory(code=region_code)
    hall = HallFactory(region=region)
    department = DepartmentFactory(region=region)
    return Office(
        hall=hall,
        department=department,
        clerk=StaffFactory.with_role(StaffRole.CLERK, hall=hall),
        approver=StaffFactory.with_role(StaffRole.APPROVER, department=department),
        head=StaffFactory.with_role(StaffRole.DEPARTMENT_HEAD, department=department),
        item=item_with_process(department=department),
        applicant=ApplicantFactory(registered=True),
    )


def _open_step(case: Case) -> Step:
    return Step.objects.get(case=case, status=StepStatus.OPEN)


def _first_material(case: Case) -> Model:
    return CaseMaterial.objects.filter(case=case).order_by("id").first()


def case_at(status: str, office: Office | None = None) -> Case:
    """A case of `office` (a new one if not given) brought to `status` through the services, the way
    people would: submitted online with every material, accepted by the clerk, reviewed by the
    approver, decided by the head, issued electronically; corrections, returns, refusals and
    withdrawals branch off where they can happen."""
    from tongban.cases import services

    o = office or office_make()
    user = o.applicant.user
    case = services.case_draft_save(actor=user, item_id=o.item.pk, form_data=form_for(o.applicant))
    upload_all(case, user)
    if status == CaseStatus.DRAFT:
        return Case.objects.get(pk=case.pk)
    case = services.case_submit(actor=user, case_id=case.pk, idempotency_key=f"testkit-{next(_keys)}")
    if status == CaseStatus.SUBMITTED:
        return case
    correction = [{"material_id": _first_material(case).pk, "reason": "缺少签字"}]
    if status == CaseStatus.CORRECTION:
        return services.case_request_correction(actor=o.clerk, case_id=case.pk, items=correction)
    if status == CaseStatus.REFUSED:
        return services.case_refuse(actor=o.clerk, case_id=case.pk, reason="不属于本机关职权范围")
    if status == CaseStatus.WITHDRAWN:
        return services.case_withdraw(actor=user, case_id=case.pk, reason="不再需要")
    case = services.case_accept(actor=o.clerk, case_id=case.pk)
    if status == CaseStatus.IN_REVIEW:
        return case
    if status == CaseStatus.SUPPLEMENTING:
        return services.case_request_correction(actor=o.approver, case_id=case.pk, items=correction)
    review = _open_step(case)
    outcome = "return" if status == CaseStatus.RETURNED else "pass"
    services.step_complete(actor=o.approver, step_id=review.pk, outcome=outcome, opinion="材料齐全")
    if status == CaseStatus.RETURNED:
        return Case.objects.get(pk=case.pk)
    case = services.case_decide(
        actor=o.head, case_id=case.pk, decision="approved", reason="符合条件", legal_basis="《条例》第八条"
    )
    if status == CaseStatus.CONCLUDED:
        return case
    if status == CaseStatus.CLOSED:
        return services.case_issue(actor=o.clerk, case_id=case.pk, method="electronic")
    raise ValueError(f"unknown case status {status!r}")
