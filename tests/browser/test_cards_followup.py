"""A supervisor reads how a 差评 was handled and calls the person back (issue 12 point 9), in a real
browser: the department's approver verified and rectified (one person for two stages, flagged); the
rectifier is not offered the callback; the supervisor is, does it from the follow-up page, and the page
shows each stage's text, who and when. Screenshots in /tmp/shots-cards/ at 1366 and 390 px."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from tongban.ratings.models import FollowUp
from tongban.ratings.services import followup_rectify, followup_verify, rating_submit
from tongban.ratings.tests.conftest import online_service, world  # noqa: F401  (the ratings test world)

from .test_cards_escalation import DESK, PHONE, fits_the_screen, login, shot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

BJ = dt.timezone(dt.timedelta(hours=8))


@pytest.fixture
def clock():
    with time_machine.travel(dt.datetime(2026, 4, 3, 10, 0, tzinfo=BJ), tick=True) as traveller:
        yield traveller


def test_a_supervisor_reads_the_stages_and_calls_back(live_server, browser, world, online_service):  # noqa: F811
    rating = rating_submit(token=online_service.token, score=1, tags=["attitude"], comment="窗口人员态度差")
    fu = FollowUp.objects.get(rating=rating)
    followup_verify(actor=world.approver_a, followup_id=fu.pk, note="已电话联系申请人，情况属实")
    followup_rectify(actor=world.approver_a, followup_id=fu.pk, note="对窗口人员批评教育，并开展服务规范培训")
    base = live_server.url

    context, page, errors = login(browser, base, world.approver_a.username, DESK)
    page.goto(f"{base}/ratings/followups/{fu.pk}/")
    assert page.get_by_role("button", name="完成回访").count() == 0 and "回访由他人" in page.content()
    context.close()
    assert not errors, errors

    context, page, errors = login(browser, base, world.supervisor.username, DESK)
    page.goto(f"{base}/ratings/followups/")
    assert "核实、整改由同一人" in page.content()
    shot(page, "followups-1366")
    page.get_by_role("link", name=fu.reference).click()
    page.get_by_label("回访结果").select_option("satisfied")
    page.get_by_label("回访记录").fill("申请人认可整改结果")
    shot(page, "followup-detail-1366")
    page.get_by_role("button", name="完成回访").click()
    page.wait_for_load_state()
    body = page.content()
    assert "已办结" in body and "申请人认可整改结果" in body and str(world.supervisor) in body
    context.close()
    assert not errors, errors

    context, page, errors = login(browser, base, world.supervisor.username, PHONE)
    for path, name in (
        (f"/ratings/followups/{fu.pk}/", "followup-detail-390"),
        ("/ratings/followups/?stage=all", "followups-390"),
    ):
        page.goto(f"{base}{path}")
        shot(page, name)
        assert fits_the_screen(page), name
    context.close()
    assert not errors, errors
