"""Importing an office's archive (issue 13): plan a run (read every file once, classify it, note its
session and 案号), then import one document at a time through the same services as the forms
(record_proposal, record_reply, record_reference) and record its provenance (import_records).

These functions never commit: the driver (tracker/importing.py) gives each document its own
transaction, so a failing or killed run leaves every finished document whole and every unfinished
one absent; a second run finds the finished ones by their content hash and creates nothing.

Choices where the issue is silent (README, "Importing the archive"):
- The manifest is the office's own register: where it and the text disagree on a 案号, the manifest's
  number is used and the file goes to review with both numbers.
- A 案号 already taken in its session by another proposal: the proposal is stored without a number
  and goes to review (its text is kept; staff give it the right number).
- A reply that pairs with no proposal has no Reply row (a reply needs its proposal): its text and
  parse wait in imported_file (kind reply, no reply_id) for staff to pair.
- Nothing imported is public unless the manifest says 公开 and nothing about it needs review.
- A file that is none of proposal, reply, both or policy is refused as not recognised.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlmodel import Session, col, select

from tracker.domain import archive
from tracker.domain.archive import CaseRef, DocKind, ManifestRow
from tracker.domain.messages import N_, Problem
from tracker.domain.workflow import ProposalStatus
from tracker.models import ImportRun, Meeting, PointLink, Proposal, Reply, ReplyPoint, Suggestion
from tracker.reading import ReadError, read_document
from tracker.services import import_records, people_import
from tracker.services.errors import InvalidInput
from tracker.services.library import record_reference
from tracker.services.people import get_or_create_agency, get_or_create_meeting, get_or_create_member
from tracker.services.proposals import record_proposal
from tracker.services.replies import record_reply

# Parses (and pairings) below this confidence wait for staff review (config IMPORT_REVIEW_THRESHOLD).
DEFAULT_THRESHOLD = 0.6
# Below this title similarity a reply is not paired at all (it waits unpaired).
PAIR_FLOOR = 0.5


class Outcome:
    CREATED = "created"
    ALREADY = "already imported"
    CHANGED = "changed"
    DUPLICATE = "duplicate"
    REFUSED = "refused"
    FAILED = "failed"


@dataclass
class Source:
    """A file to import: its name under the folder (or .zip) given, and its bytes."""

    name: str
    data: bytes


@dataclass
class Planned:
    """One file after reading and classifying: what it is and what will be done with it."""

    name: str
    content_hash: str
    size: int
    outcome: str = ""  # "" (to import) or Outcome.ALREADY/CHANGED/DUPLICATE/REFUSED
    reason: str = ""  # why it is not imported (one line)
    code: str = ""  # the reader's refusal code, "unrecognised", …
    file_format: str = ""
    encoding: str | None = None
    doc_title: str | None = None
    doc_number: str | None = None
    text: str = ""
    kind: DocKind = DocKind.UNKNOWN
    confidence: float = 0.0
    why: tuple[str, ...] = ()
    split_at: int | None = None
    manifest: ManifestRow | None = None

    @property
    def to_import(self) -> bool:
        return not self.outcome


@dataclass
class Done:
    """What importing one file did (for the summary and the upload page)."""

    name: str
    kind: str
    imported_id: int | None = None
    proposal_id: int | None = None
    reply_id: int | None = None
    document_id: int | None = None
    paired: bool = False
    reasons: list[dict[str, Any]] = field(default_factory=list)


def content_hash(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def read_manifest(data: bytes) -> list[ManifestRow]:
    """A manifest's rows: .xlsx or CSV in UTF-8/GBK, read like the people import's spreadsheets.
    InvalidInput when it cannot be read or has no 文件 (file) column."""
    table = people_import.read_table(data)
    try:
        return archive.manifest_rows(table)
    except ValueError as error:
        raise InvalidInput([Problem("manifest", N_("The manifest has no 文件 (file) column."))]) from error


def read_one(name: str, data: bytes) -> tuple[str, dict[str, Any]]:
    """Read and classify one file (picklable, so a process pool can run it): (name, facts)."""
    try:
        doc = read_document(data, name)
    except ReadError as error:
        return name, {"error": str(error), "code": error.code}
    except Exception as error:  # a reader's library tripping on a malformed file: refuse that file only
        return name, {"error": f"{name}: the file cannot be read ({type(error).__name__})", "code": "damaged"}
    found = archive.classify(doc.text)
    return name, {
        "format": doc.format,
        "encoding": doc.encoding,
        "title": doc.title,
        "doc_number": doc.doc_number,
        "text": doc.text,
        "kind": found.kind.value,
        "confidence": found.confidence,
        "why": list(found.why),
        "split_at": found.split_at,
    }


def plan(
    *,
    session: Session,
    sources: Iterable[Source],
    manifest: Sequence[ManifestRow] = (),
    reader: Callable[[list[tuple[str, bytes]]], Iterable[tuple[str, dict[str, Any]]]] | None = None,
) -> list[Planned]:
    """Read every new file once and classify it; files seen before are settled by their hash
    alone (already imported, or changed since under the same name) without being read."""
    lookup = archive.manifest_lookup(manifest)
    planned: list[Planned] = []
    to_read: list[tuple[str, bytes]] = []
    seen: dict[str, str] = {}
    for source in sources:
        digest = content_hash(source.data)
        item = Planned(name=source.name, content_hash=digest, size=len(source.data))
        item.manifest = archive.manifest_row_for(lookup, source.name)
        planned.append(item)
        if digest in seen:
            item.outcome, item.reason = Outcome.DUPLICATE, f"the same file as {seen[digest]}"
            continue
        seen[digest] = source.name
        earlier = import_records.find_by_hash(session=session, content_hash=digest)
        if earlier is not None:
            item.outcome, item.reason = Outcome.ALREADY, f"imported before as {earlier.source_name}"
            continue
        previous = import_records.latest_from_source(session=session, source_name=source.name)
        if previous is not None:
            item.outcome = Outcome.CHANGED
            item.reason = "the file changed since it was imported; the imported version is kept"
            continue
        to_read.append((source.name, source.data))
    results = dict(reader(to_read) if reader else (read_one(n, d) for n, d in to_read))
    for item in planned:
        facts = results.get(item.name) if item.to_import else None
        if facts is None:
            continue
        if "error" in facts:
            item.outcome, item.reason, item.code = Outcome.REFUSED, facts["error"], facts["code"]
            continue
        item.file_format, item.encoding = facts["format"], facts["encoding"]
        item.doc_title, item.doc_number, item.text = facts["title"], facts["doc_number"], facts["text"]
        item.kind = DocKind(facts["kind"])
        item.confidence, item.why, item.split_at = facts["confidence"], tuple(facts["why"]), facts["split_at"]
        row = item.manifest
        if row and row.kind and item.kind is not DocKind.BOTH and row.kind != item.kind.value:
            # the office says what the file is: believe it, and keep what the text suggested
            item.why += (f"manifest: {row.kind}",)
            item.kind, item.confidence = DocKind(row.kind), 1.0
        if item.kind is DocKind.UNKNOWN:
            item.outcome, item.code = Outcome.REFUSED, "unrecognised"
            item.reason = f"{item.name}: not recognised as a proposal, a reply or a policy document"
    return planned


def import_order(planned: Sequence[Planned]) -> list[Planned]:
    """Proposals (and files holding both) first, so replies find their proposals; then policy
    documents, then replies. Within a kind, by name, so every run goes the same way."""
    rank = {DocKind.PROPOSAL: 0, DocKind.BOTH: 0, DocKind.POLICY: 1, DocKind.REPLY: 2}
    todo = [p for p in planned if p.to_import]
    return sorted(todo, key=lambda p: (rank.get(p.kind, 3), p.name))


# -- sessions ------------------------------------------------------------------------------------


def _meeting_key(meeting: Meeting) -> tuple[int, int] | None:
    for text in (meeting.short_name, meeting.name, f"{meeting.term or ''}{meeting.sitting or ''}"):
        key = archive.session_key(text or "")
        if key:
            return key
    return None


def find_session(*, session: Session, name: str) -> Meeting | None:
    """A session by its full or short name, or by the 届/次 its name states (十届三次)."""
    name = name.strip()
    if not name:
        return None
    exact = session.exec(
        select(Meeting).where((Meeting.name == name) | (Meeting.short_name == name)).order_by(col(Meeting.id))
    ).first()
    if exact is not None:
        return exact
    key = archive.session_key(name)
    if key is None:
        return None
    for meeting in session.exec(select(Meeting).order_by(col(Meeting.id))).all():
        if _meeting_key(meeting) == key:
            return meeting
    return None


def _session_for(
    session: Session, phrase: str, year: int | None, default: Meeting | None
) -> tuple[Meeting | None, str]:
    """The session a phrase names (an existing one, or a new one with that name); else the run's."""
    if phrase:
        found = find_session(session=session, name=phrase)
        if found is not None:
            return found, "matched"
        if archive.session_key(phrase):
            body = "人大" if "人大" in phrase else "政协"
            return get_or_create_meeting(session=session, body=body, name=phrase, year=year), "new"
    if default is not None:
        return session.get(Meeting, default.id), "run option"
    return None, ""


