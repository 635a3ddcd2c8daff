"""Catalogue search that understands how citizens ask: whole phrases without spaces, colloquial words,
homophone typos, pinyin (yyzz, yingyezhizhao) and life events (开餐馆).

How a query is read (docs/search.md has the full account):
1. Split at spaces into terms (at most MAX_TERMS); each term is read one or more ways: as typed; with
   homophone typos corrected to the catalogue's words (营业只照 → 营业执照, 社宝卡 → 社保卡); a pinyin
   term also spelled out in the catalogue's words (yingyezhizhao → 营业执照).
2. Each reading is matched three ways: *directly* (the whole text inside an item's name, keywords, result,
   summary or department, or its pinyin / initials — the tiers below); by its *words* (jieba segmentation
   with the catalogue's user dictionary, question words dropped, each word weighted by how rare it is in
   the catalogue, synonyms adding the catalogue's own words: 丢了 → 补领 补办); and by *boosts* (items a
   synonym points at; items of a life event whose phrasing the text says, in the event's order).
3. An item's score for a term is its best of the three plus a quarter of the others (agreement counts);
   items matching more terms come first, then by score, then shorter names, then code.

The index is in memory (`catalogue.search_index`) and rebuilt as soon as the catalogue, the synonyms or
the life events change; SQLite and PostgreSQL give identical results. The queryset passed in only
narrows (scoping and filters); only published items are ever returned.
"""

from __future__ import annotations

import math
import re
import threading
from collections import OrderedDict
from dataclasses import dataclass, field

from django.db.models import QuerySet

from .search_index import STOPWORDS, Doc, SearchIndex, current_index, invalidate, is_ascii_word, segmenter
from .search_pinyin import (
    INITIALS_MAX,
    PINYIN_MAX,
    char_reading,
    char_readings,
    index_text,
    merge_spans,
    normalise,
    pinyin_run,
    unique,
)

__all__ = [
    "INITIALS_MAX",
    "MAX_QUERY_CHARS",
    "PINYIN_MAX",
    "highlight_spans",
    "index_text",
    "load_items",
    "normalise",
    "query_terms",
    "reindex_items",
    "search",
    "search_item_ids",
    "search_items",
    "search_suggest",
]

MAX_TERMS = 6
MAX_QUERY_CHARS = 100
_TERM_SPLIT = re.compile(r"\s+")
_NOT_WORD = re.compile(r"[^\w]+")
_CJK = re.compile(r"[\u3400-\u9fff]")

# Tiers of a text against one item (higher is better).
TIER_NAME_EXACT = 100
TIER_CODE = 90
TIER_NAME_PREFIX = 80
TIER_NAME_CONTAINS = 60
TIER_KEYWORD_EXACT = 45
TIER_KEYWORD = 40
TIER_NAME_INITIALS_EXACT = 36
TIER_RESULT = 35
TIER_NAME_PINYIN_PREFIX = 35
TIER_NAME_INITIALS_PREFIX = 34
TIER_NAME_PINYIN = 33
TIER_NAME_INITIALS = 32
TIER_KEYWORD_PINYIN = 30
TIER_SUMMARY = 10
TIER_DEPARTMENT = 8

# Boosts (on the same scale): a synonym's items, a life event's listed items (falling with their
# position) and the other items of its theme.
BOOST_SYNONYM, BOOST_SYNONYM_STEP = 80, 4
BOOST_EVENT, BOOST_EVENT_STEP, BOOST_EVENT_MIN = 70, 3, 45
BOOST_THEME = 12
LOOSE_EVENT = 0.8  # a life event's phrasing said in other words order (开一家奶茶店 for 开奶茶店)
SYNONYM_TERM = 0.9  # a synonym's catalogue word counts a little less than the word typed
AS_TYPED = 0.8  # a term as typed, when it had typos that were corrected
SPELLED_OUT = 0.9  # a pinyin term spelled out in Chinese
SINGLE_CHAR = 0.4  # one-character words (开, 证) say little
AGREEMENT = 0.25  # share of the second and third signal added to the best one
FLOOR = 0.2  # items scoring below this share of the best are left out (unless matched directly)
MAX_WINDOW = 8  # longest run of characters a homophone correction replaces
MIN_PINYIN = 4  # shortest pinyin run spelled out as a word


def query_terms(query: str) -> list[str]:
    """Split a query into at most MAX_TERMS terms, dropping punctuation inside each term."""
    query = normalise(query)[:MAX_QUERY_CHARS]
    terms = [_NOT_WORD.sub("", t).replace("_", "") for t in _TERM_SPLIT.split(query)]
    return unique(t for t in terms if t)[:MAX_TERMS]


