"""The lead agency's reply, the co-handling opinions, and the staff's review of a reply, over the database."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlmodel import Session, col, select

from tracker.domain.drafting import clean_text
from tracker.domain.letters import Exemption, Waiver
from tracker.domain.reply_drafting import ChosenLink, DraftContent, Mode, Section
from tracker.models import (
    CoOpinion,
    DraftStatus,
    PointLink,
    Proposal,
    Reply,
    ReplyDraft,
    ReplyExemption,
    ReplyPoint,
    Transition,
)
from tracker.services import co_opinions, feedback, oversight, pasted_letters, replying
from tracker.services.errors import ConflictError, ForbiddenError, InvalidInput, LockedError, NotFoundError

NOW = datetime(2025, 3, 20, 8, 0, tzinfo=UTC)
SEED_REPLY = Path(__file__).resolve().parents[2] / "seeds" / "proposals" / "cppcc-002" / "reply.txt"


def _content(session: Session, case, *, answers: dict[int, str] | None = None, outcome: str | None = "A"):
    state = replying.editor(session=session, proposal_id=case.proposal_id, actor=case.lead, today=NOW.date())
    content = state.content
    for section in content.sections:
        section.body = (answers or {}).get(section.suggestion, "")
    content.outcome = outcome
    return content, state.revision


def _all_answered(case) -> dict[int, str]:
    return {sid: f"第{i}条建议的办理情况。" for i, sid in enumerate(case.suggestion_ids, 1)}


def _submit(session: Session, case, content, revision: int = 0, letter=None):
    return replying.submit(
        session=session,
        proposal_id=case.proposal_id,
        actor=case.lead,
        content=content,
        revision=revision,
        now=NOW,
        letter=letter,
    )


def test_the_editor_starts_from_the_standard_form(session: Session, assigned_case) -> None:
    state = replying.editor(
        session=session, proposal_id=assigned_case.proposal_id, actor=assigned_case.lead, today=NOW.date()
    )
    frame = state.content.frame
    assert frame.salutation == "戴培红委员"
    assert frame.preamble.startswith("您提出的关于加强小型微型企业分级服务与管理的建议")
    assert frame.preamble.endswith("现答复如下：")
    assert frame.signature == "镇海区经信局"
    assert frame.date == "2025年3月20日"
    # the session's full name in the title (issue 12): 关于政协…第N号提案的答复
    assert frame.title.startswith("关于政协宁波市镇海区第十届委员会第三次会议第")
    assert frame.title.endswith("号提案的答复")
    assert [s.suggestion for s in state.content.sections] == assigned_case.suggestion_ids
    assert state.draft is None and not state.locked


def test_submit_stores_the_letter_point_by_point_and_marks_the_proposal_replied(
    session: Session, assigned_case
) -> None:
    content, revision = _content(session, assigned_case, answers=_all_answered(assigned_case))
    content.sections[2].outcome = "B"
    result = _submit(session, assigned_case, content, revision)
    assert result.problems == []
    reply = result.reply
    assert (reply.status, reply.outcome, reply.issued_at is not None) == ("issued", "A", True)
    points = session.exec(
        select(ReplyPoint).where(ReplyPoint.reply_id == reply.id).order_by(col(ReplyPoint.position))
    ).all()
    assert [p.marker for p in points] == ["一、", "二、", "三、", "四、", "五、"]
    assert points[0].heading == "关于“设立专门的服务与管理机构”"
    assert points[0].text == "关于“设立专门的服务与管理机构”。第1条建议的办理情况。"
    assert reply.original_text[points[0].start : points[0].end] == points[0].text
    assert points[2].outcome == "B"
    links = session.exec(
        select(PointLink).where(col(PointLink.reply_point_id).in_([p.id for p in points]))
    ).all()
    assert sorted((ln.reply_point_id, ln.suggestion_id) for ln in links) == sorted(
        zip([p.id for p in points], assigned_case.suggestion_ids, strict=True)
    )
    assert {ln.method for ln in links} == {"manual"}
    proposal = session.get(Proposal, assigned_case.proposal_id)
    assert proposal.status == "replied"
    step = session.exec(
        select(Transition).where(Transition.proposal_id == proposal.id).order_by(col(Transition.id).desc())
    ).first()
    assert (step.action, step.from_status, step.to_status) == ("reply", "assigned", "replied")
    assert step.details == {"reply": reply.id, "outcome": "A"}
    draft = session.get(ReplyDraft, result.draft.id)
    assert (draft.status, draft.reply_id) == ("submitted", reply.id)


def test_coverage_blocks_a_submit_with_one_left_unanswered_but_keeps_the_draft(
    session: Session, assigned_case
) -> None:
    answers = _all_answered(assigned_case)
    del answers[assigned_case.suggestion_ids[4]]
    content, revision = _content(session, assigned_case, answers=answers)
    result = _submit(session, assigned_case, content, revision)
    assert result.reply is None
    assert [p.field for p in result.problems] == [f"answer-{assigned_case.suggestion_ids[4]}"]
    assert result.problems[0].params == {"label": "5"}
    draft = session.get(ReplyDraft, result.draft.id)
    assert draft.status == "draft"
    assert [s["body"] for s in draft.sections][:4] == list(answers.values())
    assert session.get(Proposal, assigned_case.proposal_id).status == "assigned"


def test_an_exemption_with_a_reason_covers_a_suggestion(session: Session, assigned_case) -> None:
    ids = assigned_case.suggestion_ids
    answers = _all_answered(assigned_case)
    del answers[ids[3]], answers[ids[4]]
    content, revision = _content(session, assigned_case, answers=answers)
    content.exemptions = [
        Exemption(ids[3], Waiver.TOGETHER, "与第三条一并答复", ids[2]),
        Exemption(ids[4], Waiver.NOT_ANSWERABLE, ""),
    ]
    result = _submit(session, assigned_case, content, revision)
    assert [p.field for p in result.problems] == [f"answer-{ids[4]}"]  # a reason is needed
    content.exemptions[1] = Exemption(ids[4], Waiver.NOT_ANSWERABLE, "不属本单位职责")
    result = _submit(session, assigned_case, content, result.draft.revision)
    assert result.problems == []
    exemptions = session.exec(select(ReplyExemption).where(ReplyExemption.reply_id == result.reply.id)).all()
    assert {(e.suggestion_id, e.kind, e.with_suggestion_id) for e in exemptions} == {
        (ids[3], "together", ids[2]),
        (ids[4], "not_answerable", None),
    }
    # the third point answers the fourth suggestion too
    third = session.exec(
        select(ReplyPoint).where(ReplyPoint.reply_id == result.reply.id, ReplyPoint.n == 3)
    ).one()
    linked = session.exec(select(PointLink.suggestion_id).where(PointLink.reply_point_id == third.id)).all()
    assert sorted(linked) == sorted([ids[2], ids[3]])


def test_the_outcome_class_is_required(session: Session, assigned_case) -> None:
    content, revision = _content(session, assigned_case, answers=_all_answered(assigned_case), outcome=None)
    result = _submit(session, assigned_case, content, revision)
    assert [p.field for p in result.problems] == ["outcome"]


def test_a_reply_submitted_twice_is_stored_once(session: Session, assigned_case) -> None:
    content, revision = _content(session, assigned_case, answers=_all_answered(assigned_case))
    _submit(session, assigned_case, content, revision)
    with pytest.raises(LockedError) as locked:
        _submit(session, assigned_case, content, revision)
    assert "locked" in str(locked.value)
    assert len(session.exec(select(Reply).where(Reply.proposal_id == assigned_case.proposal_id)).all()) == 1


def test_editing_after_submit_is_refused_and_changes_nothing(session: Session, assigned_case) -> None:
    content, revision = _content(session, assigned_case, answers=_all_answered(assigned_case))
    result = _submit(session, assigned_case, content, revision)
    content.sections[0].body = "改过的答复。"
    with pytest.raises(LockedError):
        replying.save(
            session=session,
            proposal_id=assigned_case.proposal_id,
            actor=assigned_case.lead,
            content=content,
            revision=result.draft.revision,
            now=NOW,
        )
    assert session.get(ReplyDraft, result.draft.id).sections[0]["body"] == "第1条建议的办理情况。"


def test_a_save_from_a_stale_page_is_refused(session: Session, assigned_case) -> None:
    content, _revision = _content(session, assigned_case, answers=_all_answered(assigned_case))
    kwargs = {
        "session": session,
        "proposal_id": assigned_case.proposal_id,
        "actor": assigned_case.lead,
        "now": NOW,
    }
    replying.save(content=content, revision=0, **kwargs)
    replying.save(content=content, revision=1, **kwargs)
    with pytest.raises(ConflictError):
        replying.save(content=content, revision=1, **kwargs)


def test_only_the_lead_agency_writes_the_reply(session: Session, assigned_case, make) -> None:
    content, _revision = _content(session, assigned_case, answers=_all_answered(assigned_case))
    with pytest.raises(ForbiddenError):
        replying.editor(
            session=session, proposal_id=assigned_case.proposal_id, actor=assigned_case.co, today=NOW.date()
        )
    with pytest.raises(ForbiddenError):
        replying.save(
            session=session,
            proposal_id=assigned_case.proposal_id,
            actor=assigned_case.co,
            content=content,
            revision=0,
            now=NOW,
        )
    from tracker.services.visibility import Role, Viewer

    stranger = Viewer(Role.AGENCY, agency_id=make.agency(name="区水利局").id)
    with pytest.raises(NotFoundError):
        replying.save(
            session=session,
            proposal_id=assigned_case.proposal_id,
            actor=stranger,
            content=content,
            revision=0,
            now=NOW,
        )
    assert session.exec(select(ReplyDraft)).all() == []


def test_pasting_the_seed_letter_proposes_one_to_one_links(session: Session, assigned_case) -> None:
    suggestions = replying.editor(
        session=session, proposal_id=assigned_case.proposal_id, actor=assigned_case.lead, today=NOW.date()
    ).suggestions
    letter = pasted_letters.read_letter(SEED_REPLY.read_text(encoding="utf-8"), suggestions)
    ids = assigned_case.suggestion_ids
    assert [(ln.point, ln.suggestion, ln.method) for ln in letter.proposed] == [
        (i, ids[i], "title") for i in range(5)
    ]
    assert letter.frame().salutation == "戴培红委员"


def test_a_pasted_letter_is_stored_with_the_links_confirmed_and_corrected(
    session: Session, assigned_case
) -> None:
    ids = assigned_case.suggestion_ids
    text = SEED_REPLY.read_text(encoding="utf-8")
    state = replying.editor(
        session=session, proposal_id=assigned_case.proposal_id, actor=assigned_case.lead, today=NOW.date()
    )
    letter = pasted_letters.read_letter(text, state.suggestions)
    links = [ln for ln in letter.proposed if ln.point != 4] + [ChosenLink(4, ids[3], "manual", 1.0)]
    links.append(ChosenLink(3, ids[4], "manual", 1.0))
    content = DraftContent(mode=Mode.PASTED, frame=letter.frame(), outcome="B", pasted=text, links=links)
    content.frame.date = "2016年6月30日"
    result = _submit(session, assigned_case, content)
    assert result.problems == []
    points = session.exec(
        select(ReplyPoint)
        .where(ReplyPoint.reply_id == result.reply.id, col(ReplyPoint.parent_id).is_(None))
        .order_by(col(ReplyPoint.position))
    ).all()
    stored = {
        (ln.reply_point_id, ln.suggestion_id): ln.method
        for ln in session.exec(
            select(PointLink).where(col(PointLink.reply_point_id).in_([p.id for p in points]))
        )
    }
    assert stored[(points[0].id, ids[0])] == "title"
    assert stored[(points[4].id, ids[3])] == "manual"
    assert stored[(points[3].id, ids[4])] == "manual"
    assert (points[4].id, ids[4]) not in stored
    assert result.reply.original_text == clean_text(text)  # as pasted, trailing blanks trimmed
    for point in points:
        assert result.reply.original_text[point.start : point.end] == point.text
    assert result.reply.date_on.isoformat() == "2016-06-30"


def test_a_letter_read_earlier_in_the_request_serves_only_its_own_text(
    session: Session, assigned_case
) -> None:
    """The view hands the letter it read to the service; a letter read from another text (the box
    edited meanwhile) is never taken for this one: it is read again."""
    text = SEED_REPLY.read_text(encoding="utf-8")
    suggestions = replying.lead_suggestions(
        session=session, proposal_id=assigned_case.proposal_id, actor=assigned_case.lead
    )
    letter = pasted_letters.read_letter(text, suggestions)
    assert pasted_letters.letter_for(text + "\n\n", suggestions, letter) is letter  # the same, cleaned
    shorter = text.replace("五、关于“商业信息中心”。", "")
    fresh = pasted_letters.letter_for(shorter, suggestions, letter)
    assert fresh is not letter and (letter.point_count, fresh.point_count) == (5, 4)
    content = DraftContent(
        mode=Mode.PASTED, frame=fresh.frame(), outcome="B", pasted=shorter, links=list(fresh.proposed)
    )
    content.exemptions = [Exemption(assigned_case.suggestion_ids[4], Waiver.NOT_ANSWERABLE, "不属本单位职责")]
    result = _submit(session, assigned_case, content, letter=letter)  # stale: read from the longer text
    assert result.problems == []
    points = session.exec(
        select(ReplyPoint).where(ReplyPoint.reply_id == result.reply.id, col(ReplyPoint.parent_id).is_(None))
    ).all()
    assert len(points) == 4
    assert all(result.reply.original_text[p.start : p.end] == p.text for p in points)


def test_a_letter_far_longer_than_any_reply_is_refused_with_a_message(
    session: Session, assigned_case
) -> None:
    page = "我区持续推进相关工作，取得明显成效。" * 40 + "\n"  # about one page
    text = SEED_REPLY.read_text(encoding="utf-8").replace("下步，", page * 200 + "下步，")
    with pytest.raises(InvalidInput) as refused:
        pasted_letters.read_letter(text, [])
    assert refused.value.field == "pasted"
    assert str(len(clean_text(text))) in str(refused.value)


def test_co_agency_opinion_reaches_the_lead_editor(session: Session, assigned_case) -> None:
    kwargs = {
        "session": session,
        "proposal_id": assigned_case.proposal_id,
        "actor": assigned_case.co,
        "now": NOW,
    }
    co_opinions.save_opinion(text="商务局草稿", submit=False, **kwargs)
    state = replying.editor(
        session=session, proposal_id=assigned_case.proposal_id, actor=assigned_case.lead, today=NOW.date()
    )
    assert state.opinions == [] and [a.name for a in state.waiting_for] == ["镇海区商务局"]
    co_opinions.save_opinion(text="建议加强电商平台对接。", submit=True, **kwargs)
    state = replying.editor(
        session=session, proposal_id=assigned_case.proposal_id, actor=assigned_case.lead, today=NOW.date()
    )
    assert [o.text for o in state.opinions] == ["建议加强电商平台对接。"] and state.waiting_for == []
    with pytest.raises(LockedError):
        co_opinions.save_opinion(text="再改", submit=True, **kwargs)
    with pytest.raises(ForbiddenError):
        co_opinions.save_opinion(
            session=session,
            proposal_id=assigned_case.proposal_id,
            actor=assigned_case.lead,
            text="x",
            submit=True,
            now=NOW,
        )
    assert session.exec(select(CoOpinion.text)).all() == ["建议加强电商平台对接。"]


def test_send_back_unlocks_the_draft_and_keeps_the_letter(session: Session, assigned_case) -> None:
    content, revision = _content(session, assigned_case, answers=_all_answered(assigned_case))
    first = _submit(session, assigned_case, content, revision).reply
    oversight.send_back(
        session=session,
        proposal_id=assigned_case.proposal_id,
        actor=assigned_case.staff,
        note="第三条请补充资金数据",
    )
    assert session.get(Reply, first.id).status == "returned"
    assert session.get(Proposal, assigned_case.proposal_id).status == "assigned"
    state = replying.editor(
        session=session, proposal_id=assigned_case.proposal_id, actor=assigned_case.lead, today=NOW.date()
    )
    assert not state.locked and state.reopened.note == "第三条请补充资金数据"
    assert state.content.sections[0].body == "第1条建议的办理情况。"
    state.content.sections[2].body = "补充了资金数据。"
    second = _submit(session, assigned_case, state.content, state.revision).reply
    assert second.id != first.id and second.status == "issued"
    assert session.get(Proposal, assigned_case.proposal_id).status == "replied"


def test_reclassify_changes_the_class_and_records_it(session: Session, assigned_case) -> None:
    content, revision = _content(session, assigned_case, answers=_all_answered(assigned_case), outcome="B")
    reply = _submit(session, assigned_case, content, revision).reply
    oversight.reclassify(
        session=session,
        proposal_id=assigned_case.proposal_id,
        actor=assigned_case.staff,
        outcome="C",
        note="尚未落实",
    )
    assert session.get(Reply, reply.id).outcome == "C"
    step = session.exec(select(Transition).order_by(col(Transition.id).desc())).first()
    assert (step.action, step.from_status, step.to_status, step.details["from"], step.details["to"]) == (
        "reclassify",
        "replied",
        "replied",
        "B",
        "C",
    )
    with pytest.raises(InvalidInput):
        oversight.reclassify(
            session=session,
            proposal_id=assigned_case.proposal_id,
            actor=assigned_case.staff,
            outcome="D",
            note="",
        )


def test_reopen_needs_a_dissatisfied_rating_and_keeps_the_first_reply(
    session: Session, assigned_case
) -> None:
    content, revision = _content(session, assigned_case, answers=_all_answered(assigned_case))
    first = _submit(session, assigned_case, content, revision).reply
    reopen = {"session": session, "proposal_id": assigned_case.proposal_id, "actor": assigned_case.staff}
    with pytest.raises(LockedError):
        oversight.reopen(note="重新办理", today=NOW.date(), **reopen)
    feedback.rate(
        session=session,
        proposal_id=assigned_case.proposal_id,
        actor=assigned_case.member,
        rating="dissatisfied",
        comment="没有回应融资问题",
        now=NOW,
    )
    new_deadline = NOW.date() + timedelta(days=30)
    oversight.reopen(note="请重新办理", today=NOW.date(), deadline=new_deadline, **reopen)
    assert session.get(Reply, first.id).status == "superseded"
    assert session.get(Proposal, assigned_case.proposal_id).status == "assigned"
    state = replying.editor(
        session=session, proposal_id=assigned_case.proposal_id, actor=assigned_case.lead, today=NOW.date()
    )
    assert state.assignment.deadline == new_deadline and not state.locked
    second = _submit(session, assigned_case, state.content, state.revision).reply
    replies = session.exec(
        select(Reply).where(Reply.proposal_id == assigned_case.proposal_id).order_by(col(Reply.id))
    ).all()
    assert [(r.id, r.status) for r in replies] == [(first.id, "superseded"), (second.id, "issued")]


def test_publish_and_withhold(session: Session, assigned_case) -> None:
    kwargs = {
        "session": session,
        "proposal_id": assigned_case.proposal_id,
        "actor": assigned_case.staff,
        "now": NOW,
    }
    with pytest.raises(LockedError):
        oversight.publish(**kwargs)  # no reply yet
    content, revision = _content(session, assigned_case, answers=_all_answered(assigned_case))
    _submit(session, assigned_case, content, revision)
    oversight.publish(**kwargs)
    proposal = session.get(Proposal, assigned_case.proposal_id)
    assert proposal.published_at is not None
    with pytest.raises(InvalidInput):
        oversight.withhold(reason=" ", **kwargs)
    oversight.withhold(reason="涉及企业商业信息", **kwargs)
    assert (proposal.published_at, proposal.withheld_reason) == (None, "涉及企业商业信息")
    actions = session.exec(
        select(Transition.action).where(Transition.proposal_id == proposal.id).order_by(col(Transition.id))
    ).all()
    assert actions[-2:] == ["publish", "withhold"]


def test_draft_status_values(session: Session) -> None:
    assert {s.value for s in DraftStatus} == {"draft", "submitted"}
    assert Section(1).body == ""


def test_answers_typed_and_a_pasted_letter_are_kept_side_by_side(session: Session, assigned_case) -> None:
    """Switching between writing in the editor and pasting a letter loses neither."""
    kwargs = {
        "session": session,
        "proposal_id": assigned_case.proposal_id,
        "actor": assigned_case.lead,
        "now": NOW,
    }
    content, _revision = _content(session, assigned_case, answers=_all_answered(assigned_case))
    draft = replying.save(content=content, revision=0, **kwargs)
    pasted = DraftContent(
        mode=Mode.PASTED, frame=content.frame, pasted=SEED_REPLY.read_text(encoding="utf-8")
    )
    draft = replying.save(content=pasted, revision=draft.revision, **kwargs)
    state = replying.editor(
        session=session, proposal_id=assigned_case.proposal_id, actor=assigned_case.lead, today=NOW.date()
    )
    assert state.content.mode == "pasted" and state.content.pasted.startswith("第2号提案的答复")
    assert state.content.sections[0].body == "第1条建议的办理情况。"
    content.mode = Mode.SECTIONS
    replying.save(content=content, revision=draft.revision, **kwargs)
    assert session.get(ReplyDraft, draft.id).pasted_text.startswith("第2号提案的答复")
