"""Rules for bringing an office's archive in (issue 13): what a text is, which session and 案号 it
names (in its text or its file name), the title a reply quotes, how alike two titles are, and what
a manifest's columns mean. Pure functions: no Flask, SQLModel or Whoosh.

Every rule reads the shapes documents of a family share (a reply's title line, its salutation, 收悉,
a proposal's 案由 and lead-in, a policy's 文号 and 第一条), never one document's wording.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from functools import lru_cache

from tracker.domain.messages import N_, Problem
from tracker.domain.people import NO, YES, header_key


class DocKind(StrEnum):
    PROPOSAL = "proposal"
    REPLY = "reply"
    BOTH = "both"  # a proposal followed by its reply in one file
    POLICY = "policy"  # a policy document for the reference library
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class Classification:
    kind: DocKind
    confidence: float  # 0..1: how clearly the signals point one way
    why: tuple[str, ...]  # the signals that decided, for the summary and the review queue
    split_at: int | None = None  # BOTH: where the reply starts in the text


_CN = "〇零一二三四五六七八九十百"
_CN_DIGIT = {
    "〇": 0,
    "零": 0,
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


def cn_number(s: str) -> int | None:
    """12, "十二", "一百零三", "二〇" → int; None when it is not a number."""
    s = unicodedata.normalize("NFKC", s).strip()
    if s.isdigit():
        return int(s)
    if not s or any(ch not in _CN for ch in s):
        return None
    if "百" in s or "十" in s:
        total, current = 0, 0
        for ch in s:
            if ch == "百":
                total += (current or 1) * 100
                current = 0
            elif ch == "十":
                total += (current or 1) * 10
                current = 0
            else:
                current = _CN_DIGIT[ch]
        return total + current
    value = 0
    for ch in s:
        value = value * 10 + _CN_DIGIT[ch]
    return value


# -- classification ------------------------------------------------------------------------------

_NUM = r"[0-9０-９〇零一二三四五六七八九十百]{1,4}"
_LINE_END = r"[ \t\u3000]*$"
# "关于…提案的答复", "对区政协十届三次会议第2号提案的答复", "…的答复函", "答复意见"
_REPLY_TITLE = re.compile(
    r"^[^\n。；]{0,80}(?:提案|建议|议案)[^\n。；]{0,12}(?:的)?(?:答复|回复|复函)(?:函|意见|的函)?[ \t\u3000]*$"
)
_REPLY_TITLE_LOOSE = re.compile(r"^[^\n。]{0,60}(?:答复函|的答复|的回复|答复意见)[ \t\u3000]*$")
_SALUTATION = re.compile(
    r"^[\u4e00-\u9fff·]{1,8}(?:[ \t\u3000]+[\u4e00-\u9fff]{1,4})?[ \t\u3000]*(?:委员|代表|同志|主委|先生|女士)(?:们)?[:：，,]?"
    + _LINE_END
)
_ACK = re.compile(r"(?:收悉|已收到|现(?:将[^。\n]{0,20})?答复如下|现就[^。\n]{0,30}答复如下|答复如下)")
_REPLY_FIELDS = re.compile(r"^(?:办复类别|答复类别|答复类型|签发人|承办单位|联系人)\s*[:：]", re.M)
_SIGN_DATE = re.compile(
    r"^\s*(?:\d{4}|[〇零一二三四五六七八九]{4})\s*年\s*" + _NUM + r"\s*月\s*" + _NUM + r"\s*日\s*$", re.M
)

_PROPOSAL_TITLE = re.compile(r"^(?:关于)?[^\n。；]{2,80}的(?:提案|建议|议案)[ \t\u3000]*$")
_PROPOSAL_LABELS = re.compile(
    r"^\s*(?:提\s*案\s*人|领衔人|提\s*案\s*者|案\s*由|提案内容|建议办法|提案内容、建议办法|标\s*题|联\s*名\s*人|附议人|建\s*议|案\s*号|提案类别)\s*[:：]",
    re.M,
)
_LEADIN = re.compile(
    r"(?:特?(?:提出|提)?(?:以下|如下)建议|为此[，,]?(?:特?提出以下|提出如下)?建议[:：]|建议如下|对策建议|具体建议)"
)

# a 文号 opening a line (京政发〔2011〕64号, 浙政办发[2020]3号附件：)
_POLICY_NUMBER = re.compile(
    r"^[\u4e00-\u9fff]{1,12}[〔\[【(（]\s*\d{4}\s*[〕\]】)）]\s*第?\s*\d{1,5}\s*号", re.M
)
_POLICY_TITLE = re.compile(
    r"^[^\n。]{2,80}(?:意见|办法|规定|通知|规划|条例|实施方案|实施细则|决定|纲要|指导意见|计划)[\)）]?[ \t\u3000]*$",
    re.M,
)
_ARTICLES = re.compile(r"^\s*第[一二三四五六七八九十百]{1,4}[条章]", re.M)
_ADDRESSEES = re.compile(r"^[^\n]{0,40}(?:人民政府|各部门|各单位|直属各单位|各有关单位)[、，,:：]", re.M)


def _head(text: str, lines: int = 8) -> list[str]:
    return [ln.strip(" \t\u3000") for ln in text.split("\n") if ln.strip(" \t\u3000")][:lines]


def _reply_signals(text: str) -> list[str]:
    head = _head(text)
    why = []
    if any(_REPLY_TITLE.match(ln) or _REPLY_TITLE_LOOSE.match(ln) for ln in head[:4]):
        why.append("reply title")
    if any(_SALUTATION.match(ln) for ln in head):
        why.append("salutation")
    if _ACK.search(text[:800]):
        why.append("acknowledgement")
    if _REPLY_FIELDS.search(text):
        why.append("reply fields")
    if _SIGN_DATE.search(text[-300:]):
        why.append("signature date")
    return why


def _proposal_signals(text: str) -> list[str]:
    head = _head(text)
    why = []
    if any(_PROPOSAL_TITLE.match(ln) and not _REPLY_TITLE_LOOSE.match(ln) for ln in head[:3]):
        why.append("proposal title")
    if len(_PROPOSAL_LABELS.findall(text[:1500])) >= 1:
        why.append("proposal labels")
    if _LEADIN.search(text):
        why.append("lead-in")
    return why


def _policy_signals(text: str) -> list[str]:
    head = "\n".join(_head(text, 10))
    why = []
    if _POLICY_NUMBER.search(head):
        why.append("document number")
    if _POLICY_TITLE.search("\n".join(_head(text, 4))):
        why.append("policy title")
    if len(_ARTICLES.findall(text)) >= 3:
        why.append("articles")
    if _ADDRESSEES.search(head):
        why.append("addressees")
    return why


def policy_title(text: str) -> str | None:
    """A policy document's title: the first line in its head that is neither its 文号 nor an
    addressee line nor a date."""
    for line in _head(text, 6):
        if _POLICY_NUMBER.match(line) or _ADDRESSEES.match(line) or _SIGN_DATE.match(line):
            continue
        if len(line) <= 80 and not line.endswith(("。", "；", "：", ":")):
            return line
    return None


def _reply_start(text: str) -> int | None:
    """Where a reply letter starts after a proposal in the same file: a reply title line (or a
    salutation followed by an acknowledgement) past the proposal's opening."""
    pos = 0
    lines = []
    for raw in text.split("\n"):
        lines.append((pos, raw.strip(" \t\u3000")))
        pos += len(raw) + 1
    for i, (start, line) in enumerate(lines):
        if start < 40 or not line:
            continue
        if _REPLY_TITLE.match(line) or _REPLY_TITLE_LOOSE.match(line):
            return start
        if _SALUTATION.match(line) and _ACK.search(text[start : start + 300]):
            # a title line just above the salutation belongs to the reply
            prev = lines[i - 1] if i else None
            if prev and prev[1] and len(prev[1]) <= 60 and not prev[1].endswith(("。", "；", "！")):
                return prev[0]
            return start
    return None