# --- reading a query -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Concept:
    """One thing a reading asks for, with the words that say it: the typed word or a synonym's words."""

    words: tuple[tuple[str, float], ...]  # (word, factor)
    single: bool


@dataclass
class Reading:
    text: str
    factor: float
    concepts: list[Concept] = field(default_factory=list)
    boosts: dict[int, float] = field(default_factory=dict)


@dataclass
class Analysis:
    terms: list[list[Reading]]
    words: tuple[str, ...]  # everything worth highlighting


def _analyse(index: SearchIndex, query: str) -> Analysis:
    cached = index.analyses.get(query)
    if cached is not None:
        return cached
    terms = [_read_term(index, term) for term in query_terms(query)]
    words = unique(
        w
        for readings in terms
        for r in readings
        for w in (r.text, *(word for c in r.concepts for word, _f in c.words))
        if not is_ascii_word(w) or len(w) > 1
    )
    analysis = Analysis(terms=terms, words=tuple(words))
    if len(index.analyses) > 4096:
        index.analyses.clear()
    index.analyses[query] = analysis
    _remember_words(query, analysis.words)
    return analysis


def _read_term(index: SearchIndex, term: str) -> list[Reading]:
    """The ways to read one term. A corrected typo is read first: what it replaced meant nothing here,
    and the rest of the term as typed (营业 of 营业只照) would otherwise outrank the item it asked for."""
    if is_ascii_word(term):
        spelled = _spell_out(index, term)
        return [_reading(index, term, 1.0), *([_reading(index, spelled, SPELLED_OUT)] if spelled else [])]
    if _CJK.search(term):
        corrected = _correct(index, term)
        if corrected != term:
            return [_reading(index, corrected, 1.0), _reading(index, term, AS_TYPED)]
    return [_reading(index, term, 1.0)]


def _reading(index: SearchIndex, text: str, factor: float) -> Reading:
    """Concepts and boosts of one reading. Synonym and life-event phrasings count only where they begin
    and end at word boundaries: 出生 inside 出生证明 is not the life event 出生."""
    reading = Reading(text=text, factor=factor)
    if is_ascii_word(text):
        return reading  # matched directly by pinyin, initials or code; spelled out separately
    tokens: list[tuple[int, int, str]] = []
    position = 0
    for token in segmenter.cut(text):
        tokens.append((position, position + len(token), token))
        position += len(token)
    bounds = {0, *(end for _s, end, _t in tokens)}
    spans = _synonym_spans(index, text, bounds)
    for _start, _end, synonym in spans:
        words = ((synonym.phrase, 1.0), *((t, SYNONYM_TERM) for t in synonym.terms))
        reading.concepts.append(Concept(words=words, single=len(synonym.phrase) == 1))
        for rank, pk in enumerate(synonym.item_pks):
            _boost(reading, pk, BOOST_SYNONYM - BOOST_SYNONYM_STEP * rank)
    kept = [
        token
        for start, end, token in tokens
        if token.strip() and not any(s <= start and end <= e for s, e, _syn in spans)
    ]
    meaningful = [t for t in kept if t not in STOPWORDS]
    if not meaningful and not spans:
        meaningful = kept  # a query of question words only still searches for them
    for token in meaningful:
        if len(token) >= 3 and not index.occurs(token):
            for word in _subwords(index, token):
                reading.concepts.append(Concept(words=((word, 1.0),), single=False))
        else:
            reading.concepts.append(Concept(words=((token, 1.0),), single=len(token) == 1))
    said = {
        id(intent): intent
        for start in bounds
        for end in bounds
        if 0 < end - start <= index.max_phrase
        for intent in index.intents_by_phrase.get(text[start:end], ())
    }
    for intent in index.intents:
        if id(intent) in said:
            strength = 1.0
        elif any(all(w in text for w in words) for words in intent.loose):
            strength = LOOSE_EVENT
        else:
            continue
        for rank, pk in enumerate(intent.item_pks):
            _boost(reading, pk, strength * max(BOOST_EVENT_MIN, BOOST_EVENT - BOOST_EVENT_STEP * rank))
        for pk in intent.theme_pks:
            _boost(reading, pk, strength * BOOST_THEME)
    return reading


def _boost(reading: Reading, pk: int, value: float) -> None:
    if value > reading.boosts.get(pk, 0):
        reading.boosts[pk] = value


