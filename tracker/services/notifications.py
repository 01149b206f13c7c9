"""Telling people (issue 15): the one write path of notifications and of the mail queue.

Every step of the timeline reaches ``on_step`` (from tracker.services.workflow.record); the events
kept in rows of their own (co-signing invitations and answers, 会办意见, ratings, extensions) call
their function below from their one write place. Each notification is stored for the app, and,
as its reader chose, an e-mail is queued in the same transaction (mail_outbox, sent after commit by
tracker/mail.py) or it waits for the daily digest (``queue_digests``). ``remind`` makes the
deadline reminders, at most once per point per assignment. Functions flush and never commit.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, func, select

from tracker.domain.drafting import LIMITS, clean_text
from tracker.domain.glossary import case_number
from tracker.domain.messages import N_, Problem, RuleError
from tracker.domain.notifications import (
    KINDS_BY_ROLE,
    Audience,
    Channel,
    Kind,
    ReminderPlan,
    channel_for,
    check_email,
    clean_email,
    link_path,
    reminder_point,
    step_rule,
)
from tracker.domain.workflow import Action, ProposalStatus
from tracker.models import (
    Agency,
    Assignment,
    CoOpinion,
    DraftStatus,
    ExtensionRequest,
    MailOutbox,
    Meeting,
    Member,
    Notification,
    NotificationPreference,
    Proposal,
    ProposalSigner,
    ReminderSent,
    ReplyRating,
    ReplyRole,
    SignerStatus,
    Transition,
    User,
    UserRole,
)
from tracker.services.errors import InvalidInput, NotFoundError

STAFF_ROLES = (UserRole.STAFF.value, UserRole.ADMIN.value)


def _now() -> datetime:
    return datetime.now(UTC)


def _aware(moment: datetime) -> datetime:
    """In UTC: SQLite keeps a stored moment's clock time and drops its offset."""
    return (moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)).astimezone(UTC)


# -- who --------------------------------------------------------------------------------------------


def _active(session: Session, *conditions: Any) -> list[User]:
    return list(session.exec(select(User).where(col(User.active).is_(True), *conditions)).all())


def _member_users(session: Session, member_ids: Iterable[int | None]) -> list[User]:
    ids = [i for i in member_ids if i is not None]
    return _active(session, col(User.member_id).in_(ids), User.role == UserRole.MEMBER.value) if ids else []


def _agency_users(session: Session, agency_ids: Iterable[int | None]) -> list[User]:
    ids = [i for i in agency_ids if i is not None]
    return _active(session, col(User.agency_id).in_(ids), User.role == UserRole.AGENCY.value) if ids else []


def _staff(session: Session) -> list[User]:
    return _active(session, col(User.role).in_(STAFF_ROLES))


def _current(session: Session, proposal_id: int) -> list[Assignment]:
    return list(
        session.exec(
            select(Assignment).where(
                Assignment.proposal_id == proposal_id, col(Assignment.ended_at).is_(None)
            )
        ).all()
    )


def _proposal_members(session: Session, proposal: Proposal) -> list[User]:
    """The proposer and every confirmed joint proposer and co-signer."""
    signers = session.exec(
        select(ProposalSigner.member_id).where(
            ProposalSigner.proposal_id == proposal.id, ProposalSigner.status == SignerStatus.CONFIRMED.value
        )
    ).all()
    return _member_users(session, [proposal.proposer_id, *signers])


def audience(session: Session, proposal: Proposal, who: Audience, details: dict[str, Any]) -> list[User]:
    if who == Audience.MEMBERS:
        return _proposal_members(session, proposal)
    if who == Audience.STAFF:
        return _staff(session)
    current = _current(session, proposal.id or 0)
    if who == Audience.AGENCIES:
        return _agency_users(session, [a.agency_id for a in current])
    if who == Audience.LEAD_AGENCY:
        return _agency_users(session, [a.agency_id for a in current if a.role == ReplyRole.LEAD.value])
    return _agency_users(session, [details.get("agency_id")])  # NAMED_AGENCY


# -- what --------------------------------------------------------------------------------------------


def _case(session: Session, proposal: Proposal) -> str:
    if proposal.number is None:
        return ""
    meeting = session.get(Meeting, proposal.meeting_id) if proposal.meeting_id else None
    return case_number(proposal.number, meeting.number_prefix if meeting else None)