def classify(text: str) -> Classification:
    """What a document is, how sure, and why. Replies and proposals are told by their frames;
    a proposal followed by a reply in one file is BOTH, with the reply's start."""
    reply = _reply_signals(text)
    proposal = _proposal_signals(text)
    policy = _policy_signals(text)
    start = _reply_start(text)
    if start is not None and proposal and _proposal_signals(text[:start]):
        rest = _reply_signals(text[start:])
        if len(rest) >= 2:
            return Classification(
                DocKind.BOTH,
                min(1.0, 0.5 + 0.1 * (len(rest) + len(proposal))),
                tuple(f"proposal: {w}" for w in proposal) + tuple(f"reply: {w}" for w in rest),
                start,
            )
    scores = {
        DocKind.REPLY: len(reply) + (1 if "reply title" in reply else 0),
        DocKind.PROPOSAL: len(proposal) + (1 if "proposal title" in proposal else 0),
        DocKind.POLICY: len(policy) + (1 if "articles" in policy else 0),
    }
    kind, best = max(scores.items(), key=lambda kv: kv[1])
    runner_up = sorted(scores.values())[-2]
    why = {DocKind.REPLY: reply, DocKind.PROPOSAL: proposal, DocKind.POLICY: policy}[kind]
    if best == 0 or best == runner_up:
        signals = [
            f"{k.value}: {w}"
            for k, ws in ((DocKind.REPLY, reply), (DocKind.PROPOSAL, proposal), (DocKind.POLICY, policy))
            for w in ws
        ]
        return Classification(DocKind.UNKNOWN, 0.0, tuple(signals) or ("no signal",))
    confidence = min(1.0, 0.4 + 0.15 * best) * (1.0 - 0.15 * runner_up / best)
    return Classification(kind, round(confidence, 3), tuple(why))


