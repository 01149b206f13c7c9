"""Parse a reply letter into its frame (title block, salutation, preamble, closing, signature,
date) and its numbered points (one level; deeper numbering stays inside as sub-points)."""

from __future__ import annotations

import re

from .markers import build_runs, choose_top_runs, find_candidates, normalize, unfold
from .structure import (
    DATE,
    DATE_LINE,
    FIELD_LINE,
    REPLY_CLOSING,
    build_units,
    field_entry,
    is_findings_run,
    line_bounds,
    paragraph_closing,
    restore_fields,
    restore_units,
    sentence_starts,
    strip_end,
    title_of,
)
from .units import ParsedReply, Unit

_ADDRESSEE = r"(?:委员|代表|同志|先生|女士|主任|主席|会长|提案委|委员会|党委|支部|政府|团|组)(?:们)?"
_SAL_COLON = re.compile(r"^(?:尊敬的)?[^:：。!?！？]{1,100}[:：]$")
# a name may be letter-spaced the way printed letters align it ("王立超  委员")
_SAL_INLINE = re.compile(
    rf"(?:^|\s)((?:尊敬的)?[^\s:：。，,;；]{{1,60}}?(?:[ \u3000]{{1,4}})?{_ADDRESSEE})[:：]"
)
_SAL_BARE = re.compile(rf"^(?:尊敬的)?[^\s:：。，,;；]{{1,60}}(?:[ \u3000]{{1,4}})?{_ADDRESSEE}$")
# how the letter's first paragraph opens after a salutation without a colon
_OPENING = re.compile(
    r"^(?:您|你|贵|关于|首先|感谢|非常感谢|衷心感谢|[“\"「《]|现将|现就|我们|我局|我委|我办)"
)
# "现答复如下：" and its kin open the answer wherever they stand
_CLASSIC_LEADIN = re.compile(r"(?:答复|函复|回复|复函|说明|报告|汇报)如下[:：。]?")
# "采取了以下措施：", "原因如下：", "主要措施有：" open it only when a list follows at once
_LIST_LEADIN = re.compile(
    r"(?:如下|以下)[^。:：\n]{0,14}[:：。]|(?:措施|做法|工作|情况|原因|意见)(?:主要)?有[:：]"
)
_ORG_SUFFIX = re.compile(
    r"(?:局|委|办|厅|部|院|会|政府|中心|办事处|公司|处|所|室|站|队|馆|署|行|社|团|校|学|组|司|府|庭)$"
)
# 文号: an issuer code, the year in brackets and a serial number ("镇人社函〔2026〕31号",
# "浙政办发[2020]3号", "甬经信（2021）12号", "某办【2022】第5号"), on normalised text (（）［］ → ()[]).
_DOC_NUMBER = r"[A-Za-z\u4e00-\u9fff]{1,12}[〔\[【(]\s*\d{4}\s*[〕\]】)]\s*第?\s*\d{1,5}\s*号"
_DOC_NUMBER_LINE = re.compile(rf"^{_DOC_NUMBER}$")
# A 文号 shares a title line only at its start or end: apart from the title by spaces, or glued to a
# title that ends as titles do (…的答复镇人社函〔2026〕31号) or starts as they do (…31号关于…).
# A 文号 inside the title ("关于落实国发〔2009〕36号文件的答复") is a citation and stays.
_TITLE_END = r"(?:答复函?|复函|回复|的函|意见|报告)"
_TITLE_LINE = re.compile(rf"{_TITLE_END}$")
_DOC_NUMBER_BEFORE = re.compile(rf"^({_DOC_NUMBER})(?:[ \u3000]+|(?=关于))(.+)$")
_DOC_NUMBER_AFTER = re.compile(rf"^(.+?)[ \u3000]+({_DOC_NUMBER})$|^(.+{_TITLE_END})({_DOC_NUMBER})$")
# "…现答复如下，不妥之处敬请指正：": a short courtesy clause before the colon
_LEADIN_TAIL = re.compile(r"[,，][^。!?！？:：\n]{2,20}[:：]")
# Sentences of an opening: acknowledging the proposal, saying who handles it, thanking
_ACKNOWLEDGE = re.compile(r"收悉|收到|已交|转交|转来|交由|交我|交给|办理|感谢|谢谢|关心|支持")
_PUBLICATION_NOTE = re.compile(r"^[(（](?:此件|本件)[^)）]*[)）]$")
_TAIL_DATE = re.compile(rf"\s({DATE})\s*$")
_SENTENCE_PUNCT = set("。，,；;!?！？：:、")
# Who signed or handled the letter: lines printed next to the signature and date, never body text
_SIGNER_LABEL = re.compile(
    r"^(?:(?:领导|主要领导|分管领导|单位)?(?:签发人?|署名|签字|签批)|(?:主要|分管)?负责人|承办负责人|审核人?|核稿人?"
    r"|经办人|承办人|联系人|联系电话|联系单位|联系方式|电话|办复类别|办理结果|答复类别|类别|公开属性|是否公开)$"
)


