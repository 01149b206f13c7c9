"""The error summary of a refused form (issue 11, item 19): it names each problem with its field's
label, links to that field, and takes the focus when the page loads (no inline script: CSP)."""

from __future__ import annotations

import pytest

FORM = {
    "title": "关于校园安全的建议",
    "category": "",
    "background": "",
    "suggestions-0": "",
    "suggestions-1": "",
    "closing": "",
    "cosigners": "",
    "form_token": "0123456789abcdef0123456789abcdef",
    "op": "submit",
}


@pytest.fixture
def member(client, login):
    login(client, "member")
    return client


def test_the_summary_links_each_problem_to_its_field(member, parse_html) -> None:
    response = member.post("/my/proposals/new", data=FORM)
    assert response.status_code == 422
    page = parse_html(response.data)
    summary = page.by_id("error-summary")
    assert summary.attrs["tabindex"] == "-1" and "autofocus" in summary.attrs
    assert summary.attrs["role"] == "alert"
    links = {a.attrs["href"]: a.text() for a in summary.find_all("a")}
    assert list(links) == ["#category", "#background", "#suggestions-0"]  # in the form's order
    for href, text in links.items():
        field = page.by_id(href[1:])  # each link's target exists, once
        assert field.tag in ("input", "select", "textarea"), href
        assert field.attrs.get("aria-invalid") == "true" or href == "#suggestions-0", href
        label = page.find_all("label", **{"for": href[1:]})[0].text()
        assert text.startswith(label.split(" ")[0] + "："), (text, label)  # names the field
    assert "请选择类别" in links["#category"] and "请填写案由" in links["#background"]
    assert "请至少填写一条建议" in links["#suggestions-0"]
    # the summary is the first thing of the form's page, before the form
    form = page.find_all("form", class_="proposal-form")[0]
    order = [el for el in page.iter() if el is summary or el is form]
    assert order == [summary, form]


def test_every_page_loads_the_summary_script_and_no_inline_script(member) -> None:
    html = member.post("/my/proposals/new", data=FORM).get_data(as_text=True)
    assert '<script src="/static/js/forms.js" defer></script>' in html
    assert "<script>" not in html and " onclick=" not in html and " style=" not in html
    script = member.get("/static/js/forms.js")
    assert script.status_code == 200 and b"data-error-summary" in script.data
    script.close()


def test_a_valid_form_shows_no_summary(member, parse_html) -> None:
    page = parse_html(member.get("/my/proposals/new").data)
    assert page.find_all(id="error-summary") == []
