"""限时办结: the statutory limit is a hard limit (issue 12, point 3).

The rule under test is 《中华人民共和国行政许可法》第四十二条 (and 第八十二条: periods of the law in working
days, counted from the day after): a decision within 20 working days; the head of the body may approve
ONE extension of 10 working days; unified / joint / concentrated processing 45 + 15. The expected dates
below are counted by hand on the official 2026 schedule (国务院办公厅关于2026年部分节假日安排的通知: no
holiday between 2 March and 3 April 2026), never with the clock under test.
"""

from __future__ import annotations

import datetime as dt

import pytest
from rest_framework.test import APIClient

from tongban.accounts.tests.factories import StaffFactory
from tongban.catalogue.choices import LimitUnit, ProcessingMode
from tongban.common.errors import ValidationFailed
from tongban.supervision.models import Deadline

from .. import selectors, services
from ..extensions import extension_allowance
from ..models import Case, CaseEvent, Extension
from .helpers import define_serial, register_at_window, submit_online

D = dt.date


def accepted(world, item=None):
    define_serial(world)
    return services.case_accept(actor=world.clerk, case_id=register_at_window(world, item).pk)


def test_both_deadlines_are_stored_and_shown(world, clock):
    case = accepted(world)  # Monday 2 March 2026; promised 8, statutory 20 working days
    # 8 working days from Tuesday 3 March: 3–6 (4), 9–12 (8) → Thursday 12 March.
    # 20: … 13 (9), 16–20 (14), 23–27 (19), Monday 30 March (20).
    assert (case.due_date, case.statutory_due_date) == (D(2026, 3, 12), D(2026, 3, 30))
    assert not case.due_provisional and not case.statutory_due_provisional
    api = APIClient()
    api.force_authenticate(world.heads["住建"])
    body = api.get(f"/api/v1/cases/{case.pk}/").json()
    assert body["due_date"] == "2026-03-12" and body["statutory_due_date"] == "2026-03-30"
    assert body["due_provisional"] is False and body["statutory_due_provisional"] is False
    assert body["statutory_clock"]["due_date"] == "2026-03-30"
    assert body["extension"] == {
        "max_times": 1,
        "used_times": 0,
        "max_days": 10,
        "basis": "《中华人民共和国行政许可法》第四十二条第一款",
        "allowed": True,
        "reason_refused": "",
        "cap": "2026-04-14",  # 30 working days: … 31 Mar (21), 1–3 Apr (24), 7–10 (28; 清明 6 Apr), 13–14
        "cap_provisional": False,
    }
    api.force_authenticate(world.approvers["住建"])  # the first step is the approvers'
    rows = api.get("/api/v1/tasks/todo/").json()
    assert rows[0]["statutory_due_date"] == "2026-03-30"


def test_once_and_at_most_ten_working_days(world, clock):
    case = accepted(world)
    head = world.heads["住建"]
    with pytest.raises(ValidationFailed) as exc:
        services.case_extend(actor=head, case_id=case.pk, days=11, reason="需专家评审")
    assert exc.value.field == "days" and exc.value.code == "extension_refused"
    assert "每次最多延长 10 个工作日" in exc.value.message and "第四十二条" in exc.value.message
    case = services.case_extend(actor=head, case_id=case.pk, days=10, reason="需专家评审")
    # 8 + 10 = 18 working days → Thursday 26 March; the statutory deadline moves by the same 10 days.
    assert (case.due_date, case.statutory_due_date, case.extension_days) == (
        D(2026, 3, 26),
        D(2026, 4, 14),
        10,
    )
    version = case.version
    with pytest.raises(ValidationFailed) as exc:
        services.case_extend(actor=head, case_id=case.pk, days=1, reason="还要再等")
    assert "已延期 1 次" in exc.value.message and "只能延长一次" in exc.value.message
    assert Case.objects.get(pk=case.pk).version == version
    assert Extension.objects.filter(case=case).count() == 1
    assert CaseEvent.objects.filter(case=case, kind="extended").count() == 1


def test_joint_processing_allows_fifteen(world, clock):
    item = world.serial_item
    item.processing_mode = ProcessingMode.JOINT
    item.save()
    case = accepted(world)
    allowance = extension_allowance(case, on=D(2026, 3, 2))
    assert allowance.max_days == 15 and "第四十二条第二款" in allowance.basis
    case = services.case_extend(actor=world.heads["住建"], case_id=case.pk, days=15, reason="联合审查")
    assert case.extension_days == 15


def test_another_law_may_allow_more_extensions(world, clock):
    item = world.serial_item
    item.extension_max_times, item.extension_max_days = 2, 5
    item.extension_basis = "《某条例》第十条"
    item.save()
    case = accepted(world)
    head = world.heads["住建"]
    services.case_extend(actor=head, case_id=case.pk, days=5, reason="一")
    case = services.case_extend(actor=head, case_id=case.pk, days=5, reason="二")
    assert case.extension_days == 10
    with pytest.raises(ValidationFailed, match="《某条例》第十条，办理期限只能延长2次"):
        services.case_extend(actor=head, case_id=case.pk, days=1, reason="三")


