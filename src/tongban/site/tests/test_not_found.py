"""404 messages in Chinese everywhere (issue 12, point 9): the site, the staff pages, the API and the
admin-ish paths; never Django's stock English ("No ServiceItem matches the given query.") nor the
place of a file on the server's disk. And a favicon on every page, the admin included."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from tongban.accounts.tests.factories import ApplicantFactory, StaffFactory
from tongban.organisations.choices import StaffRole

pytestmark = pytest.mark.django_db

CJK = re.compile(r"[\u4e00-\u9fff]")
STOCK = ("matches the given query", "does not exist", "Page not found", "Not found", "未找到。")


def message_of(response) -> str:
    body = response.content.decode()
    if response["Content-Type"].startswith("application/json"):
        return json.loads(body)["message"]
    found = re.search(r'id="error-message"[^>]*>(.*?)</div>', body, re.S)
    assert found, body[:500]
    return found.group(1).strip()


def assert_chinese_404(response, *, path: str) -> str:
    assert response.status_code == 404, (path, response.status_code)
    message = message_of(response)
    assert CJK.search(message), (path, message)
    assert not any(s in message for s in STOCK), (path, message)
    assert "/var/" not in message and "media" not in message, (path, message)
    return message


@pytest.fixture
def admin(db):
    return StaffFactory.with_role(StaffRole.ADMINISTRATOR, is_superuser=True)


def test_stock_messages_become_chinese(client, admin):
    """Views that raised Django's own Http404 text: the guide's item page, the catalogue admin's
    buttons, a report download; and a missing public file does not say where it would have been."""
    assert assert_chinese_404(client.get("/items/NOPE/"), path="item") == "事项 NOPE 不存在或未发布。"
    assert "不存在" in assert_chinese_404(client.get("/media/catalogue/forms/nope.pdf"), path="media")
    client.force_login(admin)
    for path in ("/analytics/reports/999999/pdf/",):
        assert_chinese_404(client.get(path), path=path)
    r = client.post("/admin/catalogue/serviceitem/999999/publish/")
    assert assert_chinese_404(r, path="publish") == "事项版本不存在或您无权查看。"


def test_api_and_admin_paths(client, admin):
    for path in ("/api/nope/", "/api/v1/nope/", "/api/v1/items/NOPE/"):
        assert_chinese_404(client.get(path), path=path)
    client.force_login(admin)
    for path in ("/admin/nope/", "/admin/catalogue/nope/", "/admin/r/999/1/", "/api/v1/cases/999999/"):
        assert_chinese_404(client.get(path), path=path)


def _routes(resolver=None, prefix: str = ""):
    """Every route as a concrete path: ids → 999999, codes and slugs → NOPE."""
    for entry in (resolver or get_resolver()).url_patterns:
        route = str(entry.pattern)
        if isinstance(entry, URLResolver):
            yield from _routes(entry, prefix + route)
        elif isinstance(entry, URLPattern):
            path = prefix + route
            if "^" in path or "(?P" in path:
                continue  # regex routes (the i18n view): none takes an id
            path = re.sub(r"<int:[^>]+>", "999999", path)
            path = re.sub(r"<path:[^>]+>", "nope/nope.pdf", path)
            path = re.sub(r"<(str:|slug:)?[^>]+>", "NOPE", path)
            yield "/" + path


@pytest.mark.parametrize("who", ["anonymous", "applicant", "admin"])
def test_every_route_says_not_found_in_chinese(client, admin, who):
    if who == "admin":
        client.force_login(admin)
    elif who == "applicant":
        client.force_login(ApplicantFactory(registered=True).user)
    seen = 0
    for path in sorted(set(_routes())):
        response = client.get(path)
        if response.status_code == 404:
            assert_chinese_404(response, path=path)
            seen += 1
    assert seen > 10  # the walk reached the object pages


def test_favicon_on_every_page_and_at_the_root(client, admin):
    root = client.get("/favicon.ico")
    assert root.status_code == 200 and root["Content-Type"] == "image/x-icon"
    icon = b"".join(root.streaming_content)
    assert icon[:4] == b"\x00\x00\x01\x00"  # an ICO file
    links = ('rel="icon" href="/static/tongban/favicon.svg"', 'rel="icon" href="/static/tongban/favicon.ico"')
    pages = ["/guide/", "/no-such-page/", "/accounts/login/"]
    for path in pages:
        body = client.get(path).content.decode()
        assert all(link in body for link in links), path
    client.force_login(admin)
    for path in ("/admin/", "/admin/catalogue/serviceitem/", "/work/"):
        body = client.get(path).content.decode()
        assert all(link in body for link in links), path
    from django.contrib.staticfiles import finders

    svg = Path(finders.find("tongban/favicon.svg")).read_text(encoding="utf-8")
    assert svg.startswith("<svg") and "<title>通办</title>" in svg


def test_the_server_error_page_links_the_icon(rf):
    from tongban.site.views import server_error

    assert 'rel="icon" href="/favicon.ico"' in server_error(rf.get("/guide/")).content.decode()
