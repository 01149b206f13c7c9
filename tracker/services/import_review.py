"""The staff review of imported documents: the queue of files waiting for a person (a parse below the
confidence threshold, a reply with no proposal found, conflicting numbers…), one file side by side
with its original text, and the corrections a person makes before it is published: where each
suggestion or reply point starts, which suggestions a point answers, which proposal an unpaired
reply answers; then mark it reviewed, or publish it through the one publication guard.

Rows are written by their one writer (suggestions: proposals.store_suggestions; points: replies.
store_points; a paired letter: replies.record_reply; provenance: import_records). Functions take an
explicit session and flush, never commit: the search index follows after the caller's commit.
"""

from __future__ import annotations

import math
import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy.orm import defer
from sqlmodel import Session, col, func, select

from tracker.domain.boundaries import (
    Choice,
    after_salutation,
    current_choices,
    lines_of,
    read_choices,
    strip_signature,
    units_from_starts,
)
from tracker.domain.messages import N_, Problem, RuleError
from tracker.domain.replies import parse_reply
from tracker.domain.reply_drafting import ChosenLink
from tracker.domain.structure import line_bounds
from tracker.domain.units import Unit
from tracker.models import (
    ImportedFile,
    ImportKind,
    ImportRun,
    ImportState,
    LinkMethod,
    PointLink,
    Proposal,
    Reply,
    ReplyPoint,
    Suggestion,
)
from tracker.services import import_records, oversight
from tracker.services.errors import ForbiddenError, InvalidInput, LockedError, NotFoundError
from tracker.services.proposals import replies_of, store_suggestions, suggestions_of
from tracker.services.replies import current_reply, proposed_links, record_reply, store_links, store_points
from tracker.services.visibility import Viewer

REVIEW = ImportState.REVIEW.value
PROPOSAL_SIDE, REPLY_SIDE = "proposal", "reply"
SIDES = (PROPOSAL_SIDE, REPLY_SIDE)
CANDIDATE_LIMIT = 20


def _staff(actor: Viewer) -> None:
    if not actor.sees_all:
        raise ForbiddenError(N_("Only the committee office reviews imported documents."))


# -- the queue -----------------------------------------------------------------------------------------


@dataclass
class QueueRow:
    imported: ImportedFile
    proposal: Proposal | None
    reply: Reply | None

    @property
    def codes(self) -> list[str]:
        return [str(r.get("code", "")) for r in self.imported.reasons or []]


@dataclass
class Queue:
    rows: list[QueueRow]
    total: int  # files matching the filters
    page: int
    page_size: int
    waiting: int  # every file in review, whatever the filters
    reasons: dict[str, int] = field(default_factory=dict)  # reason code -> files in review with it
    kinds: dict[str, int] = field(default_factory=dict)
    runs: list[tuple[ImportRun, int]] = field(default_factory=list)  # newest run first

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / self.page_size))

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages


def waiting_count(*, session: Session) -> int:
    """Files waiting for a person, for the review tabs."""
    return session.exec(
        select(func.count()).select_from(ImportedFile).where(ImportedFile.state == REVIEW)
    ).one()


def queue(
    *,
    session: Session,
    reason: str | None = None,
    kind: str | None = None,
    run_id: int | None = None,
    page: int = 1,
    page_size: int = 20,
) -> Queue:
    """Files in review, oldest first, narrowed by reason code, kind and run, with the counts of each."""
    # The reasons are a JSON list: read the queue's small columns and filter here (the texts stay in
    # the database), which works the same on SQLite and PostgreSQL.
    facts = session.exec(
        select(ImportedFile.id, ImportedFile.kind, ImportedFile.run_id, ImportedFile.reasons)
        .where(ImportedFile.state == REVIEW)
        .order_by(col(ImportedFile.imported_at), col(ImportedFile.id))
    ).all()
    reasons: dict[str, int] = {}
    kinds: dict[str, int] = {}
    runs: dict[int, int] = {}
    chosen: list[int] = []
    for file_id, file_kind, file_run, file_reasons in facts:
        codes = list(dict.fromkeys(str(r.get("code", "")) for r in file_reasons or []))
        for code in codes:
            reasons[code] = reasons.get(code, 0) + 1
        kinds[file_kind] = kinds.get(file_kind, 0) + 1
        if file_run is not None:
            runs[file_run] = runs.get(file_run, 0) + 1
        if (
            (reason is None or reason in codes)
            and (kind is None or kind == file_kind)
            and (run_id is None or run_id == file_run)
        ):
            chosen.append(file_id)
    pages = max(1, math.ceil(len(chosen) / page_size))
    page = min(max(page, 1), pages)
    shown = chosen[(page - 1) * page_size : page * page_size]
    files = {
        f.id: f
        for f in session.exec(
            select(ImportedFile).where(col(ImportedFile.id).in_(shown)).options(defer(ImportedFile.text))  # type: ignore[arg-type]
        ).all()
    }
    rows = []
    for file_id in shown:
        f = files[file_id]
        rows.append(
            QueueRow(
                imported=f,
                proposal=session.get(Proposal, f.proposal_id) if f.proposal_id else None,
                reply=session.get(Reply, f.reply_id) if f.reply_id else None,
            )
        )
    run_rows = session.exec(select(ImportRun).where(col(ImportRun.id).in_(list(runs)))).all()
    return Queue(
        rows=rows,
        total=len(chosen),
        page=page,
        page_size=page_size,
        waiting=len(facts),
        reasons=dict(sorted(reasons.items())),
        kinds=kinds,
        runs=[(r, runs[r.id or 0]) for r in sorted(run_rows, key=lambda r: -(r.id or 0))],
    )