def test_no_extension_past_the_statutory_limit_plus_its_extension(world, clock):
    """Promised 10 working days, statutory 14 natural days (+10 natural when extended): extending the
    promise by 10 working days would end after the statutory deadline with its whole extension."""
    item = world.serial_item
    item.promised_limit, item.statutory_limit = 10, 14
    item.statutory_limit_unit = LimitUnit.NATURAL_DAYS
    item.save()
    case = accepted(world)
    # Statutory: 2 March + 14 = Monday 16 March; with the 10-day legal extension: Thursday 26 March.
    assert case.statutory_due_date == D(2026, 3, 16)
    with pytest.raises(ValidationFailed) as exc:
        # 10 + 10 working days from 3 March → Monday 30 March, after 26 March.
        services.case_extend(actor=world.heads["住建"], case_id=case.pk, days=10, reason="复杂")
    assert "2026-03-30 超过法定办结期限加法定延长期限（2026-03-26" in exc.value.message
    case = services.case_extend(actor=world.heads["住建"], case_id=case.pk, days=8, reason="复杂")
    assert case.due_date == D(2026, 3, 26)


def test_refusal_through_the_api_and_the_page(world, clock, client):
    case = accepted(world)
    api = APIClient()
    api.force_authenticate(world.heads["住建"])
    ok = api.post(f"/api/v1/cases/{case.pk}/extend/", {"days": 10, "reason": "情况复杂"}, format="json")
    assert ok.status_code == 200
    again = api.post(f"/api/v1/cases/{case.pk}/extend/", {"days": 3, "reason": "情况复杂"}, format="json")
    assert again.status_code == 400
    assert again.json()["code"] == "extension_refused" and again.json()["field"] == "days"
    assert "只能延长一次" in again.json()["message"]
    client.force_login(world.heads["住建"])
    page = client.get(f"/work/cases/{case.pk}/").content.decode()
    assert 'id="extend"' not in page  # the form is not offered once the extension is used
    assert "只能延长一次" in page and "法定办结期限" in page


def test_intake_decision_deadline_is_watched(world, clock):
    """行政许可法 第三十二条: decide within 5 working days of receiving the application."""
    case = submit_online(world)  # Monday 2 March → 9 March
    watch = Deadline.objects.get(subject_type="intake", subject_id=case.pk, status="open")
    assert (watch.started_on, watch.due_date, watch.limit_days) == (D(2026, 3, 2), D(2026, 3, 9), 5)
    assert watch.department_id == case.item.department_id
    supervisor = StaffFactory.with_role("supervisor")
    api = APIClient()
    api.force_authenticate(supervisor)
    listed = api.get("/api/v1/supervision/deadlines/", {"subject_type": "intake"}).json()
    rows = listed["results"] if isinstance(listed, dict) else listed
    assert [r["reference"] for r in rows] == [case.number]
    define_serial(world)
    services.case_accept(actor=world.clerk, case_id=case.pk)
    watch.refresh_from_db()
    assert watch.status == "closed" and watch.closed_on_time
    assert Deadline.objects.filter(subject_type="case", subject_id=case.pk, status="open").exists()


def test_intake_watch_turns_red_when_no_decision(world, clock):
    from tongban.supervision.services import warning_sweep

    case = submit_online(world)
    warning_sweep(today=D(2026, 3, 10))
    watch = Deadline.objects.get(subject_type="intake", subject_id=case.pk)
    assert watch.level == "red"
    clerk_view = selectors.intake_queue(user=world.clerk)
    assert case.pk in [c.pk for c in clerk_view]


def test_the_item_carries_its_extension_rule(world, clock):
    item = world.serial_item
    item.processing_mode = ProcessingMode.JOINT
    item.save()
    body = APIClient().get(f"/api/v1/items/{item.code}/").json()
    assert body["processing_mode"] == "joint" and body["extension_max_times"] == 1
    assert body["extension_max_days"] is None and body["extension_days_allowed"] == 15
    assert body["extension_basis_text"] == "《中华人民共和国行政许可法》第四十二条第二款"


def test_joint_processing_takes_at_most_45_working_days(world, clock):
    from django.core.exceptions import ValidationError

    item = world.serial_item
    item.processing_mode, item.statutory_limit, item.promised_limit = ProcessingMode.JOINT, 46, 20
    with pytest.raises(ValidationError) as exc:
        item.full_clean()
    assert "不得超过 45 个工作日" in exc.value.message_dict["statutory_limit"][0]
    item.statutory_limit = 45
    item.full_clean()
