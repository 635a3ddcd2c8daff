"""Reads of the catalogue. Every query starts from `ServiceItem.objects.visible_to(user)` (DESIGN rule 3):
anonymous users and applicants see published items only; department staff also their department's
drafts and retired versions; administrators and supervisors everything.

The JSON list columns (applicant kinds, life events) are filtered with a quoted `icontains` on their
JSON text (`"natural"`), which both SQLite and PostgreSQL answer in SQL, so lists stay paginatable.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db.models import Count, Prefetch, Q, QuerySet

from tongban.common.errors import NotFound, ValidationFailed

from .choices import ApplicantKind, ItemCategory, ItemStatus, LifeEvent
from .models import ItemEvent, LifeEventIntent, MaterialRequirement, ServiceItem, ServiceItemQuerySet

if TYPE_CHECKING:
    from tongban.common.types import AnyUser

__all__ = [
    "GuideCounts",
    "guide_counts",
    "item_events",
    "item_get",
    "item_get_published",
    "item_versions",
    "items_for_department",
    "json_list_has",
    "published_items",
]


def json_list_has(field: str, value: str) -> Q:
    """Items whose JSON list column `field` holds the code `value` (an ASCII choice value).

    A quoted `icontains` on the JSON text: SQLite and PostgreSQL both answer it in SQL, and the quotes
    keep one code from matching inside another.
    """
    return Q(**{f"{field}__icontains": f'"{value}"'})


@dataclass(frozen=True)
class GuideCounts:
    """Published items in total and per browse tile (every choice value present, zero if no item)."""

    total: int
    categories: dict[str, int]
    applicant_kinds: dict[str, int]
    life_events: dict[str, int]


def guide_counts(*, user: AnyUser | None = None) -> GuideCounts:
    """The guide home's tile counts: one GROUP BY over the published items' tile columns.

    Why: the home page used to fetch every published row and decode its two JSON columns in Python.
    Items share few distinct (category, applicant kinds, life events) combinations — 57 for the 158 demo
    items — so the database groups them and Python adds up one row per combination. An item counts
    once per kind/event however often a code repeats in its list; unknown codes are not counted.
    (Twenty conditional COUNTs in one query would scan once too, but the ORM takes ~8 ms to compile them.)
    """
    categories = dict.fromkeys(ItemCategory.values, 0)
    kinds = dict.fromkeys(ApplicantKind.values, 0)
    events = dict.fromkeys(LifeEvent.values, 0)
    total = 0
    rows = (
        _visible(user)
        .published()
        .order_by()
        .values_list("category", "applicant_kinds", "life_events")
        .annotate(n=Count("pk"))
    )
    for category, item_kinds, item_events, n in rows:
        total += n
        if category in categories:
            categories[category] += n
        for kind in set(item_kinds or []):
            if kind in kinds:
                kinds[kind] += n
        for event in set(item_events or []):
            if event in events:
                events[event] += n
    return GuideCounts(total=total, categories=categories, applicant_kinds=kinds, life_events=events)


def _visible(user: AnyUser | None) -> ServiceItemQuerySet:
    return ServiceItem.objects.visible_to(user)


def _with_details(qs: QuerySet[ServiceItem]) -> QuerySet[ServiceItem]:
    return qs.select_related("department", "region").prefetch_related(
        Prefetch("materials", queryset=MaterialRequirement.objects.order_by("position"))
    )


def published_items(
    *,
    user: AnyUser | None = None,
    category: str | None = None,
    department_id: int | None = None,
    applicant_kind: str | None = None,
    life_event: LifeEventIntent | str | None = None,
    item_type: str | None = None,
) -> QuerySet[ServiceItem]:
    """The current catalogue (published versions), narrowed by any of the guide's filters, by code.

    `life_event` is a `LifeEventIntent` (its items) or a 主题分类 code (items carrying that theme).
    """
    qs = _visible(user).published().select_related("department")
    if category:
        qs = qs.filter(category=category)
    if department_id:
        qs = qs.filter(department_id=department_id)
    if item_type:
        qs = qs.filter(item_type=item_type)
    if applicant_kind:
        qs = qs.filter(json_list_has("applicant_kinds", applicant_kind))
    if isinstance(life_event, LifeEventIntent):  # a life event: its listed items and its theme's
        from .life_events import life_event_q

        qs = qs.filter(life_event_q(life_event))
    elif life_event:  # a 主题分类 code
        qs = qs.filter(json_list_has("life_events", life_event))
    return qs.order_by("code")


def item_get_published(*, code: str, user: AnyUser | None = None) -> ServiceItem:
    """The published version of a code, with department, region and materials; NotFound otherwise."""
    item = _with_details(_visible(user).published().filter(code=code)).first()
    if item is None:
        raise NotFound(f"事项 {code} 不存在或未发布。", field="code")
    return item


def item_get(*, pk: int, user: AnyUser | None = None) -> ServiceItem:
    """One version by id, if the user may see it (drafts only for their department or administrators)."""
    item = _with_details(_visible(user).filter(pk=pk)).first()
    if item is None:
        raise NotFound("事项不存在。")
    return item


def item_versions(*, code: str, user: AnyUser | None = None) -> QuerySet[ServiceItem]:
    """Every version of a code the user may see, newest first."""
    return _visible(user).filter(code=code).select_related("department").order_by("-version")


def items_for_department(
    *, department_id: int, user: AnyUser | None = None, status: str | None = None
) -> QuerySet[ServiceItem]:
    """A department's items (all versions the user may see, or one status), by code then newest version."""
    qs = _visible(user).filter(department_id=department_id).select_related("department")
    if status:
        if status not in ItemStatus.values:
            raise ValidationFailed(f"事项状态：未知的状态 {status}。", field="status")
        qs = qs.filter(status=status)
    return qs.order_by("code", "-version")


def item_events(*, code: str, user: AnyUser | None = None) -> QuerySet[ItemEvent]:
    """The change log of a code (all versions), newest first."""
    return ItemEvent.objects.visible_to(user).filter(code=code).select_related("actor", "item")


def published_limit_profile() -> list[tuple[int, str, int, str, int]]:
    """(promised, unit, statutory, unit, number of items) over published items: one grouped query, a few
    dozen rows whatever the size of the catalogue (limits are small integers). For the calendar horizon
    (registered with `workdays.hooks` in `apps.py`)."""
    rows = (
        ServiceItem.objects.filter(status=ItemStatus.PUBLISHED)
        .values_list("promised_limit", "promised_limit_unit", "statutory_limit", "statutory_limit_unit")
        .annotate(n=Count("id"))
        .order_by()
    )
    return list(rows)