# -- one file --------------------------------------------------------------------------------------------


@dataclass
class LineRow:
    number: int
    start: int
    text: str
    choice: str  # Choice value: what the line starts now (or as typed in a form that failed)
    part: int | None = None  # the index (1-based) of the stored part that starts on this line


@dataclass
class LinkRow:
    suggestion_id: int
    method: str
    confidence: float


@dataclass
class PartRow:
    n: int | None
    marker: str | None
    title: str
    text: str
    start: int
    end: int
    row_id: int | None = None  # the Suggestion or ReplyPoint (None for a parse not stored yet)
    links: list[LinkRow] = field(default_factory=list)  # a reply point's suggestions

    @property
    def linked(self) -> set[int]:
        return {ln.suggestion_id for ln in self.links}


@dataclass
class Side:
    """One document of the file (the proposal, or the reply letter) beside its parts."""

    kind: str  # PROPOSAL_SIDE or REPLY_SIDE
    text: str
    lines: list[LineRow]
    parts: list[PartRow]
    head: str  # background (proposal) or preamble (reply)
    tail: str  # closing
    stored: bool  # False for an unpaired reply: its parse, not rows


@dataclass
class FileReview:
    imported: ImportedFile
    run: ImportRun | None
    proposal: Proposal | None
    reply: Reply | None
    sides: list[Side]
    suggestions: list[Suggestion]  # the proposal's top-level suggestions, for the link ticks
    candidates: list[Proposal] = field(default_factory=list)  # for pairing an unpaired reply
    candidate_query: dict[str, object] = field(default_factory=dict)  # what the candidates were found by

    @property
    def unpaired(self) -> bool:
        return self.imported.kind in (ImportKind.REPLY.value, ImportKind.BOTH.value) and self.reply is None

    @property
    def in_review(self) -> bool:
        return self.imported.state == REVIEW

    def side(self, kind: str) -> Side | None:
        return next((s for s in self.sides if s.kind == kind), None)


def load_file(*, session: Session, file_id: int) -> ImportedFile:
    found = session.get(ImportedFile, file_id)
    if found is None:
        raise NotFoundError(N_("No such imported file."))
    return found


def _line_rows(
    text: str, parts: list[PartRow], closing: bool, typed: Mapping[int, str] | None
) -> list[LineRow]:
    chosen = current_choices(text, [(p.start, p.end) for p in parts], closing)
    first_line = {}
    for index, part in enumerate(parts, start=1):
        first_line.setdefault(line_bounds(text, min(part.start, len(text)))[0], index)
    rows = []
    for line in lines_of(text):
        choice = chosen.get(line.start, Choice.NONE).value if typed is None else typed.get(line.start, "")
        rows.append(LineRow(line.number, line.start, line.text, choice, first_line.get(line.start)))
    return rows


def _proposal_side(session: Session, proposal: Proposal, typed: Mapping[int, str] | None) -> Side:
    parts = [
        PartRow(s.n, s.marker, s.title, s.text, s.start, s.end, row_id=s.id)
        for s in suggestions_of(session=session, proposal_id=proposal.id or 0, top_level=True)
    ]
    text = proposal.original_text
    head = "\n".join(x for x in (proposal.background, proposal.leadin or "") if x)
    return Side(
        PROPOSAL_SIDE,
        text,
        _line_rows(text, parts, bool(proposal.closing), typed),
        parts,
        head,
        proposal.closing,
        True,
    )


