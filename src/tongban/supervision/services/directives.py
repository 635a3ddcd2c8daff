"""督办单: issue → respond → close, or reissue (a new order, next round). Each order's response deadline
is itself a watch (subject_type "directive"), so an overdue order turns red and escalates through the
same sweep as everything else."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from django.db import transaction

from tongban.common.errors import ValidationFailed
from tongban.common.pdf.layout import chinese_date
from tongban.common.workflow import lock, record, save_with_version
from tongban.organisations.models import Department
from tongban.workdays.calendar import add_working_days

from ..choices import DeadlineStatus, DirectiveEventKind, SubjectType
from ..models import Deadline, Directive, DirectiveEvent
from ..recipients import Recipients
from ..subjects import case_by_number, case_number_of, directive_subject_types, open_steps, subject_label
from ..transitions import DIRECTIVE
from ._common import local_today, pk_of, require_department_staff, require_supervisor, require_text
from .deadlines import deadline_close, deadline_open
from .rule_cards import directive_late_cards

if TYPE_CHECKING:
    from tongban.common.types import User

MAX_RESPONSE_DAYS = 30

TRANSITIONS = DIRECTIVE.moves


def _lock(actor: User, directive_id: int) -> Directive:
    return lock(
        Directive.objects.visible_to(actor).select_related("department"),
        directive_id,
        missing="督办单不存在。",
    )


def _check_days(response_days: int) -> None:
    if (
        isinstance(response_days, bool)
        or not isinstance(response_days, int)
        or not 1 <= response_days <= MAX_RESPONSE_DAYS
    ):
        raise ValidationFailed(f"反馈时限应为 1 至 {MAX_RESPONSE_DAYS} 个工作日。", field="response_days")


def _create(
    *,
    actor: User,
    subject_type: str,
    subject_id: int,
    label: str,
    department_id: int,
    title: str,
    required_action: str,
    response_days: int,
    today: dt.date,
    previous: Directive | None = None,
) -> Directive:
    due = add_working_days(today, response_days)
    directive = Directive.objects.create(
        subject_type=subject_type,
        subject_id=subject_id,
        subject_label=label[:200],
        case_number=case_number_of(subject_type, subject_id)[:32],
        department_id=department_id,
        title=title,
        required_action=required_action,
        response_days=response_days,
        due_date=due,
        issued_by=actor,
        issued_on=today,
        previous=previous,
        round=(previous.round + 1) if previous else 1,
    )
    directive.number = f"DB{today:%Y}{directive.pk:06d}"
    directive.save(update_fields=["number"])
    record(
        DirectiveEvent,
        directive,
        DirectiveEventKind.ISSUED,
        actor=actor,
        before="",
        note=f"第{directive.round}轮督办：{required_action}",
    )
    # The order's own deadline is watched; its responsible person is the subject's (a step's assignee),
    # whom a card rule targeting people names when the order is ignored or answered late.
    responsible = (
        Deadline.objects.filter(subject_type=subject_type, subject_id=subject_id, status=DeadlineStatus.OPEN)
        .values_list("assignee_id", flat=True)
        .first()
    )
    deadline_open(
        subject_type=SubjectType.DIRECTIVE,
        subject_id=directive.pk,
        title=f"督办：{title}"[:200],
        reference=directive.number,
        department=department_id,
        assignee=responsible,
        started_on=today,
        due_date=due,
        limit_days=response_days,
        today=today,
    )
    _notify_issued(directive)
    return directive


def _notify_issued(directive: Directive) -> None:
    from tongban.notifications.services import notify

    for user in Recipients().department_heads(directive.department_id):
        notify(
            recipient_user=user,
            template="directive.issued",
            context={
                "title": directive.title,
                "content": directive.required_action,
                "due_date": chinese_date(directive.due_date),
            },
            ref=f"directive:{directive.pk}",
            idempotency_key=f"directive:{directive.pk}:issued:{user.pk}",
        )


def _resolve_case(subject_type: str, subject_id: int | None, case_number: str) -> int | None:
    """The subject id of a case or step directive named by its case number (办件编号): the case itself,
    or the case's one open step (several: the caller must choose; a given step must be the case's)."""
    found = case_by_number(case_number)
    if found is None:
        raise ValidationFailed(f"没有编号为“{case_number.strip()}”的办件。", field="case_number")
    case_id, number = found
    if subject_type == SubjectType.CASE:
        if subject_id and subject_id != case_id:
            raise ValidationFailed("办件编号与督办对象编号不一致。", field="case_number")
        return case_id
    steps = open_steps(case_id)
    if subject_id:
        if subject_id not in {pk for pk, _ in steps}:
            raise ValidationFailed(f"所选环节不是办件 {number} 正在办理的环节。", field="subject_id")
        return subject_id
    if not steps:
        raise ValidationFailed(f"办件 {number} 没有正在办理的环节，请督办办件本身。", field="case_number")
    if len(steps) > 1:
        raise ValidationFailed(
            f"办件 {number} 有 {len(steps)} 个正在办理的环节，请选择要督办的环节。", field="subject_id"
        )
    return steps[0][0]


def directive_issue(
    *,
    actor: User,
    subject_type: str,
    subject_id: int | None = None,
    case_number: str = "",
    department=None,
    title: str,
    required_action: str,
    response_days: int,
    today: dt.date | None = None,
) -> Directive:
    """A supervisor issues a 督办单 on a case or one of its steps (named by the case number, 办件编号, or
    by id), or on a department. `today`: the issue date — today, except for the demo's history."""
    require_supervisor(actor, action="发出督办单")
    allowed = directive_subject_types()
    if subject_type not in allowed:
        names = "、".join(SubjectType(t).label for t in allowed)
        raise ValidationFailed(f"督办对象只能是{names}。", field="subject_type")
    title = require_text(title, field="title", label="督办事项", max_length=200)
    required_action = require_text(required_action, field="required_action", label="督办要求")
    _check_days(response_days)
    department_id = pk_of(department)
    if subject_type in (SubjectType.CASE, SubjectType.STEP) and (case_number or "").strip():
        subject_id = _resolve_case(subject_type, subject_id, case_number)
    if subject_type == SubjectType.DEPARTMENT:
        subject_id = subject_id or department_id
        department_id = department_id or subject_id
    if not subject_id:
        field = "case_number" if subject_type in (SubjectType.CASE, SubjectType.STEP) else "subject_id"
        raise ValidationFailed("请指定督办对象（办件请填写办件编号）。", field=field)
    label, owner_department = subject_label(subject_type, subject_id)
    if label is None:
        raise ValidationFailed("督办对象不存在。", field="subject_id")
    department_id = department_id or owner_department
    if not department_id or not Department.objects.filter(pk=department_id).exists():
        raise ValidationFailed("请指定责任部门。", field="department")
    with transaction.atomic():
        return _create(
            actor=actor,
            subject_type=subject_type,
            subject_id=subject_id,
            label=label,
            department_id=department_id,
            title=title,
            required_action=required_action,
            response_days=response_days,
            today=today or local_today(),
        )


