"""The search's in-memory index of the published catalogue, its synonyms and life events.

Why in memory: citizens type whole phrases without spaces (身份证丢了, 我想开一家奶茶店需要办什么证),
so a query is segmented (jieba), rewritten (synonyms, homophone typos, pinyin) and scored against
several fields of every item — work that SQL `LIKE` cannot express and that must behave identically
on SQLite and PostgreSQL. A district's catalogue is a few hundred to a few thousand items: the whole
index is a few megabytes and one Python pass over it costs well under a millisecond per concept.

Freshness: every search first reads a *stamp* in one small SQL statement (count, id sum and latest change
of the published items, departments, synonyms and life events). An administrator's change in any process
changes the stamp, and the next search in every process rebuilds its index — changes take effect at
once, with nothing to invalidate by hand. Saves in this process also bump a local generation (signals),
which covers what a stamp cannot see (a rolled-back test that reused an id at the same frozen time).

The segmenter is one jieba tokenizer per process (its dictionary costs ~80 MB and ~1–3 s to load, once),
with the catalogue's own words added — item names and their parts, keywords, material names, synonyms
and life-event phrasings — so that 上户口, 营业执照 or 结婚证 come out as one word.
"""

from __future__ import annotations

import logging
import re
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connection
from django.db.models.signals import post_delete, post_save

from .search_pinyin import ASCII_WORD, normalise, split_keywords, variants

__all__ = ["STOPWORDS", "Doc", "Intent", "SearchIndex", "Synonym", "current_index", "segmenter"]

# Words that say nothing about WHICH service is meant (data/search_stopwords.txt).
STOPWORDS = frozenset(
    word
    for line in (Path(__file__).parent / "data" / "search_stopwords.txt").read_text("utf-8").splitlines()
    if not line.startswith("#")
    for word in line.split()
)
MAX_WORD = 16  # longest catalogue word given to the segmenter
_SEGMENT_SPLIT = re.compile(r"[\s（）()【】\[\]、，,；;：:。.！!？?“”\"'‘’《》<>/|·—\-–]+")
_HAS_CJK = re.compile(r"[\u3400-\u9fff]")


@dataclass(slots=True)
class Doc:
    """One published item, its fields normalised (NFKC, lower case) for matching."""

    pk: int
    code: str
    name: str
    keywords: tuple[str, ...]
    result: str
    summary: str
    department: str
    themes: tuple[str, ...]
    blob: str  # every matchable field in one string: `word in doc.blob` is the cheap first test
    name_full: tuple[str, ...]
    name_initials: tuple[str, ...]
    pinyin: str  # the stored search_pinyin / search_initials columns (name and keywords)
    initials: str
    name_len: int


@dataclass(slots=True)
class Synonym:
    phrase: str
    terms: tuple[str, ...]
    item_pks: tuple[int, ...]


@dataclass(slots=True)
class Intent:
    code: str
    name: str
    phrases: tuple[str, ...]  # normalised; the name is one of them
    loose: tuple[tuple[str, ...], ...]  # the words of each phrase of two or more words
    item_pks: tuple[int, ...]  # the listed items that are published, in their order
    theme_pks: frozenset[int]