def _points(session: Session, reply: Reply) -> list[ReplyPoint]:
    return list(
        session.exec(
            select(ReplyPoint)
            .where(ReplyPoint.reply_id == reply.id, col(ReplyPoint.parent_id).is_(None))
            .order_by(col(ReplyPoint.position))
        ).all()
    )


def _reply_side(session: Session, reply: Reply, typed: Mapping[int, str] | None) -> Side:
    points = _points(session, reply)
    links: dict[int, list[LinkRow]] = {}
    for ln in session.exec(
        select(PointLink).where(col(PointLink.reply_point_id).in_([p.id for p in points]))
    ).all():
        links.setdefault(ln.reply_point_id, []).append(LinkRow(ln.suggestion_id, ln.method, ln.confidence))
    parts = [
        PartRow(p.n, p.marker, p.heading, p.text, p.start, p.end, row_id=p.id, links=links.get(p.id or 0, []))
        for p in points
    ]
    text = reply.original_text
    after_last = text[max((p.end for p in parts), default=len(text)) :].strip()
    return Side(
        REPLY_SIDE,
        text,
        _line_rows(text, parts, bool(after_last), typed),
        parts,
        reply.preamble,
        reply.closing,
        True,
    )


def _parsed_side(text: str) -> Side:
    """An unpaired reply: the parse kept with the file, shown so staff can tell which proposal it answers."""
    parsed = parse_reply(text)
    parts = [PartRow(u.n, u.marker, u.title, u.text, u.start, u.end) for u in parsed.points]
    return Side(
        REPLY_SIDE,
        text,
        _line_rows(text, parts, bool(parsed.closing), None),
        parts,
        parsed.preamble,
        parsed.closing,
        False,
    )


# "关于加快发展电子商务的提案的答复" quotes the proposal's title
_QUOTED_TITLE = re.compile(r"关于(.{4,60}?)的?(?:提案|建议)(?:的答复|的复函|答复)")


def default_query(imported: ImportedFile) -> dict[str, object]:
    """What to look for a reply's proposal by at first: the 案号 the import found, the title it quotes."""
    query: dict[str, object] = {}
    number = (imported.found or {}).get("number")
    if isinstance(number, Mapping) and isinstance(number.get("value"), int):
        query["number"] = number["value"]
    meeting = (imported.found or {}).get("session")
    if isinstance(meeting, Mapping) and isinstance(meeting.get("id"), int):
        query["meeting_id"] = meeting["id"]
    m = _QUOTED_TITLE.search(parse_reply(imported.text).title or imported.text[:300])
    if m:
        query["title"] = m.group(1).strip('“”"')
    return query


def pairing_candidates(
    *, session: Session, meeting_id: int | None = None, number: int | None = None, title: str | None = None
) -> list[Proposal]:
    """Proposals a reply may answer: by session and 案号, by words of the title, or both."""
    title = (title or "").strip()
    if meeting_id is None and number is None and not title:
        return []
    stmt = select(Proposal)
    if meeting_id is not None:
        stmt = stmt.where(Proposal.meeting_id == meeting_id)
    if number is not None:
        stmt = stmt.where(Proposal.number == number)
    for word in title.split()[:5]:
        stmt = stmt.where(col(Proposal.title).contains(word[:100], autoescape=True))
    stmt = stmt.order_by(col(Proposal.meeting_id).desc(), col(Proposal.number), col(Proposal.id))
    return list(session.exec(stmt.limit(CANDIDATE_LIMIT)).all())


