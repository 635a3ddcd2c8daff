"""黄牌/红牌: manual cards by a supervisor (rule cards come from the sweep, engine.CARD_RULES), appeals
by the department, decisions by a supervisor. Every change is logged as a CardEvent."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from tongban.common.errors import IllegalTransition, NotAllowed, NotFound, ValidationFailed
from tongban.organisations.models import Department, StaffAssignment
from tongban.organisations.scoping import scope_for

from ..choices import CardColor, CardEventKind, CardStatus, SubjectType
from ..models import Card, CardEvent
from ..recipients import Recipients
from ..subjects import subject_label
from ._common import DEPARTMENT_ROLES, local_today, pk_of, require_supervisor, require_text


def _event(card: Card, kind: str, *, actor, before: str, after: str, note: str = "") -> CardEvent:
    return CardEvent.objects.create(
        card=card,
        kind=kind,
        from_status=before,
        to_status=after,
        actor=actor if getattr(actor, "pk", None) else None,
        note=note,
        at=timezone.now(),
    )


def _lock(actor, card_id: int) -> Card:
    card = Card.objects.visible_to(actor).select_for_update(of=("self",)).filter(pk=card_id).first()
    if card is None:
        raise NotFound("该黄牌/红牌记录不存在。")
    return card


def card_issue(
    *,
    actor,
    color: str,
    department,
    reason: str,
    staff=None,
    subject_type: str = "",
    subject_id: int | None = None,
) -> Card:
    """A supervisor shows a card with a reason (manual: no rule key, issued_by recorded)."""
    from .sweep import notify_card

    require_supervisor(actor, action="出示黄牌/红牌")
    if color not in CardColor.values:
        raise ValidationFailed("牌色只能是黄牌或红牌。", field="color")
    reason = require_text(reason, field="reason", label="出示理由")
    department_id = pk_of(department)
    if not department_id or not Department.objects.filter(pk=department_id).exists():
        raise ValidationFailed("请选择被出示的部门。", field="department")
    staff_id = pk_of(staff)
    in_department = StaffAssignment.objects.filter(user_id=staff_id, department_id=department_id)
    if staff_id and not in_department.exists():
        raise ValidationFailed("被出示的工作人员不属于该部门。", field="staff")
    label = ""
    if subject_type:
        if subject_type not in SubjectType.values or not subject_id:
            raise ValidationFailed("关联对象无效。", field="subject_type")
        label, _ = subject_label(subject_type, subject_id)
        if label is None:
            raise ValidationFailed("关联对象不存在。", field="subject_id")
    with transaction.atomic():
        card = Card.objects.create(
            color=color,
            department_id=department_id,
            staff_id=staff_id,
            reason=reason,
            issued_by=actor,
            subject_type=subject_type,
            subject_id=subject_id if subject_type else None,
            subject_label=(label or "")[:200],
            issued_on=local_today(),
        )
        _event(card, CardEventKind.ISSUED, actor=actor, before="", after=card.status, note=reason)
        notify_card(card, Recipients())
        return card


def card_appeal(*, actor, card_id: int, reason: str) -> Card:
    """The department (its approvers or heads) or the carded staff member appeals, with a reason."""
    with transaction.atomic():
        card = _lock(actor, card_id)
        scope = scope_for(actor)
        own_department = card.department_id in scope.departments_for(*DEPARTMENT_ROLES)
        if not (scope.is_superuser or own_department or card.staff_id == getattr(actor, "pk", None)):
            raise NotAllowed("只有被出示部门的工作人员或当事人可以申诉。")
        if card.status != CardStatus.ACTIVE:
            raise IllegalTransition(f"该牌当前状态为“{card.get_status_display()}”，不能申诉。")
        card.appeal_reason = require_text(reason, field="reason", label="申诉理由")
        before = card.status
        card.status, card.appealed_by, card.appealed_at = CardStatus.APPEALED, actor, timezone.now()
        card.save(update_fields=["appeal_reason", "status", "appealed_by", "appealed_at", "updated_at"])
        _event(
            card,
            CardEventKind.APPEALED,
            actor=actor,
            before=before,
            after=card.status,
            note=card.appeal_reason,
        )
        return card


def card_appeal_decide(*, actor, card_id: int, accept: bool, note: str) -> Card:
    """A supervisor decides the appeal: accepted → the card is revoked; rejected → it stands (upheld)."""
    require_supervisor(actor, action="处理申诉")
    with transaction.atomic():
        card = _lock(actor, card_id)
        if card.status != CardStatus.APPEALED:
            raise IllegalTransition(f"该牌当前状态为“{card.get_status_display()}”，没有待处理的申诉。")
        card.decision_note = require_text(note, field="note", label="处理意见")
        before = card.status
        card.status = CardStatus.REVOKED if accept else CardStatus.UPHELD
        card.decided_by, card.decided_at = actor, timezone.now()
        card.save(update_fields=["decision_note", "status", "decided_by", "decided_at", "updated_at"])
        kind = CardEventKind.APPEAL_ACCEPTED if accept else CardEventKind.APPEAL_REJECTED
        _event(card, kind, actor=actor, before=before, after=card.status, note=card.decision_note)
        return card
