"""Saved searches and follows (tracker.services.follows): their one write path, and the matching of
`tracker remind`: newly public proposals only, each once per follow, one notification per account."""

from __future__ import annotations

import shutil
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from flask import Flask
from sqlmodel import Session, col, select

from tracker.models import Agency, Category, Follow, FollowMatch, Meeting, Notification, Proposal, User
from tracker.search import get_backend
from tracker.services import follows, oversight, visibility
from tracker.services.errors import InvalidInput, NotFoundError
from tracker.services.search_sync import get_keeper
from tracker.services.visibility import Role, Viewer

NOW = datetime.now(UTC).replace(microsecond=0)
BEFORE = NOW - timedelta(hours=3)  # when the follows are made


def _users(session: Session) -> dict[str, User]:
    return {u.username: u for u in session.exec(select(User)).all()}


def _staff(session: Session) -> Viewer:
    return Viewer(Role.STAFF, user_id=_users(session)["staff"].id)


def publishable(make: Any, title: str, *, agency: int | None = None, **overrides: Any) -> Proposal:
    """A replied proposal with a suggestion and its reply in force: ready for the staff to publish."""
    proposal = make.proposal(title=title, status="replied", **overrides)
    make.suggestion(proposal, text=f"{title}的第一条建议。")
    make.reply(proposal, agency_id=agency, status="issued", role="lead")
    return proposal


def publish(session: Session, proposal: Proposal, at: datetime) -> None:
    oversight.publish(session=session, proposal_id=proposal.id, actor=_staff(session), now=at)
    session.commit()


def run(app: Flask, session: Session, at: datetime = NOW) -> follows.MatchRun:
    result = follows.match(session=session, backend=get_backend(app), now=at)
    session.commit()
    return result


def told(session: Session, user: User) -> list[tuple[int | None, str]]:
    rows = session.exec(
        select(Notification).where(Notification.user_id == user.id, Notification.kind == "followed")
    ).all()
    return sorted((r.proposal_id, r.params["follow"]) for r in rows)


@pytest.fixture
def member(session: Session) -> User:
    return _users(session)["member"]


def test_a_saved_search_tells_of_newly_public_matching_proposals_once(
    app: Flask, session: Session, make, member: User
) -> None:
    saved = follows.save_search(
        session=session, user_id=member.id, name="电梯", query="加装电梯", filters={}, now=BEFORE
    )
    session.commit()
    published = publishable(make, "关于老旧小区加装电梯的建议")
    unpublished = publishable(make, "关于学校加装电梯的建议")
    withheld = publishable(make, "关于医院加装电梯的建议")
    scheduled = publishable(make, "关于车站加装电梯的建议")
    elsewhere = publishable(make, "关于垃圾分类的建议")
    session.commit()
    for proposal in (published, withheld, elsewhere):
        publish(session, proposal, NOW - timedelta(hours=1))
    oversight.withhold(
        session=session,
        proposal_id=withheld.id,
        actor=_staff(session),
        reason="涉密",
        now=NOW - timedelta(minutes=30),
    )
    oversight.schedule_publication(
        session=session,
        proposal_id=scheduled.id,
        actor=_staff(session),
        when=NOW + timedelta(days=2),
        now=NOW - timedelta(minutes=20),
    )
    session.commit()

    result = run(app, session)
    assert told(session, member) == [(published.id, "电梯")]
    assert result.notified == 1
    note = session.exec(select(Notification).where(Notification.kind == "followed")).one()
    assert (note.channel, note.path) == ("digest", f"/proposals/{published.id}")
    assert unpublished.id not in {m.proposal_id for m in session.exec(select(FollowMatch)).all()}

    run(app, session)  # again: nothing twice
    assert told(session, member) == [(published.id, "电梯")]

    # the scheduled publication's moment comes: the next run tells it, with no commit in between
    later = NOW + timedelta(days=2, hours=1)
    with visibility.clock(lambda: later):
        run(app, session, later)
    assert told(session, member) == sorted([(published.id, "电梯"), (scheduled.id, "电梯")])
    assert session.get(Follow, saved.id).checked_until is not None


def test_what_was_public_before_the_follow_is_not_news(
    app: Flask, session: Session, make, member: User
) -> None:
    old = publishable(make, "关于加装电梯的旧建议")
    session.commit()
    publish(session, old, BEFORE - timedelta(days=1))
    follows.save_search(session=session, user_id=member.id, name="电梯", query="电梯", filters={}, now=BEFORE)
    session.commit()
    assert run(app, session).matched == 0
    assert told(session, member) == []


@pytest.mark.parametrize("kind", ["agency", "category", "session"])
def test_following_an_agency_a_category_or_a_session(
    app: Flask, session: Session, make, member: User, kind: str
) -> None:
    agency = session.exec(select(Agency).where(Agency.name == "镇海区商务局")).one()
    other_agency = make.agency(name="区测试局")
    category = session.exec(select(Category).where(col(Category.active).is_(True))).first()
    meeting = make.meeting(name="第十届第四次会议", year=2026)
    other_meeting = session.exec(select(Meeting).where(Meeting.id != meeting.id)).first()
    session.commit()
    target = {"agency": agency.id, "category": category.id, "session": meeting.id}[kind]
    row = follows.follow(
        session=session, user_id=member.id, kind=kind, target_id=target, name=None, now=BEFORE
    )
    session.commit()
    inside = publishable(
        make, "关于要关注的建议", agency=agency.id, category=category.name, meeting_id=meeting.id
    )
    outside = publishable(
        make,
        "关于不相干的建议",
        agency=other_agency.id,
        category=f"{category.name}以外",
        meeting_id=other_meeting.id,
    )
    hidden = publishable(
        make, "关于未公开的建议", agency=agency.id, category=category.name, meeting_id=meeting.id
    )
    session.commit()
    for proposal in (inside, outside):
        publish(session, proposal, NOW - timedelta(hours=1))
    run(app, session)
    assert told(session, member) == [(inside.id, row.name)]
    assert hidden.id not in {m.proposal_id for m in session.exec(select(FollowMatch)).all()}


