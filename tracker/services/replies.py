"""Reply letters: record one (parsed into points and linked to suggestions by the domain), show one."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from sqlmodel import Session, col, select

from tracker.domain.linking import link
from tracker.domain.replies import parse_reply
from tracker.domain.reply_drafting import ChosenLink
from tracker.domain.units import ParsedReply, Unit
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
from tracker.services import commitments
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


class LetterFrame(Protocol):
    """Everything of a letter around its points: a parsed letter (ParsedReply) or the editor's Frame."""

    title: str
    doc_number: str
    salutation: str
    preamble: str
    closing: str
    signature: str
    date: str


def record_reply(
    *,
    session: Session,
    proposal: Proposal,
    text: str,
    agency: Agency | None = None,
    role: str = ReplyRole.LEAD.value,
    status: str = ReplyStatus.ISSUED.value,
    parsed: ParsedReply | None = None,
) -> Reply:
    """Store a reply letter, its numbered points, and the links from points to suggestions.

    Without an explicit agency the letter's own signature names it. ``parsed``: ``text`` as the
    caller already parsed it (an import that classified the document, say), so it is not parsed
    twice; its offsets must be those of ``text``.
    """
    if not text.strip():
        raise ServiceError("the reply text is empty", field="text")
    try:
        role = ReplyRole(role).value
        status = ReplyStatus(status).value
    except ValueError as exc:
        raise ServiceError(str(exc), field="role") from None
    if parsed is None:
        parsed = parse_reply(text)
    if agency is None and parsed.signature:
        agency = get_or_create_agency(session=session, name=parsed.signature)
    reply = add_reply(
        session=session,
        proposal=proposal,
        frame=parsed,
        text=text,
        agency_id=agency.id if agency else None,
        role=role,
        status=status,
        outcome=outcome_from_fields(parsed.fields),
        header_fields=parsed.fields,
    )
    points = store_points(session=session, reply=reply, units=parsed.points)
    suggestions = suggestions_of(session=session, proposal_id=proposal.id or 0, top_level=True)
    store_links(session=session, points=points, links=proposed_links(parsed.points, suggestions))
    session.flush()
    return reply


def add_reply(
    *,
    session: Session,
    proposal: Proposal,
    frame: LetterFrame,
    text: str,
    agency_id: int | None,
    role: str,
    status: str,
    outcome: str | None,
    header_fields: Mapping[str, str],
    issued_at: datetime | None = None,
) -> Reply:
    """The one writer of Reply rows: the letter ``text`` with its frame, for a recorded (parsed)
    letter and for one issued from the editor alike; flushed, so its points can refer to it."""
    reply = Reply(
        proposal_id=proposal.id or 0,
        agency_id=agency_id,
        role=role,
        title=frame.title,
        doc_number=frame.doc_number or None,
        salutation=frame.salutation,
        preamble=frame.preamble,
        closing=frame.closing,
        signature=frame.signature,
        date_text=frame.date or None,
        date_on=parse_cn_date(frame.date),
        outcome=outcome,
        status=status,
        header_fields=dict(header_fields),
        original_text=text,
        issued_at=issued_at,
    )
    session.add(reply)
    session.flush()
    return reply


def store_points(
    *,
    session: Session,
    reply: Reply,
    units: Sequence[Unit],
    outcomes: Mapping[int, str | None] | None = None,
) -> list[ReplyPoint]:
    """The one writer of ReplyPoint rows: a letter's points depth-first; returns the top-level rows
    in order. ``outcomes``: the class (A/B/C) the agency gave a top-level point, by its index."""
    top: list[ReplyPoint] = []
    position = 0

    def store(unit: Unit, parent_id: int | None, outcome: str | None) -> ReplyPoint:
        nonlocal position
        row = ReplyPoint(
            reply_id=reply.id or 0,
            parent_id=parent_id,
            position=position,
            n=unit.n,
            marker=unit.marker,
            heading=unit.heading,
            text=unit.text,
            start=unit.start,
            end=unit.end,
            outcome=outcome,
        )
        position += 1
        session.add(row)
        session.flush()  # sub-points and links need the id
        for sub in unit.sub_points:
            store(sub, row.id, None)
        return row

    for index, unit in enumerate(units):
        top.append(store(unit, None, (outcomes or {}).get(index)))
    commitments.suggest(session=session, reply=reply, points=top)  # the promises of class-B points
    return top


def proposed_links(points: Sequence[Unit], suggestions: Sequence[Suggestion]) -> list[ChosenLink]:
    """The linker's links of a letter's top-level ``points`` to the proposal's top-level
    ``suggestions``, as (point index, suggestion id): the linker speaks in numbers (Unit.n), and the
    first point or suggestion with a given number stands for it; each pair once, as first found."""
    point_index: dict[int, int] = {}
    for index, unit in enumerate(points):
        if unit.n is not None:
            point_index.setdefault(unit.n, index)
    suggestion_id: dict[int, int] = {}
    for s in suggestions:
        if s.n is not None and s.id is not None:
            suggestion_id.setdefault(s.n, s.id)
    found: dict[tuple[int, int], ChosenLink] = {}
    for ln in link(points, suggestions):
        if ln.point in point_index and ln.suggestion in suggestion_id:
            chosen = ChosenLink(
                point_index[ln.point], suggestion_id[ln.suggestion], ln.method, round(float(ln.confidence), 4)
            )
            found.setdefault((chosen.point, chosen.suggestion), chosen)
    return list(found.values())


def store_links(*, session: Session, points: Sequence[ReplyPoint], links: Iterable[ChosenLink]) -> None:
    """The one writer of PointLink rows: ``links`` by index into ``points`` (a letter's top-level
    rows); a pair given twice is stored once, as first given."""
    seen: set[tuple[int, int]] = set()
    for chosen in links:
        point_id = points[chosen.point].id
        if point_id is None or (point_id, chosen.suggestion) in seen:
            continue
        seen.add((point_id, chosen.suggestion))
        session.add(
            PointLink(
                reply_point_id=point_id,
                suggestion_id=chosen.suggestion,
                method=chosen.method,
                confidence=chosen.confidence,
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