def _signer_line(line: str) -> bool:
    entry = field_entry(line)
    return entry is not None and bool(_SIGNER_LABEL.match(entry[0]))


def _joint_line(line: str) -> bool:
    """Several sending bodies on one line ("市住建局    市财政局", "县教育局、县财政局")."""
    parts = [p for p in re.split(r"[ \u3000、]+", line.strip()) if p]
    return len(parts) >= 2 and all(len(p) <= 30 and _ORG_SUFFIX.search(p) for p in parts)


def _lines(text: str) -> list[tuple[int, int]]:
    """(start, end) of each non-empty line, ends before the newline, surrounding blanks trimmed."""
    out = []
    pos = 0
    for raw in text.split("\n"):
        s, e = pos, pos + len(raw)
        while s < e and text[s] in " \t\u3000":
            s += 1
        while e > s and text[e - 1] in " \t\u3000":
            e -= 1
        if e > s:
            out.append((s, e))
        pos += len(raw) + 1
    return out


def _split_doc_number(line: str) -> tuple[str, str]:
    """(the rest of a title line, the 文号 standing at its start or end, or "")."""
    nl = normalize(line)
    if _DOC_NUMBER_LINE.match(nl):
        return "", line
    m = _DOC_NUMBER_BEFORE.match(nl)
    if m:
        return line[m.start(2) :].strip(" \t\u3000"), line[: m.end(1)]
    m = _DOC_NUMBER_AFTER.match(nl)
    if m:
        g = 1 if m.group(1) is not None else 3
        return line[: m.end(g)].strip(" \t\u3000"), line[m.start(g + 1) :]
    return line, ""


def _once(lines: list[str]) -> list[str]:
    """The title lines without the second copy of a heading a web page repeats above its text."""
    flat = ["".join(x.split()) for x in lines]
    whole = "".join(flat)
    half, odd = divmod(len(whole), 2)
    if odd or not half or whole[:half] != whole[half:]:
        return lines
    seen = 0
    for k, piece in enumerate(flat):
        seen += len(piece)
        if seen == half:
            return lines[: k + 1]
    return lines


def _title_block(head: str) -> tuple[str, str, dict[str, str]]:
    """(title, 文号, label fields) of the lines above the salutation.

    The 文号 and the label lines (类别：A, 签发人：…) come out of the title wherever they stand, so the
    title never carries them and a document printing both shows the 文号 once.
    """
    title: list[str] = []
    doc_number = ""
    fields: dict[str, str] = {}
    for raw in head.split("\n"):
        line = raw.strip(" \t\u3000")
        if not line:
            continue
        entry = field_entry(line)
        if entry:
            fields[entry[0]] = entry[1]
            if not doc_number and _DOC_NUMBER_LINE.match(normalize(entry[1])):
                doc_number = entry[1]
            continue
        rest, number = _split_doc_number(line)
        if number and not doc_number:
            doc_number, line = number, rest
        if line:
            title.append(line)
    return "\n".join(_once(title)), doc_number, fields


def _header_end(text: str, nt: str, lines: list[tuple[int, int]]) -> int:
    """Where the title block ends in a letter with no salutation: the 文号, label and title lines
    (short, no sentence punctuation, ending as a title ends) at the very top; 0 when there are none."""
    end = 0
    for s, e in lines[:8]:
        line = nt[s:e]
        entry = field_entry(text[s:e])
        titled = (
            len(line) <= 80
            and not any(ch in line for ch in "。，,；;!?！？")
            and (_TITLE_LINE.search(line) or _split_doc_number(text[s:e])[1])
            # "一、关于…的意见" is the first point, not a title
            and not any(c.pos == s for c in find_candidates(nt, s, e))
        )
        if (entry and entry[1]) or titled:
            end = e
            continue
        break
    return end


