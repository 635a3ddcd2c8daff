"""WCAG 2.2 AA over the demo (issue 12 point 10): the pages each demo role reaches from its menu that the
journeys do not visit — supervision with its red warnings, a closed 差评 follow-up, the performance
pages, the applicant's own pages, the window's intake form — in both modes, at phone and desktop size.

Every page is checked and all findings are reported together. Today is pinned to Monday 7 December
2026, 10:00 Beijing time (ticking), so the demo's past is overdue as it is on that day.
"""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from .conftest import PHONE, check_a11y

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TODAY = dt.datetime(2026, 12, 7, 10, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))


@pytest.fixture
def demo(settings, tmp_path):
    from tongban.cases.models import Case
    from tongban.demo.prepare import prepare_demo_data
    from tongban.supervision.choices import Level
    from tongban.supervision.models import Deadline

    settings.MEDIA_ROOT = tmp_path
    with time_machine.travel(TODAY, tick=True):
        prepare_demo_data(verbosity=0)
        overdue = Case.objects.get(submit_key="demo:overdue-serial")
        red = Deadline.objects.filter(level=Level.RED).order_by("pk").first()
        today_case = Case.objects.get(submit_key="demo:serial-review")
        yield {
            "overdue": overdue.number,
            "overdue_id": overdue.pk,
            "red": red.pk,
            "mine": today_case.number,
            "serial_item": overdue.item.code,
        }


def pages(d: dict) -> list[tuple[str | None, str]]:
    return [
        (None, "/track/"),
        (None, "/accounts/register/"),
        (None, f"/items/{d['serial_item']}/"),
        ("zhangsan", "/my/"),
        ("zhangsan", f"/my/{d['mine']}/"),
        ("zhangsan", "/notifications/"),
        ("zhangsan", "/accounts/me/"),
        ("chuangkou1", "/work/"),
        ("chuangkou1", "/work/intake/new/"),
        ("wj_shenpi", f"/work/cases/{d['overdue_id']}/"),
        ("wj_fuze", "/ratings/followups/"),
        ("jiancha", "/supervision/?level=red"),
        ("jiancha", f"/supervision/deadlines/{d['red']}/"),
        ("jiancha", "/supervision/directives/"),
        ("jiancha", "/supervision/cards/"),
        ("jiancha", "/ratings/followups/?stage=closed"),
        ("jiancha", "/analytics/"),
    ]


def test_demo_pages_pass_wcag_22_aa_in_both_modes(live_server, browser, demo):
    from tongban.demo.loader import DEMO_PASSWORD

    failures: list[str] = []
    contexts: dict[str | None, object] = {}
    with time_machine.travel(TODAY, tick=True):
        for user, path in pages(demo):
            if user not in contexts:
                context = browser.new_context(viewport=PHONE, locale="zh-CN")
                page = context.new_page()
                page.set_default_timeout(30_000)
                if user:
                    page.goto(f"{live_server.url}/accounts/login/")
                    page.get_by_label("账号").fill(user)
                    page.get_by_label("密码").fill(DEMO_PASSWORD)
                    page.get_by_role("button", name="登录").click()
                    page.wait_for_load_state()
                    assert "/accounts/login/" not in page.url, user
                contexts[user] = page
            page = contexts[user]
            response = page.goto(f"{live_server.url}{path}")
            assert response.ok, (user, path, response.status)
            try:
                check_a11y(page)
            except pytest.fail.Exception as failure:
                failures.append(f"{user or '访客'} {path}: {failure}")
    for page in contexts.values():
        page.context.close()
    assert not failures, "\n".join(failures)