# -- one document --------------------------------------------------------------------------------


def _reason(code: str, detail: str) -> dict[str, str]:
    return {"code": code, "detail": detail}


def _number_choice(
    item: Planned, text_ref: CaseRef | None, name_ref: CaseRef | None
) -> tuple[CaseRef | None, list[dict[str, str]]]:
    """The 案号 to use: the manifest's, else the text's, else the file name's; a disagreement
    between the manifest and the text goes to review."""
    reasons = []
    row = item.manifest
    if row and row.number is not None:
        chosen = CaseRef(row.number, row.session, None, "manifest", 1.0)
        if text_ref and text_ref.number is not None and text_ref.number != row.number:
            reasons.append(
                _reason(
                    "number_conflict",
                    f"the manifest says No. {row.number}, the text says No. {text_ref.number}",
                )
            )
        return chosen, reasons
    for ref in (text_ref, name_ref):
        if ref and ref.number is not None:
            return ref, reasons
    return None, reasons


def _found(value: Any, how: str, confidence: float, **more: Any) -> dict[str, Any]:
    return {"value": value, "how": how, "confidence": round(confidence, 4), **more}


def _publish(item: Planned, reasons: Sequence[Mapping[str, Any]]) -> datetime | None:
    if item.manifest and item.manifest.public and not reasons:
        return datetime.now(UTC)
    return None