def _find_salutation(text: str, nt: str, lines: list[tuple[int, int]]) -> tuple[int, int, int] | None:
    """(start, end, body start) of the salutation; the colon is excluded from [start, end)."""
    for i, (s, e) in enumerate(lines[:15]):
        line = nt[s:e]
        if "。" in line and len(line) > 60:
            break
        nxt = nt[lines[i + 1][0] : lines[i + 1][1]] if i + 1 < len(lines) else ""
        if _SAL_COLON.match(line) and not _CLASSIC_LEADIN.search(line) and not _LIST_LEADIN.search(line):
            return s, e - 1, e
        if _SAL_BARE.match(line) and _OPENING.match(nxt):
            return s, e, e
        # an organisation addressed without a colon, named again at the start of the next paragraph
        if (
            len(line) <= 40
            and not any(ch in line for ch in _SENTENCE_PUNCT)
            and nxt.startswith(line)
            and len(nxt) > len(line)
        ):
            return s, e, e
    m = _SAL_INLINE.search(nt[: min(len(nt), 2000)])
    if m:
        return m.start(1), m.end(1), m.end()
    return None


def _find_tail(
    text: str, nt: str, lines: list[tuple[int, int]], body_start: int
) -> tuple[int, str, str, dict]:
    """Scan up from the end: trailing fields and notes, the date, the signature.

    Returns (tail start, signature, date, fields); the body ends at tail start.
    """
    fields: dict[str, str] = {}
    signature = date = ""
    # the body may start mid-line (a collapsed one-line copy): only its part of that line counts
    lines = [(max(s, body_start), e) for s, e in lines if e > body_start]
    idx = len(lines) - 1
    tail = len(text)

    def field(s: int, e: int) -> bool:
        entry = field_entry(text[s:e])
        if entry:
            fields[entry[0]] = entry[1]
        return entry is not None

    while idx >= 0 and lines[idx][0] >= body_start:
        s, e = lines[idx]
        line = nt[s:e]
        if _PUBLICATION_NOTE.match(line) or line.strip("|｜ ") == "" or (not date and field(s, e)):
            tail = s
            idx -= 1
            continue
        break
    if idx >= 0 and lines[idx][0] >= body_start:
        s, e = lines[idx]
        line = nt[s:e]
        if DATE_LINE.match(line):
            date = text[s:e].strip()
            tail = s
            idx -= 1
        else:
            m = _TAIL_DATE.search(line)
            if m and m.start() > 0:
                date = text[s + m.start(1) : s + m.end(1)]
                tail = s + m.start()
                lines[idx] = (s, strip_end(text, s, s + m.start()))
    # a signer line may stand between the signature and the date ("某局\n签发人：王五\n2021年…")
    while (
        date
        and idx >= 0
        and lines[idx][0] >= body_start
        and _signer_line(text[lines[idx][0] : lines[idx][1]])
    ):
        field(*lines[idx])
        tail = lines[idx][0]
        idx -= 1
    if idx >= 0 and lines[idx][0] >= body_start:
        s, e = lines[idx]
        line = nt[s:e]
        seg_start = s
        if (" " in line or "\u3000" in line) and not _joint_line(line):
            # collapsed copy: the signature is the last space-separated segment after a sentence end
            k = max(line.rfind(" "), line.rfind("\u3000"))
            before = line[:k].rstrip()
            last_words = re.split(r"[ \u3000]", before)[-1]
            if before and (before[-1] in "。!?！？" or REPLY_CLOSING.match(last_words)):
                seg_start = s + k + 1
        cand = nt[seg_start:e].strip()
        plausible = (
            0 < len(cand) <= 60
            and (not any(ch in cand for ch in _SENTENCE_PUNCT) or _joint_line(cand))
            and not FIELD_LINE.match(cand)
            and not REPLY_CLOSING.match(cand)
            and (date or _ORG_SUFFIX.search(cand))
        )
        if plausible and not find_candidates(nt, seg_start, e):
            signature = text[seg_start:e].strip()
            tail = seg_start
            # a joint reply signs with several bodies, one per line
            while idx > 0 and seg_start == s and lines[idx - 1][0] >= body_start:
                ps, pe = lines[idx - 1]
                prev = nt[ps:pe]
                if (
                    len(prev) > 40
                    or any(ch in prev for ch in _SENTENCE_PUNCT)
                    or not _ORG_SUFFIX.search(prev)
                ):
                    break
                signature = text[ps:pe].strip() + "\n" + signature
                tail = s = ps
                idx -= 1
            # the signer or leader line printed above the sending body ("领导署名：…", "签发人：…")
            while (
                idx > 0
                and lines[idx - 1][0] >= body_start
                and _signer_line(text[lines[idx - 1][0] : lines[idx - 1][1]])
            ):
                idx -= 1
                field(*lines[idx])
                tail = lines[idx][0]
    return tail, signature, date, fields


