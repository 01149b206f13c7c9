"""Precedents while drafting (issue 16): past answers in force to similar suggestions, found through
the search backend and the point↔suggestion links, ranked, visible as the archive is; copying one
into a draft; clause citations carried from the draft to the issued letter."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from flask import Flask
from sqlmodel import Session, select

from tracker.domain.reply_drafting import DraftContent, Section
from tracker.models import (
    Agency,
    DraftCitation,
    Member,
    PointCitation,
    PointLink,
    Proposal,
    ReferenceClause,
    Reply,
    ReplyDraft,
    ReplyPoint,
    ReplyRating,
    Suggestion,
    User,
)
from tracker.search import SearchBackend, get_backend
from tracker.services import precedents
from tracker.services.errors import InvalidInput
from tracker.services.proposals import record_proposal
from tracker.services.replies import record_reply
from tracker.services.visibility import ANONYMOUS, Role, Viewer

ASKED = """关于电动自行车充电安全的建议
为此建议：
1.建设电动自行车集中充电设施。在老旧小区和城中村统一建设智能充电桩，严禁电动自行车进楼入户充电。
2.加强消防宣传。社区定期开展消防安全宣传。
"""
REWORDED = """关于规范电动自行车充电的建议
为此建议：
1.建设电动自行车集中充电设施。在老旧小区和城中村建设智能充电桩，禁止电动自行车进楼入户充电。
"""


def _reply(agency: str, body: str) -> str:
    return (
        f"关于电动自行车充电的建议的答复\n张三委员：\n您的建议收悉，现答复如下：\n"
        f"一、关于建设电动自行车集中充电设施。{body}\n感谢您的关心。\n{agency}\n2024年6月1日"
    )


@pytest.fixture
def backend(app: Flask) -> SearchBackend:
    return get_backend(app)


@pytest.fixture
def archive(session: Session, backend: SearchBackend) -> dict[str, int]:
    """Past proposals asking the same (reworded), answered by several agencies, and the proposal now
    being answered by 镇海区经信局 (the demo agency account)."""
    users = {u.username: u for u in session.exec(select(User)).all()}
    own = session.get(Agency, users["agency"].agency_id)
    commerce = session.exec(select(Agency).where(Agency.name == "镇海区商务局")).one()
    housing = Agency(name="镇海区住建局")
    fire = Agency(name="镇海区消防救援大队")
    session.add_all([housing, fire])
    proposer = Member(name="充电委员")
    session.add(proposer)
    session.flush()
    now = datetime.now(UTC)
    ids: dict[str, int] = {"own_agency": own.id, "housing": housing.id}

    def past(key: str, number: int | None, agency: Agency, body: str, published: bool, **reply: str) -> Reply:
        proposal = record_proposal(
            session=session,
            text=REWORDED,
            title=f"关于规范电动自行车充电的建议（{key}）",
            number=number,
            proposer=proposer,
            status="replied",
            published_at=now if published else None,
        )
        letter = record_reply(
            session=session, proposal=proposal, text=_reply(agency.name, body), agency=agency
        )
        for name, value in reply.items():
            setattr(letter, name, value)
        ids[key] = proposal.id
        ids[f"{key}_reply"] = letter.id
        return letter

    satisfied = past("satisfied", 31, housing, "我局已在全区建成集中充电点二百处。", True, outcome="B")
    dissatisfied = past("dissatisfied", 32, commerce, "我局将研究充电设施建设。", True, outcome="C")
    past("hidden", None, fire, "消防救援大队已联合街道开展排查。", False)  # another agency's, unpublished
    past("own", None, own, "经信局已推动充电桩企业入驻。", False)  # the drafting agency's own, unpublished
    past("superseded", 33, fire, "这一答复已被重新办理的答复取代。", True, status="superseded")
    for letter, rating in ((satisfied, "satisfied"), (dissatisfied, "dissatisfied")):
        session.add(ReplyRating(reply_id=letter.id, member_id=proposer.id, rating=rating))
    asked = record_proposal(session=session, text=ASKED, title="关于电动自行车充电安全的建议", number=40)
    session.commit()
    ids["asked"] = asked.id
    ids["suggestion"] = session.exec(
        select(Suggestion.id).where(Suggestion.proposal_id == asked.id, Suggestion.n == 1)
    ).one()
    return ids


def _found(session: Session, backend: SearchBackend, archive: dict[str, int], viewer: Viewer) -> list[str]:
    suggestion = session.get(Suggestion, archive["suggestion"])
    found = precedents.precedents_for(session=session, backend=backend, viewer=viewer, suggestion=suggestion)
    keys = {v: k for k, v in archive.items() if not k.endswith("_reply")}
    return [keys.get(p.proposal.id, f"p{p.proposal.id}") for p in found]


def test_precedents_are_the_answers_in_force_to_similar_suggestions_best_rated_first(
    session: Session, backend: SearchBackend, archive: dict[str, int]
) -> None:
    agency = Viewer(Role.AGENCY, agency_id=archive["own_agency"])
    # the drafting agency sees the public answers and its own; the satisfying answer comes first
    # (the texts asked are the same, so the rating decides); another agency's unpublished letter
    # and a letter a re-handling superseded are not offered
    assert _found(session, backend, archive, agency)[:3] == ["satisfied", "own", "dissatisfied"]
    assert set(_found(session, backend, archive, agency)) <= {"satisfied", "own", "dissatisfied"}
    # another agency sees only the public ones
    housing = Viewer(Role.AGENCY, agency_id=archive["housing"])
    assert _found(session, backend, archive, housing) == ["satisfied", "dissatisfied"]


def test_a_precedent_says_who_answered_when_how_and_how_it_was_rated(
    session: Session, backend: SearchBackend, archive: dict[str, int]
) -> None:
    suggestion = session.get(Suggestion, archive["suggestion"])
    best = precedents.precedents_for(
        session=session, backend=backend, viewer=ANONYMOUS, suggestion=suggestion
    )[0]
    assert best.agency == "镇海区住建局"
    assert (best.outcome, best.rating) == ("B", "satisfied")
    assert best.reply.id == archive["satisfied_reply"]
    assert best.answered.n == 1 and best.answered.proposal_id == archive["satisfied"]
    assert best.text == "我局已在全区建成集中充电点二百处。"
    assert best.likeness == pytest.approx(1.0)
    assert best.letter_anchor == "r1"


def test_the_proposal_answered_is_never_its_own_precedent(
    session: Session, backend: SearchBackend, archive: dict[str, int]
) -> None:
    suggestion = session.get(Suggestion, archive["suggestion"])
    found = precedents.precedents_for(
        session=session, backend=backend, viewer=ANONYMOUS, suggestion=suggestion
    )
    assert archive["asked"] not in {p.proposal.id for p in found}


def _point(session: Session, reply_id: int) -> ReplyPoint:
    return session.exec(select(ReplyPoint).where(ReplyPoint.reply_id == reply_id)).first()


def test_copying_fills_an_empty_answer_and_follows_a_typed_one(
    session: Session, archive: dict[str, int]
) -> None:
    sid = archive["suggestion"]
    point = _point(session, archive["satisfied_reply"])
    content = DraftContent(sections=[Section(sid, "")])
    copied = precedents.copy_into(
        session=session, viewer=ANONYMOUS, content=content, suggestion_ids=[sid], choice=f"{sid}-{point.id}"
    )
    assert copied == precedents.Copied(sid, point.id)
    assert content.section_for(sid).body == "我局已在全区建成集中充电点二百处。"
    content = DraftContent(sections=[Section(sid, "已写的开头。")])
    precedents.copy_into(
        session=session, viewer=ANONYMOUS, content=content, suggestion_ids=[sid], choice=f"{sid}-{point.id}"
    )
    assert content.section_for(sid).body == "已写的开头。\n\n我局已在全区建成集中充电点二百处。"


@pytest.mark.parametrize("which", ["hidden_reply", "superseded_reply", "other_suggestion", "garbage"])
def test_copying_refuses_what_is_not_an_answer_in_force_the_viewer_may_read(
    session: Session, archive: dict[str, int], which: str
) -> None:
    sid = archive["suggestion"]
    agency = Viewer(Role.AGENCY, agency_id=archive["own_agency"])
    choice = {
        "hidden_reply": f"{sid}-{_point(session, archive['hidden_reply']).id}",
        "superseded_reply": f"{sid}-{_point(session, archive['superseded_reply']).id}",
        "other_suggestion": f"{sid + 1000}-{_point(session, archive['satisfied_reply']).id}",
        "garbage": "1-2-3x",
    }[which]
    content = DraftContent(sections=[Section(sid, "已写的开头。")])
    with pytest.raises(InvalidInput):
        precedents.copy_into(
            session=session, viewer=agency, content=content, suggestion_ids=[sid], choice=choice
        )
    assert content.section_for(sid).body == "已写的开头。"


def test_citations_go_from_the_draft_to_the_points_answering_their_suggestion(
    session: Session, archive: dict[str, int]
) -> None:
    clauses = session.exec(select(ReferenceClause.id).order_by(ReferenceClause.id).limit(2)).all()
    reply = session.get(Reply, archive["satisfied_reply"])
    answered = session.exec(
        select(PointLink.suggestion_id).join(ReplyPoint).where(ReplyPoint.reply_id == reply.id)
    ).one()
    draft = ReplyDraft(proposal_id=reply.proposal_id, agency_id=archive["housing"])
    session.add(draft)
    session.flush()
    precedents.keep_citations(session=session, draft=draft, cited={answered: clauses})
    assert precedents.draft_citations(session=session, draft_id=draft.id) == {answered: sorted(clauses)}
    # ticking again replaces; a suggestion not on the form keeps its citations
    precedents.keep_citations(session=session, draft=draft, cited={answered: clauses[:1]})
    precedents.keep_citations(session=session, draft=draft, cited={})
    assert precedents.draft_citations(session=session, draft_id=draft.id) == {answered: clauses[:1]}
    assert precedents.carry_citations(session=session, draft=draft, reply=reply) == 1
    point = _point(session, reply.id)
    refs = precedents.point_citations(session=session, point_ids=[point.id])[point.id]
    assert [r.clause.id for r in refs] == clauses[:1]
    assert refs[0].anchor.startswith("c") and refs[0].document.slug


def test_citing_a_clause_the_library_does_not_have_changes_nothing(
    session: Session, archive: dict[str, int]
) -> None:
    reply = session.get(Reply, archive["satisfied_reply"])
    draft = ReplyDraft(proposal_id=reply.proposal_id, agency_id=archive["housing"])
    session.add(draft)
    session.flush()
    with pytest.raises(InvalidInput):
        precedents.keep_citations(session=session, draft=draft, cited={archive["suggestion"]: [999_999]})
    assert session.exec(select(DraftCitation)).all() == []
    assert session.exec(select(PointCitation)).all() == []


def test_a_copy_is_recorded_once_per_point(session: Session, archive: dict[str, int]) -> None:
    reply = session.get(Reply, archive["satisfied_reply"])
    point = _point(session, reply.id)
    draft = ReplyDraft(proposal_id=archive["asked"], agency_id=archive["own_agency"])
    session.add(draft)
    session.flush()
    copied = precedents.Copied(archive["suggestion"], point.id)
    for _ in range(2):
        precedents.record_copy(
            session=session, draft=draft, copied=copied, actor_id=None, now=datetime.now(UTC)
        )
    sources = precedents.sources_of(session=session, draft_id=draft.id)
    assert [(s.point.id, s.reply.id) for s in sources[archive["suggestion"]]] == [(point.id, reply.id)]
    assert session.get(Proposal, archive["asked"]) is not None
