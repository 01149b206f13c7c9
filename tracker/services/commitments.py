"""Commitments (承诺事项) of replies: suggested by the parser when a letter's points are stored,
confirmed or corrected by the drafting agency or the committee office, tracked to done, late or
dropped with progress reports, reminded of through the notification system, listed for the 督办 and
shown to the public per session and per agency. The one writer of commitment rows; functions flush
and never commit.

Late is never stored: an open commitment past its due day is late on any day it is asked about
(tracker.domain.commitments.state_on), so the pages are right whenever they are opened.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from tracker.domain import commitments as rules
from tracker.domain.commitments import LATE, REPORT_STATE, State
from tracker.domain.messages import N_, Problem, RuleError
from tracker.domain.notifications import Kind, ReminderPlan, reminder_point
from tracker.models import (
    Agency,
    Commitment,
    CommitmentReminder,
    CommitmentReport,
    Meeting,
    Proposal,
    Reply,
    ReplyOutcome,
    ReplyPoint,
    ReplyStatus,
)
from tracker.services import notifications
from tracker.services.errors import ForbiddenError, InvalidInput, NotFoundError
from tracker.services.visibility import Viewer, public_clause

# -- suggested when a letter's points are stored ------------------------------------------------------


def letter_day(reply: Reply) -> date | None:
    """The day relative times are read against: the letter's own date, else the day it was issued."""
    if reply.date_on is not None:
        return reply.date_on
    return reply.issued_at.date() if reply.issued_at is not None else None


def suggest(*, session: Session, reply: Reply, points: Sequence[ReplyPoint]) -> list[Commitment]:
    """The parser's commitments for the class-B points among ``points`` (a letter's top-level rows):
    a point's own class, else the letter's. Stored unconfirmed, for a person to confirm."""
    day = letter_day(reply)
    made: list[Commitment] = []
    for point in points:
        if (point.outcome or reply.outcome) != ReplyOutcome.B.value or point.id is None:
            continue
        for found in rules.find_commitments(point.text, day):
            row = Commitment(
                reply_id=reply.id or 0,
                point_id=point.id,
                text=found.sentence[: rules.TEXT_LIMIT],
                when_text=found.when[:60],
                due_on=found.due,
                sureness=found.sureness.value,
            )
            session.add(row)
            made.append(row)
    session.flush()
    return made


def suggested(*, session: Session, reply_id: int) -> bool:
    """Whether the parser suggested commitments in this reply that nobody has confirmed yet."""
    stmt = select(Commitment.id).where(
        Commitment.reply_id == reply_id, col(Commitment.confirmed_at).is_(None)
    )
    return session.exec(stmt).first() is not None


# -- who may change them ------------------------------------------------------------------------------


def _reply_for(session: Session, reply_id: int, actor: Viewer) -> Reply:
    """The reply whose commitments ``actor`` manages: the office, or the agency that wrote it."""
    reply = session.get(Reply, reply_id)
    if reply is None:
        raise NotFoundError(N_("No such reply."))
    if actor.sees_all:
        return reply
    if actor.agency_id is not None and actor.agency_id == reply.agency_id:
        return reply
    raise NotFoundError(N_("No such reply."))  # a 404: others learn nothing of it


def may_manage(reply: Reply, actor: Viewer) -> bool:
    return actor.sees_all or (actor.agency_id is not None and actor.agency_id == reply.agency_id)


def _commitment_for(session: Session, commitment_id: int, actor: Viewer) -> tuple[Commitment, Reply]:
    row = session.get(Commitment, commitment_id)
    if row is None:
        raise NotFoundError(N_("No such commitment."))
    return row, _reply_for(session, row.reply_id, actor)


def _editable(reply: Reply) -> None:
    if reply.status != ReplyStatus.ISSUED.value:
        raise ForbiddenError(N_("This reply is no longer in force; its commitments cannot be changed."))


def _checked(text: str | None, due: date | None) -> str:
    try:
        return rules.clean_commitment(text, due)
    except RuleError as error:
        raise InvalidInput.from_rule(error) from None


