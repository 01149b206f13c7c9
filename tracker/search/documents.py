"""What is searchable: one plain document per unit (no engine here, no database either: the units
are built from rows above the engines, by the services' search_documents).

A *group* is what a result page lists: a proposal (``p12``) with its own text, its numbered
suggestions, the points of its replies and the reply letters' preamble and closing; or a reference
document (``d3``) with its numbered clauses. Every unit carries the facts of its group (案号,
session, category, state, agencies, outcomes and the visibility facts), so one query can filter
and count by them.

Only top-level suggestions and reply points are units: a sub-point's text is part of its parent's
text and has no anchor of its own on the pages.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, fields, replace
from datetime import date, datetime
from enum import StrEnum
from itertools import groupby


class UnitType(StrEnum):
    PROPOSAL = "proposal"  # title, background, closing remarks, proposers
    SUGGESTION = "suggestion"
    REPLY_POINT = "reply_point"
    REPLY = "reply"  # a reply letter's preamble and closing
    DOCUMENT = "document"  # a reference document's title and text outside its clauses
    CLAUSE = "clause"


def proposal_group(proposal_id: int) -> str:
    return f"p{proposal_id}"


def document_group(document_id: int) -> str:
    return f"d{document_id}"


def parse_group(group: str) -> tuple[str, int] | None:
    """("p", 12) for "p12"; None for anything else."""
    kind, digits = group[:1], group[1:]
    if kind in ("p", "d") and digits.isdigit():
        return kind, int(digits)
    return None


@dataclass(frozen=True)
class GroupFacts:
    """What every unit of a group carries: for display, facets and the visibility filter."""

    group: str
    title: str
    published: bool  # public when loaded
    proposal_id: int | None = None
    number: int | None = None  # 案号
    meeting_id: int | None = None
    meeting_body: str | None = None
    meeting_name: str | None = None
    year: int | None = None
    category: str | None = None
    status: str | None = None
    agencies: tuple[str, ...] = ()  # names of the agencies that replied
    outcomes: tuple[str, ...] = ()  # A/B/C of its replies
    member_ids: tuple[int, ...] = ()  # proposer and co-signers (visibility)
    agency_ids: tuple[int, ...] = ()  # agencies it is assigned to (visibility)
    date: date | None = None
    proposer: str = ""  # proposer and co-signer names
    document_id: int | None = None
    slug: str | None = None
    language: str = "zh"
    doc_kind: str = ""
    # a scheduled publication, not yet come when loaded: the query compares it with now
    publish_at: datetime | None = None


@dataclass(frozen=True)
class SearchDocument:
    """One searchable unit."""

    key: str  # unique in the index: "p12", "s40", "rp7", "r3", "d2", "c118"
    type: UnitType
    title: str
    body: str
    position: int  # order within the group (the proposal or document itself is 0)
    facts: GroupFacts
    anchor: str = ""  # fragment on the group's page ("s3", "r3", "c1-2"); "" for its top
    reply_id: int | None = None  # reply letter units link to the letter page
    agency: str = ""  # who wrote a reply unit
    summary: str = ""  # proposal units: title and suggestions, what similar proposals are found by
    history: bool = False  # of a letter replaced by a re-handling's (superseded): found only on request
    fingerprint: str = ""  # of its whole group as loaded (see fingerprint()): the same on every unit

    @property
    def group(self) -> str:
        return self.facts.group


# what a unit's fingerprint covers besides its group's facts: every other field, new ones included
_UNIT_FIELDS = tuple(f.name for f in fields(SearchDocument) if f.name not in ("facts", "fingerprint"))


def fingerprint(units: Iterable[SearchDocument]) -> str:
    """What the index should hold about one group, as 24 hex digits.

    It covers every field of every unit (which units exist, their texts, order and anchors) and the
    group's facts (publication, status, session, category, agencies and outcomes, who may see it):
    whatever the index missed, the start-up check finds the group's stored fingerprint differs
    from the database's. Pure: the same units give the same digits in any process.
    """
    digest = hashlib.blake2b(digest_size=12)
    last_facts: GroupFacts | None = None
    for unit in units:
        if unit.facts is not last_facts:  # a group's units share one facts object: hashed once
            digest.update(repr(unit.facts).encode("utf-8"))
            last_facts = unit.facts
        digest.update(repr(tuple(getattr(unit, name) for name in _UNIT_FIELDS)).encode("utf-8"))
    return digest.hexdigest()


def fingerprinted(units: Iterable[SearchDocument]) -> Iterator[SearchDocument]:
    """The units (a group's units one after another) with their group's fingerprint set."""
    for _group, its in groupby(units, key=lambda unit: unit.group):
        members = list(its)
        stamp = fingerprint(members)
        yield from (replace(unit, fingerprint=stamp) for unit in members)