def directive_respond(*, actor: User, directive_id: int, response: str) -> Directive:
    """The department answers in the system; the response deadline's watch closes (on time or late)."""
    with transaction.atomic():
        directive = _lock(actor, directive_id)
        require_department_staff(actor, directive.department_id, action="反馈督办单")
        before, after = directive.status, DIRECTIVE.target("respond", directive.status)
        directive.response = require_text(response, field="response", label="反馈内容")
        today = local_today()
        directive.status, directive.responded_by, directive.responded_on = after, actor, today
        directive.responded_on_time = today <= directive.due_date
        save_with_version(
            directive, ["response", "status", "responded_by", "responded_on", "responded_on_time"]
        )
        record(
            DirectiveEvent,
            directive,
            DirectiveEventKind.RESPONDED,
            actor=actor,
            before=before,
            note=directive.response,
        )
        deadline_close(
            subject_type=SubjectType.DIRECTIVE, subject_id=directive.pk, closed_on=today, actor=actor
        )
        if not directive.responded_on_time:
            directive_late_cards(directive, today=today)
        return directive


def directive_close(*, actor: User, directive_id: int, note: str = "") -> Directive:
    """The supervisor accepts the response (or withdraws an unanswered order) and closes it."""
    require_supervisor(actor, action="办结督办单")
    with transaction.atomic():
        directive = _lock(actor, directive_id)
        before, after = directive.status, DIRECTIVE.target("close", directive.status)
        today = local_today()
        directive.status, directive.closed_by, directive.closed_on = after, actor, today
        directive.close_note = (note or "").strip()
        save_with_version(directive, ["status", "closed_by", "closed_on", "close_note"])
        record(
            DirectiveEvent,
            directive,
            DirectiveEventKind.CLOSED,
            actor=actor,
            before=before,
            note=directive.close_note,
        )
        deadline_close(
            subject_type=SubjectType.DIRECTIVE, subject_id=directive.pk, closed_on=today, actor=actor
        )
        return directive


def directive_reissue(
    *,
    actor: User,
    directive_id: int,
    note: str,
    required_action: str | None = None,
    response_days: int | None = None,
) -> Directive:
    """Not satisfied (or no answer): the order ends as "reissued" and a new round is issued to the same
    department, with its own deadline. Returns the new order."""
    require_supervisor(actor, action="重新督办")
    note = require_text(note, field="note", label="重新督办的理由")
    with transaction.atomic():
        old = _lock(actor, directive_id)
        before, after = old.status, DIRECTIVE.target("reissue", old.status)
        days = response_days if response_days is not None else old.response_days
        _check_days(days)
        today = local_today()
        old.status, old.closed_by, old.closed_on, old.close_note = after, actor, today, note
        save_with_version(old, ["status", "closed_by", "closed_on", "close_note"])
        record(
            DirectiveEvent,
            old,
            DirectiveEventKind.REISSUED,
            actor=actor,
            before=before,
            note=note,
        )
        deadline_close(subject_type=SubjectType.DIRECTIVE, subject_id=old.pk, closed_on=today, actor=actor)
        return _create(
            actor=actor,
            subject_type=old.subject_type,
            subject_id=old.subject_id,
            label=old.subject_label,
            department_id=old.department_id,
            title=old.title,
            required_action=(required_action or "").strip() or f"{old.required_action}\n（重新督办：{note}）",
            response_days=days,
            today=today,
            previous=old,
        )
