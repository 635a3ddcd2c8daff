"""The clock never stops service (issue 12, point 2): cases whose deadlines run past the official
calendar are accepted with provisional (暂定) dates that say so everywhere, and importing the official
schedule recomputes them, logs each change and tells the applicant.

Expected dates are counted by hand: 2026 on the official schedule (no holiday in December), 2027 from
the holiday law (元旦 Friday 1 January; 春节 5–8 February with 补假 9–10; see workdays/test_provisional)
and, after the import, on the test schedule below (it adds a 调休: 11–12 February off, Saturday
20 February worked — test data, the real 2027 notice is not published yet).
"""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import pytest
from pypdf import PdfReader
from rest_framework.test import APIClient

from tongban.catalogue.choices import LimitUnit
from tongban.catalogue.tests.factories import MaterialRequirementFactory, ServiceItemFactory
from tongban.notifications.models import Message
from tongban.supervision.models import Deadline
from tongban.workdays.services import calendar_year_import

from .. import selectors, services
from ..documents import document_pdf
from ..models import Case, CaseDocument, CaseEvent, Step
from .helpers import define_serial, register_at_window

D = dt.date
CST = dt.timezone(dt.timedelta(hours=8))
SCHEDULE_2027 = [
    {"date": "2027-01-01", "type": "法定节假日", "name": "元旦"},
    *({"date": f"2027-02-{x:02d}", "type": "法定节假日", "name": "春节"} for x in range(5, 13)),
    {"date": "2027-02-20", "type": "调休上班", "name": "春节"},
]


def at(clock, y, m, d):
    clock.move_to(dt.datetime(y, m, d, 10, tzinfo=CST))


def item(world, **limits):
    it = ServiceItemFactory(name="测试事项", department=world.housing, **limits)
    MaterialRequirementFactory(item=it, position=1, name="申请书")
    return it


def natural_year(world):
    """Promised and statutory: one year in natural days (365)."""
    return item(
        world,
        promised_limit=365,
        promised_limit_unit=LimitUnit.NATURAL_DAYS,
        statutory_limit=365,
        statutory_limit_unit=LimitUnit.NATURAL_DAYS,
    )


def accept(world, it):
    return services.case_accept(actor=world.clerk, case_id=register_at_window(world, it).pk)


def test_sixty_working_days_and_one_natural_year_accepted_on_7_december_2026(world, clock):
    at(clock, 2026, 12, 7)
    sixty = accept(world, item(world, promised_limit=60, statutory_limit=60))
    # 18 working days 8–31 December, 20 in January 2027 (38), 1–4 February (42), 春节 5–10,
    # 11–12 (44), 15–19 (49), 22–26 (54), 1–5 March (59), Monday 8 March the 60th.
    assert (sixty.due_date, sixty.due_provisional) == (D(2027, 3, 8), True)
    assert (sixty.statutory_due_date, sixty.statutory_due_provisional) == (D(2027, 3, 8), True)
    year = accept(world, natural_year(world))
    assert (year.due_date, year.due_provisional) == (D(2027, 12, 7), True)  # a Tuesday
    step = Step.objects.get(case=sixty)
    assert step.due_provisional
    assert Deadline.objects.get(subject_type="case", subject_id=sixty.pk, status="open").provisional


@pytest.mark.parametrize("day", [D(2029, 6, 4), D(2031, 12, 1), D(2036, 3, 3)])
def test_accepted_years_ahead(world, clock, day):
    at(clock, day.year, day.month, day.day)
    sixty = accept(world, item(world, promised_limit=60, statutory_limit=60))
    year = accept(world, natural_year(world))
    assert sixty.due_provisional and year.due_provisional
    assert sixty.due_date > day and year.due_date >= day + dt.timedelta(days=365)


def provisional_case(world, clock):
    define_serial(world)
    at(clock, 2026, 12, 28)  # Monday
    case = services.case_accept(actor=world.clerk, case_id=register_at_window(world).pk)
    # promised 8: 29–31 December (3), 4–8 January 2027 (8) → Friday 8 January.
    # statutory 20: … 11–15 (13), 18–22 (18), 25–26 → Tuesday 26 January.
    assert (case.due_date, case.due_provisional) == (D(2027, 1, 8), True)
    assert (case.statutory_due_date, case.statutory_due_provisional) == (D(2027, 1, 26), True)
    return case


def test_provisional_everywhere_it_is_shown(world, clock, client):
    case = provisional_case(world, clock)
    staff = APIClient()
    staff.force_authenticate(world.approvers["住建"])
    body = staff.get(f"/api/v1/cases/{case.pk}/").json()
    assert body["due_provisional"] is True and body["clock"]["provisional"] is True
    assert body["statutory_clock"]["provisional"] is True
    assert body["steps"][0]["due_provisional"] is True
    rows = staff.get("/api/v1/tasks/todo/").json()
    assert rows[0]["due_provisional"] is True and rows[0]["statutory_due_provisional"] is True
    track = APIClient().get("/api/v1/track/", {"no": case.number, "code": case.query_code}).json()
    assert track["due_provisional"] is True and track["steps"][0]["due_provisional"] is True
    doc = CaseDocument.objects.get(case=case, kind="acceptance")
    pdf = document_pdf(doc)
    Path("/tmp/shots-clock").mkdir(exist_ok=True)
    Path("/tmp/shots-clock/acceptance-provisional.pdf").write_bytes(pdf)  # pdftoppm -png to look at it
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages).replace("\n", "")
    assert "2027年1月8日（暂定）" in text and "全国年节及纪念日放假办法" in text
    client.force_login(world.approvers["住建"])
    page = client.get(f"/work/cases/{case.pk}/").content.decode()
    assert page.count("暂定") >= 2  # promised and statutory deadlines
    tasks = client.get("/work/tasks/").content.decode()
    assert "暂定" in tasks
    client.force_login(world.applicant.user)
    mine = client.get(f"/my/{case.number}/").content.decode()
    assert "暂定" in mine
    tracked = client.get("/track/", {"no": case.number, "code": case.query_code}).content.decode()
    assert "暂定" in tracked
    message = Message.objects.filter(template="case.accepted", channel="sms").get()
    assert "2027年1月8日（暂定）" in message.body


