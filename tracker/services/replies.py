"""Reply letters: record one (parsed into points and linked to suggestions by the domain), show one."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from sqlmodel import Session, col, select

from tracker.domain.linking import link
from tracker.domain.replies import parse_reply
from tracker.domain.units import Unit
from tracker.models import (
    Agency,
    PointLink,
    Proposal,
    Reply,
    ReplyOutcome,
    ReplyPoint,
    ReplyRole,
    ReplyStatus,
    Suggestion,
)
from tracker.services.dates import parse_cn_date
from tracker.services.errors import ServiceError
from tracker.services.people import get_or_create_agency
from tracker.services.proposals import (
    in_force,
    point_anchor,
    reply_visible,
    suggestion_anchor,
    suggestions_of,
)
from tracker.services.visibility import Viewer, visible_proposal

# "办复类别: B类", "答复类型：A" — the label varies between offices, the value does not.
_OUTCOME_LABEL = re.compile(r"类[别型]")
_OUTCOME_VALUE = re.compile(r"^\s*([ABCabc])\s*类?")


def outcome_from_fields(fields: Mapping[str, str]) -> str | None:
    for label, value in fields.items():
        if _OUTCOME_LABEL.search(label):
            m = _OUTCOME_VALUE.match(value)
            if m:
                return ReplyOutcome(m.group(1).upper()).value
    return None


def record_reply(
    *,
    session: Session,
    proposal: Proposal,
    text: str,
    agency: Agency | None = None,
    role: str = ReplyRole.LEAD.value,
    status: str = ReplyStatus.ISSUED.value,
) -> Reply:
    """Store a reply letter, its numbered points, and the links from points to suggestions.

    Without an explicit agency the letter's own signature names it.
    """
    if not text.strip():
        raise ServiceError("the reply text is empty", field="text")
    try:
        role = ReplyRole(role).value
        status = ReplyStatus(status).value
    except ValueError as exc:
        raise ServiceError(str(exc), field="role") from None
    parsed = parse_reply(text)
    if agency is None and parsed.signature:
        agency = get_or_create_agency(session=session, name=parsed.signature)
    reply = Reply(
        proposal_id=proposal.id,
        agency_id=agency.id if agency else None,
        role=role,
        title=parsed.title,
        doc_number=parsed.doc_number or None,
        salutation=parsed.salutation,
        preamble=parsed.preamble,
        closing=parsed.closing,
        signature=parsed.signature,
        date_text=parsed.date or None,
        date_on=parse_cn_date(parsed.date),
        outcome=outcome_from_fields(parsed.fields),
        status=status,
        header_fields=dict(parsed.fields),
        original_text=text,
    )
    session.add(reply)
    session.flush()
    points = store_points(session=session, reply=reply, units=parsed.points)
    suggestions = suggestions_of(session=session, proposal_id=proposal.id or 0, top_level=True)
    _store_links(session, points, suggestions, parsed.points)
    session.flush()
    return reply


def store_points(*, session: Session, reply: Reply, units: Sequence[Unit]) -> list[ReplyPoint]:
    """Store a letter's points depth-first; returns the top-level rows in order."""
    top: list[ReplyPoint] = []
    position = 0

    def store(unit: Unit, parent_id: int | None) -> ReplyPoint:
        nonlocal position
        row = ReplyPoint(
            reply_id=reply.id,
            parent_id=parent_id,
            position=position,
            n=unit.n,
            marker=unit.marker,
            heading=unit.heading,
            text=unit.text,
            start=unit.start,
            end=unit.end,
        )
        position += 1
        session.add(row)
        session.flush()  # sub-points and links need the id
        for sub in unit.sub_points:
            store(sub, row.id)
        return row

    for unit in units:
        top.append(store(unit, None))
    return top