def file_review(
    *,
    session: Session,
    file_id: int,
    typed: Mapping[str, Mapping[int, str]] | None = None,
    query: Mapping[str, object] | None = None,
) -> FileReview:
    """One file with its parts beside the original text. ``typed``: the line choices of a boundary form
    that failed, per side, shown instead of the stored ones; ``query``: the pairing search."""
    imported = load_file(session=session, file_id=file_id)
    proposal = session.get(Proposal, imported.proposal_id) if imported.proposal_id else None
    reply = session.get(Reply, imported.reply_id) if imported.reply_id else None
    if proposal is None and reply is not None:
        proposal = session.get(Proposal, reply.proposal_id)
    typed = typed or {}
    sides: list[Side] = []
    if proposal is not None and imported.kind in (ImportKind.PROPOSAL.value, ImportKind.BOTH.value):
        sides.append(_proposal_side(session, proposal, typed.get(PROPOSAL_SIDE)))
    if reply is not None:
        sides.append(_reply_side(session, reply, typed.get(REPLY_SIDE)))
    elif imported.kind == ImportKind.REPLY.value:
        sides.append(_parsed_side(imported.text))
    review = FileReview(
        imported=imported,
        run=session.get(ImportRun, imported.run_id) if imported.run_id else None,
        proposal=proposal,
        reply=reply,
        sides=sides,
        suggestions=suggestions_of(session=session, proposal_id=proposal.id or 0, top_level=True)
        if proposal
        else [],
    )
    if review.unpaired:
        review.candidate_query = dict(query) if query is not None else default_query(imported)
        q = review.candidate_query
        review.candidates = pairing_candidates(
            session=session,
            meeting_id=q.get("meeting_id") if isinstance(q.get("meeting_id"), int) else None,  # type: ignore[arg-type]
            number=q.get("number") if isinstance(q.get("number"), int) else None,  # type: ignore[arg-type]
            title=str(q.get("title") or ""),
        )
    return review


# -- corrections -----------------------------------------------------------------------------------------


def _rule(error: RuleError) -> InvalidInput:
    return InvalidInput.from_rule(error)


def _delete_points(session: Session, reply: Reply) -> None:
    # Sub-points stand after their parent: deleted last-first, one at a time, so no parent goes before
    # its children (the database's cascade would delete them behind the session). Their links cascade.
    points = session.exec(
        select(ReplyPoint).where(ReplyPoint.reply_id == reply.id).order_by(col(ReplyPoint.position).desc())
    ).all()
    for point in points:
        session.delete(point)
        session.flush()


def _as_unit(point: ReplyPoint) -> Unit:
    return Unit(
        n=point.n, marker=point.marker, title=point.heading, text=point.text, start=point.start, end=point.end
    )


def _relink(session: Session, reply: Reply, points: list[ReplyPoint]) -> None:
    """Link the letter's points afresh with the core linker (the suggestions or points changed)."""
    for ln in session.exec(
        select(PointLink).where(col(PointLink.reply_point_id).in_([p.id for p in points]))
    ).all():
        session.delete(ln)
    session.flush()
    suggestions = suggestions_of(session=session, proposal_id=reply.proposal_id, top_level=True)
    store_links(
        session=session, points=points, links=proposed_links([_as_unit(p) for p in points], suggestions)
    )
    session.flush()


def correct_boundaries(
    *, session: Session, file_id: int, side: str, choices: Mapping[int, str], actor: Viewer, now: datetime
) -> FileReview:
    """Rebuild one side's parts from the lines a person marked. The proposal's suggestions (or the
    reply's points) are replaced, and every reply point of the proposal is linked afresh by the linker,
    since the parts it was linked to are new; links are then corrected on their own."""
    _staff(actor)
    review = file_review(session=session, file_id=file_id)
    target = review.side(side)
    if target is None or not target.stored:
        raise InvalidInput([Problem("side", N_("This file has no stored parts of that kind to correct."))])
    try:
        starts, closing = read_choices(choices)
        rebuilt = units_from_starts(target.text, starts, closing)
    except RuleError as error:
        raise _rule(error) from None
    if side == PROPOSAL_SIDE:
        proposal = review.proposal
        assert proposal is not None  # a stored proposal side has its proposal
        head, leadin = rebuilt.head, proposal.leadin
        if leadin and head.endswith(leadin):
            head = head[: -len(leadin)].strip()  # the lead-in stays a lead-in, not background
        else:
            leadin = None
        proposal.background, proposal.leadin, proposal.closing = head, leadin, rebuilt.tail
        session.add(proposal)
        store_suggestions(session=session, proposal=proposal, units=rebuilt.units)
        for reply in replies_of(session=session, proposal_id=proposal.id or 0):
            _relink(session, reply, _points(session, reply))
    else:
        reply = review.reply
        assert reply is not None
        reply.preamble = after_salutation(rebuilt.head, reply.salutation)
        reply.closing = strip_signature(rebuilt.tail, signature=reply.signature, date=reply.date_text or "")
        session.add(reply)
        _delete_points(session, reply)
        _relink(session, reply, store_points(session=session, reply=reply, units=rebuilt.units))
    import_records.note_correction(
        session=session,
        imported=review.imported,
        what=f"{side} boundaries",
        reviewer_id=actor.user_id,
        now=now,
    )
    return file_review(session=session, file_id=file_id)


