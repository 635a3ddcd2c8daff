"""Catalogue search: Chinese words and fragments, pinyin initials (`yyzz`) and full pinyin.

Why it looks like this: the same code must behave identically on SQLite and PostgreSQL, so the
database only *filters* (plain `icontains` on the name, keywords, summary, department and on two
precomputed columns, `search_pinyin` and `search_initials`) and Python *ranks* the candidates with
explicit tiers and a deterministic tie-break. The pinyin columns are filled by `index_text`, called
from `ServiceItem.save()`.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from django.db.models import Q, QuerySet
from pypinyin import Style, lazy_pinyin

from .choices import ItemStatus

__all__ = [
    "highlight_spans",
    "index_text",
    "load_items",
    "normalise",
    "query_terms",
    "reindex_items",
    "search_item_ids",
    "search_items",
    "search_suggest",
]

PINYIN_MAX = 1024  # ServiceItem.search_pinyin max_length
INITIALS_MAX = 255  # ServiceItem.search_initials max_length
MAX_TERMS = 6
MAX_QUERY_CHARS = 100
MAX_VARIANTS = 4  # per text: the contextual reading plus a few heteronym alternatives

# Common heteronyms (多音字) as they occur in item names. pypinyin picks one reading from phrase
# context (银行 → hang); people also type the other one (yxkh), so the index keeps both. Only these
# characters get alternatives: pypinyin's full heteronym lists contain rare readings (立 wei, 登 de)
# that would only add false matches.
HETERONYMS: dict[str, tuple[str, ...]] = {
    "行": ("xing", "hang"),
    "长": ("chang", "zhang"),
    "重": ("zhong", "chong"),
    "会": ("hui", "kuai"),
    "单": ("dan", "shan"),
    "乐": ("le", "yue"),
    "还": ("huan", "hai"),
    "参": ("can", "shen"),
    "藏": ("cang", "zang"),
    "调": ("diao", "tiao"),
    "传": ("chuan", "zhuan"),
    "省": ("sheng", "xing"),
    "率": ("lv", "shuai"),
    "解": ("jie", "xie"),
    "校": ("xiao", "jiao"),
    "都": ("du", "dou"),
    "差": ("cha", "chai"),
    "称": ("cheng", "chen"),
    "给": ("gei", "ji"),
    "系": ("xi", "ji"),
    "曾": ("zeng", "ceng"),
    "朝": ("chao", "zhao"),
    "降": ("jiang", "xiang"),
    "宿": ("su", "xiu"),
    "便": ("bian", "pian"),
    "属": ("shu", "zhu"),
    "模": ("mo", "mu"),
    "期": ("qi", "ji"),
    "卡": ("ka", "qia"),
    "区": ("qu", "ou"),
    "血": ("xue", "xie"),
    "强": ("qiang", "jiang"),
    "车": ("che", "ju"),
    "盛": ("sheng", "cheng"),
    "乘": ("cheng", "sheng"),
    "提": ("ti", "di"),
    "地": ("di", "de"),
    "没": ("mei", "mo"),
    "和": ("he", "huo"),
    "奇": ("qi", "ji"),
    "薄": ("bo", "bao"),
    "殖": ("zhi", "shi"),
    "露": ("lu", "lou"),
    "剥": ("bo", "bao"),
    "查": ("cha", "zha"),
    "沈": ("shen", "chen"),
    "厦": ("sha", "xia"),
    "蚌": ("bang", "beng"),
    "番": ("fan", "pan"),
}

_TERM_SPLIT = re.compile(r"\s+")
_KEYWORD_SPLIT = re.compile(r"[\s,，、;；/|]+")
_NOT_WORD = re.compile(r"[^\w]+")
_ASCII_WORD = re.compile(r"^[a-z0-9]+$")


def normalise(text: str) -> str:
    """NFKC (full-width Ａ１ → A1, 　 → space) and lower case, so queries and stored text compare alike."""
    return unicodedata.normalize("NFKC", text or "").lower()


def _char_readings(text: str) -> list[tuple[str, ...]]:
    """One tuple of toneless readings per character: the contextual reading first, then alternatives.

    Non-Chinese letters and digits read as themselves; punctuation and spaces read as nothing.
    """
    text = normalise(text)
    contextual = lazy_pinyin(text, style=Style.NORMAL, errors=lambda chars: list(chars))
    readings: list[tuple[str, ...]] = []
    for char, reading in zip(text, contextual, strict=True):
        if not char.isalnum():
            readings.append(("",))
            continue
        reading = reading.lower()
        alternatives = tuple(r for r in HETERONYMS.get(char, ()) if r != reading)
        readings.append((reading, *alternatives))
    return readings


@lru_cache(maxsize=8192)
def _variants(text: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(full pinyin variants, initials variants) of one text; the first of each is the contextual one."""
    readings = _char_readings(text)
    primary = [r[0] for r in readings]
    choices: list[list[str]] = [primary]
    for position, options in enumerate(readings):
        for alternative in options[1:]:
            if len(choices) >= MAX_VARIANTS:
                break
            variant = list(primary)
            variant[position] = alternative
            choices.append(variant)
    full = _unique("".join(v) for v in choices)
    initials = _unique("".join(_initial(r) for r in v) for v in choices)
    return tuple(s for s in full if s), tuple(s for s in initials if s)


