"""Every route, every role: a table of (role, URL, method) → expected status.

Anonymous visitors and other roles get 404 for proposals they may not see and 403 (or the login
page, for anonymous visitors) for pages of another role, and never the content. A route added
without a row here fails ``test_every_route_has_a_row``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime

import pytest
from flask import Flask
from sqlmodel import Session, select

from tracker.domain.drafting import Draft
from tracker.models import Agency, LoginSession, Notification, Proposal, Reply, User
from tracker.services import commitments, directory, drafting, extensions, follows, people_import, workflow
from tracker.services.accounts import start_session
from tracker.services.visibility import Role, Viewer

ROLES = ("anon", "member", "agency", "staff", "admin")
TODAY = date(2025, 3, 10)


def _draft(title: str, cosigners: list[str] | None = None) -> Draft:
    return Draft(
        title=title,
        category="其他",
        background="背景。",
        suggestions=["第一条建议。内容。"],
        cosigners=cosigners or [],
    )


@pytest.fixture
def scene(session: Session, make, review_case) -> dict[str, int]:
    """Proposals in the situations the table needs, made through the use cases."""
    users = {u.username: u for u in session.exec(select(User)).all()}
    dai = Viewer(Role.MEMBER, member_id=users["member"].member_id, user_id=users["member"].id)
    other_member = make.member(name="乙委员")
    other = Viewer(Role.MEMBER, member_id=other_member.id)
    staff = Viewer(Role.STAFF, user_id=users["staff"].id)
    meeting = make.meeting(name="第十届第三次会议", year=2025)
    commerce = session.exec(select(Agency).where(Agency.name == "镇海区商务局")).one()

    def create(author: Viewer, title: str, submit: bool, cosigners: list[str] | None = None) -> Proposal:
        return drafting.create(
            session=session,
            author=author,
            draft=_draft(title, cosigners),
            form_token=f"{len(title):02d}{abs(hash(title)):030x}"[:32],
            submit=submit,
            categories=["其他"],
            today=TODAY,
        ).proposal

    own_draft = create(dai, "戴的草稿", submit=False)
    own_submitted = create(dai, "戴已提交的提案", submit=True)
    foreign = create(other, "乙的未公开提案", submit=True)
    invite = create(other, "乙邀请戴联名", submit=True, cosigners=["戴培红"])
    accepted = create(other, "已立案待交办", submit=True)
    workflow.accept(session=session, proposal_id=accepted.id, actor=staff, today=TODAY, meeting_id=meeting.id)
    assigned = create(other, "交办给经信局", submit=True)
    elsewhere = create(other, "交办给商务局", submit=True)
    for proposal, lead in ((assigned, users["agency"].agency_id), (elsewhere, commerce.id)):
        workflow.accept(
            session=session, proposal_id=proposal.id, actor=staff, today=TODAY, meeting_id=meeting.id
        )
        workflow.assign(
            session=session, proposal_ids=[proposal.id], actor=staff, lead_agency_id=lead, today=TODAY
        )
    replied = create(other, "已答复待办结", submit=True)
    workflow.accept(session=session, proposal_id=replied.id, actor=staff, today=TODAY, meeting_id=meeting.id)
    workflow.assign(
        session=session, proposal_ids=[replied.id], actor=staff, lead_agency_id=commerce.id, today=TODAY
    )
    workflow.mark_replied(session=session, proposal_id=replied.id, actor=staff)
    hidden_reply = make.reply(foreign, agency_id=commerce.id, title="未公开答复")
    published = session.exec(select(Proposal).where(Proposal.published_at.is_not(None))).one()
    published_reply = session.exec(select(Reply).where(Reply.proposal_id == published.id)).first()
    # issue 4: a co-handling assignment of the demo agency, a letter in force for the replied proposal,
    # a letter sent back for correction, and a published proposal the demo member did not sign
    co_assigned = create(other, "经信局协办", submit=True)
    workflow.accept(
        session=session, proposal_id=co_assigned.id, actor=staff, today=TODAY, meeting_id=meeting.id
    )
    workflow.assign(
        session=session,
        proposal_ids=[co_assigned.id],
        actor=staff,
        lead_agency_id=commerce.id,
        co_agency_ids=[users["agency"].agency_id],
        today=TODAY,
    )
    make.reply(replied, agency_id=commerce.id, title="商务局的答复", status="issued", outcome="B")
    returned_reply = make.reply(
        published, agency_id=users["agency"].agency_id, title="退回修改的答复", status="returned"
    )
    published_other = make.proposal(
        title="乙的已公开提案",
        proposer_id=other_member.id,
        status="replied",
        published_at=datetime.now(UTC),
    )
    make.reply(published_other, agency_id=commerce.id, title="给乙的答复", status="issued")
    staged, _plan = people_import.stage(
        session=session,
        user_id=users["admin"].id,
        filename="members.csv",
        data="姓名,界别\n路由表委员,经济界\n".encode(),
        kind=None,
    )
    # issue 12: an account for the admin's account pages to act on, with a login to end
    target = make.user(username="mubiao7", role="agency", agency_id=commerce.id)
    start_session(session=session, user=target, now=datetime.now(UTC))
    # issue 12: extension requests waiting for an answer (the demo agency's co-handling assignment,
    # and the commerce bureau's), one for each of staff's two answers
    demo_agency = Viewer(Role.AGENCY, agency_id=users["agency"].agency_id, user_id=users["agency"].id)
    to_grant, to_refuse = (
        extensions.request(
            session=session,
            proposal_id=pid,
            actor=agency,
            requested_deadline=date(2025, 7, 10),  # the default deadline is 2025-06-10
            reason="需要调研",
            now=datetime.now(UTC),
        )
        for pid, agency in (
            (co_assigned.id, demo_agency),
            (elsewhere.id, Viewer(Role.AGENCY, agency_id=commerce.id)),
        )
    )
    to_extend = create(other, "经信局申请延期", submit=True)
    workflow.accept(
        session=session, proposal_id=to_extend.id, actor=staff, today=TODAY, meeting_id=meeting.id
    )
    workflow.assign(
        session=session,
        proposal_ids=[to_extend.id],
        actor=staff,
        lead_agency_id=users["agency"].agency_id,
        today=TODAY,
    )
    # issue 16: two commitments of the demo agency's published letter (one to report on, one to remove)
    assert published_reply.agency_id == users["agency"].agency_id
    point = make.point(published_reply, position=99, n=None, text="力争2025年底前出台办法。")
    promised, to_remove = (
        commitments.add(
            session=session,
            reply_id=published_reply.id,
            point_id=point.id,
            actor=staff,
            text=text,
            due=date(2025, 12, 31),
            now=datetime.now(UTC),
        )
        for text in ("出台办法", "多余的承诺")
    )
    session.commit()
    target_login = session.exec(select(LoginSession).where(LoginSession.user_id == target.id)).one()
    # issue 15: the demo member was invited to co-sign ("invite"): a notification only it may open
    member_note = session.exec(select(Notification).where(Notification.user_id == users["member"].id)).first()
    # issue 15: the demo member's saved search (its feed, renamed, given a new feed address, deleted)
    member_follow = follows.save_search(
        session=session,
        user_id=users["member"].id,
        name="电梯",
        query="电梯",
        filters={},
        now=datetime.now(UTC),
    )
    session.commit()
    return {
        "to_extend": to_extend.id,
        "to_grant": to_grant.id,
        "to_refuse": to_refuse.id,
        "own_draft": own_draft.id,
        "own_submitted": own_submitted.id,
        "foreign": foreign.id,
        "invite": invite.id,
        "accepted": accepted.id,
        "assigned": assigned.id,
        "elsewhere": elsewhere.id,
        "replied": replied.id,
        "published": published.id,
        "published_reply": published_reply.id,
        "hidden_reply": hidden_reply.id,
        "co_assigned": co_assigned.id,
        "returned_reply": returned_reply.id,
        "published_other": published_other.id,
        "session": meeting.id,
        "target": target.id,
        "target_login": target_login.id,
        "missing": 999_999,
        # issue 12, people: a member, an agency, a category and an upload staged by the admin
        "member": other_member.id,
        "agency": commerce.id,
        "category": directory.list_categories(session=session)[1].id,
        "import_token": staged.token,
        # issue 13: imported files waiting for review (tests/conftest.py, review_case)
        "import_both": review_case.both_id,
        "import_unpaired": review_case.unpaired_id,
        "import_odd": review_case.odd_id,
        "import_pair_with": review_case.pair_with_id,
        "member_note": member_note.id,
        "member_follow": member_follow.id,
        "follow_token": member_follow.token,
        "promised": promised.id,
        "to_remove": to_remove.id,
        "promised_point": point.id,
    }


def each(status: int) -> dict[str, int]:
    return dict.fromkeys(ROLES, status)


def only(roles: tuple[str, ...], allowed: int, others: int, anon: int | None = None) -> dict[str, int]:
    """``allowed`` for ``roles``; the others get ``others``; anonymous visitors ``anon`` (login: 302)."""
    table = {r: (allowed if r in roles else others) for r in ROLES}
    if anon is not None and "anon" not in roles:
        table["anon"] = anon
    return table


STAFF_PAGE = only(("staff", "admin"), 200, 403, anon=302)
STAFF_POST = only(("staff", "admin"), 303, 403, anon=302)
MEMBER_PAGE = only(("member",), 200, 403, anon=302)
MEMBER_POST = only(("member",), 303, 403, anon=302)
AGENCY_PAGE = only(("agency",), 200, 403, anon=302)
AGENCY_POST = only(("agency",), 303, 403, anon=302)
# issue 12: the administration is the admin's alone; staff who are not admins get 403
ADMIN_PAGE = only(("admin",), 200, 403, anon=302)
ADMIN_POST = only(("admin",), 303, 403, anon=302)
# issue 15: every account's own pages (notifications)
ACCOUNT_PAGE = only(("member", "agency", "staff", "admin"), 200, 403, anon=302)
ACCOUNT_POST = only(("member", "agency", "staff", "admin"), 303, 403, anon=302)
ACCOUNTS = ("member", "agency", "staff", "admin")
# issue 16: the commitments of an agency's replies, for that agency and the office
WORK_PAGE = only(("agency", "staff", "admin"), 200, 403, anon=302)
WORK_POST = only(("agency", "staff", "admin"), 303, 403, anon=302)
SESSION_DATA = {"body": "政协", "year": "2026", "intake": "interim"}


@dataclass(frozen=True)
class Row:
    endpoint: str
    method: str
    url: str  # with {placeholders} filled from the scene
    expected: dict[str, int]
    data: dict | None = None
    hidden: str | None = None  # text that must not appear unless the status is 200


ROWS = [
    Row("static", "GET", "/static/css/app.css", each(200)),
    Row("favicon", "GET", "/favicon.ico", each(200)),
    Row("home.index", "GET", "/", each(200)),
    Row("proposals.index", "GET", "/proposals", each(200)),
    Row("proposals.detail", "GET", "/proposals/{published}", each(200)),
    Row(
        "proposals.detail",
        "GET",
        "/proposals/{foreign}",
        only(("staff", "admin"), 200, 404),
        hidden="乙的未公开提案",
    ),
    Row(
        "proposals.detail",
        "GET",
        "/proposals/{own_draft}",
        only(("member", "staff", "admin"), 200, 404),
        hidden="戴的草稿",
    ),
    Row(
        "proposals.detail",
        "GET",
        "/proposals/{invite}",
        only(("member", "staff", "admin"), 200, 404),
        hidden="乙邀请戴联名",
    ),
    Row(
        "proposals.detail",
        "GET",
        "/proposals/{assigned}",
        only(("agency", "staff", "admin"), 200, 404),
        hidden="交办给经信局",
    ),
    Row(
        "proposals.detail",
        "GET",
        "/proposals/{elsewhere}",
        only(("staff", "admin"), 200, 404),
        hidden="交办给商务局",
    ),
    Row("proposals.detail", "GET", "/proposals/{missing}", each(404)),
    Row("search.similar", "GET", "/proposals/{published}/similar", each(200)),
    Row(
        "search.similar",
        "GET",
        "/proposals/{foreign}/similar",
        only(("staff", "admin"), 200, 404),
    ),
    Row("search.similar", "GET", "/proposals/{missing}/similar", each(404)),
    Row("search.related_clauses", "GET", "/proposals/{published}/clauses", each(200)),
    Row(
        "search.related_clauses",
        "GET",
        "/proposals/{foreign}/clauses",
        only(("staff", "admin"), 200, 404),
    ),
    Row("search.related_clauses", "GET", "/proposals/{missing}/clauses", each(404)),
    Row("replies.detail", "GET", "/replies/{published_reply}", each(200)),
    Row(
        "replies.detail",
        "GET",
        "/replies/{hidden_reply}",
        only(("staff", "admin"), 200, 404),
        hidden="未公开答复",
    ),
    Row("library.index", "GET", "/library", each(200)),
    Row("agencies.index", "GET", "/agencies", each(200)),  # issue 16: public agency pages
    Row("agencies.detail", "GET", "/agencies/{agency}", each(200)),
    Row("agencies.detail", "GET", "/agencies/{missing}", each(404)),
    Row("library.document", "GET", "/library/beijing-sme-plan-2011-2015", each(200)),
    Row("accounts.login", "GET", "/login", each(200)),
    Row("accounts.login", "POST", "/login", each(200), data={"username": "staff", "password": "wrong"}),
    Row("accounts.logout", "POST", "/logout", each(303)),
    Row("drafts.index", "GET", "/my", MEMBER_PAGE),
    Row("drafts.new", "GET", "/my/proposals/new", MEMBER_PAGE),
    Row("drafts.new", "POST", "/my/proposals/new", MEMBER_PAGE, data={"op": "add", "title": "新提案"}),
    Row("drafts.edit", "GET", "/my/proposals/{own_draft}/edit", MEMBER_PAGE),
    Row(
        "drafts.edit",
        "GET",
        "/my/proposals/{foreign}/edit",
        only(("member",), 404, 403, anon=302),
        hidden="乙的未公开提案",
    ),
    Row(
        "drafts.edit",
        "POST",
        "/my/proposals/{own_draft}/edit",
        MEMBER_PAGE,
        data={"op": "add", "title": "改"},
    ),
    Row("drafts.submit", "POST", "/my/proposals/{own_draft}/submit", MEMBER_POST),
    Row("drafts.submit", "POST", "/my/proposals/{foreign}/submit", only(("member",), 404, 403, anon=302)),
    Row("drafts.withdraw", "POST", "/my/proposals/{own_submitted}/withdraw", MEMBER_POST),
    Row("drafts.withdraw", "POST", "/my/proposals/{foreign}/withdraw", only(("member",), 404, 403, anon=302)),
    Row("drafts.confirm", "POST", "/my/invitations/{invite}/confirm", MEMBER_POST),
    Row("drafts.confirm", "POST", "/my/invitations/{foreign}/confirm", only(("member",), 404, 403, anon=302)),
    Row("drafts.decline", "POST", "/my/invitations/{invite}/decline", MEMBER_POST),
    Row("review.index", "GET", "/review", STAFF_PAGE),
    Row("review.index", "GET", "/review?status=accepted", STAFF_PAGE, hidden="已立案待交办"),
    Row("review.overdue", "GET", "/review/overdue", STAFF_PAGE),
    # issue 15: 催办 from the 督办 list, then the notifications every account has
    Row(
        "notifications.urge",
        "POST",
        "/review/overdue/{assigned}/urge",
        STAFF_POST,
        data={"note": "请尽快答复。"},
    ),
    Row(
        "notifications.urge",
        "POST",
        "/review/overdue/{missing}/urge",
        only(("staff", "admin"), 404, 403, anon=302),
        data={"note": "请尽快答复。"},
    ),
    Row("notifications.index", "GET", "/notifications", ACCOUNT_PAGE),
    Row("notifications.settings", "GET", "/notifications/settings", ACCOUNT_PAGE),
    Row(
        "notifications.open_one",
        "GET",
        "/notifications/{member_note}",
        only(("member",), 303, 404, anon=302),
        hidden="乙邀请戴联名",
    ),
    Row(
        "notifications.read",
        "POST",
        "/notifications/{member_note}/read",
        only(("member",), 303, 404, anon=302),
    ),
    Row(
        "notifications.read",
        "POST",
        "/notifications/{missing}/read",
        only(("member", "agency", "staff", "admin"), 404, 404, anon=302),
    ),
    Row("notifications.read_all", "POST", "/notifications/read-all", ACCOUNT_POST),
    Row(
        "notifications.save_settings",
        "POST",
        "/notifications/settings",
        ACCOUNT_POST,
        data={"email": "someone@example.cn"},
    ),
    # issue 15: following and alerts; the Atom feeds are the public's, whoever asks
    Row("feeds.proposals", "GET", "/proposals/feed.atom", each(200)),
    Row("feeds.proposals", "GET", "/proposals/feed.atom?agency={agency}&category={category}", each(200)),
    Row("feeds.search", "GET", "/search/feed.atom?q=提案", each(200)),
    Row("feeds.follow", "GET", "/feeds/{follow_token}.atom", each(200)),
    Row("feeds.follow", "GET", "/feeds/no-such-token.atom", each(404)),
    Row("follows.index", "GET", "/follows", ACCOUNT_PAGE),
    Row("follows.save_search", "POST", "/follows/searches", ACCOUNT_POST, data={"q": "电梯", "name": "电梯"}),
    Row(
        "follows.save_search", "POST", "/follows/searches", only(ACCOUNTS, 422, 403, anon=302), data={"q": ""}
    ),
    Row("follows.add", "POST", "/follows", ACCOUNT_POST, data={"kind": "agency", "target": "{agency}"}),
    Row(
        "follows.add",
        "POST",
        "/follows",
        only(ACCOUNTS, 404, 403, anon=302),
        data={"kind": "agency", "target": "{missing}"},
    ),
    Row(
        "follows.rename",
        "POST",
        "/follows/{member_follow}/rename",
        only(("member",), 303, 404, anon=302),
        data={"name": "加装电梯"},
    ),
    Row("follows.renew_feed", "POST", "/follows/{member_follow}/feed", only(("member",), 303, 404, anon=302)),
    Row("follows.delete", "POST", "/follows/{member_follow}/delete", only(("member",), 303, 404, anon=302)),
    Row("review.detail", "GET", "/review/{foreign}", STAFF_PAGE, hidden="乙的未公开提案"),
    Row("review.detail", "GET", "/review/{missing}", only(("staff", "admin"), 404, 403, anon=302)),
    Row("review.accept", "POST", "/review/{foreign}/accept", STAFF_POST),
    Row("review.accept", "POST", "/review/{missing}/accept", only(("staff", "admin"), 404, 403, anon=302)),
    Row("review.not_accept", "POST", "/review/{foreign}/not-accept", STAFF_POST, data={"note": "理由"}),
    Row("review.merge", "POST", "/review/{foreign}/merge", STAFF_POST, data={"sources": "{own_submitted}"}),
    # issue 16: 并案 from the similar list, into the chosen proposal (a missing one is a 404)
    Row(
        "duplicates.merge_into",
        "POST",
        "/review/{own_submitted}/merge-into",
        STAFF_POST,
        data={"target": "{foreign}", "confirm": "y"},
    ),
    Row(
        "duplicates.merge_into",
        "POST",
        "/review/{own_submitted}/merge-into",
        only(("staff", "admin"), 404, 403, anon=302),
        data={"target": "{missing}", "confirm": "y"},
    ),
    Row("review.assign", "POST", "/review/{accepted}/assign", STAFF_POST, data={"lead": "1"}),
    Row(
        "review.bulk_assign",
        "POST",
        "/review/assign",
        STAFF_POST,
        data={"proposals": "{accepted}", "lead": "1"},
    ),
    Row("review.close", "POST", "/review/{replied}/close", STAFF_POST),
    # issue 13: the archive upload (a post without files comes back with a message) and its summary
    Row("review.import_upload_form", "GET", "/review/imports/upload", STAFF_PAGE),
    Row(
        "review.import_upload", "POST", "/review/imports/upload", only(("staff", "admin"), 422, 403, anon=302)
    ),
    Row(
        "review.import_summary",
        "GET",
        "/review/imports/upload/{missing}",
        only(("staff", "admin"), 404, 403, anon=302),
    ),
    # -- issue 4: the reply, feedback, publication, documents, statistics ---------------------------
    # The lead agency's staff write the reply; a co-handling agency only its opinion (403 on the
    # reply); an agency with no part in the proposal gets 404; other roles 403.
    Row("reply_editor.edit", "GET", "/proposals/{assigned}/reply", AGENCY_PAGE),
    Row(
        "reply_editor.edit",
        "GET",
        "/proposals/{co_assigned}/reply",
        only(("agency",), 403, 403, anon=302),
        hidden="经信局协办",
    ),
    Row(
        "reply_editor.edit",
        "GET",
        "/proposals/{elsewhere}/reply",
        only(("agency",), 404, 403, anon=302),
        hidden="交办给商务局",
    ),
    Row(
        "reply_editor.post",
        "POST",
        "/proposals/{assigned}/reply",
        AGENCY_POST,
        data={"op": "save", "mode": "sections", "salutation": "乙委员"},
    ),
    Row(
        "reply_editor.post",
        "POST",
        "/proposals/{co_assigned}/reply",
        only(("agency",), 403, 403, anon=302),
        data={"op": "save", "mode": "sections"},
    ),
    Row(
        "reply_editor.post",
        "POST",
        "/proposals/{elsewhere}/reply",
        only(("agency",), 404, 403, anon=302),
        data={"op": "submit", "mode": "sections"},
    ),
    Row("reply_editor.opinion", "GET", "/proposals/{co_assigned}/opinion", AGENCY_PAGE),
    Row(
        "reply_editor.opinion", "GET", "/proposals/{assigned}/opinion", only(("agency",), 403, 403, anon=302)
    ),
    Row(
        "reply_editor.opinion", "GET", "/proposals/{elsewhere}/opinion", only(("agency",), 404, 403, anon=302)
    ),
    Row(
        "reply_editor.save_opinion",
        "POST",
        "/proposals/{co_assigned}/opinion",
        AGENCY_POST,
        data={"op": "submit", "text": "会办意见"},
    ),
    Row(
        "reply_editor.save_opinion",
        "POST",
        "/proposals/{assigned}/opinion",
        only(("agency",), 403, 403, anon=302),
        data={"op": "submit", "text": "会办意见"},
    ),
    # A member rates only proposals they signed: 403 for a published one they did not, 404 for one
    # they may not see.
    Row("feedback.rate", "POST", "/proposals/{published}/rating", MEMBER_POST, data={"rating": "satisfied"}),
    Row(
        "feedback.rate",
        "POST",
        "/proposals/{published_other}/rating",
        only(("member",), 403, 403, anon=302),
        data={"rating": "dissatisfied"},
    ),
    Row(
        "feedback.rate",
        "POST",
        "/proposals/{foreign}/rating",
        only(("member",), 404, 403, anon=302),
        data={"rating": "satisfied"},
    ),
    Row(
        "replies.detail",
        "GET",
        "/replies/{returned_reply}",
        only(("agency", "staff", "admin"), 200, 404),
        hidden="退回修改的答复",
    ),
    Row("documents.letter", "GET", "/replies/{published_reply}/letter.docx", each(200)),
    Row("documents.letter", "GET", "/replies/{hidden_reply}/letter.docx", only(("staff", "admin"), 200, 404)),
    Row(
        "documents.letter",
        "GET",
        "/replies/{returned_reply}/letter.docx",
        only(("agency", "staff", "admin"), 200, 404),
    ),
    # -- issue 16: holding answers (阶段性答复) and corrections (更正) -----------------------------------
    Row("corrections.history", "GET", "/replies/{published_reply}/history", each(200)),
    Row("corrections.history", "GET", "/replies/{hidden_reply}/history", only(("staff", "admin"), 200, 404)),
    Row("corrections.history", "GET", "/replies/{missing}/history", each(404)),
    Row(
        "corrections.correct_form",
        "GET",
        "/replies/{published_reply}/correct",
        only(("agency", "staff", "admin"), 200, 403, anon=302),
    ),
    Row(
        "corrections.correct_form",
        "GET",
        "/replies/{hidden_reply}/correct",
        {"anon": 302, "member": 403, "agency": 404, "staff": 200, "admin": 200},
        hidden="未公开答复",
    ),
    Row(
        "corrections.correct",
        "POST",
        "/replies/{returned_reply}/correct",
        only(("agency", "staff", "admin"), 409, 403, anon=302),
        data={"text": "更正后的答复。", "reason": "理由"},
    ),
    Row("corrections.holding_form", "GET", "/proposals/{assigned}/holding", AGENCY_PAGE),
    Row(
        "corrections.holding_form",
        "GET",
        "/proposals/{elsewhere}/holding",
        only(("agency",), 404, 403, anon=302),
        hidden="交办给商务局",
    ),
    Row(
        "corrections.holding",
        "POST",
        "/proposals/{assigned}/holding",
        AGENCY_POST,
        data={"text": "阶段性答复。"},
    ),
    Row(
        "corrections.holding",
        "POST",
        "/proposals/{co_assigned}/holding",
        only(("agency",), 403, 403, anon=302),
        data={"text": "阶段性答复。"},
    ),
    Row("documents.proposal_form", "GET", "/proposals/{published}/form.docx", each(200)),
    Row(
        "documents.proposal_form", "GET", "/proposals/{foreign}/form.docx", only(("staff", "admin"), 200, 404)
    ),
    Row("documents.proposal_form", "GET", "/proposals/{missing}/form.docx", each(404)),
    Row("statistics.index", "GET", "/statistics", each(200)),
    Row("statistics.csv_file", "GET", "/statistics/agencies.csv", each(200)),
    Row("statistics.csv_file", "GET", "/statistics/nothing.csv", each(404)),
    Row("statistics.xlsx_file", "GET", "/statistics/agencies.xlsx", each(200)),
    Row("statistics.xlsx_file", "GET", "/statistics/nothing.xlsx", each(404)),
    Row("oversight.reclassify", "POST", "/review/{replied}/reclassify", STAFF_POST, data={"outcome": "A"}),
    Row("oversight.publish", "POST", "/review/{replied}/publish", STAFF_POST),
    Row(
        "oversight.withhold", "POST", "/review/{replied}/withhold", STAFF_POST, data={"note": "涉及商业信息"}
    ),
    Row("oversight.reopen", "POST", "/review/{replied}/reopen", STAFF_POST, data={"note": "重新办理"}),
    Row("oversight.send_back", "POST", "/review/{replied}/send-back", STAFF_POST, data={"note": "请补充"}),
    Row(
        "oversight.send_back",
        "POST",
        "/review/{missing}/send-back",
        only(("staff", "admin"), 404, 403, anon=302),
        data={"note": "请补充"},
    ),
    Row("inbox.index", "GET", "/inbox", AGENCY_PAGE),
    Row(
        "inbox.return_assignment", "POST", "/inbox/{assigned}/return", AGENCY_POST, data={"note": "不属本局"}
    ),
    Row(
        "inbox.return_assignment",
        "POST",
        "/inbox/{elsewhere}/return",
        only(("agency",), 404, 403, anon=302),
        data={"note": "不属本局"},
    ),
    # Search (tracker/web/search.py): open to everyone; its own tests check that results follow the
    # visibility rule.
    Row("search.index", "GET", "/search?q=提案", each(200)),
    Row("search.api", "GET", "/api/search?q=提案", each(200)),
    # -- issue 15: the open-data API: the public's view whoever asks (a login adds nothing) ----------
    Row("api.sessions", "GET", "/api/v1/sessions", each(200)),
    Row("api.session_detail", "GET", "/api/v1/sessions/{session}", each(200)),
    Row("api.session_detail", "GET", "/api/v1/sessions/{missing}", each(404)),
    Row("api.session_download", "GET", "/api/v1/sessions/{session}/download.zip", each(200)),
    Row("api.session_download", "GET", "/api/v1/sessions/{missing}/download.zip", each(404)),
    Row("api.proposals", "GET", "/api/v1/proposals", each(200)),
    Row("api.proposal", "GET", "/api/v1/proposals/{published}", each(200)),
    Row("api.proposal", "GET", "/api/v1/proposals/{foreign}", each(404), hidden="乙的未公开提案"),
    Row("api.proposal", "GET", "/api/v1/proposals/{own_draft}", each(404), hidden="戴的草稿"),
    Row("api.proposal_replies", "GET", "/api/v1/proposals/{published}/replies", each(200)),
    Row("api.proposal_replies", "GET", "/api/v1/proposals/{foreign}/replies", each(404), hidden="未公开答复"),
    Row("api.agencies", "GET", "/api/v1/agencies", each(200)),
    Row("api.statistics_figures", "GET", "/api/v1/statistics", each(200)),
    Row("api.openapi", "GET", "/api/openapi.json", each(200)),
    Row("api.docs", "GET", "/api/docs", each(200)),
    Row("api.docs_asset", "GET", "/api/docs/assets/swagger-ui.css", each(200)),
    Row("api.docs_asset", "GET", "/api/docs/assets/index.html", each(404)),
    # -- issue 12: the administration (sessions, admin log) ------------------------------------------
    Row("admin.index", "GET", "/admin/", ADMIN_PAGE),
    Row("admin.session_list", "GET", "/admin/sessions", ADMIN_PAGE),
    Row("admin.new_session", "GET", "/admin/sessions/new", ADMIN_PAGE),
    Row(
        "admin.create_session",
        "POST",
        "/admin/sessions/new",
        ADMIN_POST,
        data={**SESSION_DATA, "full_name": "政协测试区第一届委员会第一次会议"},
    ),
    Row("admin.edit_session", "GET", "/admin/sessions/{session}", ADMIN_PAGE),
    Row("admin.edit_session", "GET", "/admin/sessions/{missing}", only(("admin",), 404, 403, anon=302)),
    Row(
        "admin.save_session",
        "POST",
        "/admin/sessions/{session}",
        ADMIN_POST,
        data={**SESSION_DATA, "full_name": "政协测试区第一届委员会第二次会议"},
    ),
    Row(
        "admin.save_session",
        "POST",
        "/admin/sessions/{missing}",
        only(("admin",), 404, 403, anon=302),
        data={**SESSION_DATA, "full_name": "政协测试区第一届委员会第三次会议"},
    ),
    Row("admin.close_session", "POST", "/admin/sessions/{session}/close", ADMIN_POST),
    Row("admin.open_session", "POST", "/admin/sessions/{session}/open", ADMIN_POST),
    Row("admin.make_current", "POST", "/admin/sessions/{session}/current", ADMIN_POST),
    Row(
        "admin.make_current",
        "POST",
        "/admin/sessions/{missing}/current",
        only(("admin",), 404, 403, anon=302),
    ),
    # accounts (tracker/web/admin_users.py); a refused step (unlock an account not locked) also
    # redirects back to the account
    Row("admin.users", "GET", "/admin/users", ADMIN_PAGE, hidden="mubiao7"),
    Row("admin.users", "GET", "/admin/users?q=经信&role=agency&status=locked&page=2", ADMIN_PAGE),
    Row("admin.new_user", "GET", "/admin/users/new", ADMIN_PAGE),
    Row(
        "admin.create_user",
        "POST",
        "/admin/users/new",
        ADMIN_POST,
        data={"username": "created", "role": "staff", "password": "a temporary one"},
    ),
    Row("admin.user_detail", "GET", "/admin/users/{target}", ADMIN_PAGE, hidden="mubiao7"),
    Row("admin.user_detail", "GET", "/admin/users/{missing}", only(("admin",), 404, 403, anon=302)),
    Row("admin.end_login", "POST", "/admin/users/{target}/logins/{target_login}/end", ADMIN_POST),
    Row(
        "admin.end_login",
        "POST",
        "/admin/users/{target}/logins/{missing}/end",
        only(("admin",), 404, 403, anon=302),
    ),
    Row("admin.end_logins", "POST", "/admin/users/{target}/logins/end", ADMIN_POST),
    Row(
        "admin.set_email",
        "POST",
        "/admin/users/{target}/email",
        ADMIN_POST,
        data={"email": "mubiao7@example.cn"},
    ),
    Row("admin.deactivate_user", "POST", "/admin/users/{target}/deactivate", ADMIN_POST),
    Row(
        "admin.deactivate_user",
        "POST",
        "/admin/users/{missing}/deactivate",
        only(("admin",), 404, 403, anon=302),
    ),
    Row("admin.reactivate_user", "POST", "/admin/users/{target}/reactivate", ADMIN_POST),
    Row("admin.unlock_user", "POST", "/admin/users/{target}/unlock", ADMIN_POST),
    Row(
        "admin.reset_password",
        "POST",
        "/admin/users/{target}/password",
        ADMIN_POST,
        data={"password": "a temporary one"},
    ),
    Row(
        "admin.reset_password",
        "POST",
        "/admin/users/{missing}/password",
        only(("admin",), 404, 403, anon=302),
        data={"password": "a temporary one"},
    ),
    Row("admin.change_role", "POST", "/admin/users/{target}/role", ADMIN_POST, data={"role": "staff"}),
    Row(
        "admin.change_role",
        "POST",
        "/admin/users/{missing}/role",
        only(("admin",), 404, 403, anon=302),
        data={"role": "staff"},
    ),
    Row("admin.log", "GET", "/admin/log", ADMIN_PAGE),
    Row("admin.log", "GET", "/admin/log?kind=session&page=2", ADMIN_PAGE),
    # -- issue 12: people, agencies, categories and their import --------------------------------------
    Row("admin.member_list", "GET", "/admin/members?q=委员&state=all&page=2", ADMIN_PAGE),
    Row("admin.new_member", "GET", "/admin/members/new", ADMIN_PAGE),
    Row(
        "admin.create_member",
        "POST",
        "/admin/members/new",
        ADMIN_POST,
        data={"name": "路由委员", "kind": "member"},
    ),
    Row("admin.edit_member", "GET", "/admin/members/{member}", ADMIN_PAGE),
    Row("admin.edit_member", "GET", "/admin/members/{missing}", only(("admin",), 404, 403, anon=302)),
    Row(
        "admin.save_member",
        "POST",
        "/admin/members/{member}",
        ADMIN_POST,
        data={"name": "乙委员", "kind": "member", "sector": "经济界"},
    ),
    Row("admin.save_member", "POST", "/admin/members/{missing}", only(("admin",), 404, 403, anon=302)),
    Row("admin.deactivate_member", "POST", "/admin/members/{member}/deactivate", ADMIN_POST),
    Row("admin.activate_member", "POST", "/admin/members/{member}/activate", ADMIN_POST),
    Row("admin.agency_list", "GET", "/admin/agencies?q=商务&state=active", ADMIN_PAGE),
    Row("admin.new_agency", "GET", "/admin/agencies/new", ADMIN_PAGE),
    Row(
        "admin.create_agency",
        "POST",
        "/admin/agencies/new",
        ADMIN_POST,
        data={"name": "镇海区路由局", "kind": "district"},
    ),
    Row("admin.edit_agency", "GET", "/admin/agencies/{agency}", ADMIN_PAGE),
    Row("admin.edit_agency", "GET", "/admin/agencies/{missing}", only(("admin",), 404, 403, anon=302)),
    Row(
        "admin.save_agency",
        "POST",
        "/admin/agencies/{agency}",
        ADMIN_POST,
        data={"name": "镇海区商务局", "short_name": "区商务局", "kind": "district"},
    ),
    Row("admin.save_agency", "POST", "/admin/agencies/{missing}", only(("admin",), 404, 403, anon=302)),
    Row("admin.deactivate_agency", "POST", "/admin/agencies/{agency}/deactivate", ADMIN_POST),
    Row("admin.activate_agency", "POST", "/admin/agencies/{agency}/activate", ADMIN_POST),
    Row("admin.category_list", "GET", "/admin/categories", ADMIN_PAGE),
    Row("admin.create_category", "POST", "/admin/categories", ADMIN_POST, data={"name": "路由类别"}),
    Row(
        "admin.rename_category",
        "POST",
        "/admin/categories/{category}",
        ADMIN_POST,
        data={"name": "城乡规划建设"},
    ),
    Row("admin.rename_category", "POST", "/admin/categories/{missing}", only(("admin",), 404, 403, anon=302)),
    Row("admin.category_up", "POST", "/admin/categories/{category}/up", ADMIN_POST),
    Row("admin.category_down", "POST", "/admin/categories/{category}/down", ADMIN_POST),
    Row("admin.deactivate_category", "POST", "/admin/categories/{category}/deactivate", ADMIN_POST),
    Row("admin.activate_category", "POST", "/admin/categories/{category}/activate", ADMIN_POST),
    Row("admin.import_upload_form", "GET", "/admin/import", ADMIN_PAGE),
    # without a file: the form again, saying so
    Row("admin.import_upload", "POST", "/admin/import", only(("admin",), 422, 403, anon=302)),
    Row("admin.import_preview", "GET", "/admin/import/{import_token}", ADMIN_PAGE),
    Row("admin.import_preview", "GET", "/admin/import/nosuchtoken", only(("admin",), 404, 403, anon=302)),
    Row("admin.import_confirm", "POST", "/admin/import/{import_token}", ADMIN_POST),
    Row("admin.import_confirm", "POST", "/admin/import/nosuchtoken", only(("admin",), 404, 403, anon=302)),
    Row("admin.log", "GET", "/admin/log?kind=user", ADMIN_PAGE),
    # -- issue 12: extension requests (延期申请) --------------------------------------------------------
    Row("extensions.queue", "GET", "/review/extensions", STAFF_PAGE, hidden="需要调研"),
    Row(
        "extensions.ask",
        "POST",
        "/inbox/{to_extend}/extension",
        AGENCY_POST,
        data={"requested_deadline": "2025-07-01", "reason": "需协调"},
    ),
    Row(
        "extensions.ask",
        "POST",
        "/inbox/{elsewhere}/extension",
        only(("agency",), 404, 403, anon=302),
        data={"requested_deadline": "2025-07-01", "reason": "需协调"},
    ),
    Row(
        "publication.schedule",
        "POST",
        "/review/{replied}/schedule-publication",
        STAFF_POST,
        data={"publish_at": "2099-01-01T09:00"},
    ),
    Row(
        "publication.schedule",
        "POST",
        "/review/{missing}/schedule-publication",
        only(("staff", "admin"), 404, 403, anon=302),
        data={"publish_at": "2099-01-01T09:00"},
    ),
    Row("extensions.grant", "POST", "/review/extensions/{to_grant}/grant", STAFF_POST),
    Row(
        "extensions.refuse",
        "POST",
        "/review/extensions/{to_refuse}/refuse",
        STAFF_POST,
        data={"reason": "按期办理"},
    ),
    Row(
        "extensions.grant",
        "POST",
        "/review/extensions/{missing}/grant",
        only(("staff", "admin"), 404, 403, anon=302),
    ),
    # -- issue 13: the review queue of imported documents --------------------------------------------
    Row("import_review.queue", "GET", "/review/imports", STAFF_PAGE, hidden="2025/河道.txt"),
    Row("import_review.detail", "GET", "/review/imports/{import_both}", STAFF_PAGE, hidden="第三方机构"),
    Row(
        "import_review.detail",
        "GET",
        "/review/imports/{missing}",
        only(("staff", "admin"), 404, 403, anon=302),
    ),
    # nothing marked: the form again, saying so
    Row(
        "import_review.boundaries",
        "POST",
        "/review/imports/{import_both}/boundaries/proposal",
        only(("staff", "admin"), 422, 403, anon=302),
    ),
    Row("import_review.links", "POST", "/review/imports/{import_both}/links", STAFF_POST),
    Row(
        "import_review.pair",
        "POST",
        "/review/imports/{import_unpaired}/pair",
        STAFF_POST,
        data={"proposal": "{import_pair_with}"},
    ),
    Row("import_review.reviewed", "POST", "/review/imports/{import_odd}/reviewed", STAFF_POST),
    Row(
        "import_review.reviewed",
        "POST",
        "/review/imports/{missing}/reviewed",
        only(("staff", "admin"), 404, 403, anon=302),
    ),
    Row("import_review.publish", "POST", "/review/imports/{import_both}/publish", STAFF_POST),
    # -- issue 16: commitments; the public pages, then the agency's and the office's ----------------
    Row("commitments.public_index", "GET", "/accountability", each(200)),
    Row("commitments.public_session", "GET", "/accountability/sessions/{session}", each(200)),
    Row("commitments.public_session", "GET", "/accountability/sessions/{missing}", each(404)),
    Row("commitments.public_agency", "GET", "/accountability/agencies/{agency}?state=late", each(200)),
    Row("commitments.public_agency", "GET", "/accountability/agencies/{missing}", each(404)),
    Row("commitments.index", "GET", "/commitments?state=open", WORK_PAGE),
    Row("commitments.reply", "GET", "/replies/{published_reply}/commitments", WORK_PAGE, hidden="多余的承诺"),
    Row(
        "commitments.reply",
        "GET",
        "/replies/{hidden_reply}/commitments",
        only(("staff", "admin"), 200, 403, anon=302) | {"agency": 404},
        hidden="未公开答复",
    ),
    Row(
        "commitments.add",
        "POST",
        "/replies/{published_reply}/commitments",
        WORK_POST,
        data={"text": "补充的承诺", "due": "2026-06-30", "point": "{promised_point}"},
    ),
    Row(
        "commitments.confirm",
        "POST",
        "/commitments/{promised}/confirm",
        WORK_POST,
        data={"text": "出台办法", "due": "2025-12-31"},
    ),
    Row(
        "commitments.confirm",
        "POST",
        "/commitments/{missing}/confirm",
        only(("agency", "staff", "admin"), 404, 403, anon=302),
        data={"text": "x"},
    ),
    Row(
        "commitments.report",
        "POST",
        "/commitments/{promised}/report",
        WORK_POST,
        data={"kind": "progress", "note": "已起草。"},
    ),
    Row("commitments.remove", "POST", "/commitments/{to_remove}/remove", WORK_POST),
    # issue 15: the language switch, for everyone (back to the default, so later rows read the same)
    Row("language.switch", "POST", "/language", each(303), data={"locale": "zh_CN", "next": "/proposals"}),
    # last: a correction makes a new letter of the published one, which the rows above still use
    Row(
        "corrections.correct",
        "POST",
        "/replies/{published_reply}/correct",
        only(("agency", "staff", "admin"), 303, 403, anon=302),
        data={"text": "更正后的答复。", "reason": "理由"},
    ),
]


def test_every_route_has_a_row(app: Flask) -> None:
    covered = {(row.endpoint, row.method) for row in ROWS}
    routes = {
        (rule.endpoint, method)
        for rule in app.url_map.iter_rules()
        for method in rule.methods - {"HEAD", "OPTIONS"}
    }
    assert sorted(routes - covered) == [], "add a row for each new route to ROWS"


@pytest.mark.parametrize("role", ROLES)
def test_every_row_answers_as_the_table_says(
    app: Flask, client, login, scene: dict[str, int], role: str
) -> None:
    """All rows for one role on one database (rows are ordered so that a step taken by one row does
    not change the status another row expects); every mismatch is reported, not only the first."""
    registered = {rule.endpoint for rule in app.url_map.iter_rules()}
    wrong = []
    for row in ROWS:
        if row.endpoint not in registered:
            continue  # a blueprint not registered in this build; test_every_route_has_a_row covers the rest
        if role != "anon":
            login(client, role)  # again before each row: one of them logs out
        url = row.url.format(**scene)
        data = {k: v.format(**scene) for k, v in (row.data or {}).items()}
        response = client.get(url) if row.method == "GET" else client.post(url, data=data)
        body = response.get_data().decode("utf-8", "replace")  # Word files are binary
        response.close()
        expected = row.expected[role]
        if response.status_code != expected:
            wrong.append(f"{row.method} {url}: {response.status_code}, expected {expected}")
        elif expected == 302 and not response.headers["Location"].startswith("/login?next="):
            wrong.append(
                f"{row.method} {url}: redirected to {response.headers['Location']}, not the login page"
            )
        elif row.hidden and expected != 200 and row.hidden in body:
            wrong.append(f"{row.method} {url}: {expected} but the page shows {row.hidden!r}")
    assert wrong == []
