"""Search sees what the pages see: the visibility rule is part of every index query."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlmodel import Session, select

from tracker.models import Proposal, ProposalSigner
from tracker.search import SearchBackend, SearchRequest
from tracker.services.visibility import ANONYMOUS, Role, Viewer, access_facts, can_see


@pytest.fixture
def draft(session: Session, make: Any) -> dict[str, int]:
    """An unpublished proposal by one member, co-signed by another, replied to by one agency."""
    author = make.member(name="甲委员")
    cosigner = make.member(name="乙委员")
    stranger = make.member(name="丁委员")
    agency = make.agency(name="区交通局")
    other_agency = make.agency(name="区水务局")
    proposal = make.proposal(title="关于增设公交专用道的建议", number=31, proposer_id=author.id)
    make.suggestion(
        proposal, title="增设公交专用道", text="增设公交专用道。在早晚高峰拥堵路段增设公交专用道。"
    )
    session.add(ProposalSigner(proposal_id=proposal.id, member_id=cosigner.id, role="cosigner"))
    make.reply(proposal, agency_id=agency.id, preamble="关于公交专用道的建议收悉。")
    session.commit()
    return {
        "proposal": proposal.id,
        "author": author.id,
        "cosigner": cosigner.id,
        "stranger": stranger.id,
        "agency": agency.id,
        "other_agency": other_agency.id,
    }


def viewers(ids: dict[str, int]) -> dict[str, Viewer]:
    return {
        "anonymous": ANONYMOUS,
        "author": Viewer(Role.MEMBER, member_id=ids["author"]),
        "cosigner": Viewer(Role.MEMBER, member_id=ids["cosigner"]),
        "stranger": Viewer(Role.MEMBER, member_id=ids["stranger"]),
        "agency": Viewer(Role.AGENCY, agency_id=ids["agency"]),
        "other agency": Viewer(Role.AGENCY, agency_id=ids["other_agency"]),
        "member id as agency": Viewer(Role.AGENCY, agency_id=ids["author"]),
        "staff": Viewer(Role.STAFF),
        "admin": Viewer(Role.ADMIN),
    }


@pytest.mark.parametrize(
    ("who", "sees"),
    [
        ("anonymous", False),
        ("author", True),
        ("cosigner", True),
        ("stranger", False),
        ("agency", True),
        ("other agency", False),
        ("member id as agency", False),
        ("staff", True),
        ("admin", True),
    ],
)
def test_an_unpublished_proposal_is_found_only_by_those_who_may_see_it(
    find, unit_names, draft: dict[str, int], who: str, sees: bool
) -> None:
    outcome = find("公交专用道", viewers(draft)[who])
    assert bool(outcome.results.total) is sees
    jump = find("第31号", viewers(draft)[who]).jump
    assert (jump is not None and jump.proposal_id == draft["proposal"]) is sees


def test_unpublished_units_are_left_out_of_counts_and_facets(find, draft: dict[str, int]) -> None:
    staff = find("", Viewer(Role.STAFF), filters={"type": ("proposal",)}).results
    public = find("", ANONYMOUS, filters={"type": ("proposal",)}).results
    assert staff.total == public.total + 1
    assert "区交通局" not in {f.value for f in public.facets["agency"]}
    assert "区交通局" in {f.value for f in staff.facets["agency"]}


def test_the_index_filter_is_the_rule_of_the_pages(
    backend: SearchBackend, session: Session, make: Any, draft: dict[str, int]
) -> None:
    """For every proposal and every kind of viewer, the index answers as ``can_see`` does."""
    published = make.proposal(title="已公开的提案", published_at=datetime.now(UTC))
    make.suggestion(published, text="已公开。")
    session.commit()
    ids = list(session.exec(select(Proposal.id)).all())
    facts = access_facts(session=session, proposal_ids=ids)
    all_viewers = list(viewers(draft).values()) + [
        Viewer(role, member_id=m, agency_id=a)
        for role, m, a in itertools.product(Role, [None, draft["author"]], [None, draft["agency"]])
    ]
    for viewer in all_viewers:
        found = backend.search(
            SearchRequest(text="", viewer=viewer, filters={"type": ("proposal",)}, page_size=1000)
        )
        assert {g.facts.proposal_id for g in found.groups} == {
            pid for pid in ids if can_see(facts[pid], viewer)
        }, viewer


def test_a_returned_letter_is_not_searchable_by_anyone(session: Session, make: Any, found) -> None:
    proposal = make.proposal(title="关于整治河道的建议", number=77, published_at=datetime.now(UTC))
    returned = make.reply(proposal, status="returned", preamble="退回重写的答复稿件，尚未定稿。")
    make.point(returned, n=1, heading="关于“河道整治”", text="关于“河道整治”。错误的初稿内容。")
    issued = make.reply(proposal, status="issued", preamble="正式答复已经发出。")
    make.point(issued, n=1, heading="关于“河道整治”", text="关于“河道整治”。清淤工程已经完成。")
    session.commit()
    for viewer in (ANONYMOUS, Viewer(Role.STAFF)):
        assert found("初稿", viewer) == [] and found("尚未定稿", viewer) == []
    assert found("清淤工程", ANONYMOUS) != [] and found("正式答复", ANONYMOUS) != []
