"""The demo's past (issue 12 point 11): supervision shows red warnings — an overdue case and overdue steps
— and a 差评 whose follow-up went 核实 → 整改 → 回访 → closed, all on dates in 2026, all by the
department's own logins, seen through the pages and the API.

Today is pinned to Monday 7 December 2026, 10:00 Beijing time (ticking), the day the issue was worked on.
"""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.test import override_settings
from django.urls import reverse

from tongban.accounts.models import User
from tongban.cases.choices import CaseStatus, StepStatus
from tongban.cases.models import Case, CaseEvent, Step
from tongban.demo.cases import HISTORY_CASES, load_demo_cases
from tongban.demo.history import HISTORY_END, at
from tongban.demo.ratings import RATED_CASE, load_demo_ratings
from tongban.organisations.choices import StaffRole
from tongban.organisations.models import StaffAssignment
from tongban.ratings.choices import FollowUpEventKind, FollowUpStage
from tongban.ratings.models import FollowUp, FollowUpEvent, Rating
from tongban.supervision.choices import DeadlineStatus, Level, SubjectType
from tongban.supervision.models import Deadline

pytestmark = pytest.mark.django_db

BJ = dt.timezone(dt.timedelta(hours=8))
TODAY = dt.datetime(2026, 12, 7, 10, 0, tzinfo=BJ)


@pytest.fixture(scope="module")
def history(demo_module, django_db_blocker, tmp_path_factory):
    """The demo's cases (today's and the past's) and its rating, loaded once for the module."""
    with (
        django_db_blocker.unblock(),
        override_settings(MEDIA_ROOT=tmp_path_factory.mktemp("media")),
        time_machine.travel(TODAY, tick=True),
    ):
        cases = load_demo_cases(verbosity=0)
        ratings = load_demo_ratings()
        yield {"cases": cases, "ratings": ratings}


@pytest.fixture
def today(history):
    with time_machine.travel(TODAY, tick=True):
        yield


def login(client, username: str):
    client.force_login(User.objects.get(username=username))
    return client


def red(case: Case) -> set[str]:
    """The subjects of the case's open red watches: "case" and/or one "step:<name>" per step."""
    steps = dict(Step.objects.filter(case=case).values_list("pk", "name"))
    found = set()
    for d in Deadline.objects.filter(level=Level.RED, status=DeadlineStatus.OPEN):
        if d.subject_type == SubjectType.CASE and d.subject_id == case.pk:
            found.add("case")
        elif d.subject_type == SubjectType.STEP and d.subject_id in steps:
            found.add(f"step:{steps[d.subject_id]}")
    return found


class TestRedWarnings:
    def test_overdue_cases_and_steps_are_red(self, history, today):
        serial = Case.objects.get(submit_key="demo:overdue-serial")
        assert serial.status == CaseStatus.IN_REVIEW
        assert serial.accepted_on == dt.date(2026, 11, 16) and serial.due_date == dt.date(2026, 11, 23)
        assert red(serial) == {"case", "step:材料审查与现场核查"}

        parallel = Case.objects.get(submit_key="demo:overdue-parallel")
        late = Step.objects.get(case=parallel, status=StepStatus.OPEN)
        assert Step.objects.filter(case=parallel, status=StepStatus.DONE).count() == 2
        assert red(parallel) == {"case", f"step:{late.name}"}

    def test_built_on_dates_in_2026_by_department_logins(self, history, today):
        keys = [key for key, _label, _journey in HISTORY_CASES]
        events = CaseEvent.objects.filter(case__submit_key__in=keys)
        assert events.count() > 10
        assert all(dt.date(2026, 11, 1) <= e.at.astimezone(BJ).date() <= HISTORY_END for e in events)
        assert not events.filter(actor__is_superuser=True).exists()
        watches = Deadline.objects.filter(level=Level.RED)
        assert watches.count() >= 4 and all(d.due_date.year == 2026 for d in watches)

    def test_supervision_page_and_api_show_them(self, history, today, client):
        numbers = list(
            Case.objects.filter(submit_key__in=["demo:overdue-serial", "demo:overdue-parallel"]).values_list(
                "number", flat=True
            )
        )
        login(client, "jiancha")
        page = client.get("/supervision/?level=red").content.decode()
        assert all(n in page for n in numbers) and "红灯超期" in page
        api = client.get(reverse("api-supervision-deadlines"), {"level": "red"}).json()
        rows = api["results"] if isinstance(api, dict) else api
        assert {r["reference"] for r in rows} >= set(numbers)
        assert {r["subject_type"] for r in rows} >= {"case", "step"}

    def test_the_late_department_sees_its_overdue_step(self, history, today, client):
        parallel = Case.objects.get(submit_key="demo:overdue-parallel")
        late = Step.objects.get(case=parallel, status=StepStatus.OPEN)
        approver = StaffAssignment.objects.filter(
            department_id=late.department_id, role=StaffRole.APPROVER
        ).first()
        login(client, approver.user.username)
        page = client.get("/work/tasks/").content.decode()
        assert parallel.number in page and "已超期" in page


