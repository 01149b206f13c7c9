"""The review queue of imported documents in the Flask client: staff only, the queue with its filters
and tab count, one file side by side, corrections that come back as typed when they fail."""

from __future__ import annotations

import re

import pytest
from sqlmodel import Session, col, select

from tracker.domain.boundaries import lines_of
from tracker.models import ImportedFile, ImportState, PointLink, Proposal, Reply, ReplyPoint, Suggestion


def _choices(text: str, parts: list[str], closing: str | None) -> dict[str, str]:
    out = {}
    for line in lines_of(text):
        s = line.text.strip()
        value = (
            "part"
            if any(s.startswith(p) for p in parts)
            else "closing"
            if closing and s.startswith(closing)
            else ""
        )
        out[f"line-{line.start}"] = value
    return out


def _top(session: Session, proposal_id: int) -> list[Suggestion]:
    return list(
        session.exec(
            select(Suggestion)
            .where(Suggestion.proposal_id == proposal_id, col(Suggestion.parent_id).is_(None))
            .order_by(col(Suggestion.position))
        ).all()
    )


@pytest.mark.parametrize(("who", "status"), [(None, 302), ("member", 403), ("agency", 403)])
def test_only_staff_open_the_queue_and_a_file(client, login, review_case, who, status) -> None:
    if who:
        login(client, who)
    for url in ("/review/imports", f"/review/imports/{review_case.both_id}"):
        assert client.get(url).status_code == status
    posted = client.post(f"/review/imports/{review_case.odd_id}/reviewed")
    assert posted.status_code == status


def test_the_queue_lists_reasons_with_labels_and_filters(client, login, review_case) -> None:
    login(client, "staff")
    page = client.get("/review/imports").get_data(as_text=True)
    assert "3 个文件待审核" in page
    assert "置信度低" in page and "答复未配对" in page
    assert "odd_code" in page  # an unknown code as it is
    assert "2025/答复 垃圾分类.pdf" in page and "关于加强社区养老服务的提案" in page
    narrowed = client.get("/review/imports?reason=unpaired").get_data(as_text=True)
    assert "1 个文件待审核" in narrowed and "垃圾分类" in narrowed and "养老服务" not in narrowed
    assert "1 个文件待审核" in client.get("/review/imports?kind=both").get_data(as_text=True)
    # the review tabs count the files waiting
    tabs = client.get("/review").get_data(as_text=True)
    assert re.search(r"导入文件 <span class=\"count\">3</span>", tabs)


@pytest.mark.parametrize(
    "query", ["?kind=nonsense", "?run=99999999999999999999", "?reason=%00", "?page=-3", "?run=abc"]
)
def test_odd_filters_are_ignored(client, login, review_case, query) -> None:
    login(client, "staff")
    assert client.get("/review/imports" + query).status_code == 200


def test_one_file_side_by_side(client, login, review_case) -> None:
    login(client, "staff")
    page = client.get(f"/review/imports/{review_case.both_id}").get_data(as_text=True)
    assert "原文" in page and "已存储的部分" in page
    assert page.count('value="part" selected') == 4  # two suggestions, two points
    assert 'aria-label="第 6 行"' in page
    assert "置信度低" in page
    assert 'name="point-' in page  # the link ticks


def test_a_boundary_is_corrected(client, login, session: Session, review_case) -> None:
    login(client, "staff")
    text = session.get(Proposal, review_case.proposal_id).original_text
    posted = client.post(
        f"/review/imports/{review_case.both_id}/boundaries/proposal",
        data=_choices(text, ["1.", "2.", "同时"], "以上"),
    )
    assert posted.status_code == 303
    assert posted.headers["Location"].endswith(f"/review/imports/{review_case.both_id}#proposal-boundaries")
    session.expire_all()
    assert [s.n for s in _top(session, review_case.proposal_id)] == [1, 2, 3]
    assert "重新划分" in client.get(posted.headers["Location"]).get_data(as_text=True)


