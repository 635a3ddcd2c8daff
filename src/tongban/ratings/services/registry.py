"""Registering the services a person can rate.

`ratable_register` is the one entry point (hall, cases and the hotline may call it when a service ends);
`ratables_register_sweep` finds served tickets, concluded online cases and used kiosk sessions that are
not registered yet, so no other app needs a hook for ratings to work.
"""

from __future__ import annotations

import datetime as dt
import secrets
from typing import TYPE_CHECKING

from django.db import IntegrityError, transaction
from django.db.models import Exists, Expression, OuterRef
from django.utils import timezone

from tongban.common.errors import ValidationFailed

from .. import conf
from ..choices import ServiceKind
from ..models import RatableService

if TYPE_CHECKING:
    from tongban.common.types import User

# Fields `ratable_register` fills in later when a first registration did not know them yet (a ticket
# finished before the clerk linked its case).
_FILLABLE = ("department_id", "item_id", "applicant_id", "user_id", "staff_id", "window_id", "hall_id")


def _pk(value) -> int | None:
    return None if value is None else getattr(value, "pk", value)


def new_token() -> str:
    return secrets.token_urlsafe(18)


def ratable_register(
    *,
    kind: str,
    reference_id: int,
    served_at: dt.datetime,
    title: str,
    reference: str = "",
    department=None,
    hall=None,
    window=None,
    staff=None,
    item=None,
    applicant=None,
    user: User | None = None,
) -> RatableService:
    """Make a service ratable (idempotent per kind + reference id). Called again for an unrated service,
    it fills in what was unknown before (department, item, person …) and never overwrites."""
    if kind not in ServiceKind.values:
        raise ValidationFailed(f"服务类型“{kind}”无效。", field="kind")
    if served_at is None or timezone.is_naive(served_at):
        raise ValidationFailed("服务时间必须是带时区的时间。", field="served_at")
    if not (title or "").strip():
        raise ValidationFailed("请填写服务内容。", field="title")
    values = {
        "department_id": _pk(department),
        "hall_id": _pk(hall),
        "window_id": _pk(window),
        "staff_id": _pk(staff),
        "item_id": _pk(item),
        "applicant_id": _pk(applicant),
        "user_id": _pk(user),
    }
    with transaction.atomic():
        existing = (
            RatableService.objects.select_for_update().filter(kind=kind, reference_id=reference_id).first()
        )
        if existing is None:
            try:
                with transaction.atomic():
                    return RatableService.objects.create(
                        kind=kind,
                        reference_id=reference_id,
                        reference=(reference or "")[:64],
                        title=title.strip()[:200],
                        served_at=served_at,
                        # natural days: a plain calendar offset, not a working-day deadline
                        rate_by=served_at + dt.timedelta(days=conf.default_after_days()),
                        token=new_token(),
                        **values,
                    )
            except IntegrityError:
                existing = RatableService.objects.select_for_update().get(
                    kind=kind, reference_id=reference_id
                )
        if existing.rated:
            return existing
        changed = [f for f in _FILLABLE if getattr(existing, f) is None and values[f] is not None]
        for f in changed:
            setattr(existing, f, values[f])
        if changed:
            existing.save(update_fields=[f.removesuffix("_id") for f in changed])
        return existing


def _ticket_values(ticket) -> dict:
    """What a rating of a window visit is counted against: the window's department for a department
    window, otherwise the department of the first case linked to the visit."""
    from tongban.cases.models import Case

    link = ticket.case_links.order_by("linked_at", "id").first()
    case = Case.objects.select_related("item", "applicant").filter(pk=link.case_id).first() if link else None
    window = ticket.window
    department_id = getattr(window, "department_id", None) or (case.item.department_id if case else None)
    applicant = ticket.applicant or (case.applicant if case else None)
    title = f"{case.item.name}（窗口办理）" if case else f"窗口服务 {ticket.category.name}"
    return {
        "kind": ServiceKind.WINDOW_VISIT,
        "reference_id": ticket.pk,
        "reference": f"{ticket.number} {ticket.service_date:%Y-%m-%d}",
        "title": title,
        "served_at": ticket.ended_at,
        "department": department_id,
        "hall": ticket.hall_id,
        "window": ticket.window_id,
        "staff": ticket.served_by_id,
        "item": case.item_id if case else None,
        "applicant": applicant,
        "user": getattr(applicant, "user_id", None) if applicant else None,
    }


def register_ticket(ticket) -> RatableService:
    return ratable_register(**_ticket_values(ticket))


def register_case(case) -> RatableService:
    return ratable_register(
        kind=ServiceKind.ONLINE_CASE,
        reference_id=case.pk,
        reference=case.number or "",
        title=case.item.name,
        served_at=case.concluded_at,
        department=case.item.department_id,
        hall=case.intake_hall_id,
        staff=case.accepted_by_id,
        item=case.item_id,
        applicant=case.applicant_id,
        user=case.applicant.user_id or case.submitted_by_id,
    )


def register_kiosk_session(session) -> RatableService:
    return ratable_register(
        kind=ServiceKind.KIOSK_SESSION,
        reference_id=session.pk,
        reference=f"{session.terminal or '自助终端'} {timezone.localtime(session.started_at):%Y-%m-%d %H:%M}",
        title="自助终端服务",
        served_at=session.ended_at,
        hall=session.hall_id,
    )


def _not_registered(kind: str) -> Expression:
    return ~Exists(RatableService.objects.filter(kind=kind, reference_id=OuterRef("pk")))


def ratables_register_sweep(*, batch_size: int = 500) -> int:
    """Register every served ticket, concluded online case and used, ended kiosk session not yet
    registered (idempotent: the NOT EXISTS filter and the unique key make a rerun a no-op). Window visits
    registered earlier without a department get it once their case is linked."""
    from tongban.cases.choices import CaseChannel, CaseStatus
    from tongban.cases.models import Case
    from tongban.hall.choices import TicketStatus
    from tongban.hall.models import KioskSession, Ticket

    done = 0
    tickets = (
        Ticket.objects.filter(status=TicketStatus.DONE, ended_at__isnull=False)
        .filter(_not_registered(ServiceKind.WINDOW_VISIT))
        .select_related("window", "category", "applicant")
        .order_by("pk")
    )
    for ticket in tickets[:batch_size]:
        register_ticket(ticket)
        done += 1
    # Visits registered before their case was linked: fill in department and item now.
    unlinked = RatableService.objects.filter(
        kind=ServiceKind.WINDOW_VISIT, rated=False, department__isnull=True
    ).values_list("reference_id", flat=True)
    for ticket in (
        Ticket.objects.filter(pk__in=list(unlinked[:batch_size]), case_links__isnull=False)
        .distinct()
        .select_related("window", "category", "applicant")
    ):
        register_ticket(ticket)
    cases = (
        Case.objects.filter(
            channel=CaseChannel.ONLINE, status__in=CaseStatus.concluded(), concluded_at__isnull=False
        )
        .filter(_not_registered(ServiceKind.ONLINE_CASE))
        .select_related("item", "applicant")
        .order_by("pk")
    )
    for case in cases[:batch_size]:
        register_case(case)
        done += 1
    sessions = (
        KioskSession.objects.filter(ended_at__isnull=False)
        .exclude(actions=[])
        .filter(_not_registered(ServiceKind.KIOSK_SESSION))
        .order_by("pk")
    )
    for session in sessions[:batch_size]:
        register_kiosk_session(session)
        done += 1
    return done
