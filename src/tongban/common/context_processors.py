from __future__ import annotations

from django.conf import settings
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

# (label, url name, who sees it). Who: "public" (visitors and applicants; staff have their own case
# search), "any" (anyone logged in),
# "applicant", "staff", or a set of staff roles.
NAV_ENTRIES = [
    (_("办件查询"), "cases:track", "public"),
    (_("我的办件"), "cases:my-cases", "applicant"),
    (_("预约"), "hall:my-appointments", "applicant"),
    (_("待评价"), "ratings:mine", "applicant"),
    (_("工作台"), "work:dashboard", "staff"),
    (_("叫号"), "hall:console", {"clerk"}),
    (_("差评整改"), "ratings:followups", {"approver", "dept_head", "supervisor", "admin"}),
    (_("电子监察"), "supervision:deadlines", {"supervisor", "admin", "dept_head"}),
    (_("监察大屏"), "analytics:screen", {"supervisor", "admin"}),
    (_("绩效统计"), "analytics:performance", {"supervisor", "admin", "dept_head"}),
    (_("消息"), "notifications:inbox", "any"),
]


def _nav(request) -> list[tuple[str, str]]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return [(label, reverse(name)) for label, name, who in NAV_ENTRIES if who == "public"]
    from tongban.organisations.scoping import scope_for

    scope = scope_for(user)
    entries = []
    for label, name, who in NAV_ENTRIES:
        if who == "public" and scope.is_staff_member:
            continue
        if who == "applicant" and not scope.is_applicant:
            continue
        if who == "staff" and not scope.is_staff_member:
            continue
        if isinstance(who, set) and not scope.has_role(*who):
            continue
        try:
            entries.append((label, reverse(name)))
        except NoReverseMatch:
            continue  # the capability is not installed in this deployment
    return entries


# Who is warned on every page when the working-day calendar runs out: those who can get it imported.
CALENDAR_HORIZON_ROLES = ("admin", "supervisor")


def calendar_horizon_banner(request):
    """The calendar horizon (workdays.selectors.calendar_horizon) for administrators and supervisors when
    it is not ok, else None; `can_import` says whether the link to the import page is theirs to follow."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return None
    from tongban.organisations.scoping import scope_for

    scope = scope_for(user)
    if scope.is_applicant or not scope.has_role(*CALENDAR_HORIZON_ROLES):
        return None
    from django.utils import timezone

    from tongban.workdays.selectors import calendar_horizon

    horizon = calendar_horizon(timezone.localdate())
    if horizon.is_ok:
        return None
    can_import = user.is_staff and user.has_perm("workdays.change_workcalendar")
    return {"horizon": horizon, "can_import": can_import}


def site(request):
    """Site name, the visitor's display preferences (elder-friendly mode) and the menu for every template;
    the menu's counts (common.badges) are counted only if a template shows them."""
    from django.utils.functional import SimpleLazyObject

    from .badges import badge_counts

    return {
        "SITE_NAME": settings.TONGBAN_SITE_NAME,
        "ELDER_MODE": request.COOKIES.get("tb_elder") == "1",
        "NAV": _nav(request),
        "NAV_BADGES": SimpleLazyObject(lambda: badge_counts(getattr(request, "user", None))),
        "CALENDAR_HORIZON": calendar_horizon_banner(request),
    }
