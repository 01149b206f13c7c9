"""Issue 11, item 5: the start-up check compares what the index holds about each group (its units'
fingerprint), not only how many units it has, and repairs any difference.

Each case commits a change with a bulk UPDATE, which bypasses the after-commit hook: the database
changed and the index missed it, as after a crash between the commit and the index write.
"""

from __future__ import annotations

import dataclasses
from datetime import date
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import event, update
from sqlmodel import Session

from tracker.db import get_engine
from tracker.models import Proposal, Reply
from tracker.search import SearchRequest, get_backend
from tracker.search.documents import GroupFacts, SearchDocument, UnitType, fingerprint
from tracker.services.search_documents import expected_state
from tracker.services.search_sync import get_keeper
from tracker.services.visibility import ANONYMOUS, Role, Viewer

STAFF = Viewer(Role.STAFF)


def _missed(app: Flask, statement: Any) -> None:
    """Commit ``statement`` without the index hearing of it."""
    with Session(get_engine(app)) as other:
        other.exec(statement)
        other.commit()


def _restarted(app: Flask, restart) -> Flask:
    started = restart(app)
    started.test_client().get("/")  # the first request starts the check
    assert get_keeper(started).wait_ready(30)
    return started


def _search(app: Flask, text: str, viewer: Viewer = ANONYMOUS, **options: Any):
    return get_backend(app).search(SearchRequest(text=text, viewer=viewer, page_size=100, **options))


def test_a_withheld_proposal_is_not_public_after_restart(app: Flask, restart) -> None:
    assert get_backend(app).count("培训", viewer=ANONYMOUS) == 3  # No. 2 and two policy documents
    _missed(app, update(Proposal).where(Proposal.id == 1).values(published_at=None))
    assert get_backend(app).count("培训", viewer=ANONYMOUS) == 3  # the index missed it: still public
    started = _restarted(app, restart)
    assert get_keeper(started).last_check == "re-indexed 1 stale groups"
    assert get_backend(started).count("培训", viewer=ANONYMOUS) == 2
    assert "p1" not in {g.key for g in _search(started, "培训").groups}
    assert get_backend(started).count("培训", viewer=STAFF) == 3  # staff still find it


def test_a_status_change_is_repaired_at_restart(app: Flask, restart) -> None:
    _missed(app, update(Proposal).where(Proposal.id == 1).values(status="closed"))
    started = _restarted(app, restart)
    assert get_keeper(started).last_check == "re-indexed 1 stale groups"
    closed = _search(started, "培训", filters={"status": ("closed",)})
    assert [g.key for g in closed.groups] == ["p1"]
    assert _search(started, "培训", filters={"status": ("replied",)}).total == 0


def test_a_letter_state_change_is_repaired_at_restart(app: Flask, restart) -> None:
    # the letter is replaced (superseded): the same units, now history, so the same counts
    assert [g.key for g in _search(app, "阿里巴巴").groups] == ["p1"]
    _missed(app, update(Reply).where(Reply.id == 1).values(status="superseded"))
    started = _restarted(app, restart)
    assert get_keeper(started).last_check == "re-indexed 1 stale groups"
    assert _search(started, "阿里巴巴").total == 0
    earlier = _search(started, "阿里巴巴", history=True)
    assert [u.history for g in earlier.groups for u in g.units] == [True]


def test_a_letter_outcome_change_is_repaired_at_restart(app: Flask, restart) -> None:
    _missed(app, update(Reply).where(Reply.id == 1).values(outcome="B"))
    started = _restarted(app, restart)
    assert get_keeper(started).last_check == "re-indexed 1 stale groups"
    assert {f.value for f in _search(started, "阿里巴巴").facets["outcome"]} == {"B"}


def test_an_unchanged_archive_is_up_to_date_and_stays_so(app: Flask, restart) -> None:
    started = _restarted(app, restart)
    assert get_keeper(started).last_check == "up to date"


