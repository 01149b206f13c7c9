"""A member's own proposals: write one in the form (draft, edit, submit), invite co-signers, and
answer invitations to co-sign.

The form's fields arrive as a domain ``Draft``; problems come back as ``InvalidInput`` with one
``Problem`` per field, so the view can put each message beside its field and keep what was typed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlmodel import Session, col, select

from tracker.domain.drafting import Composed, Draft, compose, problems
from tracker.domain.messages import N_, Problem
from tracker.domain.workflow import Action
from tracker.models import (
    Member,
    MemberKind,
    Proposal,
    ProposalSigner,
    ProposalStatus,
    SignerRole,
    SignerStatus,
)
from tracker.services import notifications, workflow
from tracker.services.errors import InvalidInput, NotFoundError, ServiceError
from tracker.services.proposals import store_suggestions, suggestions_of
from tracker.services.visibility import Role, Viewer


def _author(viewer: Viewer) -> int:
    if viewer.role != Role.MEMBER or viewer.member_id is None:
        raise ServiceError(N_("Only members write proposals."))
    return viewer.member_id


def _cosigners(session: Session, names: Sequence[str], author_id: int) -> list[Member]:
    """The members named as co-signers, or InvalidInput naming each name that does not fit."""
    found: list[Member] = []
    wrong: list[Problem] = []
    for name in names:
        matches = session.exec(
            # deactivated members (no longer sitting) cannot be invited to co-sign
            select(Member).where(
                Member.name == name, Member.kind == MemberKind.MEMBER.value, col(Member.active).is_(True)
            )
        ).all()
        if not matches:
            wrong.append(Problem("cosigners", N_("No member is called %(name)s."), {"name": name}))
        elif len(matches) > 1:
            wrong.append(
                Problem(
                    "cosigners",
                    N_("Several members are called %(name)s; ask the committee office to add them."),
                    {"name": name},
                )
            )
        elif matches[0].id == author_id:
            wrong.append(Problem("cosigners", N_("You are the proposer; name other members.")))
        else:
            found.append(matches[0])
    if wrong:
        raise InvalidInput(wrong)
    return found


def _validate(session: Session, draft: Draft, author_id: int, *, submitting: bool, categories: Sequence[str]):
    found = problems(draft, submitting=submitting, categories=categories)
    try:
        members = _cosigners(session, draft.cosigners, author_id)
    except InvalidInput as error:
        found.extend(error.problems)
        members = []
    if found:
        raise InvalidInput(found)
    return members


def _store_text(session: Session, proposal: Proposal, draft: Draft, composed: Composed) -> None:
    proposal.title = draft.title
    proposal.category = draft.category or None
    proposal.background = draft.background
    proposal.leadin = composed.leadin if composed.suggestions else None
    proposal.closing = draft.closing
    proposal.original_text = composed.text
    session.add(proposal)
    store_suggestions(session=session, proposal=proposal, units=composed.suggestions)


def _sync_cosigners(session: Session, proposal: Proposal, members: Sequence[Member]) -> None:
    """Invite the members named now, keep the answers of those named before, drop the others."""
    rows = session.exec(
        select(ProposalSigner).where(
            ProposalSigner.proposal_id == proposal.id, ProposalSigner.role == SignerRole.COSIGNER.value
        )
    ).all()
    by_member = {row.member_id: row for row in rows}
    wanted = {m.id for m in members}
    for member_id, row in by_member.items():
        if member_id not in wanted:
            session.delete(row)
    for member in members:
        if member.id not in by_member:
            session.add(
                ProposalSigner(
                    proposal_id=proposal.id or 0,
                    member_id=member.id or 0,
                    role=SignerRole.COSIGNER.value,
                    status=SignerStatus.PENDING.value,
                )
            )
    session.flush()
    notifications.cosigners_invited(session=session, proposal=proposal, member_ids=wanted - set(by_member))


def proposal_for_token(*, session: Session, form_token: str) -> Proposal | None:
    return session.exec(select(Proposal).where(Proposal.form_token == form_token)).first()


@dataclass(frozen=True)
class Saved:
    proposal: Proposal
    created: bool  # False when the same form had been sent before: nothing new was stored


def create(
    *,
    session: Session,
    author: Viewer,
    draft: Draft,
    form_token: str,
    submit: bool,
    categories: Sequence[str],
    today: date,
) -> Saved:
    """A new proposal from the form, as a draft or submitted at once.

    The form carries a one-time token: if a proposal was already made from it (a double click, a
    resent form), that proposal is returned and nothing new is stored.
    """
    author_id = _author(author)
    existing = proposal_for_token(session=session, form_token=form_token)
    if existing is not None:
        if existing.proposer_id != author_id:
            raise ServiceError(N_("This form was already used; open a new one."))
        return Saved(existing, created=False)
    members = _validate(session, draft, author_id, submitting=submit, categories=categories)
    proposal = Proposal(
        title=draft.title,
        proposer_id=author_id,
        status=ProposalStatus.DRAFT.value,
        form_token=form_token,
    )
    session.add(proposal)
    session.flush()  # a second post of the same form stops here, on the unique token
    _store_text(session, proposal, draft, compose(draft))
    _sync_cosigners(session, proposal, members)
    workflow.record(session=session, proposal=proposal, action=Action.CREATE, actor=author, from_status=None)
    if submit:
        workflow.submit(session=session, proposal_id=proposal.id or 0, actor=author, today=today)
    return Saved(proposal, created=True)


def update(
    *,
    session: Session,
    proposal_id: int,
    author: Viewer,
    draft: Draft,
    submit: bool,
    categories: Sequence[str],
    today: date,
) -> Proposal:
    """Save the form over a draft (and submit it when asked)."""
    author_id = _author(author)
    proposal = editable(session=session, proposal_id=proposal_id, author=author)
    members = _validate(session, draft, author_id, submitting=submit, categories=categories)
    _store_text(session, proposal, draft, compose(draft))
    _sync_cosigners(session, proposal, members)
    if submit:
        workflow.submit(session=session, proposal_id=proposal_id, actor=author, today=today)
    return proposal


def editable(*, session: Session, proposal_id: int, author: Viewer) -> Proposal:
    """The author's own draft; NotFoundError for anything else (other people's, or not a draft)."""
    author_id = _author(author)
    proposal = session.get(Proposal, proposal_id)
    if proposal is None or proposal.proposer_id != author_id:
        raise NotFoundError(N_("There is no such proposal."), field="proposal")
    if proposal.status != ProposalStatus.DRAFT.value:
        raise ServiceError(N_("Only a draft can be edited; withdraw the proposal first."))
    return proposal


def submit_draft(
    *, session: Session, proposal_id: int, author: Viewer, categories: Sequence[str], today: date
) -> Proposal:
    """Submit a saved draft as it stands (from the member's page), if it is complete."""
    proposal = editable(session=session, proposal_id=proposal_id, author=author)
    found = problems(draft_of(session=session, proposal=proposal), submitting=True, categories=categories)
    if found:
        raise InvalidInput(found)
    return workflow.submit(session=session, proposal_id=proposal_id, actor=author, today=today)


def draft_of(*, session: Session, proposal: Proposal) -> Draft:
    """The stored proposal as the form's fields, to edit it."""
    signers = session.exec(
        select(Member)
        .join(ProposalSigner, col(ProposalSigner.member_id) == col(Member.id))
        .where(ProposalSigner.proposal_id == proposal.id, ProposalSigner.role == SignerRole.COSIGNER.value)
        .order_by(col(Member.id))
    ).all()
    return Draft(
        title=proposal.title,
        category=proposal.category or "",
        background=proposal.background,
        suggestions=[
            s.text for s in suggestions_of(session=session, proposal_id=proposal.id or 0, top_level=True)
        ],
        closing=proposal.closing,
        leadin=proposal.leadin,
        cosigners=[m.name for m in signers],
    )


# -- the member's page ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Invitation:
    proposal: Proposal
    signer: ProposalSigner

    @property
    def open(self) -> bool:
        """Answers are taken until staff act on the proposal."""
        return self.proposal.status in (ProposalStatus.DRAFT.value, ProposalStatus.SUBMITTED.value)

    @property
    def pending(self) -> bool:
        return self.open and self.signer.status == SignerStatus.PENDING.value


def own_proposals(*, session: Session, member: Viewer) -> list[Proposal]:
    """Proposals the member proposed, newest first, in every state."""
    author_id = _author(member)
    stmt = (
        select(Proposal)
        .where(Proposal.proposer_id == author_id)
        .order_by(col(Proposal.created_at).desc(), col(Proposal.id).desc())
    )
    return list(session.exec(stmt).all())


def invitations(*, session: Session, member: Viewer) -> list[Invitation]:
    """Proposals the member was asked to co-sign (from the form), newest first."""
    author_id = _author(member)
    rows = session.exec(
        select(Proposal, ProposalSigner)
        .join(ProposalSigner, col(ProposalSigner.proposal_id) == col(Proposal.id))
        .where(ProposalSigner.member_id == author_id, ProposalSigner.role == SignerRole.COSIGNER.value)
        .where(col(Proposal.form_token).is_not(None))
        .order_by(col(Proposal.created_at).desc(), col(Proposal.id).desc())
    ).all()
    return [Invitation(proposal=p, signer=s) for p, s in rows]


def answer_invitation(
    *, session: Session, proposal_id: int, member: Viewer, confirm: bool, now: datetime
) -> ProposalSigner:
    """The invited member confirms or declines co-signing."""
    member_id = _author(member)
    signer = session.get(ProposalSigner, (proposal_id, member_id))
    proposal = session.get(Proposal, proposal_id)
    if signer is None or proposal is None or signer.role != SignerRole.COSIGNER.value:
        raise NotFoundError(N_("There is no such proposal."), field="proposal")
    if signer.status != SignerStatus.PENDING.value:
        raise ServiceError(N_("You have already answered this invitation."))
    if not Invitation(proposal, signer).open:
        raise ServiceError(
            N_("The committee office has already acted on this proposal; the invitation is closed.")
        )
    signer.status = (SignerStatus.CONFIRMED if confirm else SignerStatus.DECLINED).value
    signer.responded_at = workflow.as_utc(now)
    session.add(signer)
    session.flush()
    notifications.cosign_answered(session=session, proposal=proposal, signer=signer)
    return signer