# -- session and 案号 ------------------------------------------------------------------------------


@dataclass(frozen=True)
class CaseRef:
    """A session and 案号 a document names, and where it was read."""

    number: int | None
    session: str = ""  # the session phrase as written ("区政协十届三次会议"), "" when none
    year: int | None = None
    how: str = "text"  # text | file name | manifest
    confidence: float = 1.0


_SESSION = re.compile(
    r"(?P<body>[\u4e00-\u9fff]{0,12}?(?:政协|人大)?[\u4e00-\u9fff]{0,8}?)?第?(?P<term>" + _NUM + r")\s*届"
    r"(?:委员会|人大|人民代表大会)?\s*第?(?P<sitting>" + _NUM + r")\s*次(?:会议|全体会议)?"
)


def session_key(text: str) -> tuple[int, int] | None:
    """(届, 次) of a session phrase: "十届三次", "第十届第三次会议", "政协…第10届委员会第3次会议"."""
    m = _SESSION.search(unicodedata.normalize("NFKC", text or ""))
    if not m:
        return None
    term, sitting = cn_number(m.group("term")), cn_number(m.group("sitting"))
    if term is None or sitting is None:
        return None
    return term, sitting


_CASE_IN_TITLE = re.compile(
    r"(?:关于|对)?(?P<session>[^\n。；，“”《》]{0,40}?)第\s*(?P<prefix>[A-Za-z]?)\s*(?P<n>"
    + _NUM
    + r")\s*号(?:提案|建议|议案)"
)
_CASE_LABEL = re.compile(
    r"(?:案\s*号|提案号|提案编号|编\s*号)\s*[:：]?\s*第?\s*[A-Za-z]?\s*(?P<n>\d{1,4}|[一二三四五六七八九十百]{1,4})\s*号?"
)
_YEAR = re.compile(r"((?:19|20)\d{2})\s*年")


def case_in_text(text: str) -> CaseRef | None:
    """The session and 案号 a letter names: a reply's title (关于政协…第12号提案的答复), or a
    label line (案号：第12号, 提案号 12) in the first lines."""
    head = "\n".join(_head(text, 12))
    m = _CASE_IN_TITLE.search(head)
    if m:
        n = cn_number(m.group("n"))
        phrase = m.group("session").strip()
        phrase = re.sub(r"^(?:关于|对)", "", phrase)
        year = _YEAR.search(phrase)
        return CaseRef(
            n, phrase if session_key(phrase) else "", int(year.group(1)) if year else None, "text", 0.95
        )
    m = _CASE_LABEL.search(head)
    if m:
        key = _SESSION.search(head)
        return CaseRef(cn_number(m.group("n")), key.group(0) if key else "", None, "text", 0.9)
    return None


_FILE_CASE = (
    # 第12号, 第 12 号
    re.compile(r"第\s*(?P<n>\d{1,4}|[一二三四五六七八九十百]{1,4})\s*号"),
    # 2024-012, 2024_12: a year then the 案号
    re.compile(r"(?<!\d)(?P<year>(?:19|20)\d{2})[-_.](?P<n>\d{1,4})(?!\d)"),
    # 12号提案答复, 012号
    re.compile(r"(?<!\d)(?P<n>\d{1,4})\s*号"),
    # 提案12, 提案-012, 答复_12
    re.compile(r"(?:提案|答复|回复|建议)[-_ ]?(?P<n>\d{1,4})(?!\d)"),
    # 012-答复.docx, 12 提案.txt: a number leading the name
    re.compile(r"^(?P<n>\d{1,4})(?=[-_ .\u4e00-\u9fff])"),
)