def _synonym_spans(index: SearchIndex, text: str, bounds: set[int]) -> list[tuple[int, int, object]]:
    """Every synonym phrase in `text` at word boundaries, except those inside a longer one found there."""
    if not index.synonyms:
        return []
    found = []
    n = len(text)
    for start in sorted(b for b in bounds if b < n):
        for end in range(min(n, start + index.max_synonym), start, -1):
            synonym = index.synonyms.get(text[start:end]) if end in bounds else None
            if synonym is not None:
                found.append((start, end, synonym))
                break
    return [
        (s, e, syn)
        for s, e, syn in found
        if not any((s2 <= s and e <= e2) and (s2, e2) != (s, e) for s2, e2, _o in found)
    ]


def _subwords(index: SearchIndex, token: str) -> list[str]:
    """The longest parts of an unknown word that the catalogue does use (美发店 → 美发), left to right."""
    out: list[str] = []
    start = 0
    while start < len(token) - 1:
        for end in range(len(token) - (1 if start == 0 else 0), start + 1, -1):
            part = token[start:end]
            if part not in STOPWORDS and index.occurs(part):
                out.append(part)
                start = end
                break
        else:
            start += 1
    return out


def _correct(index: SearchIndex, term: str) -> str:
    """`term` with runs of characters that mean nothing here replaced by a catalogue word read alike.

    Only runs that occur nowhere in the catalogue are replaced, longest first, never inside one of the
    catalogue's own words: 营业只照 → 营业执照, 结昏登记 → 结婚登记, 身分证 → 身份证.
    """
    n = len(term)
    if n < 2 or not index.by_pinyin:
        return term
    protected = [
        (i, j)
        for i in range(n)
        for j in range(i + 2, min(n, i + MAX_WINDOW) + 1)
        if (term[i:j] in index.vocab or segmenter.is_word(term[i:j])) and index.occurs(term[i:j])
    ]
    # Characters outside the catalogue's words; a window must include one of them to be worth reading.
    unknown = [not any(s <= k < e for s, e in protected) for k in range(n)]
    if not any(unknown):
        return term
    readings = [char_reading(c) for c in term]
    # Prefix counts: "is any character of [i, j) unknown / not Chinese" in constant time.
    unknown_before, foreign_before = [0], [0]
    for k, char in enumerate(term):
        unknown_before.append(unknown_before[-1] + unknown[k])
        foreign_before.append(foreign_before[-1] + (not _CJK.match(char)))
    covered = [False] * n
    replacements: list[tuple[int, int, str]] = []
    for length in range(min(MAX_WINDOW, n), 1, -1):
        for i in range(n - length + 1):
            j = i + length
            if unknown_before[j] == unknown_before[i] or foreign_before[j] != foreign_before[i]:
                continue
            if covered[i] or covered[j - 1] or any(covered[i:j]):
                continue
            if any(s < j and i < e and not (i <= s and e <= j) for s, e in protected):
                continue  # would cut through one of the catalogue's words
            window = term[i:j]
            word = _homophone(index, readings[i:j], window)
            if word is None or index.occurs(window):
                continue
            replacements.append((i, j, word))
            covered[i:j] = [True] * length
    if not replacements:
        return term
    out, last = [], 0
    for i, j, word in sorted(replacements):
        out.append(term[last:i])
        out.append(word)
        last = j
    out.append(term[last:])
    return "".join(out)


def _homophone(index: SearchIndex, readings: list[tuple[str, ...]], window: str) -> str | None:
    primary = [r[0] for r in readings]
    candidates = ["".join(primary)]
    for position, options in enumerate(readings):
        for alternative in options[1:]:
            if len(candidates) >= 4:
                break
            variant = list(primary)
            variant[position] = alternative
            candidates.append("".join(variant))
    for spelled in candidates:
        for word in index.by_pinyin.get(spelled, ()):
            if word != window:
                return word
    return None


def _spell_out(index: SearchIndex, term: str) -> str | None:
    """A pinyin term written in the catalogue's words, left to right, longest first (shebaoka → 社保卡).

    None unless the words cover at least three quarters of the letters.
    """
    out: list[str] = []
    covered = 0
    i = 0
    while i < len(term):
        for j in range(min(len(term), i + 48), i + MIN_PINYIN - 1, -1):
            words = index.by_pinyin.get(term[i:j])
            if words:
                out.append(words[0])
                covered += j - i
                i = j
                break
        else:
            i += 1
    return "".join(out) if out and covered * 4 >= len(term) * 3 else None


