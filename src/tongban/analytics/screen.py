"""Selectors of the supervision screen (监察大屏): counts by level, department and hall, the most
overdue cases, today's intake and conclusions, 30-day trends, and the filtered lists behind them.

Levels come from supervision's case watches (`Deadline`, subject_type "case") when cases are watched;
otherwise from the cases' stored due dates (red: past due; yellow: due within one working day).
Each figure is one grouped SQL query.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet
from django.db.models.functions import TruncDate
from django.urls import reverse
from django.utils import timezone

from tongban.cases.choices import CaseStatus
from tongban.cases.models import Case
from tongban.common.errors import NotAllowed, ValidationFailed
from tongban.organisations.models import Department, ServiceHall
from tongban.supervision.choices import DeadlineStatus, Level, SubjectType
from tongban.supervision.models import Deadline
from tongban.workdays.calendar import add_working_days

from .permissions import can_view_screen

TREND_DAYS = 30
TOP_OVERDUE = 10
LIST_LIMIT = 200
DRILL_KINDS = ("level", "intake_today", "concluded_today", "received_on", "concluded_on")


def _require(user) -> None:
    if not can_view_screen(user):
        raise NotAllowed("只有监察人员和管理员可以查看监察大屏。")


def _watched() -> bool:
    return Deadline.objects.filter(subject_type=SubjectType.CASE).exists()


def _open_case_watches() -> QuerySet:
    return Deadline.objects.filter(subject_type=SubjectType.CASE, status=DeadlineStatus.OPEN)


def _handling_cases(today: dt.date) -> QuerySet:
    """Fallback: open cases with a level computed in SQL from the stored due date."""
    return Case.objects.filter(status__in=CaseStatus.handling(), due_date__isnull=False, is_paused=False)


def _level_q(level: str, today: dt.date) -> Q:
    yellow_until = add_working_days(today, 1)
    if level == Level.RED:
        return Q(due_date__lt=today)
    if level == Level.YELLOW:
        return Q(due_date__gte=today, due_date__lte=yellow_until)
    return Q(due_date__gt=yellow_until)


def _levels_by(field: str | None, today: dt.date) -> list[dict]:
    """Rows {key, normal, yellow, red} grouped by `field` (None: one total row)."""
    if _watched():
        qs = _open_case_watches()
        aggs = {lvl: Count("id", filter=Q(level=lvl)) for lvl in Level.values}
        src_field = {"department": "department_id", "hall": "hall_id"}.get(field or "", "")
    else:
        qs = _handling_cases(today)
        aggs = {lvl: Count("id", filter=_level_q(lvl, today)) for lvl in Level.values}
        src_field = {"department": "item__department_id", "hall": "intake_hall_id"}.get(field or "", "")
    if not field:
        return [{"key": None, **qs.aggregate(**aggs)}]
    return [{"key": r.pop(src_field), **r} for r in qs.values(src_field).annotate(**aggs).order_by(src_field)]


def _names(model, keys) -> dict:
    return dict(model.objects.filter(pk__in=[k for k in keys if k]).values_list("pk", "name"))


def _daily(qs: QuerySet, field: str, start: dt.date, today: dt.date) -> list[int]:
    counts = {
        r["d"]: r["n"]
        for r in qs.filter(**{f"{field}__date__gte": start})
        .annotate(d=TruncDate(field))
        .values("d")
        .annotate(n=Count("id"))
        .order_by()
    }
    return [counts.get(start + dt.timedelta(days=i), 0) for i in range((today - start).days + 1)]


def screen_data(*, user, today: dt.date | None = None) -> dict:
    """Everything the screen shows, as JSON-ready data with a drill-down URL on every figure."""
    _require(user)
    today = today or timezone.localdate()
    drill = reverse("analytics:screen-list")
    totals = _levels_by(None, today)[0]
    by_department = _levels_by("department", today)
    by_hall = _levels_by("hall", today)
    departments = _names(Department, [r["key"] for r in by_department])
    halls = _names(ServiceHall, [r["key"] for r in by_hall])
    for rows, names, param in ((by_department, departments, "department"), (by_hall, halls, "hall")):
        for r in rows:
            r["name"] = names.get(r["key"], "（未记录）")
            r["url"] = f"{drill}?kind=level&{param}={r['key'] or 0}"
    start = today - dt.timedelta(days=TREND_DAYS - 1)
    received = _daily(Case.objects.exclude(status=CaseStatus.DRAFT), "submitted_at", start, today)
    concluded = _daily(Case.objects.all(), "concluded_at", start, today)
    return {
        "today": today.isoformat(),
        "updated_at": timezone.localtime().strftime("%H:%M:%S"),  # the server's clock, not the screen's
        "source": "deadline" if _watched() else "cases",
        "levels": [
            {
                "level": lvl,
                "label": Level(lvl).label,
                "count": totals[lvl],
                "url": f"{drill}?kind=level&level={lvl}",
            }
            for lvl in Level.values
        ],
        "by_department": by_department,
        "by_hall": by_hall,
        "overdue": [
            {
                "case_id": r.pk,
                "number": r.number,
                "title": r.title,
                "department": r.department_name,
                "due_date": r.due_date.isoformat(),
                "url": reverse("work:case", args=[r.pk]),
            }
            for r in most_overdue(today=today)
        ],
        "intake_today": {
            "count": received[-1],
            "url": f"{drill}?kind=intake_today",
        },
        "concluded_today": {"count": concluded[-1], "url": f"{drill}?kind=concluded_today"},
        "trend": {
            "days": [(start + dt.timedelta(days=i)).isoformat() for i in range(TREND_DAYS)],
            "received": received,
            "concluded": concluded,
            "received_url": f"{drill}?kind=received_on&day=",
            "concluded_url": f"{drill}?kind=concluded_on&day=",
        },
    }


@dataclass
class OverdueRow:
    pk: int
    number: str
    title: str
    department_name: str
    due_date: dt.date


def most_overdue(*, today: dt.date, limit: int = TOP_OVERDUE) -> list[OverdueRow]:
    if _watched():
        rows = (
            _open_case_watches()
            .filter(level=Level.RED)
            .order_by("due_date", "id")
            .values_list("subject_id", "reference", "title", "department__name", "due_date")[:limit]
        )
    else:
        rows = (
            _handling_cases(today)
            .filter(due_date__lt=today)
            .order_by("due_date", "id")
            .values_list("pk", "number", "item__name", "item__department__name", "due_date")[:limit]
        )
    return [OverdueRow(*r) for r in rows]


def screen_list(*, user, params: dict, today: dt.date | None = None) -> tuple[str, QuerySet]:
    """The cases behind one figure of the screen: (a Chinese caption, the cases)."""
    _require(user)
    today = today or timezone.localdate()
    kind = params.get("kind", "")
    if kind not in DRILL_KINDS:
        raise ValidationFailed("钻取类型无效。", field="kind")
    cases = Case.objects.visible_to(user).select_related("item", "item__department", "intake_hall")
    caption = []
    if kind == "level":
        level = params.get("level", "")
        if level and level not in Level.values:
            raise ValidationFailed(f"预警级别“{level}”无效。", field="level")
        department = _int(params.get("department"), "department")
        hall = _int(params.get("hall"), "hall")
        if _watched():
            watches = _open_case_watches()
            if level:
                watches = watches.filter(level=level)
            if department is not None:
                watches = watches.filter(department_id=department or None)
            if hall is not None:
                watches = watches.filter(hall_id=hall or None) if hall else watches.filter(hall__isnull=True)
            cases = cases.filter(pk__in=watches.values("subject_id"))
        else:
            cases = cases.filter(pk__in=_handling_cases(today).values("pk"))
            if level:
                cases = cases.filter(_level_q(level, today))
            if department is not None:
                cases = cases.filter(item__department_id=department)
            if hall is not None:
                cases = cases.filter(intake_hall_id=hall) if hall else cases.filter(intake_hall__isnull=True)
        if level:
            caption.append(Level(level).label)
        if department:
            caption.append(
                Department.objects.filter(pk=department).values_list("name", flat=True).first() or ""
            )
        if hall:
            caption.append(ServiceHall.objects.filter(pk=hall).values_list("name", flat=True).first() or "")
        caption.append("在办件")
        cases = cases.order_by("due_date", "id")
    else:
        day = today
        if kind in ("received_on", "concluded_on"):
            try:
                day = dt.date.fromisoformat(params.get("day", ""))
            except ValueError as exc:
                raise ValidationFailed("日期格式应为 YYYY-MM-DD。", field="day") from exc
        if kind in ("intake_today", "received_on"):
            cases = cases.exclude(status=CaseStatus.DRAFT).filter(submitted_at__date=day)
            caption.append(f"{day:%Y-%m-%d} 收件")
        else:
            cases = cases.filter(concluded_at__date=day)
            caption.append(f"{day:%Y-%m-%d} 办结")
        cases = cases.order_by("-id")
    return " · ".join(c for c in caption if c), cases[:LIST_LIMIT]


def _int(value, field: str) -> int | None:
    if value in (None, ""):
        return None
    try:
        return int(value)
    except (TypeError, ValueError) as exc:
        raise ValidationFailed("编号应为整数。", field=field) from exc