@dataclass
class RunContext:
    """What every document of a run shares."""

    run: ImportRun | None
    default_session: Meeting | None = None
    threshold: float = DEFAULT_THRESHOLD
    replied_cases: set[tuple[tuple[int, int] | None, int]] = field(default_factory=set)
    # (id, title) of the proposals in a session (None: all), read once while replies are paired;
    # dropped whenever a proposal is stored
    titles: dict[int | None, list[tuple[int, str]]] = field(default_factory=dict)


def _titles(session: Session, ctx: RunContext, meeting: Meeting | None) -> list[tuple[int, str]]:
    key = meeting.id if meeting is not None else None
    if key not in ctx.titles:
        stmt = select(Proposal.id, Proposal.title)
        if meeting is not None:
            stmt = stmt.where(Proposal.meeting_id == meeting.id)
        ctx.titles[key] = [(pid, title) for pid, title in session.execute(stmt)]
    return ctx.titles[key]


def _store_proposal(
    session: Session, item: Planned, text: str, ctx: RunContext, found: dict[str, Any], reasons: list
) -> Proposal:
    head = archive.proposal_head(text)
    body = text[head.body_start :].strip() or text
    row = item.manifest
    text_ref = archive.case_in_text(text)
    name_ref = archive.case_in_name(item.name)
    chosen, number_reasons = _number_choice(item, text_ref, name_ref)
    reasons += number_reasons
    phrase = (
        (row.session if row and row.session else "")
        or head.fields.get("届次", "")
        or head.fields.get("会议", "")
        or (text_ref.session if text_ref else "")
        or (name_ref.session if name_ref else "")
    )
    meeting, how = _session_for(session, phrase, chosen.year if chosen else None, ctx.default_session)
    if meeting is not None:
        found["session"] = _found(meeting.name or meeting.short_name, how, 1.0, id=meeting.id)
    number = chosen.number if chosen else None
    if number is not None:
        found["number"] = _found(number, chosen.how, chosen.confidence)
        clash = session.exec(
            select(Proposal.id).where(
                col(Proposal.meeting_id).is_(None) if meeting is None else Proposal.meeting_id == meeting.id,
                Proposal.number == number,
            )
        ).first()
        if clash is not None:
            reasons.append(
                _reason("number_taken", f"No. {number} is already proposal #{clash} of this session")
            )
            found["number"]["taken_by"] = clash
            number = None
    if row and row.title:
        title, title_how, title_conf = row.title, "manifest", 1.0
    elif head.title:
        title, title_how, title_conf = head.title, "text", 0.95
    elif item.doc_title:
        title, title_how, title_conf = item.doc_title, "document title", 0.9
    else:
        first = next((ln.strip() for ln in body.split("\n") if ln.strip()), item.name)
        title, title_how, title_conf = first[:60], "first line", 0.4
        reasons.append(_reason("no_title", "the file states no title; its first line stands for it"))
    found["title"] = _found(title, title_how, title_conf)
    proposer_name = (
        (row.proposer if row else "") or head.fields.get("提案人") or head.fields.get("领衔人", "")
    )
    proposer = get_or_create_member(session=session, name=proposer_name) if proposer_name else None
    if proposer_name:
        found["proposer"] = _found(proposer_name, "manifest" if row and row.proposer else "text", 1.0)
    cosigner_names = (row.cosigners if row and row.cosigners else []) or [
        n
        for n in re.split(r"[、，,；;\s]+", head.fields.get("联名人", "") or head.fields.get("附议人", ""))
        if n
    ]
    category = (row.category if row else "") or head.fields.get("类别") or head.fields.get("提案类别") or None
    key = archive.session_key(phrase) if phrase else None
    replied = bool(row and (row.replied_on or row.outcome)) or (
        number is not None and (key, number) in ctx.replied_cases
    )
    status = (
        ProposalStatus.REPLIED
        if replied or item.kind is DocKind.BOTH
        else ProposalStatus.ACCEPTED
        if number is not None
        else ProposalStatus.SUBMITTED
    )
    ctx.titles.clear()
    proposal = record_proposal(
        session=session,
        text=body,
        title=title,
        number=number,
        meeting=meeting,
        proposer=proposer,
        cosigners=[get_or_create_member(session=session, name=n) for n in cosigner_names],
        category=category,
        status=status.value,
        submitted_on=row.submitted_on if row else None,
        accepted_on=row.accepted_on if row else None,
        published_at=None,  # set below once the parse is judged
    )
    suggestions = session.exec(
        select(Suggestion.id).where(
            Suggestion.proposal_id == proposal.id, col(Suggestion.parent_id).is_(None)
        )
    ).all()
    parse_conf = 1.0 if suggestions else 0.3
    found["suggestions"] = _found(len(suggestions), "splitter", parse_conf)
    if not suggestions:
        reasons.append(_reason("no_suggestions", "no suggestions were found in the proposal"))
    if row and row.lead_agency:
        found["agencies"] = _found({"lead": row.lead_agency, "co": row.co_agencies}, "manifest", 1.0)
    return proposal


