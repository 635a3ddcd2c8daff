from django.http import HttpResponseRedirect, JsonResponse
from django.shortcuts import redirect
from django.utils.http import url_has_allowed_host_and_scheme
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