class SearchIndex:
    """Everything one search reads; immutable once built (a change builds a new one)."""

    def __init__(self, stamp: Any, docs: list[Doc], synonyms: list[Synonym], intents: list[Intent]):
        self.stamp = stamp
        self.docs = docs
        self.by_pk = {d.pk: d for d in docs}
        self.synonyms = {s.phrase: s for s in synonyms}
        self.max_synonym = max((len(p) for p in self.synonyms), default=0)
        self.intents = intents
        self.intents_by_phrase: dict[str, list[Intent]] = {}
        for intent in intents:
            for phrase in intent.phrases:
                self.intents_by_phrase.setdefault(phrase, []).append(intent)
        self.max_phrase = max((len(p) for p in self.intents_by_phrase), default=0)
        self.everything = "\x1f".join(d.blob for d in docs)
        self.vocab = _vocabulary(docs, synonyms, intents)
        self.extra_words: set[str] = set()  # material names: words for the segmenter only
        self.by_pinyin: dict[str, tuple[str, ...]] = {}
        self.analyses: dict[str, Any] = {}  # query → analysis, filled by catalogue.search
        self.checked_at = 0.0  # time.monotonic() of the last stamp check outside a transaction
        self.by_code = {d.code: d for d in docs}
        self._occurs: dict[str, bool] = {}
        self._containing: dict[str, tuple[Doc, ...]] = {}
        self._spelling: dict[str, tuple[Doc, ...]] = {}

    def finish(self, materials: list[str]) -> SearchIndex:
        for name in materials:
            self.extra_words.update(_segments(name))
        by_pinyin: dict[str, list[str]] = {}
        for word in sorted(self.vocab):
            if _HAS_CJK.search(word) and 2 <= len(word) <= 8:
                for full in variants(word)[0]:
                    by_pinyin.setdefault(full, []).append(word)

        # Several words may read alike (事业 / 失业): the one the catalogue uses most comes first.
        def most_used(words: list[str]) -> tuple[str, ...]:
            return tuple(sorted(words, key=lambda w: (-self.everything.count(w), w)))

        self.by_pinyin = {p: most_used(words) for p, words in by_pinyin.items()}
        segmenter.set_words({w for w in self.vocab | self.extra_words if _HAS_CJK.search(w)})
        return self

    def df(self, word: str) -> int:
        """How many items mention `word` anywhere (name, keywords, result, summary, department)."""
        if word not in self.everything:
            return 0
        return sum(1 for d in self.docs if word in d.blob)

    def containing(self, word: str) -> tuple[Doc, ...]:
        """The items whose text contains `word` (remembered for the life of the index)."""
        docs = self._containing.get(word)
        if docs is None:
            docs = tuple(d for d in self.docs if word in d.blob) if self.occurs(word) else ()
            self._remember(self._containing, word, docs)
        return docs

    def spelling(self, letters: str) -> tuple[Doc, ...]:
        """The items whose name or keywords contain `letters` in full pinyin or initials."""
        docs = self._spelling.get(letters)
        if docs is None:
            docs = tuple(
                d
                for d in self.docs
                if letters in d.pinyin or letters in d.initials or any(letters in p for p in d.name_full)
            )
            self._remember(self._spelling, letters, docs)
        return docs

    @staticmethod
    def _remember(cache: dict, key: str, value) -> None:
        if len(cache) > 50000:
            cache.clear()
        cache[key] = value

    def occurs(self, word: str) -> bool:
        """Whether `word` appears in any item's text (remembered: queries repeat their words)."""
        found = self._occurs.get(word)
        if found is None:
            if len(self._occurs) > 50000:
                self._occurs.clear()
            found = self._occurs[word] = word in self.everything
        return found


def _segments(text: str) -> list[str]:
    """The parts of a name between punctuation: 企业设立登记（营业执照核发） → 企业设立登记, 营业执照核发."""
    return [s for s in _SEGMENT_SPLIT.split(normalise(text)) if 2 <= len(s) <= MAX_WORD]


def _vocabulary(docs: list[Doc], synonyms: list[Synonym], intents: list[Intent]) -> set[str]:
    """The catalogue's own words: what a homophone or a pinyin spelling may be corrected to."""
    words: set[str] = set()
    tokenizer = segmenter.tokenizer()
    for d in docs:
        for segment in _segments(d.name):
            words.add(segment)
            # General words inside a name (小学 in 义务教育阶段新生入学登记（小学一年级）).
            words.update(w for w in tokenizer.cut_for_search(segment, HMM=False) if len(w) >= 2)
        words.update(k for k in d.keywords if 2 <= len(k) <= MAX_WORD)
        words.update(_segments(d.result))
    for s in synonyms:
        words.add(s.phrase)
        words.update(t for t in s.terms if len(t) >= 2)
    for i in intents:
        words.update(p for p in i.phrases if len(p) >= 2)
    return {w for w in words if w not in STOPWORDS}


# --- the segmenter ---------------------------------------------------------------------------------------