def _pair(
    session: Session, item: Planned, text: str, ctx: RunContext, found: dict[str, Any], reasons: list
) -> Proposal | None:
    """The proposal a reply answers: by session + 案号 (manifest, text, file name), else by the title it
    quotes, else by title similarity (the score is kept)."""
    row = item.manifest
    text_ref = archive.case_in_text(text)
    name_ref = archive.case_in_name(item.name)
    chosen, number_reasons = _number_choice(item, text_ref, name_ref)
    reasons += number_reasons
    phrase = (row.session if row and row.session else "") or (text_ref.session if text_ref else "")
    phrase = phrase or (name_ref.session if name_ref else "")
    meeting: Meeting | None = None
    if phrase:
        meeting = find_session(session=session, name=phrase)
    elif ctx.default_session is not None:
        meeting = session.get(Meeting, ctx.default_session.id)
    quoted = archive.quoted_title(text) or (row.title if row and row.title else None)
    where = [Proposal.meeting_id == meeting.id] if meeting is not None else []
    scope = select(Proposal).where(*where)
    if chosen is not None and chosen.number is not None and (meeting is not None or not phrase):
        hits = session.exec(scope.where(Proposal.number == chosen.number).order_by(col(Proposal.id))).all()
        if len(hits) == 1:
            proposal = hits[0]
            score = archive.title_similarity(quoted, proposal.title) if quoted else None
            found["pairing"] = _found(
                proposal.id, f"session and number ({chosen.how})", chosen.confidence if meeting else 0.8
            )
            if score is not None and score < PAIR_FLOOR:
                reasons.append(
                    _reason(
                        "title_mismatch",
                        f"No. {chosen.number} is “{proposal.title}”, the letter quotes “{quoted}”",
                    )
                )
            if meeting is None:
                reasons.append(_reason("session_unknown", f"paired by No. {chosen.number} without a session"))
            return proposal
        if len(hits) > 1:
            reasons.append(_reason("ambiguous", f"No. {chosen.number} exists in {len(hits)} sessions"))
    if quoted:
        core = archive.title_core(quoted)
        pool = _titles(session, ctx, meeting)
        exact = [pid for pid, title in pool if archive.title_core(title) == core]
        if len(exact) == 1:
            found["pairing"] = _found(exact[0], "quoted title", 0.95)
            return session.get(Proposal, exact[0])
        candidates = archive.pairing_candidates(quoted, list(pool), floor=PAIR_FLOOR)
        best = archive.clear_winner(candidates)
        if best is not None:
            found["pairing"] = _found(best.key, "title similarity", best.score, score=best.score)
            if best.score < ctx.threshold:
                reasons.append(_reason("weak_pairing", f"paired by a title similarity of {best.score:.2f}"))
            return session.get(Proposal, best.key)
        if candidates:
            found["pairing"] = {
                "value": None,
                "how": "title similarity",
                "candidates": [{"proposal_id": c.key, "score": c.score} for c in candidates],
            }
    reasons.append(_reason("unpaired", "no proposal with its session and number or its title was found"))
    return None