def _base_params(session: Session, proposal: Proposal) -> dict[str, Any]:
    return {"title": proposal.title, "case": _case(session, proposal)}


def _lead_deadline(session: Session, proposal_id: int) -> str:
    deadlines = [a.deadline for a in _current(session, proposal_id) if a.role == ReplyRole.LEAD.value]
    return deadlines[0].isoformat() if deadlines else ""


def _agency_name(session: Session, agency_id: int | None) -> str:
    agency = session.get(Agency, agency_id) if agency_id is not None else None
    return agency.name if agency else ""


def _member_name(session: Session, member_id: int | None) -> str:
    member = session.get(Member, member_id) if member_id is not None else None
    return member.name if member else ""


def _preferences(session: Session, user_ids: Sequence[int]) -> dict[int, dict[str, str]]:
    chosen: dict[int, dict[str, str]] = defaultdict(dict)
    if user_ids:
        for row in session.exec(
            select(NotificationPreference).where(col(NotificationPreference.user_id).in_(list(user_ids)))
        ).all():
            chosen[row.user_id][row.kind] = row.channel
    return chosen


def mail_address(session: Session, user: User) -> str:
    """The account's own address, else (for a member's account) the member's."""
    if user.email:
        return user.email
    if user.member_id is not None:
        member = session.get(Member, user.member_id)
        if member is not None and member.email:
            return member.email
    return ""


def notify(
    *,
    session: Session,
    kind: Kind,
    users: Iterable[User],
    proposal: Proposal | None,
    params: dict[str, Any],
    note: str = "",
    actor_id: int | None = None,
    now: datetime | None = None,
) -> list[Notification]:
    """Tell each of ``users`` once (never the actor), as each chose; queue the e-mails."""
    moment = _aware(now or _now())
    people = {u.id: u for u in users if u.id is not None and u.id != actor_id and u.active}
    chosen = _preferences(session, list(people))
    made: list[Notification] = []
    for user_id, user in sorted(people.items()):
        channel = channel_for(kind, user.role, chosen.get(user_id, {}))
        row = Notification(
            user_id=user_id,
            kind=kind.value,
            proposal_id=proposal.id if proposal else None,
            path=link_path(kind, proposal.id if proposal else None),
            params=params,
            note=note,
            actor_id=actor_id,
            created_at=moment,
            channel=channel.value,
        )
        session.add(row)
        made.append(row)
    session.flush()
    for row in made:
        user = people[row.user_id]
        address = mail_address(session, user)
        if row.channel == Channel.EMAIL and address:
            session.add(
                MailOutbox(
                    user_id=user.id,
                    to_address=address,
                    notification_ids=[row.id or 0],
                    created_at=moment,
                    next_attempt_at=moment,
                )
            )
            row.mailed_at = moment
            session.add(row)
    session.flush()
    return made


# -- the hooks ------------------------------------------------------------------------------------------


def on_step(*, session: Session, step: Transition, proposal: Proposal) -> list[Notification]:
    """Tell whoever a recorded step is for (tracker.domain.notifications.STEP_RULES)."""
    after_return = False
    if step.action == Action.ASSIGN.value:
        after_return = (
            session.exec(
                select(Assignment.id).where(
                    Assignment.proposal_id == proposal.id, col(Assignment.ended_at).is_not(None)
                )
            ).first()
            is not None
        )
    rule = step_rule(step.action, after_return=after_return)
    if rule is None:
        return []
    details = dict(step.details or {})
    params = _base_params(session, proposal)
    if rule.kind in (Kind.ASSIGNED, Kind.REASSIGNED):
        params["deadline"] = details.get("deadline", "")
    elif rule.kind == Kind.RETURNED:
        params["agency"] = details.get("agency", "")
    elif rule.kind == Kind.MERGED:
        target = session.get(Proposal, details.get("into")) if details.get("into") else None
        params["into"] = (_case(session, target) or f"“{target.title}”") if target else ""
    elif rule.kind == Kind.REPLY_ISSUED:
        lead = [a for a in _current(session, proposal.id or 0) if a.role == ReplyRole.LEAD.value]
        params["agency"] = _agency_name(session, lead[0].agency_id) if lead else ""
    elif rule.kind == Kind.URGED:
        params["deadline"] = _lead_deadline(session, proposal.id or 0)
    users: dict[int, User] = {}
    for who in sorted(rule.audiences):
        for user in audience(session, proposal, who, details):
            users[user.id or 0] = user
    return notify(
        session=session,
        kind=rule.kind,
        users=users.values(),
        proposal=proposal,
        params=params,
        note=step.note or "",
        actor_id=step.actor_id,
        now=_aware(step.created_at),
    )


