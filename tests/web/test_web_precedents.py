"""Issue 16 over HTTP: precedents and clause citations in the reply editor, the clauses on the
proposal and letter pages, and the public agency pages.

The assigned case is the seed proposal No. 2 submitted anew: its suggestions are those the seed's
published reply of 镇海区经信局 answered, so each has that answer as a precedent."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlmodel import Session, select

from tracker.models import (
    Agency,
    DraftCitation,
    DraftPrecedent,
    PointCitation,
    PointLink,
    Proposal,
    Reply,
    ReplyDraft,
    ReplyPoint,
    ReplyRating,
    ReplyStatus,
)
from tracker.services import oversight


def _form(page) -> dict[str, str | list[str]]:
    """The values a browser would send for the editor form as shown (no button pressed)."""
    form = page.find_all("form", class_="reply-form")[0]
    data: dict[str, str | list[str]] = {}
    for el in form.iter():
        name = el.attrs.get("name")
        if not name or el.tag == "button":
            continue
        if el.tag == "textarea":
            data[name] = "".join(c for c in el.children if isinstance(c, str)).removeprefix("\n")
        elif el.tag == "input" and el.attrs.get("type") in ("checkbox", "radio"):
            if "checked" in el.attrs:
                if el.attrs["type"] == "checkbox":
                    data.setdefault(name, []).append(el.attrs.get("value", ""))  # type: ignore[union-attr]
                else:
                    data[name] = el.attrs.get("value", "")
        elif el.tag == "input":
            data[name] = el.attrs.get("value", "")
        elif el.tag == "select":
            chosen = [o for o in el.find_all("option") if "selected" in o.attrs]
            data[name] = chosen[0].attrs.get("value", "") if chosen else ""
    return data


@pytest.fixture
def lead(client, login, assigned_case):
    login(client, "agency")
    return client


def _editor(client, parse_html, case):
    response = client.get(f"/proposals/{case.proposal_id}/reply")
    assert response.status_code == 200
    return parse_html(response.data)


def _seed_answer(session: Session, n: int) -> ReplyPoint:
    """The published seed reply's point answering suggestion ``n`` of proposal No. 2."""
    proposal = session.exec(select(Proposal).where(Proposal.number == 2)).one()
    return session.exec(
        select(ReplyPoint)
        .join(Reply, Reply.id == ReplyPoint.reply_id)
        .where(Reply.proposal_id == proposal.id, Reply.status == ReplyStatus.ISSUED.value, ReplyPoint.n == n)
    ).one()


def test_the_editor_shows_the_answer_to_a_similar_suggestion_as_a_precedent(
    lead, parse_html, session: Session, assigned_case
) -> None:
    page = _editor(lead, parse_html, assigned_case)
    for n, sid in enumerate(assigned_case.suggestion_ids, 1):
        point = _seed_answer(session, n)
        items = page.by_id(f"section-{sid}").find_all("li", class_="precedent")
        best = items[0]
        assert best.attrs["id"] == f"precedent-{sid}-{point.id}"  # the answer to the same suggestion first
        assert "镇海区经信局" in best.text()
        links = [a.attrs["href"] for a in best.find_all("a")]
        assert f"/replies/{point.reply_id}#r{n}" in links  # the whole letter, at that point
        agency = session.exec(select(Agency).where(Agency.name == "镇海区经信局")).one()
        assert f"/agencies/{agency.id}" in links
        button = best.find_all("button", name="copy")[0]
        assert button.attrs["value"] == f"{sid}-{point.id}"


def test_copying_a_precedent_fills_the_answer_keeps_what_was_typed_and_records_it(
    lead, parse_html, session: Session, assigned_case
) -> None:
    first, second = assigned_case.suggestion_ids[:2]
    point = _seed_answer(session, 1)
    data = _form(_editor(lead, parse_html, assigned_case))
    data["title"] = "我们自己的标题"
    data[f"answer-{second}"] = "第二条已经写好。"
    data[f"answer-{first}"] = "先写的一句。"
    response = lead.post(
        f"/proposals/{assigned_case.proposal_id}/reply", data={**data, "copy": f"{first}-{point.id}"}
    )
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"#section-{first}")
    draft = session.exec(select(ReplyDraft).where(ReplyDraft.proposal_id == assigned_case.proposal_id)).one()
    bodies = {s["suggestion"]: s["body"] for s in draft.sections}
    copied = point.text.removeprefix(point.heading).lstrip("。：").strip()
    assert bodies[first] == f"先写的一句。\n\n{copied}"
    assert bodies[second] == "第二条已经写好。"
    assert draft.title == "我们自己的标题"
    recorded = session.exec(select(DraftPrecedent).where(DraftPrecedent.draft_id == draft.id)).one()
    assert (recorded.suggestion_id, recorded.reply_point_id) == (first, point.id)
    page = parse_html(lead.get(response.headers["Location"]).data)
    source = page.by_id(f"section-{first}").find_all("p", class_="precedent-source")
    assert source and f"/replies/{point.reply_id}" in source[0].find_all("a")[0].attrs["href"]


