"""Turn chosen marker runs into units with exact spans, titles, sub-points and clean ends."""

from __future__ import annotations

import re

from .markers import Candidate, Run, build_runs, choose_top_runs, find_candidates, normalize, restore
from .units import Unit

SENTENCE_END = "。!?！？"
TRAIL = " \t\u3000\n；;，,、：:"

# Sentences that open a closing paragraph of a reply letter: thanks, formulas, next steps.
REPLY_CLOSING = re.compile(
    r"(?:衷心|再次|非常|十分|诚挚|真挚|真诚|特别)?(?:感谢|谢谢)"
    r"|最后[,，]?(?:再次|衷心|诚挚|非常|感谢|希望|欢迎|恳请|敬请|请您?|对您|向您|关于您|我们再次)|以上答复|以上是|以上意见|以上情况|此复|特此|专此|此致"
    r"|如有(?:不妥|不当|意见|疑问|不同|问题|其他|需要|任何)|不妥之处|不当之处"
    r"|(?:通过|经过)(?:以上|上述)|综上(?:所述)?[,，]|总之[,，]"
    r"|对以上答复|对此答复|请您?对|敬请|恳请(?:您|你|继续)|欢迎(?:您|你|继续)"
    r"|希望(?:您|你|以后|今后|继续|各位|代表|委员)"
    r"|下一?步[,，]|下一?步(?:工作中|我们|我局|我委|我办|我中心|将)|今后[,，]?(?:我们|我局|我委)"
)
# Courtesy only (no next steps): what may follow a bare numbered heading and still be a closing.
COURTESY = re.compile(
    r"(?:衷心|再次|非常|十分|诚挚|真挚|真诚|特别)?(?:感谢|谢谢)|以上答复|此复|特此|专此|如有不妥|对以上答复"
)
# Closers that may be glued mid-paragraph onto an unnumbered answer; a next-steps sentence there
# ("…已完工。下一步，我们将…") is still part of the answer.
GLUED_CLOSING = re.compile(
    r"(?:衷心|再次|非常|十分|诚挚|真挚|真诚|特别)?(?:感谢|谢谢)|以上答复|此复|特此|专此|此致"
    r"|如有(?:不妥|不当|意见|疑问|不同)|(?:通过|经过)(?:以上|上述)|综上(?:所述)?[,，]"
)
# An inline run introduced as findings, causes or problems ("主要原因：一是…二是…", "表现在：一是…",
# "究其原因，可能一是…") reports what is wrong; it is neither points nor suggestions.
FINDINGS_INTRO = re.compile(
    r"(?:原因|问题|困难|不足|短板|瓶颈|隐患|矛盾|难点|症结|弊端|现象|差距|薄弱环节)"
    r"(?:主要|还|仍然)?(?:有|在于|是|表现为|表现在|包括|如下)?[:：]\s*$"
    r"|(?:表现为|表现在|体现在|原因是|原因在于|原因有)[:：,，]?\s*$"
    r"|究其原因[,，]?(?:可能|主要|一方面)?\s*$"
)


def is_findings_run(nt: str, run: Run) -> bool:
    """An inline run (its first item inside a sentence) whose lead-in clause announces findings."""
    first = run.items[0]
    if first.line_start:
        return False
    k = first.pos
    while k > 0 and nt[k - 1] not in "。!?！？\n":
        k -= 1
    return bool(FINDINGS_INTRO.search(nt[k : first.pos]))


PROPOSAL_CLOSING = re.compile(
    r"通过以上|以上建议|以上几点|以上意见|综上|总之|此致|特此|当否|妥否|敬请|恳请|请予"
)
# "承办单位:市政府办公室", "办复类别:B类", "提建议代表:麻江县代表团 龙全军"
FIELD_LINE = re.compile(r"^[\u4e00-\u9fff（）()]{1,3}(?:[ \u3000]*[\u4e00-\u9fff（）()]){0,8}[ \u3000]*[:：]")


def field_entry(line: str) -> tuple[str, str] | None:
    """(label, value) of a label line such as "办复类别：B类" or "（联系人：王五）", as written."""
    line = line.strip()
    if len(line) > 60:
        return None
    inner = line[1:-1] if line[:1] in "(（" and line[-1:] in ")）" else line
    m = FIELD_LINE.match(normalize(inner))
    if not m:
        return None
    return re.sub(r"[\s\u3000]", "", inner[: m.end() - 1]), inner[m.end() :].strip()


