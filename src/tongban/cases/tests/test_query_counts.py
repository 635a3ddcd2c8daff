"""Query-count baselines for each step of the case lifecycle (issue 13 point 8).

Each test brings a case to the step, then runs the step's service under pytest-django's
`django_assert_max_num_queries` at today's count, so a change that adds queries to a step fails here
and says which. Each vendor has its own number, measured on it (row locks, PREPAREd hot reads and the
task outbox differ between SQLite and PostgreSQL). A step that got cheaper passes — lower its number.

The counts are of a warm process: each test runs its step once on another case first, so what ran
before in the same worker (compiled hot queries, PREPAREd statements, content types, the calendar
index) cannot change them.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection

from tongban.cases import services
from tongban.cases.choices import StepStatus
from tongban.cases.models import Case, CaseMaterial, Step
from tongban.testing.factories import PDF, form_for, upload_all

from .helpers import define_parallel, define_serial, register_at_window, submit_online

pytestmark = pytest.mark.django_db
_keys = itertools.count(1)

# step: (SQLite, PostgreSQL 15) — measured on 2026-12-08 with the suite's test settings (the larger of
# two runs where they differed by one).
BASELINES: dict[str, tuple[int, int]] = {
    "draft_save": (10, 10),
    "material_upload": (7, 7),
    "submit": (16, 16),
    "intake_register": (19, 19),
    "accept": (26, 27),
    "refuse": (13, 13),
    "request_correction": (15, 15),
    "resubmit": (11, 12),
    "review_serial": (20, 21),
    "review_parallel": (14, 13),
    "review_parallel_last": (22, 22),
    "decide": (16, 16),
    "issue_pickup": (12, 12),
    "issue_post": (8, 8),
    "handle_immediately": (34, 34),
}


def baseline(step: str) -> int:
    sqlite, postgresql = BASELINES[step]
    return postgresql if connection.vendor == "postgresql" else sqlite


def _open_steps(case: Case) -> list[Step]:
    return list(Step.objects.filter(case=case, status=StepStatus.OPEN).order_by("id"))


def _accepted(world, item=None, key: str = "") -> Case:
    if item is None:
        return services.case_accept(actor=world.clerk, case_id=submit_online(world, key=key or _key()).pk)
    return services.case_accept(actor=world.clerk, case_id=register_at_window(world, item).pk)


def _key() -> str:
    return f"k{next(_keys)}"


def _reviewed(world, key: str = "") -> Case:
    """An accepted serial case whose review is done: the head's decision is open."""
    case = _accepted(world, key=key)
    (review,) = _open_steps(case)
    services.step_complete(actor=world.approvers["住建"], step_id=review.pk, outcome="pass", opinion="同意")
    return case


def _decide_call(world, case: Case):
    return lambda: services.case_decide(
        actor=world.heads["住建"], case_id=case.pk, decision="approved", reason="符合", legal_basis="第八条"
    )


def _concluded(world, key: str = "") -> Case:
    return _decide_call(world, _reviewed(world, key))()


def _upload(world, case: Case):
    """The applicant uploads the case's first material (the one the correction names)."""
    material = CaseMaterial.objects.filter(case=case).order_by("id").first()
    services.case_material_upload(
        actor=world.applicant.user,
        case_id=case.pk,
        material_id=material.pk,
        file=SimpleUploadedFile("申请书.pdf", PDF, content_type="application/pdf"),
    )


def _upload_one(world):
    draft = services.case_draft_save(
        actor=world.applicant.user, item_id=world.serial_item.pk, form_data=form_for(world.applicant)
    )
    return lambda: _upload(world, draft)


def _submit(world):
    draft = services.case_draft_save(
        actor=world.applicant.user, item_id=world.serial_item.pk, form_data=form_for(world.applicant)
    )
    upload_all(draft, world.applicant.user)
    return lambda: services.case_submit(actor=world.applicant.user, case_id=draft.pk, idempotency_key=_key())


def _correction_items(case: Case) -> list[dict]:
    first = CaseMaterial.objects.filter(case=case).order_by("id").first()
    return [{"material_id": first.pk, "reason": "缺少签字"}]


