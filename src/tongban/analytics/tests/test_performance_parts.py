"""performance_by reads each figure through its own date (four GROUP BYs, totals added up): on generated
data it must give exactly what one pass over the OR of the four date ranges gives (the former query,
kept here as the reference), for every dimension, several periods and scoped users."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db.models import Count, Q, Sum

from tongban.accounts.tests.factories import StaffFactory
from tongban.analytics.models import CaseFact
from tongban.analytics.selectors import FIGURES, performance_by
from tongban.cases.choices import CaseChannel
from tongban.demo.bench import bench_data
from tongban.organisations.choices import StaffRole
from tongban.organisations.models import Department, ServiceHall

TODAY = dt.date(2026, 6, 30)
COLUMN = {"department": "department_id", "window": "window_id", "staff": "staff_id", "item": "item_id"}


def _reference_aggregates(span) -> dict:
    concluded = Q(concluded_on__range=span)
    return {
        "received": Count("pk", filter=Q(received_on__range=span)),
        "accepted": Count("pk", filter=Q(accepted_on__range=span)),
        "refused": Count("pk", filter=Q(refused_on__range=span)),
        "concluded": Count("pk", filter=concluded),
        "on_time": Count("pk", filter=concluded & Q(on_time=True)),
        "early": Count("pk", filter=concluded & Q(early=True)),
        "used_days_sum": Sum("used_days", filter=concluded),
        "promised_days_sum": Sum("promised_days", filter=concluded),
        "online": Count("pk", filter=Q(received_on__range=span, channel=CaseChannel.ONLINE)),
        "visits_sum": Sum("visits", filter=concluded),
        "one_visit": Count("pk", filter=concluded & Q(visits__lte=1)),
        "corrected": Count("pk", filter=concluded & Q(corrections__gt=0)),
        "extensions": Sum("extensions", filter=concluded),
        "pauses": Sum("pauses", filter=concluded),
    }


def _reference(user, dimension, date_from, date_to) -> tuple[dict, dict]:
    span = (date_from, date_to)
    facts = CaseFact.objects.visible_to(user).filter(
        Q(received_on__range=span)
        | Q(accepted_on__range=span)
        | Q(refused_on__range=span)
        | Q(concluded_on__range=span)
    )
    total = {k: v or 0 for k, v in facts.aggregate(**_reference_aggregates(span)).items()}
    column = COLUMN[dimension]
    rows = {
        g.pop(column): {k: v or 0 for k, v in g.items()}
        for g in facts.values(column).annotate(**_reference_aggregates(span)).order_by()
    }
    return rows, total


def _figures(row) -> dict:
    return {f: getattr(row, f) for f in FIGURES}


@pytest.mark.django_db(transaction=True)
def test_parts_equal_the_single_pass():
    bench_data(cases=800, seed=5, today=TODAY, months=6)
    supervisor = StaffFactory.with_role(StaffRole.SUPERVISOR)
    department = Department.objects.filter(pk__in=CaseFact.objects.values("department_id")).first()
    approver = StaffFactory.with_role(StaffRole.APPROVER, department=department)
    clerk = StaffFactory.with_role(
        StaffRole.CLERK, hall=ServiceHall.objects.filter(pk__in=CaseFact.objects.values("hall_id")).first()
    )
    periods = [
        (dt.date(2026, 5, 1), dt.date(2026, 5, 31)),
        (dt.date(2026, 4, 9), dt.date(2026, 6, 17)),
        (dt.date(2025, 12, 1), TODAY),
    ]
    compared = 0
    for user in (supervisor, approver, clerk):
        for date_from, date_to in periods:
            for dimension in COLUMN:
                perf = performance_by(user=user, dimension=dimension, date_from=date_from, date_to=date_to)
                rows, total = _reference(user, dimension, date_from, date_to)
                assert {r.key: _figures(r) for r in perf.rows} == rows
                assert _figures(perf.total) == total
                compared += len(rows)
            months = performance_by(user=user, dimension="month", date_from=date_from, date_to=date_to)
            for row in months.rows:
                first = dt.date.fromisoformat(row.key + "-01")
                start, end = (
                    max(first, date_from),
                    min((first + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1), date_to),
                )
                _, month_total = _reference(user, "department", start, end)
                assert _figures(row) == month_total
            assert _figures(months.total) == _reference(user, "department", date_from, date_to)[1]
    assert compared > 100  # the data really spreads over many groups
