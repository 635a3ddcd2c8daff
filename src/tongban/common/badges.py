"""Counts where people look for them: the menu's badges and the account page (issue 12 point 8).

Unread messages, services waiting for a rating, corrections waiting for the applicant — each is one
cheap COUNT the owning app registers from its `AppConfig.ready()` against its menu entry's URL name, so
this kernel module imports none of them. Counts are computed once per request, and only when a page
shows them (the context processor hands templates a lazy object).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.urls import NoReverseMatch, reverse


@dataclass(frozen=True)
class Badge:
    """A registered count: the menu entry it belongs to (URL name), a phrase for screen readers and the
    account page ("条未读消息"), and the function counting it for a logged-in user."""

    url_name: str
    phrase: str
    count: Callable[[object], int]


_BADGES: dict[str, Badge] = {}


def register_badge(url_name: str, phrase: str, count: Callable[[object], int]) -> None:
    _BADGES[url_name] = Badge(url_name, phrase, count)


@dataclass(frozen=True)
class BadgeCount:
    key: str  # the menu entry's URL name, e.g. "notifications:inbox"
    url: str
    phrase: str
    n: int


def badge_counts(user) -> dict[str, BadgeCount]:
    """{menu URL: its count} for the user (nothing for visitors); entries of apps not installed, or
    whose count is zero, are left out."""
    if user is None or not getattr(user, "is_authenticated", False):
        return {}
    result = {}
    for badge in _BADGES.values():
        try:
            url = reverse(badge.url_name)
        except NoReverseMatch:
            continue
        n = badge.count(user)
        if n:
            result[url] = BadgeCount(key=badge.url_name, url=url, phrase=badge.phrase, n=n)
    return result
