"""All tables, in one module.

Enumerations are stored as short English codes in plain string columns with CHECK constraints
(portable across SQLite and PostgreSQL, and cheap to extend in a migration); the Chinese labels
live in the web layer. Columns the documents may not state are nullable: we record only what a
document says.

No ``from __future__ import annotations`` here: SQLModel resolves relationship annotations at
class creation time.
"""

from datetime import UTC, date, datetime
from enum import StrEnum
from typing import Any, ClassVar

import sqlalchemy as sa
from sqlmodel import JSON, Field, Relationship, SQLModel

from tracker.domain.commitments import ReportKind as CommitmentReportKind
from tracker.domain.commitments import State as CommitmentState
from tracker.domain.commitments import Sureness
from tracker.domain.deadlines import ExtensionStatus
from tracker.domain.follows import FollowKind
from tracker.domain.notifications import Channel, Kind
from tracker.domain.people import AgencyKind, MemberKind
from tracker.domain.sessions import SessionIntake
from tracker.domain.workflow import Action, ProposalStatus

# Deterministic constraint names, so migrations can refer to them on every backend.
SQLModel.metadata.naming_convention = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UserRole(StrEnum):
    """What an account may do; anonymous visitors are the public (tracker.services.visibility.Role)."""

    MEMBER = "member"  # 委员 / 代表, bound to a Member
    AGENCY = "agency"  # staff of one 承办单位, bound to an Agency
    STAFF = "staff"  # 提案委员会办公室
    ADMIN = "admin"


class SignerStatus(StrEnum):
    PENDING = "pending"  # invited from the form, has not answered yet
    CONFIRMED = "confirmed"
    DECLINED = "declined"


class SignerRole(StrEnum):
    PROPOSER = "proposer"  # 联合提案人: a joint proposer besides Proposal.proposer
    COSIGNER = "cosigner"  # 联名人: invited by the proposer to sign on


class ReplyRole(StrEnum):
    LEAD = "lead"  # 主办
    CO = "co"  # 会办 / 协办


class ReplyStatus(StrEnum):
    DRAFT = "draft"  # a letter recorded as a draft (imports); editor drafts are ReplyDraft rows
    ISSUED = "issued"  # sent: the answer in force
    RETURNED = "returned"  # sent back by the committee office to be corrected (督办审核); kept
    SUPERSEDED = "superseded"  # replaced by the reply of a re-handling (重新办理); kept in the history
    # 阶段性答复: sent before the final answer; it neither closes the assignment nor can be rated
    HOLDING = "holding"
    CORRECTED = "corrected"  # 更正: an earlier version of a letter corrected since; kept in the history


class DraftStatus(StrEnum):
    DRAFT = "draft"  # being written; saved as often as the writer likes
    SUBMITTED = "submitted"  # sent; locked until the committee office sends it back or reopens it


class DraftMode(StrEnum):
    SECTIONS = "sections"  # answered suggestion by suggestion in the editor
    PASTED = "pasted"  # a letter drafted elsewhere, pasted, parsed and linked


class Rating(StrEnum):
    """A proposer's or co-signer's verdict on a reply."""

    SATISFIED = "satisfied"  # 满意
    BASICALLY_SATISFIED = "basically_satisfied"  # 基本满意
    DISSATISFIED = "dissatisfied"  # 不满意


class ExemptionKind(StrEnum):
    """Why a suggestion has no point of its own in a reply (tracker.domain.letters.Waiver)."""

    TOGETHER = "together"  # answered together with another suggestion
    NOT_ANSWERABLE = "not_answerable"  # not the agency's to answer, or cannot be answered


class ReplyOutcome(StrEnum):
    A = "A"  # 所提问题已经解决或基本解决
    B = "B"  # 正在解决或已列入计划
    C = "C"  # 因条件限制暂时不能解决


class LinkMethod(StrEnum):
    TITLE = "title"
    SIMILARITY = "similarity"
    NUMBER = "number"
    MANUAL = "manual"


def _one_of(column: str, values: type[StrEnum], name: str) -> sa.CheckConstraint:
    allowed = ", ".join(f"'{v.value}'" for v in values)
    return sa.CheckConstraint(f"{column} IN ({allowed})", name=name)


def _utcnow() -> datetime:
    return datetime.now(UTC)


def _long_text(nullable: bool = False) -> Any:
    return Field(default="" if not nullable else None, sa_type=sa.Text, nullable=nullable)


