"""Reply use cases: outcome classes, dates as written, the letter view."""

from __future__ import annotations

from datetime import date

import pytest
from sqlmodel import Session, select

from tracker.domain.replies import parse_reply
from tracker.domain.reply_drafting import ChosenLink
from tracker.domain.units import Unit
from tracker.models import PointLink, Proposal, Reply, ReplyPoint, Suggestion
from tracker.services import replies
from tracker.services.dates import parse_cn_date
from tracker.services.errors import ServiceError
from tracker.services.proposals import record_proposal
from tracker.services.replies import (
    outcome_from_fields,
    proposed_links,
    record_reply,
    reply_letter,
    store_links,
    store_points,
)
from tracker.services.visibility import Role, Viewer

STAFF = Viewer(Role.STAFF)  # these tests are about content, not visibility


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2017年6月28日", date(2017, 6, 28)),
        ("  2017 年 6 月 8 日 ", date(2017, 6, 8)),
        ("二〇一七年六月二十八日", date(2017, 6, 28)),
        ("二〇一一年十月十日", date(2011, 10, 10)),
        ("二〇一一年十月", None),  # no day: not a date we can store
        ("2017年2月30日", None),
        ("", None),
        (None, None),
    ],
)
def test_parse_cn_date(text: str | None, expected: date | None) -> None:
    assert parse_cn_date(text) == expected


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ({"办复类别": "B类"}, "B"),
        ({"答复类型": " a "}, "A"),
        ({"承办单位": "区教育局", "办复类别": "C类（因条件限制）"}, "C"),
        ({"承办单位": "区教育局"}, None),
        ({"办复类别": "待定"}, None),
    ],
)
def test_outcome_from_fields(fields: dict[str, str], expected: str | None) -> None:
    assert outcome_from_fields(fields) == expected


def test_record_reply_refuses_empty_text(session: Session) -> None:
    proposal = session.exec(select(Proposal)).first()
    with pytest.raises(ServiceError) as info:
        record_reply(session=session, proposal=proposal, text="\n \n")
    assert info.value.field == "text"


def test_letter_of_the_model_case(session: Session) -> None:
    reply = session.exec(select(Reply)).one()
    letter = reply_letter(session=session, viewer=STAFF, reply_id=reply.id)
    assert letter is not None
    assert letter.reply.salutation == "戴培红委员"
    assert letter.reply.signature == "镇海区经信局"
    assert letter.reply.agency.name == "镇海区经信局"
    assert letter.reply.date_text is None  # the letter states no date
    assert [p.point.marker for p in letter.points] == ["一、", "二、", "三、", "四、", "五、"]
    assert [[anchor for _s, anchor in p.answers] for p in letter.points] == [
        ["s1"],
        ["s2"],
        ["s3"],
        ["s4"],
        ["s5"],
    ]


def test_letter_of_a_missing_id_is_none(session: Session) -> None:
    assert reply_letter(session=session, viewer=STAFF, reply_id=424242) is None


# -- the one writer of each row ---------------------------------------------------------------------

SUGGESTIONS = [
    Suggestion(
        id=11, proposal_id=1, position=0, n=1, title="增设校医岗位", text="增设校医岗位。学校应配备校医。"
    ),
    Suggestion(id=12, proposal_id=1, position=1, n=2, title="加强食堂监管", text="加强食堂监管。定期检查。"),
    # not stored (no id): nothing can be linked to it
    Suggestion(
        id=None, proposal_id=1, position=2, n=3, title="完善应急预案", text="完善应急预案。每学期演练。"
    ),
]


def _point(n: int | None, heading: str, text: str) -> Unit:
    return Unit(n, None if n is None else f"{n}、", heading, text, 0, len(text))


SCHOOL = _point(1, "关于增设校医岗位", "关于增设校医岗位。已配备校医。")
CANTEEN = _point(2, "关于加强食堂监管", "关于加强食堂监管。已开展检查。")


