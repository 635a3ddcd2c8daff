from django.contrib.staticfiles import finders
from django.http import FileResponse, Http404, HttpResponseRedirect, JsonResponse
from django.shortcuts import redirect, render
from django.urls import Resolver404
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET, require_POST
from django.views.static import serve

from tongban.common.errors import shown_message
from tongban.common.redirects import local_target
from tongban.organisations.scoping import scope_for


def home(request):
    """The front door: a staff member goes to the 工作台, everyone else (visitors, applicants) to the
    service guide (办事指南). LOGIN_REDIRECT_URL is this page, so a login without ?next= lands where
    the user works; an explicit ?next= is followed by the login view and never comes here."""
    if scope_for(request.user).is_staff_member:
        return redirect("work:dashboard")
    return redirect("catalogue:guide-home")


@require_GET
@cache_control(public=True, max_age=24 * 3600)
def favicon(request):
    """/favicon.ico, which browsers ask for by themselves (PDFs, the API's JSON, the API docs): the same
    icon that every page links (templates/site/favicon.html)."""
    path = finders.find("tongban/favicon.ico")
    if not path:  # pragma: no cover - the icon ships with the package
        raise Http404(_("图标文件不存在。"))
    return FileResponse(open(path, "rb"), content_type="image/x-icon")


def public_media(request, path: str, document_root):
    """The catalogue's public files (blank forms, samples) in development and the demo. Django's `serve`
    names the missing file's place on the server's disk in its 404; this says only that it is missing."""
    try:
        return serve(request, path, document_root=document_root)
    except Http404:
        raise Http404(_("文件不存在或已被删除。")) from None


def healthz(request):
    """Trivial JSON endpoint: liveness probe and the reference point of the HTTP benchmarks."""
    return JsonResponse({"status": "ok"})


@require_POST
def toggle_elder_mode(request):
    """适老化: large text and high contrast, remembered in a cookie for a year."""
    response = HttpResponseRedirect(local_target(request, request.POST.get("next")) or "/")
    on = request.COOKIES.get("tb_elder") != "1"
    response.set_cookie("tb_elder", "1" if on else "0", max_age=365 * 24 * 3600, samesite="Lax")
    return response


_UTF8 = {"ensure_ascii": False}  # Chinese as text, as DRF writes it


def _wants_json(request) -> bool:
    """API clients get errors in the API's shape ({code, message}), never an HTML page."""
    return request.path.startswith("/api/")


def _error_page(request, exception, *, status: int, title: str, fallback: str):
    """An error in the site's layout that says why: the service's own Chinese message when the view
    raised one (Http404("办件不存在或您无权查看。"), PermissionDenied("工作台仅供工作人员使用。")), else a
    plain sentence — never Django's English default or an internal exception name."""
    message = exception.args[0] if exception is not None and exception.args else ""
    message = fallback if isinstance(exception, Resolver404) else shown_message(message, fallback)
    if _wants_json(request):
        code = {403: "permission_denied", 404: "not_found"}.get(status, "error")
        return JsonResponse({"code": code, "message": message}, status=status, json_dumps_params=_UTF8)
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


def server_error(request):
    """A 500: the plain page (templates/500.html), or for an API client the API's error shape."""
    if _wants_json(request):
        return JsonResponse(
            {"code": "server_error", "message": _("服务器处理请求时出错，已记录在日志中，请稍后再试。")},
            status=500,
            json_dumps_params=_UTF8,
        )
    from django.views.defaults import server_error as django_server_error

    return django_server_error(request)
