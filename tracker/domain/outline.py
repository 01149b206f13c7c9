"""Split a policy document into its numbered clauses, keeping the hierarchy.

Policy documents number their structure at the start of lines: 第一部分 → 一、 → （一） → 1. …
The level of a marker style is the order in which styles first appear; a clause counts when it
starts its style's sequence (1) or continues it (the Zhejiang opinions number （一）…（三十六）
straight through their sections, the Beijing plan restarts （一） in every section).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .markers import CN_NUM, Candidate, cn_to_int, find_candidates, normalize
from .structure import strip_end, title_of

_PART = re.compile(rf"第(?P<num>{CN_NUM})(?:部分|章|节|篇)")


@dataclass
class Clause:
    level: int  # 1 = outermost
    n: int
    marker: str  # as written
    title: str
    text: str  # the clause's own text, up to the next clause of any level
    start: int
    end: int
    number_path: tuple[int, ...]

    @property
    def anchor(self) -> str:
        return "c" + "-".join(str(x) for x in self.number_path)


def _part_candidates(nt: str) -> list[Candidate]:
    out = []
    for m in _PART.finditer(nt):
        ls = nt.rfind("\n", 0, m.start()) + 1
        if nt[ls : m.start()].strip(" \t\u3000"):
            continue
        ts = m.end()
        while ts < len(nt) and nt[ts] in " \t\u3000":
            ts += 1
        value = cn_to_int(m.group("num"))
        if value:
            out.append(Candidate(m.start(), m.end(), ts, "part", -1, value, True))
    return out


def outline(text: str) -> list[Clause]:
    nt = normalize(text)
    cands = [c for c in find_candidates(nt) if c.line_start and c.family != "cn_shi"]
    cands = sorted(cands + _part_candidates(nt), key=lambda c: c.pos)
    levels: dict[str, int] = {}
    last_value: dict[str, int] = {}
    accepted: list[tuple[Candidate, int]] = []
    for c in cands:
        if c.value != 1 and c.value != last_value.get(c.family, 0) + 1:
            continue
        level = levels.setdefault(c.family, len(levels) + 1)
        last_value[c.family] = c.value
        accepted.append((c, level))

    clauses: list[Clause] = []
    path: list[int] = []
    for k, (c, level) in enumerate(accepted):
        end = accepted[k + 1][0].pos if k + 1 < len(accepted) else len(text)
        end = strip_end(text, c.text_start, end)
        del path[level - 1 :]
        path.extend([0] * (level - 1 - len(path)))
        path.append(c.value)
        clauses.append(
            Clause(
                level=level,
                n=c.value,
                marker=text[c.pos : c.end],
                title=title_of(text, c.text_start, end),
                text=text[c.text_start : end],
                start=c.text_start,
                end=end,
                number_path=tuple(path),
            )
        )
    return clauses