def confirm(
    *,
    session: Session,
    commitment_id: int,
    actor: Viewer,
    text: str | None,
    due: date | None,
    now: datetime,
) -> Commitment:
    """Confirm a commitment as it stands or corrected (its words, its due day)."""
    row, reply = _commitment_for(session, commitment_id, actor)
    _editable(reply)
    cleaned = _checked(text, due)
    if due != row.due_on:
        row.sureness = None  # a person set the day
    row.text, row.due_on = cleaned, due
    row.confirmed_by_id, row.confirmed_at = actor.user_id, now
    session.add(row)
    session.flush()
    return row


def add(
    *,
    session: Session,
    reply_id: int,
    point_id: int | None,
    actor: Viewer,
    text: str | None,
    due: date | None,
    now: datetime,
) -> Commitment:
    """A commitment the parser missed, added (and so confirmed) by a person."""
    reply = _reply_for(session, reply_id, actor)
    _editable(reply)
    point = session.get(ReplyPoint, point_id) if point_id is not None else None
    problems: list[Problem] = []
    if point is None or point.reply_id != reply.id:
        problems.append(Problem("point", N_("Choose the point of the reply that makes the promise.")))
    try:
        cleaned = rules.clean_commitment(text, due)
    except RuleError as error:
        problems.extend(error.problems)
    if problems:
        raise InvalidInput(problems)
    assert point is not None
    row = Commitment(
        reply_id=reply.id or 0,
        point_id=point.id or 0,
        text=cleaned,
        due_on=due,
        confirmed_by_id=actor.user_id,
        confirmed_at=now,
    )
    session.add(row)
    session.flush()
    return row


def remove(*, session: Session, commitment_id: int, actor: Viewer) -> None:
    """Remove what is no promise (a suggestion the parser got wrong). One with reports is kept: it
    is dropped with a reason instead, so its history stays."""
    row, reply = _commitment_for(session, commitment_id, actor)
    _editable(reply)
    reported = session.exec(
        select(CommitmentReport.id).where(CommitmentReport.commitment_id == row.id)
    ).first()
    if reported is not None:
        raise InvalidInput(
            [
                Problem(
                    None, N_("Progress was reported on this commitment: report it dropped, with the reason.")
                )
            ]
        )
    session.delete(row)
    session.flush()


def report(
    *,
    session: Session,
    commitment_id: int,
    actor: Viewer,
    kind: str,
    note: str | None,
    author_name: str,
    today: date,
    now: datetime,
) -> CommitmentReport:
    """The agency (or the office for it) reports progress: a note, done, or dropped with a reason.
    Reporting confirms a commitment not confirmed yet: whoever reports on it stands by it."""
    row, reply = _commitment_for(session, commitment_id, actor)
    _editable(reply)
    try:
        kind_, cleaned = rules.check_report(kind, note, row.state)
    except RuleError as error:
        raise InvalidInput.from_rule(error) from None
    entry = CommitmentReport(
        commitment_id=row.id or 0,
        kind=kind_.value,
        note=cleaned,
        reported_on=today,
        created_at=now,
        author_id=actor.user_id,
        author_name=author_name[:120],
    )
    session.add(entry)
    if kind_ in REPORT_STATE:
        row.state, row.closed_on = REPORT_STATE[kind_].value, today
    if row.confirmed_at is None:
        row.confirmed_by_id, row.confirmed_at = actor.user_id, now
    session.add(row)
    session.flush()
    return entry


# -- reading them ---------------------------------------------------------------------------------------


@dataclass
class Tracked:
    """A commitment as a page shows it: its state on the day asked, its point, reply and proposal."""

    commitment: Commitment
    state: str
    days_late: int
    reply: Reply
    proposal: Proposal
    agency: Agency | None
    point: ReplyPoint
    reports: list[CommitmentReport] = field(default_factory=list)

    @property
    def confirmed(self) -> bool:
        return self.commitment.confirmed_at is not None


def _tracked(session: Session, stmt: sa.Select, today: date) -> list[Tracked]:  # type: ignore[type-arg]
    rows = session.exec(stmt).all()  # type: ignore[call-overload]
    ids = [c.id for c, *_ in rows]
    reports: dict[int, list[CommitmentReport]] = {}
    if ids:
        for r in session.exec(
            select(CommitmentReport)
            .where(col(CommitmentReport.commitment_id).in_(ids))
            .order_by(col(CommitmentReport.created_at), col(CommitmentReport.id))
        ).all():
            reports.setdefault(r.commitment_id, []).append(r)
    return [
        Tracked(
            commitment=c,
            state=rules.state_on(c.state, c.due_on, today),
            days_late=rules.days_late(c.due_on, today) if c.state == State.OPEN else 0,
            reply=reply,
            proposal=proposal,
            agency=agency,
            point=point,
            reports=reports.get(c.id or 0, []),
        )
        for c, reply, proposal, point, agency in rows
    ]


