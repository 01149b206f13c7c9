"""The dataclasses the parsers return: numbered units, a split proposal, a parsed reply, links."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal


@dataclass
class Unit:
    """One numbered unit of a document: a suggestion, a reply point or a sub-point.

    ``text`` starts right after the marker (leading spaces skipped) and ends where the unit ends;
    ``start``/``end`` are character offsets of ``text`` in the original input, so
    ``original[start:end] == text``. ``marker`` is exactly as written ("3．", "（一）", "一是"),
    or None for an unnumbered unit.
    """

    n: int | None
    marker: str | None
    title: str
    text: str
    start: int
    end: int
    sub_points: list[Unit] = field(default_factory=list)

    @property
    def numbered(self) -> bool:
        return self.marker is not None

    @property
    def heading(self) -> str:
        """Reply points call their title a heading."""
        return self.title


@dataclass
class SplitProposal:
    suggestions: list[Unit]
    leadin: str | None = None  # "为此建议：" as written, when found
    background: str = ""  # text before the lead-in (or before the first suggestion)
    closing: str = ""  # remarks after the last suggestion that are not part of it


@dataclass
class ParsedReply:
    title: str = ""  # title lines before the salutation, joined by "\n"; never the 文号 or label lines
    salutation: str = ""  # "戴培红委员" (without the colon)
    preamble: str = ""  # from after the salutation to the first point
    points: list[Unit] = field(default_factory=list)
    closing: str = ""  # paragraphs after the last point, before the signature
    signature: str = ""  # the sending body, e.g. "镇海区经信局"
    date: str = ""  # "2017年6月28日" as written
    doc_number: str = ""  # 文号 such as "大住建复字〔2019〕9号"
    fields: dict[str, str] = field(default_factory=dict)  # label lines such as 办复类别: B类


LinkMethod = Literal["title", "similarity", "number", "manual"]


@dataclass(frozen=True)
class Link:
    point: int  # reply point number (Unit.n)
    suggestion: int  # suggestion number (Unit.n)
    method: LinkMethod
    confidence: float  # 0..1