def _fill_from_manifest(session: Session, reply: Reply, item: Planned, found: dict[str, Any]) -> None:
    """What the letter does not state and the manifest does: its class (办复类别) and its date. What
    the letter states stays; the manifest's differing value is kept in ``found``."""
    row = item.manifest
    if row is None:
        return
    if row.outcome:
        if reply.outcome is None:
            reply.outcome = row.outcome
            found["outcome"] = _found(row.outcome, "manifest", 1.0)
        elif reply.outcome != row.outcome:
            found["outcome"] = _found(reply.outcome, "letter", 1.0, manifest=row.outcome)
    if row.replied_on:
        if reply.date_on is None:
            reply.date_on = row.replied_on
            found["replied_on"] = _found(row.replied_on.isoformat(), "manifest", 1.0)
        elif reply.date_on != row.replied_on:
            found["replied_on"] = _found(
                reply.date_on.isoformat(), "letter", 1.0, manifest=row.replied_on.isoformat()
            )
    session.add(reply)
    session.flush()


def _reply_confidence(session: Session, reply: Reply, found: dict[str, Any], reasons: list) -> float:
    points = session.exec(
        select(ReplyPoint.id).where(ReplyPoint.reply_id == reply.id, col(ReplyPoint.parent_id).is_(None))
    ).all()
    linked = set(
        session.exec(select(PointLink.reply_point_id).where(col(PointLink.reply_point_id).in_(points))).all()
    )
    if not points:
        confidence = 0.3
        reasons.append(_reason("no_points", "no numbered points were found in the reply"))
    else:
        confidence = len(linked) / len(points)
    found["points"] = _found(len(points), "reply parser", confidence, linked=len(linked))
    return confidence


