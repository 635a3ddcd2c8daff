"""Background work of the working-day calendar (django-tasks): idempotent, run daily by the scheduler.

Why: the calendar must never run out, and next year's official schedule has to be imported by hand
once the State Council publishes it. The daily job keeps provisional years (from the holiday law) at
least two years ahead, then tells the administrators when the official calendar nears its end, so the
dates computed past it — provisional, 暂定 — are replaced by official ones (selectors.calendar_horizon).
"""

from __future__ import annotations

from datetime import date

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django_tasks import task

from tongban.common.public_url import public_url

from .choices import HorizonLevel
from .selectors import Horizon, calendar_horizon

TEMPLATE = "calendar.horizon"


def horizon_key(horizon: Horizon, user_id: int) -> str:
    """One event per missing year, level and administrator: a level is announced once, a new level
    (warning → urgent) or a new missing year (after 2027 is imported, 2028) is announced again."""
    return f"calendar:horizon:{horizon.missing_year}:{horizon.level}:{user_id}"


def horizon_recipients() -> list:
    """Active administrators (the role that may import the calendar) and active superusers."""
    from django.contrib.auth import get_user_model
    from django.db.models import Q

    from tongban.organisations.choices import StaffRole

    return list(
        get_user_model()
        .objects.filter(is_active=True)
        .filter(Q(assignments__role=StaffRole.ADMINISTRATOR) | Q(is_superuser=True))
        .distinct()
        .order_by("pk")
    )


def calendar_horizon_notify(*, today: date | None = None) -> int:
    """Tell every administrator (in-app and e-mail) when the calendar horizon is not ok; returns the
    number of administrators told this time (0 when ok or when all of them were told before).

    Idempotent: the notification's idempotency key names the missing year and the level, so running
    again the same day, or every day of the same level, sends nothing twice.
    """
    from tongban.common.pdf.layout import chinese_date
    from tongban.notifications.choices import Channel
    from tongban.notifications.models import Message
    from tongban.notifications.services import notify

    horizon = calendar_horizon(today or timezone.localdate())
    if horizon.level == HorizonLevel.OK:
        return 0
    recipients = horizon_recipients()
    keys = {u.pk: horizon_key(horizon, u.pk) for u in recipients}
    told = set(
        Message.objects.filter(
            idempotency_key__in=[f"{k}:{Channel.IN_APP}" for k in keys.values()]
        ).values_list("recipient_id", flat=True)
    )
    context = {
        "year": horizon.missing_year,
        "level": horizon.level_label,
        "days_left": horizon.working_days_left,
        "last_day": chinese_date(horizon.last_official) if horizon.last_official else "（无）",
        "provisional_items": horizon.provisional_items,
        "import_url": public_url(reverse("admin:workdays_workcalendar_import")),
    }
    sent = 0
    with transaction.atomic():
        for user in recipients:
            if user.pk in told:
                continue
            notify(
                recipient_user=user,
                email=user.email or "",
                template=TEMPLATE,
                context=context,
                channels=(Channel.IN_APP, Channel.EMAIL),
                ref=f"calendar:{horizon.missing_year}",
                idempotency_key=keys[user.pk],
            )
            sent += 1
    return sent


@task()
def calendar_horizon_check_task() -> int:
    """Daily: keep provisional years ahead (the clock never runs out), then warn the administrators
    while next year's official schedule is missing (once per level)."""
    from .services import calendar_provisional_extend

    calendar_provisional_extend()
    return calendar_horizon_notify()
