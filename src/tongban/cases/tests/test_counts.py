"""Counts where people look for them (issue 12 point 8): unread messages, services to rate and
corrections to make, as menu badges and on the account page, each one cheap COUNT."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tongban.cases import services
from tongban.common.badges import badge_counts
from tongban.notifications.models import Message
from tongban.ratings.services.registry import register_case

from .helpers import define_serial, submit_online
from .test_citizen_tracking import closed_case

pytestmark = pytest.mark.django_db


def badges(html: str) -> dict[str, str]:
    """{menu link: its badge number} of the page's menu."""
    return dict(
        re.findall(
            r'<a class="nav-link[^"]*" href="([^"]+)"[^>]*>[^<]*<span class="badge[^"]*" data-badge="(\d+)"',
            html,
        )
    )


@pytest.fixture
def busy_applicant(world):
    """A correction to make, a concluded service to rate, and the messages those sent."""
    closed = closed_case(world)
    register_case(closed)
    case = submit_online(world, key="k2")
    m = case.materials.order_by("id").first()
    services.case_request_correction(
        actor=world.clerk, case_id=case.pk, items=[{"material_id": m.pk, "reason": "缺少签字"}]
    )
    return world.applicant


def test_menu_and_account_page_show_the_counts(client, world, busy_applicant):
    user = busy_applicant.user
    unread = Message.objects.filter(recipient=user, channel="in_app", read_at__isnull=True).count()
    assert unread >= 2
    client.force_login(user)
    html = client.get(reverse("catalogue:guide-home")).content.decode()
    assert badges(html) == {
        reverse("cases:my-cases"): "1",
        reverse("ratings:mine"): "1",
        reverse("notifications:inbox"): str(unread),
    }
    assert "件待补正" in html and "项服务待评价" in html and "条未读消息" in html  # said to screen readers
    profile = client.get(reverse("accounts:profile")).content.decode()
    todo = profile[profile.index('id="todo"') :]
    assert f"<strong>{unread}</strong> 条未读消息" in todo and "<strong>1</strong> 件待补正" in todo
    assert f'href="{reverse("ratings:mine")}"' in todo


def test_counts_follow_what_is_done(world, busy_applicant):
    user = busy_applicant.user
    Message.objects.filter(recipient=user, channel="in_app").update(read_at="2026-03-02T10:00:00+08:00")
    counts = badge_counts(user)
    assert reverse("notifications:inbox") not in counts  # nothing unread: no badge
    assert counts[reverse("cases:my-cases")].n == 1


def test_nothing_to_count_for_visitors_and_no_badge_at_zero(client, world):
    assert badge_counts(None) == {}
    assert 'data-badge="' not in client.get(reverse("catalogue:guide-home")).content.decode()
    client.force_login(world.other_applicant.user)
    assert 'data-badge="' not in client.get(reverse("catalogue:guide-home")).content.decode()
    assert "暂无需要您处理的事项" in client.get(reverse("accounts:profile")).content.decode()


def test_one_count_query_per_badge(client, world, busy_applicant):
    client.force_login(busy_applicant.user)
    url = reverse("catalogue:guide-home")
    client.get(url)
    with CaptureQueriesContext(connection) as ctx:
        client.get(url)
    counts = [q["sql"] for q in ctx.captured_queries if q["sql"].upper().startswith("SELECT COUNT")]
    assert len(counts) == 3, counts


def test_staff_see_their_unread_messages(client, world):
    define_serial(world)
    case = submit_online(world)
    services.case_accept(actor=world.clerk, case_id=case.pk)  # the approver is told of a new step
    approver = world.approvers["住建"]
    n = Message.objects.filter(recipient=approver, channel="in_app", read_at__isnull=True).count()
    assert n
    client.force_login(approver)
    html = client.get(reverse("work:dashboard")).content.decode()
    assert badges(html) == {reverse("notifications:inbox"): str(n)}


def test_the_api_gives_the_same_counts(world, busy_applicant):
    from rest_framework.test import APIClient

    api = APIClient()
    api.force_authenticate(busy_applicant.user)
    counts = {c["key"]: c for c in api.get("/api/v1/auth/me/counts/").json()["counts"]}
    assert counts["cases:my-cases"] == {
        "key": "cases:my-cases",
        "url": reverse("cases:my-cases"),
        "phrase": "件待补正",
        "count": 1,
    }
    assert counts["ratings:mine"]["count"] == 1 and counts["notifications:inbox"]["count"] >= 2
    assert APIClient().get("/api/v1/auth/me/counts/").status_code in (401, 403)
