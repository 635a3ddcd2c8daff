"""The inbox and the log in a real browser at phone size: mark a message read with the keyboard (htmx)."""

from __future__ import annotations

import os

import pytest
from django.conf import settings as django_settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore

from tongban.notifications.models import Message
from tongban.notifications.services import notify

from .conftest import ACCEPTED_CONTEXT

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CHROMIUM = "/usr/bin/chromium"
SHOTS = os.environ.get("TONGBAN_SCREENSHOTS", "")


@pytest.fixture(scope="module")
def browser():
    sync_api = pytest.importorskip("playwright.sync_api")
    if not os.path.exists(CHROMIUM):
        pytest.skip("Debian chromium is not installed")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, args=["--headless", "--no-sandbox", "--disable-gpu"], headless=True
        )
        yield browser
        browser.close()


def _page_as(browser, live_server, user):
    """A phone-sized page already signed in as `user` (a real session cookie, no login form needed)."""
    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = django_settings.AUTHENTICATION_BACKENDS[0]
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.save()
    context = browser.new_context(viewport={"width": 375, "height": 800}, locale="zh-CN")
    context.add_cookies(
        [{"name": django_settings.SESSION_COOKIE_NAME, "value": session.session_key, "url": live_server.url}]
    )
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.set_default_timeout(10_000)
    return page, errors


def test_inbox_mark_read_with_the_keyboard(live_server, browser, applicant_user, supervisor, sms_file):
    from playwright.sync_api import expect

    notify(
        recipient_user=applicant_user,
        template="case.accepted",
        context=ACCEPTED_CONTEXT,
        ref="case:12",
        idempotency_key="case:12:accepted",
    )
    inbox_msg = Message.objects.get(channel="in_app")
    page, errors = _page_as(browser, live_server, applicant_user)
    page.goto(f"{live_server.url}/notifications/")
    item = page.locator(f"#msg-{inbox_msg.pk}")
    expect(item).to_contain_text("【受理通知】食品经营许可（新办）")
    expect(page.get_by_text("1 条未读")).to_be_visible()
    if SHOTS:
        page.screenshot(path=f"{SHOTS}/inbox.png", full_page=True)

    button = item.get_by_role("button", name="标为已读")
    button.focus()
    page.keyboard.press("Enter")
    expect(page.locator(f"#msg-{inbox_msg.pk}").get_by_role("button")).to_have_count(0)
    expect(page.locator(f"#msg-{inbox_msg.pk}")).not_to_contain_text("未读")
    inbox_msg.refresh_from_db()
    assert inbox_msg.read_at is not None
    assert page.url == f"{live_server.url}/notifications/"  # swapped in place, no reload
    assert not errors, errors

    log_page, log_errors = _page_as(browser, live_server, supervisor)
    log_page.goto(f"{live_server.url}/notifications/log/")
    log_page.get_by_label("渠道").select_option("sms")
    log_page.get_by_role("button", name="筛选").press("Enter")
    expect(log_page.locator("tbody tr")).to_have_count(1)
    expect(log_page.locator("tbody")).to_contain_text("139****5678")
    if SHOTS:
        log_page.screenshot(path=f"{SHOTS}/log.png", full_page=True)
    assert not log_errors, log_errors
