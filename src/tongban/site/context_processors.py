from __future__ import annotations

from django.conf import settings
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

# The one menu (templates/site/menu.html), the same on every page a role opens: the site's pages,
# the staff pages, the error pages and the admin. Each entry: (key, label, url name, who sees it,
# access key). Who: "everyone"; "public" (visitors and applicants; staff have their own case search);
# "any" (anyone logged in); "applicant"; "staff"; "admin_site" (may open the Django admin); or a
# predicate on the user's scope (the role predicates of organisations.scoping.Scope).


def _window(scope) -> bool:
    """The comprehensive window's lists: clerks, and supervisors/administrators looking on."""
    return scope.is_window_clerk or scope.sees_everything


def _tasks(scope) -> bool:
    """The approvers' task list: department staff, and supervisors/administrators looking on."""
    return scope.sees_everything or scope.is_department_staff


def _oversight(scope) -> bool:
    """Supervision and performance: supervisors/administrators, and department heads for their own."""
    return scope.is_supervisor or scope.is_department_head


NAV_ENTRIES = [
    ("guide", _("办事指南"), "catalogue:guide-home", "everyone", ""),
    ("track", _("办件查询"), "cases:track", "public", ""),
    ("my-cases", _("我的办件"), "cases:my-cases", "applicant", ""),
    ("appointments", _("预约"), "hall:my-appointments", "applicant", ""),
    ("ratings", _("待评价"), "ratings:mine", "applicant", ""),
    ("dashboard", _("工作台"), "work:dashboard", "staff", ""),
    ("intake", _("综合受理"), "work:intake", _window, "q"),
    ("issuance", _("统一出件"), "work:issuance", _window, ""),
    ("tasks", _("审批待办"), "work:tasks", _tasks, "t"),
    ("console", _("叫号"), "hall:console", lambda scope: scope.is_window_clerk, ""),
    ("followups", _("差评整改"), "ratings:followups", lambda s: s.is_department_staff or s.is_supervisor, ""),
    ("supervision", _("电子监察"), "supervision:deadlines", _oversight, ""),
    ("screen", _("监察大屏"), "analytics:screen", lambda scope: scope.is_supervisor, ""),
    ("performance", _("绩效统计"), "analytics:performance", _oversight, ""),
    ("inbox", _("消息"), "notifications:inbox", "any", ""),
    ("admin", _("管理后台"), "admin:index", "admin_site", ""),
]


def _sees(who, scope, user) -> bool:
    if who == "everyone":
        return True
    if user is None or not user.is_authenticated:
        return who == "public"
    if who == "public":
        return not scope.is_staff_member
    if who == "any":
        return True
    if who == "applicant":
        return scope.is_applicant
    if who == "staff":
        return scope.is_staff_member
    if who == "admin_site":
        return bool(user.is_active and user.is_staff)
    return bool(who(scope))


def _nav(request) -> list[dict]:
    """The menu entries this user sees, each {key, label, url, accesskey, current}; `current` marks the
    entry whose address begins the page's (the longest such), for aria-current="page"."""
    user = getattr(request, "user", None)
    scope = None
    if user is not None and user.is_authenticated:
        from tongban.organisations.scoping import scope_for

        scope = scope_for(user)
    entries = []
    for key, label, name, who, accesskey in NAV_ENTRIES:
        if not _sees(who, scope, user):
            continue
        try:
            url = reverse(name)
        except NoReverseMatch:
            continue  # the capability is not installed in this deployment
        entries.append({"key": key, "label": label, "url": url, "accesskey": accesskey, "current": False})
    path = getattr(request, "path", "")
    matching = [e for e in entries if path.startswith(e["url"]) and e["url"] != "/"]
    if matching:
        max(matching, key=lambda e: len(e["url"]))["current"] = True
    return entries


def calendar_horizon_banner(request):
    """The calendar horizon (workdays.selectors.calendar_horizon) for administrators and supervisors (who
    can get it imported) when it is not ok, else None; `can_import` says whether the link to the import
    page is theirs to follow."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return None
    from tongban.organisations.scoping import scope_for

    scope = scope_for(user)
    if scope.is_applicant or not scope.is_supervisor:
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

    from tongban.common.badges import badge_counts
    from tongban.common.redirects import auth_next

    return {
        "SITE_NAME": settings.TONGBAN_SITE_NAME,
        "ELDER_MODE": request.COOKIES.get("tb_elder") == "1",
        "NAV": _nav(request),
        "NAV_BADGES": SimpleLazyObject(lambda: badge_counts(getattr(request, "user", None))),
        "CALENDAR_HORIZON": calendar_horizon_banner(request),
        "AUTH_NEXT": SimpleLazyObject(lambda: auth_next(request)),
    }