def import_document(*, session: Session, item: Planned, ctx: RunContext) -> Done:
    """Import one planned file in the caller's transaction; never commits."""
    found: dict[str, Any] = {
        "kind": _found(item.kind.value, "classifier", item.confidence, why=list(item.why)),
        "format": {"value": item.file_format, "encoding": item.encoding},
    }
    if item.manifest:
        found["manifest_row"] = item.manifest.row
        reasons: list[dict[str, str]] = [
            _reason("manifest", f"row {item.manifest.row}: {p}") for p in item.manifest.problems
        ]
    else:
        reasons = []
    confidences = [item.confidence]
    done = Done(item.name, item.kind.value)
    proposal = reply = document = None
    if item.kind is DocKind.POLICY:
        title = item.doc_title or archive.policy_title(item.text) or item.name
        document = record_reference(
            session=session,
            slug=f"import-{item.content_hash[:16]}",
            text=item.text,
            title=title[:200],
            doc_number=item.doc_number,
            source_name=item.name,
        )
        found["title"] = _found(title, "document title" if item.doc_title else "first line", 0.9)
    elif item.kind in (DocKind.PROPOSAL, DocKind.BOTH):
        split = item.split_at if item.kind is DocKind.BOTH and item.split_at else len(item.text)
        proposal = _store_proposal(session, item, item.text[:split], ctx, found, reasons)
        confidences.append(found["suggestions"]["confidence"])
        if item.kind is DocKind.BOTH:
            reply = record_reply(session=session, proposal=proposal, text=item.text[split:])
            _fill_from_manifest(session, reply, item, found)
            found["pairing"] = _found(proposal.id, "same file", 1.0)
            confidences.append(_reply_confidence(session, reply, found, reasons))
            done.paired = True
    else:  # a reply
        text = item.text
        proposal = _pair(session, item, text, ctx, found, reasons)
        if proposal is not None:
            agency_name = item.manifest.lead_agency if item.manifest else ""
            agency = get_or_create_agency(session=session, name=agency_name) if agency_name else None
            reply = record_reply(session=session, proposal=proposal, text=text, agency=agency)
            _fill_from_manifest(session, reply, item, found)
            confidences.append(found["pairing"]["confidence"])
            confidences.append(_reply_confidence(session, reply, found, reasons))
            done.paired = True
    confidence = min(confidences)
    if confidence < ctx.threshold and not any(r["code"] in ("no_suggestions", "no_points") for r in reasons):
        reasons.append(_reason("low_confidence", f"parsed with a confidence of {confidence:.2f}"))
    if proposal is not None and item.kind is not DocKind.REPLY:
        moment = _publish(item, reasons)
        if moment is not None:
            proposal.published_at = moment
            session.add(proposal)
            session.flush()
    imported = import_records.record_imported_file(
        session=session,
        run=ctx.run,
        source_name=item.name,
        content_hash=item.content_hash,
        byte_size=item.size,
        file_format=item.file_format,
        kind=item.kind.value,
        text=item.text,
        confidence=confidence,
        found=found,
        reasons=reasons,
        proposal=proposal,
        reply=reply,
        document=document,
    )
    done.imported_id = imported.id
    done.proposal_id = proposal.id if proposal else None
    done.reply_id = reply.id if reply else None
    done.document_id = document.id if document else None
    done.reasons = reasons
    return done