class TestClosedRatingFollowUp:
    def test_rating_followed_up_to_the_end(self, history, today):
        case = Case.objects.get(submit_key=RATED_CASE)
        assert case.status == CaseStatus.CLOSED and case.issuance_method == "post"
        rating = Rating.objects.get(service__reference_id=case.pk)
        assert rating.score == 2 and rating.is_bad
        fu = FollowUp.objects.get(rating=rating)
        assert fu.stage == FollowUpStage.CLOSED and fu.closed_reason == "called_back"
        assert fu.verify_note and fu.rectify_note and fu.callback_result == "satisfied"
        kinds = list(FollowUpEvent.objects.filter(followup=fu).order_by("at").values_list("kind", flat=True))
        assert kinds == [
            FollowUpEventKind.OPENED,
            FollowUpEventKind.VERIFIED,
            FollowUpEventKind.RECTIFIED,
            FollowUpEventKind.CALLED_BACK,
        ]
        # each stage by the department's own people: the approver verifies and calls back, the head rectifies
        by = {
            e.kind: StaffAssignment.objects.get(user=e.actor).role
            for e in FollowUpEvent.objects.filter(followup=fu).exclude(kind=FollowUpEventKind.OPENED)
        }
        assert by == {
            FollowUpEventKind.VERIFIED: StaffRole.APPROVER,
            FollowUpEventKind.RECTIFIED: StaffRole.DEPARTMENT_HEAD,
            FollowUpEventKind.CALLED_BACK: StaffRole.APPROVER,
        }
        watches = Deadline.objects.filter(subject_type=SubjectType.RATING_FOLLOWUP, subject_id=fu.pk)
        assert watches.count() == 3
        assert all(w.status == DeadlineStatus.CLOSED and w.closed_on_time for w in watches)
        assert history["ratings"] == {"followups_closed": 1}

    def test_seen_by_supervisor_in_the_list_and_the_api(self, history, today, client):
        fu = FollowUp.objects.get(rating__service__reference_id=Case.objects.get(submit_key=RATED_CASE).pk)
        login(client, "jiancha")
        page = client.get("/ratings/followups/?stage=closed").content.decode()
        assert fu.reference in page and "现场核查的时间改了两次" in page
        api = client.get(reverse("api-ratings-followups"), {"stage": "closed"}).json()
        rows = api["results"] if isinstance(api, dict) else api
        assert [r["id"] for r in rows if r["id"] == fu.pk]


class TestIdempotence:
    def test_loading_again_adds_nothing(self, history, today):
        counts = (Case.objects.count(), CaseEvent.objects.count(), Rating.objects.count())
        again = load_demo_cases(verbosity=0)
        assert again["created"] == 0
        assert load_demo_ratings() == {"followups_closed": 1}
        assert (Case.objects.count(), CaseEvent.objects.count(), Rating.objects.count()) == counts

    def test_the_past_stays_in_the_past(self):
        with pytest.raises(ValueError), at("2026-12-01 09:00"):
            pass