@pytest.mark.parametrize(
    ("data", "status", "message"),
    [
        ({"line-99999": "part"}, 422, "标记的行不是这段文字中的一行"),
        ({"line-x": "part"}, 422, "标记的行不是这段文字中的一行"),
        ({}, 422, "请标出每一部分开始的行"),
        ({"line-0": "heading"}, 422, "请为每一行选择"),
    ],
)
def test_a_failed_boundary_form_comes_back_as_typed(
    client, login, session: Session, review_case, data, status, message
) -> None:
    login(client, "staff")
    before = [(s.id, s.text) for s in _top(session, review_case.proposal_id)]
    answer = client.post(f"/review/imports/{review_case.both_id}/boundaries/proposal", data=data)
    page = answer.get_data(as_text=True)
    assert answer.status_code == status
    assert message in page
    session.expire_all()
    assert [(s.id, s.text) for s in _top(session, review_case.proposal_id)] == before


def test_two_closings_come_back_as_typed(client, login, session: Session, review_case) -> None:
    login(client, "staff")
    text = session.get(Proposal, review_case.proposal_id).original_text
    data = _choices(text, ["1."], None)
    second = next(k for k, v in data.items() if not v)
    data[second] = "closing"
    data[list(data)[-1]] = "closing"
    answer = client.post(f"/review/imports/{review_case.both_id}/boundaries/proposal", data=data)
    page = answer.get_data(as_text=True)
    assert answer.status_code == 422 and "只能标出一行作为结尾的开始" in page
    # as typed: both closings chosen again on the proposal's side, not the stored boundaries
    proposal_side = page[page.index('id="proposal-boundaries"') : page.index('id="reply-boundaries"')]
    assert proposal_side.count('value="closing" selected') == 2
    assert proposal_side.count('value="part" selected') == 1


def test_links_are_saved_and_come_back_as_typed(client, login, session: Session, review_case) -> None:
    login(client, "staff")
    points = session.exec(
        select(ReplyPoint)
        .where(ReplyPoint.reply_id == review_case.reply_id)
        .order_by(col(ReplyPoint.position))
    ).all()
    s1, s2 = _top(session, review_case.proposal_id)
    posted = client.post(
        f"/review/imports/{review_case.both_id}/links",
        data={f"point-{points[0].id}": str(s1.id), f"point-{points[1].id}": [str(s1.id), str(s2.id)]},
    )
    assert posted.status_code == 303
    methods = {
        (ln.reply_point_id, ln.suggestion_id): ln.method for ln in session.exec(select(PointLink)).all()
    }
    assert methods[(points[1].id, s1.id)] == "manual"
    refused = client.post(
        f"/review/imports/{review_case.both_id}/links",
        data={f"point-{points[0].id}": [str(s2.id), "999999"]},
    )
    assert refused.status_code == 422
    page = refused.get_data(as_text=True)
    assert "勾选的答复要点或建议不属于这份答复" in page
    # the ticks as typed: point 一 has suggestion 2 ticked, point 二 nothing
    assert page.count("checked") == 1


def test_an_unpaired_reply_is_found_and_paired(client, login, session: Session, review_case) -> None:
    login(client, "staff")
    page = client.get(f"/review/imports/{review_case.unpaired_id}").get_data(as_text=True)
    assert f'name="proposal" value="{review_case.pair_with_id}" checked' in page  # found by 案号 and title
    found = client.get(f"/review/imports/{review_case.unpaired_id}?find=1&title=养老&number=").get_data(
        as_text=True
    )
    radio = 'name="proposal" value="{}"'.format
    assert radio(review_case.proposal_id) in found and radio(review_case.pair_with_id) not in found
    none = client.get(f"/review/imports/{review_case.unpaired_id}?find=1&number=abc&meeting=-1")
    assert none.status_code == 200 and "没有相符的提案" in none.get_data(as_text=True)
    assert client.post(f"/review/imports/{review_case.unpaired_id}/pair", data={}).status_code == 422
    refused = client.post(
        f"/review/imports/{review_case.unpaired_id}/pair", data={"proposal": str(review_case.proposal_id)}
    )
    assert refused.status_code == 422 and "已有有效答复" in refused.get_data(as_text=True)
    posted = client.post(
        f"/review/imports/{review_case.unpaired_id}/pair", data={"proposal": str(review_case.pair_with_id)}
    )
    assert posted.status_code == 303
    reply = session.exec(select(Reply).where(Reply.proposal_id == review_case.pair_with_id)).one()
    assert session.get(ImportedFile, review_case.unpaired_id).reply_id == reply.id
    again = client.post(
        f"/review/imports/{review_case.unpaired_id}/pair", data={"proposal": str(review_case.pair_with_id)}
    )
    assert again.status_code == 409


