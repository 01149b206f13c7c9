"""Split a proposal into its numbered suggestions.

The suggestions are the enumeration introduced by a lead-in ("为此建议：", "建议如下：", a heading
such as "三、对策建议"); a problems list before it, section headings, numerals inside sentences and
lists nested inside one suggestion do not split. Without a numbered list the proposal gives one
unnumbered suggestion (``marker`` None).
"""

from __future__ import annotations

import re

from .markers import Candidate, Run, build_runs, choose_top_runs, find_candidates, normalize, unfold
from .structure import (
    FIELD_LINE,
    PROPOSAL_CLOSING,
    build_units,
    is_findings_run,
    line_bounds,
    restore_fields,
    restore_units,
    strip_end,
    title_of,
)
from .units import SplitProposal, Unit

# "为此建议：", "对策建议:", "建    议:", "建议如下：", "特提出如下建议：", "提出以下几点建议。"
_LEADIN_COLON = re.compile(
    r"(?:为此|因此|对此|据此|为|故|特此|特|现|我们|本人)?[,，]?[ \u3000]*"
    r"(?:(?:对策|意见|具体|主要|几点|相关|工作|如下)(?:和|与|及)?)?建[ \u3000]*议"
    r"(?:如下|以下几点|以下)?[ \u3000]*[:：]"
)
_LEADIN_PHRASE = re.compile(
    r"(?:为此|因此|对此|据此|故|特此|特|现|我们|本人)?[,，]?[ \u3000]*(?:特|现|再)?(?:提出|提)"
    r"(?:以下|如下)(?:几点|几条|三点|两点|具体)?(?:对策|意见|具体)?(?:建议|对策|意见)[:：。]?"
    r"|建议如下[:：。]?"
)
# A heading line that introduces the suggestions: "三、建议", "二、对策建议", "四、建议措施", "为此建议"
_LEADIN_HEADING = re.compile(
    r"^[ \u3000]*(?:[一二三四五六七八九十]{1,3}[、.．]|[(（][一二三四五六七八九十]{1,3}[)）]|\d{1,2}[.．、])?[ \u3000]*"
    r"(?P<words>(?:为此|因此|对此|对策|意见|具体|几点|相关|主要|工作|有关|解决|改进|政策|建[ \u3000]*议|措施|办法"
    r"|思路|和|与|及|如下|的)+)[ \u3000]*[:：]?[ \u3000]*$"
)
_LEADIN_WORD = re.compile(r"建[ \u3000]*议|对策|措施|办法")
# A numbered section heading that names what follows as the suggestions, in any wording:
# "三、下一步工作建议", "四、几点思考和建议", "三、解决问题的对策"
_SECTION_LEADIN = re.compile(
    r"^[ \u3000]*(?:[一二三四五六七八九十]{1,3}[、.．]|[(（][一二三四五六七八九十]{1,3}[)）])[ \u3000]*"
    r"[^。，,；;：:!?！？\d]{0,12}(?:建[ \u3000]*议|对策|举措|措施|办法|思路)[ \u3000]*[:：]?[ \u3000]*$"
)
_PROBLEM_INTRO = re.compile(r"(?:问题|原因|现状|不足|困难|案据|理由|隐患|短板)[^。\n]{0,8}[:：]?\s*$")
# "建议政府…" opens a request; "建议号:" "建议人:" "建议代表:" are field labels
_REQUEST_PARAGRAPH = re.compile(
    r"(?:^|\n)[ \u3000]*(?:(?:为此|因此|对此|据此|鉴于此|鉴于以上|故|所以)[,，]?[ \u3000]*)?"
    r"((?:特)?(?:建议|希望|恳请|请求|呼吁)(?![号人者代编类:：\s])[^\n]{4,})"
)
_CONTENT_FIELD = re.compile(r"(?:^|\s)内[ \u3000]*容[ \u3000]*[:：]")


