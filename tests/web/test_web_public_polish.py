"""Small things the public meets (issue 11, item 20): the status filter offers only states the
visitor can match, /favicon.ico is served, a letter names the suggestions a point answers in proper
Chinese, and Chinese text has full-width colons."""

from __future__ import annotations

import re

from sqlmodel import Session

from tracker.models import ProposalStatus


def _status_options(page) -> set[str]:
    select = next(s for s in page.find_all("select") if s.attrs.get("name") == "status")
    return {o.attrs["value"] for o in select.find_all("option") if o.attrs["value"]}


def test_the_public_is_offered_only_statuses_it_can_match(
    client, get_page, login, make, session: Session
) -> None:
    make.proposal(status="draft", title="草稿")
    make.proposal(status="submitted", title="未公开")
    session.commit()
    offered = _status_options(get_page("/proposals"))
    assert offered == {"replied"}  # the seeded published proposal
    for status in offered:  # each one finds something
        assert "暂无" not in get_page(f"/proposals?status={status}").text()
    login(client, "staff")
    assert {"draft", "submitted", "replied"} <= _status_options(get_page("/proposals"))
    assert _status_options(get_page("/proposals")) <= {s.value for s in ProposalStatus}


def test_favicon_is_served_and_linked(client, get_page) -> None:
    response = client.get("/favicon.ico")
    assert response.status_code == 200
    assert response.data[:4] == b"\x00\x00\x01\x00"  # an icon file
    response.close()
    icons = [link for link in get_page("/").find_all("link") if link.attrs.get("rel") == "icon"]
    linked = client.get(icons[0].attrs["href"]) if icons else None
    assert linked is not None and linked.status_code == 200
    linked.close()


def test_a_letter_names_the_suggestions_a_point_answers_in_chinese(get_page) -> None:
    page = get_page("/replies/1")
    answers = [p.text() for p in page.find_all("p", class_="link-meta") if p.text().startswith("回应建议")]
    assert answers, "no point names the suggestions it answers"
    for text in answers:
        assert re.fullmatch(r"回应建议：第\d+条(、第\d+条)*", text), text


def test_chinese_text_has_full_width_colons(get_page) -> None:
    for url in ("/", "/proposals", "/proposals/1", "/replies/1", "/statistics", "/library"):
        text = get_page(url).text()
        assert not re.search(r"[\u3400-\u9fff）] ?:(?!//)", text), url
