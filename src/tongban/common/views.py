from django.http import HttpResponseRedirect, JsonResponse
from django.shortcuts import redirect
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST


def home(request):
    """The public front door is the service guide (办事指南)."""
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