def case_in_name(name: str) -> CaseRef | None:
    """The 案号 (and year, and session phrase) a file name carries."""
    base = unicodedata.normalize("NFKC", name.replace("\\", "/").rsplit("/", 1)[-1])
    stem = base.rsplit(".", 1)[0] if "." in base else base
    key = _SESSION.search(stem)
    rest = stem.replace(key.group(0), " ") if key else stem
    for pattern in _FILE_CASE:
        m = pattern.search(rest)
        if m:
            year = m.groupdict().get("year")
            return CaseRef(
                cn_number(m.group("n")),
                key.group(0) if key else "",
                int(year) if year else None,
                "file name",
                0.85,
            )
    return None


# -- titles --------------------------------------------------------------------------------------

_QUOTED = (
    # 您提出的《关于…的建议》收悉 / 您领衔提出的“关于…”提案收悉
    re.compile(
        r"(?:提出|所提|领衔提出|联名提出)的?[《“\"](?P<t>[^》”\"\n]{2,80})[》”\"](?:的?(?:提案|建议|议案))?"
    ),
    # 关于“…”提案的答复
    re.compile(r"关于[《“\"](?P<t>[^》”\"\n]{2,80})[》”\"]的?(?:提案|建议|议案)"),
    # 关于《关于…的提案》的答复
    re.compile(r"(?:关于|对)[《“\"](?P<t>[^》”\"\n]{2,80})[》”\"]的?(?:答复|回复)"),
    # 您提出的关于…的提案收悉 (no quotation marks)
    re.compile(r"(?:提出|所提)的(?P<t>关于[^。\n，,]{2,80}?的(?:提案|建议|议案))(?:收悉|已收悉|已收到)"),
    # 对…提案的答复 / 关于…的提案的答复 (a title naming the proposal by its title)
    re.compile(r"^(?:关于)?(?:对)?(?P<t>关于[^\n。]{2,80}?的(?:提案|建议|议案))的(?:答复|回复)", re.M),
)


def quoted_title(text: str) -> str | None:
    """The proposal title a reply quotes, as written (without the quotation marks)."""
    head = text[:1200]
    for pattern in _QUOTED:
        m = pattern.search(head)
        if m:
            title = m.group("t").strip()
            if not re.search(r"第\s*\S{1,4}\s*号", title):  # a 案号, not a title
                return title
    return None


def proposal_title(text: str) -> str | None:
    """A proposal's own title: a 标题/题目 label, else a first line that reads as a title."""
    m = re.search(r"^\s*(?:标\s*题|题\s*目|案\s*题)\s*[:：]\s*(?P<t>[^\n]{2,120})$", text[:1500], re.M)
    if m:
        return m.group("t").strip(" \t\u3000")
    for line in _head(text, 3):
        if _PROPOSAL_TITLE.match(line) or (
            line.startswith("关于") and len(line) <= 80 and not line.endswith(("。", "；", "：", ":"))
        ):
            return line
    return None


@lru_cache(maxsize=65536)  # an import compares each reply's title with every proposal's
def title_core(title: str) -> str:
    """What two titles of one proposal share: no 关于, no 的提案/的建议, no punctuation or spaces."""
    t = unicodedata.normalize("NFKC", title or "")
    t = re.sub(r"[\s《》“”\"'‘’「」『』，,。、：:；;（）()]", "", t)
    for _ in range(2):
        t = re.sub(r"^关于|的(?:提案|建议|议案)$|(?:提案|建议|议案)$|的答复$", "", t)
    return t


@lru_cache(maxsize=65536)
def _bigrams(s: str) -> frozenset[str]:
    return frozenset(s[i : i + 2] for i in range(len(s) - 1)) if len(s) > 1 else frozenset({s})


def title_similarity(a: str, b: str) -> float:
    """Dice coefficient of the two titles' character bigrams, on their cores (0..1)."""
    ca, cb = title_core(a), title_core(b)
    if not ca or not cb:
        return 0.0
    if ca == cb:
        return 1.0
    x, y = _bigrams(ca), _bigrams(cb)
    return round(2 * len(x & y) / (len(x) + len(y)), 4)


@dataclass(frozen=True)
class Candidate:
    key: int  # the caller's id of the proposal
    score: float


def pairing_candidates(
    title: str, proposals: Sequence[tuple[int, str]], *, floor: float = 0.5, limit: int = 3
) -> list[Candidate]:
    """Proposals whose titles resemble ``title``, best first, at or above ``floor``."""
    scored = [Candidate(key, title_similarity(title, other)) for key, other in proposals]
    scored = [c for c in scored if c.score >= floor]
    scored.sort(key=lambda c: (-c.score, c.key))
    return scored[:limit]