def replied_cases(planned: Sequence[Planned]) -> set[tuple[tuple[int, int] | None, int]]:
    """(session key, 案号) of every reply planned in this run, so its proposal is stored as replied."""
    cases: set[tuple[tuple[int, int] | None, int]] = set()
    for item in planned:
        if item.kind is not DocKind.REPLY or not item.to_import:
            continue
        chosen, _ = _number_choice(item, archive.case_in_text(item.text), archive.case_in_name(item.name))
        if chosen is None or chosen.number is None:
            continue
        phrase = (item.manifest.session if item.manifest and item.manifest.session else "") or chosen.session
        cases.add((archive.session_key(phrase) if phrase else None, chosen.number))
    return cases


# -- the summary ---------------------------------------------------------------------------------


@dataclass
class Summary:
    files: int = 0
    created: dict[str, int] = field(
        default_factory=lambda: {"proposal": 0, "reply": 0, "both": 0, "policy": 0}
    )
    paired: int = 0
    review: list[dict[str, Any]] = field(default_factory=list)  # {"file", "id", "reasons": [codes]}
    already: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    refused: list[dict[str, str]] = field(default_factory=list)  # {"file", "code", "reason"}
    failed: list[dict[str, str]] = field(default_factory=list)
    dry_run: bool = False

    def add_planned(self, item: Planned) -> None:
        if item.outcome in (Outcome.ALREADY, Outcome.DUPLICATE):
            self.already.append(item.name)
        elif item.outcome == Outcome.CHANGED:
            self.changed.append(item.name)
        elif item.outcome == Outcome.REFUSED:
            self.refused.append({"file": item.name, "code": item.code, "reason": item.reason})

    def add_done(self, done: Done) -> None:
        self.created[done.kind] = self.created.get(done.kind, 0) + 1
        self.paired += int(done.paired)
        if done.reasons:
            self.review.append(
                {"file": done.name, "id": done.imported_id, "reasons": [r["code"] for r in done.reasons]}
            )

    @property
    def created_total(self) -> int:
        return sum(self.created.values())

    def as_dict(self) -> dict[str, Any]:
        return {
            "files": self.files,
            "created": dict(self.created),
            "paired": self.paired,
            "needs_review": self.review,
            "already_imported": self.already,
            "changed": self.changed,
            "refused": self.refused,
            "failed": self.failed,
            "dry_run": self.dry_run,
        }

    def lines(self) -> list[str]:
        """The summary for a person: counts, then one line per file that needs something."""
        made = ", ".join(f"{n} {k}" for k, n in self.created.items() if n) or "nothing"
        out = [
            f"{self.files} files: created {made}; {self.paired} replies paired; {len(self.review)} need review; "
            f"{len(self.already)} skipped as already imported; {len(self.changed)} changed; "
            f"{len(self.refused)} refused; {len(self.failed)} failed"
            + (" (dry run: nothing was saved)" if self.dry_run else "")
        ]
        out += [f"review  {r['file']}: {', '.join(r['reasons'])}" for r in self.review]
        out += [f"changed {name}: not imported (the earlier version is kept)" for name in self.changed]
        out += [f"refused {r['file']}: {r['reason']}" for r in self.refused]
        out += [f"failed  {r['file']}: {r['reason']}" for r in self.failed]
        return out


def error_line(error: BaseException) -> str:
    text = " ".join(str(error).split()) or type(error).__name__
    return text.split(" [SQL:")[0]


__all__ = [
    "DEFAULT_THRESHOLD",
    "Done",
    "Outcome",
    "Planned",
    "RunContext",
    "Source",
    "Summary",
    "import_document",
    "import_order",
    "plan",
    "read_one",
    "replied_cases",
]
