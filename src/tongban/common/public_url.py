"""The platform's public address, for every absolute link it prints or sends: the QR codes on notices,
links in e-mail and SMS, links in messages to administrators.

Order of precedence:
1. ``TONGBAN_PUBLIC_URL`` (environment variable / setting), e.g. ``https://zwfw.example.gov.cn`` — required
   in production (``settings/production.py`` refuses to start without it), because periodic jobs and task
   workers send messages with no request to learn the address from;
2. the address of the request being served (scheme and host as Django validates them against
   ``ALLOWED_HOSTS``; behind a proxy, ``SECURE_PROXY_SSL_HEADER`` gives the scheme), set for the duration
   of each request by ``PublicUrlMiddleware`` — so the demo opened at ``http://192.168.1.20:8000`` prints
   QR codes a phone can open;
3. outside any request and without the setting (the demo's worker and scheduler): the address the demo
   serves on, from ``TONGBAN_HOST`` and ``PORT``.

A notice keeps the address it was issued with: its QR link is part of the content fixed when the notice
is issued (inside the request), so rendering its PDF later in a task prints the same link.
"""

from __future__ import annotations

import os
from contextvars import ContextVar
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

_current_request: ContextVar = ContextVar("tongban_current_request", default=None)


def check_public_url(value: str) -> str:
    """The setting's value without a trailing slash, or ImproperlyConfigured saying what is wrong."""
    value = (value or "").strip().rstrip("/")
    if not value:
        return ""
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc or parts.query or parts.fragment:
        raise ImproperlyConfigured(
            f"TONGBAN_PUBLIC_URL 应为平台对外访问的网址，如 https://zwfw.example.gov.cn（当前为 {value!r}）。"
        )
    return value


def public_base_url(request=None) -> str:
    """Scheme and host (and path prefix, if the setting has one), without a trailing slash."""
    configured = check_public_url(getattr(settings, "TONGBAN_PUBLIC_URL", ""))
    if configured:
        return configured
    request = request if request is not None else _current_request.get()
    if request is not None:
        return f"{request.scheme}://{request.get_host()}"
    host = os.environ.get("TONGBAN_HOST", "") or "127.0.0.1"
    if host in ("0.0.0.0", "::"):
        host = "127.0.0.1"
    return f"http://{host}:{os.environ.get('PORT', '8000')}"


def public_url(path: str = "/") -> str:
    """An absolute link to ``path`` (a site path such as ``reverse(...)``)."""
    return public_base_url() + (path if path.startswith("/") else f"/{path}")


class PublicUrlMiddleware:
    """Makes the request being served available to ``public_base_url`` (when the setting is unset)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = _current_request.set(request)
        try:
            return self.get_response(request)
        finally:
            _current_request.reset(token)