def _base() -> sa.Select:  # type: ignore[type-arg]
    return (
        select(Commitment, Reply, Proposal, ReplyPoint, Agency)
        .join(Reply, col(Reply.id) == col(Commitment.reply_id))
        .join(Proposal, col(Proposal.id) == col(Reply.proposal_id))
        .join(ReplyPoint, col(ReplyPoint.id) == col(Commitment.point_id))
        .outerjoin(Agency, col(Agency.id) == col(Reply.agency_id))
    )


def _order(stmt: sa.Select) -> sa.Select:  # type: ignore[type-arg]
    # undated last, on every backend (PostgreSQL sorts NULL first when descending, SQLite last)
    return stmt.order_by(
        col(Commitment.due_on).is_(None), col(Commitment.due_on), col(ReplyPoint.position), col(Commitment.id)
    )


def of_reply(*, session: Session, reply_id: int, actor: Viewer, today: date) -> tuple[Reply, list[Tracked]]:
    """A reply's commitments for the agency that wrote it or the office, in the letter's order."""
    reply = _reply_for(session, reply_id, actor)
    stmt = _base().where(Commitment.reply_id == reply.id)
    stmt = stmt.order_by(col(ReplyPoint.position), col(Commitment.id))
    return reply, _tracked(session, stmt, today)


def work_list(*, session: Session, actor: Viewer, today: date, state: str | None = None) -> list[Tracked]:
    """An agency's commitments in replies in force (the office: everyone's), the soonest due first;
    ``state`` (open, late, done, dropped) narrows it."""
    stmt = _base().where(Reply.status == ReplyStatus.ISSUED.value)
    if not actor.sees_all:
        stmt = stmt.where(Reply.agency_id == (actor.agency_id if actor.agency_id is not None else -1))
    stmt = _state_filter(stmt, state, today)
    return _tracked(session, _order(stmt), today)


def _state_filter(stmt: sa.Select, state: str | None, today: date) -> sa.Select:  # type: ignore[type-arg]
    if state == LATE:
        return stmt.where(
            Commitment.state == State.OPEN.value,
            col(Commitment.due_on).is_not(None),
            col(Commitment.due_on) < today,
        )
    if state == State.OPEN.value:
        return stmt.where(
            Commitment.state == State.OPEN.value,
            sa.or_(col(Commitment.due_on).is_(None), col(Commitment.due_on) >= today),
        )
    if state in (State.DONE.value, State.DROPPED.value):
        return stmt.where(Commitment.state == state)
    return stmt


def _followed() -> sa.ColumnElement[bool]:
    """Commitments the office follows up (督办, reminders): confirmed ones, and every one of a letter
    issued through the editor. A letter recorded from a document (the archive import) has only the
    parser's guesses until someone confirms them: years-old letters must not flood the 督办 list."""
    return sa.or_(col(Commitment.confirmed_at).is_not(None), col(Reply.issued_at).is_not(None))


def late(*, session: Session, today: date) -> list[Tracked]:
    """督办: commitments of replies in force past their due day and not reported done, the longest
    late first."""
    stmt = _state_filter(_base().where(Reply.status == ReplyStatus.ISSUED.value, _followed()), LATE, today)
    return _tracked(session, _order(stmt), today)


# -- the public pages ----------------------------------------------------------------------------------


def _public(stmt: sa.Select) -> sa.Select:  # type: ignore[type-arg]
    """What the public sees: confirmed commitments of replies in force to published proposals."""
    return stmt.where(
        Reply.status == ReplyStatus.ISSUED.value, col(Commitment.confirmed_at).is_not(None), public_clause()
    )


@dataclass
class Accountability:
    """A public page of commitments (per session or per agency) and its counts by state."""

    rows: list[Tracked]
    counts: dict[str, int]
    meeting: Meeting | None = None
    agency: Agency | None = None


