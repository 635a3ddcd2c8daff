"""Login, logout, registration and "我的信息". Views parse, call one service, render."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_post_parameters

from tongban.common.badges import badge_counts
from tongban.common.errors import ServiceError
from tongban.common.redirects import local_target
from tongban.common.validators import mask_id_number, mask_mobile

from . import selectors, services
from .forms import LegalRegisterForm, LoginForm, NaturalRegisterForm

BACKEND = "tongban.accounts.backends.LockoutModelBackend"

REGISTER_KINDS = {
    "natural": (NaturalRegisterForm, services.applicant_register_natural),
    "legal": (LegalRegisterForm, services.applicant_register_legal),
}


class LoginView(auth_views.LoginView):
    """Counting, locking and the Chinese messages all come from services.login_attempt via LoginForm."""

    form_class = LoginForm
    template_name = "accounts/login.html"
    redirect_authenticated_user = True

    def form_invalid(self, form):
        """The form again with its Chinese errors, as a 4xx like every refused input: 423 while the
        account is locked (as the token API answers), 400 otherwise."""
        response = super().form_invalid(form)
        codes = {e.code for e in form.non_field_errors().as_data()}
        response.status_code = 423 if "account_locked" in codes else 400
        return response


class LogoutView(auth_views.LogoutView):
    """POST only (Django 5): a link cannot log anybody out."""


def safe_next(request) -> str:
    """The `next` address of the request if it stays on this site, else "" (never an open redirect)."""
    return local_target(request, request.POST.get("next") or request.GET.get("next"))


@sensitive_post_parameters("password1", "password2")
def register(request):
    """个人注册 / 法人注册: two tabs that are plain links (?type=legal), so they work without JavaScript.

    `next` (the item page or application the person came from) is kept through the tabs, the form and
    its errors, and is where a successful registration continues; every error shows at once.
    """
    next_url = safe_next(request)
    if request.user.is_authenticated:
        return redirect(next_url or "accounts:profile")
    kind = request.POST.get("type") or request.GET.get("type") or "natural"
    if kind not in REGISTER_KINDS:
        kind = "natural"
    form_class, service = REGISTER_KINDS[kind]
    form = form_class(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = service(**form.service_kwargs())
        except ServiceError as exc:
            form.add_service_error(exc, field_map=form.field_map)
        else:
            login(request, user, backend=BACKEND)
            messages.success(request, _("注册成功，欢迎使用。"))
            return redirect(next_url or "accounts:profile")
    status = 400 if request.method == "POST" else 200
    return render(
        request, "accounts/register.html", {"form": form, "kind": kind, "next": next_url}, status=status
    )


@login_required
def profile(request):
    """我的信息: own data only; the ID number and mobile are masked on screen."""
    info = selectors.user_profile(user=request.user)
    applicant = info.applicant
    context = {
        "info": info,
        "applicant": applicant,
        "masked_id": mask_id_number(applicant.id_number) if applicant else "",
        "masked_contact_id": mask_id_number(applicant.contact_id_number) if applicant else "",
        "masked_mobile": mask_mobile(applicant.mobile if applicant else request.user.mobile),
        "counts": list(badge_counts(request.user).values()),
    }
    return render(request, "accounts/profile.html", context)