def clear_winner(candidates: Sequence[Candidate], *, margin: float = 0.1) -> Candidate | None:
    """The best candidate when it stands clear of the next one; None when two are close."""
    if not candidates:
        return None
    if len(candidates) > 1 and candidates[0].score - candidates[1].score < margin:
        return None
    return candidates[0]


# -- the proposal's header block -----------------------------------------------------------------

_HEADER_LABEL = re.compile(
    r"^\s*(?P<label>标\s*题|题\s*目|提\s*案\s*人|领\s*衔\s*人|联\s*名\s*人|附\s*议\s*人|案\s*号|提案号|届\s*次|会\s*议|类\s*别|提案类别|界\s*别|提交日期|日\s*期)\s*[:：]\s*(?P<value>[^\n]*)$"
)


@dataclass(frozen=True)
class ProposalHead:
    title: str | None
    fields: dict[str, str]  # label (spaces removed) → value, e.g. 提案人 → 张三
    body_start: int  # where the text after the title and label lines starts


def proposal_head(text: str) -> ProposalHead:
    """The title line and the label lines (提案人：…, 案号：…) before a proposal's text; the body
    starts after them, so the splitter sees the 案由 and suggestions only."""
    title = proposal_title(text)
    fields: dict[str, str] = {}
    pos = 0
    body_start = 0
    for raw in text.split("\n"):
        line = raw.strip(" \t\u3000")
        end = pos + len(raw) + 1
        if not line:
            pos = end
            continue
        m = _HEADER_LABEL.match(line)
        if m:
            fields[re.sub(r"\s", "", m.group("label"))] = m.group("value").strip(" \t\u3000")
            body_start = end
        elif title and line == title and not fields:
            body_start = end
        else:
            break
        pos = end
    if "标题" in fields or "题目" in fields:
        title = fields.get("标题") or fields.get("题目")
    return ProposalHead(title, fields, min(body_start, len(text)))


# -- the manifest --------------------------------------------------------------------------------

MANIFEST_HEADERS: dict[str, tuple[str, ...]] = {
    "file": ("文件", "文件名", "文件名称", "文件路径", "file", "filename", "path"),
    "kind": ("文件类型", "文档类型", "kind", "type"),
    "session": ("届次", "会议", "届次会议", "session", "meeting"),
    "number": ("案号", "提案号", "编号", "number", "no", "caseno"),
    "title": ("标题", "题目", "案题", "title"),
    "proposer": ("提案人", "领衔人", "第一提案人", "proposer"),
    "cosigners": ("联名", "联名人", "附议人", "联名提案人", "cosigners", "cosigner", "signers"),
    "lead_agency": ("主办单位", "承办单位", "答复单位", "leadagency", "agency", "lead"),
    "co_agencies": ("协办单位", "会办单位", "coagencies", "coagency"),
    "submitted_on": ("提交日期", "提交时间", "submitted", "submittedon"),
    "accepted_on": ("立案日期", "立案时间", "accepted", "acceptedon"),
    "replied_on": ("答复日期", "答复时间", "办复日期", "replied", "repliedon"),
    "outcome": ("办复类别", "答复类别", "outcome"),
    "category": ("类别", "提案类别", "分类", "category"),
    "public": ("公开", "是否公开", "public", "published"),
}
_MANIFEST_ALIASES = {header_key(a): name for name, aliases in MANIFEST_HEADERS.items() for a in aliases}
_NAME_SPLIT = re.compile(r"[、，,；;/|\s]+")
_ISO_DATE = re.compile(r"^\s*(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?")


@dataclass
class ManifestRow:
    row: int  # the spreadsheet's row number (the header is row 1)
    file: str
    kind: str | None = None
    session: str = ""
    number: int | None = None
    title: str = ""
    proposer: str = ""
    cosigners: list[str] = field(default_factory=list)
    lead_agency: str = ""
    co_agencies: list[str] = field(default_factory=list)
    submitted_on: date | None = None
    accepted_on: date | None = None
    replied_on: date | None = None
    outcome: str | None = None
    category: str = ""
    public: bool = False
    problems: list[Problem] = field(default_factory=list)