def test_importing_the_official_year_recomputes_logs_and_tells(world, clock):
    case = provisional_case(world, clock)
    untouched = Case.objects.get(pk=case.pk)
    at(clock, 2026, 12, 29)
    year = calendar_year_import(year=2027, rows=SCHEDULE_2027)
    counts = year.recomputed["cases"]
    assert counts["checked"] == 1 and counts["changed"] == 1 and counts["notified"] == 0
    case.refresh_from_db()
    # The test schedule changes nothing before 5 February: same dates, now official.
    assert (case.due_date, case.due_provisional) == (D(2027, 1, 8), False)
    assert (case.statutory_due_date, case.statutory_due_provisional) == (D(2027, 1, 26), False)
    assert case.version == untouched.version + 1
    ev = CaseEvent.objects.get(case=case, kind="deadline_recomputed")
    assert "办结期限 2027-01-08 经官方日历确认" in ev.note
    assert not Message.objects.filter(template="case.deadline_moved").exists()  # no promise moved
    assert not Deadline.objects.get(subject_type="case", subject_id=case.pk, status="open").provisional
    assert not Step.objects.get(case=case, status="open").due_provisional


def test_a_moved_promise_is_logged_and_told_once(world, clock):
    at(clock, 2027, 1, 25)  # 2027 provisional: 春节 5–10 February
    define_serial(world)
    case = services.case_accept(actor=world.clerk, case_id=register_at_window(world).pk)
    # promised 8: 26–29 January (4), 1–4 February (8) → Thursday 4 February — before any change.
    # statutory 20: … 11–12 (10), 15–19 (15), 22–26 (20) → Friday 26 February.
    assert (case.due_date, case.statutory_due_date) == (D(2027, 2, 4), D(2027, 2, 26))
    case = services.case_extend(actor=world.heads["住建"], case_id=case.pk, days=10, reason="复杂")
    # 18 working days: … 4 February (8), 11–12 (10), 15–19 (15), 22–24 (18) → Wednesday 24 February.
    assert (case.due_date, case.due_provisional) == (D(2027, 2, 24), True)
    calendar_year_import(year=2027, rows=SCHEDULE_2027)
    case.refresh_from_db()
    # Officially 11–12 February are off and Saturday 20 February is worked: 15–19 (13), 20 (14),
    # 22–25 (18) → Thursday 25 February.
    assert (case.due_date, case.due_provisional) == (D(2027, 2, 25), False)
    ev = CaseEvent.objects.get(case=case, kind="deadline_recomputed")
    assert "办结期限 2027-02-24（暂定） → 2027-02-25" in ev.note
    assert ev.detail["due_date"] == ["2027-02-24", "2027-02-25"]
    told = Message.objects.filter(template="case.deadline_moved", channel="sms")
    assert told.count() == 1
    assert "办结期限改为2027年2月25日（原2027年2月24日（暂定））" in told.get().body
    watch = Deadline.objects.get(subject_type="case", subject_id=case.pk, status="open")
    assert (watch.due_date, watch.provisional) == (D(2027, 2, 25), False)
    # Idempotent: importing the same schedule again moves nothing and tells nobody twice.
    calendar_year_import(year=2027, rows=SCHEDULE_2027, replace=True)
    assert CaseEvent.objects.filter(case=case, kind="deadline_recomputed").count() == 1
    assert told.count() == 1


def test_paused_case_and_open_intake_and_correction(world, clock):
    define_serial(world)
    at(clock, 2027, 2, 1)
    waiting = register_at_window(world)  # intake: 2–4 (3), 11–12 (5) → Friday 12 February (暂定)
    assert (waiting.intake_due, waiting.intake_due_provisional) == (D(2027, 2, 12), True)
    accepted = services.case_accept(actor=world.clerk, case_id=register_at_window(world).pk)
    m = accepted.materials.first()
    services.case_request_correction(
        actor=world.clerk, case_id=accepted.pk, items=[{"material_id": m.pk, "reason": "不清晰"}]
    )
    accepted.refresh_from_db()
    assert accepted.is_paused and accepted.correction_due_provisional
    calendar_year_import(year=2027, rows=SCHEDULE_2027)
    waiting.refresh_from_db()
    # Officially 11–12 February are off: 2–4 (3), 15–16 (5) → Tuesday 16 February.
    assert (waiting.intake_due, waiting.intake_due_provisional) == (D(2027, 2, 16), False)
    watch = Deadline.objects.get(subject_type="intake", subject_id=waiting.pk, status="open")
    assert watch.due_date == D(2027, 2, 16)
    accepted.refresh_from_db()
    # 10 working days from 1 February: 2–4 (3), 15–19 (8), 20 (9, worked), 22 → Monday 22 February.
    assert (accepted.correction_due, accepted.correction_due_provisional) == (D(2027, 2, 22), False)
    assert accepted.is_paused and not accepted.due_provisional
    clock_view = selectors.case_clock(Case.objects.get(pk=accepted.pk))
    assert not clock_view.provisional