def _leadins(text: str) -> list[tuple[int, int]]:
    """(start, end) of every lead-in, in document order."""
    spans = [(m.start(), m.end()) for m in _LEADIN_COLON.finditer(text)]
    spans += [(m.start(), m.end()) for m in _LEADIN_PHRASE.finditer(text)]
    pos = 0
    for line in text.split("\n"):
        m = _LEADIN_HEADING.match(line)
        if (m and _LEADIN_WORD.search(m.group("words"))) or _SECTION_LEADIN.match(line):
            spans.append((pos, pos + len(line)))
        pos += len(line) + 1
    spans.sort()
    merged: list[tuple[int, int]] = []
    for s, e in spans:
        if merged and s < merged[-1][1]:
            merged[-1] = (merged[-1][0], max(e, merged[-1][1]))
        else:
            merged.append((s, e))
    return merged


def _trim_leadin(text: str, s: int, e: int) -> tuple[int, int]:
    """Drop leading spaces and commas from a lead-in span (a heading keeps its marker: "三、建议")."""
    while s < e and text[s] in " \t\u3000,，\n":
        s += 1
    return s, e


def _effective(text: str, cands: list[Candidate], end: int) -> Candidate | None:
    """The first marker right after a lead-in (same or next line, nothing said in between)."""
    for c in cands:
        if c.pos < end:
            continue
        between = text[end : c.pos]
        if c.value == 1 and between.count("\n") <= 2 and not any(ch in between for ch in "。!?！？"):
            return c
        return None
    return None


def _unmarked(text: str, start: int, end: int, *, flagged_body: bool) -> Unit:
    # the request runs to the end of its paragraph; trailing field lines are not part of it
    if not flagged_body:
        _, le = line_bounds(text, start)
        end = min(end, le)
    else:
        pos = start
        while pos < end:
            ls, le = line_bounds(text, pos)
            line = text[ls:le].strip()
            if ls > start and (FIELD_LINE.match(line) or PROPOSAL_CLOSING.match(line)):
                end = ls
                break
            pos = le + 1
    while start < end and text[start] in " \t\u3000\n":
        start += 1
    end = strip_end(text, start, end)
    return Unit(
        n=None, marker=None, title=title_of(text, start, end), text=text[start:end], start=start, end=end
    )


def _unmarked_first(text: str, nt: str, cands: list[Candidate], end: int) -> list[Unit]:
    """A form whose first suggestion follows the label unmarked ("建  议：落实…。\n2.改善…\n3.…").

    The list after the lead-in starts at 2 on its own line and the text between is one paragraph:
    that paragraph is suggestion 1 (no marker), the numbered lines are 2, 3, ….
    """
    nxt = next((c for c in cands if c.pos >= end), None)
    if nxt is None or nxt.value != 2:
        return []
    # on its own line the list may be 2, 3…; inside the label's paragraph it must run on to 3
    stop = line_bounds(nt, nxt.pos)[0] if nxt.line_start else nxt.pos
    between = nt[end:stop].strip(" \t\u3000\n")
    if not between or "\n" in between:
        return []
    chain = [nxt]
    for c in cands:
        if c.pos > chain[-1].pos and c.family == nxt.family and c.value == chain[-1].value + 1:
            chain.append(c)
    if not nxt.line_start and len(chain) < 2:
        return []
    first = _unmarked(text, end, stop, flagged_body=True)
    first.n = 1
    rest = build_units(text, nt, [Run(nxt.family, nxt.rank, chain)], len(text), reply=False)
    for k, u in enumerate(rest):
        u.n = k + 2
    return [first, *rest]