# --- scoring ---------------------------------------------------------------------------------------------


def _word_tier(word: str, doc: Doc) -> int:
    name = doc.name
    if name == word:
        return TIER_NAME_EXACT
    if name.startswith(word):
        return TIER_NAME_PREFIX
    if word in name:
        return TIER_NAME_CONTAINS
    if word in doc.keywords:
        return TIER_KEYWORD_EXACT
    if any(word in k for k in doc.keywords):
        return TIER_KEYWORD
    if word in doc.result:
        return TIER_RESULT
    if word in doc.summary:
        return TIER_SUMMARY
    if word in doc.department:
        return TIER_DEPARTMENT
    return 0


def _pinyin_tier(term: str, doc: Doc) -> int:
    if term in doc.name_initials:
        return TIER_NAME_INITIALS_EXACT
    if any(p.startswith(term) for p in doc.name_full):
        return TIER_NAME_PINYIN_PREFIX
    if any(i.startswith(term) for i in doc.name_initials):
        return TIER_NAME_INITIALS_PREFIX
    if any(term in p for p in doc.name_full):
        return TIER_NAME_PINYIN
    if any(term in i for i in doc.name_initials):
        return TIER_NAME_INITIALS
    if term in doc.pinyin or term in doc.initials:
        return TIER_KEYWORD_PINYIN
    return 0


def _direct(index: SearchIndex, text: str) -> dict[int, int]:
    """Items that contain the whole text (or spell it in pinyin), with their tier."""
    out: dict[int, int] = {doc.pk: _word_tier(text, doc) for doc in index.containing(text)}
    if text in index.by_code:
        out[index.by_code[text].pk] = max(out.get(index.by_code[text].pk, 0), TIER_CODE)
    if is_ascii_word(text):
        for doc in index.spelling(text):
            if out.get(doc.pk, 0) < TIER_NAME_INITIALS_EXACT:
                out[doc.pk] = max(out.get(doc.pk, 0), _pinyin_tier(text, doc))
    return {pk: tier for pk, tier in out.items() if tier}


def _concept_scores(index: SearchIndex, reading: Reading) -> dict[int, float]:
    """Σ over the reading's concepts of (rarity weight × the item's best tier for the concept)."""
    per_concept: list[tuple[float, dict[int, float]]] = []
    n = len(index.docs)
    for concept in reading.concepts:
        best: dict[int, float] = {}
        for word, factor in concept.words:
            for doc in index.containing(word):
                value = _word_tier(word, doc) * factor
                if value > best.get(doc.pk, 0):
                    best[doc.pk] = value
        if best:
            strength = SINGLE_CHAR if concept.single else 1.0
            per_concept.append((math.log(1 + n / len(best)) * strength, strength, best))
    total = sum(w for w, _s, _b in per_concept)
    scores: dict[int, float] = {}
    for weight, strength, best in per_concept:
        # A one-character word is weak evidence both among the others and on its own (证 alone).
        share = weight / total * strength
        for pk, value in best.items():
            scores[pk] = scores.get(pk, 0) + share * value
    return scores


@dataclass
class _Scored:
    terms: int = 0
    score: float = 0.0
    direct: bool = False


def _score(index: SearchIndex, analysis: Analysis) -> dict[int, _Scored]:
    scored: dict[int, _Scored] = {}
    for readings in analysis.terms:
        term_best: dict[int, float] = {}
        term_direct: set[int] = set()
        for reading in readings:
            direct = _direct(index, reading.text)
            if reading.factor == 1.0:
                term_direct.update(direct)
            words = _concept_scores(index, reading)
            for pk in direct.keys() | words.keys() | reading.boosts.keys():
                signals = (direct.get(pk, 0), words.get(pk, 0.0), reading.boosts.get(pk, 0.0))
                parts = sorted(signals, reverse=True)
                value = reading.factor * (parts[0] + AGREEMENT * (parts[1] + parts[2]))
                if value > term_best.get(pk, 0):
                    term_best[pk] = value
        for pk, value in term_best.items():
            entry = scored.setdefault(pk, _Scored())
            entry.terms += 1
            entry.score += value
            entry.direct = entry.direct or pk in term_direct
    return scored


@dataclass(frozen=True)
class SearchResult:
    """What a search found: item keys best first; `partial` when no item matched every term (the keys
    are then of items matching some); `read_as` the query with typos corrected or pinyin spelled out,
    when the search read it so ("" otherwise)."""

    ids: list[int]
    partial: bool = False
    read_as: str = ""


