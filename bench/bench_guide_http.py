"""Scenario: the public guide over HTTP (granian, 2 workers) against the same server's /healthz.

Prepares the demo database (`tongban demo --prepare-only`), then measures requests per second for
search pages and item pages, reported as a ratio of the trivial JSON endpoint measured in the same run.
Run: .venv/bin/python bench/bench_guide_http.py [--seconds 5]
The database is `DATABASE_URL`'s (default var/tongban.sqlite3, the demo's own); while others may be using
that file, give the bench its own, e.g. DATABASE_URL=sqlite:////tmp/tongban_guide_bench.sqlite3.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import quote

sys.path.insert(0, str(Path(__file__).parent))
from httpload import granian_server, measure


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--clients", type=int, default=4)
    args = parser.parse_args()
    env = {"DJANGO_SETTINGS_MODULE": "tongban.settings.dev", "DEBUG": "false"}
    os.environ.update(env)
    subprocess.run([sys.executable, "-m", "tongban.manage", "demo", "--prepare-only", "-v", "0"], check=True)

    import django

    django.setup()
    from tongban.catalogue.models import ServiceItem

    codes = list(ServiceItem.objects.published().order_by("code").values_list("code", flat=True)[:50])
    terms = ["yyzz", "营业执照", "营业", "卫生许可", "jzz"]
    searches = [f"/search/?q={quote(t)}" for t in terms]
    scenarios = {
        "healthz (reference)": ["/healthz"],
        "guide home": ["/guide/"],
        "search": searches,
        "item page": [f"/items/{c}/" for c in codes],
    }
    print(
        f"guide over HTTP — granian 2 workers, {args.clients} keep-alive clients, {args.seconds:.0f} s each"
    )
    with granian_server(workers=2, env=env) as port:
        results = {
            name: measure("127.0.0.1", port, paths, seconds=args.seconds, clients=args.clients)
            for name, paths in scenarios.items()
        }
    ref = results["healthz (reference)"]["rps"]
    print(f"{'scenario':<22}{'req/s':>10}{'ratio':>9}{'p50 ms':>9}{'p95 ms':>9}{'errors':>8}")
    for name, r in results.items():
        ratio = r["rps"] / ref
        print(
            f"{name:<22}{r['rps']:>10.0f}{ratio:>9.3f}{r['p50_ms']:>9.1f}{r['p95_ms']:>9.1f}{r['errors']:>8}"
        )


if __name__ == "__main__":
    main()