@pytest.mark.parametrize(
    ("points", "expected"),
    [
        ([SCHOOL, CANTEEN], [(0, 11), (1, 12)]),
        ([CANTEEN, SCHOOL], [(0, 12), (1, 11)]),  # by number and title, not by order
        # a number written twice: the first point with it stands for it, and the pair is given once
        ([SCHOOL, CANTEEN, _point(2, "关于加强食堂监管", "再次加强食堂监管。")], [(0, 11), (1, 12)]),
        ([SCHOOL, _point(3, "关于完善应急预案", "关于完善应急预案。已演练。")], [(0, 11)]),
        ([], []),
    ],
)
def test_proposed_links_name_points_by_index_and_suggestions_by_id(points, expected) -> None:
    found = proposed_links(points, SUGGESTIONS)
    assert [(ln.point, ln.suggestion) for ln in found] == expected
    assert all(ln.method == "title" and 0 < ln.confidence <= 1 for ln in found)


def _reply(session: Session, make) -> Reply:
    proposal = make.proposal(number=40)
    return make.reply(proposal)


def test_store_points_depth_first_with_the_class_of_each_top_level_point(session: Session, make) -> None:
    reply = _reply(session, make)
    first = _point(1, "一", "一。")
    first.sub_points = [_point(1, "甲", "甲。"), _point(2, "乙", "乙。")]
    top = store_points(
        session=session, reply=reply, units=[first, _point(2, "二", "二。")], outcomes={0: "A", 1: "B"}
    )
    assert [p.n for p in top] == [1, 2]
    rows = session.exec(select(ReplyPoint).where(ReplyPoint.reply_id == reply.id)).all()
    shape = sorted((r.position, r.parent_id == top[0].id, r.heading, r.outcome) for r in rows)
    assert shape == [
        (0, False, "一", "A"),
        (1, True, "甲", None),
        (2, True, "乙", None),
        (3, False, "二", "B"),
    ]


def test_store_links_stores_each_pair_once_as_first_given(session: Session, make) -> None:
    reply = _reply(session, make)
    suggestion = make.suggestion(reply.proposal)
    top = store_points(session=session, reply=reply, units=[SCHOOL, CANTEEN])
    store_links(
        session=session,
        points=top,
        links=[
            ChosenLink(0, suggestion.id, "title", 0.9),
            ChosenLink(0, suggestion.id, "manual", 1.0),
            ChosenLink(1, suggestion.id, "similarity", 0.55),
        ],
    )
    session.flush()
    rows = session.exec(select(PointLink).where(PointLink.suggestion_id == suggestion.id)).all()
    assert sorted((r.reply_point_id, r.method, r.confidence) for r in rows) == [
        (top[0].id, "title", 0.9),
        (top[1].id, "similarity", 0.55),
    ]


REPLY_TEXT = (
    "张三委员：\n  您的提案收悉，现答复如下：\n"
    "一、关于“增设校医岗位”。我局已配备校医。\n二、关于“加强食堂监管”。已开展检查。\n"
    "感谢您的关心。\n区教育局\n2024年5月6日\n"
)
PROPOSAL_TEXT = "背景。\n为此建议：\n1.增设校医岗位。学校应配备校医。\n2.加强食堂监管。定期检查。\n"


def _stored(session: Session, reply: Reply) -> tuple:
    points = session.exec(
        select(ReplyPoint).where(ReplyPoint.reply_id == reply.id).order_by(ReplyPoint.position)
    ).all()
    links = session.exec(select(PointLink).where(PointLink.reply_point_id.in_([p.id for p in points]))).all()
    by_id = {p.id: p.position for p in points}
    return (
        (reply.title, reply.salutation, reply.preamble, reply.closing, reply.signature, reply.date_on),
        [(p.position, p.n, p.marker, p.heading, p.start, p.end) for p in points],
        sorted((by_id[ln.reply_point_id], ln.method, ln.confidence) for ln in links),
    )


def test_record_reply_takes_a_letter_already_parsed(session: Session, monkeypatch) -> None:
    """An import that parsed the letter to classify it hands the result over: parsed once, stored
    as if record_reply had parsed it."""
    once = record_reply(
        session=session,
        proposal=record_proposal(session=session, text=PROPOSAL_TEXT, title="甲"),
        text=REPLY_TEXT,
    )
    parsed = parse_reply(REPLY_TEXT)
    calls: list[str] = []
    monkeypatch.setattr(replies, "parse_reply", lambda text: calls.append(text) or parse_reply(text))
    again = record_reply(
        session=session,
        proposal=record_proposal(session=session, text=PROPOSAL_TEXT, title="乙"),
        text=REPLY_TEXT,
        parsed=parsed,
    )
    assert calls == []
    assert _stored(session, again) == _stored(session, once)
    assert len(_stored(session, again)[2]) == 2