@pytest.mark.parametrize("choice", ["{sid}-999999", "999999-{point}", "x-y", "{sid}-{hidden}"])
def test_copying_anything_not_offered_is_refused_and_the_typed_text_comes_back(
    lead, parse_html, session: Session, make, assigned_case, choice: str
) -> None:
    sid = assigned_case.suggestion_ids[0]
    # another agency's letter to a proposal not published: not this agency's to read
    hidden = make.proposal(title="未公开的他局提案")
    commerce = session.exec(select(Agency).where(Agency.name == "镇海区商务局")).one()
    letter = make.reply(hidden, agency_id=commerce.id, status="issued")
    hidden_point = make.point(letter)
    session.commit()
    data = _form(_editor(lead, parse_html, assigned_case))
    data["title"] = "不能丢的标题"
    value = choice.format(sid=sid, point=_seed_answer(session, 1).id, hidden=hidden_point.id)
    response = lead.post(f"/proposals/{assigned_case.proposal_id}/reply", data={**data, "copy": value})
    assert response.status_code == 422
    page = parse_html(response.data)
    assert page.by_id("f-title").attrs["value"] == "不能丢的标题"
    assert (
        session.exec(select(ReplyDraft).where(ReplyDraft.proposal_id == assigned_case.proposal_id)).first()
        is None
    )


def _cite_box(page, sid: int):
    boxes = page.by_id(f"section-{sid}").find_all("input", name=f"cite-{sid}")
    assert boxes, "a related clause to cite"
    return boxes[0]


def test_a_cited_clause_is_shown_under_the_answer_once_issued_and_published(
    lead, client, parse_html, session: Session, assigned_case
) -> None:
    sid = assigned_case.suggestion_ids[0]
    page = _editor(lead, parse_html, assigned_case)
    clause_id = int(_cite_box(page, sid).attrs["value"])
    data = _form(page)
    data[f"cite-{sid}"] = [str(clause_id)]
    for n, each in enumerate(assigned_case.suggestion_ids, 1):
        data[f"answer-{each}"] = f"第{n}条已办理。"
    data["outcome"] = "A"
    response = lead.post(f"/proposals/{assigned_case.proposal_id}/reply", data={**data, "op": "submit"})
    assert response.status_code == 303
    reply = session.exec(select(Reply).where(Reply.proposal_id == assigned_case.proposal_id)).one()
    cited = session.exec(
        select(PointCitation, PointLink)
        .join(PointLink, PointLink.reply_point_id == PointCitation.reply_point_id)
        .join(ReplyPoint, ReplyPoint.id == PointCitation.reply_point_id)
        .where(ReplyPoint.reply_id == reply.id)
    ).all()
    assert [(c.clause_id, link.suggestion_id) for c, link in cited] == [(clause_id, sid)]
    session.expire_all()  # the submit was written by the request's own connection: read it afresh
    oversight.publish(
        session=session,
        proposal_id=assigned_case.proposal_id,
        actor=assigned_case.staff,
        now=datetime.now(UTC),
    )
    session.commit()
    client.post("/logout")
    public = parse_html(client.get(f"/proposals/{assigned_case.proposal_id}").data)
    under = public.by_id("s1").find_all("div", class_="cited-clauses")
    assert under and "/library/" in under[0].find_all("a")[0].attrs["href"]
    assert not public.by_id("s2").find_all("div", class_="cited-clauses")
    letter = parse_html(client.get(f"/replies/{reply.id}").data)
    assert letter.by_id("r1").find_all("div", class_="cited-clauses")
    assert not letter.by_id("r2").find_all("div", class_="cited-clauses")


def test_unticking_a_cited_clause_removes_the_citation(
    lead, parse_html, session: Session, assigned_case
) -> None:
    sid = assigned_case.suggestion_ids[0]
    page = _editor(lead, parse_html, assigned_case)
    clause = _cite_box(page, sid).attrs["value"]
    data = _form(page)
    lead.post(
        f"/proposals/{assigned_case.proposal_id}/reply", data={**data, f"cite-{sid}": [clause], "op": "save"}
    )
    assert len(session.exec(select(DraftCitation)).all()) == 1
    page = _editor(lead, parse_html, assigned_case)
    assert "checked" in _cite_box(page, sid).attrs
    data = _form(page)
    data.pop(f"cite-{sid}")
    assert (
        lead.post(f"/proposals/{assigned_case.proposal_id}/reply", data={**data, "op": "save"}).status_code
        == 303
    )
    assert session.exec(select(DraftCitation)).all() == []


