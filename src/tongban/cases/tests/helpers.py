"""Helpers that drive cases through the services in tests."""

from __future__ import annotations

import threading
from contextlib import contextmanager

from django.db import DatabaseError, connections, transaction

from tongban.cases import services
from tongban.cases.models import Case
from tongban.testing.factories import form_for, serial_stages, upload_all


def define_serial(world) -> None:
    """Review by the housing department's approver, then its head's decision."""
    services.process_define(item_id=world.serial_item.pk, stages=serial_stages(world.housing))


def define_parallel(world) -> None:
    services.process_define(
        item_id=world.parallel_item.pk,
        stages=[
            {
                "name": "并联审查",
                "kind": "parallel",
                "lead_department_id": world.housing.pk,
                "joint_limit_days": 2,
                "steps": [
                    {"name": "住建审查", "department_id": world.housing.pk, "limit_days": 5},
                    {"name": "规划审查", "department_id": world.planning.pk, "limit_days": 8},
                    {"name": "消防审查", "department_id": world.fire.pk, "limit_days": 4},
                ],
            },
        ],
    )


def submit_online(world, item=None, *, key: str = "k1", applicant=None) -> Case:
    applicant = applicant or world.applicant
    item = item or world.serial_item
    draft = services.case_draft_save(actor=applicant.user, item_id=item.pk, form_data=form_for(applicant))
    upload_all(draft, applicant.user)
    return services.case_submit(actor=applicant.user, case_id=draft.pk, idempotency_key=key)


def register_at_window(world, item=None, *, applicant=None, upload=True) -> Case:
    applicant = applicant or world.applicant
    case = services.case_intake_register(
        actor=world.clerk,
        item_id=(item or world.serial_item).pk,
        applicant_id=applicant.pk,
        form_data=form_for(applicant),
    )
    if upload:
        upload_all(case, world.clerk)
    return case


def kinds(case: Case) -> list[str]:
    return list(case.events.order_by("at", "id").values_list("kind", flat=True))


@contextmanager
def paused_inside(monkeypatch, module, name: str, action):
    """Run `action` in another thread (its own connection) and pause it inside its transaction where
    it calls `module.name`; the body runs meanwhile, then the action finishes. For lock tests."""
    inside, finish = threading.Event(), threading.Event()
    real = getattr(module, name)

    def held(*args, **kwargs):
        inside.set()
        assert finish.wait(10)
        return real(*args, **kwargs)

    monkeypatch.setattr(module, name, held)

    def run():
        try:
            action()
        finally:
            connections.close_all()

    thread = threading.Thread(target=run)
    thread.start()
    try:
        assert inside.wait(10)
        yield
    finally:
        finish.set()
        thread.join()


def row_is_free(model, pk: int) -> bool:
    """Can this connection lock the row at once (PostgreSQL NOWAIT)?"""
    with transaction.atomic():
        try:
            return model.objects.select_for_update(nowait=True).filter(pk=pk).exists()
        except DatabaseError:
            return False
