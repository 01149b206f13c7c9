"""Reply use cases: outcome classes, dates as written, the letter view."""

from __future__ import annotations

from datetime import date

import pytest
from sqlmodel import Session, select

from tracker.models import Proposal, Reply
from tracker.services.dates import parse_cn_date
from tracker.services.errors import ServiceError
from tracker.services.replies import outcome_from_fields, record_reply, reply_letter
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
