"""Reads of 好差评: a person's unrated services, the follow-up list, and the figures (SQL aggregates)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db.models import Avg, Count, Q, QuerySet
from django.utils import timezone

from tongban.common.errors import ValidationFailed
from tongban.organisations.scoping import Scope
from tongban.workdays.calendar import CalendarMissing
from tongban.workdays.clock import is_overdue, remaining_working_days

from .choices import FigureDimension, FollowUpStage, Score
from .models import FollowUp, FollowUpEvent, RatableService, Rating, RatingQuerySet

if TYPE_CHECKING:
    from tongban.common.types import AnyUser, User


def service_by_token(token: str) -> RatableService | None:
    """The service a rating link names (the token is the permission: anyone holding it may rate)."""
    if not token:
        return None
    return RatableService.objects.select_related("hall", "window", "department").filter(token=token).first()


def my_unrated_services(user: User) -> QuerySet[RatableService]:
    """Services the logged-in person received and has not rated yet, still open for rating."""
    return (
        RatableService.objects.visible_to(user)
        .filter(user_id=user.pk, rated=False, rate_by__gt=timezone.now())
        .select_related("hall", "window", "department")
        .order_by("-served_at", "-id")
    )


def my_unrated_service(user: User, service_id: int) -> RatableService | None:
    """One of `my_unrated_services`, or None (rated already, expired, or someone else's)."""
    return my_unrated_services(user).filter(pk=service_id).first()


def my_rated_services(user: User) -> QuerySet[RatableService]:
    return (
        RatableService.objects.visible_to(user)
        .filter(user_id=user.pk, rated=True)
        .select_related("rating")
        .order_by("-served_at", "-id")
    )


def followups_for(
    user: AnyUser, *, stage: str | None = None, claim_status: str | None = None, open_only: bool = False
) -> QuerySet[FollowUp]:
    """The follow-ups the user may see, most urgent first; `open_only` keeps those still in work."""
    qs = FollowUp.objects.visible_to(user).select_related(
        "service", "rating", "department", "hall", "verified_by", "rectified_by", "called_back_by"
    )
    if stage:
        qs = qs.filter(stage=stage)
    if open_only:
        qs = qs.filter(stage__in=FollowUpStage.open())
    if claim_status is not None:
        qs = qs.filter(claim_status=claim_status)
    return qs.order_by("stage_due", "id")


def followup_get(user: AnyUser, followup_id: int) -> FollowUp | None:
    return followups_for(user).filter(pk=followup_id).first()


def followup_events(fu: FollowUp) -> QuerySet[FollowUpEvent]:
    """The follow-up's log, oldest first (the caller has already checked the follow-up is visible)."""
    return fu.events.select_related("actor").order_by("at", "id")


@dataclass(frozen=True)
class DueInfo:
    due: dt.date | None
    remaining: int | None  # working days left in (today, due]; negative when overdue
    overdue: bool


def due_info(fu: FollowUp, *, today: dt.date | None = None) -> DueInfo:
    """Remaining working days of the current stage (None when the calendar does not cover the span)."""
    if fu.stage_due is None:
        return DueInfo(None, None, False)
    today = today or timezone.localdate()
    try:
        remaining = remaining_working_days(due=fu.stage_due, today=today)
    except CalendarMissing:
        remaining = None
    return DueInfo(fu.stage_due, remaining, is_overdue(due=fu.stage_due, today=today))


# dimension -> (group field on Rating, label fields)
_DIMENSIONS: dict[str, tuple[str, tuple[str, ...]]] = {
    FigureDimension.STAFF: (
        "service__staff_id",
        ("service__staff__display_name", "service__staff__username"),
    ),
    FigureDimension.WINDOW: (
        "service__window_id",
        ("service__window__hall__name", "service__window__number"),
    ),
    FigureDimension.DEPARTMENT: ("service__department_id", ("service__department__name",)),
    FigureDimension.ITEM: ("service__item__code", ("service__item__name",)),
}


@dataclass(frozen=True)
class FigureRow:
    key: object
    label: str
    total: int
    good: int
    bad: int
    rectified: int
    called_back: int
    defaults: int
    average: float | None

    @staticmethod
    def _rate(part: int, whole: int) -> float | None:
        return round(100 * part / whole, 1) if whole else None

    @property
    def good_rate(self) -> float | None:
        """好评率: share of 4–5 among the counted ratings (%)."""
        return self._rate(self.good, self.total)

    @property
    def rectify_rate(self) -> float | None:
        """差评整改率: share of counted bad ratings whose follow-up reached rectification (%)."""
        return self._rate(self.rectified, self.bad)

    @property
    def callback_rate(self) -> float | None:
        """回访率: share of counted bad ratings called back (%)."""
        return self._rate(self.called_back, self.bad)

    def as_dict(self) -> dict:
        return {
            "key": self.key,
            "label": self.label,
            "total": self.total,
            "good": self.good,
            "bad": self.bad,
            "rectified": self.rectified,
            "called_back": self.called_back,
            "defaults": self.defaults,
            "average": self.average,
            "good_rate": self.good_rate,
            "rectify_rate": self.rectify_rate,
            "callback_rate": self.callback_rate,
        }


def _label(dimension: str, values: tuple) -> str:
    if dimension == FigureDimension.WINDOW:
        hall, number = values
        return f"{hall} {number} 号窗口" if number is not None else "（无窗口）"
    if dimension == FigureDimension.STAFF:
        name, username = values
        return name or username or "（未记录人员）"
    return values[0] or "（未记录）"


def _scoped(scope: AnyUser | Scope) -> RatingQuerySet:
    if isinstance(scope, Scope):
        return Rating.objects.scope_filter(scope)
    return Rating.objects.visible_to(scope)


def rating_figures(
    dimension: str, start: dt.date | None, end: dt.date | None, scope, *, kind: str | None = None
) -> list[FigureRow]:
    """好评率, 差评整改率 and 回访率 per staff member, window, department or item, over the services served
    on start ≤ date ≤ end (local dates; None = open), for what `scope` (a user or a Scope) may see.
    Ratings a supervisor accepted as invalid are left out. One GROUP BY query."""
    if dimension not in _DIMENSIONS:
        raise ValidationFailed("统计维度应为 staff、window、department 或 item。", field="dimension")
    if start and end and end < start:
        raise ValidationFailed("结束日期不能早于开始日期。", field="end")
    group, label_fields = _DIMENSIONS[dimension]
    qs = _scoped(scope).counted()
    tz = timezone.get_current_timezone()
    if start:
        qs = qs.filter(service__served_at__gte=dt.datetime.combine(start, dt.time.min, tzinfo=tz))
    if end:
        qs = qs.filter(
            service__served_at__lt=dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
        )
    if kind:
        qs = qs.filter(service__kind=kind)
    rows = (
        qs.values(group, *label_fields)
        .annotate(
            total=Count("pk"),
            good=Count("pk", filter=Q(score__in=Score.good())),
            bad=Count("pk", filter=Q(score__in=Score.bad())),
            rectified=Count("pk", filter=Q(score__in=Score.bad(), followup__rectified_at__isnull=False)),
            called_back=Count("pk", filter=Q(score__in=Score.bad(), followup__called_back_at__isnull=False)),
            defaults=Count("pk", filter=Q(is_default=True)),
            average=Avg("score"),
        )
        .order_by(group)
    )
    result = [
        FigureRow(
            key=r[group],
            label=_label(dimension, tuple(r[f] for f in label_fields)),
            total=r["total"],
            good=r["good"],
            bad=r["bad"],
            rectified=r["rectified"],
            called_back=r["called_back"],
            defaults=r["defaults"],
            average=round(float(r["average"]), 2) if r["average"] is not None else None,
        )
        for r in rows
    ]
    return sorted(result, key=lambda row: (row.key is None, row.label))