def search(query: str, queryset: QuerySet | None = None) -> SearchResult:
    """The published items that answer `query`, best first.

    `queryset` narrows the set (e.g. `ServiceItem.objects.visible_to(user)` or a department filter);
    only published items are ever returned. Terms separated by spaces must all match, as long as some
    item matches them all; else the items matching the most terms are listed (`partial`). Among those,
    items that match a term's text directly are always listed; items found only through words,
    synonyms or life events when they score at least FLOOR of the best.
    """
    terms = query_terms(query)
    if not terms:
        return SearchResult(ids=[])
    index = current_index()
    analysis = _analyse(index, query)
    # The first reading is the corrected one; a pinyin term's second is its spelling in Chinese.
    shown = [r[1].text if is_ascii_word(r[0].text) and len(r) > 1 else r[0].text for r in analysis.terms]
    read_as = " ".join(shown) if shown != terms else ""
    scored = _score(index, analysis)
    if not scored:
        return SearchResult(ids=[], read_as=read_as)
    most_terms = max(s.terms for s in scored.values())
    best = max(s.score for s in scored.values() if s.terms == most_terms)
    kept = [
        (-round(s.score, 6), index.by_pk[pk].name_len, index.by_pk[pk].code, pk)
        for pk, s in scored.items()
        if s.terms == most_terms and (s.direct or s.score >= FLOOR * best)
    ]
    kept.sort()
    ids = [row[-1] for row in kept]
    if queryset is not None and ids:
        # A long IN list costs more to compile than reading every key in scope.
        narrowed = queryset.filter(pk__in=ids) if len(ids) <= 100 else queryset
        allowed = set(narrowed.values_list("pk", flat=True))
        ids = [pk for pk in ids if pk in allowed]
    return SearchResult(ids=ids, partial=most_terms < len(terms), read_as=read_as)


def search_item_ids(query: str, queryset: QuerySet | None = None) -> list[int]:
    """Primary keys of the published items that answer `query`, best first (see `search`)."""
    return search(query, queryset).ids


def load_items(ids: list[int]) -> list:
    """The items of `ids` (with their department), in the order of `ids`."""
    from .models import ServiceItem

    by_pk = ServiceItem.objects.select_related("department").in_bulk(ids)
    return [by_pk[pk] for pk in ids if pk in by_pk]


def search_items(query: str, queryset: QuerySet | None = None) -> list:
    """Published items that answer `query`, best first (see `search_item_ids`)."""
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
    invalidate()  # rows written without save() are what the stamp cannot always see
    return len(changed)


# --- highlighting ----------------------------------------------------------------------------------------

# The words each recent query was read as, kept when it is searched, so that marking the results
# needs no database access (a page highlights 20 names; the template filter has no index at hand).
_RECENT_WORDS: OrderedDict[str, tuple[str, ...]] = OrderedDict()
_RECENT_LOCK = threading.Lock()


def _remember_words(query: str, words: tuple[str, ...]) -> None:
    with _RECENT_LOCK:
        _RECENT_WORDS[query] = words
        _RECENT_WORDS.move_to_end(query)
        while len(_RECENT_WORDS) > 512:
            _RECENT_WORDS.popitem(last=False)


def highlight_spans(text: str, query: str) -> list[tuple[int, int]]:
    """Character spans of `text` that the query matched, for <mark>: the terms as typed, the words the
    search read them as (segmented, synonyms, corrected typos), and runs of characters whose initials or
    full pinyin spell a pinyin term. Spans are merged."""
    spans: list[tuple[int, int]] = []
    lowered = normalise(text)
    # NFKC may change lengths only for rare ligatures; fall back to no highlight if it did.
    if len(lowered) != len(text):
        return []
    with _RECENT_LOCK:
        read_as = _RECENT_WORDS.get(query, ())
    readings: list[tuple[str, ...]] | None = None
    for term in unique([*query_terms(query), *read_as]):
        if len(term) < 2 and not (_CJK.match(term) and term in query_terms(query)):
            continue
        start = lowered.find(term)
        if start >= 0:
            while start >= 0:
                spans.append((start, start + len(term)))
                start = lowered.find(term, start + len(term))
            continue
        if not is_ascii_word(term):
            continue
        if readings is None:
            readings = char_readings(text)
        span = pinyin_run(readings, term)
        if span:
            spans.append(span)
    return merge_spans(spans)