def _store_links(
    session: Session, points: Sequence[ReplyPoint], suggestions: Sequence[Suggestion], units: Sequence[Unit]
) -> None:
    # The domain links by number (Unit.n); the first row with a given number stands for it.
    point_by_n: dict[int, ReplyPoint] = {}
    for row in points:
        if row.n is not None:
            point_by_n.setdefault(row.n, row)
    suggestion_by_n: dict[int, Suggestion] = {}
    for s in suggestions:
        if s.n is not None:
            suggestion_by_n.setdefault(s.n, s)
    seen: set[tuple[int, int]] = set()
    for found in link(units, suggestions):
        point = point_by_n.get(found.point)
        suggestion = suggestion_by_n.get(found.suggestion)
        if point is None or suggestion is None or point.id is None or suggestion.id is None:
            continue
        key = (point.id, suggestion.id)
        if key in seen:
            continue
        seen.add(key)
        session.add(
            PointLink(
                reply_point_id=point.id,
                suggestion_id=suggestion.id,
                method=found.method,
                confidence=round(float(found.confidence), 4),
            )
        )


def current_reply(*, session: Session, proposal_id: int) -> Reply | None:
    """The lead agency's reply in force: the latest one issued."""
    stmt = select(Reply).where(
        Reply.proposal_id == proposal_id,
        Reply.role == ReplyRole.LEAD.value,
        Reply.status == ReplyStatus.ISSUED.value,
    )
    return session.exec(stmt.order_by(col(Reply.id).desc())).first()


def find_reply(*, session: Session, proposal_id: int, agency_id: int | None, role: str) -> Reply | None:
    """The reply with this natural key (proposal, agency, role), if recorded."""
    stmt = select(Reply).where(
        Reply.proposal_id == proposal_id,
        col(Reply.agency_id).is_(None) if agency_id is None else Reply.agency_id == agency_id,
        Reply.role == role,
    )
    return session.exec(stmt.order_by(col(Reply.id))).first()


# -- the letter view -------------------------------------------------------------------------------


@dataclass
class LetterPoint:
    point: ReplyPoint
    anchor: str
    answers: list[tuple[Suggestion, str]]  # suggestions this point answers, with their anchors


@dataclass
class ReplyLetter:
    reply: Reply
    proposal: Proposal
    points: list[LetterPoint]
    in_force: Reply | None = None  # for a letter that is history: the lead office's letter in force


def reply_letter(*, session: Session, viewer: Viewer, reply_id: int) -> ReplyLetter | None:
    """The letter and the points it answers; None when it does not exist or ``viewer`` may not see
    the proposal it answers."""
    reply = session.get(Reply, reply_id)
    if reply is None or not reply_visible(reply, viewer):
        return None
    proposal = visible_proposal(session=session, viewer=viewer, proposal_id=reply.proposal_id)
    if proposal is None:
        return None
    rows = session.exec(
        select(ReplyPoint)
        .where(ReplyPoint.reply_id == reply_id, col(ReplyPoint.parent_id).is_(None))
        .order_by(col(ReplyPoint.position))
    ).all()
    linked = session.exec(
        select(PointLink, Suggestion)
        .join(Suggestion, col(Suggestion.id) == col(PointLink.suggestion_id))
        .where(col(PointLink.reply_point_id).in_([p.id for p in rows]))
        .order_by(col(Suggestion.position))
    ).all()
    answers: dict[int, list[tuple[Suggestion, str]]] = {}
    for found, suggestion in linked:
        answers.setdefault(found.reply_point_id, []).append((suggestion, suggestion_anchor(suggestion)))
    # One letter per page, so every letter names its points r1, r2, … whatever its role.
    points = [
        LetterPoint(
            point=p, anchor=point_anchor(p, reply=reply, lead=True), answers=answers.get(p.id or 0, [])
        )
        for p in rows
    ]
    current = None
    if not in_force(reply):
        current = current_reply(session=session, proposal_id=proposal.id or 0)
    return ReplyLetter(reply=reply, proposal=proposal, points=points, in_force=current)
