"""What a message's `ref` ("case:12", "directive:3") points at, for the staff message log: a label and,
where the thing has a page, a link to it. URL names are resolved lazily, so no owning app is imported;
a ref of an unknown kind, or of a page not installed, is shown as it is."""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import NoReverseMatch, reverse

# ref prefix -> (label, URL name of the thing's page, whether that URL takes the id)
REF_KINDS: dict[str, tuple[str, str, bool]] = {
    "case": ("办件", "work:case", True),
    "directive": ("督办单", "supervision:directive", True),
    "card": ("黄牌/红牌", "supervision:card", True),
    "rating_followup": ("差评整改单", "ratings:followups", False),
    "calendar": ("工作日历", "workdays:calendar", False),
}


@dataclass(frozen=True)
class RefLink:
    text: str
    url: str | None


def ref_link(ref: str) -> RefLink | None:
    """The label and link of `ref`, or None for an empty ref."""
    if not ref:
        return None
    prefix, _, key = ref.partition(":")
    kind = REF_KINDS.get(prefix)
    if kind is None or not key:
        return RefLink(ref, None)
    label, url_name, takes_id = kind
    try:
        url = reverse(url_name, args=[int(key)]) if takes_id else reverse(url_name)
    except (NoReverseMatch, ValueError):
        url = None
    return RefLink(f"{label} {key}", url)
