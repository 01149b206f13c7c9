"""The review of imported documents: the queue, one file side by side, and the corrections."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlmodel import Session, col, select

from tracker.domain.boundaries import lines_of
from tracker.models import ImportedFile, ImportState, PointLink, Proposal, Reply, ReplyPoint, Suggestion, User
from tracker.services import import_review
from tracker.services.errors import ForbiddenError, InvalidInput, LockedError, NotFoundError
from tracker.services.visibility import ANONYMOUS, Role, Viewer

NOW = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)


@pytest.fixture
def staff(session: Session) -> Viewer:
    user = session.exec(select(User).where(User.username == "staff")).one()
    return Viewer(Role.STAFF, user_id=user.id)


def _choices(text: str, parts: list[str], closing: str | None) -> dict[int, str]:
    """A choice per line: "part" where a line starts with one of ``parts``, "closing" at ``closing``."""
    out = {}
    for line in lines_of(text):
        s = line.text.strip()
        out[line.start] = (
            "part"
            if any(s.startswith(p) for p in parts)
            else "closing"
            if closing and s.startswith(closing)
            else ""
        )
    return out


PROPOSAL_PARTS = ["1.", "2.", "同时"]


def _suggestions(session: Session, proposal_id: int) -> list[Suggestion]:
    return list(
        session.exec(
            select(Suggestion)
            .where(Suggestion.proposal_id == proposal_id, col(Suggestion.parent_id).is_(None))
            .order_by(col(Suggestion.position))
        ).all()
    )


def _links(session: Session, reply_id: int) -> dict[int | None, set[int | None]]:
    """point n -> suggestion n."""
    rows = session.exec(
        select(ReplyPoint.n, Suggestion.n)
        .join(PointLink, col(PointLink.reply_point_id) == col(ReplyPoint.id))
        .join(Suggestion, col(Suggestion.id) == col(PointLink.suggestion_id))
        .where(ReplyPoint.reply_id == reply_id)
    ).all()
    out: dict[int | None, set[int | None]] = {}
    for p, s in rows:
        out.setdefault(p, set()).add(s)
    return out


def test_the_queue_counts_and_filters(session: Session, review_case) -> None:
    whole = import_review.queue(session=session)
    assert whole.waiting == whole.total == 3 == import_review.waiting_count(session=session)
    assert whole.reasons == {"low_confidence": 1, "odd_code": 1, "unpaired": 1}
    assert whole.kinds == {"both": 1, "reply": 1, "proposal": 1}
    assert [(run.id, n) for run, n in whole.runs] == [(review_case.run_id, 3)]
    by_reason = import_review.queue(session=session, reason="unpaired")
    assert [r.imported.id for r in by_reason.rows] == [review_case.unpaired_id]
    assert by_reason.waiting == 3  # the tab counts every file, whatever the filter
    by_kind = import_review.queue(session=session, kind="both")
    assert [(r.imported.id, r.proposal.id, r.reply.id) for r in by_kind.rows] == [
        (review_case.both_id, review_case.proposal_id, review_case.reply_id)
    ]
    assert import_review.queue(session=session, run_id=review_case.run_id + 1).rows == []
    paged = import_review.queue(session=session, page=9, page_size=2)
    assert (paged.page, paged.pages, len(paged.rows)) == (2, 2, 1)


def test_one_file_side_by_side(session: Session, review_case) -> None:
    review = import_review.file_review(session=session, file_id=review_case.both_id)
    proposal, reply = review.sides
    assert (proposal.kind, reply.kind) == ("proposal", "reply")
    # the splitter's boundaries, as choices per line of the original text
    marked = {row.text.strip()[:2]: row.choice for row in proposal.lines}
    assert marked["1."] == marked["2."] == "part"
    assert marked["同时"] == "" and marked["以上"] == "closing"
    assert [row.number for row in proposal.lines][:3] == [1, 2, 3]
    assert [p.n for p in proposal.parts] == [1, 2]
    assert "同时，建立养老服务质量评估制度" in proposal.parts[1].text
    for part in proposal.parts + reply.parts:
        side = proposal if part in proposal.parts else reply
        assert side.text[part.start : part.end] == part.text
    assert [p.linked for p in reply.parts] == [{review.suggestions[0].id}, {review.suggestions[1].id}]


def test_a_wrong_boundary_is_corrected_and_the_points_linked_again(
    session: Session, review_case, staff
) -> None:
    text = session.get(Proposal, review_case.proposal_id).original_text
    import_review.correct_boundaries(
        session=session,
        file_id=review_case.both_id,
        side="proposal",
        choices=_choices(text, PROPOSAL_PARTS, "以上"),
        actor=staff,
        now=NOW,
    )
    session.commit()
    rows = _suggestions(session, review_case.proposal_id)
    assert [(s.n, s.marker, s.title) for s in rows] == [
        (1, "1.", "加快社区养老服务设施建设"),
        (2, "2.", "加强养老护理人才队伍建设"),
        (3, None, "同时，建立养老服务质量评估制度，定期委托第三方机构对服务机构开展评估并公开结果"),
    ]
    assert rows[1].text == "加强养老护理人才队伍建设。开展护理员职业技能培训，提高护理人员待遇。"
    proposal = session.get(Proposal, review_case.proposal_id)
    assert (proposal.leadin, proposal.closing) == ("为此建议：", "以上建议，请予研究。")
    assert proposal.background.endswith("服务质量参差不齐。")
    # the linker ran again over the new suggestions: point 一 still answers suggestion 1
    assert _links(session, review_case.reply_id)[1] == {1}
    imported = session.get(ImportedFile, review_case.both_id)
    assert [c["what"] for c in imported.found["corrections"]] == ["proposal boundaries"]
    assert imported.state == ImportState.REVIEW.value  # still waiting until a person says it is done


def test_a_reply_boundary_is_corrected(session: Session, review_case, staff) -> None:
    reply = session.get(Reply, review_case.reply_id)
    # one point only: 二 is taken as part of 一, and the thanks start the closing
    choices = _choices(reply.original_text, ["一、"], "感谢")
    import_review.correct_boundaries(
        session=session, file_id=review_case.both_id, side="reply", choices=choices, actor=staff, now=NOW
    )
    session.commit()
    points = session.exec(select(ReplyPoint).where(ReplyPoint.reply_id == reply.id)).all()
    assert [(p.n, p.marker) for p in points] == [(1, "一、")]
    assert "二、关于护理人才和服务评估" in points[0].text
    session.refresh(reply)
    assert reply.closing == "感谢您对民政工作的关心。"
    assert reply.preamble == "您提出的《关于加强社区养老服务的提案》收悉，现答复如下："


def test_a_failed_boundary_form_changes_nothing(session: Session, review_case, staff) -> None:
    text = session.get(Proposal, review_case.proposal_id).original_text
    before = [(s.id, s.text) for s in _suggestions(session, review_case.proposal_id)]
    choices = {k: ("closing" if v else "") for k, v in _choices(text, ["1.", "以上"], None).items()}
    with pytest.raises(InvalidInput) as refused:
        import_review.correct_boundaries(
            session=session,
            file_id=review_case.both_id,
            side="proposal",
            choices=choices,
            actor=staff,
            now=NOW,
        )
    assert {p.field for p in refused.value.problems} == {"closing"}
    session.rollback()
    assert [(s.id, s.text) for s in _suggestions(session, review_case.proposal_id)] == before


def test_links_are_set_per_point_and_a_changed_one_is_manual(session: Session, review_case, staff) -> None:
    review = import_review.file_review(session=session, file_id=review_case.both_id)
    first, second = review.side("reply").parts
    s1, s2 = review.suggestions
    # point 一 keeps suggestion 1; point 二 loses 2 and answers 1 instead
    import_review.correct_links(
        session=session,
        file_id=review_case.both_id,
        chosen={first.row_id: {s1.id}, second.row_id: {s1.id}},
        actor=staff,
        now=NOW,
    )
    session.commit()
    methods = {
        (ln.reply_point_id, ln.suggestion_id): ln.method for ln in session.exec(select(PointLink)).all()
    }
    assert methods[(first.row_id, s1.id)] == "title"  # kept: how it was found stays
    assert methods[(second.row_id, s1.id)] == "manual"
    assert (second.row_id, s2.id) not in methods
    # a point left out answers nothing
    import_review.correct_links(session=session, file_id=review_case.both_id, chosen={}, actor=staff, now=NOW)
    assert _links(session, review_case.reply_id) == {}


@pytest.mark.parametrize("odd", ["point", "suggestion"])
def test_links_to_rows_of_another_document_are_refused(session: Session, review_case, staff, odd) -> None:
    review = import_review.file_review(session=session, file_id=review_case.both_id)
    point = review.side("reply").parts[0].row_id
    foreign = session.exec(
        select(Suggestion.id).where(Suggestion.proposal_id != review_case.proposal_id)
    ).first()
    chosen = {10**6: {review.suggestions[0].id}} if odd == "point" else {point: {foreign}}
    with pytest.raises(InvalidInput):
        import_review.correct_links(
            session=session, file_id=review_case.both_id, chosen=chosen, actor=staff, now=NOW
        )


def test_an_unpaired_reply_is_paired_through_the_reply_service(session: Session, review_case, staff) -> None:
    review = import_review.file_review(session=session, file_id=review_case.unpaired_id)
    assert review.unpaired and not review.side("reply").stored
    assert [p.title for p in review.side("reply").parts] == ["关于分类设施", "关于宣传引导"]
    # found by the 案号 the import read and the title the letter quotes
    assert review.candidate_query == {"number": 9, "title": "推进垃圾分类"}
    assert [p.id for p in review.candidates] == [review_case.pair_with_id]
    with pytest.raises(LockedError):
        import_review.mark_reviewed(session=session, file_id=review_case.unpaired_id, actor=staff, now=NOW)
    reply = import_review.pair(
        session=session,
        file_id=review_case.unpaired_id,
        proposal_id=review_case.pair_with_id,
        actor=staff,
        now=NOW,
    )
    session.commit()
    imported = session.get(ImportedFile, review_case.unpaired_id)
    assert (imported.reply_id, imported.proposal_id) == (reply.id, review_case.pair_with_id)
    assert _links(session, reply.id or 0) == {1: {1}, 2: {2}}  # linked like every letter
    with pytest.raises(LockedError):  # paired once
        import_review.pair(
            session=session,
            file_id=review_case.unpaired_id,
            proposal_id=review_case.pair_with_id,
            actor=staff,
            now=NOW,
        )


def test_pairing_with_a_proposal_that_has_its_reply_is_refused(session: Session, review_case, staff) -> None:
    with pytest.raises(InvalidInput) as refused:
        import_review.pair(
            session=session,
            file_id=review_case.unpaired_id,
            proposal_id=review_case.proposal_id,
            actor=staff,
            now=NOW,
        )
    assert refused.value.problems[0].field == "proposal"


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"number": 9}, ["关于推进垃圾分类的提案"]),
        ({"title": "养老 社区"}, ["关于加强社区养老服务的提案"]),
        ({"title": "100%_"}, []),  # LIKE wildcards are text
        ({}, []),
    ],
)
def test_pairing_candidates(session: Session, review_case, query, expected) -> None:
    found = import_review.pairing_candidates(session=session, **query)
    assert [p.title for p in found] == expected


def test_mark_reviewed_and_publish(session: Session, review_case, staff) -> None:
    import_review.mark_reviewed(session=session, file_id=review_case.odd_id, actor=staff, now=NOW)
    assert session.get(ImportedFile, review_case.odd_id).state == ImportState.REVIEWED.value
    with pytest.raises(LockedError):
        import_review.mark_reviewed(session=session, file_id=review_case.odd_id, actor=staff, now=NOW)
    # the odd file's proposal has no reply: the one publication guard refuses it
    with pytest.raises(LockedError):
        import_review.publish(session=session, file_id=review_case.odd_id, actor=staff, now=NOW)
    proposal = import_review.publish(session=session, file_id=review_case.both_id, actor=staff, now=NOW)
    session.commit()
    assert proposal.published_at is not None
    imported = session.get(ImportedFile, review_case.both_id)
    assert (imported.state, imported.reviewed_by) == (ImportState.REVIEWED.value, staff.user_id)
    assert import_review.waiting_count(session=session) == 1


@pytest.mark.parametrize(
    "step",
    [
        lambda s, c, a: import_review.mark_reviewed(session=s, file_id=c.odd_id, actor=a, now=NOW),
        lambda s, c, a: import_review.publish(session=s, file_id=c.both_id, actor=a, now=NOW),
        lambda s, c, a: import_review.correct_links(
            session=s, file_id=c.both_id, chosen={}, actor=a, now=NOW
        ),
        lambda s, c, a: import_review.pair(
            session=s, file_id=c.unpaired_id, proposal_id=c.pair_with_id, actor=a, now=NOW
        ),
    ],
)
@pytest.mark.parametrize(
    "actor", [ANONYMOUS, Viewer(Role.AGENCY, agency_id=1), Viewer(Role.MEMBER, member_id=1)]
)
def test_only_staff_review(session: Session, review_case, step, actor) -> None:
    with pytest.raises(ForbiddenError):
        step(session, review_case, actor)


def test_a_missing_file_is_not_found(session: Session, staff) -> None:
    with pytest.raises(NotFoundError):
        import_review.file_review(session=session, file_id=999)