def _points_leadin(nt: str, start: int, end: int) -> int | None:
    """Where the answer begins after the phrase that introduces it, if the letter has one.

    A list lead-in counts only before the first numbered line and when a first item follows it
    directly: "具体措施如下：" inside point 一 must not swallow that point, and an issues list
    restated in the opening ("共提出3大问题：一是…") stays in the preamble.
    """
    classic = _CLASSIC_LEADIN.search(nt, start, end)
    if classic:
        return _leadin_tail(nt, classic.end(), end)
    cands = find_candidates(nt, start, end)
    first_line = next((c.pos for c in cands if c.line_start and c.value == 1), end)
    for m in _LIST_LEADIN.finditer(nt, start, first_line + 1):
        nxt = next((c for c in cands if c.pos >= m.end()), None)
        if nxt and nxt.value == 1 and nt.count("\n", m.end(), nxt.pos) <= 1:
            return m.end()
    return None


def _leadin_tail(nt: str, pos: int, end: int) -> int:
    """A courtesy tail after "答复如下" belongs to the lead-in: "…现答复如下，不妥之处敬请指正："."""
    if pos and nt[pos - 1] in ":：。":
        return pos
    m = _LEADIN_TAIL.match(nt, pos, end)
    return m.end() if m else pos


def _opening_end(text: str, start: int, end: int) -> int:
    """End of the opening of a letter that answers without a lead-in: the acknowledgement and
    thanks sentences of its first paragraph ("…收悉。首先，感谢…。"), before the first answer."""
    _, le = line_bounds(text, start)
    le = min(le, end)
    pos = start
    for s in [*sentence_starts(text, start, le), le]:
        if s > pos and not _ACKNOWLEDGE.search(text, pos, s):
            return pos
        pos = s
    return le


def parse_reply(text: str) -> ParsedReply:
    work = unfold(text)
    out = _parse(work)
    if work != text:
        restore_units(text, work, out.points)
        restore_fields(
            text, work, out, ("title", "salutation", "preamble", "closing", "signature", "date", "doc_number")
        )
    return out


def _parse(text: str) -> ParsedReply:
    nt = normalize(text)
    lines = _lines(text)
    out = ParsedReply()
    sal = _find_salutation(text, nt, lines)
    if sal:
        s, e, body_start = sal
        out.salutation = text[s:e].strip()
        head = text[:s]
    else:
        body_start = _header_end(text, nt, lines)
        head = text[:body_start]
    out.title, out.doc_number, out.fields = _title_block(head)
    while body_start < len(text) and text[body_start] in " \t\u3000\n":
        body_start += 1

    tail, out.signature, out.date, tail_fields = _find_tail(text, nt, lines, body_start)
    out.fields.update(tail_fields)
    body_end = strip_end(text, body_start, tail)

    lead = _points_leadin(nt, body_start, body_end)
    region = lead if lead is not None else body_start
    cands = find_candidates(nt, region, body_end)
    runs = choose_top_runs([r for r in build_runs(cands) if not is_findings_run(nt, r)])
    if runs:
        out.points = build_units(text, nt, runs, body_end, reply=True)
        first = runs[0].items[0].pos
        out.preamble = text[body_start:first].strip()
        out.closing = text[out.points[-1].end : body_end].strip()
        return out

    # no numbered points: the opening (up to its lead-in, or its acknowledgement), one unnumbered
    # body, then the closing
    bs = lead if lead is not None else _opening_end(text, body_start, body_end)
    out.preamble = text[body_start:bs].strip()
    cstart = paragraph_closing(text, bs, body_end)
    while bs < cstart and text[bs] in " \t\u3000\n":
        bs += 1
    be = strip_end(text, bs, cstart)
    if be > bs:
        out.points = [
            Unit(n=None, marker=None, title=title_of(text, bs, be), text=text[bs:be], start=bs, end=be)
        ]
    out.closing = text[cstart:body_end].strip()
    return out
