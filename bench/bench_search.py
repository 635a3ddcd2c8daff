"""Scenario: the guide's search — hit@3 on citizens' phrasings and the time per query, against references
measured in the same run on the same database.

Contenders (each `search_item_ids(query, published items)` as the guide page calls it, or the SQL):
- the search (catalogue.search) as served: outside a transaction, so the freshness stamp is read at
  most once a second;
- the same with the stamp read on every query (what a search inside a transaction does);
- the same with the synonyms and life events removed (inside a rolled-back transaction): what the
  catalogue's own words, segmentation and pinyin achieve alone;
- the search before issue 12 (catalogue/search.py at commit e929213, loaded from git), when git has it;
- a plain SQL `LIKE` of the whole query over name and keywords (the floor: one indexed-free query).

Queries: src/tongban/catalogue/tests/search_queries.py (80 phrasings written before the new search),
plus HELD_OUT below (20 phrasings written after the demo's synonyms were, never tuned against).
Each query's analysis cache is cleared before it is timed ("cold"), so repeated queries do not flatter
the search; "warm" times the same queries again with the cache.

Run: .venv/bin/python bench/bench_search.py [--rounds 5]
Uses DATABASE_URL (default var/tongban.sqlite3); migrates it and loads the demo catalogue (idempotent).
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tongban.settings.dev")
OLD_COMMIT = "e929213"  # the last commit with the search before issue 12

HELD_OUT = """新生儿怎么办社保卡 RS-007
我家孩子今年六岁要报名上学 JY-001
开个理发店要办啥 WJ-001
想在小区门口开个水果店 SCJG-006
爸爸去世了户口怎么销 GA-004
公司要招人备案 RS-002
考了证想领补贴 RS-005
异地就医怎么备案 YB-004
残疾人怎么领补贴 MZ-009
失独家庭补助 WJ-011
结婚证补办 MZ-003
离婚要带什么 MZ-002
办个游泳馆 WGLT-004
开个书店 WGLT-005
想卖二类医疗器械 SCJG-014
装修要拆排水管 SWJ-005
zhunshengzheng WJ-010
就页登记 RS-002
公租房申清 ZJ-008
申请养老院 MZ-013"""


def old_search_module():
    """catalogue/search.py as it was before issue 12, imported as tongban.catalogue.search_before."""
    try:
        source = subprocess.run(
            ["git", "show", f"{OLD_COMMIT}:src/tongban/catalogue/search.py"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    except (OSError, subprocess.CalledProcessError):
        return None
    name = "tongban.catalogue.search_before"
    spec = importlib.util.spec_from_loader(name, loader=None)
    module = importlib.util.module_from_spec(spec)
    module.__package__ = "tongban.catalogue"
    sys.modules[name] = module
    exec(compile(source, f"{OLD_COMMIT}:search.py", "exec"), module.__dict__)
    return module


def hit_rate(search, queries, codes) -> tuple[float, list[str]]:
    misses = []
    for text, code in queries:
        top = [codes.get(pk, "") for pk in search(text)[:3]]
        if code not in top:
            misses.append(text)
    return 1 - len(misses) / len(queries), misses


def timed(contenders: dict, queries, rounds: int) -> dict[str, tuple[float, float, float]]:
    """Mean, median and 95th-percentile milliseconds per query of each contender, measured interleaved
    (every contender runs each query in turn), so that a busy machine slows all of them alike."""
    samples: dict[str, list[float]] = {name: [] for name in contenders}
    for _ in range(rounds):
        for text, _code in queries:
            for name, (search, before) in contenders.items():
                if before:
                    before()
                start = time.perf_counter()
                search(text)
                samples[name].append((time.perf_counter() - start) * 1000)
    out = {}
    for name, values in samples.items():
        values.sort()
        out[name] = (statistics.fmean(values), statistics.median(values), values[int(len(values) * 0.95) - 1])
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()

    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import transaction
    from django.db.models import Q

    from tongban.catalogue import search_index
    from tongban.catalogue.models import LifeEventIntent, SearchSynonym, ServiceItem
    from tongban.catalogue.search import search_item_ids
    from tongban.catalogue.tests.search_queries import DISTRICT_PREFIX, QUERIES
    from tongban.demo.loader import load_demo

    call_command("migrate", verbosity=0)
    load_demo(verbosity=0)
    published = ServiceItem.objects.published()
    codes = {pk: code.removeprefix(DISTRICT_PREFIX) for pk, code in published.values_list("pk", "code")}
    queries = [(q.text, q.code) for q in QUERIES]
    held_out = [tuple(line.split()) for line in HELD_OUT.splitlines()]

    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    start = time.perf_counter()
    search_item_ids("预热", published)  # loads jieba's dictionary and builds the index
    first = time.perf_counter() - start
    rss_after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    start = time.perf_counter()
    search_index._build(("bench", 0))
    rebuild = time.perf_counter() - start

    def new(text):
        return search_item_ids(text, published)

    def clear():
        search_index.current_index().analyses.clear()

    def like(text):
        q = Q(name__icontains=text) | Q(keywords__icontains=text)
        return list(published.filter(q).order_by("code").values_list("pk", flat=True))

    old = old_search_module()

    def before(text):
        return old.search_item_ids(text, published)

    def rates(fn) -> tuple[float, list[str], float]:
        rate, misses = hit_rate(fn, queries, codes)
        return rate, misses, hit_rate(fn, held_out, codes)[0]

    rows = [("search (as served)", *rates(new))]
    with transaction.atomic():
        SearchSynonym.objects.all().delete()
        LifeEventIntent.objects.all().delete()
        rows.append(("search without synonyms/life events", *rates(new)))
        transaction.set_rollback(True)
    if old is not None:
        rows.append(("search before issue 12", *rates(before)))
    rows.append(("plain SQL LIKE (reference)", *rates(like)))
    search_item_ids("预热", published)

    def stamp_every_query(text):
        settings.TONGBAN_SEARCH_RECHECK_SECONDS = 0
        try:
            return new(text)
        finally:
            settings.TONGBAN_SEARCH_RECHECK_SECONDS = 1.0

    contenders = {
        "search (as served), cold": (new, clear),
        "search (as served), warm": (new, None),
        "search, stamp every query, cold": (stamp_every_query, clear),
        "plain SQL LIKE (reference)": (like, None),
    }
    if old is not None:
        contenders["search before issue 12"] = (before, None)
    timings = timed(contenders, queries, args.rounds)

    print(f"search — {len(queries)} phrasings (+{len(held_out)} held out), {len(codes)} published demo items")
    print(
        f"first search in a process (jieba dictionary + index): {first * 1000:.0f} ms, "
        f"max RSS +{(rss_after - rss_before) / 1024:.0f} MB; "
        f"index rebuild after a change: {rebuild * 1000:.0f} ms"
    )
    print(f"\n{'hit@3':<40}{'query set':>10}{'held out':>10}")
    for name, rate, _misses, held in rows:
        print(f"{name:<40}{rate:>10.1%}{held:>10.1%}")
    misses = rows[0][2]
    if misses:
        print("  misses of the search:", "、".join(misses))
    ref = timings["plain SQL LIKE (reference)"][0]
    print(f"\n{'time per query (interleaved)':<40}{'mean ms':>10}{'median':>10}{'p95 ms':>10}{'÷ LIKE':>9}")
    for name, (mean, median, p95) in timings.items():
        print(f"{name:<40}{mean:>10.2f}{median:>10.2f}{p95:>10.2f}{mean / ref:>9.1f}")
    if old is not None:
        ratio = timings["search (as served), cold"][0] / timings["search before issue 12"][0]
        print(f"\nsearch (as served, cold) ÷ search before issue 12: {ratio:.2f}")


if __name__ == "__main__":
    main()
