"""Similar proposals (before 立案 or 并案) and the policy clauses related to a suggestion."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlmodel import Session

from tracker.search import SearchBackend
from tracker.services.proposals import record_proposal
from tracker.services.search import related_clauses, related_clauses_by_suggestion, similar_proposals
from tracker.services.visibility import ANONYMOUS, Role, Viewer

# No. 2's five suggestions, reworded: what a second member might submit on the same matter.
NEAR_DUPLICATE = """为更好地扶持小微企业发展，建议：
1．成立专门机构。由政府牵头组建跨部门的小微企业服务管理联合机构，吸收发改、经贸、税务、工商等部门参加，统筹落实扶持小微企业的各项优惠政策，协调解决企业发展中的难题。
2．推行分级分类服务管理。根据小微企业所属行业，按照分级为主、属地为辅的原则，由各行业主管部门分别负责服务与管理，个体工商户由所在辖区负责。
3．强化培训工作。支持小微企业参与技能人才振兴计划，建设小微企业培育中心，开展创业咨询和经营管理培训，对招用高校毕业生并开展岗前培训的企业给予培训补贴。
4．密切大中小企业协作。借鉴韩国经验，推动制造、加工、修理企业把零部件和半成品的生产委托给小微企业，形成分工协作关系。
5．搭建商业信息平台。参照成都温江花木电子商务中心的做法，在各行业建立电子商务平台，为小微企业提供信息服务。
"""

# Another proposal sharing common words (管理, 服务, 培训, 建议) but not the matter.
OTHER_MATTER = """为保障学生安全，建议：
1．加强校园安全管理。完善学校安全管理制度，落实门卫值守和巡查责任，做好服务保障。
2．开展安全教育培训。定期组织师生开展消防、交通安全培训和应急演练。
3．改善校园周边交通。在学校周边设置交通标志，高峰时段安排交警疏导。
"""


@pytest.fixture
def proposals(session: Session) -> dict[str, int]:
    now = datetime.now(UTC)
    duplicate = record_proposal(
        session=session,
        text=NEAR_DUPLICATE,
        title="关于扶持小微企业分级服务管理的建议",
        number=7,
        published_at=now,
    )
    other = record_proposal(
        session=session,
        text=OTHER_MATTER,
        title="关于加强中小学校园安全管理的建议",
        number=8,
        published_at=now,
    )
    unpublished = record_proposal(
        session=session, text=NEAR_DUPLICATE, title="关于小微企业服务的建议（草稿）"
    )
    session.commit()
    return {"duplicate": duplicate.id, "other": other.id, "unpublished": unpublished.id}


def test_a_near_duplicate_of_no_2_finds_no_2_first(
    session: Session, backend: SearchBackend, proposals: dict[str, int]
) -> None:
    similar = similar_proposals(session=session, backend=backend, proposal_id=proposals["duplicate"])
    assert [s.facts.number for s in similar][:2] == [2, 8]
    assert similar[0].score > 2 * similar[1].score
    assert proposals["duplicate"] not in {s.facts.proposal_id for s in similar}


def test_the_submission_form_text_finds_no_2_before_it_is_stored(
    session: Session, backend: SearchBackend, proposals: dict[str, int]
) -> None:
    similar = similar_proposals(session=session, backend=backend, text=NEAR_DUPLICATE, limit=3)
    # the stored duplicate is the very same text; then comes No. 2
    assert [s.facts.number for s in similar][:2] == [7, 2]


def test_similar_proposals_respect_visibility(
    session: Session, backend: SearchBackend, proposals: dict[str, int]
) -> None:
    public = similar_proposals(session=session, backend=backend, viewer=ANONYMOUS, proposal_id=1, limit=10)
    staff = similar_proposals(
        session=session, backend=backend, viewer=Viewer(Role.STAFF), proposal_id=1, limit=10
    )
    assert proposals["unpublished"] not in {s.facts.proposal_id for s in public}
    assert proposals["unpublished"] in {s.facts.proposal_id for s in staff}
    assert public[0].facts.number == 7


def test_an_unknown_proposal_or_empty_text_has_nothing_similar(
    session: Session, backend: SearchBackend
) -> None:
    assert similar_proposals(session=session, backend=backend, proposal_id=999) == []
    assert similar_proposals(session=session, backend=backend, text="  ") == []


def test_the_clauses_related_to_a_suggestion(session: Session, backend: SearchBackend) -> None:
    by_suggestion = related_clauses_by_suggestion(session=session, backend=backend, proposal_id=1)
    assert len(by_suggestion) == 5
    anchors = {
        sid: [(c.facts.slug, c.units[0].anchor) for c in clauses] for sid, clauses in by_suggestion.items()
    }
    training = anchors[3]  # suggestion 3: 加大培训力度
    assert ("beijing-sme-plan-2011-2015", "c5-8") in training  # 八、加强中小企业培训
    ecommerce = anchors[5]  # suggestion 5: 建立商业信息中心 (电子商务平台)
    assert ("beijing-sme-plan-2011-2015", "c5-7") in ecommerce  # 七、推进信息化建设
    assert all(c.units[0].type == "clause" for clauses in by_suggestion.values() for c in clauses)


def test_related_clauses_of_a_draft_text(session: Session, backend: SearchBackend) -> None:
    clauses = related_clauses(
        session=session, backend=backend, text="破解小微企业融资难问题，完善融资担保体系。"
    )
    assert clauses and clauses[0].facts.slug is not None
    assert any("融资" in c.units[0].title.text or "融资" in c.units[0].fragments[0].text for c in clauses)


def test_a_new_proposal_shows_up_as_similar_at_once(session: Session, backend: SearchBackend) -> None:
    before = similar_proposals(session=session, backend=backend, proposal_id=1)  # answers are cached
    record_proposal(
        session=session,
        text=NEAR_DUPLICATE,
        title="关于小微企业服务的建议",
        number=12,
        published_at=datetime.now(UTC),
    )
    session.commit()  # a new index generation: the cached answer is not reused
    after = similar_proposals(session=session, backend=backend, proposal_id=1)
    assert 12 not in {s.facts.number for s in before}
    assert after[0].facts.number == 12
