"""The demo hall: after load_demo() + load_demo_cases() there is a case in every state; twice adds nothing."""

from __future__ import annotations

import pytest

from tongban.cases.choices import CaseStatus, Decision, StepKind, StepStatus
from tongban.cases.models import Case, CaseEvent, ClockPause, Extension, Step
from tongban.demo.cases import DEMO_CASES, load_demo_cases
from tongban.demo.loader import load_demo

pytestmark = pytest.mark.django_db


def test_demo_cases_cover_every_state_and_are_idempotent(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    load_demo(verbosity=0)
    first = load_demo_cases(verbosity=0)
    assert first["created"] == len(DEMO_CASES) and first["existing"] == 0

    statuses = set(Case.objects.values_list("status", flat=True))
    assert statuses == set(CaseStatus.values)  # every state, draft to withdrawn
    # in review: serial and parallel, with some steps done and a joint decision pending
    in_review = Case.objects.filter(status=CaseStatus.IN_REVIEW)
    assert (
        in_review.filter(steps__parallel=True).exists() and in_review.filter(steps__parallel=False).exists()
    )
    assert Step.objects.filter(
        case__status=CaseStatus.IN_REVIEW, status=StepStatus.DONE, parallel=True
    ).exists()
    assert Step.objects.filter(
        case__status=CaseStatus.IN_REVIEW, status=StepStatus.OPEN, kind=StepKind.DECISION, is_lead=True
    ).exists()
    assert ClockPause.objects.filter(kind="special", ended_on__isnull=True).exists()  # paused
    assert Extension.objects.exists()  # extended
    decided = set(Case.objects.filter(status=CaseStatus.CONCLUDED).values_list("decision", flat=True))
    assert decided == {Decision.APPROVED, Decision.DENIED}
    closed = Case.objects.filter(status=CaseStatus.CLOSED)
    assert {c.issuance_method for c in closed} >= {"pickup", "post"}
    assert closed.filter(item__case_kind="immediate").exists()  # 即办件 at the window
    assert Case.objects.filter(channel="window").exists() and Case.objects.filter(channel="online").exists()

    counts = (Case.objects.count(), CaseEvent.objects.count(), Step.objects.count())
    second = load_demo_cases(verbosity=0)
    assert second == {"created": 0, "existing": len(DEMO_CASES)}
    assert (Case.objects.count(), CaseEvent.objects.count(), Step.objects.count()) == counts


def test_prepared_demo_has_performance_facts_at_once(settings, tmp_path):
    """`tongban demo` computes the performance facts while preparing, so 绩效统计 is not empty at first."""
    from tongban.analytics.models import CaseFact
    from tongban.demo.prepare import prepare_demo_data

    settings.MEDIA_ROOT = tmp_path / "media"
    summary = prepare_demo_data(verbosity=0)
    received = Case.objects.exclude(status=CaseStatus.DRAFT).count()
    assert received > 0 and summary["case_facts"] == received
    assert CaseFact.objects.count() == received
