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
from .models import (
    ItemEvent,
    LifeEventIntent,
    MaterialRequirement,
    SearchSynonym,
    ServiceItem,
    ServiceItemQuerySet,
)

if TYPE_CHECKING:
    from tongban.common.types import AnyUser

__all__ = [
    "GuideCounts",
    "department_tiles",
    "guide_counts",
    "guide_item",
    "item_draft_of",
    "item_editable_get",
    "item_events",
    "item_get",
    "item_get_published",
    "item_material",
    "item_materials",
    "item_published_by_id",
    "item_version_get",
    "item_versions",
    "items_for_department",
    "items_latest",
    "items_searchable",
    "json_list_has",
    "life_event_admin_list",
    "published_item_ids",
    "published_items",
    "search_row",
    "synonym_list",
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
    once: bool = False,
) -> QuerySet[ServiceItem]:
    """The current catalogue (published versions), narrowed by any of the guide's filters, by code.

    `life_event` is a `LifeEventIntent` (its items) or a 主题分类 code (items carrying that theme);
    `once` keeps the items done in at most one visit (最多跑一次).
    """
    qs = _visible(user).published().select_related("department")
    if once:
        qs = qs.filter(visits_required__lte=1)
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


def items_searchable(*, user: AnyUser | None = None) -> QuerySet[ServiceItem]:
    """The published items the user may see, unsorted: what the guide's search ranks and narrows."""
    return _visible(user).published()


def published_item_ids(**filters) -> QuerySet:
    """The keys of `published_items(**filters)`, so a page of the guide is paginated in SQL (COUNT, then
    one page of keys) and no row outside the page is fetched."""
    return published_items(**filters).values_list("pk", flat=True)


def items_latest(*, user: AnyUser | None = None, limit: int) -> list[ServiceItem]:
    """The most recently published items (the guide home lists them)."""
    return list(
        _visible(user).published().select_related("department").order_by("-published_at", "code")[:limit]
    )


def guide_item(*, code: str, user: AnyUser | None = None) -> ServiceItem | None:
    """The published version of a code with its department and region (the guide page), or None."""
    return _visible(user).published().select_related("department", "region").filter(code=code).first()


def item_materials(item: ServiceItem) -> list[MaterialRequirement]:
    """The item version's materials in their listed order (guide page, kiosk, editing API)."""
    return list(MaterialRequirement.objects.filter(item=item).order_by("position", "pk"))


def item_editable_get(*, user: AnyUser | None, item_id: int) -> ServiceItem | None:
    """One item version the user may see, with its department (editors check their role themselves)."""
    return _visible(user).select_related("department").filter(pk=item_id).first()


def item_draft_of(item: ServiceItem) -> ServiceItem | None:
    """The other, unpublished version of a published item, where its edits belong."""
    if item.status != ItemStatus.PUBLISHED:
        return None
    return ServiceItem.objects.filter(code=item.code, status=ItemStatus.DRAFT).exclude(pk=item.pk).first()


def department_tiles(*, user: AnyUser | None = None) -> list:
    """The guide home's departments with their count of published items (one query)."""
    from tongban.organisations.models import Department

    return list(
        Department.objects.visible_to(user)
        .filter(is_active=True)
        .annotate(n_items=Count("items", filter=Q(items__status=ItemStatus.PUBLISHED)))
        .order_by("sort_order", "pk")
    )


def item_material(item: ServiceItem, material_id: int) -> MaterialRequirement | None:
    """One material of an item version the caller has already found in its scope."""
    return MaterialRequirement.objects.filter(pk=material_id, item=item).first()


def item_version_get(item_id: int) -> ServiceItem:
    """An item version already found in the caller's scope, read again after an edit (the answer shows
    what the service wrote, which may be a new draft version)."""
    return ServiceItem.objects.select_related("department", "region").get(pk=item_id)


def synonym_list() -> QuerySet[SearchSynonym]:
    """Every synonym, for the data administrators (public data: no scoping beyond their role)."""
    return SearchSynonym.objects.all()


def life_event_admin_list() -> QuerySet[LifeEventIntent]:
    """Every life event, the inactive ones too, for the data administrators."""
    return LifeEventIntent.objects.all()


def search_row(
    model: type[SearchSynonym] | type[LifeEventIntent], pk: int
) -> SearchSynonym | LifeEventIntent | None:
    """One synonym or life event by id, or None (the administration API's detail)."""
    return model.objects.filter(pk=pk).first()


def item_published_by_id(item_id: int) -> ServiceItem | None:
    """A published item version by id, with its department: the window takes in ANY department's items
    (综合受理), so no department scoping applies."""
    return (
        ServiceItem.objects.select_related("department")
        .filter(pk=item_id, status=ItemStatus.PUBLISHED)
        .first()
    )
