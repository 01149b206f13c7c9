"""Issuing a reply: the submitted draft becomes the letter as sent, a Reply with its numbered points,
the links from points to suggestions (each with how it was made) and the suggestions it answers with
no point of their own. A letter written in the editor is composed in the standard form
(tracker.domain.letters) with offsets exact by construction; a pasted letter is stored as pasted,
with the parser's points and the links the drafter confirmed.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlmodel import Session

from tracker.domain.letters import Waiver, chinese_numeral, compose_letter
from tracker.domain.reply_drafting import DraftContent, coverage, letter_parts
from tracker.models import (
    LinkMethod,
    PointLink,
    Proposal,
    Reply,
    ReplyDraft,
    ReplyExemption,
    ReplyPoint,
    ReplyRole,
    ReplyStatus,
    Suggestion,
)
from tracker.services.dates import parse_cn_date
from tracker.services.pasted_letters import PastedLetter
from tracker.services.replies import store_points


def store_reply(
    *,
    session: Session,
    proposal: Proposal,
    draft: ReplyDraft,
    content: DraftContent,
    suggestions: Sequence[Suggestion],
    letter: PastedLetter | None,
    now: datetime,
) -> Reply:
    """The letter as sent: a Reply with its points, their links (each with how it was made) and the
    suggestions it answers with no point of their own."""
    frame = content.frame
    parts = letter_parts(content, {s.id: s.title for s in suggestions if s.id is not None})
    text = (
        content.pasted
        if letter
        else compose_letter(
            title=frame.title,
            doc_number=frame.doc_number,
            salutation=frame.salutation,
            preamble=frame.preamble,
            points=[part for _section, part in parts],
            closing=frame.closing,
            signature=frame.signature,
            date=frame.date,
        )
    )
    reply = Reply(
        proposal_id=proposal.id or 0,
        agency_id=draft.agency_id,
        role=ReplyRole.LEAD.value,
        title=frame.title,
        doc_number=frame.doc_number or None,
        salutation=frame.salutation,
        preamble=frame.preamble,
        closing=frame.closing,
        signature=frame.signature,
        date_text=frame.date or None,
        date_on=parse_cn_date(frame.date),
        outcome=content.outcome,
        status=ReplyStatus.ISSUED.value,
        header_fields=dict(letter.parsed.fields) if letter else {},
        original_text=text,
        issued_at=now,
    )
    session.add(reply)
    session.flush()
    # (point, suggestion id, method, confidence)
    links: list[tuple[ReplyPoint, int, str, float]] = []
    if letter is None:
        cursor = 0
        for position, (section, part) in enumerate(parts):
            marker = f"{chinese_numeral(part.n)}、"
            body = f"{part.heading}{part.body.strip()}"
            start = text.index(marker + body, cursor) + len(marker)
            cursor = start + len(body)
            point = ReplyPoint(
                reply_id=reply.id or 0,
                position=position,
                n=part.n,
                marker=marker,
                heading=part.heading.rstrip("。"),
                text=body,
                start=start,
                end=cursor,
                outcome=section.outcome,
            )
            session.add(point)
            # written in the suggestion's own section: linked by the person who wrote it
            links.append((point, section.suggestion, LinkMethod.MANUAL.value, 1.0))
    else:
        points = store_points(session=session, reply=reply, units=letter.parsed.points)
        for index, point in enumerate(points):
            point.outcome = content.point_outcomes.get(index)
            session.add(point)
        links = [(points[ln.point], ln.suggestion, ln.method, ln.confidence) for ln in content.links]
    session.flush()

    stored: set[tuple[int, int]] = set()
    answering: dict[int, list[ReplyPoint]] = {}

    def add_link(point: ReplyPoint, suggestion_id: int, method: str, confidence: float) -> None:
        key = (point.id or 0, suggestion_id)
        if key not in stored:
            stored.add(key)
            answering.setdefault(suggestion_id, []).append(point)
            session.add(
                PointLink(
                    reply_point_id=key[0], suggestion_id=suggestion_id, method=method, confidence=confidence
                )
            )

    for point, suggestion_id, method, confidence in links:
        add_link(point, suggestion_id, method, confidence)
    ids = [s.id for s in suggestions if s.id is not None]
    for exemption in coverage(content, ids, letter.point_count if letter else None).exempted.values():
        together = exemption.kind == Waiver.TOGETHER
        session.add(
            ReplyExemption(
                reply_id=reply.id or 0,
                suggestion_id=exemption.suggestion,
                kind=exemption.kind.value,
                reason=exemption.reason,
                with_suggestion_id=exemption.with_suggestion if together else None,
            )
        )
        if together and exemption.with_suggestion is not None:
            # the point answering the other suggestion answers this one too
            for point in list(answering.get(exemption.with_suggestion, [])):
                add_link(point, exemption.suggestion, LinkMethod.MANUAL.value, 1.0)
    session.flush()
    return reply
