"""Enumeration markers in Chinese official documents: find them, and chain them into runs.

A marker only counts when it sits at a boundary (start of a line, after a space or after a
sentence/clause stop) and continues a sequence (1 then 2 then 3). Everything here works on a
*length-preserving* normalisation of the text, so offsets found in the normalised text are valid
in the original and markers can be reported exactly as written.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

CN_DIGITS = {
    "零": 0,
    "〇": 0,
    "一": 1,
    "二": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
}
CN_NUM = "[一二三四五六七八九十]{1,3}"
CIRCLED = "①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳"


def cn_to_int(s: str) -> int | None:
    """Chinese numeral up to 99 ("十二", "三十六", "二十") -> int, None if malformed."""
    if not s or any(ch not in CN_DIGITS and ch != "十" for ch in s):
        return None
    if "十" not in s:
        return CN_DIGITS[s] if len(s) == 1 else None
    tens, _, ones = s.partition("十")
    if "十" in ones or len(tens) > 1 or len(ones) > 1:
        return None
    t = CN_DIGITS[tens] if tens else 1
    o = CN_DIGITS[ones] if ones else 0
    return t * 10 + o if t else None


def _norm_char(ch: str) -> str:
    if ch in CIRCLED:  # NFKC would turn ① into "1"; keep it distinct
        return ch
    n = unicodedata.normalize("NFKC", ch)
    return n if len(n) == 1 else ch


@lru_cache(maxsize=4096)
def _norm_table_char(ch: str) -> str:
    return _norm_char(ch)


def normalize(text: str) -> str:
    """NFKC per character, keeping the length (full-width ．（）：，； become ASCII)."""
    return "".join(_norm_table_char(ch) for ch in text)


# family name, rank (lower = higher in the document hierarchy), regex on normalised text,
# whether a digit may follow the marker, extra boundary characters allowed before it.
@dataclass(frozen=True)
class Family:
    name: str
    rank: float
    pattern: re.Pattern[str]
    line_only: bool = False  # only valid at the start of a line
    comma_boundary: bool = False  # may also follow a comma ("…检查，一是…")


FAMILIES: tuple[Family, ...] = (
    Family("cn_dun", 0, re.compile(rf"(?P<num>{CN_NUM})、")),
    Family("cn_paren", 1, re.compile(rf"\((?P<num>{CN_NUM})\)")),
    Family("cn_di", 1.5, re.compile(rf"第(?P<num>{CN_NUM})(?:[,、:]|条(?=\s))")),
    Family("cn_tiao", 1.6, re.compile(rf"第(?P<num>{CN_NUM})条"), line_only=True),
    Family("ar_dot", 2, re.compile(r"(?P<num>\d{1,2})\.(?!\d)")),
    Family("ar_dot_digit", 2, re.compile(r"(?P<num>\d{1,2})\.(?=\d{4}年)"), line_only=True),
    Family("ar_dun", 2, re.compile(r"(?P<num>\d{1,2})、")),
    Family("ar_paren", 3, re.compile(r"\((?P<num>\d{1,2})\)")),
    Family("ar_half", 3.5, re.compile(r"(?P<num>\d{1,2})\)")),
    Family("circled", 4, re.compile(rf"(?P<num>[{CIRCLED}])")),
    Family("cn_shi", 5, re.compile(rf"(?P<num>{CN_NUM})(?:是|要)"), comma_boundary=True),
)
# "1.2017年" is the marker "1." followed by a year: same sequence as "2."
_SAME_SEQUENCE = {"ar_dot_digit": "ar_dot"}

_STOPS = set("。;:!?；：！？")
_COMMAS = set(",，、")


@dataclass(frozen=True)
class Candidate:
    pos: int  # offset of the marker's first character
    end: int  # offset just after the marker
    text_start: int  # offset of the unit text (marker end plus skipped spaces)
    family: str
    rank: float
    value: int
    line_start: bool  # at the start of a line (or after a space in collapsed text)


@dataclass
class Run:
    family: str
    rank: float
    items: list[Candidate]

    @property
    def strong(self) -> bool:
        return sum(c.line_start for c in self.items) * 2 >= len(self.items)

    @property
    def start(self) -> int:
        return self.items[0].pos


def _boundary(nt: str, pos: int, fam: Family) -> tuple[bool, bool]:
    """(is a boundary, is a line start) for a marker at ``pos``."""
    j = pos - 1
    saw_space = False
    while j >= 0 and nt[j] in " \t\u3000":
        j -= 1
        saw_space = True
    if j < 0 or nt[j] == "\n":
        return True, True
    if fam.line_only:
        return False, False
    if saw_space:
        return True, True  # fields in a collapsed one-line copy are separated by spaces
    ch = nt[j]
    if ch in _STOPS:
        return True, False
    if fam.comma_boundary and ch in _COMMAS:
        return True, False
    return False, False


def find_candidates(nt: str, start: int = 0, end: int | None = None) -> list[Candidate]:
    """Every marker at a boundary in ``nt[start:end]`` (``nt`` already normalised)."""
    end = len(nt) if end is None else end
    out: list[Candidate] = []
    for fam in FAMILIES:
        for m in fam.pattern.finditer(nt, start, end):
            raw = m.group("num")
            value = (
                CIRCLED.index(raw) + 1
                if fam.name == "circled"
                else (int(raw) if raw.isdigit() else cn_to_int(raw))
            )
            if not value:
                continue
            ok, line = _boundary(nt, m.start(), fam)
            if not ok:
                continue
            ts = m.end()
            while ts < end and nt[ts] in " \t\u3000":
                ts += 1
            if ts >= end or (nt[ts] == "\n" and fam.name == "cn_shi"):
                continue
            name = _SAME_SEQUENCE.get(fam.name, fam.name)
            out.append(Candidate(m.start(), m.end(), ts, name, fam.rank, value, line))
    out.sort(key=lambda c: (c.pos, c.rank))
    # one marker per position: the longest match wins ("（一）" not "一）")
    dedup: list[Candidate] = []
    for c in out:
        if dedup and c.pos < dedup[-1].end:
            continue
        dedup.append(c)
    return dedup


def build_runs(cands: list[Candidate]) -> list[Run]:
    """Chain candidates of one family into runs 1,2,3…; each run starts at 1.

    A same-family 1 at the start of a line ends the current chain (numbering restarts);
    other out-of-sequence values are ignored as false positives.
    """
    runs: list[Run] = []
    by_family: dict[str, list[Candidate]] = {}
    for c in cands:
        by_family.setdefault(c.family, []).append(c)
    for fam, items in by_family.items():
        used: set[int] = set()
        for i, c in enumerate(items):
            if c.value != 1 or i in used:
                continue
            chain = [c]
            used.add(i)
            for j in range(i + 1, len(items)):
                if j in used:
                    continue
                d = items[j]
                if d.value == chain[-1].value + 1:
                    chain.append(d)
                    used.add(j)
                elif d.value == 1 and (d.line_start or not c.line_start):
                    break
            runs.append(Run(fam, c.rank, chain))
    runs.sort(key=lambda r: r.start)
    return runs


def choose_top_runs(runs: list[Run], *, last_only: bool = False) -> list[Run]:
    """Pick the top-level enumeration: the highest-ranked family with a real run.

    A real run has two or more items, or is a single item at a line start (a list cut off by
    truncation). Runs of that family that start inside an earlier chosen run's span are nested
    and skipped. With ``last_only`` only the last run of the family is returned (proposals whose
    problems and suggestions share one style, when no lead-in separates them).
    """
    real = [r for r in runs if len(r.items) >= 2 or r.items[0].line_start]
    if not real:
        return []
    multi = [r for r in real if len(r.items) >= 2]
    pool = multi or real
    best_rank = min(r.rank for r in pool)
    # a strong (line-start) run of a lower rank beats an inline run of a higher rank
    strong = [r for r in pool if r.strong]
    if strong and not any(r.strong for r in pool if r.rank == best_rank):
        best_rank = min(r.rank for r in strong)
    fam_runs = [r for r in pool if r.rank == best_rank]
    family = fam_runs[0].family
    chosen = [r for r in real if r.family == family]
    if last_only:
        return chosen[-1:]
    return chosen


_FIELD_AHEAD = re.compile(r"[\u4e00-\u9fff]{1,3}(?:[ \u3000]?[\u4e00-\u9fff]){0,6}[:：]")
_DATE_AHEAD = re.compile(r"(?:\d{4}|[〇零一二三四五六七八九]{4})年")
_BREAK_AFTER = set("。!?！？:：;；")


def unfold(text: str) -> str:
    """Same-length copy of ``text`` where a collapsed copy gets its line breaks back.

    Web copies of letters sometimes arrive as one long line whose fields, paragraphs, signature
    and date are separated only by spaces. In such a line a space run becomes a newline when it
    follows a sentence stop or a colon, or precedes a field label, a date or a numbered marker;
    spaces inside words (PDF residue: "收 悉") stay, because they meet none of those.
    """
    out = list(text)
    pos = 0
    for line in text.split("\n"):
        if len(line) > 250 and len(re.findall(r"[。！？!?:：] +\S", line)) >= 2:
            for m in re.finditer(r"[ \u3000]+", line):
                s, e = m.start(), m.end()
                if s == 0 or e == len(line):
                    continue
                prev, ahead = line[s - 1], line[e:]
                head = find_candidates(normalize(ahead[:8]))
                if (
                    prev in _BREAK_AFTER
                    or (prev in "”」』" and s > 1 and line[s - 2] in _BREAK_AFTER)
                    or _FIELD_AHEAD.match(ahead)
                    or _DATE_AHEAD.match(ahead)
                    or (head and head[0].pos == 0)
                ):
                    for k in range(pos + s, pos + e):
                        out[k] = "\n"
        pos += len(line) + 1
    return "".join(out)


def restore(original: str, work: str, piece: str, hint: int = 0) -> str:
    """The original characters of ``piece``, a substring of the unfolded ``work`` copy."""
    if not piece or original is work:
        return piece
    i = work.find(piece, hint)
    if i < 0:
        i = work.find(piece)
    return original[i : i + len(piece)] if i >= 0 else piece