def test_one_notification_names_every_follow_that_matched(
    app: Flask, session: Session, make, member: User
) -> None:
    agency = session.exec(select(Agency).where(Agency.name == "镇海区商务局")).one()
    follows.save_search(
        session=session, user_id=member.id, name="电梯提案", query="电梯", filters={}, now=BEFORE
    )
    follows.follow(
        session=session, user_id=member.id, kind="agency", target_id=agency.id, name=None, now=BEFORE
    )
    proposal = publishable(make, "关于加装电梯的建议", agency=agency.id)
    session.commit()
    publish(session, proposal, NOW - timedelta(hours=1))
    result = run(app, session)
    assert (result.matched, result.notified) == (2, 1)
    assert told(session, member) == [(proposal.id, f"电梯提案、{agency.name}")]


def test_an_inactive_account_is_told_nothing(app: Flask, session: Session, make, member: User) -> None:
    follows.save_search(session=session, user_id=member.id, name="电梯", query="电梯", filters={}, now=BEFORE)
    member.active = False
    session.add(member)
    proposal = publishable(make, "关于加装电梯的建议")
    session.commit()
    publish(session, proposal, NOW - timedelta(hours=1))
    assert run(app, session).follows == 0
    assert told(session, member) == []


@pytest.mark.parametrize(
    ("name", "query", "filters", "field"),
    [
        ("电梯", "", {}, "q"),  # nothing to look for
        ("", "电梯", {}, "name"),
        ("名" * 81, "电梯", {}, "name"),
    ],
)
def test_a_saved_search_that_is_refused_writes_nothing(
    session: Session, member: User, name: str, query: str, filters: dict, field: str
) -> None:
    with pytest.raises(InvalidInput) as raised:
        follows.save_search(
            session=session, user_id=member.id, name=name, query=query, filters=filters, now=NOW
        )
    assert field in {p.field for p in raised.value.problems}
    session.rollback()
    assert session.exec(select(Follow)).all() == []


def test_following_again_keeps_one_follow_and_unknown_targets_are_not_found(
    session: Session, member: User
) -> None:
    agency = session.exec(select(Agency)).first()
    first = follows.follow(
        session=session, user_id=member.id, kind="agency", target_id=agency.id, name=None, now=NOW
    )
    again = follows.follow(
        session=session, user_id=member.id, kind="agency", target_id=agency.id, name=None, now=NOW
    )
    assert first.id == again.id and first.name == agency.name
    for kind, target in (
        ("agency", 999_999),
        ("session", 999_999),
        ("category", 999_999),
        ("search", 1),
        ("x", 1),
    ):
        with pytest.raises(NotFoundError):
            follows.follow(
                session=session, user_id=member.id, kind=kind, target_id=target, name=None, now=NOW
            )


def test_only_the_owner_renames_deletes_or_renews(session: Session, member: User) -> None:
    other = _users(session)["agency"]
    row = follows.save_search(
        session=session, user_id=member.id, name="电梯", query="电梯", filters={}, now=NOW
    )
    token = row.token
    for action in (follows.delete, follows.renew_token):
        with pytest.raises(NotFoundError):
            action(session=session, user_id=other.id, follow_id=row.id)
    with pytest.raises(NotFoundError):
        follows.rename(session=session, user_id=other.id, follow_id=row.id, name="别的")
    with pytest.raises(InvalidInput):
        follows.rename(session=session, user_id=member.id, follow_id=row.id, name="  ")
    assert (
        follows.rename(session=session, user_id=member.id, follow_id=row.id, name=" 加装 电梯 ").name
        == "加装 电梯"
    )
    assert follows.renew_token(session=session, user_id=member.id, follow_id=row.id).token != token
    assert follows.by_token(session=session, token=token) is None
    follows.delete(session=session, user_id=member.id, follow_id=row.id)
    assert session.exec(select(Follow)).all() == []


def test_a_search_the_index_cannot_answer_is_tried_again_next_run(
    app: Flask, session: Session, make, member: User
) -> None:
    """A broken index costs the run its saved searches, not the follows, digests and reminders."""
    agency = session.exec(select(Agency).where(Agency.name == "镇海区商务局")).one()
    follows.save_search(session=session, user_id=member.id, name="电梯", query="电梯", filters={}, now=BEFORE)
    follows.follow(
        session=session, user_id=member.id, kind="agency", target_id=agency.id, name=None, now=BEFORE
    )
    proposal = publishable(make, "关于加装电梯的建议", agency=agency.id)
    session.commit()
    publish(session, proposal, NOW - timedelta(hours=1))
    backend = get_backend(app)
    backend.close()
    shutil.rmtree(app.config["SEARCH_INDEX_DIR"])  # the index is gone
    result = run(app, session)
    assert (result.failed, result.matched) == (1, 1)  # the agency follow still told it
    assert told(session, member) == [(proposal.id, agency.name)]
    get_keeper(app).rebuild()  # the index is back
    result = run(app, session, NOW + timedelta(minutes=5))
    assert (result.failed, result.matched) == (0, 1)
    assert told(session, member) == sorted([(proposal.id, agency.name), (proposal.id, "电梯")])
