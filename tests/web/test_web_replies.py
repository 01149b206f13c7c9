"""The reply letter page: the letter as written, with its points anchored and tied to suggestions."""

from __future__ import annotations

from sqlmodel import Session, select

from tracker.models import Reply


def test_reply_is_rendered_as_the_letter(session: Session, get_page) -> None:
    reply = session.exec(select(Reply)).one()
    page = get_page(f"/replies/{reply.id}")
    letter = page.find_all("article", class_="letter")[0]
    assert letter.find_all("h1")[0].text() == "第2号提案的答复"
    assert letter.find_all("p", class_="salutation")[0].text() == "戴培红委员："
    signature = letter.find_all("footer", class_="signature")[0]
    assert signature.text() == "镇海区经信局"
    for n, marker in enumerate(["一、", "二、", "三、", "四、", "五、"], 1):
        point = page.by_id(f"r{n}")
        assert point.find_all(class_="marker")[0].text() == marker
        links = [a.attrs["href"] for a in point.find_all("a")]
        assert links == [f"/proposals/{reply.proposal_id}#s{n}"]
    # preamble before the points, closing after them
    text = letter.text()
    assert text.index("现答复如下") < text.index("一、关于") < text.index("下步，我们将")


def test_unknown_reply_is_404(client) -> None:
    for url in ("/replies/999999", "/replies/99999999999999999999"):
        response = client.get(url)
        assert response.status_code == 404
        assert "页面不存在" in response.get_data(as_text=True)
