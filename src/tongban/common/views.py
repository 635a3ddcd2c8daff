from django.http import HttpResponseRedirect, JsonResponse
from django.shortcuts import redirect, render
from django.urls import Resolver404
from django.utils.functional import Promise
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tongban.organisations.scoping import scope_for


def home(request):
    """The front door: a staff member goes to the 工作台, everyone else (visitors, applicants) to the
    service guide (办事指南). LOGIN_REDIRECT_URL is this page, so a login without ?next= lands where
    the user works; an explicit ?next= is followed by the login view and never comes here."""
    if scope_for(request.user).is_staff_member:
        return redirect("work:dashboard")
    return redirect("catalogue:guide-home")


def healthz(request):
    """Trivial JSON endpoint: liveness probe and the reference point of the HTTP benchmarks."""
    return JsonResponse({"status": "ok"})


@require_POST
def toggle_elder_mode(request):
    """适老化: large text and high contrast, remembered in a cookie for a year."""
    target = request.POST.get("next") or "/"
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = "/"
    response = HttpResponseRedirect(target)
    on = request.COOKIES.get("tb_elder") != "1"
    response.set_cookie("tb_elder", "1" if on else "0", max_age=365 * 24 * 3600, samesite="Lax")
    return response


def _error_page(request, exception, *, status: int, title: str, fallback: str):
    """An error in the site's layout that says why: the service's own Chinese message when the view
    raised one (Http404("办件不存在或您无权查看。"), PermissionDenied("工作台仅供工作人员使用。")), else a
    plain sentence — never Django's English default or an internal exception name."""
    message = exception.args[0] if exception is not None and exception.args else ""
    if isinstance(message, Promise):  # a lazy translation
        message = str(message)
    if isinstance(exception, Resolver404) or not isinstance(message, str) or not message:
        message = fallback
    context = {"status": status, "title": title, "message": message}
    return render(request, "errors/error.html", context, status=status)


def page_not_found(request, exception=None):
    return _error_page(
        request, exception, status=404, title=_("页面不存在"), fallback=_("您要找的页面不存在。")
    )


def permission_denied(request, exception=None):
    return _error_page(
        request, exception, status=403, title=_("无权访问"), fallback=_("您没有权限访问此页面。")
    )