def _at_intake(world, action: str):
    """A case submitted online, waiting at intake; the clerk's `action` on it."""
    case = submit_online(world, key=_key())
    if action == "accept":
        return lambda: services.case_accept(actor=world.clerk, case_id=case.pk)
    if action == "refuse":
        return lambda: services.case_refuse(actor=world.clerk, case_id=case.pk, reason="不属于本机关")
    items = _correction_items(case)
    return lambda: services.case_request_correction(actor=world.clerk, case_id=case.pk, items=items)


def _resubmit(world):
    case = submit_online(world, key=_key())
    services.case_request_correction(actor=world.clerk, case_id=case.pk, items=_correction_items(case))
    _upload(world, case)
    return lambda: services.case_resubmit(actor=world.applicant.user, case_id=case.pk)


def _review_parallel(world, *, last: bool):
    case = _accepted(world, world.parallel_item)
    steps = {s.department_id: s for s in _open_steps(case)}
    if last:
        for dept, who in ((world.planning, "规划"), (world.fire, "应急")):
            services.step_complete(
                actor=world.approvers[who], step_id=steps[dept.pk].pk, outcome="pass", opinion="同意"
            )
        step, who = steps[world.housing.pk], "住建"
    else:
        step, who = steps[world.planning.pk], "规划"
    return lambda: services.step_complete(
        actor=world.approvers[who], step_id=step.pk, outcome="pass", opinion="同意"
    )


def _review_serial(world):
    (review,) = _open_steps(_accepted(world))
    return lambda: services.step_complete(
        actor=world.approvers["住建"], step_id=review.pk, outcome="pass", opinion="材料齐全，符合条件"
    )


def _decide(world):
    return _decide_call(world, _reviewed(world))


def _issue(world, method: str):
    case = _concluded(world)
    if method == "pickup":
        return lambda: services.case_issue(
            actor=world.clerk,
            case_id=case.pk,
            method="pickup",
            identity_checked=True,
            receiver_name=world.applicant.name,
            receiver_id_number=world.applicant.id_number,
        )
    return lambda: services.case_issue(
        actor=world.clerk, case_id=case.pk, method="post", tracking_number="1100123456789"
    )


def _handle_immediately(world):
    case = register_at_window(world, world.immediate_item)
    return lambda: services.case_handle_immediately(
        actor=world.clerk,
        case_id=case.pk,
        reason="材料齐全，当场办结",
        decision="approved",
        identity_checked=True,
        receiver_name=world.applicant.name,
        receiver_id_number=world.applicant.id_number,
    )


PREPARE: dict[str, Callable] = {
    "draft_save": lambda w: (
        lambda: services.case_draft_save(
            actor=w.applicant.user, item_id=w.serial_item.pk, form_data=form_for(w.applicant)
        )
    ),
    "material_upload": _upload_one,
    "submit": _submit,
    "intake_register": lambda w: (
        lambda: services.case_intake_register(
            actor=w.clerk,
            item_id=w.serial_item.pk,
            applicant_id=w.applicant.pk,
            form_data=form_for(w.applicant),
        )
    ),
    "accept": lambda w: _at_intake(w, "accept"),
    "refuse": lambda w: _at_intake(w, "refuse"),
    "request_correction": lambda w: _at_intake(w, "request_correction"),
    "resubmit": _resubmit,
    "review_serial": _review_serial,
    "review_parallel": lambda w: _review_parallel(w, last=False),
    "review_parallel_last": lambda w: _review_parallel(w, last=True),
    "decide": _decide,
    "issue_pickup": lambda w: _issue(w, "pickup"),
    "issue_post": lambda w: _issue(w, "post"),
    "handle_immediately": _handle_immediately,
}


@pytest.mark.parametrize("step", list(BASELINES))
def test_step_query_count(step, world, clock, django_assert_max_num_queries):
    define_serial(world)
    define_parallel(world)
    PREPARE[step](world)()  # once unmeasured, so the count is of a warm process
    call = PREPARE[step](world)
    with django_assert_max_num_queries(baseline(step)):
        call()
