"""One name per concept, one way to write a date and a 案号 (issue 11, item 18).

Pages translate English message ids through the zh_CN catalog; the Word files and CSVs are written
by services that cannot import Flask, so they take their Chinese labels from here. Each concept below
holds both: the message id the pages use and the label every Chinese output shows.
``tests/domain/test_glossary.py`` checks that the catalog translates each message id to exactly this
label, so the pages, the Word form and the CSVs cannot drift apart again.

Choices, following the documents offices actually write (the 提案 form, reply letters):
- 标题 is the proposal's title ("关于…的建议") and 案由 the situation and problems that lead to its
  suggestions, on the form, the proposal page and the Word form alike. (Some printed 提案 forms call
  the subject line 案由; the meaning already used by the form, its messages and every test was kept,
  so the change is one of words, not of what members type where.)
- Two kinds of co-signature, because the model has two roles (``SignerRole``): a 联合提案人 proposes
  together with the proposer (a merged proposal's proposer joins this way); a 联名人 is a member the
  proposer invited to sign on. 附议人 and 联名提案人 are not used.
- 协办单位 is an agency that handles a proposal with the 主办单位; 会办意见 is the opinion document it
  writes (a different concept, kept). 会办单位 is not used.
- Dates for people: 2026年12月2日, and 2026年12月2日 12:39 where the time matters, in the office's time
  zone. Form fields (<input type=date>) and CSV/JSON for machines keep ISO 8601 (2027-01-15): that is
  what browsers and spreadsheets parse; none of the statistics CSVs holds a date at present.
- 案号 always 第N号, with the session's prefix when it has one (第Z12号).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from .messages import N_


@dataclass(frozen=True)
class Term:
    msgid: str  # the English message id pages translate
    zh: str  # the label every Chinese page, Word file and CSV shows


# Concept → term. The keys are what the Word form and the CSVs ask for.
GLOSSARY: dict[str, Term] = {
    "number": Term(N_("Number"), "案号"),
    "session": Term(N_("Session"), "届次"),
    "title": Term(N_("Title"), "标题"),
    "background": Term(N_("Background"), "案由"),
    "suggestions": Term(N_("Suggestions"), "建议"),
    "proposer": Term(N_("Proposer"), "提案人"),
    "joint": Term(N_("Joint proposers"), "联合提案人"),
    "cosigners": Term(N_("Co-signers"), "联名人"),
    "category": Term(N_("Category"), "类别"),
    "submitted": Term(N_("Submitted on"), "提交日期"),
    "accepted": Term(N_("Accepted on"), "立案日期"),
    "lead": Term(N_("Lead agency"), "主办单位"),
    "co": Term(N_("Co-handling agencies"), "协办单位"),
    "co_opinion": Term(N_("Co-handling opinion"), "会办意见"),
    "deadline": Term(N_("Deadline"), "办理期限"),
    "agency": Term(N_("Agency"), "承办单位"),
    "address": Term(N_("Address"), "通讯地址"),
    "phone": Term(N_("Phone"), "联系电话"),
}

# Other names once used for these concepts: no page, Word file or CSV may show them.
FORBIDDEN_SYNONYMS: dict[str, str] = {
    "附议人": "cosigners",
    "联名提案人": "joint",
    "联名委员": "cosigners",
    "会办单位": "co",
}


def zh(concept: str) -> str:
    """The Chinese label of a concept (Word files, CSVs)."""
    return GLOSSARY[concept].zh


def people_date(day: date | datetime) -> str:
    """A date as people read it: 2026年12月2日 (no leading zeros, as documents write it)."""
    return f"{day.year}年{day.month}月{day.day}日"


def people_datetime(moment: datetime) -> str:
    """2026年12月2日 12:39: the date as above and the time on the 24-hour clock. ``moment`` is
    already in the reader's time zone (the web filter converts it)."""
    return f"{people_date(moment)} {moment.hour:02d}:{moment.minute:02d}"


def case_number(number: int, prefix: str | None = None) -> str:
    """第12号, or with the session's prefix 第Z12号 (tracker.domain.sessions re-exports this)."""
    return f"第{prefix or ''}{number}号"
