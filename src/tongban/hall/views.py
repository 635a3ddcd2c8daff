"""Hall pages: the display board (public), the window clerk's console, waiting figures, online booking.

Views parse input, call one service or selector, render. htmx requests get the partial only.
"""

from __future__ import annotations

import datetime as dt

from django.contrib import messages as flash
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from tongban.catalogue.selectors import item_get_published
from tongban.common.errors import NotAllowed, NotFound, ServiceError
from tongban.organisations import selectors as organisation_selectors
from tongban.organisations.models import ServiceHall, Window

from . import conf, selectors, services
from .choices import TicketSource
from .permissions import can_view_figures

# ---- display board ---------------------------------------------------------------------------------


def _hall_or_404(code: str) -> ServiceHall:
    try:
        return selectors.hall_by_code(code)
    except NotFound as exc:
        raise Http404(exc.message) from exc


@require_GET
def board(request: HttpRequest, hall_code: str) -> HttpResponse:
    """The full-screen board on the hall's TV; no login. Polls its partial every few seconds."""
    hall = _hall_or_404(hall_code)
    return render(
        request,
        "hall/board.html",
        {"hall": hall, "data": selectors.board_data(hall=hall), "poll": conf.board_poll_seconds()},
    )


@require_GET
def board_partial(request: HttpRequest, hall_code: str) -> HttpResponse:
    hall = _hall_or_404(hall_code)
    response = render(request, "hall/_board.html", {"hall": hall, "data": selectors.board_data(hall=hall)})
    response["Cache-Control"] = "no-store"
    return response


# ---- window clerk's console -----------------------------------------------------------------------


def _console_context(request: HttpRequest, window: Window, *, error: str = "", notice: str = "") -> dict:
    windows = selectors.clerk_windows(user=request.user)
    return {
        "window": window,
        "windows": windows,
        "current": selectors.window_current_ticket(window=window),
        "waiting": [
            w
            for w in selectors.waiting_counts(hall=window.hall)
            if w["category_id"] in services.tickets.window_categories(window)
        ],
        "transfer_windows": [w for w in windows if w.hall_id == window.hall_id and w.pk != window.pk],
        "categories": selectors.queue_categories(hall=window.hall),
        "error": error,
        "notice": notice,
    }


def _window_for(request: HttpRequest, window_id: int | None) -> Window:
    windows = selectors.clerk_windows(user=request.user)
    if not windows:
        raise PermissionDenied(_("只有窗口人员可以使用叫号台。"))
    if window_id is None:
        return windows[0]
    for w in windows:
        if w.pk == window_id:
            return w
    raise PermissionDenied(_("您不能在该窗口叫号。"))


@login_required
@require_GET
def console(request: HttpRequest) -> HttpResponse:
    raw = request.GET.get("window")
    window = _window_for(request, int(raw) if raw and raw.isdigit() else None)
    return render(request, "hall/console.html", _console_context(request, window))


CONSOLE_ACTIONS = {
    "call",
    "recall",
    "start",
    "finish",
    "no_show",
    "transfer",
    "link",
    "priority",
    "take",
    "leave",
}


def _int(value) -> int | None:
    return int(value) if value and str(value).isdigit() else None


