"""The lead agency's reply, drafted in the editor suggestion by suggestion or pasted from a letter
written elsewhere (tracker.services.pasted_letters).

Only the lead agency's staff write the reply and only while the proposal is assigned; the submitted
opinions of the co-handling agencies (tracker.services.co_opinions) are shown beside it. Saving keeps everything typed;
submitting checks the letter (outcome class, every suggestion answered or exempted with a reason),
stores it as a Reply with its points, links and exemptions, locks the draft and moves the proposal to
replied through the workflow. Functions flush and never commit.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime

import sqlalchemy as sa
from sqlmodel import Session, col, select

from tracker.domain.letters import Coverage, chinese_numeral, point_heading
from tracker.domain.messages import N_, Problem
from tracker.domain.reply_drafting import (
    DraftContent,
    Frame,
    Mode,
    Section,
    answered_sections,
    clean_content,
    coverage,
    default_frame,
    exemptions_from_json,
    exemptions_to_json,
    letter_parts,
    limit_problems,
    links_from_json,
    links_to_json,
    pasted_problem,
    sections_from_json,
    sections_to_json,
    session_name,
    submit_problems,
)
from tracker.domain.workflow import Action, Capacity
from tracker.models import (
    Agency,
    Assignment,
    CoOpinion,
    DraftStatus,
    Meeting,
    Member,
    Proposal,
    ProposalStatus,
    Reply,
    ReplyDraft,
    ReplyRole,
    Suggestion,
    Transition,
)
from tracker.services import co_opinions, issuing, workflow
from tracker.services.co_opinions import agency_assignment
from tracker.services.errors import ConflictError, ForbiddenError, InvalidInput, LockedError
from tracker.services.pasted_letters import PastedLetter, letter_for
from tracker.services.proposals import suggestions_of
from tracker.services.visibility import Viewer

# -- who may write --------------------------------------------------------------------------------------


def lead_assignment(*, session: Session, proposal_id: int, actor: Viewer) -> tuple[Proposal, Assignment]:
    """The proposal and the actor's lead assignment; NotFoundError when they may not see it,
    ForbiddenError when their agency is not its lead agency."""
    proposal = workflow.load(session=session, proposal_id=proposal_id, actor=actor)
    own = agency_assignment(session=session, proposal=proposal, actor=actor)
    if own is None:
        raise ForbiddenError(N_("The proposal is not assigned to your agency."))
    if own.role != ReplyRole.LEAD.value:
        raise ForbiddenError(
            N_("Only the lead agency writes the reply; a co-handling agency sends its opinion to it.")
        )
    return proposal, own


def lead_suggestions(*, session: Session, proposal_id: int, actor: Viewer) -> list[Suggestion]:
    """The top-level suggestions the lead agency's reply answers (the refusals of ``lead_assignment``),
    to read a posted form against without building the whole editor."""
    proposal, _own = lead_assignment(session=session, proposal_id=proposal_id, actor=actor)
    return suggestions_of(session=session, proposal_id=proposal.id or 0, top_level=True)


# -- the editor --------------------------------------------------------------------------------------------


@dataclass
class Editor:
    """What the reply editor shows."""

    proposal: Proposal
    proposer: Member | None
    assignment: Assignment
    suggestions: list[Suggestion]
    draft: ReplyDraft | None  # None until first saved
    content: DraftContent
    letter: PastedLetter | None  # the pasted letter as read, when there is one
    coverage: Coverage
    opinions: list[CoOpinion] = field(default_factory=list)  # submitted by co-handling agencies
    waiting_for: list[Agency] = field(default_factory=list)  # co-handling agencies yet to submit
    reopened: Transition | None = None  # why it is open again: the latest send-back or reopening
    reply: Reply | None = None  # the letter submitted from it, while locked

    @property
    def locked(self) -> bool:
        return self.draft is not None and self.draft.status == DraftStatus.SUBMITTED.value

    @property
    def revision(self) -> int:
        return self.draft.revision if self.draft else 0

    @property
    def labels(self) -> dict[int, str]:
        return suggestion_labels(self.suggestions)

    @property
    def headings(self) -> dict[int, str]:
        """Each suggestion's heading in the letter: numbered (一、关于“…”。) when it is answered, in the
        order of the answered ones; without a number when it is not (yet)."""
        titles = {s.id: s.title for s in self.suggestions if s.id is not None}
        numbered = {
            section.suggestion: f"{chinese_numeral(part.n)}、{part.heading}"
            for section, part in letter_parts(self.content, titles)
        }
        return {sid: numbered.get(sid) or point_heading(title) for sid, title in titles.items()}


def suggestion_labels(suggestions: Sequence[Suggestion]) -> dict[int, str]:
    """How messages name each suggestion: its number, else its title."""
    return {
        s.id: (str(s.n) if s.n is not None else s.title or str(s.position + 1))
        for s in suggestions
        if s.id is not None
    }


def find_draft(*, session: Session, proposal_id: int, agency_id: int) -> ReplyDraft | None:
    return session.exec(
        select(ReplyDraft).where(ReplyDraft.proposal_id == proposal_id, ReplyDraft.agency_id == agency_id)
    ).first()


def content_of(draft: ReplyDraft) -> DraftContent:
    return DraftContent(
        mode=Mode(draft.mode),
        frame=Frame(
            title=draft.title,
            doc_number=draft.doc_number,
            salutation=draft.salutation,
            preamble=draft.preamble,
            closing=draft.closing,
            signature=draft.signature,
            date=draft.date_text,
        ),
        outcome=draft.outcome,
        sections=sections_from_json(draft.sections),
        pasted=draft.pasted_text,
        links=links_from_json(draft.links),
        point_outcomes={int(k): v for k, v in draft.point_outcomes.items() if str(k).isdigit()},
        exemptions=exemptions_from_json(draft.exemptions),
    )


def _fresh_content(
    session: Session, proposal: Proposal, agency: Agency, suggestions: Sequence[Suggestion], today: date
) -> DraftContent:
    proposer = session.get(Member, proposal.proposer_id) if proposal.proposer_id else None
    meeting = session.get(Meeting, proposal.meeting_id) if proposal.meeting_id else None
    return DraftContent(
        frame=default_frame(
            number=proposal.number,
            session_name=session_name(meeting.body, meeting.name) if meeting else "",
            number_prefix=meeting.number_prefix if meeting else None,
            proposal_title=proposal.title,
            proposer=proposer.name if proposer else None,
            proposer_kind=proposer.kind if proposer else "member",
            agency=agency.name,
            today=today,
        ),
        sections=[Section(s.id) for s in suggestions if s.id is not None],
    )


def _with_every_section(content: DraftContent, suggestions: Sequence[Suggestion]) -> DraftContent:
    """One section per suggestion, in order, whatever the stored draft held."""
    content.sections = [content.section_for(s.id) or Section(s.id) for s in suggestions if s.id is not None]
    return content


def _reopened(session: Session, proposal_id: int) -> Transition | None:
    latest = session.exec(
        select(Transition).where(Transition.proposal_id == proposal_id).order_by(col(Transition.id).desc())
    ).first()
    if latest is not None and latest.action in (Action.SEND_BACK.value, Action.REOPEN.value):
        return latest
    return None


def editor(
    *,
    session: Session,
    proposal_id: int,
    actor: Viewer,
    today: date,
    content: DraftContent | None = None,
    letter: PastedLetter | None = None,
) -> Editor:
    """The editor for the actor's agency, with the saved draft (or the standard form), or with
    ``content`` as typed when a form is shown again. ``letter``: the pasted letter as this request
    already read it, used when it is the one shown (else the letter shown is read here)."""
    proposal, assignment = lead_assignment(session=session, proposal_id=proposal_id, actor=actor)
    suggestions = suggestions_of(session=session, proposal_id=proposal.id or 0, top_level=True)
    draft = find_draft(session=session, proposal_id=proposal.id or 0, agency_id=assignment.agency_id)
    if content is None:
        agency = session.get(Agency, assignment.agency_id)
        assert agency is not None  # the assignment's foreign key
        content = (
            content_of(draft) if draft else _fresh_content(session, proposal, agency, suggestions, today)
        )
    content = _with_every_section(content, suggestions)
    if content.mode == Mode.PASTED and content.pasted.strip() and pasted_problem(content.pasted) is None:
        letter = letter_for(content.pasted, suggestions, letter)
    else:
        letter = None
    ids = [s.id for s in suggestions if s.id is not None]
    opinions, waiting = co_opinions.submitted(session=session, proposal_id=proposal.id or 0)
    return Editor(
        proposal=proposal,
        proposer=session.get(Member, proposal.proposer_id) if proposal.proposer_id else None,
        assignment=assignment,
        suggestions=suggestions,
        draft=draft,
        content=content,
        letter=letter,
        coverage=coverage(content, ids, letter.point_count if letter else None),
        opinions=opinions,
        waiting_for=waiting,
        reopened=_reopened(session, proposal.id or 0),
        reply=session.get(Reply, draft.reply_id) if draft and draft.reply_id else None,
    )


def _check_locked_draft(draft: ReplyDraft) -> None:
    if draft.status == DraftStatus.SUBMITTED.value:
        when = draft.submitted_at.date().isoformat() if draft.submitted_at else ""
        raise LockedError(
            N_(
                "This reply was submitted on %(date)s and is locked; the committee office can send it "
                "back or reopen the proposal."
            ),
            params={"date": when},
        )


def _check_locked(proposal: Proposal, draft: ReplyDraft | None) -> None:
    if draft is not None:
        _check_locked_draft(draft)
    if proposal.status != ProposalStatus.ASSIGNED.value:
        raise LockedError(N_("The proposal is no longer waiting for a reply; nothing was changed."))


def _check_links(content: DraftContent, suggestions: Sequence[Suggestion], point_count: int) -> None:
    ids: set[int | None] = {s.id for s in suggestions}
    wrong = (
        any(ln.suggestion not in ids or not 0 <= ln.point < point_count for ln in content.links)
        or any(e.suggestion not in ids or e.with_suggestion not in ids | {None} for e in content.exemptions)
        or any(section.suggestion not in ids for section in content.sections)
    )
    if wrong:
        raise InvalidInput(
            [Problem(None, N_("The form named a suggestion or point this proposal does not have."))]
        )


def _claim(session: Session, draft: ReplyDraft, revision: int) -> None:
    """Compare and set: only the save made from the latest revision of an unlocked draft goes on.

    The UPDATE takes the row's write lock before anything is written, so of two saves or submits
    made from the same page (a double click, two tabs) exactly one proceeds; the other is told why.
    """
    claimed = session.exec(
        sa.update(ReplyDraft)
        .where(
            col(ReplyDraft.id) == draft.id,
            col(ReplyDraft.revision) == revision,
            col(ReplyDraft.status) == DraftStatus.DRAFT.value,
        )
        .values(revision=revision + 1)
        .execution_options(synchronize_session=False)
    )
    session.refresh(draft)
    if claimed.rowcount == 1:
        draft.revision = revision  # the increment is written with the content
        return
    _check_locked_draft(draft)
    raise ConflictError(
        N_(
            "Someone else saved this reply since you opened it; your text is shown below, not saved. "
            "Save again to replace theirs."
        )
    )


def save(
    *,
    session: Session,
    proposal_id: int,
    actor: Viewer,
    content: DraftContent,
    revision: int,
    now: datetime,
    letter: PastedLetter | None = None,
) -> ReplyDraft:
    """Store the draft as typed. Refused (nothing changed) when it is locked, when a field is too long,
    or when someone saved a newer version since ``revision`` was shown. ``letter``: the pasted letter
    as the caller already read it in this request, so it is not parsed again."""
    draft, _letter = _save(session, proposal_id, actor, content, revision, now, letter)
    return draft


def _save(
    session: Session,
    proposal_id: int,
    actor: Viewer,
    content: DraftContent,
    revision: int,
    now: datetime,
    letter: PastedLetter | None,
) -> tuple[ReplyDraft, PastedLetter | None]:
    """``save``, and the pasted letter as read (None unless the draft is a pasted letter)."""
    now = workflow.as_utc(now)
    proposal, assignment = lead_assignment(session=session, proposal_id=proposal_id, actor=actor)
    draft = find_draft(session=session, proposal_id=proposal.id or 0, agency_id=assignment.agency_id)
    _check_locked(proposal, draft)
    content = clean_content(content)
    problems = limit_problems(content)
    if problems:
        raise InvalidInput(problems)
    suggestions = suggestions_of(session=session, proposal_id=proposal.id or 0, top_level=True)
    if content.mode == Mode.PASTED and content.pasted.strip():
        letter = letter_for(content.pasted, suggestions, letter)
    else:
        letter = None
    point_count = letter.point_count if letter else 0
    _check_links(content, suggestions, point_count)
    if draft is None:
        # a second draft for the same proposal and agency is refused by the unique constraint
        draft = ReplyDraft(proposal_id=proposal.id or 0, agency_id=assignment.agency_id, revision=0)
    else:
        _claim(session, draft, revision)
    frame = content.frame
    draft.mode = content.mode.value
    draft.title, draft.doc_number, draft.salutation = frame.title, frame.doc_number, frame.salutation
    draft.preamble, draft.closing = frame.preamble, frame.closing
    draft.signature, draft.date_text = frame.signature, frame.date
    draft.outcome = content.outcome
    # Each way of writing keeps its own text: answers typed in the editor survive a paste, and a
    # pasted letter survives going back to the answers; ``mode`` says which one is submitted.
    if content.mode == Mode.SECTIONS:
        draft.sections = sections_to_json(content.sections)
    else:
        draft.pasted_text = content.pasted
        draft.links = links_to_json(content.links)
        draft.point_outcomes = {str(k): v for k, v in sorted(content.point_outcomes.items())}
    draft.exemptions = exemptions_to_json(content.exemptions)
    draft.revision += 1
    draft.updated_at = now
    draft.updated_by = actor.user_id
    session.add(draft)
    session.flush()
    return draft, letter


@dataclass
class Submitted:
    draft: ReplyDraft
    reply: Reply | None  # None when the draft was saved but could not be submitted
    problems: list[Problem] = field(default_factory=list)


def submit(
    *,
    session: Session,
    proposal_id: int,
    actor: Viewer,
    content: DraftContent,
    revision: int,
    now: datetime,
    letter: PastedLetter | None = None,
) -> Submitted:
    """Save the draft, then submit it if it passes the checks. A draft that does not pass stays saved
    and comes back with its problems (the view commits either way). ``letter`` as in ``save``."""
    draft, letter = _save(session, proposal_id, actor, content, revision, now, letter)
    proposal = workflow.load(session=session, proposal_id=proposal_id, actor=actor)
    content = content_of(draft)
    suggestions = suggestions_of(session=session, proposal_id=proposal_id, top_level=True)
    if content.mode == Mode.PASTED:
        # the letter saved is the one just read: cleaned as stored, it is the same text
        letter = letter_for(content.pasted, suggestions, letter) if content.pasted.strip() else None
        point_count = letter.point_count if letter else 0
    else:
        letter = None
        point_count = len(answered_sections(content))
    ids = [s.id for s in suggestions if s.id is not None]
    problems = submit_problems(content, ids, suggestion_labels(suggestions), point_count)
    if problems:
        return Submitted(draft=draft, reply=None, problems=problems)
    reply = issuing.store_reply(
        session=session,
        proposal=proposal,
        draft=draft,
        content=content,
        suggestions=suggestions,
        letter=letter,
        now=now,
    )
    draft.status = DraftStatus.SUBMITTED.value
    draft.submitted_at = now
    draft.reply_id = reply.id
    session.add(draft)
    workflow.mark_replied(
        session=session,
        proposal_id=proposal_id,
        actor=actor,
        details={"reply": reply.id, "outcome": reply.outcome},
    )
    return Submitted(draft=draft, reply=reply)


@dataclass(frozen=True)
class AgencyPart:
    """What an agency has to do on a proposal, for the proposal page: write the reply (lead) or an
    opinion (co-handling), and how far it got."""

    capacity: Capacity | None
    draft: ReplyDraft | None = None
    opinion: CoOpinion | None = None


def agency_part(*, session: Session, proposal: Proposal, actor: Viewer) -> AgencyPart:
    own = agency_assignment(session=session, proposal=proposal, actor=actor)
    if own is None:
        return AgencyPart(capacity=None)
    if own.role == ReplyRole.LEAD.value:
        draft = find_draft(session=session, proposal_id=proposal.id or 0, agency_id=own.agency_id)
        return AgencyPart(capacity=Capacity.LEAD_AGENCY, draft=draft)
    opinion = co_opinions.find(session=session, proposal_id=proposal.id or 0, agency_id=own.agency_id)
    return AgencyPart(capacity=Capacity.CO_AGENCY, opinion=opinion)