def cosigners_invited(*, session: Session, proposal: Proposal, member_ids: Iterable[int | None]) -> None:
    """Members newly asked to co-sign (from the proposer's form)."""
    params = {**_base_params(session, proposal), "member": _member_name(session, proposal.proposer_id)}
    users = _member_users(session, member_ids)
    notify(session=session, kind=Kind.COSIGN_INVITED, users=users, proposal=proposal, params=params)


def cosign_answered(*, session: Session, proposal: Proposal, signer: ProposalSigner) -> None:
    params = {
        **_base_params(session, proposal),
        "member": _member_name(session, signer.member_id),
        "answer": signer.status,
    }
    users = _member_users(session, [proposal.proposer_id])
    notify(session=session, kind=Kind.COSIGN_ANSWERED, users=users, proposal=proposal, params=params)


def co_opinion_saved(*, session: Session, opinion: CoOpinion) -> None:
    """A co-handling opinion sent (not merely saved) reaches the lead agency."""
    if opinion.status != DraftStatus.SUBMITTED.value:
        return
    proposal = session.get(Proposal, opinion.proposal_id)
    if proposal is None:
        return
    lead = [a.agency_id for a in _current(session, opinion.proposal_id) if a.role == ReplyRole.LEAD.value]
    params = {**_base_params(session, proposal), "agency": _agency_name(session, opinion.agency_id)}
    users = _agency_users(session, lead)
    notify(
        session=session,
        kind=Kind.CO_OPINION,
        users=users,
        proposal=proposal,
        params=params,
        actor_id=opinion.author_id,
    )


def rated(*, session: Session, rating: ReplyRating, proposal: Proposal, actor_id: int | None) -> None:
    """A rating (or a changed one) reaches the agency whose reply it is and the committee office."""
    from tracker.models import Reply  # only here: the reply row of the rating

    reply = session.get(Reply, rating.reply_id)
    params = {
        **_base_params(session, proposal),
        "member": _member_name(session, rating.member_id),
        "rating": rating.rating,
    }
    users = _agency_users(session, [reply.agency_id if reply else None]) + _staff(session)
    notify(
        session=session,
        kind=Kind.RATED,
        users=users,
        proposal=proposal,
        params=params,
        note=rating.comment,
        actor_id=actor_id,
    )


def letter_news(
    *,
    session: Session,
    kind: Kind,
    proposal: Proposal,
    agency_id: int | None,
    actor_id: int | None,
    note: str = "",
    tell_agency: bool = False,
    now: datetime | None = None,
) -> None:
    """A holding answer sent or a letter corrected (tracker.services.corrections): the members of
    the proposal and the committee office are told; the agency too when someone else corrected it."""
    params = {**_base_params(session, proposal), "agency": _agency_name(session, agency_id)}
    users = _proposal_members(session, proposal) + _staff(session)
    if tell_agency:
        users += _agency_users(session, [agency_id])
    notify(
        session=session,
        kind=kind,
        users=users,
        proposal=proposal,
        params=params,
        note=note,
        actor_id=actor_id,
        now=now,
    )


def extension_changed(*, session: Session, request: ExtensionRequest) -> None:
    """Asked: the committee office is told; answered: the agency that asked."""
    proposal = session.get(Proposal, request.proposal_id)
    if proposal is None:
        return
    params = {**_base_params(session, proposal), "agency": _agency_name(session, request.agency_id)}
    if request.decided_at is None:
        kind, users, note, actor = (
            Kind.EXTENSION_ASKED,
            _staff(session),
            request.reason,
            request.requested_by,
        )
        params["deadline"] = request.requested_deadline.isoformat()
    else:
        granted = request.granted_deadline is not None
        kind = Kind.EXTENSION_GRANTED if granted else Kind.EXTENSION_REFUSED
        users, note, actor = (
            _agency_users(session, [request.agency_id]),
            request.decision_note,
            request.decided_by,
        )
        params["deadline"] = (request.granted_deadline or request.previous_deadline).isoformat()
    notify(
        session=session, kind=kind, users=users, proposal=proposal, params=params, note=note, actor_id=actor
    )


