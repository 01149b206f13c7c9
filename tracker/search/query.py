"""What a query string asks, before any engine sees it: 案号 patterns and broader rewrites.

Plain Python (no engine): the search service uses it to jump straight to a proposal, as
legislative trackers do for bill numbers, and to suggest a broader query when nothing matches.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from tracker.search import analysis

_DIGITS = {
    "〇": 0,
    "零": 0,
    "一": 1,
    "二": 2,
    "两": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
}
_UNITS = {"十": 10, "百": 100, "千": 1000}

# 第2号, 2号提案, 第十二号, 十届三次会议第2号, 2024年第2号提案, No. 2, #2
_CASE = re.compile(
    r"^(?P<prefix>.*?)\s*第?\s*(?P<n>\d{1,6}|[〇零一二两三四五六七八九十百千]{1,6})\s*号\s*(?:提案|议案|建议)?$"
)
_CASE_EN = re.compile(r"^(?:no\.?|number|#)\s*(?P<n>\d{1,6})$", re.IGNORECASE)
_YEAR = re.compile(r"(?<!\d)(?P<year>(?:19|20)\d\d)\s*年?(?!\d)")
# Words that name a session but do not tell sessions apart: 第十届第三次会议 -> 十三
# (a full name's 委员会 / 人民代表大会 too: 政协…第十届委员会第三次会议 -> …十三)
_SESSION_NOISE = re.compile(r"委员会|人民代表大会|[第届次会议\s]|政协|人大|全体")

_OPERATORS = {"AND", "OR", "NOT"}
_TERMS = re.compile(r'"[^"]*"|\S+')


def chinese_number(text: str) -> int | None:
    """Value of a Chinese numeral up to the thousands (十二 -> 12, 二十 -> 20, 一〇五 -> 105)."""
    if not text:
        return None
    if all(ch in _DIGITS for ch in text):  # 一〇五: digit by digit
        value = 0
        for ch in text:
            value = value * 10 + _DIGITS[ch]
        return value
    total, digit = 0, None
    for ch in text:
        if ch in _DIGITS:
            digit = _DIGITS[ch]
        elif ch in _UNITS:
            total += (1 if digit is None else digit) * _UNITS[ch]
            digit = None
        else:
            return None
    return total + (digit or 0)


@dataclass(frozen=True)
class CaseNumber:
    """A query that names a proposal by its number (案号), maybe with the session or year."""

    number: int
    year: int | None = None
    session: str | None = None  # what was typed before the number, without the year


def parse_case_number(text: str) -> CaseNumber | None:
    text = unicodedata.normalize("NFKC", text).strip()
    english = _CASE_EN.match(text)
    if english:
        return CaseNumber(int(english.group("n")))
    m = _CASE.match(text)
    if not m:
        return None
    raw = m.group("n")
    number = int(raw) if raw.isdigit() else chinese_number(raw)
    if number is None:
        return None
    prefix = m.group("prefix").strip()
    year = None
    found = _YEAR.search(prefix)
    if found:
        year = int(found.group("year"))
        prefix = (prefix[: found.start()] + prefix[found.end() :]).strip()
    if prefix and not re.fullmatch(r"[\w\s]+", prefix):
        return None  # "培训，第2号" is a sentence, not a case number
    return CaseNumber(number=number, year=year, session=prefix or None)


def session_matches(typed: str, body: str | None, name: str | None) -> bool:
    """Whether what was typed before a number (十届三次, 政协第十届第三次会议) names this session."""
    stated = f"{body or ''}{name or ''}"
    if any(word in typed and word not in stated for word in ("政协", "人大")):
        return False
    key = _SESSION_NOISE.sub("", typed)
    if not key:
        return True  # only "政协" or "第…次会议" words: they narrow nothing
    return key in _SESSION_NOISE.sub("", stated)


def terms(text: str) -> list[str]:
    """The top-level terms of a query: quoted phrases whole, operators and exclusions left out."""
    found = []
    skip_next = False
    for term in _TERMS.findall(unicodedata.normalize("NFKC", text)):
        if skip_next:
            skip_next = False
            continue
        if term == "NOT":
            skip_next = True
            continue
        if term in _OPERATORS or term.startswith("-"):
            continue
        found.append(term.lstrip("+"))
    return [t for t in found if t.strip('"')]


def broader_queries(text: str) -> list[str]:
    """Rewrites that match more, most specific first: words instead of a phrase, fewer terms, OR."""
    parts = terms(text)
    candidates: list[str] = []
    if len(parts) == 1:
        bare = parts[0].strip('"')
        words = [w for w in analysis.words(bare) if w.strip()]
        if len(words) > 1:
            candidates.append(" ".join(words))  # each word anywhere, not as one phrase
            candidates.append(" OR ".join(words))
        elif parts[0] != bare:
            candidates.append(bare)
    elif len(parts) > 1:
        unquoted = [p.strip('"') for p in parts]
        if unquoted != parts:
            candidates.append(" ".join(unquoted))
        for i in range(len(parts)):
            candidates.append(" ".join(parts[:i] + parts[i + 1 :]))
        candidates.append(" OR ".join(parts))
    original = " ".join(text.split())
    return [c for c in dict.fromkeys(candidates) if c and c != original]
