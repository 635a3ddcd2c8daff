"""The standard queues of a comprehensive hall, so a new hall (or the demo) starts with sensible settings."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import transaction

from tongban.common.errors import NotFound
from tongban.organisations.models import ServiceHall
from tongban.organisations.permissions import require_administrator

from ..models import AppointmentSlotConfig, QueueCategory

if TYPE_CHECKING:
    from tongban.common.types import User

STANDARD_QUEUES = [
    # code, name, item categories, window kinds, bookable
    ("A", "工程建设", ["construction"], [], True),
    ("B", "经营", ["business"], [], True),
    ("C", "公民", ["citizen"], [], True),
    ("D", "综合咨询", [], ["consultation"], False),
    ("E", "出件", [], ["issuance"], False),
]
STANDARD_PERIODS = [["09:00", "12:00"], ["13:30", "17:00"]]


def hall_queues_setup(*, hall_id: int, actor: User | None = None) -> list[QueueCategory]:
    """Create the standard queues A–E and 30-minute appointment slots (5 places) for A–C where missing.

    Idempotent: existing categories and settings are left as they are. `actor` None is the system
    (demo loader, tests); a person must be an administrator.
    """
    if actor is not None:
        require_administrator(actor, action="设置大厅的排队类别")
    with transaction.atomic():
        hall = ServiceHall.objects.filter(pk=hall_id).first()
        if hall is None:
            raise NotFound("大厅不存在。")
        result = []
        for order, (code, name, item_categories, window_kinds, bookable) in enumerate(STANDARD_QUEUES):
            category, _ = QueueCategory.objects.get_or_create(
                hall=hall,
                code=code,
                defaults={
                    "name": name,
                    "item_categories": item_categories,
                    "window_kinds": window_kinds,
                    "sort_order": order,
                },
            )
            if bookable:
                AppointmentSlotConfig.objects.get_or_create(
                    hall=hall,
                    category=category,
                    defaults={
                        "slot_minutes": 30,
                        "capacity": 5,
                        "periods": STANDARD_PERIODS,
                        "days_ahead": 10,
                    },
                )
            result.append(category)
        return result