def _initial(reading: str) -> str:
    # Letters and digits outside Chinese keep their whole run ("ICP" → "icp"); a syllable its first letter.
    if not reading:
        return ""
    return reading if reading.isdigit() or len(reading) == 1 else reading[0]


def _unique(items: Iterable[str]) -> list[str]:
    seen: dict[str, None] = {}
    for item in items:
        seen.setdefault(item, None)
    return list(seen)


def _join_bounded(tokens: Iterable[str], limit: int) -> str:
    """Space-separated tokens, cut at a token boundary so the column never overflows."""
    out: list[str] = []
    size = 0
    for token in _unique(tokens):
        extra = len(token) + (1 if out else 0)
        if size + extra > limit:
            break
        out.append(token)
        size += extra
    return " ".join(out)


def _keywords(keywords: str) -> list[str]:
    return [k for k in _KEYWORD_SPLIT.split(normalise(keywords)) if k]


def index_text(name: str, keywords: str) -> tuple[str, str]:
    """Return (full pinyin, initials) of an item's name and keywords for the search columns.

    Each is a space-separated list: the name's contextual reading first, then heteronym alternatives
    (银行 → yinhang yinxing / yh yx), then each keyword's. Cut to the column sizes at token boundaries.
    """
    name_full, name_initials = _variants(name or "")
    full: list[str] = list(name_full)
    initials: list[str] = list(name_initials)
    for keyword in _keywords(keywords):
        kw_full, kw_initials = _variants(keyword)
        full.extend(kw_full[:1])
        initials.extend(kw_initials[:1])
    return _join_bounded(full, PINYIN_MAX), _join_bounded(initials, INITIALS_MAX)


def reindex_items(queryset: QuerySet | None = None) -> int:
    """Refill the pinyin columns of rows written without save() (bulk_create, raw SQL, old data)."""
    from .models import ServiceItem

    qs = ServiceItem.objects.all() if queryset is None else queryset
    changed = []
    for item in qs.only("pk", "name", "keywords", "search_pinyin", "search_initials"):
        full, initials = index_text(item.name, item.keywords)
        if (full, initials) != (item.search_pinyin, item.search_initials):
            item.search_pinyin, item.search_initials = full, initials
            changed.append(item)
    ServiceItem.objects.bulk_update(changed, ["search_pinyin", "search_initials"], batch_size=500)
    return len(changed)


def query_terms(query: str) -> list[str]:
    """Split a query into at most MAX_TERMS terms (AND), dropping punctuation inside each term."""
    query = normalise(query)[:MAX_QUERY_CHARS]
    terms = [_NOT_WORD.sub("", t).replace("_", "") for t in _TERM_SPLIT.split(query)]
    return _unique(t for t in terms if t)[:MAX_TERMS]


def _term_filter(term: str) -> Q:
    q = (
        Q(name__icontains=term)
        | Q(keywords__icontains=term)
        | Q(summary__icontains=term)
        | Q(department__name__icontains=term)
        | Q(department__short_name__icontains=term)
        | Q(code__iexact=term)
    )
    if _ASCII_WORD.match(term):
        q |= Q(search_initials__icontains=term) | Q(search_pinyin__icontains=term)
    return q


@dataclass(frozen=True)
class _Row:
    """The columns ranking needs; model instances for thousands of candidates cost 10x more."""

    pk: int
    code: str
    name: str
    keywords: str
    summary: str
    search_pinyin: str
    search_initials: str


_ROW_FIELDS = ("pk", "code", "name", "keywords", "summary", "search_pinyin", "search_initials")


# Ranking tiers of one term against one item (higher is better).
TIER_NAME_EXACT = 100
TIER_CODE = 90
TIER_NAME_PREFIX = 80
TIER_NAME_CONTAINS = 60
TIER_KEYWORD_EXACT = 45
TIER_KEYWORD = 40
TIER_NAME_INITIALS_EXACT = 36
TIER_NAME_PINYIN_PREFIX = 35
TIER_NAME_INITIALS_PREFIX = 34
TIER_NAME_PINYIN = 33
TIER_NAME_INITIALS = 32
TIER_KEYWORD_PINYIN = 30
TIER_SUMMARY = 10
TIER_DEPARTMENT = 8


