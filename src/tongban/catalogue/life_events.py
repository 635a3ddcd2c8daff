"""Reads of the life events (人生事件) for the guide and the API: which events to show, and their items.

An event's items are its listed codes in their order (the published version of each), then the other
published items of its theme (主题分类), by code. Every read starts from the items the user may see
(`ServiceItem.objects.visible_to(user).published()`), like the rest of the guide.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db.models import Q, QuerySet

from tongban.common.errors import NotFound

from .models import LifeEventIntent, ServiceItem
from .selectors import GuideCounts, json_list_has

if TYPE_CHECKING:
    from tongban.common.types import AnyUser

__all__ = [
    "EventTile",
    "life_event_get",
    "life_event_items",
    "life_event_q",
    "life_event_tiles",
    "life_events",
]


@dataclass(frozen=True)
class EventTile:
    value: str
    label: str
    count: int


def life_events() -> QuerySet[LifeEventIntent]:
    """The active life events, in their order (public data: no scoping)."""
    return LifeEventIntent.objects.filter(is_active=True).order_by("sort_order", "code")


def life_event_get(*, code: str) -> LifeEventIntent:
    event = life_event_find(code)
    if event is None:
        raise NotFound(f"人生事件 {code} 不存在或已停用。", field="life_event")
    return event


def life_event_q(event: LifeEventIntent) -> Q:
    """Items of the event: its listed codes, and its theme's items."""
    q = Q(code__in=list(event.item_codes or []))
    if event.theme:
        q |= json_list_has("life_events", event.theme)
    return q


def _published(user: AnyUser | None) -> QuerySet[ServiceItem]:
    return ServiceItem.objects.visible_to(user).published()


def life_event_items(*, event: LifeEventIntent, user: AnyUser | None = None) -> tuple[list, list]:
    """(the listed items in the event's order, the theme's other items by code), published only."""
    items = list(_published(user).filter(life_event_q(event)).select_related("department").order_by("code"))
    order = {code: n for n, code in enumerate(event.item_codes or [])}
    listed = sorted((i for i in items if i.code in order), key=lambda i: order[i.code])
    return listed, [i for i in items if i.code not in order]


def life_event_tiles(*, counts: GuideCounts, user: AnyUser | None = None) -> list[EventTile]:
    """One tile per active event with its number of items: the theme's count (from the guide's counts)
    plus the listed items outside the theme — two queries whatever the catalogue's size."""
    events = list(life_events().values_list("code", "name", "theme", "item_codes"))
    listed = {c for *_rest, codes in events for c in codes or []}
    themes_of = (
        dict(_published(user).filter(code__in=listed).values_list("code", "life_events")) if listed else {}
    )
    tiles = []
    for code, name, theme, codes in events:
        extra = sum(1 for c in set(codes or []) if c in themes_of and theme not in (themes_of[c] or []))
        tiles.append(EventTile(code, name, (counts.life_events.get(theme, 0) if theme else 0) + extra))
    return tiles


def life_event_find(code: str) -> LifeEventIntent | None:
    """One active life event by code, or None (a stale filter link is dropped, not an error)."""
    return life_events().filter(code=code).first()


def life_event_choices() -> list[tuple[str, str]]:
    """(code, name) of the active life events, for filters and the API's error message."""
    return list(life_events().values_list("code", "name"))