class Meeting(SQLModel, table=True):
    """A session (届次 + 次会议) of a consultative or legislative body, under which proposals are numbered.

    ``name`` is the full name (政协宁波市镇海区第十届委员会第三次会议). Sessions recorded before sessions
    were managed hold only what a document stated (``body`` 政协 and perhaps 第十届第三次会议), so
    everything but the flags is nullable; tracker.domain.sessions requires more of sessions made now.
    """

    __tablename__: ClassVar[str] = "meeting"
    __table_args__ = (
        _one_of("intake", SessionIntake, "intake"),
        # at most one current session; the services keep it at exactly one once there is any
        sa.Index(
            "uq_meeting_current",
            "is_current",
            unique=True,
            sqlite_where=sa.text("is_current"),
            postgresql_where=sa.text("is_current"),
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    name: str | None = None  # the full name
    short_name: str | None = None  # 十届三次
    body: str | None = None  # 政协 / 人大 (or, in older rows, the organisation's name when stated)
    organisation: str | None = None  # 政协宁波市镇海区委员会
    term: str | None = None  # 届次: 第十届
    sitting: str | None = None  # 次会议: 第三次会议
    year: int | None = None
    starts_on: date | None = None
    ends_on: date | None = None
    # Whether staff may accept (立案) proposals into it now, and which kind it takes.
    is_open: bool = Field(default=True, sa_column_kwargs={"server_default": sa.true()})
    intake: str = Field(
        default=SessionIntake.MEETING.value, sa_column_kwargs={"server_default": SessionIntake.MEETING.value}
    )
    # The session the office works in now: preselected at 立案.
    is_current: bool = Field(default=False, sa_column_kwargs={"server_default": sa.false()})
    # 案号 scheme: numbers restart at 1 in every session; the prefix is shown before the number.
    number_prefix: str | None = None


class Member(SQLModel, table=True):
    """A proposer or co-signer. Names are not unique in life, so nothing enforces it here."""

    __tablename__: ClassVar[str] = "member"
    __table_args__ = (_one_of("kind", MemberKind, "kind"),)

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(index=True)
    kind: str = MemberKind.MEMBER.value
    sector: str | None = None  # 界别
    party: str | None = None  # 党派 or group
    phone: str | None = None
    address: str | None = None
    email: str | None = None
    # Deactivated members stay on their proposals but are no longer offered as co-signers.
    active: bool = Field(default=True, sa_column_kwargs={"server_default": sa.true()})


class Agency(SQLModel, table=True):
    """A bureau that writes replies (承办单位). ``name`` is the name in force now; every name it has
    had is in AgencyName, so a reply shows the name it was signed with."""

    __tablename__: ClassVar[str] = "agency"
    __table_args__ = (_one_of("kind", AgencyKind, "kind"),)

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(unique=True)
    short_name: str | None = None  # 区经信局
    kind: str = Field(
        default=AgencyKind.DISTRICT.value, sa_column_kwargs={"server_default": AgencyKind.DISTRICT.value}
    )
    parent_id: int | None = Field(default=None, foreign_key="agency.id", index=True)
    # Deactivated agencies keep their replies but are no longer offered for assignment.
    active: bool = Field(default=True, sa_column_kwargs={"server_default": sa.true()})


class AgencyName(SQLModel, table=True):
    """One name an agency has had, in force from ``valid_from`` (None: from the start) until the
    next one's; written only by tracker.services.directory."""

    __tablename__: ClassVar[str] = "agency_name"
    __table_args__ = (sa.UniqueConstraint("agency_id", "valid_from"),)

    id: int | None = Field(default=None, primary_key=True)
    agency_id: int = Field(foreign_key="agency.id", index=True, ondelete="CASCADE")
    name: str
    valid_from: date | None = None


class Category(SQLModel, table=True):
    """A category of the proposal form. Proposals keep the category text they were filed with, so
    renaming or deactivating one changes only what the form offers."""

    __tablename__: ClassVar[str] = "category"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(unique=True, max_length=40)
    position: int = 0
    active: bool = Field(default=True, sa_column_kwargs={"server_default": sa.true()})


class PeopleImport(SQLModel, table=True):
    """An uploaded file of members or agencies between its preview and its confirmation: the parsed
    rows stay on the server under a random token, never in the cookie."""

    __tablename__: ClassVar[str] = "people_import"

    id: int | None = Field(default=None, primary_key=True)
    token: str = Field(unique=True, max_length=64)
    user_id: int | None = Field(default=None, foreign_key="user_account.id", ondelete="CASCADE")
    created_at: datetime = Field(default_factory=_utcnow, sa_type=sa.DateTime(timezone=True))
    filename: str = ""
    digest: str = Field(default="", max_length=64)  # SHA-256 of the file
    # {"kind": "members"|"agencies"|None, "table": [[cell, …], …]} with the header row first
    content: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)
    applied_at: datetime | None = Field(default=None, sa_type=sa.DateTime(timezone=True))


class User(SQLModel, table=True):
    """An account. Members and agency staff act for the Member or Agency they are bound to."""

    # Not "user": that word is reserved in PostgreSQL and would need quoting in every hand-written query.
    __tablename__: ClassVar[str] = "user_account"
    __table_args__ = (_one_of("role", UserRole, "role"),)

    id: int | None = Field(default=None, primary_key=True)
    username: str = Field(unique=True, max_length=64)
    # the person's name (王芳) shown in the header; members and agency staff show their member's or
    # agency's name, so this matters for staff and admins (falls back to the username)
    display_name: str | None = Field(default=None, max_length=64)
    password_hash: str
    role: str
    member_id: int | None = Field(default=None, foreign_key="member.id", index=True)
    agency_id: int | None = Field(default=None, foreign_key="agency.id", index=True)
    active: bool = True
    created_at: datetime = Field(default_factory=_utcnow, sa_type=sa.DateTime(timezone=True))
    # Set when too many logins failed (tracker.domain.lockout); an administrator may clear it.
    locked_until: datetime | None = Field(default=None, sa_type=sa.DateTime(timezone=True))
    # Where notifications are mailed; a member's account without one uses the member's address.
    email: str | None = Field(default=None, max_length=120)
    # The UI language the person chose (tracker.domain.locales), on every device; None: not chosen.
    locale: str | None = Field(default=None, max_length=16)

    member: Member | None = Relationship()
    agency: Agency | None = Relationship()


class LoginSession(SQLModel, table=True):
    """One login, kept on the server: the session cookie carries only a random token whose digest is
    stored here, so logging out, a password change or deactivating the account ends it for good."""

    __tablename__: ClassVar[str] = "login_session"

    id: int | None = Field(default=None, primary_key=True)
    token_hash: str = Field(unique=True, max_length=64)  # SHA-256 of the cookie's token, hex
    user_id: int = Field(foreign_key="user_account.id", index=True, ondelete="CASCADE")
    created_at: datetime = Field(default_factory=_utcnow, sa_type=sa.DateTime(timezone=True))
    last_seen_at: datetime = Field(default_factory=_utcnow, sa_type=sa.DateTime(timezone=True))
    ended_at: datetime | None = Field(default=None, sa_type=sa.DateTime(timezone=True))
    # For the administrator's list of open sessions: where and with what a login was made.
    user_agent: str = Field(default="", max_length=255)
    address: str = Field(default="", max_length=64)


class LoginFailure(SQLModel, table=True):
    """One failed login of an existing account. Counted in the database, not per process, so the
    lock holds whichever app server the attempts reach; rows are only added (no lost updates)."""

    __tablename__: ClassVar[str] = "login_failure"
    __table_args__ = (sa.Index("ix_login_failure_user_id_at", "user_id", "at"),)

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user_account.id", ondelete="CASCADE")
    at: datetime = Field(default_factory=_utcnow, sa_type=sa.DateTime(timezone=True))
    address: str = Field(default="", max_length=64)


class LoginAttempt(SQLModel, table=True):
    """One failed login from a client address, whatever name it tried. The per-address limit counts
    these in the database, so it is the same whichever app server or worker a try reaches; rows are
    only added (and dropped once older than the longest window)."""

    __tablename__: ClassVar[str] = "login_attempt"
    __table_args__ = (sa.Index("ix_login_attempt_address_at", "address", "at"),)

    id: int | None = Field(default=None, primary_key=True)
    address: str = Field(max_length=64)
    at: datetime = Field(default_factory=_utcnow, sa_type=sa.DateTime(timezone=True), index=True)


class ArchiveGeneration(SQLModel, table=True):
    """One row counting the writes the public can see (tracker/generation.py): bumped in the same
    transaction as the rows, so every server sees the new count exactly when it sees the new rows,
    and a page kept under the old count is never served again."""

    __tablename__: ClassVar[str] = "archive_generation"

    id: int = Field(default=1, primary_key=True)
    value: int = Field(default=0, sa_type=sa.BigInteger)


class Proposal(SQLModel, table=True):
    __tablename__: ClassVar[str] = "proposal"
    __table_args__ = (
        sa.UniqueConstraint("meeting_id", "number"),
        _one_of("status", ProposalStatus, "status"),
        # the public's counts per session read the index alone
        sa.Index("ix_proposal_meeting_id_published_at", "meeting_id", "published_at"),
        # a signed-in list (no page cache) filters and sorts visible proposals in the index alone
        sa.Index("ix_proposal_listing", "status", "published_at", "meeting_id", "number", "id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    meeting_id: int | None = Field(default=None, foreign_key="meeting.id", index=True)
    number: int | None = None  # 案号
    title: str
    proposer_id: int | None = Field(default=None, foreign_key="member.id", index=True)
    category: str | None = None
    background: str = _long_text()
    leadin: str | None = None  # "为此建议：" as written
    closing: str = _long_text()
    original_text: str = _long_text()
    status: str = Field(default=ProposalStatus.SUBMITTED.value, index=True)
    submitted_on: date | None = None
    accepted_on: date | None = None
    created_at: datetime = Field(
        default_factory=_utcnow, sa_type=sa.DateTime(timezone=True), index=True
    )  # the home page's latest proposals
    # Set when staff publish the proposal and its reply to the public archive; None = not public.
    published_at: datetime | None = Field(default=None, sa_type=sa.DateTime(timezone=True), index=True)
    # The one-time token of the form that created it: a second post of the same form finds this row.
    # A unique index rather than a constraint: SQLite adds an index in place, while a new constraint
    # would copy the table, which with foreign keys on deletes the rows that cascade from it.
    form_token: str | None = Field(default=None, unique=True, index=True, max_length=64)
    # 并案: the proposal this one was merged into; its own text stays here.
    merged_into_id: int | None = Field(default=None, foreign_key="proposal.id", index=True)
    # Staff decided not to publish it (yet): why, and when. Publishing clears both.
    withheld_reason: str | None = Field(default=None, sa_type=sa.Text)
    withheld_at: datetime | None = Field(default=None, sa_type=sa.DateTime(timezone=True))

    meeting: Meeting | None = Relationship()
    proposer: Member | None = Relationship()


class ProposalSigner(SQLModel, table=True):
    __tablename__: ClassVar[str] = "proposal_signer"
    __table_args__ = (_one_of("role", SignerRole, "role"), _one_of("status", SignerStatus, "status"))

    # The composite primary key already indexes proposal_id (its leading column).
    proposal_id: int = Field(foreign_key="proposal.id", primary_key=True, ondelete="CASCADE")
    member_id: int = Field(foreign_key="member.id", primary_key=True, index=True)
    role: str = SignerRole.COSIGNER.value
    # Signers named in an imported document signed it; those invited from the form answer later.
    status: str = Field(
        default=SignerStatus.CONFIRMED.value,
        sa_column_kwargs={"server_default": SignerStatus.CONFIRMED.value},
    )
    responded_at: datetime | None = Field(default=None, sa_type=sa.DateTime(timezone=True))

    member: Member = Relationship()


class Transition(SQLModel, table=True):
    """One step of a proposal's life: who did what, when, from which state to which, and why."""

    __tablename__: ClassVar[str] = "transition"
    __table_args__ = (
        _one_of("action", Action, "action"),
        _one_of("from_status", ProposalStatus, "from_status"),
        _one_of("to_status", ProposalStatus, "to_status"),
    )

    id: int | None = Field(default=None, primary_key=True)
    proposal_id: int = Field(foreign_key="proposal.id", index=True, ondelete="CASCADE")
    action: str
    from_status: str | None = None  # None for the step that created the proposal
    to_status: str
    actor_id: int | None = Field(default=None, foreign_key="user_account.id", index=True, ondelete="SET NULL")
    created_at: datetime = Field(default_factory=_utcnow, sa_type=sa.DateTime(timezone=True))
    note: str = _long_text()  # the reason or remark typed by the person acting
    # What the step decided, for the timeline: {"number": 3}, {"lead": "…", "co": […], "deadline": "…"}
    details: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)

    actor: User | None = Relationship()


class Assignment(SQLModel, table=True):
    """An agency handling a proposal (交办): the lead office or a co-handling one, with a deadline."""

    __tablename__: ClassVar[str] = "assignment"
    __table_args__ = (_one_of("role", ReplyRole, "role"),)

    id: int | None = Field(default=None, primary_key=True)
    proposal_id: int = Field(foreign_key="proposal.id", index=True, ondelete="CASCADE")
    agency_id: int = Field(foreign_key="agency.id", index=True)
    role: str = ReplyRole.LEAD.value
    deadline: date
    assigned_at: datetime = Field(default_factory=_utcnow, sa_type=sa.DateTime(timezone=True))
    # Set when the assignment stops (returned by an agency); None while it is current.
    ended_at: datetime | None = Field(default=None, sa_type=sa.DateTime(timezone=True), index=True)

    agency: Agency = Relationship()


class ExtensionRequest(SQLModel, table=True):
    """An agency's request for a later deadline on its assignment (延期申请) and staff's answer:
    written only by tracker.services.extensions. At most one is pending per assignment."""

    __tablename__: ClassVar[str] = "extension_request"
    __table_args__ = (
        _one_of("status", ExtensionStatus, "status"),
        sa.Index(
            "uq_extension_request_pending",
            "assignment_id",
            unique=True,
            sqlite_where=sa.text("status = 'pending'"),
            postgresql_where=sa.text("status = 'pending'"),
        ),
        sa.Index("ix_extension_request_status", "status"),
    )

    id: int | None = Field(default=None, primary_key=True)
    proposal_id: int = Field(foreign_key="proposal.id", index=True, ondelete="CASCADE")
    assignment_id: int = Field(foreign_key="assignment.id", index=True, ondelete="CASCADE")
    agency_id: int = Field(foreign_key="agency.id", index=True)
    status: str = ExtensionStatus.PENDING.value
    reason: str = _long_text()
    previous_deadline: date  # the assignment's deadline when the request was made
    requested_deadline: date
    requested_at: datetime = Field(default_factory=_utcnow, sa_type=sa.DateTime(timezone=True))
    requested_by: int | None = Field(default=None, foreign_key="user_account.id", ondelete="SET NULL")
    # staff's answer: the deadline granted (perhaps not the one asked for), or why it was refused
    granted_deadline: date | None = None
    decision_note: str = _long_text()
    decided_at: datetime | None = Field(default=None, sa_type=sa.DateTime(timezone=True))
    decided_by: int | None = Field(default=None, foreign_key="user_account.id", ondelete="SET NULL")

    agency: Agency = Relationship()


class Suggestion(SQLModel, table=True):
    """One numbered suggestion of a proposal (or its single unnumbered body), sub-points via parent_id."""

    __tablename__: ClassVar[str] = "suggestion"
    __table_args__ = (
        sa.UniqueConstraint("proposal_id", "position"),
        # counting the top-level suggestions of visible proposals reads the index alone
        sa.Index("ix_suggestion_proposal_id_parent_id", "proposal_id", "parent_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    proposal_id: int = Field(foreign_key="proposal.id", index=True, ondelete="CASCADE")
    parent_id: int | None = Field(default=None, foreign_key="suggestion.id", index=True, ondelete="CASCADE")
    position: int  # document order within the proposal, sub-points included
    n: int | None = None
    marker: str | None = None  # as written: "1.", "3．", "（一）"
    title: str = ""
    text: str = _long_text()
    start: int = 0  # offsets of ``text`` in Proposal.original_text
    end: int = 0
    numbered: bool = True


class Reply(SQLModel, table=True):
    """A reply letter from an agency to a proposal."""

    __tablename__: ClassVar[str] = "reply"
    __table_args__ = (
        _one_of("role", ReplyRole, "role"),
        _one_of("status", ReplyStatus, "status"),
        _one_of("outcome", ReplyOutcome, "outcome"),
    )

    id: int | None = Field(default=None, primary_key=True)
    proposal_id: int = Field(foreign_key="proposal.id", index=True, ondelete="CASCADE")
    agency_id: int | None = Field(default=None, foreign_key="agency.id", index=True)
    role: str = ReplyRole.LEAD.value
    title: str = ""
    doc_number: str | None = None  # 文号
    salutation: str = ""  # without the colon
    preamble: str = _long_text()
    closing: str = _long_text()
    signature: str = ""
    date_text: str | None = None  # as written, e.g. "2017年6月28日"
    date_on: date | None = None  # parsed from date_text when it is a full date
    outcome: str | None = None  # 办复类别 A/B/C when stated
    status: str = Field(default=ReplyStatus.ISSUED.value, index=True)
    header_fields: dict[str, str] = Field(default_factory=dict, sa_type=JSON)  # label lines
    original_text: str = _long_text()
    # When it was submitted through the editor; None for a letter recorded from a document.
    issued_at: datetime | None = Field(default=None, sa_type=sa.DateTime(timezone=True))
    # 更正 (tracker.services.corrections): the version this letter corrects, why and by whom; the
    # version corrected stays as a row of its own (status corrected), so every version is kept whole.
    corrects_id: int | None = Field(default=None, foreign_key="reply.id", index=True, ondelete="SET NULL")
    version: int = Field(default=1, sa_column_kwargs={"server_default": "1"})
    correction_reason: str | None = Field(default=None, sa_type=sa.Text)
    corrected_by: int | None = Field(default=None, foreign_key="user_account.id", ondelete="SET NULL")

    proposal: Proposal = Relationship()
    agency: Agency | None = Relationship()


class ReplyPoint(SQLModel, table=True):
    __tablename__: ClassVar[str] = "reply_point"
    __table_args__ = (
        sa.UniqueConstraint("reply_id", "position"),
        _one_of("outcome", ReplyOutcome, "outcome"),
    )

    id: int | None = Field(default=None, primary_key=True)
    reply_id: int = Field(foreign_key="reply.id", index=True, ondelete="CASCADE")
    parent_id: int | None = Field(default=None, foreign_key="reply_point.id", index=True, ondelete="CASCADE")
    position: int
    n: int | None = None
    marker: str | None = None  # as written: "一、", "（一）", "一是"
    heading: str = ""
    text: str = _long_text()
    start: int = 0  # offsets of ``text`` in Reply.original_text
    end: int = 0
    outcome: str | None = None  # the class of this point (A/B/C) when the agency gave one


class PointLink(SQLModel, table=True):
    """Which suggestion a reply point answers, and how we know."""

    __tablename__: ClassVar[str] = "point_link"
    __table_args__ = (_one_of("method", LinkMethod, "method"),)

    # The composite primary key already indexes reply_point_id (its leading column).
    reply_point_id: int = Field(foreign_key="reply_point.id", primary_key=True, ondelete="CASCADE")
    suggestion_id: int = Field(foreign_key="suggestion.id", primary_key=True, index=True, ondelete="CASCADE")
    method: str
    confidence: float = 1.0


class ReplyExemption(SQLModel, table=True):
    """A suggestion a reply answers with no point of its own: together with another one (whose point
    is then linked to it too), or not answerable; with the agency's reason."""

    __tablename__: ClassVar[str] = "reply_exemption"
    __table_args__ = (_one_of("kind", ExemptionKind, "kind"),)

    reply_id: int = Field(foreign_key="reply.id", primary_key=True, ondelete="CASCADE")
    suggestion_id: int = Field(foreign_key="suggestion.id", primary_key=True, index=True, ondelete="CASCADE")
    kind: str
    reason: str = _long_text()
    with_suggestion_id: int | None = Field(default=None, foreign_key="suggestion.id", ondelete="SET NULL")


class ReplyDraft(SQLModel, table=True):
    """The lead agency's working copy of its reply to one proposal (回复草稿).

    Written suggestion by suggestion (``sections``: one answer per suggestion) or pasted from a letter
    drafted elsewhere (``pasted_text`` with the links the drafter confirmed). Submitting stores a Reply
    (the letter as sent) and locks the draft; staff sending it back or reopening the proposal unlock
    it, with its content as the starting point. ``revision`` counts saves, so a save from a stale page
    is noticed instead of overwriting newer text.
    """

    __tablename__: ClassVar[str] = "reply_draft"
    __table_args__ = (
        sa.UniqueConstraint("proposal_id", "agency_id"),
        _one_of("mode", DraftMode, "mode"),
        _one_of("status", DraftStatus, "status"),
        _one_of("outcome", ReplyOutcome, "outcome"),
    )

    id: int | None = Field(default=None, primary_key=True)
    proposal_id: int = Field(foreign_key="proposal.id", index=True, ondelete="CASCADE")
    agency_id: int = Field(foreign_key="agency.id", index=True)
    mode: str = DraftMode.SECTIONS.value
    status: str = DraftStatus.DRAFT.value
    title: str = ""
    doc_number: str = ""
    salutation: str = ""
    preamble: str = _long_text()
    closing: str = _long_text()
    signature: str = ""
    date_text: str = ""
    outcome: str | None = None
    pasted_text: str = _long_text()
    # [{"suggestion": id, "body": "…", "outcome": "A"|None}] in suggestion order
    sections: list[dict[str, Any]] = Field(default_factory=list, sa_type=JSON)
    # pasted letters: [{"point": index, "suggestion": id, "method": "title", "confidence": 0.93}]
    links: list[dict[str, Any]] = Field(default_factory=list, sa_type=JSON)
    point_outcomes: dict[str, str] = Field(default_factory=dict, sa_type=JSON)  # point index -> class
    # [{"suggestion": id, "kind": "together"|"not_answerable", "reason": "…", "with": id|None}]
    exemptions: list[dict[str, Any]] = Field(default_factory=list, sa_type=JSON)
    revision: int = 0
    reply_id: int | None = Field(default=None, foreign_key="reply.id", ondelete="SET NULL")
    updated_at: datetime = Field(default_factory=_utcnow, sa_type=sa.DateTime(timezone=True))
    updated_by: int | None = Field(default=None, foreign_key="user_account.id", ondelete="SET NULL")
    submitted_at: datetime | None = Field(default=None, sa_type=sa.DateTime(timezone=True))


class CoOpinion(SQLModel, table=True):
    """A co-handling agency's opinion (会办意见) for the lead agency, which sees it while drafting."""

    __tablename__: ClassVar[str] = "co_opinion"
    __table_args__ = (
        sa.UniqueConstraint("proposal_id", "agency_id"),
        _one_of("status", DraftStatus, "status"),
    )

    id: int | None = Field(default=None, primary_key=True)
    proposal_id: int = Field(foreign_key="proposal.id", index=True, ondelete="CASCADE")
    agency_id: int = Field(foreign_key="agency.id", index=True)
    text: str = _long_text()
    status: str = DraftStatus.DRAFT.value
    updated_at: datetime = Field(default_factory=_utcnow, sa_type=sa.DateTime(timezone=True))
    submitted_at: datetime | None = Field(default=None, sa_type=sa.DateTime(timezone=True))
    author_id: int | None = Field(default=None, foreign_key="user_account.id", ondelete="SET NULL")

    agency: Agency = Relationship()


class ReplyRating(SQLModel, table=True):
    """How the proposer or a co-signer rates a reply (满意 / 基本满意 / 不满意), with a comment."""

    __tablename__: ClassVar[str] = "reply_rating"
    __table_args__ = (sa.UniqueConstraint("reply_id", "member_id"), _one_of("rating", Rating, "rating"))

    id: int | None = Field(default=None, primary_key=True)
    reply_id: int = Field(foreign_key="reply.id", index=True, ondelete="CASCADE")
    member_id: int = Field(foreign_key="member.id", index=True)
    rating: str
    comment: str = _long_text()
    created_at: datetime = Field(default_factory=_utcnow, sa_type=sa.DateTime(timezone=True))
    updated_at: datetime = Field(default_factory=_utcnow, sa_type=sa.DateTime(timezone=True))

    member: Member = Relationship()


class ReferenceDocument(SQLModel, table=True):
    """A policy text, plan, paper or news item kept for reference."""

    __tablename__: ClassVar[str] = "reference_document"

    id: int | None = Field(default=None, primary_key=True)
    slug: str = Field(unique=True)
    title: str | None = None  # only when the document states it
    description: str = ""  # our own one-line account of what the file is
    issuer: str | None = None
    doc_number: str | None = None
    date_text: str | None = None  # as written, e.g. "二〇一一年十月"
    language: str = "zh"
    kind: str = ""
    source_name: str | None = None  # file name the text was imported from
    original_text: str = _long_text()

    @property
    def display_title(self) -> str:
        return self.title or self.description or self.slug


class ReferenceClause(SQLModel, table=True):
    """A numbered clause of a reference document, flat in document order."""

    __tablename__: ClassVar[str] = "reference_clause"
    __table_args__ = (sa.UniqueConstraint("document_id", "position"),)

    id: int | None = Field(default=None, primary_key=True)
    document_id: int = Field(foreign_key="reference_document.id", index=True, ondelete="CASCADE")
    position: int
    level: int
    n: int
    marker: str
    title: str = ""
    text: str = _long_text()
    start: int = 0
    end: int = 0
    path: str  # number path such as "3.2"


class DraftPrecedent(SQLModel, table=True):
    """A past reply point a drafter copied into the answer to one suggestion as starting text
    (issue 16): the draft keeps where its text came from. Written only by tracker.services.precedents."""

    __tablename__: ClassVar[str] = "draft_precedent"
    __table_args__ = (sa.UniqueConstraint("draft_id", "suggestion_id", "reply_point_id"),)

    id: int | None = Field(default=None, primary_key=True)
    draft_id: int = Field(foreign_key="reply_draft.id", index=True, ondelete="CASCADE")
    suggestion_id: int = Field(foreign_key="suggestion.id", index=True, ondelete="CASCADE")
    # the precedent; None once that letter is deleted (the record that text was copied stays)
    reply_point_id: int | None = Field(
        default=None, foreign_key="reply_point.id", index=True, ondelete="SET NULL"
    )
    copied_at: datetime = Field(default_factory=_utcnow, sa_type=sa.DateTime(timezone=True))
    copied_by: int | None = Field(default=None, foreign_key="user_account.id", ondelete="SET NULL")


class DraftCitation(SQLModel, table=True):
    """A policy clause the drafter cites under the answer to one suggestion, while the reply is
    drafted; issuing copies it to the points answering that suggestion (PointCitation)."""

    __tablename__: ClassVar[str] = "draft_citation"

    draft_id: int = Field(foreign_key="reply_draft.id", primary_key=True, ondelete="CASCADE")
    suggestion_id: int = Field(foreign_key="suggestion.id", primary_key=True, index=True, ondelete="CASCADE")
    clause_id: int = Field(
        foreign_key="reference_clause.id", primary_key=True, index=True, ondelete="CASCADE"
    )


class PointCitation(SQLModel, table=True):
    """A policy clause an issued reply point cites: shown under that answer on the public pages."""

    __tablename__: ClassVar[str] = "point_citation"

    reply_point_id: int = Field(foreign_key="reply_point.id", primary_key=True, ondelete="CASCADE")
    clause_id: int = Field(
        foreign_key="reference_clause.id", primary_key=True, index=True, ondelete="CASCADE"
    )


class ImportKind(StrEnum):
    """What an imported file turned out to be."""

    PROPOSAL = "proposal"
    REPLY = "reply"
    BOTH = "both"  # a proposal and its reply in one file
    POLICY = "policy"  # a policy document, for the reference library


class ImportState(StrEnum):
    IMPORTED = "imported"  # landed; nothing for a person to check
    REVIEW = "review"  # landed, not public, waiting for staff (see ``reasons``)
    REVIEWED = "reviewed"  # a person checked it (and corrected what was wrong)


class ImportRun(SQLModel, table=True):
    """One run of ``tracker import`` or of the staff upload page, with its summary."""

    __tablename__: ClassVar[str] = "import_run"

    id: int | None = Field(default=None, primary_key=True)
    started_at: datetime = Field(default_factory=_utcnow, sa_type=sa.DateTime(timezone=True), index=True)
    finished_at: datetime | None = Field(default=None, sa_type=sa.DateTime(timezone=True))
    actor_id: int | None = Field(default=None, foreign_key="user_account.id", ondelete="SET NULL")
    actor: str = ""  # a username or "command line", surviving the account
    origin: str = "cli"  # "cli" or "upload"
    # counts per outcome and one line per refused or changed file: what the summary showed
    summary: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)


class ImportedFile(SQLModel, table=True):
    """Where an imported proposal, reply or policy document came from and how each part was found,
    written only by tracker.services.import_records. One row per file content (its SHA-256), so the
    same file imported again is recognised and creates nothing."""

    __tablename__: ClassVar[str] = "imported_file"
    __table_args__ = (
        _one_of("kind", ImportKind, "kind"),
        _one_of("state", ImportState, "state"),
    )

    id: int | None = Field(default=None, primary_key=True)
    run_id: int | None = Field(default=None, foreign_key="import_run.id", index=True, ondelete="SET NULL")
    source_name: str = Field(index=True)  # the path under the folder imported, or the name in the .zip
    content_hash: str = Field(unique=True, index=True, max_length=64)  # SHA-256 of the file's bytes
    byte_size: int = 0
    file_format: str = ""  # txt, docx, doc, pdf, html
    kind: str
    state: str = Field(default=ImportState.IMPORTED.value, index=True)
    # why it waits for a person: [{"code": "unpaired", "detail": "…"}]
    reasons: list[dict[str, Any]] = Field(default_factory=list, sa_type=JSON)
    confidence: float = 1.0  # the lowest confidence of its parts
    # how each part was found: {"number": {"value": 12, "how": "manifest", "confidence": 1.0}, …}
    found: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)
    text: str = _long_text()  # the text read from the file, as the parser saw it
    proposal_id: int | None = Field(default=None, foreign_key="proposal.id", index=True, ondelete="SET NULL")
    reply_id: int | None = Field(default=None, foreign_key="reply.id", index=True, ondelete="SET NULL")
    document_id: int | None = Field(
        default=None, foreign_key="reference_document.id", index=True, ondelete="SET NULL"
    )
    imported_at: datetime = Field(default_factory=_utcnow, sa_type=sa.DateTime(timezone=True))
    reviewed_at: datetime | None = Field(default=None, sa_type=sa.DateTime(timezone=True))
    reviewed_by: int | None = Field(default=None, foreign_key="user_account.id", ondelete="SET NULL")


class AdminKind(StrEnum):
    """What kind of object an admin change is about."""

    SESSION = "session"
    MEMBER = "member"
    AGENCY = "agency"
    CATEGORY = "category"
    USER = "user"  # an account


class AdminAction(StrEnum):
    CREATE = "create"
    UPDATE = "update"
    OPEN = "open"
    CLOSE = "close"
    MAKE_CURRENT = "make_current"
    RENAME = "rename"
    DEACTIVATE = "deactivate"
    ACTIVATE = "activate"
    # accounts
    REACTIVATE = "reactivate"
    UNLOCK = "unlock"
    RESET_PASSWORD = "reset_password"
    CHANGE_ROLE = "change_role"
    END_LOGIN = "end_login"


class AdminChange(SQLModel, table=True):
    """One change made in the administration (who, when, to what, before and after), written only by
    tracker.services.admin_log.record_change."""

    __tablename__: ClassVar[str] = "admin_change"
    __table_args__ = (
        _one_of("kind", AdminKind, "kind"),
        _one_of("action", AdminAction, "action"),
        sa.Index("ix_admin_change_kind_at", "kind", "at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(default_factory=_utcnow, sa_type=sa.DateTime(timezone=True), index=True)
    actor_id: int | None = Field(default=None, foreign_key="user_account.id", index=True, ondelete="SET NULL")
    # Who acted, as a name that survives the account: a username, "command line" or "seed".
    actor: str = ""
    kind: str
    object_id: int | None = None
    action: str
    before: dict[str, Any] | None = Field(default=None, sa_type=JSON)
    after: dict[str, Any] | None = Field(default=None, sa_type=JSON)


class Notification(SQLModel, table=True):
    """One thing one account is told (issue 15): what happened (``kind`` and the values its message
    needs, kept so the message reads in the reader's language), where it leads, whether it was read,
    and how it is mailed. Written only by tracker.services.notifications."""

    __tablename__: ClassVar[str] = "notification"
    __table_args__ = (
        _one_of("kind", Kind, "kind"),
        _one_of("channel", Channel, "channel"),
        # the header's unread count and the list read this index alone
        sa.Index("ix_notification_user_id_read_at", "user_id", "read_at"),
        # the daily digest looks for what is waiting for it
        sa.Index("ix_notification_channel_mailed_at", "channel", "mailed_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user_account.id", ondelete="CASCADE")
    kind: str
    proposal_id: int | None = Field(default=None, foreign_key="proposal.id", index=True, ondelete="CASCADE")
    path: str = Field(default="/notifications", max_length=200)  # the page it links to
    params: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)
    note: str = _long_text()  # the reason or remark of the step, shown under the message
    actor_id: int | None = Field(default=None, foreign_key="user_account.id", ondelete="SET NULL")
    created_at: datetime = Field(default_factory=_utcnow, sa_type=sa.DateTime(timezone=True))
    read_at: datetime | None = Field(default=None, sa_type=sa.DateTime(timezone=True))
    channel: str = Channel.APP.value  # the person's choice when it was made
    # when it was put in the mail queue (at once, or in a digest); None: not mailed (yet)
    mailed_at: datetime | None = Field(default=None, sa_type=sa.DateTime(timezone=True))


class NotificationPreference(SQLModel, table=True):
    """How one account wants one kind of notification; no row means the default for its role."""

    __tablename__: ClassVar[str] = "notification_preference"
    __table_args__ = (_one_of("kind", Kind, "kind"), _one_of("channel", Channel, "channel"))

    user_id: int = Field(foreign_key="user_account.id", primary_key=True, ondelete="CASCADE")
    kind: str = Field(primary_key=True, max_length=40)
    channel: str


class MailOutbox(SQLModel, table=True):
    """One e-mail waiting to be sent, or sent: written in the transaction of what it tells, sent
    after commit (tracker/mail.py), retried with a growing wait while the mail server is down."""

    __tablename__: ClassVar[str] = "mail_outbox"
    __table_args__ = (sa.Index("ix_mail_outbox_sent_at_next_attempt_at", "sent_at", "next_attempt_at"),)

    id: int | None = Field(default=None, primary_key=True)
    user_id: int | None = Field(default=None, foreign_key="user_account.id", index=True, ondelete="SET NULL")
    to_address: str = Field(max_length=120)
    digest: bool = False  # a daily digest of several notifications
    notification_ids: list[int] = Field(default_factory=list, sa_type=JSON)
    created_at: datetime = Field(default_factory=_utcnow, sa_type=sa.DateTime(timezone=True))
    attempts: int = 0
    next_attempt_at: datetime = Field(default_factory=_utcnow, sa_type=sa.DateTime(timezone=True))
    # a sender working on it until then (so two servers never send one mail twice at once)
    claimed_until: datetime | None = Field(default=None, sa_type=sa.DateTime(timezone=True))
    sent_at: datetime | None = Field(default=None, sa_type=sa.DateTime(timezone=True))
    last_error: str = Field(default="", max_length=500)


class ReminderSent(SQLModel, table=True):
    """A deadline reminder point already reached for an assignment: at most one per point, however
    often `tracker remind` runs (the unique constraint is the guard)."""

    __tablename__: ClassVar[str] = "reminder_sent"
    __table_args__ = (sa.UniqueConstraint("assignment_id", "point"),)

    id: int | None = Field(default=None, primary_key=True)
    assignment_id: int = Field(foreign_key="assignment.id", ondelete="CASCADE")
    point: str = Field(max_length=40)  # "2027-03-01/before-3", see tracker.domain.notifications
    sent_at: datetime = Field(default_factory=_utcnow, sa_type=sa.DateTime(timezone=True))


class Follow(SQLModel, table=True):
    """A saved search or a follow of an agency, a category or a session (issue 15), written only by
    tracker.services.follows. ``token`` is the unguessable part of its Atom feed's address, so a feed
    reader needs no login (the feed shows public proposals only); ``checked_until`` is the high-water
    mark of `tracker remind`'s matching."""

    __tablename__: ClassVar[str] = "follow"
    __table_args__ = (
        _one_of("kind", FollowKind, "kind"),
        # one follow per agency, category or session and account (saved searches have no target)
        sa.UniqueConstraint("user_id", "kind", "target_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user_account.id", index=True, ondelete="CASCADE")
    kind: str
    name: str = Field(max_length=80)
    # a saved search: the query and the facet filters as /search reads them
    query: str = Field(default="", max_length=200)
    filters: dict[str, list[str]] = Field(default_factory=dict, sa_type=JSON)
    # an agency, category or session id (by kind; none for a saved search)
    target_id: int | None = None
    token: str = Field(unique=True, max_length=64)
    created_at: datetime = Field(default_factory=_utcnow, sa_type=sa.DateTime(timezone=True))
    checked_until: datetime | None = Field(default=None, sa_type=sa.DateTime(timezone=True))


class FollowMatch(SQLModel, table=True):
    """A proposal a follow has told its account of: at most once per follow (the key is the guard)."""

    __tablename__: ClassVar[str] = "follow_match"

    follow_id: int = Field(foreign_key="follow.id", primary_key=True, ondelete="CASCADE")
    proposal_id: int = Field(foreign_key="proposal.id", primary_key=True, index=True, ondelete="CASCADE")
    matched_at: datetime = Field(default_factory=_utcnow, sa_type=sa.DateTime(timezone=True))


# -- commitments (issue 16) ------------------------------------------------------------------------


class Commitment(SQLModel, table=True):
    """A promise a reply point makes (承诺事项), with the day it is due. The parser suggests it when
    the reply is issued (``sureness`` set, ``confirmed_at`` empty); the drafting agency or the office
    confirms or corrects it. ``state`` is open, done or dropped; late is computed from ``due_on``
    (tracker.domain.commitments.state_on), so it is right on any day."""

    __tablename__: ClassVar[str] = "commitment"
    __table_args__ = (
        _one_of("state", CommitmentState, "state"),
        _one_of("sureness", Sureness, "sureness"),
        sa.Index("ix_commitment_state_due_on", "state", "due_on"),
    )

    id: int | None = Field(default=None, primary_key=True)
    reply_id: int = Field(foreign_key="reply.id", index=True, ondelete="CASCADE")
    point_id: int = Field(foreign_key="reply_point.id", index=True, ondelete="CASCADE")
    text: str = Field(sa_type=sa.Text)  # the promise: the parser's sentence, or as a person wrote it
    when_text: str = Field(default="", max_length=60)  # the time as the letter writes it
    due_on: date | None = None  # the last day of the promised period; None when it names none
    sureness: str | None = Field(default=None, max_length=10)  # the parser's; None once a person set the day
    state: str = Field(default=CommitmentState.OPEN.value, max_length=10)
    created_at: datetime = Field(default_factory=_utcnow, sa_type=sa.DateTime(timezone=True))
    confirmed_by_id: int | None = Field(default=None, foreign_key="user_account.id", ondelete="SET NULL")
    confirmed_at: datetime | None = Field(default=None, sa_type=sa.DateTime(timezone=True))
    closed_on: date | None = None  # the day it was reported done or dropped


class CommitmentReport(SQLModel, table=True):
    """A progress report on a commitment, kept with its day and author: a note, done, or dropped
    with the reason."""

    __tablename__: ClassVar[str] = "commitment_report"
    __table_args__ = (_one_of("kind", CommitmentReportKind, "kind"),)

    id: int | None = Field(default=None, primary_key=True)
    commitment_id: int = Field(foreign_key="commitment.id", index=True, ondelete="CASCADE")
    kind: str = Field(max_length=10)
    note: str = _long_text()
    reported_on: date  # the office's day it was reported
    created_at: datetime = Field(default_factory=_utcnow, sa_type=sa.DateTime(timezone=True))
    author_id: int | None = Field(default=None, foreign_key="user_account.id", ondelete="SET NULL")
    author_name: str = Field(default="", max_length=120)  # as the header named them then


class CommitmentReminder(SQLModel, table=True):
    """A reminder point reached for a commitment (due, late): once per point, like ReminderSent."""

    __tablename__: ClassVar[str] = "commitment_reminder"
    __table_args__ = (sa.UniqueConstraint("commitment_id", "point"),)

    id: int | None = Field(default=None, primary_key=True)
    commitment_id: int = Field(foreign_key="commitment.id", ondelete="CASCADE")
    point: str = Field(max_length=40)
    sent_at: datetime = Field(default_factory=_utcnow, sa_type=sa.DateTime(timezone=True))