DATE = r"(?:\d{4}|[〇零一二三四五六七八九]{4})\s*年\s*[\d一二三四五六七八九十]{1,3}\s*月\s*[\d一二三四五六七八九十]{1,3}\s*日"
# A date alone on its line may also be written compactly: "20211026", "2023630", "2021.10.26", "2021-10-26"
COMPACT_DATE = (
    r"(?:19|20)\d{2}(?:(?:0?[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])|(?:0[1-9]|1[0-2])[1-9])"
    r"|(?:19|20)\d{2}\s*[.．/／\-－]\s*\d{1,2}\s*[.．/／\-－]\s*\d{1,2}"
)
DATE_LINE = re.compile(rf"^[(（]?\s*(?:{DATE}|{COMPACT_DATE})\s*[)）]?$")


def line_bounds(text: str, pos: int) -> tuple[int, int]:
    """Start and end (exclusive, before the newline) of the line holding ``pos``."""
    s = text.rfind("\n", 0, pos) + 1
    e = text.find("\n", pos)
    return s, (len(text) if e < 0 else e)


def title_of(text: str, start: int, end: int) -> str:
    """The lead sentence of a unit: up to the first 。, the end of the line or the unit end."""
    stop = end
    nl = text.find("\n", start, end)
    if nl >= 0:
        stop = nl
    for ch in SENTENCE_END:
        k = text.find(ch, start, stop)
        if k >= 0:
            stop = k
    return text[start:stop].strip().rstrip(TRAIL).strip()


def is_bare_heading(text: str, unit: Candidate, end: int) -> bool:
    """A numbered heading alone on its line ("一、基本情况"), its body on the next lines."""
    _, le = line_bounds(text, unit.text_start)
    if le >= end:
        return False
    line = text[unit.text_start : le]
    return not any(ch in line for ch in SENTENCE_END) and len(line.strip()) <= 40


def sentence_starts(text: str, start: int, end: int) -> list[int]:
    """Offsets where a new sentence starts inside [start, end) (after 。！？ or a newline)."""
    out = []
    i = start
    while i < end:
        ch = text[i]
        if ch in SENTENCE_END or ch == "\n":
            j = i + 1
            while j < end and text[j] in "”’」』)）":
                j += 1
            while j < end and text[j] in " \t\u3000\n":
                j += 1
            if j < end:
                out.append(j)
            i = j
        else:
            i += 1
    return out


def cut_closing(text: str, unit: Candidate, end: int, *, reply: bool) -> int:
    """Where the last unit really ends: before a closing, a courtesy line or a trailing field."""
    closing = REPLY_CLOSING if reply else PROPOSAL_CLOSING
    bare = is_bare_heading(text, unit, end)
    first_body_line = True
    for s in sentence_starts(text, unit.text_start, end):
        line_start = s == 0 or text[s - 1] == "\n"
        rest = text[s:end]
        first_line, _, after = rest.partition("\n")
        if line_start and (FIELD_LINE.match(rest) or DATE_LINE.match(first_line.strip())):
            return s
        if line_start and _signed(first_line, after):
            return s
        if bare and line_start and first_body_line:
            # the paragraph under a bare heading is the point's body, unless it is only courtesy
            first_body_line = False
            if COURTESY.match(rest):
                return s
            continue
        if closing.match(rest) and only_closing_after(text, s, end, closing):
            return s
    return end


# words that make a paragraph courtesy wherever they stand ("我们诚挚欢迎您继续关注…")
_COURTESY_WORDS = re.compile(
    r"感谢|谢谢|欢迎|希望(?:您|你)|敬请|恳请|批评指正|继续(?:关注|支持|关心)|关心(?:和|与)?支持|理解(?:和|与)?支持"
    r"|宝贵意见|多提意见"
)


def only_closing_after(text: str, pos: int, end: int, closing: re.Pattern[str]) -> bool:
    """Every paragraph after the one holding ``pos`` is closing matter too (a closer, a short
    formula line, a field, a date or a signature), so a next-steps sentence followed by more
    answer is not taken for the closing."""
    _, le = line_bounds(text, pos)
    k = le + 1
    while k < end:
        ls, le = line_bounds(text, k)
        line = text[ls : min(le, end)].strip()
        if line and not (
            closing.match(line)
            or COURTESY.match(line)
            or _COURTESY_WORDS.search(line)
            or FIELD_LINE.match(line)
            or DATE_LINE.match(line)
            or (len(line) <= 30 and not any(ch in line for ch in "。，,；;"))
        ):
            return False
        k = le + 1
    return True


