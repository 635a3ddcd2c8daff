"""Benchmark: server time of the monthly performance page over N concluded cases (target ≤ 300 ms at 1M).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/tongban_bench \
        .venv/bin/python bench/bench_performance.py [--big] [--cases N]

Tops the database up with `tongban bench-data` until it holds N concluded cases (default 100k; --big 1M),
then times, median of 7 runs each: a trivial reference (SELECT count(*) over the cases table), the
selector `performance_by` for each dimension over the busiest month, and the whole page rendered through
the test client as a supervisor (all departments). Refuses a database whose name lacks "bench".
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tongban.settings.dev")
os.environ["DEBUG"] = "false"

import django

django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.db.models import Count  # noqa: E402
from django.db.models.functions import TruncMonth  # noqa: E402
from django.test import Client  # noqa: E402

from tongban.accounts.models import User  # noqa: E402
from tongban.analytics.models import CaseFact  # noqa: E402
from tongban.analytics.selectors import _parts, month_range, performance_by  # noqa: E402
from tongban.cases.choices import CaseStatus  # noqa: E402
from tongban.cases.models import Case  # noqa: E402
from tongban.demo.bench import bench_data  # noqa: E402


def timed(fn, runs: int = 7) -> float:
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t) * 1000)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--big", action="store_true", help="1M concluded cases")
    parser.add_argument("--cases", type=int, default=None)
    parser.add_argument("--explain", action="store_true", help="print EXPLAIN ANALYZE of the four parts")
    parser.add_argument("--yes", action="store_true", help="allow a database without 'bench' in its name")
    args = parser.parse_args()
    target = args.cases or (1_000_000 if args.big else 100_000)
    name = settings.DATABASES["default"]["NAME"]
    if "bench" not in str(name) and not args.yes:
        sys.exit(f"refusing to fill database {name!r}: its name does not contain 'bench' (use --yes)")
    call_command("migrate", verbosity=0)
    concluded = Case.objects.filter(status__in=CaseStatus.concluded()).count()
    if concluded < target:
        # ~85 % of generated cases are concluded.
        missing = int((target - concluded) / 0.85) + 1
        print(f"generating {missing} cases …", flush=True)
        print(bench_data(cases=missing, seed=concluded + 1))
    concluded = Case.objects.filter(status__in=CaseStatus.concluded()).count()
    busiest = (
        CaseFact.objects.exclude(concluded_on=None)
        .annotate(m=TruncMonth("concluded_on"))
        .values("m")
        .annotate(n=Count("pk"))
        .order_by("-n")
        .first()
    )
    month = busiest["m"]
    date_from, date_to = month_range(month)
    if connection.vendor == "postgresql":
        # As autovacuum leaves a table that is not being bulk-loaded: statistics and visibility map set
        # (the index-only scans of performance_by depend on the latter).
        with connection.cursor() as cur:
            cur.execute("VACUUM ANALYZE analytics_casefact")
            cur.execute("VACUUM ANALYZE cases_case")
    supervisor = User.objects.filter(is_superuser=True).first() or User.objects.create_superuser(
        "bench-admin", password="bench-Admin-2026"
    )

    def reference():
        with connection.cursor() as cur:
            cur.execute("SELECT count(*) FROM cases_case")
            cur.fetchone()

    print(
        f"database: {connection.vendor}, concluded cases: {concluded}, month {month:%Y-%m} "
        f"({busiest['n']} concluded in it)"
    )
    ref = timed(reference)
    print(f"reference  SELECT count(*) FROM cases_case: {ref:8.1f} ms; load average {os.getloadavg()[0]:.2f}")
    for dimension in ("department", "item", "window", "staff", "month"):
        ms = timed(
            lambda d=dimension: performance_by(
                user=supervisor, dimension=d, date_from=date_from, date_to=date_to, everything=True
            )
        )
        print(f"performance_by({dimension:10s}):               {ms:8.1f} ms = {ms / ref:.2f}× reference")
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    # No collectstatic manifest needed to time the page (DEBUG is off to keep the query log empty).
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    client = Client()
    client.force_login(supervisor)
    url = f"/analytics/?month={month:%Y-%m}&dimension=department"
    assert client.get(url).status_code == 200
    ms = timed(lambda: client.get(url))
    print(f"page {url}: {ms:8.1f} ms = {ms / ref:.2f}× reference (target ≤ 300 ms at 1M)")
    if args.explain and connection.vendor == "postgresql":
        facts = CaseFact.objects.all()
        for date_field, aggregates in _parts():
            qs = facts.filter(**{f"{date_field}__range": (date_from, date_to)})
            print(
                f"-- {date_field}:\n"
                + qs.values("department_id").annotate(**aggregates).order_by().explain(analyze=True)
            )


if __name__ == "__main__":
    main()
