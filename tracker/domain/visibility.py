"""Who may see a proposal: the roles, who is looking, the facts the rule needs, and the rule itself.

Pure: no database, no clock. tracker.services.visibility reads the facts from rows (and keeps the
page queries' ``proposal_filter``, the same rule in SQL) and judges against its clock; the search
index stores the same facts with every unit and applies the same rule in its query.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum

from .deadlines import is_public


class Role(StrEnum):
    PUBLIC = "public"
    MEMBER = "member"  # 委员 / 代表
    AGENCY = "agency"  # staff of one 承办单位
    STAFF = "staff"  # 提案委员会办公室
    ADMIN = "admin"


@dataclass(frozen=True)
class Viewer:
    """Who is looking: a role plus the member or agency the account acts for."""

    role: Role = Role.PUBLIC
    member_id: int | None = None
    agency_id: int | None = None
    user_id: int | None = None  # the account acting, recorded with every workflow step

    @property
    def sees_all(self) -> bool:
        return self.role in (Role.STAFF, Role.ADMIN)


ANONYMOUS = Viewer()


@dataclass(frozen=True)
class AccessFacts:
    """What the visibility rule needs to know about one proposal (stored in the search index)."""

    published: bool  # public when the facts were read
    member_ids: frozenset[int] = field(default_factory=frozenset)  # proposer and co-signers
    agency_ids: frozenset[int] = field(default_factory=frozenset)  # agencies it is assigned to
    # a scheduled publication (not yet public when read): public from this moment on
    publish_at: datetime | None = None


def aware(moment: datetime) -> datetime:
    """A stored time as UTC when it carries no zone (SQLite keeps the clock time of a UTC moment)."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def can_see(facts: AccessFacts, viewer: Viewer, at: datetime) -> bool:
    """Whether ``viewer`` may see the proposal these facts describe at the moment ``at``: staff see
    everything, the public what is published (or whose scheduled moment has come), a member also
    their own and co-signed proposals, an agency also what is assigned to it or it replied to."""
    if viewer.sees_all or facts.published:
        return True
    if facts.publish_at is not None and is_public(aware(facts.publish_at), aware(at)):
        return True
    if viewer.role == Role.MEMBER and viewer.member_id in facts.member_ids:
        return True
    return viewer.role == Role.AGENCY and viewer.agency_id in facts.agency_ids
