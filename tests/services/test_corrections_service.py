"""Holding answers (阶段性答复) and corrections (更正) over the database: a holding answer leaves the
assignment and its deadline as they are and cannot be rated; a correction keeps the version it
replaces, carries the links, classes, exemptions and ratings over, tells the members, and is refused
(with nothing changed) when it says no reason, changes nothing, comes from someone else's agency or
from a stale page."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import Session, col, select

from tracker.domain.corrections import Change
from tracker.models import (
    Assignment,
    Notification,
    PointLink,
    Proposal,
    Reply,
    ReplyDraft,
    ReplyPoint,
    ReplyRating,
    User,
)
from tracker.services import corrections, feedback, replying, workflow
from tracker.services.errors import ConflictError, ForbiddenError, InvalidInput, LockedError, NotFoundError
from tracker.services.proposals import proposal_detail
from tracker.services.visibility import Viewer

NOW = datetime(2025, 3, 20, 8, 0, tzinfo=UTC)
HOLDING = (
    "关于第12号提案的阶段性答复\n\n戴培红委员：\n\n您提出的建议涉及多个部门，我局正会同有关部门研究，"
    "预计于2025年6月底前正式答复。\n\n镇海区经信局\n2025年3月18日"
)


def _issue_final(session: Session, case) -> Reply:
    state = replying.editor(session=session, proposal_id=case.proposal_id, actor=case.lead, today=NOW.date())
    content = state.content
    for i, section in enumerate(content.sections, 1):
        section.body = f"第{i}条建议的办理情况：已于今年完成。"
    content.sections[1].outcome = "B"
    content.outcome = "A"
    result = replying.submit(
        session=session, proposal_id=case.proposal_id, actor=case.lead, content=content, revision=0, now=NOW
    )
    assert result.problems == [] and result.reply is not None
    session.commit()
    return result.reply


def _links(session: Session, reply_id: int) -> list[tuple[int, int, str]]:
    rows = session.exec(
        select(ReplyPoint.position, PointLink.suggestion_id, ReplyPoint.outcome)
        .join(PointLink, col(PointLink.reply_point_id) == col(ReplyPoint.id))
        .where(ReplyPoint.reply_id == reply_id)
        .order_by(col(ReplyPoint.position), col(PointLink.suggestion_id))
    ).all()
    return [(pos, sid, outcome) for pos, sid, outcome in rows]


def test_a_holding_answer_keeps_the_assignment_and_deadline_and_cannot_be_rated(
    session: Session, assigned_case
) -> None:
    case = assigned_case
    holding = corrections.issue_holding(
        session=session, proposal_id=case.proposal_id, actor=case.lead, text=HOLDING, now=NOW
    )
    session.commit()
    assert holding.status == "holding" and holding.issued_at is not None and holding.outcome is None
    proposal = session.get(Proposal, case.proposal_id)
    assert proposal.status == "assigned"  # the final reply is still due
    assignment = session.exec(select(Assignment).where(Assignment.proposal_id == case.proposal_id)).first()
    assert assignment.ended_at is None and assignment.deadline == case.deadline
    # a rating belongs to the final answer: nothing to rate yet
    state = feedback.feedback_state(session=session, proposal=proposal, viewer=case.member)
    assert state.reply is None and not state.may_rate
    # the proposer (and the committee office) are told; the agency that sent it is not
    told = session.exec(select(Notification).where(Notification.kind == "holding_answer")).all()
    roles = {session.get(User, n.user_id).role for n in told}
    assert "member" in roles and "staff" in roles and case.lead.user_id not in {n.user_id for n in told}
    detail = proposal_detail(session=session, viewer=case.member, proposal_id=case.proposal_id)
    assert [r.id for r in detail.holding] == [holding.id] and not detail.final_issued
    # its points answer no suggestion, so no suggestion shows it as its answer
    assert all(not row.answers for row in detail.rows)


def test_after_the_final_answer_the_holding_answer_is_history_in_order(
    session: Session, assigned_case
) -> None:
    case = assigned_case
    holding = corrections.issue_holding(
        session=session,
        proposal_id=case.proposal_id,
        actor=case.lead,
        text=HOLDING,
        now=NOW - timedelta(days=2),
    )
    final = _issue_final(session, case)
    detail = proposal_detail(session=session, viewer=case.member, proposal_id=case.proposal_id)
    assert detail.final_issued
    assert [r.id for r in detail.replies] == [final.id, holding.id]  # in force, then the history
    steps = [s.transition.action for s in workflow.timeline(session=session, proposal_id=case.proposal_id)]
    assert steps.index("holding_answer") < steps.index("reply")
    # no second holding answer once the final one is in
    with pytest.raises(LockedError):
        corrections.issue_holding(
            session=session, proposal_id=case.proposal_id, actor=case.lead, text=HOLDING, now=NOW
        )


@pytest.mark.parametrize("who", ["co", "member", "staff"])
def test_only_the_lead_agency_sends_a_holding_answer(session: Session, assigned_case, who) -> None:
    with pytest.raises(ForbiddenError):
        corrections.issue_holding(
            session=session,
            proposal_id=assigned_case.proposal_id,
            actor=getattr(assigned_case, who),
            text=HOLDING,
            now=NOW,
        )
    with pytest.raises(NotFoundError):  # someone who may not see the proposal is told it does not exist
        corrections.issue_holding(
            session=session, proposal_id=assigned_case.proposal_id, actor=Viewer(), text=HOLDING, now=NOW
        )
    assert session.exec(select(Reply).where(Reply.proposal_id == assigned_case.proposal_id)).all() == []


def test_an_empty_holding_answer_is_refused(session: Session, assigned_case) -> None:
    with pytest.raises(InvalidInput) as raised:
        corrections.issue_holding(
            session=session,
            proposal_id=assigned_case.proposal_id,
            actor=assigned_case.lead,
            text="  \n",
            now=NOW,
        )
    assert raised.value.problems[0].field == "text"


def test_a_correction_keeps_the_original_and_carries_links_classes_and_ratings(
    session: Session, assigned_case
) -> None:
    case = assigned_case
    original = _issue_final(session, case)
    rated = feedback.rate(
        session=session,
        proposal_id=case.proposal_id,
        actor=case.member,
        rating="satisfied",
        comment="好",
        now=NOW,
    )
    session.commit()
    before_links = _links(session, original.id)
    old_text = original.original_text
    corrected_text = old_text.replace(
        "第2条建议的办理情况：已于今年完成。", "第2条建议的办理情况：已列入明年计划。"
    )
    assert corrected_text != old_text
    later = NOW + timedelta(days=5)
    new = corrections.correct_reply(
        session=session,
        reply_id=original.id,
        actor=case.lead,
        text=corrected_text,
        reason="第二条时间写错",
        now=later,
    )
    session.commit()
    session.refresh(original)
    # the original stays whole, as history
    assert original.status == "corrected" and original.original_text == old_text
    assert _links(session, original.id) == before_links
    # the new version is the letter in force, numbered, dated, with its reason and author
    assert new.status == "issued" and new.corrects_id == original.id and new.version == 2
    assert new.correction_reason == "第二条时间写错" and new.corrected_by == case.lead.user_id
    assert workflow.aware(new.issued_at) == later and new.outcome == original.outcome
    # each point answers the suggestion it answered before, with its class (the second: B)
    assert _links(session, new.id) == before_links
    texts = session.exec(
        select(ReplyPoint.text).where(ReplyPoint.reply_id == new.id, col(ReplyPoint.parent_id).is_(None))
    ).all()
    assert any("已列入明年计划" in t for t in texts) and not any(
        "第2条建议的办理情况：已于今年完成" in t for t in texts
    )
    # the rating stays with the answer; the draft follows the letter in force
    rating = session.get(ReplyRating, rated.id)
    assert rating.reply_id == new.id
    draft = session.exec(select(ReplyDraft).where(ReplyDraft.proposal_id == case.proposal_id)).one()
    assert draft.reply_id == new.id
    # the proposer is told, with the reason
    told = session.exec(select(Notification).where(Notification.kind == "reply_corrected")).all()
    proposer_user = session.exec(select(User).where(User.member_id == case.member.member_id)).first()
    assert any(n.user_id == proposer_user.id and n.note == "第二条时间写错" for n in told)
    # the proposal page answers each suggestion with the corrected text only
    detail = proposal_detail(session=session, viewer=case.member, proposal_id=case.proposal_id)
    assert [r.id for r in detail.replies] == [new.id]
    assert "已列入明年计划" in detail.rows[1].current[0].point.text and not detail.rows[1].earlier


def test_the_history_lists_every_version_with_a_diff(session: Session, assigned_case) -> None:
    case = assigned_case
    original = _issue_final(session, case)
    second = corrections.correct_reply(
        session=session,
        reply_id=original.id,
        actor=case.lead,
        text=original.original_text.replace("已于今年完成", "已于去年完成", 1),
        reason="年份",
        now=NOW + timedelta(days=1),
    )
    third = corrections.correct_reply(
        session=session,
        reply_id=second.id,
        actor=case.staff,
        text=second.original_text + "\n\n附：联系人王芳。",
        reason="补充联系人",
        now=NOW + timedelta(days=2),
    )
    session.commit()
    for start in (original.id, second.id, third.id):  # from any version, the whole history
        history = corrections.letter_history(session=session, viewer=case.member, reply_id=start)
        assert [v.reply.id for v in history.versions] == [third.id, second.id, original.id]
        assert history.current.id == third.id
    newest, middle, first = history.versions
    assert first.diff == []
    assert [p.text for p in middle.diff if p.change == Change.REMOVED] == ["今"]
    assert [p.text for p in middle.diff if p.change == Change.ADDED] == ["去"]
    assert [p.text for p in newest.diff if p.change == Change.ADDED] == ["\n\n附：联系人王芳。"]
    assert newest.corrected_by == "staff" and middle.corrected_by == "agency"
    # staff corrected: the agency is told too
    told = session.exec(select(Notification).where(Notification.kind == "reply_corrected")).all()
    assert case.lead.user_id in {n.user_id for n in told}


@pytest.mark.parametrize(
    ("text", "reason", "field"),
    [
        (None, "理由", "text"),
        ("   ", "理由", "text"),
        ("SAME", "理由", "text"),  # the same letter again
        ("CHANGED", "", "reason"),
        ("CHANGED", "  ", "reason"),
        ("CHANGED", "长" * 2001, "reason"),
    ],
)
def test_a_correction_without_reason_or_change_is_refused_and_changes_nothing(
    session: Session, assigned_case, text, reason, field
) -> None:
    original = _issue_final(session, assigned_case)
    value = {"SAME": original.original_text, "CHANGED": original.original_text + "补充。"}.get(text, text)
    with pytest.raises(InvalidInput) as raised:
        corrections.correct_reply(
            session=session,
            reply_id=original.id,
            actor=assigned_case.lead,
            text=value,
            reason=reason,
            now=NOW,
        )
    assert field in {p.field for p in raised.value.problems}
    session.rollback()
    assert session.get(Reply, original.id).status == "issued"
    assert session.exec(select(Reply).where(Reply.proposal_id == assigned_case.proposal_id)).all() == [
        original
    ]


def test_only_the_writing_agency_or_staff_correct_and_only_the_version_in_force(
    session: Session, assigned_case, make
) -> None:
    case = assigned_case
    original = _issue_final(session, case)
    text = original.original_text + "补充。"
    for actor, error in ((case.co, ForbiddenError), (case.member, ForbiddenError), (Viewer(), NotFoundError)):
        with pytest.raises(error):
            corrections.correct_reply(
                session=session, reply_id=original.id, actor=actor, text=text, reason="理由", now=NOW
            )
    corrections.correct_reply(
        session=session, reply_id=original.id, actor=case.lead, text=text, reason="理由", now=NOW
    )
    session.commit()
    # the version corrected is history: correcting it again is refused
    with pytest.raises(LockedError):
        corrections.correct_reply(
            session=session, reply_id=original.id, actor=case.lead, text=text + "再", reason="理由", now=NOW
        )
    with pytest.raises(NotFoundError):
        corrections.correct_reply(
            session=session, reply_id=999_999, actor=case.staff, text=text, reason="理由", now=NOW
        )


def test_two_corrections_from_one_page_store_one(session: Session, assigned_case, app) -> None:
    """The second of two corrections made from the same version is refused, not stored beside it."""
    from tracker.db import get_engine

    case = assigned_case
    original = _issue_final(session, case)
    with Session(get_engine(app)) as other:
        first = corrections.correctable(session=other, reply_id=original.id, actor=case.lead)
        assert first.status == "issued"
        corrections.correct_reply(
            session=session,
            reply_id=original.id,
            actor=case.lead,
            text=original.original_text + "一",
            reason="甲",
            now=NOW,
        )
        session.commit()
        # the other page read the letter in force before; its write finds it corrected
        with pytest.raises((ConflictError, LockedError)):
            corrections.correct_reply(
                session=other,
                reply_id=original.id,
                actor=case.lead,
                text=original.original_text + "二",
                reason="乙",
                now=NOW,
            )
        other.rollback()
    issued = session.exec(
        select(Reply).where(Reply.proposal_id == case.proposal_id, Reply.status == "issued")
    ).all()
    assert len(issued) == 1 and issued[0].correction_reason == "甲"