def test_citing_a_clause_that_does_not_exist_is_refused_and_nothing_is_saved(
    lead, parse_html, session: Session, assigned_case
) -> None:
    sid = assigned_case.suggestion_ids[0]
    data = _form(_editor(lead, parse_html, assigned_case))
    data[f"answer-{sid}"] = "写了一半的答复。"
    for bad in ("999999", "abc"):
        response = lead.post(
            f"/proposals/{assigned_case.proposal_id}/reply", data={**data, f"cite-{sid}": [bad], "op": "save"}
        )
        assert response.status_code == 422
        assert "写了一半的答复。" in parse_html(response.data).by_id(f"f-answer-{sid}").text()
    assert session.exec(select(ReplyDraft)).all() == []


def test_each_suggestion_on_the_proposal_page_shows_its_related_clauses(
    client, parse_html, session: Session
) -> None:
    proposal = session.exec(select(Proposal).where(Proposal.number == 2)).one()
    page = parse_html(client.get(f"/proposals/{proposal.id}").data)
    # The page itself runs no search: each suggestion has a slot the fragment fills after it is shown.
    assert page.by_id("s1").find_all("details", class_="related-clauses") == []
    slot = page.by_id("s1").find_all("div", class_="clauses-slot")[0]
    source = next(el for el in page.find_all("div") if "data-clauses" in el.attrs)
    fragment = parse_html(client.get(source.attrs["data-clauses"]).data)
    parts = {p.attrs["data-clauses-for"]: p for p in fragment.find_all("div", class_="related-clauses-for")}
    related = parts[slot.attrs["data-clauses-slot"]].find_all("details", class_="related-clauses")
    assert related and all("/library/" in a.attrs["href"] for a in related[0].find_all("a"))


def test_related_clauses_are_searched_once_per_archive_generation(
    client, session: Session, monkeypatch
) -> None:
    """The fragment is the same for every visitor, so it is kept until the archive or the index
    moves — a change made on any server bumps the generation in the database."""
    from tracker.services import search as search_service

    calls: list[str] = []
    real = search_service.related_clauses

    def counted(**kwargs):
        calls.append(kwargs["text"])
        return real(**kwargs)

    monkeypatch.setattr(search_service, "related_clauses", counted)
    proposal = session.exec(select(Proposal).where(Proposal.number == 2)).one()
    url = f"/proposals/{proposal.id}/clauses"
    first = client.get(url)
    searched = len(calls)
    assert first.status_code == 200 and searched > 0
    assert client.get(url).data == first.data and len(calls) == searched  # kept
    proposal.title = proposal.title + "（修订）"
    session.commit()  # bumps the archive generation
    assert client.get(url).status_code == 200 and len(calls) == 2 * searched


def test_related_clauses_of_a_proposal_the_visitor_may_not_open_are_a_404(
    client, session: Session, assigned_case
) -> None:
    assert client.get(f"/proposals/{assigned_case.proposal_id}/clauses").status_code == 404
    assert client.get("/proposals/999999/clauses").status_code == 404


def test_an_agency_page_shows_its_public_proposals_answers_and_ratings(
    client, parse_html, session: Session, make, assigned_case
) -> None:
    agency = session.exec(select(Agency).where(Agency.name == "镇海区经信局")).one()
    published = session.exec(select(Proposal).where(Proposal.number == 2)).one()
    reply = session.exec(select(Reply).where(Reply.proposal_id == published.id)).first()
    session.add(ReplyRating(reply_id=reply.id, member_id=published.proposer_id, rating="basically_satisfied"))
    session.commit()
    page = parse_html(client.get(f"/agencies/{agency.id}").data)
    text = page.text()
    assert published.title in text
    assert "关于加强小型微型企业分级服务与管理的建议（新提交）" not in text  # assigned, not published
    counts = page.find_all("dl", class_="rating-counts")[0].text()
    assert "基本满意 1" in counts and "不满意 0" in counts
    assert f"/replies/{reply.id}" in [a.attrs.get("href") for a in page.find_all("a")]
    index = parse_html(client.get("/agencies").data)
    assert f"/agencies/{agency.id}" in [a.attrs.get("href") for a in index.find_all("a")]