class _Segmenter:
    """One jieba tokenizer per process, loaded on first use, with the catalogue's words added.

    Words that leave the catalogue are taken out again (their frequency in jieba's own dictionary, if
    they had one, is restored), so the dictionary is always jieba's plus the current catalogue's.
    """

    def __init__(self) -> None:
        self._tokenizer = None
        self._added: dict[str, int] = {}  # word → its frequency before we raised it (0: not a word)
        self._lock = threading.Lock()

    def tokenizer(self):
        if self._tokenizer is None:
            with self._lock:
                if self._tokenizer is None:
                    import jieba

                    jieba.setLogLevel(logging.WARNING)
                    tokenizer = jieba.Tokenizer()
                    tokenizer.initialize()
                    self._tokenizer = tokenizer
        return self._tokenizer

    def set_words(self, words: set[str]) -> None:
        tokenizer = self.tokenizer()
        with self._lock:
            for word in [w for w in self._added if w not in words]:
                tokenizer.add_word(word, self._added.pop(word))
            for word in words - self._added.keys():
                before = tokenizer.FREQ.get(word, 0)
                wanted = tokenizer.suggest_freq(word, False)
                if wanted > before:
                    self._added[word] = before
                    tokenizer.add_word(word, wanted)

    def cut(self, text: str) -> list[str]:
        return self.tokenizer().lcut(text, HMM=True)

    def cut_apart(self, phrase: str) -> list[str]:
        """The most likely cut of `phrase` into two or more words (jieba's own route, without the edge
        that takes the whole phrase as one word)."""
        tokenizer = self.tokenizer()
        n = len(phrase)
        dag = tokenizer.get_DAG(phrase)
        dag[0] = [end for end in dag[0] if end != n - 1] or [0]
        route: dict[int, tuple[float, int]] = {}
        tokenizer.calc(phrase, dag, route)
        words, start = [], 0
        while start < n:
            end = route[start][1] + 1
            words.append(phrase[start:end])
            start = end
        return words

    def is_word(self, text: str) -> bool:
        return bool(self.tokenizer().FREQ.get(text))


segmenter = _Segmenter()


# --- building and freshness ------------------------------------------------------------------------------

_index: SearchIndex | None = None
_build_lock = threading.Lock()
_generation = 0  # bumped by saves in this process


def _bump(**_kwargs) -> None:
    global _generation
    _generation += 1


def invalidate() -> None:
    """Rebuild this process's index at the next search (after writes that bypass `save()`)."""
    _bump()


def connect_signals() -> None:
    """Called from CatalogueConfig.ready(): a save in this process makes the next search rebuild."""
    from tongban.organisations.models import Department

    from .models import LifeEventIntent, MaterialRequirement, SearchSynonym, ServiceItem

    for model in (ServiceItem, MaterialRequirement, Department, SearchSynonym, LifeEventIntent):
        post_save.connect(_bump, sender=model, dispatch_uid=f"search-index-{model._meta.label}")
        post_delete.connect(_bump, sender=model, dispatch_uid=f"search-index-del-{model._meta.label}")


def _db_stamp() -> tuple:
    """One statement: what would change if anything the index reads changed."""
    from tongban.organisations.models import Department

    from .choices import ItemStatus
    from .models import LifeEventIntent, SearchSynonym, ServiceItem

    q = connection.ops.quote_name
    item, dept = q(ServiceItem._meta.db_table), q(Department._meta.db_table)
    parts = [
        f"(SELECT COUNT(*) FROM {item} WHERE status = %s)",
        f"(SELECT SUM(id) FROM {item} WHERE status = %s)",
        f"(SELECT MAX(updated_at) FROM {item} WHERE status = %s)",
        f"(SELECT COUNT(*) FROM {dept})",
        f"(SELECT MAX(updated_at) FROM {dept})",
    ]
    for model in (SearchSynonym, LifeEventIntent):
        table = q(model._meta.db_table)
        parts += [
            f"(SELECT COUNT(*) FROM {table})",
            f"(SELECT SUM(id) FROM {table})",
            f"(SELECT MAX(updated_at) FROM {table})",
        ]
    with connection.cursor() as cursor:
        cursor.execute("SELECT " + ", ".join(parts), [ItemStatus.PUBLISHED] * 3)
        return tuple(cursor.fetchone())


def _recheck_seconds() -> float:
    return float(getattr(settings, "TONGBAN_SEARCH_RECHECK_SECONDS", 1.0))


