"""Similar proposals for a draft (issue 16): who sees what. Staff see every candidate in full; a
member sees in full what they may open anyway, another member's proposal under way by title and
state only, and never another member's draft or a proposal that ended without being public."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from flask import Flask
from sqlmodel import Session

from tracker.models import Proposal, Rating, ReplyRating
from tracker.search import get_backend
from tracker.services.duplicates import similar_to_draft
from tracker.services.visibility import Role, Viewer

TITLE = "关于加快老旧小区加装电梯的提案"
ROWS = [
    "简化加装电梯的审批程序。实行联合审批，缩短审批时间。",
    "加大财政补助力度。对每台加装电梯给予定额补助。",
    "做好居民协商工作。组织住户协商分摊费用。",
]
COPY = ["做好居民协商。组织住户协商费用分摊。", "简化审批程序。实行联合审批，缩短加装电梯审批时间。"]


def _stored(session: Session, make, *, status: str, published: bool, proposer_id: int) -> int:
    proposal = make.proposal(
        title=TITLE,
        status=status,
        proposer_id=proposer_id,
        original_text="\n".join(ROWS),
        published_at=datetime.now(UTC) if published else None,
    )
    for k, text in enumerate(ROWS):
        make.suggestion(
            proposal, position=k, n=k + 1, marker=f"{k + 1}.", title=text.split("。")[0], text=text
        )
    session.commit()
    return proposal.id


@pytest.mark.parametrize(
    ("status", "published", "shown"),
    [
        ("draft", False, None),
        ("submitted", False, "title"),
        ("accepted", False, "title"),
        ("assigned", False, "title"),
        ("not_accepted", False, None),
        ("merged", False, None),
        ("replied", True, "full"),
    ],
)
def test_what_a_member_sees_of_another_members_proposal(
    app: Flask, session: Session, make, status: str, published: bool, shown: str | None
) -> None:
    author, reader = make.member(name="甲委员"), make.member(name="乙委员")
    pid = _stored(session, make, status=status, published=published, proposer_id=author.id)
    found = similar_to_draft(
        session=session,
        backend=get_backend(app),
        viewer=Viewer(Role.MEMBER, member_id=reader.id),
        title="老旧小区增设电梯的建议",
        suggestions=COPY,
    )
    mine = [f for f in found if f.proposal_id == pid]
    if shown is None:
        assert mine == []
        return
    (item,) = mine
    assert item.title == TITLE and item.status == status
    assert item.full is (shown == "full")
    assert (item.facts is None) is (shown == "title")
    # staff see it in full whatever its state
    (staff_item,) = [
        f
        for f in similar_to_draft(
            session=session,
            backend=get_backend(app),
            viewer=Viewer(Role.STAFF),
            title="老旧小区增设电梯的建议",
            suggestions=COPY,
        )
        if f.proposal_id == pid
    ]
    assert staff_item.full


def test_an_answer_carries_its_class_and_ratings(app: Flask, session: Session, make) -> None:
    author = make.member(name="甲委员")
    pid = _stored(session, make, status="replied", published=True, proposer_id=author.id)
    agency = make.agency(name="区住房和城乡建设局")
    reply = make.reply(session.get(Proposal, pid), agency_id=agency.id, outcome="B")
    session.add(ReplyRating(reply_id=reply.id, member_id=author.id, rating=Rating.BASICALLY_SATISFIED.value))
    session.commit()
    (item,) = [
        f
        for f in similar_to_draft(
            session=session, backend=get_backend(app), viewer=Viewer(), title=TITLE, suggestions=ROWS
        )
        if f.proposal_id == pid
    ]
    (answer,) = item.answers
    assert (answer.reply_id, answer.agency, answer.outcome) == (reply.id, "区住房和城乡建设局", "B")
    assert answer.ratings == (("basically_satisfied", 1),)