def _section_request(text: str, nt: str, leadins: list[tuple[int, int]]) -> SplitProposal | None:
    """A proposal in sections (一、基本情况 二、存在问题 三、对策建议) whose last section, the one its
    heading names as suggestions, holds an unmarked request rather than a list."""
    for s, e in reversed(leadins):
        ls, le = line_bounds(nt, s)
        heads = find_candidates(nt, ls, le)
        if le != e or not heads or not heads[0].line_start or nt[ls : heads[0].pos].strip():
            continue
        family = heads[0].family
        later = [c for c in find_candidates(nt, le) if c.line_start]
        if any(c.family == family for c in later) or any(len(r.items) >= 2 for r in build_runs(later)):
            return None  # more sections follow, or the section holds a list: not a lone request
        unit = _unmarked(text, le, len(text), flagged_body=True)
        if not unit.text:
            return None
        return SplitProposal(
            [unit], leadin=text[ls:le].strip(), background=text[:ls].strip(), closing=text[unit.end :].strip()
        )
    return None


def split_proposal(text: str) -> SplitProposal:
    work = unfold(text)
    result = _split(work)
    if work != text:
        restore_units(text, work, result.suggestions)
        restore_fields(text, work, result, ("leadin", "background", "closing"))
    return result


def _split(text: str) -> SplitProposal:
    nt = normalize(text)
    cands = find_candidates(nt)
    leadins = _leadins(nt)
    runs: list[Run] = []
    chosen_leadin: tuple[int, int] | None = None
    for s, e in leadins:
        first = _effective(nt, cands, e)
        if first is None:
            unmarked = _unmarked_first(text, nt, cands, e)
            if unmarked:
                ls, le = _trim_leadin(text, s, e)
                return SplitProposal(
                    unmarked,
                    leadin=text[ls:le].strip(),
                    background=text[:s].strip(),
                    closing=text[unmarked[-1].end :].strip(),
                )
            continue
        after = [r for r in build_runs([c for c in cands if c.pos >= first.pos]) if r.family == first.family]
        if after:
            runs = after[:1]
            chosen_leadin = (s, e)
            break
    if not runs:
        section = _section_request(text, nt, leadins)
        if section:
            return section
        # no lead-in introduces a list: the last real enumeration is the suggestions (an inline run
        # announced as findings or causes is not)
        runs = choose_top_runs([r for r in build_runs(cands) if not is_findings_run(nt, r)], last_only=True)
        # a lone heading-style item is not a list unless a lead-in precedes it, and a list that
        # says it holds problems or reasons is not the suggestions
        if runs and (
            len(runs[0].items) < 2 or _PROBLEM_INTRO.search(nt, max(0, runs[0].start - 20), runs[0].start)
        ):
            runs = []
    if runs:
        units = build_units(text, nt, runs, len(text), reply=False)
        first_pos = runs[0].items[0].pos
        bg_end = chosen_leadin[0] if chosen_leadin else first_pos
        leadin = None
        if chosen_leadin:
            ls, le = _trim_leadin(text, *chosen_leadin)
            leadin = text[ls:le].strip()
        closing = text[units[-1].end :].strip() if units else ""
        return SplitProposal(units, leadin=leadin, background=text[:bg_end].strip(), closing=closing)

    # one unnumbered suggestion: after the last "建议：" lead-in, or the whole body
    colon = [(s, e) for s, e in leadins if nt[e - 1] in ":："]
    if colon:
        s, e = colon[-1]
        unit = _unmarked(text, e, len(text), flagged_body=False)
        if unit.text:
            ls, le = _trim_leadin(text, s, e)
            return SplitProposal(
                [unit],
                leadin=text[ls:le].strip(),
                background=text[:s].strip(),
                closing=text[unit.end :].strip(),
            )
    requests = list(_REQUEST_PARAGRAPH.finditer(nt))
    if requests:
        # "建议政府加大投入…" opening the last such paragraph is the request
        unit = _unmarked(text, requests[-1].start(1), len(text), flagged_body=False)
        return SplitProposal(
            [unit], leadin=None, background=text[: unit.start].strip(), closing=text[unit.end :].strip()
        )
    fields = list(_CONTENT_FIELD.finditer(nt))
    body_start = fields[-1].end() if fields else 0
    unit = _unmarked(text, body_start, len(text), flagged_body=True)
    return SplitProposal([unit], leadin=None, background="", closing=text[unit.end :].strip())
