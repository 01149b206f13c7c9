"""The Word documents of the archive: a reply letter and a proposal form, for whoever may read them.

The contents come from the database; the layout from tracker.services.docx_export.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session, col, select

from tracker.domain.glossary import case_number
from tracker.domain.reply_drafting import date_text
from tracker.models import (
    Agency,
    Assignment,
    Member,
    ProposalSigner,
    ReplyRole,
    ReplyStatus,
    SignerRole,
    SignerStatus,
)
from tracker.services.docx_export import (
    LetterDocument,
    ProposalDocument,
    proposal_form_docx,
    reply_letter_docx,
)
from tracker.services.proposals import suggestions_of
from tracker.services.replies import reply_letter
from tracker.services.visibility import Viewer, visible_proposal


@dataclass(frozen=True)
class WordFile:
    name: str  # the file name offered for download
    content: bytes


_TITLE_END = "。．.：:；;"


def _split_point(text: str, heading: str) -> tuple[str, str]:
    """(heading as written with its stop, the rest) when the point opens with its heading."""
    body = text.lstrip(" \t\u3000")
    if not heading or not body.startswith(heading):
        return "", text
    rest = body[len(heading) :]
    stop = rest[:1] if rest[:1] and rest[0] in _TITLE_END else ""
    return heading + (stop or "。"), rest[len(stop) :].lstrip(" \t\u3000")


def _safe(name: str) -> str:
    return "".join("_" if ch in '\\/:*?"<>|\n\r\t' else ch for ch in name).strip() or "document"


def letter_file(*, session: Session, viewer: Viewer, reply_id: int) -> WordFile | None:
    """The reply letter as .docx; None when it does not exist or ``viewer`` may not read it."""
    letter = reply_letter(session=session, viewer=viewer, reply_id=reply_id)
    if letter is None:
        return None
    reply = letter.reply
    points = []
    for item in letter.points:
        point = item.point
        heading, body = _split_point(point.text, point.heading)
        points.append((point.marker or "", heading, body))
    title_lines = [
        line for line in reply.title.splitlines() if line.strip() and line.strip() != reply.doc_number
    ]
    document = LetterDocument(
        title="\n".join(title_lines) or "答复",
        doc_number=reply.doc_number or "",
        salutation=reply.salutation,
        preamble=reply.preamble,
        points=points,
        closing=reply.closing,
        signature=reply.signature,
        date=reply.date_text or "",
        outcome=reply.outcome or "",
    )
    name = _safe(title_lines[0] if title_lines else f"答复-{reply.id}")
    if reply.corrects_id is not None or reply.status == ReplyStatus.CORRECTED.value:
        name = f"{name}-第{reply.version}版"  # the versions of a corrected letter (更正) apart
    return WordFile(name=f"{name}.docx", content=reply_letter_docx(document))


def proposal_file(
    *, session: Session, viewer: Viewer, proposal_id: int, session_label: str
) -> WordFile | None:
    """The proposal form as .docx; None when it does not exist or ``viewer`` may not see it."""
    proposal = visible_proposal(session=session, viewer=viewer, proposal_id=proposal_id)
    if proposal is None:
        return None
    proposer = session.get(Member, proposal.proposer_id) if proposal.proposer_id else None
    signers = session.exec(
        select(ProposalSigner.role, Member.name)
        .join(Member, col(ProposalSigner.member_id) == col(Member.id))
        .where(
            ProposalSigner.proposal_id == proposal_id, ProposalSigner.status == SignerStatus.CONFIRMED.value
        )
        .order_by(col(Member.id))
    ).all()
    agencies = session.exec(
        select(Assignment.role, Agency.name)
        .join(Agency, col(Agency.id) == col(Assignment.agency_id))
        .where(Assignment.proposal_id == proposal_id, col(Assignment.ended_at).is_(None))
        .order_by(col(Agency.name))
    ).all()
    suggestions = suggestions_of(session=session, proposal_id=proposal_id, top_level=True)
    document = ProposalDocument(
        title=proposal.title,
        number=case_number(proposal.number, proposal.meeting.number_prefix if proposal.meeting else None)
        if proposal.number is not None
        else "",
        session=session_label,
        proposer=proposer.name if proposer else "",
        joint_proposers=[name for role, name in signers if role == SignerRole.PROPOSER.value],
        cosigners=[name for role, name in signers if role == SignerRole.COSIGNER.value],
        category=proposal.category or "",
        submitted_on=date_text(proposal.submitted_on) if proposal.submitted_on else "",
        accepted_on=date_text(proposal.accepted_on) if proposal.accepted_on else "",
        lead_agencies=[name for role, name in agencies if role == ReplyRole.LEAD.value],
        co_agencies=[name for role, name in agencies if role != ReplyRole.LEAD.value],
        background="\n".join(p for p in (proposal.background, proposal.leadin or "") if p),
        suggestions=[(s.marker or "", s.text) for s in suggestions],
    )
    name = _safe(f"提案-{document.number}" if proposal.number is not None else f"提案-{proposal.title[:30]}")
    return WordFile(name=f"{name}.docx", content=proposal_form_docx(document))
