"""预约办理 in the guide: shown on an item exactly when a hall takes appointments for it (see
`selectors.booking_halls`, the rule booking itself follows), linking to the booking page with the item
filled in (and the hall, when only one hall takes them)."""

from __future__ import annotations

from collections.abc import Sequence
from urllib.parse import urlencode

from django.urls import reverse
from django.utils.translation import gettext as _

from tongban.catalogue.capabilities import Capability, CapabilityCode

from .selectors import booking_halls


def book_capabilities(items: Sequence) -> dict[int, Capability]:
    halls = booking_halls({i.category for i in items})
    result = {}
    for item in items:
        offered = halls.get(item.category) or []
        if not offered:
            continue
        query = {"item": item.code}
        if len(offered) == 1:
            query["hall"] = offered[0].code
        names = "、".join(h.name for h in offered[:3]) + (_("等") if len(offered) > 3 else "")
        result[item.pk] = Capability(
            code=CapabilityCode.BOOK,
            label=CapabilityCode.BOOK.label,
            url=f"{reverse('hall:book')}?{urlencode(query)}",
            detail=_("可预约到%(halls)s办理，到场签到后优先叫号。") % {"halls": names},
        )
    return result
