"""One visibility rule: the SQL filter for pages and the stored facts for the index agree."""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime
from typing import Any

import pytest
from sqlmodel import Session, select

from tracker.models import Assignment, Proposal, ProposalSigner
from tracker.services.visibility import (
    ANONYMOUS,
    Role,
    Viewer,
    access_facts,
    can_see,
    proposal_filter,
)


@pytest.fixture
def world(session: Session, make: Any) -> dict[str, int]:
    """Proposals in every visibility situation, with the members and agency involved."""
    alice = make.member(name="甲委员")
    bob = make.member(name="乙委员")
    agency = make.agency(name="区交通局")
    other_agency = make.agency(name="区水务局")
    published = make.proposal(title="已公开", published_at=datetime.now(UTC))
    own = make.proposal(title="甲的提案", proposer_id=alice.id)
    cosigned = make.proposal(title="乙领衔甲附议", proposer_id=bob.id)
    session.add(ProposalSigner(proposal_id=cosigned.id, member_id=alice.id, role="cosigner"))
    assigned = make.proposal(title="交通局办理")
    make.reply(assigned, agency_id=agency.id)
    session.commit()
    return {
        "alice": alice.id,
        "bob": bob.id,
        "agency": agency.id,
        "other_agency": other_agency.id,
        "published": published.id,
        "own": own.id,
        "cosigned": cosigned.id,
        "assigned": assigned.id,
    }


def visible_ids(session: Session, viewer: Viewer) -> set[int]:
    return set(session.exec(select(Proposal.id).where(proposal_filter(viewer))).all())


def test_each_role_sees_what_the_rule_says(session: Session, world: dict[str, int]) -> None:
    seeded = set(
        session.exec(
            select(Proposal.id).where(
                Proposal.title.not_in(["已公开", "甲的提案", "乙领衔甲附议", "交通局办理"])
            )
        ).all()
    )
    assert visible_ids(session, ANONYMOUS) - seeded == {world["published"]}
    alice = Viewer(Role.MEMBER, member_id=world["alice"])
    assert visible_ids(session, alice) - seeded == {world["published"], world["own"], world["cosigned"]}
    bob = Viewer(Role.MEMBER, member_id=world["bob"])
    assert visible_ids(session, bob) - seeded == {world["published"], world["cosigned"]}
    agency = Viewer(Role.AGENCY, agency_id=world["agency"])
    assert visible_ids(session, agency) - seeded == {world["published"], world["assigned"]}
    other = Viewer(Role.AGENCY, agency_id=world["other_agency"])
    assert visible_ids(session, other) - seeded == {world["published"]}
    for role in (Role.STAFF, Role.ADMIN):
        assert visible_ids(session, Viewer(role)) == set(session.exec(select(Proposal.id)).all())


def test_stored_facts_give_the_same_answer_as_the_query(session: Session, world: dict[str, int]) -> None:
    all_ids = list(session.exec(select(Proposal.id)).all())
    facts = access_facts(session=session, proposal_ids=all_ids)
    viewers = (
        [ANONYMOUS, Viewer(Role.STAFF)]
        + [Viewer(Role.MEMBER, member_id=world[m]) for m in ("alice", "bob")]
        + [Viewer(Role.AGENCY, agency_id=world[a]) for a in ("agency", "other_agency")]
    )
    for viewer, pid in itertools.product(viewers, all_ids):
        assert can_see(facts[pid], viewer) == (pid in visible_ids(session, viewer)), (viewer, pid)


def test_the_seeded_model_case_is_published(session: Session) -> None:
    proposal = session.exec(select(Proposal).where(Proposal.number == 2)).one()
    assert proposal.published_at is not None
    assert access_facts(session=session, proposal_ids=[proposal.id])[proposal.id].published


def test_assignments_and_invitations_follow_the_rule(session: Session, make: Any) -> None:
    """Agencies see what is assigned to them while the assignment is current (lead or co); invited
    co-signers see the proposal until they decline. Query and stored facts agree on all of it."""
    lead, co, ended = make.agency(name="区交通局"), make.agency(name="区水务局"), make.agency(name="区城管局")
    invited, declined = make.member(name="丙委员"), make.member(name="丁委员")
    proposal = make.proposal(title="交办的提案", status="assigned")
    for agency, role, ended_at in (
        (lead, "lead", None),
        (co, "co", None),
        (ended, "lead", datetime.now(UTC)),
    ):
        session.add(
            Assignment(
                proposal_id=proposal.id,
                agency_id=agency.id,
                role=role,
                deadline=date(2030, 1, 1),
                ended_at=ended_at,
            )
        )
    for member, status in ((invited, "pending"), (declined, "declined")):
        session.add(
            ProposalSigner(proposal_id=proposal.id, member_id=member.id, role="cosigner", status=status)
        )
    session.commit()
    viewers = {
        "lead": Viewer(Role.AGENCY, agency_id=lead.id),
        "co": Viewer(Role.AGENCY, agency_id=co.id),
        "ended": Viewer(Role.AGENCY, agency_id=ended.id),
        "invited": Viewer(Role.MEMBER, member_id=invited.id),
        "declined": Viewer(Role.MEMBER, member_id=declined.id),
    }
    expected = {"lead": True, "co": True, "ended": False, "invited": True, "declined": False}
    facts = access_facts(session=session, proposal_ids=[proposal.id])[proposal.id]
    assert facts.agency_ids == {lead.id, co.id}
    assert facts.member_ids == {invited.id}
    for name, viewer in viewers.items():
        assert (proposal.id in visible_ids(session, viewer)) is expected[name], name
        assert can_see(facts, viewer) is expected[name], name
