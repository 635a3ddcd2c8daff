"""`tongban bench-data`: the synthetic cases are consistent, and their facts are exactly what a refresh
computes from the rows written (so the benchmark measures the figures of real-looking data)."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
from django.core.management import call_command
from django.forms.models import model_to_dict

from tongban.analytics.facts import refresh_ids
from tongban.analytics.models import CaseFact
from tongban.cases.choices import CaseStatus
from tongban.cases.models import Case, ClockPause, Extension, Visit
from tongban.demo.bench import bench_data

TODAY = dt.date(2026, 6, 30)


def _facts() -> dict[int, dict]:
    return {f.pk: model_to_dict(f, exclude=["refreshed_at"]) for f in CaseFact.objects.all()}


@pytest.mark.django_db(transaction=True)
def test_generated_facts_equal_a_refresh():
    made = bench_data(cases=600, seed=3, today=TODAY, months=6)
    assert made["cases"] == made["facts"] == 600 == Case.objects.filter(number__startswith="BENCH-").count()
    written = _facts()
    assert refresh_ids(list(written)) == 600
    assert _facts() == written
    # The mix is there: every status, both channels, corrections, pauses, extensions, late and on time.
    facts = CaseFact.objects.all()
    assert set(facts.values_list("status", flat=True)) == {
        s for s in CaseStatus if s != "draft" and s != "returned"
    }
    assert {"online", "window"} == set(facts.values_list("channel", flat=True))
    assert facts.filter(corrections__gt=0).exists() and facts.filter(pauses__gt=0).exists()
    assert Extension.objects.exists() and ClockPause.objects.filter(ended_on=None).exists()
    assert facts.filter(on_time=False).exists() and facts.filter(on_time=True).exists()
    assert facts.filter(received_on__gt=TODAY).count() == 0
    assert facts.filter(concluded_on__gt=TODAY).count() == 0
    # visit_count is the number of Visit rows.
    case = Case.objects.filter(visit_count__gt=1).first()
    assert Visit.objects.filter(case=case).count() == case.visit_count


@pytest.mark.django_db(transaction=True)
def test_command_appends_new_numbers():
    out = StringIO()
    call_command("bench-data", "--cases", "50", "--months", "12", stdout=out)
    call_command("bench-data", "--cases", "30", "--seed", "2", stdout=out)
    assert "cases: 50" in out.getvalue() and "cases: 30" in out.getvalue()
    assert Case.objects.filter(number__startswith="BENCH-").count() == 80 == CaseFact.objects.count()