# -- the fingerprint, a pure function ---------------------------------------------------------------

FACTS = GroupFacts(
    group="p7",
    title="关于开通夜间公交线路的建议",
    published=True,
    proposal_id=7,
    number=7,
    meeting_id=1,
    year=2024,
    category="城乡建设",
    status="replied",
    agencies=("区交通局",),
    outcomes=("A",),
    member_ids=(1, 2),
    agency_ids=(3,),
    date=date(2024, 1, 8),
    proposer="张三",
)
UNITS = (
    SearchDocument(
        key="p7", type=UnitType.PROPOSAL, title=FACTS.title, body="背景。", position=0, facts=FACTS
    ),
    SearchDocument(
        key="s1", type=UnitType.SUGGESTION, title="开通夜班公交", body="开通。", position=1, facts=FACTS
    ),
    SearchDocument(
        key="rp2",
        type=UnitType.REPLY_POINT,
        title="关于夜班公交",
        body="已开通。",
        position=2,
        facts=FACTS,
        reply_id=4,
    ),
)

FACT_CHANGES = [
    ("published", False),  # withheld
    ("status", "closed"),
    ("meeting_id", 2),  # moved to another session
    ("number", 8),
    ("category", "经济发展"),
    ("agencies", ("区交通局", "区财政局")),
    ("outcomes", ("B",)),
    ("member_ids", (1,)),  # a co-signer left
    ("agency_ids", (3, 5)),  # assigned to one more agency
    ("proposer", "张三、李四"),
    ("title", "关于开通夜间公交线路的建议（修改稿）"),
]
UNIT_CHANGES = [
    ("body", "已开通两条。"),
    ("title", "关于夜班公交线路"),
    ("history", True),  # the letter was replaced by a re-handling's
    ("position", 3),
    ("anchor", "r4-1"),
    ("agency", "区交通局"),
]


def _with_facts(**changes: Any) -> list[SearchDocument]:
    facts = dataclasses.replace(FACTS, **changes)
    return [dataclasses.replace(u, facts=facts) for u in UNITS]


def test_the_same_units_give_the_same_fingerprint() -> None:
    assert fingerprint(UNITS) == fingerprint(_with_facts())
    assert len(fingerprint(UNITS)) == 24


@pytest.mark.parametrize(("name", "value"), FACT_CHANGES, ids=[n for n, _v in FACT_CHANGES])
def test_any_fact_of_the_group_changes_the_fingerprint(name: str, value: Any) -> None:
    assert fingerprint(_with_facts(**{name: value})) != fingerprint(UNITS)


@pytest.mark.parametrize(("name", "value"), UNIT_CHANGES, ids=[n for n, _v in UNIT_CHANGES])
def test_any_field_of_a_unit_changes_the_fingerprint(name: str, value: Any) -> None:
    changed = [*UNITS[:2], dataclasses.replace(UNITS[2], **{name: value})]
    assert fingerprint(changed) != fingerprint(UNITS)


def test_a_unit_more_or_less_changes_the_fingerprint() -> None:
    assert fingerprint(UNITS[:2]) != fingerprint(UNITS)


def test_the_database_side_is_read_in_bulk(app: Flask, session: Session, make: Any) -> None:
    """The queries for the database's fingerprints do not grow with the number of proposals."""

    def queries() -> int:
        statements: list[str] = []

        def count(*_args: Any) -> None:
            statements.append("")

        engine = get_engine(app)
        event.listen(engine, "before_cursor_execute", count)
        try:
            with Session(engine) as reading:
                expected_state(session=reading)
        finally:
            event.remove(engine, "before_cursor_execute", count)
        return len(statements)

    before = queries()
    for i in range(40):
        proposal = make.proposal(title=f"关于第{i}项测试的建议", number=500 + i)
        make.suggestion(proposal, title="测试", text=f"测试{i}。")
    session.commit()
    assert queries() == before