def paragraph_closing(text: str, start: int, end: int) -> int:
    """Where the closing of an unnumbered answer begins: the trailing paragraphs that open with a
    closer, or a courtesy or summary sentence glued onto the last answer paragraph; ``end`` if none."""
    found = end
    for s in sentence_starts(text, start, end):
        line_start = text[s - 1] == "\n"
        if line_start and REPLY_CLOSING.match(text, s) and only_closing_after(text, s, end, REPLY_CLOSING):
            return s
        if (
            not line_start
            and GLUED_CLOSING.match(text, s)
            and only_closing_after(text, s, end, REPLY_CLOSING)
        ):
            return s
    return found


def _signed(line: str, after: str) -> bool:
    """A short name line directly followed by a date line: a signature, not unit text."""
    line = line.strip()
    nxt = after.split("\n", 1)[0].strip()
    return (
        0 < len(line) <= 30
        and not any(ch in line for ch in "。，,；;：:！!？?")
        and bool(DATE_LINE.match(nxt))
    )


def strip_end(text: str, start: int, end: int) -> int:
    while end > start and text[end - 1] in " \t\u3000\n":
        end -= 1
    return end


def sub_units(text: str, nt: str, start: int, end: int, top_rank: float) -> list[Unit]:
    """Second-level numbering inside a unit: the best run of a lower-ranked family."""
    cands = [c for c in find_candidates(nt, start, end) if c.rank > top_rank]
    runs = [r for r in build_runs(cands) if len(r.items) >= 2]
    if not runs:
        return []
    top = choose_top_runs(runs)
    if not top:
        return []
    items = [c for r in top for c in r.items]
    return [
        make_unit(
            text, c, k + 1, strip_end(text, c.text_start, items[k + 1].pos if k + 1 < len(items) else end)
        )
        for k, c in enumerate(items)
    ]


def make_unit(text: str, c: Candidate, n: int, end: int, sub_points: list[Unit] | None = None) -> Unit:
    """The unit whose marker is ``c`` and whose text runs to ``end``."""
    return Unit(
        n=n,
        marker=text[c.pos : c.end],
        title=title_of(text, c.text_start, end),
        text=text[c.text_start : end],
        start=c.text_start,
        end=end,
        sub_points=sub_points or [],
    )


def restore_units(original: str, work: str, units: list[Unit]) -> None:
    """Give units parsed on an unfolded copy their original characters back (same offsets)."""
    for u in units:
        u.text = original[u.start : u.end]
        u.title = restore(original, work, u.title, u.start)
        if u.marker:
            u.marker = restore(original, work, u.marker, max(0, u.start - len(u.marker) - 3))
        restore_units(original, work, u.sub_points)


def restore_fields(original: str, work: str, result: object, names: tuple[str, ...]) -> None:
    for name in names:
        value = getattr(result, name)
        if value:
            setattr(result, name, restore(original, work, value))


def build_units(text: str, nt: str, runs: list[Run], region_end: int, *, reply: bool) -> list[Unit]:
    """Units for the chosen top-level runs, numbered 1..N in document order."""
    items: list[tuple[Candidate, bool]] = []  # (candidate, starts a new run)
    for r in runs:
        for k, c in enumerate(r.items):
            if c.pos < region_end:
                items.append((c, k == 0))
    items.sort(key=lambda x: x[0].pos)
    top_rank = runs[0].rank if runs else 0
    # higher-ranked markers at a line start are section headings: they end the unit before them
    section_starts = [
        c.pos
        for c in find_candidates(nt, items[0][0].pos if items else 0, region_end)
        if c.rank < top_rank and c.line_start
    ]
    units: list[Unit] = []
    for k, (c, _) in enumerate(items):
        last = k + 1 == len(items)
        end = region_end if last else items[k + 1][0].pos
        if not last and items[k + 1][1] and not items[k + 1][0].line_start:
            # a restarted run introduced inside its own paragraph ("…以下内容：一是…"):
            # the lead-in sentence belongs to neither unit
            ls, _ = line_bounds(text, items[k + 1][0].pos)
            if ls > c.text_start:
                end = ls
        for s in section_starts:
            if c.text_start < s < end:
                end = s
                break
        if last:
            end = cut_closing(text, c, end, reply=reply)
        end = strip_end(text, c.text_start, end)
        units.append(make_unit(text, c, k + 1, end, sub_units(text, nt, c.text_start, end, c.rank)))
    return units
