"""Link each reply point to the suggestion(s) it answers.

Evidence in order of strength: the title quoted in the point's heading (关于“…”, 针对…的建议),
matched approximately; then text similarity (character bigrams weighted by rarity); then the
number, when the letter answers in order. Points that report process, praise or background answer
nothing unless a title names a suggestion.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Sequence
from typing import Protocol

from .markers import normalize
from .units import Link


class _Numbered(Protocol):
    n: int | None
    title: str
    text: str


_QUOTED = re.compile(r"[“\"「『《]([^”\"」』》]{2,60})[”\"」』》]")
_ABOUT = re.compile(r"(?:关于|针对|对于)([^，,。；;：:“”\"《》]{2,40}?)(?:的)?(?:建议|问题|意见|提议|方面)")
# Points that report handling, praise the proposal or give background answer no suggestion.
_NO_ANSWER = re.compile(
    r"^(?:基本情况|总体情况|背景情况|有关情况|情况说明|工作开展情况|概况)$"
    r"|高度重视(?:您|你)?的?(?:提案|建议)|(?:提案|建议)的核心内容|(?:提案|建议)(?:办理)?工作方案"
    r"|^(?:领导)?高度重视|认真(?:研究)?办理|专题研究|精心组织|狠抓落实办理"
    r"|(?:您|你)的?(?:提案|建议)(?:非常|十分)?(?:重要|及时|中肯|具有)"
)
_STRIP = re.compile(r"[\s\W_]+", re.UNICODE)
_FILLER = re.compile(r"^(?:建议|进一步|切实|加快|积极|关于|要|应|应当|进行|做好)+")


def _clean(s: str) -> str:
    return _STRIP.sub("", normalize(s))


def _core(s: str) -> str:
    """A title with its filler verbs dropped: "建议进一步加大培训力度" -> "加大培训力度"."""
    c = _clean(s)
    return _FILLER.sub("", c) or c


def _bigrams(s: str) -> list[str]:
    c = _clean(s)
    return [c[i : i + 2] for i in range(len(c) - 1)]


def _lcs_len(a: str, b: str) -> int:
    """Length of the longest common substring."""
    best = 0
    prev = [0] * (len(b) + 1)
    for ca in a:
        cur = [0] * (len(b) + 1)
        for j, cb in enumerate(b, 1):
            if ca == cb:
                cur[j] = prev[j - 1] + 1
                best = max(best, cur[j])
        prev = cur
    return best


def title_match(phrase: str, title: str) -> float:
    """How well a quoted phrase names a suggestion title (0..1), tolerant of added verbs."""
    p, t = _core(phrase), _core(title)
    if len(p) < 2 or len(t) < 2:
        return 0.0
    if p == t:
        return 1.0
    if p in t or t in p:
        shorter, longer = sorted((len(p), len(t)))
        return 0.85 + 0.15 * shorter / longer
    common = _lcs_len(p, t)
    return common / max(len(p), len(t)) if common >= 3 else 0.0


def _phrases(point: _Numbered) -> list[str]:
    heading = point.title or ""
    found = [m.group(1) for m in _QUOTED.finditer(heading)]
    found += [m.group(1) for m in _ABOUT.finditer(heading)]
    if not found and len(_clean(heading)) <= 30:
        found = [heading]  # a short heading often is the suggestion title without quotes
    return found


def _tfidf(docs: list[list[str]]) -> list[dict[str, float]]:
    df: Counter[str] = Counter()
    for d in docs:
        df.update(set(d))
    n = len(docs)
    vecs = []
    for d in docs:
        tf = Counter(d)
        v = {g: (1 + math.log(c)) * math.log(1 + n / df[g]) for g, c in tf.items()}
        norm = math.sqrt(sum(x * x for x in v.values())) or 1.0
        vecs.append({g: x / norm for g, x in v.items()})
    return vecs


def _cos(a: dict[str, float], b: dict[str, float]) -> float:
    if len(a) > len(b):
        a, b = b, a
    return sum(x * b.get(g, 0.0) for g, x in a.items())


def link(points: Sequence[_Numbered], suggestions: Sequence[_Numbered]) -> list[Link]:
    """Links (point n -> suggestion n) with their method and confidence, in point order."""
    sugg = [s for s in suggestions if s.n is not None or len(suggestions) == 1]
    if not sugg or not points:
        return []
    snum = [s.n if s.n is not None else 1 for s in sugg]
    pnum = [p.n if p.n is not None else i + 1 for i, p in enumerate(points)]
    links: dict[int, list[Link]] = {}

    # 1. the heading names the suggestion
    for i, p in enumerate(points):
        best: list[tuple[float, int]] = []
        for phrase in _phrases(p):
            scores = [(title_match(phrase, s.title), j) for j, s in enumerate(sugg)]
            top = max(scores)
            if top[0] >= 0.6:
                best.append(top)
        strongest: dict[int, float] = {}
        for score, j in best:
            strongest[j] = max(score, strongest.get(j, 0.0))
        for j in sorted(strongest):
            links.setdefault(i, []).append(Link(pnum[i], snum[j], "title", round(min(strongest[j], 1.0), 2)))

    # 2. text similarity for the rest; points about process, praise or background answer nothing
    docs = [_bigrams(s.title + s.text) for s in sugg] + [_bigrams(p.title + p.text) for p in points]
    vecs = _tfidf(docs)
    svec, pvec = vecs[: len(sugg)], vecs[len(sugg) :]
    sims = [[_cos(pv, sv) for sv in svec] for pv in pvec]
    open_points = [
        i
        for i, p in enumerate(points)
        if i not in links
        and not (_NO_ANSWER.search(_clean(p.title)) or _NO_ANSWER.search(normalize(p.text[:80])))
    ]
    taken = {lk.suggestion for ls in links.values() for lk in ls}
    open_sugg = [j for j in range(len(sugg)) if snum[j] not in taken]

    if len(sugg) == 1:
        # a single request: every substantive point answers it
        for i in open_points:
            links[i] = [Link(pnum[i], snum[0], "similarity", round(max(0.3, min(0.95, sims[i][0] * 2)), 2))]
        return [lk for i in sorted(links) for lk in links[i]]

    if open_points and len(open_points) == len(open_sugg):
        # one answer per open suggestion: the assignment with the highest total similarity,
        # nudged towards answering in order
        def score(i: int, j: int) -> float:
            return sims[i][j] + (0.02 if pnum[i] == snum[j] else 0.0)

        for i, j in _best_assignment(open_points, open_sugg, score):
            # a weak pair still stands when it is the best for its point or for its suggestion
            mutual = sims[i][j] >= 0.01 and (
                sims[i][j] >= max(sims[i][c] for c in open_sugg)
                or sims[i][j] >= max(sims[r][j] for r in open_points)
            )
            if sims[i][j] >= 0.05 or mutual:
                links[i] = [Link(pnum[i], snum[j], "similarity", round(min(0.95, 0.3 + sims[i][j] * 2), 2))]
            elif pnum[i] == snum[j]:
                links[i] = [Link(pnum[i], snum[j], "number", 0.4)]
        return [lk for i in sorted(links) for lk in links[i]]

    for i in open_points:
        order = sorted(range(len(sugg)), key=lambda j: -sims[i][j])
        j = order[0]
        second = sims[i][order[1]] if len(order) > 1 else 0.0
        if sims[i][j] >= 0.12 and sims[i][j] >= 1.25 * second:
            links[i] = [Link(pnum[i], snum[j], "similarity", round(min(0.95, 0.3 + sims[i][j] * 2), 2))]
    return [lk for i in sorted(links) for lk in links[i]]


def _best_assignment(rows: list[int], cols: list[int], score) -> list[tuple[int, int]]:
    """Max-score one-to-one pairing of rows and cols (equal counts); exact up to 12, else greedy."""
    n = len(rows)
    if n > 12:
        pairs = sorted(((score(i, j), i, j) for i in rows for j in cols), reverse=True)
        used_r: set[int] = set()
        used_c: set[int] = set()
        out = []
        for _, i, j in pairs:
            if i not in used_r and j not in used_c:
                used_r.add(i)
                used_c.add(j)
                out.append((i, j))
        return out
    # dp over subsets of columns, rows taken in order
    best: dict[int, tuple[float, list[tuple[int, int]]]] = {0: (0.0, [])}
    for i in rows:
        nxt: dict[int, tuple[float, list[tuple[int, int]]]] = {}
        for mask, (total, chosen) in best.items():
            for c, j in enumerate(cols):
                if mask & (1 << c):
                    continue
                m2 = mask | (1 << c)
                t2 = total + score(i, j)
                if m2 not in nxt or t2 > nxt[m2][0]:
                    nxt[m2] = (t2, [*chosen, (i, j)])
        best = nxt
    return max(best.values(), key=lambda v: v[0])[1]