# -- 催办 ---------------------------------------------------------------------------------------------


def urge_targets(*, session: Session, proposal_id: int) -> list[tuple[Assignment, Agency]]:
    """The agencies a 催办 may go to: those handling the proposal now, the lead first."""
    rows = session.exec(
        select(Assignment, Agency)
        .join(Agency, col(Agency.id) == col(Assignment.agency_id))
        .where(Assignment.proposal_id == proposal_id, col(Assignment.ended_at).is_(None))
        .order_by(col(Assignment.role) != ReplyRole.LEAD.value, col(Assignment.id))
    ).all()
    return list(rows)


def check_urge_note(note: str | None) -> str:
    text = clean_text(note)
    if not text:
        raise InvalidInput([Problem("note", N_("Write what the agency is to do."))])
    if len(text) > LIMITS.note:
        raise InvalidInput(
            [
                Problem(
                    "note",
                    N_("Too long: %(count)d characters; at most %(limit)d."),
                    {"count": len(text), "limit": LIMITS.note},
                )
            ]
        )
    return text


# -- the reader's side ----------------------------------------------------------------------------------


def unread_count(*, session: Session, user_id: int) -> int:
    return session.exec(
        select(func.count())
        .select_from(Notification)
        .where(Notification.user_id == user_id, col(Notification.read_at).is_(None))
    ).one()


@dataclass(frozen=True)
class Page:
    rows: list[Notification]
    total: int
    unread: int


def list_for(*, session: Session, user_id: int, unread_only: bool, page: int, size: int) -> Page:
    where = [Notification.user_id == user_id]
    if unread_only:
        where.append(col(Notification.read_at).is_(None))
    total = session.exec(select(func.count()).select_from(Notification).where(*where)).one()
    rows = session.exec(
        select(Notification)
        .where(*where)
        .order_by(col(Notification.created_at).desc(), col(Notification.id).desc())
        .offset((page - 1) * size)
        .limit(size)
    ).all()
    return Page(list(rows), total, unread_count(session=session, user_id=user_id))


def mark_read(*, session: Session, user_id: int, notification_id: int, now: datetime) -> Notification:
    """Mark one of the account's own notifications read (someone else's is not found)."""
    row = session.get(Notification, notification_id)
    if row is None or row.user_id != user_id:
        raise NotFoundError(N_("There is no such notification."), field="notification")
    if row.read_at is None:
        row.read_at = now
        session.add(row)
        session.flush()
    return row


def mark_all_read(*, session: Session, user_id: int, now: datetime) -> int:
    done = session.exec(  # type: ignore[call-overload]
        sa.update(Notification)
        .where(col(Notification.user_id) == user_id, col(Notification.read_at).is_(None))
        .values(read_at=now)
        .execution_options(synchronize_session=False)
    )
    return int(done.rowcount or 0)


def kinds_for(role: str) -> tuple[Kind, ...]:
    return KINDS_BY_ROLE.get(role, ())


def preferences(*, session: Session, user: User) -> dict[Kind, Channel]:
    chosen = _preferences(session, [user.id or 0]).get(user.id or 0, {})
    return {kind: channel_for(kind, user.role, chosen) for kind in kinds_for(user.role)}