def current_index() -> SearchIndex:
    """The index of what this connection sees now.

    The stamp is read at most once per `TONGBAN_SEARCH_RECHECK_SECONDS` (default 1 s) outside a
    transaction — so another process's change shows within a second — and on every call inside one
    (a transaction may see rows that a rollback takes back: tests, a write in progress). A save in this
    process moves the local generation and shows at once.
    """
    global _index
    index = _index
    now = time.monotonic()
    in_transaction = connection.in_atomic_block
    if (
        index is not None
        and not in_transaction
        and index.stamp[0] == _generation
        and now - index.checked_at < _recheck_seconds()
    ):
        return index
    stamp = (_generation, _db_stamp())
    if index is None or index.stamp != stamp:
        with _build_lock:
            index = _index
            if index is None or index.stamp != stamp:
                index = _build(stamp)
                _index = index
    index.checked_at = now if not in_transaction else 0.0
    return index


def _build(stamp: Any) -> SearchIndex:
    from .choices import ItemStatus
    from .models import LifeEventIntent, MaterialRequirement, SearchSynonym, ServiceItem

    rows = ServiceItem.objects.filter(status=ItemStatus.PUBLISHED).values_list(
        "pk",
        "code",
        "name",
        "keywords",
        "summary",
        "result_name",
        "department__name",
        "department__short_name",
        "search_pinyin",
        "search_initials",
        "life_events",
    )
    docs = [_doc(*row) for row in rows.order_by("pk")]
    pk_of = {d.code: d.pk for d in docs}
    synonyms = []
    for phrase, terms, codes in SearchSynonym.objects.filter(is_active=True).values_list(
        "phrase", "terms", "item_codes"
    ):
        synonyms.append(
            Synonym(
                phrase=normalise(phrase),
                terms=tuple(normalise(t) for t in terms or [] if t),
                item_pks=_published_pks(codes, pk_of),
            )
        )
    themes: dict[str, set[int]] = {}
    for d in docs:
        for theme in d.themes:
            themes.setdefault(theme, set()).add(d.pk)
    intents = []
    for code, name, phrases, theme, codes in (
        LifeEventIntent.objects.filter(is_active=True)
        .order_by("sort_order", "code")
        .values_list("code", "name", "phrases", "theme", "item_codes")
    ):
        texts = tuple(dict.fromkeys(normalise(p) for p in [name, *(phrases or [])] if p))
        intents.append(
            Intent(
                code=code,
                name=name,
                phrases=texts,
                loose=(),
                item_pks=_published_pks(codes, pk_of),
                theme_pks=frozenset(themes.get(theme, ())) if theme else frozenset(),
            )
        )
    materials = list(
        MaterialRequirement.objects.filter(item__status=ItemStatus.PUBLISHED)
        .values_list("name", flat=True)
        .distinct()
    )
    index = SearchIndex(stamp, docs, synonyms, intents).finish(materials)
    for intent in intents:  # the segmenter knows the catalogue's words only now
        parts = (_parts(p) for p in intent.phrases)
        # Two words at least, one of them longer than a character: 开店 (开 + 店) is too little to go on.
        intent.loose = tuple(w for w in parts if len(w) >= 2 and any(len(x) >= 2 for x in w))
    return index


def _parts(phrase: str) -> tuple[str, ...]:
    """A phrasing in its words as jieba would cut it if it were not one word itself (开奶茶店 → 开, 奶茶店),
    question words left out: a query that says them all, in any order, says the phrasing in other words."""
    return tuple(w for w in segmenter.cut_apart(phrase) if w not in STOPWORDS)


def _published_pks(codes: list[str] | None, pk_of: dict[str, int]) -> tuple[int, ...]:
    """The keys of the listed codes that are published, in their order (unknown codes are skipped)."""
    return tuple(dict.fromkeys(pk_of[normalise(c)] for c in codes or [] if normalise(c) in pk_of))


def _doc(pk, code, name, keywords, summary, result, dept_name, dept_short, pinyin, initials, themes) -> Doc:
    name_n = normalise(name)
    kws = tuple(split_keywords(keywords))
    result_n, summary_n = normalise(result), normalise(summary)
    department = f"{normalise(dept_name)} {normalise(dept_short)}"
    full, name_initials = variants(name)
    return Doc(
        pk=pk,
        code=normalise(code),
        name=name_n,
        keywords=kws,
        result=result_n,
        summary=summary_n,
        department=department,
        themes=tuple(themes or ()),
        blob="\x1e".join((name_n, *kws, result_n, summary_n, department)),
        name_full=full,
        name_initials=name_initials,
        pinyin=pinyin or "",
        initials=initials or "",
        name_len=len(name),
    )


def is_ascii_word(text: str) -> bool:
    return bool(ASCII_WORD.match(text))
