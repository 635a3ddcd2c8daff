"""黄牌/红牌: manual cards by a supervisor (rule cards come from the card rules: services.rule_cards and
the opt-in overdue rules of engine), appeals by the department, decisions by a supervisor. Every change
is logged as a CardEvent. A manual card may point to its evidence: a directive, a watch (its red and
escalation warnings are linked)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import transaction
from django.utils import timezone

from tongban.common.errors import NotAllowed, ValidationFailed
from tongban.common.workflow import lock, record, save_with_version
from tongban.organisations.models import Department, StaffAssignment

from ..choices import CardColor, CardEventKind, SubjectType, WarningKind
from ..models import Card, CardEvent, CardWarning, Deadline, Directive, WarningEvent
from ..permissions import can_appeal_card
from ..recipients import Recipients
from ..subjects import subject_label
from ..transitions import CARD
from ._common import local_today, pk_of, require_supervisor, require_text

if TYPE_CHECKING:
    from tongban.common.types import User


def _lock(actor: User, card_id: int) -> Card:
    return lock(Card.objects.visible_to(actor), card_id, missing="该黄牌/红牌记录不存在。")


def _evidence_directive(actor: User, directive) -> Directive | None:
    """The directive a manual card points to, by id or by its number (督办单号)."""
    if directive in (None, ""):
        return None
    if isinstance(directive, Directive):
        return directive
    qs = Directive.objects.visible_to(actor)
    text = str(directive).strip()
    found = qs.filter(pk=int(text)).first() if text.isdigit() else qs.filter(number__iexact=text).first()
    if found is None:
        raise ValidationFailed(f"没有督办单“{text}”。", field="directive")
    return found


def _evidence_watch(actor: User, deadline) -> Deadline | None:
    pk = pk_of(deadline)
    if pk is None or deadline == "":
        return None
    found = Deadline.objects.visible_to(actor).filter(pk=pk).first()
    if found is None:
        raise ValidationFailed("关联的时限监控记录不存在。", field="deadline")
    return found


def card_issue(
    *,
    actor: User,
    color: str,
    department,
    reason: str,
    staff=None,
    subject_type: str = "",
    subject_id: int | None = None,
    directive=None,
    deadline=None,
) -> Card:
    """A supervisor shows a card by hand, with a reason (no rule: `issued_by` says who). Evidence it
    may name: a directive (id or number), a watch (its red/escalation warnings are linked), a subject."""
    from .sweep import notify_card

    require_supervisor(actor, action="出示黄牌/红牌")
    if color not in CardColor.values:
        raise ValidationFailed("牌色只能是黄牌或红牌。", field="color")
    reason = require_text(reason, field="reason", label="出示理由")
    department_id = pk_of(department)
    if not department_id or not Department.objects.filter(pk=department_id).exists():
        raise ValidationFailed("请选择被出示的部门。", field="department")
    staff_id = pk_of(staff)
    if (
        staff_id
        and not StaffAssignment.objects.filter(user_id=staff_id, department_id=department_id).exists()
    ):
        raise ValidationFailed("被出示的工作人员不属于该部门。", field="staff")
    evidence_directive = _evidence_directive(actor, directive)
    watch = _evidence_watch(actor, deadline)
    label: str | None = ""
    if not subject_type and watch is not None:  # the watch names its subject itself
        subject_type, subject_id = watch.subject_type, watch.subject_id
        label = f"{watch.get_subject_type_display()} {watch.reference or watch.subject_id}"
    elif not subject_type and evidence_directive is not None:
        subject_type, subject_id = SubjectType.DIRECTIVE, evidence_directive.pk
        label = f"督办单 {evidence_directive.number}"
    elif subject_type:
        if subject_type not in SubjectType.values or not subject_id:
            raise ValidationFailed("关联对象无效。", field="subject_type")
        if subject_type == SubjectType.DIRECTIVE:
            found = Directive.objects.filter(pk=subject_id).values_list("number", flat=True).first()
            label = f"督办单 {found}" if found else None
        else:
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
            directive=evidence_directive,
            deadline=watch,
            issued_on=local_today(),
        )
        if watch is not None:
            crossings = WarningEvent.objects.filter(
                deadline=watch, kind__in=[WarningKind.RED, WarningKind.ESCALATED]
            ).values_list("pk", flat=True)
            CardWarning.objects.bulk_create([CardWarning(card=card, warning_id=pk) for pk in crossings])
        record(CardEvent, card, CardEventKind.ISSUED, actor=actor, before="", note=reason)
        notify_card(card, Recipients())
        return card


def card_appeal(*, actor: User, card_id: int, reason: str) -> Card:
    """The department (its approvers or heads) or the carded staff member appeals, with a reason."""
    with transaction.atomic():
        card = _lock(actor, card_id)
        if not can_appeal_card(actor, card):
            raise NotAllowed("只有被出示部门的工作人员或当事人可以申诉。")
        after = CARD.target("appeal", card.status)
        card.appeal_reason = require_text(reason, field="reason", label="申诉理由")
        before = card.status
        card.status, card.appealed_by, card.appealed_at = after, actor, timezone.now()
        save_with_version(card, ["appeal_reason", "status", "appealed_by", "appealed_at"])
        record(
            CardEvent,
            card,
            CardEventKind.APPEALED,
            actor=actor,
            before=before,
            note=card.appeal_reason,
        )
        return card


def card_appeal_decide(*, actor: User, card_id: int, accept: bool, note: str) -> Card:
    """A supervisor decides the appeal: accepted → the card is revoked; rejected → it stands (upheld)."""
    require_supervisor(actor, action="处理申诉")
    with transaction.atomic():
        card = _lock(actor, card_id)
        after = CARD.target("accept_appeal" if accept else "reject_appeal", card.status)
        card.decision_note = require_text(note, field="note", label="处理意见")
        before = card.status
        card.status = after
        card.decided_by, card.decided_at = actor, timezone.now()
        save_with_version(card, ["decision_note", "status", "decided_by", "decided_at"])
        kind = CardEventKind.APPEAL_ACCEPTED if accept else CardEventKind.APPEAL_REJECTED
        record(CardEvent, card, kind, actor=actor, before=before, note=card.decision_note)
        return card
