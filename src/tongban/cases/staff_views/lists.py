"""The staff lists: the /work/ dashboard, the window's intake queue and issuance list, and the
approvers' 待办 / 在办 / 已办 tabs. Everything read here is scoped by `.visible_to(user)` through the
selectors."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.views.decorators.http import require_GET

from tongban.organisations.scoping import scope_for

from .. import selectors
from ._common import (
    department_required,
    staff_render,
    staff_required,
    window_read_required,
)

TABS = {
    "todo": ("待办", selectors.tasks_todo),
    "doing": ("在办", selectors.tasks_in_progress),
    "done": ("已办", selectors.tasks_done),
}


@staff_required
@require_GET
def dashboard(request: HttpRequest) -> HttpResponse:
    """工作台: links to the lists the user's roles allow, with how much is waiting in each."""
    scope = scope_for(request.user)
    user = request.user
    clerk = scope.is_window_clerk or scope.sees_everything
    dept = scope.is_department_staff or scope.sees_everything
    context = {"clerk": clerk, "dept": dept, "nav": "dashboard"}
    if clerk:
        context.update(
            intake_count=selectors.intake_queue(user=user).count(),
            waiting_count=selectors.window_waiting(user=user).count(),
            issuance_count=selectors.issuance_queue(user=user).count(),
        )
    if dept:
        todo = selectors.tasks_todo(user=user)
        context.update(todo_count=len(todo), overdue_count=sum(1 for r in todo if r.overdue))
    return staff_render(request, "cases/staff/dashboard.html", context)


@window_read_required
@require_GET
def intake_queue(request: HttpRequest) -> HttpResponse:
    """待受理 (window cases and 网上预审), with the 5-working-day intake rule flagged."""
    user = request.user
    today = timezone.localdate()
    rows = [
        (case, case.intake_overdue or bool(case.intake_due and case.intake_due < today))
        for case in selectors.intake_queue(user=user)
    ]
    return staff_render(
        request,
        "cases/staff/intake_queue.html",
        {"rows": rows, "waiting": selectors.window_waiting(user=user), "today": today, "nav": "intake"},
    )


@window_read_required
@require_GET
def issuance_list(request: HttpRequest) -> HttpResponse:
    return staff_render(
        request,
        "cases/staff/issuance_list.html",
        {"cases": selectors.issuance_queue(user=request.user), "nav": "issuance"},
    )


@department_required
@require_GET
def tasks(request: HttpRequest) -> HttpResponse:
    """待办 / 在办 / 已办 with due dates and remaining time; ?sort=due or -due."""
    tab = request.GET.get("tab", "todo")
    if tab not in TABS:
        tab = "todo"
    sort = request.GET.get("sort", "due")
    rows = TABS[tab][1](user=request.user)
    if sort in ("due", "-due"):
        rows = sorted(rows, key=lambda r: (r.due_date, r.step.pk), reverse=sort == "-due")
    counts = {key: None for key in TABS}
    counts["todo"] = len(rows) if tab == "todo" else len(selectors.tasks_todo(user=request.user))
    return staff_render(
        request,
        "cases/staff/tasks.html",
        {
            "tab": tab,
            "tabs": [(key, label) for key, (label, _f) in TABS.items()],
            "rows": rows,
            "sort": sort,
            "todo_count": counts["todo"],
            "nav": "tasks",
        },
    )
