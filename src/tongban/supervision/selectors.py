"""Reads of supervision, always through `.visible_to(user)` (DESIGN rule 3).

These are the building blocks of the supervision screen and the performance figures: counts by level,
department and hall are GROUP BY queries over the indexed (status, level, department|hall) columns.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from django.apps import apps
from django.db.models import Case, Count, IntegerField, OuterRef, Prefetch, Q, QuerySet, Subquery, Value, When

from tongban.common.errors import NotAllowed, NotFound

from .choices import DeadlineStatus, DirectiveStatus, Level
from .models import (
    Card,
    CardEvent,
    CardRule,
    CardRuleEvent,
    Deadline,
    Directive,
    DirectiveEvent,
    WarningEvent,
)
from .permissions import can_supervise
from .subjects import normalise_case_number

if TYPE_CHECKING:
    from tongban.common.types import AnyUser

LEVEL_RANK = Case(
    When(level=Level.RED, then=Value(2)),
    When(level=Level.YELLOW, then=Value(1)),
    default=Value(0),
    output_field=IntegerField(),
)

# ordering parameter -> order_by; the default puts the most urgent first.
DEADLINE_ORDERINGS: dict[str, tuple[str, ...]] = {
    "urgency": ("-level_rank", "-escalation_level", "due_date", "id"),
    "due_date": ("due_date", "id"),
    "-due_date": ("-due_date", "-id"),
    "department": ("department__name", "due_date", "id"),
    "opened": ("-opened_at", "-id"),
}


def deadline_list(
    *,
    user: AnyUser,
    level: str | None = None,
    department_id: int | None = None,
    hall_id: int | None = None,
    subject_type: str | None = None,
    status: str | None = DeadlineStatus.OPEN,
    ordering: str = "urgency",
) -> QuerySet[Deadline]:
    """Watches the user may see, filtered and sorted (unknown orderings fall back to urgency)."""
    qs = Deadline.objects.visible_to(user).select_related("department", "hall", "assignee")
    if status:
        qs = qs.filter(status=status)
    if level:
        qs = qs.filter(level=level)
    if department_id:
        qs = qs.filter(department_id=department_id)
    if hall_id:
        qs = qs.filter(hall_id=hall_id)
    if subject_type:
        qs = qs.filter(subject_type=subject_type)
    return qs.annotate(level_rank=LEVEL_RANK).order_by(
        *DEADLINE_ORDERINGS.get(ordering, DEADLINE_ORDERINGS["urgency"])
    )


def deadline_find(*, user: AnyUser, deadline_id: int) -> Deadline | None:
    """A watch in any status the user may see, or None: the evidence a new card may cite."""
    return deadline_list(user=user, status=None).filter(pk=deadline_id).first()


def deadline_get(*, user: AnyUser, deadline_id: int) -> Deadline:
    d = (
        Deadline.objects.visible_to(user)
        .select_related("department", "hall", "assignee", "item")
        .filter(pk=deadline_id)
        .first()
    )
    if d is None:
        raise NotFound("时限监控记录不存在。")
    return d


def deadline_events(*, user: AnyUser, deadline_id: int) -> QuerySet[WarningEvent]:
    return (
        WarningEvent.objects.visible_to(user)
        .filter(deadline_id=deadline_id)
        .select_related("actor")
        .order_by("at", "id")
    )


def level_counts(*, user: AnyUser, subject_type: str | None = None) -> dict[str, int]:
    """{"normal": n, "yellow": n, "red": n} over open watches."""
    qs = Deadline.objects.visible_to(user).filter(status=DeadlineStatus.OPEN)
    if subject_type:
        qs = qs.filter(subject_type=subject_type)
    counts = dict.fromkeys(Level.values, 0)
    for row in qs.values("level").annotate(n=Count("id")).order_by():
        counts[row["level"]] = row["n"]
    return counts


def _counts_by(user: AnyUser, key: str, name: str, subject_type: str | None) -> list[dict]:
    qs = Deadline.objects.visible_to(user).filter(status=DeadlineStatus.OPEN)
    if subject_type:
        qs = qs.filter(subject_type=subject_type)
    rows = (
        qs.values(key, name)
        .annotate(
            total=Count("id"),
            yellow=Count("id", filter=Q(level=Level.YELLOW)),
            red=Count("id", filter=Q(level=Level.RED)),
        )
        .order_by("-red", "-yellow", name)
    )
    return [
        {"id": r[key], "name": r[name] or "—", "total": r["total"], "yellow": r["yellow"], "red": r["red"]}
        for r in rows
    ]


def counts_by_department(*, user: AnyUser, subject_type: str | None = None) -> list[dict]:
    """Per department: open, yellow, red — most red first."""
    return _counts_by(user, "department_id", "department__name", subject_type)


def counts_by_hall(*, user: AnyUser, subject_type: str | None = None) -> list[dict]:
    """Per intake hall (watches without a hall under "—")."""
    return _counts_by(user, "hall_id", "hall__name", subject_type)


def most_overdue(*, user: AnyUser, limit: int = 10, subject_type: str | None = None) -> QuerySet[Deadline]:
    """Open red watches, longest overdue first (earliest due date)."""
    qs = deadline_list(user=user, level=Level.RED, subject_type=subject_type, ordering="due_date")
    return qs[:limit]


# ---- directives ----------------------------------------------------------------------------------


def _with_case_id(qs: QuerySet[Directive]) -> QuerySet[Directive]:
    """Each directive with the id of the case its case number names (for a link to the case page)."""
    case = apps.get_model("cases", "Case")
    return qs.annotate(case_id=Subquery(case.objects.filter(number=OuterRef("case_number")).values("pk")[:1]))


def directive_list(
    *,
    user: AnyUser,
    status: str | None = None,
    department_id: int | None = None,
    overdue_on: dt.date | None = None,
    case_number: str | None = None,
) -> QuerySet[Directive]:
    qs = _with_case_id(Directive.objects.visible_to(user).select_related("department", "issued_by"))
    if case_number:
        qs = qs.filter(case_number=normalise_case_number(case_number))
    if status:
        qs = qs.filter(status=status)
    if department_id:
        qs = qs.filter(department_id=department_id)
    if overdue_on:
        qs = qs.filter(status=DirectiveStatus.ISSUED, due_date__lt=overdue_on)
    return qs.order_by("-issued_on", "-id")


def directive_get(*, user: AnyUser, directive_id: int) -> Directive:
    d = (
        _with_case_id(Directive.objects.visible_to(user))
        .select_related("department", "issued_by", "responded_by", "closed_by", "previous")
        .filter(pk=directive_id)
        .first()
    )
    if d is None:
        raise NotFound("督办单不存在。")
    return d


def directive_events(*, user: AnyUser, directive_id: int) -> QuerySet[DirectiveEvent]:
    return DirectiveEvent.objects.visible_to(user).filter(directive_id=directive_id).select_related("actor")


def directive_response_rates(
    *, user: AnyUser, since: dt.date | None = None, until: dt.date | None = None
) -> list[dict]:
    """Per department over directives issued in [since, until]: issued, responded, responded on time,
    and the response rate and on-time rate (None when nothing was issued)."""
    qs = Directive.objects.visible_to(user)
    if since:
        qs = qs.filter(issued_on__gte=since)
    if until:
        qs = qs.filter(issued_on__lte=until)
    rows = (
        qs.values("department_id", "department__name")
        .annotate(
            issued=Count("id"),
            responded=Count("id", filter=Q(responded_on__isnull=False)),
            on_time=Count("id", filter=Q(responded_on_time=True)),
        )
        .order_by("department__name")
    )
    out = []
    for r in rows:
        issued = r["issued"]
        out.append(
            {
                "department_id": r["department_id"],
                "department": r["department__name"],
                "issued": issued,
                "responded": r["responded"],
                "responded_on_time": r["on_time"],
                "response_rate": round(r["responded"] / issued, 4) if issued else None,
                "on_time_rate": round(r["on_time"] / issued, 4) if issued else None,
            }
        )
    return out


# ---- cards ---------------------------------------------------------------------------------------


def card_list(
    *,
    user: AnyUser,
    color: str | None = None,
    status: str | None = None,
    department_id: int | None = None,
    rule_id: int | None = None,
) -> QuerySet[Card]:
    qs = Card.objects.visible_to(user).select_related("department", "staff", "issued_by", "rule", "directive")
    if rule_id:
        qs = qs.filter(rule_id=rule_id)
    if color:
        qs = qs.filter(color=color)
    if status:
        qs = qs.filter(status=status)
    if department_id:
        qs = qs.filter(department_id=department_id)
    return qs.order_by("-issued_on", "-id")


def card_get(*, user: AnyUser, card_id: int) -> Card:
    warnings = WarningEvent.objects.select_related("deadline").order_by("at", "id")
    card = (
        Card.objects.visible_to(user)
        .select_related(
            "department", "staff", "issued_by", "appealed_by", "decided_by", "rule", "directive", "deadline"
        )
        .prefetch_related(Prefetch("warnings", queryset=warnings))
        .filter(pk=card_id)
        .first()
    )
    if card is None:
        raise NotFound("该黄牌/红牌记录不存在。")
    return card


def card_events(*, user: AnyUser, card_id: int) -> QuerySet[CardEvent]:
    return CardEvent.objects.visible_to(user).filter(card_id=card_id).select_related("actor")


def card_counts_by_department(
    *, user: AnyUser, since: dt.date | None = None, until: dt.date | None = None
) -> list[Mapping[str, Any]]:
    """Cards that stand (not revoked) per department and colour, for the figures."""
    qs = Card.objects.visible_to(user).exclude(status="revoked")
    if since:
        qs = qs.filter(issued_on__gte=since)
    if until:
        qs = qs.filter(issued_on__lte=until)
    return list(
        qs.values("department_id", "department__name")
        .annotate(
            yellow=Count("id", filter=Q(color="yellow")),
            red=Count("id", filter=Q(color="red")),
        )
        .order_by("-red", "-yellow", "department__name")
    )


# ---- card rules ----------------------------------------------------------------------------------


def _require_rule_reader(user: AnyUser) -> None:
    if not can_supervise(user):
        raise NotAllowed("只有监察人员或管理员可以查看出牌规则。")


def card_rule_list(*, user: AnyUser, active: bool | None = None) -> QuerySet[CardRule]:
    """All card rules (supervisors and administrators read them; administrators change them)."""
    _require_rule_reader(user)
    qs = CardRule.objects.select_related("updated_by").annotate(card_count=Count("cards"))
    if active is not None:
        qs = qs.filter(active=active)
    return qs.order_by("-active", "trigger", "key")


def card_rule_get(*, user: AnyUser, rule_id: int) -> CardRule:
    _require_rule_reader(user)
    rule = (
        CardRule.objects.select_related("updated_by")
        .annotate(card_count=Count("cards"))
        .prefetch_related(Prefetch("events", queryset=CardRuleEvent.objects.select_related("actor")))
        .filter(pk=rule_id)
        .first()
    )
    if rule is None:
        raise NotFound("出牌规则不存在。")
    return rule


def card_rule_names() -> list[tuple[int, str]]:
    """(id, name) of every rule, for filtering a card list (anyone who sees cards sees their rule's name)."""
    return list(CardRule.objects.order_by("name").values_list("pk", "name"))