def public_page(
    *,
    session: Session,
    today: date,
    meeting_id: int | None = None,
    agency_id: int | None = None,
    state: str | None = None,
) -> Accountability | None:
    """The commitments of a session or of an agency, as the public sees them; None when the session
    or agency does not exist."""
    stmt = _public(_base())
    meeting = agency = None
    if meeting_id is not None:
        meeting = session.get(Meeting, meeting_id)
        if meeting is None:
            return None
        stmt = stmt.where(Proposal.meeting_id == meeting_id)
    elif agency_id is not None:
        agency = session.get(Agency, agency_id)
        if agency is None:
            return None
        stmt = stmt.where(Reply.agency_id == agency_id)
    else:
        return None
    every = _tracked(session, _order(stmt), today)
    counts = rules.counts_by_state([t.state for t in every])
    rows = every if state not in rules.STATES_SHOWN else [t for t in every if t.state == state]
    return Accountability(rows=rows, counts=counts, meeting=meeting, agency=agency)


@dataclass(frozen=True)
class Holder:
    """A session or agency with public commitments, and their counts by state."""

    id: int
    name: str
    counts: dict[str, int]


def public_index(*, session: Session, today: date) -> tuple[list[Holder], list[Holder]]:
    """The sessions and the agencies with public commitments, each with its counts by state."""
    rows = session.exec(
        _public(
            select(
                Commitment.state,
                Commitment.due_on,
                Meeting.id,
                Meeting.name,
                Meeting.short_name,
                Agency.id,
                Agency.name,
            )
            .join(Reply, col(Reply.id) == col(Commitment.reply_id))
            .join(Proposal, col(Proposal.id) == col(Reply.proposal_id))
            .outerjoin(Meeting, col(Meeting.id) == col(Proposal.meeting_id))
            .outerjoin(Agency, col(Agency.id) == col(Reply.agency_id))
        )
    ).all()
    sessions: dict[int, tuple[str, list[str]]] = {}
    agencies: dict[int, tuple[str, list[str]]] = {}
    for state, due, meeting_id, name, short, agency_id, agency_name in rows:
        shown = rules.state_on(state, due, today)
        if meeting_id is not None:
            sessions.setdefault(meeting_id, (name or short or "", []))[1].append(shown)
        if agency_id is not None:
            agencies.setdefault(agency_id, (agency_name, []))[1].append(shown)

    def holders(found: dict[int, tuple[str, list[str]]]) -> list[Holder]:
        return sorted(
            (Holder(i, n, rules.counts_by_state(s)) for i, (n, s) in found.items()),
            key=lambda h: (h.name, h.id),
        )

    return holders(sessions), holders(agencies)


# -- reminders (`tracker remind`) ----------------------------------------------------------------------


@dataclass(frozen=True)
class Reminded:
    commitment_id: int
    point: str
    notified: int


def remind(*, session: Session, today: date, plan: ReminderPlan, now: datetime) -> list[Reminded]:
    """Remind the agency of each open commitment on its due day and when it is late (then every
    ``plan.overdue_every`` days, as the deadline reminders), once per point however often it runs."""
    # the notification system's own helpers: who an agency's accounts are, a proposal's parameters

    when = ReminderPlan(before=(0,), overdue_every=plan.overdue_every)
    stmt = _base().where(
        Reply.status == ReplyStatus.ISSUED.value,
        _followed(),
        Commitment.state == State.OPEN.value,
        col(Commitment.due_on).is_not(None),
        col(Commitment.due_on) <= today,
    )
    done: list[Reminded] = []
    for tracked in _tracked(session, _order(stmt), today):
        c = tracked.commitment
        assert c.due_on is not None
        point = reminder_point(c.due_on, today, when)
        if point is None:
            continue
        try:
            with session.begin_nested():
                session.add(CommitmentReminder(commitment_id=c.id or 0, point=point, sent_at=now))
                session.flush()
        except IntegrityError:
            continue  # reached before
        made = notifications.notify(
            session=session,
            kind=Kind.COMMITMENT,
            users=notifications._agency_users(session, [tracked.reply.agency_id]),
            proposal=tracked.proposal,
            params={
                **notifications._base_params(session, tracked.proposal),
                "deadline": c.due_on.isoformat(),
                "days": (c.due_on - today).days,
                "promise": c.text,
            },
            now=now,
        )
        done.append(Reminded(c.id or 0, point, len(made)))
    return done
