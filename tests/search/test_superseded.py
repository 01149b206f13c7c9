"""Issue 11, item 8 (search): after 不满意 → 重新办理 → a new reply, search finds the letter in force.

The earlier letter stays in the public history: a search finds its points only when asked to
(``history``), and marks each such hit; facets and counts follow the letters in force.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlmodel import Session

from tracker.search import SearchBackend, SearchRequest
from tracker.search.documents import UnitType
from tracker.services import feedback, oversight, replying
from tracker.services.visibility import ANONYMOUS

NOW = datetime(2025, 3, 20, 8, 0, tzinfo=UTC)
WORD = "夜校培训"  # in both letters' answers, nowhere in the seed archive


def _reply(session: Session, case, outcome: str) -> int:
    state = replying.editor(session=session, proposal_id=case.proposal_id, actor=case.lead, today=NOW.date())
    content = state.content
    for i, section in enumerate(content.sections, 1):
        # the same answers in both letters, as when the re-handled draft opens with the first's text
        section.body = f"第{i}条：开办{WORD}班，按季度组织。"
    content.outcome = outcome
    submitted = replying.submit(
        session=session,
        proposal_id=case.proposal_id,
        actor=case.lead,
        content=content,
        revision=state.revision,
        now=NOW,
    )
    return submitted.reply.id


@pytest.fixture
def redone(session: Session, assigned_case) -> tuple[int, int, int]:
    """The model case replied (outcome C), rated 不满意, re-handled, replied again (outcome A), published:
    (proposal id, first letter id, second letter id)."""
    case = assigned_case
    first = _reply(session, case, "C")
    feedback.rate(
        session=session,
        proposal_id=case.proposal_id,
        actor=case.member,
        rating="dissatisfied",
        comment="",
        now=NOW,
    )
    oversight.reopen(
        session=session, proposal_id=case.proposal_id, actor=case.staff, note="请重新办理", today=NOW.date()
    )
    second = _reply(session, case, "A")
    oversight.publish(session=session, proposal_id=case.proposal_id, actor=case.staff, now=NOW)
    session.commit()
    return case.proposal_id, first, second


def _units(backend: SearchBackend, *, history: bool = False, **filters: tuple[str, ...]):
    results = backend.search(
        SearchRequest(
            text=WORD, viewer=ANONYMOUS, filters=filters, history=history, page_size=100, units_per_group=100
        )
    )
    return results, [u for g in results.groups for u in g.units]


def test_public_search_returns_only_the_points_in_force(backend: SearchBackend, redone) -> None:
    _pid, _first, second = redone
    results, units = _units(backend)
    assert units, "the letter in force is found"
    assert {u.reply_id for u in units} == {second}
    assert not any(u.history for u in units)
    # no two hits alike: one hit per point of the letter in force
    assert len({(u.title.text, tuple(f.text for f in u.fragments)) for u in units}) == len(units)
    assert results.total_units == len(units)
    assert results.history_units == len(units)  # the earlier letter answers the same, hidden


def test_history_adds_the_earlier_letter_marked(backend: SearchBackend, redone) -> None:
    _pid, first, second = redone
    _results, units = _units(backend, history=True)
    by_letter = {letter: [u for u in units if u.reply_id == letter] for letter in (first, second)}
    assert by_letter[first] and by_letter[second]
    assert all(u.history for u in by_letter[first])
    assert not any(u.history for u in by_letter[second])
    # the letter in force ranks first: its hits come before the earlier letter's
    assert units.index(by_letter[second][0]) < units.index(by_letter[first][0])


def test_facets_count_the_letters_in_force(backend: SearchBackend, redone) -> None:
    results, _units_found = _units(backend)
    assert {f.value for f in results.facets["outcome"]} == {"A"}  # the earlier letter's C is gone
    results, _units_found = _units(backend, outcome=("C",))
    assert results.total == 0


def test_the_results_page_hides_and_labels_earlier_letters(app: Flask, client: FlaskClient, redone) -> None:
    pid, first, _second = redone
    page = client.get(f"/search?q={WORD}").get_data(as_text=True)
    assert f"/replies/{first}" not in page and "result-unit-history" not in page
    assert "history=1" in page  # the way to the earlier letters
    page = client.get(f"/search?q={WORD}&history=1").get_data(as_text=True)
    assert "result-unit-history" in page and "已被重新办理后的答复取代" in page
    # an earlier letter's point opens on its letter's page, below the same point in force
    earlier = re.search(rf'href="/replies/{first}#(r\d+)"', page)
    assert earlier is not None
    assert page.index(f'href="/proposals/{pid}#{earlier.group(1)}"') < earlier.start()
    assert 'name="history" value="1"' in page  # searching again keeps the choice


def test_the_api_marks_superseded_hits(client: FlaskClient, redone) -> None:
    pid, first, _second = redone
    body = client.get(f"/api/search?q={WORD}").get_json()
    units = [u for g in body["groups"] for u in g["units"]]
    assert units and not any(u["superseded"] for u in units)
    assert body["history"] is False and body["history_units"] > 0
    body = client.get(f"/api/search?q={WORD}&history=1").get_json()
    units = [u for g in body["groups"] for u in g["units"]]
    assert {u["url"].split("#")[0] for u in units if u["superseded"]} == {f"/replies/{first}"}
    assert {u["url"].split("#")[0] for u in units if not u["superseded"]} == {f"/proposals/{pid}"}


def test_texts_like_a_point_are_points_in_force(backend: SearchBackend, redone) -> None:
    _pid, first, second = redone
    found = backend.more_like_this(
        f"开办{WORD}班，按季度组织。", viewer=ANONYMOUS, types={UnitType.REPLY_POINT}, limit=20
    )
    letters = {u.reply_id for s in found for u in s.units}
    assert second in letters and first not in letters