def test_mark_reviewed_and_publish(client, login, session: Session, review_case) -> None:
    login(client, "staff")
    done = client.post(f"/review/imports/{review_case.odd_id}/reviewed")
    assert done.status_code == 303
    assert session.get(ImportedFile, review_case.odd_id).state == ImportState.REVIEWED.value
    refused = client.post(f"/review/imports/{review_case.odd_id}/publish", follow_redirects=True)
    assert "只有已答复的提案才能连同答复公开" in refused.get_data(as_text=True)
    assert client.get(f"/proposals/{review_case.proposal_id}").status_code == 200  # staff see it
    client.post(f"/review/imports/{review_case.both_id}/publish")
    session.expire_all()
    assert session.get(Proposal, review_case.proposal_id).published_at is not None
    assert session.get(ImportedFile, review_case.both_id).state == ImportState.REVIEWED.value


@pytest.mark.parametrize(
    ("method", "url", "status"),
    [
        ("get", "/review/imports/999999", 404),
        ("get", "/review/imports/0", 404),
        ("get", "/review/imports/99999999999999999999", 404),
        ("post", "/review/imports/999999/reviewed", 404),
        ("post", "/review/imports/999999/links", 404),
        ("post", "/review/imports/999999/pair", 404),
        ("post", "/review/imports/999999/boundaries/proposal", 404),
        ("post", "/review/imports/{both}/boundaries/heading", 404),
        ("get", "/review/imports/{both}/links", 405),
    ],
)
def test_odd_requests_are_4xx(client, login, review_case, method, url, status) -> None:
    login(client, "staff")
    answer = getattr(client, method)(url.format(both=review_case.both_id))
    assert answer.status_code == status


def test_a_proposal_file_without_a_reply_has_no_link_form(client, login, review_case) -> None:
    login(client, "staff")
    page = client.get(f"/review/imports/{review_case.odd_id}").get_data(as_text=True)
    assert 'name="point-' not in page
    answer = client.post(f"/review/imports/{review_case.odd_id}/boundaries/reply", data={"line-0": "part"})
    assert answer.status_code == 422
    assert client.post(f"/review/imports/{review_case.odd_id}/links", data={}).status_code == 422


def test_a_link_corrected_after_publication_is_on_the_public_page(
    app, client, login, session: Session, review_case
) -> None:
    login(client, "staff")
    assert client.post(f"/review/imports/{review_case.both_id}/publish").status_code == 303
    public = app.test_client()
    url = f"/proposals/{review_case.proposal_id}"

    def first_row() -> str:
        return public.get(url).get_data(as_text=True).split('id="s1"')[1].split("</section>")[0]

    assert "关于护理人才和服务评估" not in first_row()
    points = session.exec(
        select(ReplyPoint)
        .where(ReplyPoint.reply_id == review_case.reply_id)
        .order_by(col(ReplyPoint.position))
    ).all()
    s1, _s2 = _top(session, review_case.proposal_id)
    client.post(
        f"/review/imports/{review_case.both_id}/links",
        data={f"point-{points[0].id}": str(s1.id), f"point-{points[1].id}": str(s1.id)},
    )
    assert "关于护理人才和服务评估" in first_row()
