"""A member's proposals: one proposal per form token, co-signer invitations and answers."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlmodel import Session, select

from tracker.domain.drafting import Draft
from tracker.models import Proposal, ProposalSigner, Suggestion
from tracker.services import drafting
from tracker.services.errors import InvalidInput, NotFoundError, ServiceError
from tracker.services.visibility import Role, Viewer, visible_proposal

TODAY = date(2025, 3, 10)
DRAFT = Draft(
    title="关于校园安全的建议",
    category="其他",
    background="背景。",
    suggestions=["增设校医岗位。内容。", "加强食堂监管。内容。"],
)


@pytest.fixture
def people(session: Session, make) -> dict[str, Viewer]:
    jia, yi, bing = make.member(name="甲委员"), make.member(name="乙委员"), make.member(name="丙委员")
    make.member(name="同名委员")
    make.member(name="同名委员")
    return {n: Viewer(Role.MEMBER, member_id=m.id) for n, m in (("jia", jia), ("yi", yi), ("bing", bing))}


def _create(
    session: Session, author: Viewer, draft: Draft = DRAFT, token: str = "a" * 32, submit: bool = False
):
    return drafting.create(
        session=session,
        author=author,
        draft=draft,
        form_token=token,
        submit=submit,
        categories=["其他"],
        today=TODAY,
    )


def test_the_same_form_twice_stores_one_proposal(session: Session, people) -> None:
    first = _create(session, people["jia"], submit=True)
    second = _create(session, people["jia"], submit=True)
    assert first.created and not second.created
    assert second.proposal.id == first.proposal.id
    assert len(session.exec(select(Proposal).where(Proposal.title == DRAFT.title)).all()) == 1
    with pytest.raises(ServiceError):  # someone else's token
        _create(session, people["yi"])


def test_suggestions_are_stored_with_offsets(session: Session, people) -> None:
    proposal = _create(session, people["jia"]).proposal
    rows = session.exec(select(Suggestion).where(Suggestion.proposal_id == proposal.id)).all()
    assert [(r.n, r.marker, r.title) for r in rows] == [(1, "1.", "增设校医岗位"), (2, "2.", "加强食堂监管")]
    assert all(proposal.original_text[r.start : r.end] == r.text for r in rows)


def test_cosigners_are_invited_and_answer_from_their_own_page(session: Session, people) -> None:
    draft = Draft(**{**DRAFT.__dict__, "cosigners": ["乙委员", "丙委员"]})
    proposal = _create(session, people["jia"], draft, submit=True).proposal
    signers = session.exec(select(ProposalSigner).where(ProposalSigner.proposal_id == proposal.id)).all()
    assert {s.status for s in signers} == {"pending"}
    # invited members see the proposal and their invitation
    assert visible_proposal(session=session, viewer=people["yi"], proposal_id=proposal.id) is not None
    assert [i.proposal.id for i in drafting.invitations(session=session, member=people["yi"])] == [
        proposal.id
    ]
    now = datetime.now(UTC)
    drafting.answer_invitation(
        session=session, proposal_id=proposal.id, member=people["yi"], confirm=True, now=now
    )
    drafting.answer_invitation(
        session=session, proposal_id=proposal.id, member=people["bing"], confirm=False, now=now
    )
    statuses = {
        s.member_id: s.status
        for s in session.exec(select(ProposalSigner).where(ProposalSigner.proposal_id == proposal.id)).all()
    }
    assert statuses == {people["yi"].member_id: "confirmed", people["bing"].member_id: "declined"}
    # one answer each; a member who declined no longer sees the proposal
    with pytest.raises(ServiceError):
        drafting.answer_invitation(
            session=session, proposal_id=proposal.id, member=people["yi"], confirm=False, now=now
        )
    assert visible_proposal(session=session, viewer=people["bing"], proposal_id=proposal.id) is None
    with pytest.raises(NotFoundError):  # never invited
        drafting.answer_invitation(
            session=session, proposal_id=proposal.id, member=people["jia"], confirm=True, now=now
        )


def test_cosigner_names_must_fit_one_member(session: Session, people) -> None:
    draft = Draft(**{**DRAFT.__dict__, "cosigners": ["无名氏", "同名委员", "甲委员"]})
    with pytest.raises(InvalidInput) as refused:
        _create(session, people["jia"], draft)
    assert [str(p) for p in refused.value.problems] == [
        "No member is called 无名氏.",
        "Several members are called 同名委员; ask the committee office to add them.",
        "You are the proposer; name other members.",
    ]
    assert session.exec(select(Proposal).where(Proposal.title == DRAFT.title)).first() is None


def test_only_the_author_edits_and_only_drafts(session: Session, people) -> None:
    proposal = _create(session, people["jia"]).proposal
    changed = Draft(**{**DRAFT.__dict__, "suggestions": ["只剩一条。"], "cosigners": ["乙委员"]})
    drafting.update(
        session=session,
        proposal_id=proposal.id,
        author=people["jia"],
        draft=changed,
        submit=False,
        categories=["其他"],
        today=TODAY,
    )
    assert [
        s.text for s in session.exec(select(Suggestion).where(Suggestion.proposal_id == proposal.id))
    ] == ["只剩一条。"]
    with pytest.raises(NotFoundError):
        drafting.editable(session=session, proposal_id=proposal.id, author=people["yi"])
    drafting.submit_draft(
        session=session, proposal_id=proposal.id, author=people["jia"], categories=["其他"], today=TODAY
    )
    with pytest.raises(ServiceError):
        drafting.editable(session=session, proposal_id=proposal.id, author=people["jia"])
    assert proposal.submitted_on == TODAY


def test_an_incomplete_draft_is_not_submitted(session: Session, people) -> None:
    proposal = _create(session, people["jia"], Draft(title="只有标题")).proposal
    with pytest.raises(InvalidInput) as refused:
        drafting.submit_draft(
            session=session, proposal_id=proposal.id, author=people["jia"], categories=["其他"], today=TODAY
        )
    assert {p.field for p in refused.value.problems} == {"category", "background", "suggestions"}
    assert proposal.status == "draft"