def map_manifest_headers(headers: Sequence[str]) -> dict[int, str]:
    """Column index → field. Unknown columns are ignored; a manifest needs a file column."""
    mapping: dict[int, str] = {}
    for index, header in enumerate(headers):
        name = _MANIFEST_ALIASES.get(header_key(header))
        if name is not None and name not in mapping.values():
            mapping[index] = name
    if "file" not in mapping.values():
        raise ValueError("the manifest has no 文件 (file) column")
    return mapping


def parse_date(value: str) -> date | None:
    m = _ISO_DATE.match(unicodedata.normalize("NFKC", value or ""))
    if not m:
        return None
    try:
        return date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    except ValueError:
        return None


def parse_number(value: str) -> int | None:
    """案号 as a spreadsheet holds it: 12, 012, 第12号, Z12, 2024-012 (the last group)."""
    v = unicodedata.normalize("NFKC", value or "").strip()
    m = re.fullmatch(
        r"(?:第)?\s*[A-Za-z]?\s*(\d{1,4}|[一二三四五六七八九十百]{1,4})\s*号?", v
    ) or re.fullmatch(r"(?:19|20)\d{2}[-_](\d{1,4})", v)
    return cn_number(m.group(1)) if m else None


def manifest_rows(table: Sequence[Sequence[str]]) -> list[ManifestRow]:
    """The manifest's rows below its header; a cell that cannot be read is a problem on its row,
    and the rest of the row still counts."""
    if not table:
        return []
    mapping = map_manifest_headers(table[0])
    rows: list[ManifestRow] = []
    for number, cells in enumerate(table[1:], start=2):
        values = {
            name: (cells[i].strip() if i < len(cells) and cells[i] else "") for i, name in mapping.items()
        }
        if not any(values.values()):
            continue
        row = ManifestRow(row=number, file=values.get("file", "").replace("\\", "/"))
        if not row.file:
            row.problems.append(Problem("file", N_("Row %(row)d names no file."), {"row": number}))
        kind = header_key(values.get("kind", ""))
        kinds = {
            "提案": "proposal",
            "答复": "reply",
            "答复函": "reply",
            "政策": "policy",
            "政策文件": "policy",
        }
        row.kind = kinds.get(kind) or (kind if kind in {k.value for k in DocKind} - {"unknown"} else None)
        row.session = values.get("session", "")
        if values.get("number"):
            row.number = parse_number(values["number"])
            if row.number is None:
                row.problems.append(
                    Problem("number", N_("“%(value)s” is not a 案号."), {"value": values["number"]})
                )
        row.title = values.get("title", "")
        row.proposer = values.get("proposer", "")
        row.cosigners = [n for n in _NAME_SPLIT.split(values.get("cosigners", "")) if n]
        row.lead_agency = values.get("lead_agency", "")
        row.co_agencies = [n for n in re.split(r"[、，,；;/|]+", values.get("co_agencies", "")) if n.strip()]
        for key in ("submitted_on", "accepted_on", "replied_on"):
            if values.get(key):
                day = parse_date(values[key])
                if day is None:
                    row.problems.append(
                        Problem(key, N_("“%(value)s” is not a date."), {"value": values[key]})
                    )
                setattr(row, key, day)
        outcome = unicodedata.normalize("NFKC", values.get("outcome", "")).strip().upper()[:1]
        row.outcome = outcome if outcome in ("A", "B", "C") else None
        row.category = values.get("category", "")
        public = header_key(values.get("public", ""))
        row.public = public in YES or public in {"公开", "主动公开"}
        if public and public not in YES | NO | {"公开", "主动公开", "不公开", "不予公开"}:
            row.problems.append(
                Problem("public", N_("“%(value)s” is not 是 or 否 (yes or no)."), {"value": values["public"]})
            )
        rows.append(row)
    return rows


def manifest_lookup(rows: Sequence[ManifestRow]) -> Mapping[str, ManifestRow]:
    """Rows by the path they name and by its bare file name (a manifest often lists names only)."""
    out: dict[str, ManifestRow] = {}
    for row in rows:
        if not row.file:
            continue
        out.setdefault(row.file.lstrip("./"), row)
        out.setdefault("name:" + row.file.rsplit("/", 1)[-1], row)
    return out


def manifest_row_for(lookup: Mapping[str, ManifestRow], source_name: str) -> ManifestRow | None:
    path = source_name.replace("\\", "/").lstrip("./")
    for candidate in (path, path.split("/", 1)[-1] if "/" in path else path):
        if candidate in lookup:
            return lookup[candidate]
    return lookup.get("name:" + path.rsplit("/", 1)[-1])
