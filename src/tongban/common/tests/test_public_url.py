"""TONGBAN_PUBLIC_URL: the setting first, then the request being served, then the demo's own address;
e-mail links and administrators' links use it too (issue 12, point 7)."""

from __future__ import annotations

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.test import RequestFactory

from tongban.common.public_url import PublicUrlMiddleware, check_public_url, public_base_url, public_url


def test_the_setting_wins(settings, rf: RequestFactory):
    settings.TONGBAN_PUBLIC_URL = "https://zwfw.example.gov.cn/"
    assert public_base_url() == "https://zwfw.example.gov.cn"
    assert public_base_url(rf.get("/", HTTP_HOST="10.0.0.5")) == "https://zwfw.example.gov.cn"
    assert public_url("/track/") == "https://zwfw.example.gov.cn/track/"


def test_unset_the_request_being_served_gives_the_address(settings, rf: RequestFactory):
    settings.TONGBAN_PUBLIC_URL = ""
    seen = []
    middleware = PublicUrlMiddleware(lambda request: seen.append(public_url("/track/")) or "response")
    assert middleware(rf.get("/", HTTP_HOST="192.168.1.20:8000")) == "response"
    assert middleware(rf.get("/", HTTP_HOST="zwfw.example.gov.cn", secure=True)) == "response"
    assert seen == ["http://192.168.1.20:8000/track/", "https://zwfw.example.gov.cn/track/"]


def test_unset_and_outside_a_request_the_demo_address(settings, monkeypatch):
    settings.TONGBAN_PUBLIC_URL = ""
    monkeypatch.setenv("TONGBAN_HOST", "0.0.0.0")
    monkeypatch.setenv("PORT", "8123")
    assert public_base_url() == "http://127.0.0.1:8123"
    monkeypatch.setenv("TONGBAN_HOST", "10.1.2.3")
    assert public_base_url() == "http://10.1.2.3:8123"


@pytest.mark.parametrize("value", ["zwfw.example.gov.cn", "ftp://x.cn", "https://", "https://x.cn/?a=1"])
def test_a_malformed_setting_is_refused_in_chinese(value):
    with pytest.raises(ImproperlyConfigured, match="TONGBAN_PUBLIC_URL"):
        check_public_url(value)
