"""Proposal use cases and queries: recording, listing with filters and pages, the side-by-side view."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import event
from sqlmodel import Session, col, select

from tracker.domain.drafting import Draft, compose
from tracker.domain.splitting import split_proposal
from tracker.models import (
    Assignment,
    PointLink,
    Proposal,
    ProposalSigner,
    ReplyPoint,
    ReplyStatus,
    Suggestion,
)
from tracker.services import drafting
from tracker.services.errors import DuplicateError, ServiceError
from tracker.services.people import get_or_create_meeting, public_statuses, statuses_in_view
from tracker.services.proposals import (
    _counts_where,
    counts,
    latest_proposals,
    latest_public,
    list_proposals,
    proposal_detail,
    public_counts,
    record_proposal,
    store_suggestions,
    suggestions_of,
)
from tracker.services.replies import record_reply
from tracker.services.visibility import ANONYMOUS, Role, Viewer, proposal_filter

STAFF = Viewer(Role.STAFF)  # these tests are about content, not visibility

MODEL_TITLES = [
    "设立专门的服务与管理机构",
    "实行分级服务与管理",
    "加大培训力度",
    "加强联系与沟通",
    "建立商业信息中心",
]

THREE = "我区校园安全形势总体平稳。\n为此建议：\n1.增设校医岗位。学校应配备校医。\n2.加强食堂监管。定期检查。\n3.完善应急预案。每学期演练。\n"
REPLY_TWO = (
    "张三委员：\n  您的提案收悉，现答复如下：\n"
    "一、关于“增设校医岗位”。我局已配备校医。\n二、关于“加强食堂监管”。已开展检查。\n"
    "感谢您的关心。\n区教育局\n2024年5月6日\n"
)


def _model(session: Session) -> Proposal:
    return session.exec(select(Proposal).where(Proposal.number == 2)).one()


def test_seeded_model_case_has_five_suggestions_linked_one_to_one(session: Session) -> None:
    detail = proposal_detail(session=session, viewer=STAFF, proposal_id=_model(session).id)
    assert detail is not None
    assert [row.suggestion.title for row in detail.rows] == MODEL_TITLES
    assert [row.anchor for row in detail.rows] == ["s1", "s2", "s3", "s4", "s5"]
    pairs = [(row.suggestion.n, [a.point.n for a in row.answers]) for row in detail.rows]
    assert pairs == [(1, [1]), (2, [2]), (3, [3]), (4, [4]), (5, [5])]
    assert [a.anchor for row in detail.rows for a in row.answers] == ["r1", "r2", "r3", "r4", "r5"]
    assert detail.unlinked_points == []
    assert detail.proposal.proposer.name == "戴培红"


def test_seeded_model_case_records_what_the_documents_state(session: Session) -> None:
    proposal = _model(session)
    assert proposal.title == "关于加强小型微型企业分级服务与管理的建议"
    assert proposal.status == "replied"
    assert proposal.meeting.body == "政协"
    # the session is the one seeds/manifest.toml declares (issue 12); no year is stated, none is recorded
    assert proposal.meeting.name == "政协宁波市镇海区第十届委员会第三次会议"
    assert proposal.meeting.year is None
    assert proposal.submitted_on is None and proposal.accepted_on is None
    assert proposal.leadin == "为此建议："


def test_record_proposal_splits_and_stores_suggestions(session: Session) -> None:
    proposal = record_proposal(session=session, text=THREE, title="关于校园安全的建议", number=7)
    rows = session.exec(
        select(Suggestion).where(Suggestion.proposal_id == proposal.id).order_by(col(Suggestion.position))
    ).all()
    assert [(s.n, s.marker, s.title) for s in rows] == [
        (1, "1.", "增设校医岗位"),
        (2, "2.", "加强食堂监管"),
        (3, "3.", "完善应急预案"),
    ]
    assert all(THREE[s.start : s.end] == s.text for s in rows)
    assert proposal.background.startswith("我区校园安全")


NESTED = (
    "背景。\n为此建议：\n1.增设校医岗位。学校应配备校医。\n（1）城区学校先配。\n（2）乡镇学校随后。\n"
    "2.加强食堂监管。定期检查。\n"
)


def _rows(session: Session, proposal_id: int) -> list[tuple]:
    by_id = {s.id: s for s in suggestions_of(session=session, proposal_id=proposal_id)}
    return [
        (
            s.position,
            by_id[s.parent_id].n if s.parent_id else None,
            s.n,
            s.marker,
            s.title,
            s.text,
            s.start,
            s.end,
        )
        for s in by_id.values()
    ]


def test_store_suggestions_keeps_sub_points_under_their_parent_in_document_order(session: Session) -> None:
    proposal = record_proposal(session=session, text=NESTED, title="关于校园安全的建议")
    assert [
        (p, parent, n, marker, title) for p, parent, n, marker, title, *_ in _rows(session, proposal.id)
    ] == [
        (0, None, 1, "1.", "增设校医岗位"),
        (1, 1, 1, "（1）", "城区学校先配"),
        (2, 1, 2, "（2）", "乡镇学校随后"),
        (3, None, 2, "2.", "加强食堂监管"),
    ]
    assert all(NESTED[start:end] == text for *_, text, start, end in _rows(session, proposal.id))


def test_store_suggestions_replaces_every_earlier_row_sub_points_included(session: Session) -> None:
    proposal = record_proposal(session=session, text=NESTED, title="关于校园安全的建议")
    split = split_proposal(THREE)
    top = store_suggestions(session=session, proposal=proposal, units=split.suggestions)
    assert [s.n for s in top] == [1, 2, 3]
    rows = _rows(session, proposal.id)
    assert [(p, parent, n) for p, parent, n, *_ in rows] == [(0, None, 1), (1, None, 2), (2, None, 3)]
    assert all(THREE[start:end] == text for *_, text, start, end in rows)
    assert store_suggestions(session=session, proposal=proposal, units=[]) == []
    assert suggestions_of(session=session, proposal_id=proposal.id) == []


def test_a_form_and_a_recorded_text_store_the_same_suggestions(session: Session, make) -> None:
    """The member's form and a recorded (imported) document go through one writer: the same text
    gives the same rows, offsets and all."""
    draft = Draft(
        title="关于校园安全的建议",
        category="其他",
        background="我区校园安全形势总体平稳。",
        suggestions=["增设校医岗位。学校应配备校医。", "加强食堂监管。定期检查。"],
    )
    author = Viewer(Role.MEMBER, member_id=make.member(name="甲委员").id)
    formed = drafting.create(
        session=session,
        author=author,
        draft=draft,
        form_token="b" * 32,
        submit=False,
        categories=["其他"],
        today=date(2025, 3, 10),
    ).proposal
    recorded = record_proposal(session=session, text=compose(draft).text, title=draft.title)
    assert formed.original_text == recorded.original_text
    assert _rows(session, formed.id) == _rows(session, recorded.id)
    assert [u.numbered for u in compose(draft).suggestions] == [True, True]
    assert all(s.numbered for s in suggestions_of(session=session, proposal_id=formed.id))


def test_record_proposal_takes_a_text_already_split(session: Session) -> None:
    split = split_proposal(THREE)
    split.suggestions = split.suggestions[:1]  # what the caller split is what is stored
    proposal = record_proposal(session=session, text=THREE, title="关于校园安全的建议", split=split)
    assert [(s.n, s.title) for s in suggestions_of(session=session, proposal_id=proposal.id)] == [
        (1, "增设校医岗位")
    ]


def test_record_proposal_refuses_a_duplicate_number_in_the_same_session(session: Session) -> None:
    meeting = get_or_create_meeting(session=session, body="政协", name="第一次会议", year=2024)
    record_proposal(session=session, text=THREE, title="甲", number=1, meeting=meeting)
    with pytest.raises(DuplicateError) as info:
        record_proposal(session=session, text=THREE, title="乙", number=1, meeting=meeting)
    assert info.value.field == "number"
    other = get_or_create_meeting(session=session, body="政协", name="第二次会议", year=2025)
    assert record_proposal(session=session, text=THREE, title="丙", number=1, meeting=other).id


@pytest.mark.parametrize(
    ("overrides", "field"),
    [({"text": "  "}, "text"), ({"title": ""}, "title"), ({"status": "lost"}, "status")],
)
def test_record_proposal_names_the_bad_field(session: Session, overrides: dict, field: str) -> None:
    values = {"text": THREE, "title": "关于校园安全的建议"} | overrides
    with pytest.raises(ServiceError) as info:
        record_proposal(session=session, **values)
    assert info.value.field == field


def test_unanswered_suggestions_and_unlinked_points(session: Session) -> None:
    proposal = record_proposal(session=session, text=THREE, title="关于校园安全的建议", number=8)
    reply = record_reply(session=session, proposal=proposal, text=REPLY_TWO)
    detail = proposal_detail(session=session, viewer=STAFF, proposal_id=proposal.id)
    assert [row.answered for row in detail.rows] == [True, True, False]
    assert reply.agency.name == "区教育局"  # taken from the signature
    assert str(reply.date_on) == "2024-05-06"

    # A point whose link is removed is listed apart, not lost.
    point = session.exec(select(ReplyPoint).where(ReplyPoint.reply_id == reply.id, ReplyPoint.n == 2)).one()
    for found in session.exec(select(PointLink).where(PointLink.reply_point_id == point.id)).all():
        session.delete(found)
    session.flush()
    detail = proposal_detail(session=session, viewer=STAFF, proposal_id=proposal.id)
    assert [row.answered for row in detail.rows] == [True, False, False]
    assert [item.point.n for item in detail.unlinked_points] == [2]
    assert detail.unlinked_points[0].anchor == "r2"


def test_a_point_answering_two_suggestions_carries_its_anchor_once(session: Session, make) -> None:
    proposal = make.proposal(number=30)
    first = make.suggestion(proposal, position=0, n=1)
    second = make.suggestion(proposal, position=1, n=2, marker="2.", title="建议二", text="建议二。")
    point = make.point(make.reply(proposal))
    make.link(point, first)
    make.link(point, second)
    detail = proposal_detail(session=session, viewer=STAFF, proposal_id=proposal.id)
    answers = [a for row in detail.rows for a in row.answers]
    assert [(a.anchor, a.first) for a in answers] == [("r1", True), ("r1", False)]


def test_points_of_a_second_reply_get_their_own_anchors(session: Session, make) -> None:
    proposal = make.proposal(number=31)
    suggestion = make.suggestion(proposal)
    lead = make.reply(proposal, role="lead")
    co = make.reply(proposal, role="co", agency_id=make.agency(name="区卫健局").id)
    make.link(make.point(lead), suggestion)
    make.link(make.point(co), suggestion)
    detail = proposal_detail(session=session, viewer=STAFF, proposal_id=proposal.id)
    assert [a.anchor for a in detail.rows[0].answers] == ["r1", f"r{co.id}-1"]
    assert [a.letter_anchor for a in detail.rows[0].answers] == ["r1", "r1"]


def test_proposal_detail_of_a_missing_id_is_none(session: Session) -> None:
    assert proposal_detail(session=session, viewer=STAFF, proposal_id=999_999) is None


def test_list_filters_by_session_status_and_agency(session: Session, make) -> None:
    spring = make.meeting(name="第一次会议", year=2023)
    autumn = make.meeting(name="第二次会议", year=2024)
    bureau = make.agency(name="区住建局")
    a = make.proposal(meeting_id=spring.id, number=1, status="submitted")
    b = make.proposal(meeting_id=spring.id, number=2, status="replied")
    c = make.proposal(meeting_id=autumn.id, number=1, status="replied")
    make.reply(b, agency_id=bureau.id)

    def ids(**filters) -> list[int]:
        return [p.id for p in list_proposals(session=session, viewer=STAFF, **filters).items]

    assert ids(meeting_id=spring.id) == [a.id, b.id]
    assert ids(meeting_id=autumn.id) == [c.id]
    assert set(ids(status="replied")) >= {b.id, c.id}
    assert a.id not in ids(status="replied")
    assert ids(agency_id=bureau.id) == [b.id]
    assert ids(meeting_id=spring.id, status="replied", agency_id=bureau.id) == [b.id]
    assert ids(meeting_id=autumn.id, agency_id=bureau.id) == []


def test_list_pages_and_clamps(session: Session, make) -> None:
    meeting = make.meeting()
    for number in range(1, 26):
        make.proposal(meeting_id=meeting.id, number=number)
    first = list_proposals(session=session, viewer=STAFF, meeting_id=meeting.id, page=1, page_size=20)
    second = list_proposals(session=session, viewer=STAFF, meeting_id=meeting.id, page=2, page_size=20)
    assert (first.total, first.pages, len(first.items), first.has_next, first.has_prev) == (
        25,
        2,
        20,
        True,
        False,
    )
    assert [p.number for p in second.items] == [21, 22, 23, 24, 25]
    assert second.has_prev and not second.has_next
    assert list_proposals(session=session, viewer=STAFF, meeting_id=meeting.id, page=99).page == 2
    assert list_proposals(session=session, viewer=STAFF, meeting_id=meeting.id, page=-3).page == 1
    empty = list_proposals(session=session, viewer=STAFF, meeting_id=meeting.id + 1000)
    assert (empty.total, empty.pages, empty.items) == (0, 1, [])


# -- the home page's totals ------------------------------------------------------------------------


def _archive_for_counts(session: Session, make: Any) -> dict[str, Any]:
    """Public proposals, a member's unpublished ones (one co-signed by another member), one an
    agency answered before publication, one scheduled for later; issued and draft letters."""
    now = datetime.now(UTC)
    author, cosigner, bystander = make.member(name="甲"), make.member(name="乙"), make.member(name="丙")
    agency, other_agency = make.agency(name="区教育局"), make.agency(name="区财政局")
    rows = [
        make.proposal(title="公开一", published_at=now - timedelta(days=3), proposer_id=bystander.id),
        make.proposal(title="公开二", published_at=now - timedelta(days=2), proposer_id=author.id),
        make.proposal(title="未公开一", proposer_id=author.id),
        make.proposal(title="未公开二", proposer_id=author.id),
        make.proposal(title="定时公开", published_at=now + timedelta(days=5), proposer_id=bystander.id),
    ]
    session.add(ProposalSigner(proposal_id=rows[3].id, member_id=cosigner.id))
    for i, proposal in enumerate(rows):
        for n in range(i % 3 + 1):
            make.suggestion(proposal, position=n, n=n + 1)
    for proposal in (rows[0], rows[2], rows[4]):
        make.reply(proposal, agency_id=agency.id, status=ReplyStatus.ISSUED.value)
    make.reply(rows[3], agency_id=other_agency.id, status=ReplyStatus.DRAFT.value)
    session.add(
        Assignment(proposal_id=rows[3].id, agency_id=other_agency.id, role="lead", deadline=date(2027, 6, 30))
    )
    session.commit()
    return {
        "author": author,
        "cosigner": cosigner,
        "bystander": bystander,
        "agency": agency,
        "other": other_agency,
    }


def _viewer_of(people: dict[str, Any], who: str) -> Viewer:
    """The viewer ``who`` names in the archive of ``_archive_for_counts``."""
    return {
        "public": ANONYMOUS,
        "staff": Viewer(Role.STAFF),
        "agency": Viewer(Role.AGENCY, agency_id=people["agency"].id),
        "other": Viewer(Role.AGENCY, agency_id=people["other"].id),
    }.get(who) or Viewer(Role.MEMBER, member_id=people[who].id)


@pytest.mark.parametrize("who", ["public", "author", "cosigner", "bystander", "agency", "other", "staff"])
def test_home_totals_are_the_totals_of_what_the_viewer_may_see(session: Session, make: Any, who: str) -> None:
    """The public part counted apart (and cacheable) plus the viewer's own unpublished ones gives
    exactly the totals over everything the viewer may see."""
    people = _archive_for_counts(session, make)
    viewer = _viewer_of(people, who)
    expected = _counts_where(session, proposal_filter(viewer))
    assert counts(session=session, viewer=viewer) == expected
    cached = public_counts(session=session)
    assert counts(session=session, viewer=viewer, public=lambda: cached) == expected


@pytest.mark.parametrize("who", ["public", "author", "cosigner", "bystander", "agency", "other", "staff"])
def test_the_states_offered_are_those_of_what_the_viewer_may_see(
    session: Session, make: Any, who: str
) -> None:
    """The status filter's choices: the public's states (cacheable) plus the viewer's own give
    exactly the states over everything the viewer may see."""
    people = _archive_for_counts(session, make)
    viewer = _viewer_of(people, who)
    expected = set(session.exec(select(Proposal.status).where(proposal_filter(viewer)).distinct()).all())
    assert statuses_in_view(session=session, viewer=viewer) == expected
    cached = public_statuses(session=session)
    assert statuses_in_view(session=session, viewer=viewer, public=lambda: cached) == expected
    if who != "staff":  # the public part is the caller's, not read again
        marked = statuses_in_view(session=session, viewer=viewer, public=lambda: frozenset({"kept"}))
        assert "kept" in marked and marked - {"kept"} <= expected


@pytest.mark.parametrize("limit", [1, 2, 5])
@pytest.mark.parametrize("who", ["public", "author", "cosigner", "bystander", "agency", "other", "staff"])
def test_the_newest_proposals_are_the_newest_of_what_the_viewer_may_see(
    session: Session, make: Any, who: str, limit: int
) -> None:
    """The public's newest (cacheable) merged with the viewer's own give exactly the newest of
    everything the viewer may see, newest first."""
    people = _archive_for_counts(session, make)
    viewer = _viewer_of(people, who)
    expected = session.exec(
        select(Proposal.id)
        .where(proposal_filter(viewer))
        .order_by(col(Proposal.created_at).desc(), col(Proposal.id).desc())
        .limit(limit)
    ).all()
    assert [p.id for p in latest_proposals(session=session, viewer=viewer, limit=limit)] == expected
    cached = latest_public(session=session, limit=limit)
    found = latest_proposals(session=session, viewer=viewer, limit=limit, public=lambda: cached)
    assert [p.id for p in found] == expected


def test_home_totals_take_the_public_part_from_the_callers_cache(session: Session, make: Any) -> None:
    before = public_counts(session=session)["proposals"]
    people = _archive_for_counts(session, make)
    member = Viewer(Role.MEMBER, member_id=people["author"].id)
    fresh = counts(session=session, viewer=member)
    kept = {k: v + 100 for k, v in public_counts(session=session).items()}
    assert counts(session=session, viewer=member, public=lambda: kept) == {
        k: v + 100 for k, v in fresh.items()
    }
    assert public_counts(session=session) == counts(session=session, viewer=ANONYMOUS)
    assert public_counts(session=session)["proposals"] == before + 2  # the scheduled one is not public yet


@pytest.mark.parametrize("filters", [{}, {"status": "replied"}])
def test_a_signed_in_list_reads_the_listing_index_not_the_wide_rows(
    session: Session, make: Any, filters: dict[str, str]
) -> None:
    """A signed-in list has no page cache: the visible proposals are chosen and sorted in the covering
    index (migration 0023), never by reading every proposal's row with its long texts."""
    engine = session.get_bind()
    if engine.dialect.name != "sqlite":
        pytest.skip("the query plan checked is SQLite's; PostgreSQL plans by its statistics")
    meeting = make.meeting()
    member = make.member()
    for number in range(1, 30):
        make.proposal(meeting_id=meeting.id, number=number, status="replied", proposer_id=member.id)
    session.flush()
    # the planner's statistics, as `tracker remind` keeps them
    session.connection().exec_driver_sql("ANALYZE")
    statements: list[tuple[str, Any]] = []

    def keep(_conn: Any, _cursor: Any, statement: str, parameters: Any, _context: Any, _many: bool) -> None:
        if " ".join(statement.split()).upper().startswith("SELECT PROPOSAL.ID FROM PROPOSAL WHERE"):
            statements.append((statement, parameters))

    event.listen(engine, "before_cursor_execute", keep)
    try:
        viewer = Viewer(Role.MEMBER, member_id=member.id)
        assert list_proposals(session=session, viewer=viewer, page_size=5, **filters).total >= 29
    finally:
        event.remove(engine, "before_cursor_execute", keep)
    assert statements, "the list chose its page's ids in a statement of its own"
    statement, parameters = statements[0]
    plan = " | ".join(
        str(row[-1])
        for row in session.connection().exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}", parameters)
    )
    assert "COVERING INDEX ix_proposal_listing" in plan, plan
