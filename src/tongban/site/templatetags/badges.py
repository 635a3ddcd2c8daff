"""`{% nav_badge url %}`: the count next to a menu entry (common.badges), with its meaning for screen
readers; nothing when there is nothing to count."""

from __future__ import annotations

from django import template
from django.utils.html import format_html

register = template.Library()


@register.simple_tag(takes_context=True)
def nav_badge(context, url: str) -> str:
    counts = context.get("NAV_BADGES") or {}
    badge = counts.get(url) if counts else None
    if badge is None:
        return ""
    return format_html(
        '<span class="badge rounded-pill text-bg-danger ms-1" data-badge="{}">{}'
        '<span class="visually-hidden">{}</span></span>',
        badge.n,
        badge.n,
        badge.phrase,
    )