def _run_console_action(request: HttpRequest, window: Window, action: str) -> str:
    """Parse the form and call the one service the button names; returns the notice to show."""
    post = request.POST
    user = request.user
    ticket_id = _int(post.get("ticket"))
    version = _int(post.get("version"))
    if action == "call":
        t = services.ticket_call_next(actor=user, window_id=window.pk)
        return _("已叫号：%(n)s") % {"n": t.number}
    if action == "take":
        t = services.ticket_take(
            hall_id=window.hall_id,
            category_id=_int(post.get("category")) or 0,
            source=TicketSource.STAFF,
            actor=user,
        )
        return _("已代取号：%(n)s") % {"n": t.number}
    if action == "priority":
        t = services.ticket_issue_priority(
            actor=user,
            hall_id=window.hall_id,
            category_id=_int(post.get("category")) or 0,
            note=post.get("note", ""),
        )
        return _("已发特呼号：%(n)s") % {"n": t.number}
    if ticket_id is None:
        raise NotFound(_("号票不存在。"))
    if action == "recall":
        t = services.ticket_recall(actor=user, ticket_id=ticket_id, expected_version=version)
        return _("已重呼：%(n)s") % {"n": t.number}
    if action == "start":
        t = services.ticket_start(actor=user, ticket_id=ticket_id, expected_version=version)
        return _("开始办理：%(n)s") % {"n": t.number}
    if action == "finish":
        t = services.ticket_finish(actor=user, ticket_id=ticket_id, expected_version=version)
        return _("办理完成：%(n)s") % {"n": t.number}
    if action == "no_show":
        t = services.ticket_no_show(actor=user, ticket_id=ticket_id, expected_version=version)
        return _("已标记未到：%(n)s") % {"n": t.number}
    if action == "leave":
        t = services.ticket_leave(actor=user, ticket_id=ticket_id, expected_version=version)
        return _("已标记离开：%(n)s") % {"n": t.number}
    if action == "transfer":
        target = post.get("target", "")
        kind, _sep, pk = target.partition(":")
        t = services.ticket_transfer(
            actor=user,
            ticket_id=ticket_id,
            window_id=_int(pk) if kind == "w" else None,
            category_id=_int(pk) if kind == "c" else None,
            note=post.get("note", ""),
            expected_version=version,
        )
        return _("已转移：%(n)s") % {"n": t.number}
    link = services.ticket_link_case(actor=user, ticket_id=ticket_id, case_number=post.get("case_number", ""))
    return _("已关联办件 %(c)s，并登记到场。") % {"c": link.case_number}


@login_required
@require_POST
def console_action(request: HttpRequest, window_id: int, action: str) -> HttpResponse:
    if action not in CONSOLE_ACTIONS:
        raise Http404
    window = _window_for(request, window_id)
    error = notice = ""
    try:
        notice = _run_console_action(request, window, action)
    except ServiceError as exc:
        error = exc.message
    if request.headers.get("HX-Request"):
        return render(
            request, "hall/_console.html", _console_context(request, window, error=error, notice=notice)
        )
    if error:
        flash.error(request, error)
    else:
        flash.success(request, notice)
    return redirect(f"{reverse('hall:console')}?window={window.pk}")


# ---- waiting figures ------------------------------------------------------------------------------


def _date(value: str | None, default: dt.date) -> dt.date:
    try:
        return dt.date.fromisoformat(value) if value else default
    except ValueError:
        return default


@login_required
@require_GET
def figures(request: HttpRequest) -> HttpResponse:
    if not can_view_figures(request.user):
        raise PermissionDenied(_("只有大厅工作人员、监察人员和管理员可以查看等候统计。"))
    today = timezone.localdate()
    date_from = _date(request.GET.get("from"), today.replace(day=1))
    date_to = _date(request.GET.get("to"), today)
    halls = selectors.figure_halls(user=request.user)
    hall_id = _int(request.GET.get("hall"))
    try:
        data = selectors.hall_figures(
            user=request.user, date_from=date_from, date_to=date_to, hall_id=hall_id
        )
    except NotAllowed as exc:
        raise PermissionDenied(exc.message) from exc
    except ServiceError as exc:
        flash.error(request, exc.message)
        data = selectors.hall_figures(user=request.user, date_from=today, date_to=today, hall_id=hall_id)
    chart = {
        "hours": [r.label for r in data.by_hour],
        "wait": [round((r.avg_wait or 0) / 60, 1) for r in data.by_hour],
        "service": [round((r.avg_service or 0) / 60, 1) for r in data.by_hour],
        "tickets": [r.tickets for r in data.by_hour],
    }
    return render(
        request,
        "hall/figures.html",
        {
            "data": data,
            "halls": halls,
            "hall_id": hall_id,
            "chart": chart,
        },
    )


