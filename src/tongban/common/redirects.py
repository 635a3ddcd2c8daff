"""Where a person goes next (`?next=`): one check for every place that follows or offers such a target,
so none of them becomes an open redirect."""

from __future__ import annotations

from django.http import HttpRequest
from django.utils.http import url_has_allowed_host_and_scheme

#: Pages whose own address is never a useful `next`: after signing in, come back to what led here.
AUTH_PATH_NAMES = ("accounts:login", "accounts:register", "accounts:logout")


def local_target(request: HttpRequest, target: str | None) -> str:
    """`target` if it is a path on this site (``/…``, not ``//host`` nor another scheme), else ""."""
    if not target or not target.startswith("/") or target.startswith(("//", "/\\")):
        return ""
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return ""
    return target


def auth_next(request: HttpRequest) -> str:
    """The `next` the menu's 登录 / 注册 links carry for a visitor: the page they are on — or, on the
    sign-in and sign-up pages themselves, the `next` those pages were given."""
    from django.urls import NoReverseMatch, reverse

    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return ""
    auth_paths = set()
    for name in AUTH_PATH_NAMES:
        try:
            auth_paths.add(reverse(name))
        except NoReverseMatch:
            continue
    if request.path in auth_paths:
        return local_target(request, request.GET.get("next") or request.POST.get("next"))
    return local_target(request, request.get_full_path())