def save_settings(
    *, session: Session, user: User, email: str | None, channels: dict[str, str | None]
) -> None:
    """The account's own address and its choice per kind (only kinds its role receives)."""
    address = clean_email(email)
    problems: list[Problem] = []
    try:
        check_email(address)
    except RuleError as error:
        problems.extend(error.problems)
    wanted: dict[str, Channel] = {}
    for kind in kinds_for(user.role):
        given = channels.get(kind.value)
        if not given:
            continue  # not on the form (a page from before a kind was added): keep the current choice
        try:
            wanted[kind.value] = Channel(given)
        except ValueError:
            problems.append(Problem(f"kind-{kind.value}", N_("Choose how to receive it.")))
    if problems:
        raise InvalidInput(problems)
    set_email(session=session, user=user, email=address)
    existing = {
        p.kind: p
        for p in session.exec(
            select(NotificationPreference).where(NotificationPreference.user_id == user.id)
        ).all()
    }
    for kind, channel in wanted.items():
        row = existing.get(kind) or NotificationPreference(user_id=user.id or 0, kind=kind, channel=channel)
        row.channel = channel.value
        session.add(row)
    session.flush()


def set_email(*, session: Session, user: User, email: str | None) -> None:
    """An account's e-mail address (the account itself, or an admin); "" removes it."""
    address = clean_email(email)
    try:
        check_email(address)
    except RuleError as error:
        raise InvalidInput(error.problems) from None
    user.email = address or None
    session.add(user)
    session.flush()


# -- the daily digest and reminders -----------------------------------------------------------------------


def queue_digests(*, session: Session, before: datetime, now: datetime) -> int:
    """One e-mail per account gathering its digest notifications made before ``before`` (the start of
    the office's day): run several times a day, it sends each notification once, in one digest."""
    before, now = _aware(before), _aware(now)
    waiting = session.exec(
        select(Notification)
        .where(
            Notification.channel == Channel.DIGEST.value,
            col(Notification.mailed_at).is_(None),
            col(Notification.created_at) < before,
        )
        .order_by(col(Notification.user_id), col(Notification.created_at), col(Notification.id))
    ).all()
    by_user: dict[int, list[Notification]] = defaultdict(list)
    for row in waiting:
        by_user[row.user_id].append(row)
    queued = 0
    for user_id, rows in by_user.items():
        user = session.get(User, user_id)
        address = mail_address(session, user) if user is not None and user.active else ""
        if address:
            session.add(
                MailOutbox(
                    user_id=user_id,
                    to_address=address,
                    digest=True,
                    notification_ids=[r.id or 0 for r in rows],
                    created_at=now,
                    next_attempt_at=now,
                )
            )
            queued += 1
        for row in rows:  # with no address they stay in the app only
            row.mailed_at = now
            session.add(row)
    session.flush()
    return queued


@dataclass(frozen=True)
class Reminded:
    assignment_id: int
    point: str
    notified: int


def remind(*, session: Session, today: date, plan: ReminderPlan, now: datetime) -> list[Reminded]:
    """Deadline reminders for every assignment being handled: the lead agency until it replies, a
    co-handling agency until it has sent its opinion. A point already reached is skipped (the
    unique row in reminder_sent is the guard, also against two runs at once)."""
    now = _aware(now)
    rows = session.exec(
        select(Assignment, Proposal)
        .join(Proposal, col(Proposal.id) == col(Assignment.proposal_id))
        .where(Proposal.status == ProposalStatus.ASSIGNED.value, col(Assignment.ended_at).is_(None))
        .order_by(col(Assignment.deadline), col(Assignment.id))
    ).all()
    sent_opinions = {
        (o.proposal_id, o.agency_id)
        for o in session.exec(select(CoOpinion).where(CoOpinion.status == DraftStatus.SUBMITTED.value)).all()
    }
    done: list[Reminded] = []
    for assignment, proposal in rows:
        if assignment.role == ReplyRole.CO.value and (proposal.id, assignment.agency_id) in sent_opinions:
            continue
        point = reminder_point(assignment.deadline, today, plan)
        if point is None:
            continue
        try:
            with session.begin_nested():
                session.add(ReminderSent(assignment_id=assignment.id or 0, point=point, sent_at=now))
                session.flush()
        except IntegrityError:
            continue  # reached before
        left = (assignment.deadline - today).days
        params = {
            **_base_params(session, proposal),
            "deadline": assignment.deadline.isoformat(),
            "days": left,
        }
        made = notify(
            session=session,
            kind=Kind.DEADLINE,
            users=_agency_users(session, [assignment.agency_id]),
            proposal=proposal,
            params=params,
            now=now,
        )
        done.append(Reminded(assignment.id or 0, point, len(made)))
    return done