# ---- online booking (applicants) -----------------------------------------------------------------


def _slot_time(value: str | None) -> dt.time | None:
    try:
        return dt.time.fromisoformat(value) if value else None
    except ValueError:
        return None


@login_required
@require_http_methods(["GET", "POST"])
def book(request: HttpRequest) -> HttpResponse:
    """Pick an item's hall, a day and a slot, confirm, and only then is the slot taken.

    Choosing a slot (GET `slot=`) shows what is about to be booked; the POST with `confirm=1` books it.
    A POST without `confirm` (an old page, a script) gets the confirmation, never a booking. The hall
    list is the halls that take appointments for the item (hall.selectors.booking_halls), the same
    rule by which the guide shows the item's 预约 button.
    """
    data = request.POST if request.method == "POST" else request.GET
    item_code = (data.get("item") or "").strip()
    try:
        item = item_get_published(code=item_code, user=request.user) if item_code else None
    except NotFound:
        item = None
    halls = list(organisation_selectors.halls_visible(user=request.user))
    if item is not None:
        halls = selectors.booking_halls([item.category])[item.category]
    hall = next((h for h in halls if h.code == data.get("hall")), None)
    if hall is None and item is not None and len(halls) == 1:
        hall = halls[0]
    chosen_time = _slot_time(data.get("slot"))
    if request.method == "POST" and item and hall and data.get("confirm") == "1" and chosen_time:
        try:
            appointment = services.appointment_book(
                actor=request.user,
                hall_id=hall.pk,
                item_id=item.pk,
                slot_date=_date(data.get("date"), timezone.localdate()),
                slot_start=chosen_time,
            )
        except ServiceError as exc:
            flash.error(request, exc.message)
            chosen_time = None
        else:
            flash.success(
                request,
                _("预约成功。预约码 %(code)s，请于 %(date)s %(time)s 前到大厅签到。")
                % {
                    "code": appointment.booking_code,
                    "date": appointment.slot_date.isoformat(),
                    "time": appointment.slot_start.strftime("%H:%M"),
                },
            )
            return redirect("hall:my-appointments")
    elif data.get("slot") and chosen_time is None:
        flash.error(request, _("预约时段无效，请重新选择。"))
    category = days = slots = chosen = None
    day = None
    error = ""
    if item and hall:
        try:
            category = selectors.category_for_item(hall_id=hall.pk, item=item)
        except ServiceError as exc:
            error = exc.message
        else:
            days = selectors.booking_days(hall=hall, category=category)
            day = _date(data.get("date"), days[0] if days else timezone.localdate())
            slots = selectors.hall_slots(hall=hall, category=category, on=day)
            if chosen_time is not None:
                chosen = next((s for s in slots if s.start == chosen_time and s.available), None)
                if chosen is None:
                    error = _("所选时段已约满或已过，请另选一个时段。")
    blocked = selectors.booking_blocked_until(user=request.user) if request.user.is_authenticated else None
    return render(
        request,
        "hall/book.html",
        {
            "item": item,
            "item_code": item_code,
            "halls": halls,
            "hall": hall,
            "category": category,
            "days": days,
            "day": day,
            "slots": slots,
            "chosen": chosen if not blocked else None,
            "error": error,
            "blocked": blocked,
        },
    )


@login_required
@require_GET
def my_appointments(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "hall/my_appointments.html",
        {"appointments": selectors.my_appointments(user=request.user)[:100]},
    )


@login_required
@require_POST
def appointment_cancel(request: HttpRequest, appointment_id: int) -> HttpResponse:
    try:
        services.appointment_cancel(actor=request.user, appointment_id=appointment_id)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    except ServiceError as exc:
        flash.error(request, exc.message)
    else:
        flash.success(request, _("已取消预约。"))
    return redirect("hall:my-appointments")