def _term_tier(term: str, item: _Row) -> int:
    name = normalise(item.name)
    if name == term:
        return TIER_NAME_EXACT
    if normalise(item.code) == term:
        return TIER_CODE
    if name.startswith(term):
        return TIER_NAME_PREFIX
    if term in name:
        return TIER_NAME_CONTAINS
    keywords = _keywords(item.keywords)
    if term in keywords:
        return TIER_KEYWORD_EXACT
    if any(term in k for k in keywords):
        return TIER_KEYWORD
    if _ASCII_WORD.match(term):
        full, initials = _variants(item.name)
        if term in initials:
            return TIER_NAME_INITIALS_EXACT
        if any(p.startswith(term) for p in full):
            return TIER_NAME_PINYIN_PREFIX
        if any(i.startswith(term) for i in initials):
            return TIER_NAME_INITIALS_PREFIX
        if any(term in p for p in full):
            return TIER_NAME_PINYIN
        if any(term in i for i in initials):
            return TIER_NAME_INITIALS
        if term in (item.search_pinyin or "") or term in (item.search_initials or ""):
            return TIER_KEYWORD_PINYIN
    if term in normalise(item.summary):
        return TIER_SUMMARY
    return TIER_DEPARTMENT


def search_item_ids(query: str, queryset: QuerySet | None = None) -> list[int]:
    """Primary keys of the published items matching every term of `query`, best first.

    Cheap enough for broad queries (a thousand matches): lists paginate these ids and load one page.
    `queryset` narrows the set (e.g. `ServiceItem.objects.visible_to(user)` or a department filter);
    only published items are ever returned. Ranking: exact name > code > name prefix > name contains >
    keyword > pinyin initials / full pinyin > summary > department; ties by shorter name, then code.
    """
    from .models import ServiceItem

    terms = query_terms(query)
    if not terms:
        return []
    qs = ServiceItem.objects.all() if queryset is None else queryset
    qs = qs.filter(status=ItemStatus.PUBLISHED)
    for term in terms:
        qs = qs.filter(_term_filter(term))
    whole = normalise(" ".join(query.split()))
    scored = []
    for values in qs.order_by().values_list(*_ROW_FIELDS):
        row = _Row(*values)
        score = sum(_term_tier(term, row) for term in terms)
        if len(terms) > 1 and normalise(row.name) == whole:
            score += TIER_NAME_EXACT
        scored.append((-score, len(row.name), row.code, row.pk))
    scored.sort()
    return [pk for *_rest, pk in scored]


def load_items(ids: list[int]) -> list:
    """The items of `ids` (with their department), in the order of `ids`."""
    from .models import ServiceItem

    by_pk = ServiceItem.objects.select_related("department").in_bulk(ids)
    return [by_pk[pk] for pk in ids if pk in by_pk]


def search_items(query: str, queryset: QuerySet | None = None) -> list:
    """Published items matching every term of `query`, best first (see `search_item_ids`)."""
    return load_items(search_item_ids(query, queryset))


@dataclass(frozen=True)
class Suggestion:
    code: str
    name: str
    department: str


def search_suggest(query: str, limit: int = 8, queryset: QuerySet | None = None) -> list[Suggestion]:
    """The first few matches for an autocomplete list (code, name, department)."""
    return [
        Suggestion(code=item.code, name=item.name, department=item.department.name)
        for item in load_items(search_item_ids(query, queryset)[:limit])
    ]


def highlight_spans(text: str, query: str) -> list[tuple[int, int]]:
    """Character spans of `text` that a query's terms matched, for <mark>: direct text first,
    else a run of characters whose initials or full pinyin spell the term. Spans are merged."""
    spans: list[tuple[int, int]] = []
    lowered = normalise(text)
    # NFKC may change lengths only for rare ligatures; fall back to no highlight if it did.
    if len(lowered) != len(text):
        return []
    readings: list[tuple[str, ...]] | None = None
    for term in query_terms(query):
        start = lowered.find(term)
        if start >= 0:
            while start >= 0:
                spans.append((start, start + len(term)))
                start = lowered.find(term, start + len(term))
            continue
        if not _ASCII_WORD.match(term):
            continue
        if readings is None:
            readings = _char_readings(text)
        span = _pinyin_run(readings, term)
        if span:
            spans.append(span)
    return _merge(spans)


def _pinyin_run(readings: list[tuple[str, ...]], term: str) -> tuple[int, int] | None:
    """First run of characters spelling `term` by initials (yyzz) or by full pinyin (yingye)."""
    n = len(readings)
    for start in range(n):
        if not readings[start][0]:
            continue
        # Initials: one letter per character, skipping punctuation.
        pos, end = 0, start
        while end < n and pos < len(term):
            options = readings[end]
            if not options[0]:
                end += 1
                continue
            letters = {_initial(r) for r in options}
            match = next((s for s in letters if term.startswith(s, pos)), None)
            if match is None:
                break
            pos += len(match)
            end += 1
        if pos == len(term):
            return start, end
        # Full pinyin: whole syllables, the last may be a prefix ("yingyezh").
        pos, end = 0, start
        while end < n and pos < len(term):
            options = readings[end]
            if not options[0]:
                end += 1
                continue
            rest = term[pos:]
            match = next((r for r in options if rest.startswith(r) or r.startswith(rest)), None)
            if match is None:
                break
            pos += min(len(match), len(rest))
            end += 1
        if pos == len(term):
            return start, end
    return None


def _merge(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged
