"""One date of an official year changed by an administrator (`calendar_day_set`: admin and API) moves
the open deadlines that counted it, exactly as an import does: case and step due dates, the statutory
date, supervision's watches, one case-log row per changed case and the applicant told.

Dates counted by hand on the official 2026 calendar (no holiday in March). Accepted Monday 2 March:
promised 8 → Thursday 12 March; statutory 20 → Monday 30 March; the first step (6) → Tuesday 10 March.
With Tuesday 10 March a holiday each moves one working day: 13, 31 and 11 March."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from rest_framework.test import APIClient

from tongban.catalogue.tests.factories import MaterialRequirementFactory, ServiceItemFactory
from tongban.notifications.models import Message
from tongban.supervision.models import Deadline
from tongban.workdays.models import WorkCalendar
from tongban.workdays.services import calendar_day_set

from .. import services
from ..models import Case, CaseEvent, Step
from .helpers import define_serial, register_at_window

D = dt.date
CST = dt.timezone(dt.timedelta(hours=8))
DAY = D(2026, 3, 10)


def at(clock, y, m, d):
    clock.move_to(dt.datetime(y, m, d, 10, tzinfo=CST))


@pytest.fixture
def cases(world, clock):
    define_serial(world)
    moved = services.case_accept(actor=world.clerk, case_id=register_at_window(world).pk)
    quick = ServiceItemFactory(name="当日核验", department=world.housing, promised_limit=1, statutory_limit=1)
    MaterialRequirementFactory(item=quick, position=1, name="申请书")
    before = services.case_accept(actor=world.clerk, case_id=register_at_window(world, quick).pk)
    waiting = register_at_window(world)  # intake: 3–6 (4), 9 → Monday 9 March: before the day
    assert (moved.due_date, moved.statutory_due_date) == (D(2026, 3, 12), D(2026, 3, 30))
    assert Step.objects.get(case=moved, status="open").due_date == DAY
    assert before.due_date == D(2026, 3, 3) and waiting.intake_due == D(2026, 3, 9)
    at(clock, 2026, 3, 4)
    return {"moved": moved, "before": before, "waiting": waiting}


def watch(kind, pk):
    return Deadline.objects.get(subject_type=kind, subject_id=pk, status="open")


def assert_moved(case: Case, *, told: int = 1):
    case.refresh_from_db()
    assert (case.due_date, case.statutory_due_date) == (D(2026, 3, 13), D(2026, 3, 31))
    assert not case.due_provisional and not case.statutory_due_provisional
    step = Step.objects.get(case=case, status="open")
    assert step.due_date == D(2026, 3, 11)
    assert watch("case", case.pk).due_date == D(2026, 3, 13)
    assert watch("step", step.pk).due_date == D(2026, 3, 11)
    [ev] = CaseEvent.objects.filter(case=case, kind="deadline_recomputed")
    assert ev.note.startswith("工作日历调整：2026-03-10（星期二）由工作日改为法定节假日（临时休假）")
    assert "办结期限 2026-03-12 → 2026-03-13" in ev.note and "法定办结期限 2026-03-30 → 2026-03-31" in ev.note
    assert "环节“材料审查”期限 2026-03-11" in ev.note
    assert ev.detail["day"] == "2026-03-10" and ev.detail["due_date"] == ["2026-03-12", "2026-03-13"]
    sms = Message.objects.filter(template="case.deadline_moved_calendar", channel="sms")
    assert sms.count() == told
    assert "办结期限改为2026年3月13日（原2026年3月12日）" in sms.first().body
    mail = Message.objects.filter(template="case.deadline_moved_calendar", channel="email").get()
    assert "2026-03-10（星期二）由工作日改为法定节假日（临时休假）" in mail.body


def assert_untouched(cases):
    for key in ("before", "waiting"):
        assert not CaseEvent.objects.filter(case=cases[key], kind="deadline_recomputed").exists()
    assert Case.objects.get(pk=cases["before"].pk).due_date == D(2026, 3, 3)


def test_the_service_recomputes_logs_and_tells(cases):
    row = calendar_day_set(day=DAY, kind="holiday", name="临时休假")
    assert row.recomputed["cases"] == {"checked": 1, "changed": 1, "steps_changed": 1, "notified": 1}
    assert row.recomputed["supervision"]["changed"] >= 2
    assert_moved(cases["moved"])
    assert_untouched(cases)
    # Only the name changes: nothing moves, nobody is told again.
    assert calendar_day_set(day=DAY, kind="holiday", name="临时休假日").recomputed == {}
    assert CaseEvent.objects.filter(kind="deadline_recomputed").count() == 1
    # Back to a working day: the dates come back, logged and told once more.
    back = calendar_day_set(day=DAY, kind="workday")
    assert back.recomputed["cases"]["changed"] == 1
    case = Case.objects.get(pk=cases["moved"].pk)
    assert (case.due_date, case.statutory_due_date) == (D(2026, 3, 12), D(2026, 3, 30))
    assert watch("case", case.pk).due_date == D(2026, 3, 12)
    assert CaseEvent.objects.filter(case=case, kind="deadline_recomputed").count() == 2
    assert Message.objects.filter(template="case.deadline_moved_calendar", channel="sms").count() == 2


def test_a_paused_case_keeps_its_pre_pause_dates_until_it_resumes(world, clock, cases):
    case = cases["moved"]
    services.case_pause(actor=world.approvers["住建"], case_id=case.pk, procedure="hearing", reason="听证")
    calendar_day_set(day=DAY, kind="holiday", name="临时休假")
    case.refresh_from_db()
    assert case.is_paused and case.due_date == D(2026, 3, 13)  # the pre-pause count, on the new calendar
    at(clock, 2026, 3, 5)
    case = services.case_resume(actor=world.approvers["住建"], case_id=case.pk)
    # (4, 5 March] given back: 6 (3), 9 (4), 11–13 (7), 16 → Monday 16 March.
    assert case.due_date == D(2026, 3, 16)


def test_through_the_admin(cases, client, django_user_model):
    root = django_user_model.objects.create_superuser("root", "root@example.com", "pw-123456789")
    client.force_login(root)
    row = WorkCalendar.objects.get(date=DAY)
    url = reverse("admin:workdays_workcalendar_change", args=[row.pk])
    response = client.post(url, {"kind": "holiday", "holiday_name": "临时休假"}, follow=True)
    assert response.status_code == 200
    shown = [str(m) for m in get_messages(response.wsgi_request)] or [response.content.decode()]
    assert any("1 个办件的期限有变动" in m and "1 位申请人已收到通知" in m for m in shown), shown
    assert_moved(cases["moved"])
    case_event = CaseEvent.objects.get(case=cases["moved"], kind="deadline_recomputed")
    assert case_event.actor == root
    assert_untouched(cases)


def test_through_the_api(world, cases):
    api = APIClient()
    url = f"/api/v1/workdays/days/{DAY:%Y-%m-%d}/"
    api.force_authenticate(world.approvers["住建"])
    refused = api.put(url, {"kind": "holiday"}, format="json")
    assert refused.status_code == 403 and "系统管理员" in refused.json()["message"]
    api.force_authenticate(
        world.heads["住建"].__class__.objects.create_superuser("root", "r@example.com", "pw")
    )
    bad_date = api.put("/api/v1/workdays/days/2026-02-30/", {"kind": "holiday"}, format="json")
    assert bad_date.status_code == 400 and bad_date.json()["field"] == "day"
    wrong_kind = api.put(url, {"kind": "makeup"}, format="json")
    assert wrong_kind.status_code == 400 and wrong_kind.json()["field"] == "kind"
    assert "调休上班" in wrong_kind.json()["message"]
    response = api.put(url, {"kind": "holiday", "name": "临时休假"}, format="json")
    assert response.status_code == 200, response.json()
    body = response.json()
    assert (body["date"], body["kind"], body["is_workday"], body["name"]) == (
        "2026-03-10",
        "holiday",
        False,
        "临时休假",
    )
    assert body["recomputed"]["cases"]["changed"] == 1
    assert_moved(cases["moved"])
    assert_untouched(cases)