def correct_links(
    *, session: Session, file_id: int, chosen: Mapping[int, Collection[int]], actor: Viewer, now: datetime
) -> FileReview:
    """Set which suggestions each point of the reply answers (a point not named answers none). A link
    kept keeps how it was found; a link added is the person's (method manual)."""
    _staff(actor)
    review = file_review(session=session, file_id=file_id)
    reply, target = review.reply, review.side(REPLY_SIDE)
    if reply is None or target is None:
        raise InvalidInput([Problem("links", N_("This file has no reply whose links could be corrected."))])
    points = {p.row_id: p for p in target.parts}
    suggestion_ids = {s.id for s in review.suggestions}
    if any(p not in points for p in chosen) or any(
        s not in suggestion_ids for v in chosen.values() for s in v
    ):
        raise InvalidInput([Problem("links", N_("A ticked point or suggestion is not part of this reply."))])
    existing = {
        (ln.reply_point_id, ln.suggestion_id): ln
        for ln in session.exec(select(PointLink).where(col(PointLink.reply_point_id).in_(list(points)))).all()
    }
    wanted = {(p, s) for p, ids in chosen.items() for s in ids}
    gone = [ln for key, ln in existing.items() if key not in wanted]
    for ln in gone:
        session.delete(ln)
    rows = _points(session, reply)
    index = {p.id: i for i, p in enumerate(rows)}
    added = [
        ChosenLink(index[point_id], suggestion_id, LinkMethod.MANUAL.value, 1.0)
        for point_id, suggestion_id in sorted(wanted - set(existing))
    ]
    store_links(session=session, points=rows, links=added)
    changed = bool(gone or added)
    if changed:
        # Links are not in the search index, and the proposal page (not kept by the page cache)
        # reads them afresh: nothing else to renew.
        import_records.note_correction(
            session=session, imported=review.imported, what="links", reviewer_id=actor.user_id, now=now
        )
    session.flush()
    return file_review(session=session, file_id=file_id)


def pair(*, session: Session, file_id: int, proposal_id: int, actor: Viewer, now: datetime) -> Reply:
    """Record an unpaired reply for the proposal a person chose, through the one reply service (parsed
    and linked like every letter); the file stays in review so its parts and links can be checked."""
    _staff(actor)
    review = file_review(session=session, file_id=file_id)
    if not review.unpaired:
        raise LockedError(N_("This file is not a reply waiting for its proposal."))
    proposal = session.get(Proposal, proposal_id)
    if proposal is None:
        raise InvalidInput([Problem("proposal", N_("Choose the proposal this reply answers."))])
    if current_reply(session=session, proposal_id=proposal.id or 0) is not None:
        raise InvalidInput(
            [
                Problem(
                    "proposal",
                    N_("That proposal already has a reply in force; choose the one this letter answers."),
                )
            ]
        )
    reply = record_reply(session=session, proposal=proposal, text=review.imported.text)
    import_records.pair_reply(session=session, imported=review.imported, reply=reply)
    import_records.note_correction(
        session=session, imported=review.imported, what="paired", reviewer_id=actor.user_id, now=now
    )
    return reply


def mark_reviewed(*, session: Session, file_id: int, actor: Viewer, now: datetime) -> ImportedFile:
    """The person checked the parts: the file leaves the queue (publication stays a step of its own)."""
    _staff(actor)
    review = file_review(session=session, file_id=file_id)
    if review.unpaired:
        raise LockedError(N_("Pair the reply with its proposal first."))
    if not review.in_review:
        raise LockedError(N_("This file was already reviewed."))
    import_records.mark_reviewed(
        session=session, imported=review.imported, reviewer_id=actor.user_id, now=now
    )
    return review.imported


def publish(*, session: Session, file_id: int, actor: Viewer, now: datetime) -> Proposal:
    """Publish the file's proposal with its reply, by the publication guard every proposal goes
    through; publishing says the person checked it, so a file still in review is marked reviewed."""
    _staff(actor)
    review = file_review(session=session, file_id=file_id)
    if review.proposal is None:
        raise LockedError(N_("Pair the reply with its proposal first."))
    proposal = oversight.publish(session=session, proposal_id=review.proposal.id or 0, actor=actor, now=now)
    if review.in_review:
        import_records.mark_reviewed(
            session=session, imported=review.imported, reviewer_id=actor.user_id, now=now
        )
    return proposal
