"""What a person can actually do for an item on this platform (办理方式), from real configuration.

Why: the catalogue's 网办深度 (`online_depth`) is a standard element the department declares; 158 demo
items declared 在线咨询 and 19 declared 电子证照 while neither existed. The guide (item page, lists,
kiosk) and the public API show capabilities from here only, never the declared depth.

Each capability is provided by the app that implements it, registered from its `AppConfig.ready()`,
so the catalogue imports none of them (DESIGN: lower layers offer registries):

- 网上办理 (`apply_online`): cases — the item takes online applications (declared depth ≥ 在线收件 and
  a valid application form);
- 预约办理 (`book`): hall — a hall's queue for the item's category takes appointments;
- 在线咨询 (`consult`): the hotline, once a consultation channel exists;
- 电子证照 (`e_licence`): licences, once the item really issues e-licences.

A capability with no provider is shown on no item. A provider answers for a batch of items (one or
two queries for a page of results), returning the items that have the capability.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass

from django.db import models


class CapabilityCode(models.TextChoices):
    """The capabilities in the order the guide lists them."""

    APPLY_ONLINE = "apply_online", "网上办理"
    BOOK = "book", "预约办理"
    CONSULT = "consult", "在线咨询"
    E_LICENCE = "e_licence", "电子证照"


@dataclass(frozen=True)
class Capability:
    """One thing a person can do for an item: where (`url`, "" when there is no page) and a sentence."""

    code: str
    label: str
    url: str = ""
    detail: str = ""


# provider(items) -> {item pk: Capability} for the items that have it
Provider = Callable[[Sequence], Mapping[int, Capability]]
_PROVIDERS: dict[str, Provider] = {}


def register_capability(code: str, provider: Provider) -> None:
    """Called by the app that implements `code` (one provider per capability; a new one replaces it)."""
    if code not in CapabilityCode.values:
        raise ValueError(f"unknown capability {code!r}")
    _PROVIDERS[code] = provider


def unregister_capability(code: str) -> None:
    """For tests and for a deployment that switches a capability off."""
    _PROVIDERS.pop(code, None)


def capabilities_for(items: Iterable) -> dict[int, list[Capability]]:
    """{item pk: its capabilities in guide order} for a batch of items (every pk present)."""
    items = list(items)
    result: dict[int, list[Capability]] = {item.pk: [] for item in items}
    if not items:
        return result
    for code in CapabilityCode.values:
        provider = _PROVIDERS.get(code)
        if provider is None:
            continue
        for pk, capability in provider(items).items():
            if pk in result:
                result[pk].append(capability)
    return result


def item_capabilities(item) -> list[Capability]:
    """The capabilities of one item."""
    return capabilities_for([item])[item.pk]


def with_capabilities(items: Iterable) -> list:
    """The items, each with a `capabilities` attribute (for templates rendering lists)."""
    items = list(items)
    by_pk = capabilities_for(items)
    for item in items:
        item.capabilities = by_pk[item.pk]
    return items


def has_capability(item, code: str) -> bool:
    capabilities = getattr(item, "capabilities", None)
    if capabilities is None:
        capabilities = item_capabilities(item)
    return any(c.code == code for c in capabilities)
