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

from tracker.domain.letters import LetterPart, Waiver, chinese_numeral, compose_letter
from tracker.domain.reply_drafting import ChosenLink, DraftContent, Section, coverage, letter_parts
from tracker.domain.units import Unit
from tracker.models import (
    LinkMethod,
    Proposal,
    Reply,
    ReplyDraft,
    ReplyExemption,
    ReplyRole,
    ReplyStatus,
    Suggestion,
)
from tracker.services.pasted_letters import PastedLetter
from tracker.services.replies import add_reply, store_links, store_points


def _composed_points(text: str, parts: Sequence[tuple[Section, LetterPart]]) -> list[Unit]:
    """The points of a letter composed in the standard form, where ``compose_letter`` put them."""
    units: list[Unit] = []
    cursor = 0
    for _section, part in parts:
        marker = f"{chinese_numeral(part.n)}、"
        body = f"{part.heading}{part.body.strip()}"
        start = text.index(marker + body, cursor) + len(marker)
        cursor = start + len(body)
        units.append(Unit(part.n, marker, part.heading.rstrip("。"), body, start, cursor))
    return units


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
    if letter is None:
        text = compose_letter(
            title=frame.title,
            doc_number=frame.doc_number,
            salutation=frame.salutation,
            preamble=frame.preamble,
            points=[part for _section, part in parts],
            closing=frame.closing,
            signature=frame.signature,
            date=frame.date,
        )
        units = _composed_points(text, parts)
        outcomes = {index: section.outcome for index, (section, _part) in enumerate(parts)}
        # written in the suggestion's own section: linked by the person who wrote it
        links = [
            ChosenLink(index, section.suggestion, LinkMethod.MANUAL.value, 1.0)
            for index, (section, _part) in enumerate(parts)
        ]
    else:
        text, units, outcomes = content.pasted, letter.parsed.points, dict(content.point_outcomes)
        links = list(content.links)
    reply = add_reply(
        session=session,
        proposal=proposal,
        frame=frame,
        text=text,
        agency_id=draft.agency_id,
        role=ReplyRole.LEAD.value,
        status=ReplyStatus.ISSUED.value,
        outcome=content.outcome,
        header_fields=letter.parsed.fields if letter else {},
        issued_at=now,
    )
    points = store_points(session=session, reply=reply, units=units, outcomes=outcomes)

    answering: dict[int, list[int]] = {}  # suggestion id -> indexes of the points answering it
    for chosen in links:
        answering.setdefault(chosen.suggestion, []).append(chosen.point)
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
            for index in list(answering.get(exemption.with_suggestion, [])):
                links.append(ChosenLink(index, exemption.suggestion, LinkMethod.MANUAL.value, 1.0))
                answering.setdefault(exemption.suggestion, []).append(index)
    store_links(session=session, points=points, links=links)
    session.flush()
    return reply
