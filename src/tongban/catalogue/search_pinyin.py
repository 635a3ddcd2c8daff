"""Chinese text → toneless pinyin and initials, shared by the search index and the pinyin columns.

Why: pypinyin picks one reading per character from its context; people also type the other reading of a
common heteronym (银行 yinhang / yinxing), so a text keeps a few variants. Kept apart from the ranking
(`catalogue.search`) because `ServiceItem.save()` needs it without importing the search index.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from functools import lru_cache

from pypinyin import Style, lazy_pinyin

PINYIN_MAX = 1024  # ServiceItem.search_pinyin max_length
INITIALS_MAX = 255  # ServiceItem.search_initials max_length
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

_KEYWORD_SPLIT = re.compile(r"[\s,，、;；/|]+")
ASCII_WORD = re.compile(r"^[a-z0-9]+$")


def normalise(text: str) -> str:
    """NFKC (full-width Ａ１ → A1, 　 → space) and lower case, so queries and stored text compare alike."""
    return unicodedata.normalize("NFKC", text or "").lower()


def char_readings(text: str) -> list[tuple[str, ...]]:
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


@lru_cache(maxsize=16384)
def char_reading(char: str) -> tuple[str, ...]:
    """The readings of one character out of context (its usual one first, then common alternatives):
    cheap to look up many times, for matching runs of a query against words read alike."""
    return char_readings(char)[0] if char else ("",)


@lru_cache(maxsize=8192)
def variants(text: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(full pinyin variants, initials variants) of one text; the first of each is the contextual one."""
    readings = char_readings(text)
    primary = [r[0] for r in readings]
    choices: list[list[str]] = [primary]
    for position, options in enumerate(readings):
        for alternative in options[1:]:
            if len(choices) >= MAX_VARIANTS:
                break
            variant = list(primary)
            variant[position] = alternative
            choices.append(variant)
    full = unique("".join(v) for v in choices)
    initials = unique("".join(initial(r) for r in v) for v in choices)
    return tuple(s for s in full if s), tuple(s for s in initials if s)


def initial(reading: str) -> str:
    # Letters and digits outside Chinese keep their whole run ("ICP" → "icp"); a syllable its first letter.
    if not reading:
        return ""
    return reading if reading.isdigit() or len(reading) == 1 else reading[0]


def unique(items: Iterable[str]) -> list[str]:
    seen: dict[str, None] = {}
    for item in items:
        seen.setdefault(item, None)
    return list(seen)


def join_bounded(tokens: Iterable[str], limit: int) -> str:
    """Space-separated tokens, cut at a token boundary so the column never overflows."""
    out: list[str] = []
    size = 0
    for token in unique(tokens):
        extra = len(token) + (1 if out else 0)
        if size + extra > limit:
            break
        out.append(token)
        size += extra
    return " ".join(out)


def split_keywords(keywords: str) -> list[str]:
    return [k for k in _KEYWORD_SPLIT.split(normalise(keywords)) if k]


def index_text(name: str, keywords: str) -> tuple[str, str]:
    """Return (full pinyin, initials) of an item's name and keywords for the search columns.

    Each is a space-separated list: the name's contextual reading first, then heteronym alternatives
    (银行 → yinhang yinxing / yh yx), then each keyword's. Cut to the column sizes at token boundaries.
    """
    name_full, name_initials = variants(name or "")
    full: list[str] = list(name_full)
    initials: list[str] = list(name_initials)
    for keyword in split_keywords(keywords):
        kw_full, kw_initials = variants(keyword)
        full.extend(kw_full[:1])
        initials.extend(kw_initials[:1])
    return join_bounded(full, PINYIN_MAX), join_bounded(initials, INITIALS_MAX)


def pinyin_run(readings: list[tuple[str, ...]], term: str) -> tuple[int, int] | None:
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
            letters = {initial(r) for r in options}
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


def merge_spans(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged
