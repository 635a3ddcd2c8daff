"""Case numbers: one sequence per region and day, gap-free across rollbacks, distinct under races."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection, transaction

from tongban.cases.models import CaseSequence
from tongban.cases.numbering import next_case_number
from tongban.common.testing import run_together

pytestmark = pytest.mark.django_db
DAY = dt.date(2026, 3, 2)


def test_numbers_count_per_region_and_day():
    with transaction.atomic():
        assert next_case_number(region_code="440106", day=DAY) == "440106-20260302-000001"
        assert next_case_number(region_code="440106", day=DAY) == "440106-20260302-000002"
        assert next_case_number(region_code="440103", day=DAY) == "440103-20260302-000001"
        assert (
            next_case_number(region_code="440106", day=DAY + dt.timedelta(days=1)) == "440106-20260303-000001"
        )
        assert next_case_number(region_code="", day=DAY) == "000000-20260302-000001"
    assert CaseSequence.objects.get(prefix="440106", day=DAY).last == 2


def test_a_rolled_back_filing_gives_its_number_back():
    with transaction.atomic():
        assert next_case_number(region_code="440106", day=DAY).endswith("-000001")
    with pytest.raises(RuntimeError), transaction.atomic():
        assert next_case_number(region_code="440106", day=DAY).endswith("-000002")
        raise RuntimeError("filing failed")
    with transaction.atomic():
        assert next_case_number(region_code="440106", day=DAY).endswith("-000002")


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_filings_at_once_get_different_numbers():
    if connection.vendor != "postgresql":
        pytest.skip("needs two PostgreSQL connections")
    numbers: list[str] = []

    def file_one():
        with transaction.atomic():
            numbers.append(next_case_number(region_code="440106", day=DAY))

    run_together(4, file_one)
    assert sorted(numbers) == [f"440106-20260302-00000{n}" for n in range(1, 5)]
