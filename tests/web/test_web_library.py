"""The reference library pages."""

from __future__ import annotations

CN = ["一", "二", "三", "四", "五", "六", "七", "八", "九", "十"]


def cn(n: int) -> str:
    tens, ones = divmod(n, 10)
    head = "" if tens == 0 else ("十" if tens == 1 else CN[tens - 1] + "十")
    return head + ("" if ones == 0 else CN[ones - 1])


def test_library_lists_the_four_documents(get_page) -> None:
    page = get_page("/library")
    titles = [a.text() for a in page.find_all("a", class_="document-title")]
    assert len(titles) == 4
    assert "北京市“十二五”时期中小企业发展促进规划" in titles
    assert "8000 small and micro enterprises will get help" in titles


def test_zhejiang_opinions_show_clauses_one_to_thirty_six(get_page) -> None:
    page = get_page("/library/zhejiang-small-micro-enterprises-opinions")
    markers = [h.find_all(class_="marker")[0].text() for h in page.find_all(class_="clause-heading")]
    clauses = [m for m in markers if m.startswith("（")]
    assert clauses == [f"（{cn(n)}）" for n in range(1, 37)]
    section = page.by_id("c1")
    assert section.contains(page.by_id("c1-1")) and section.contains(page.by_id("c1-2"))
    last = page.by_id("c10-36")
    assert "强化考核督查" in last.text()
    assert last.find_all("a", class_="marker")[0].attrs["href"] == "#c10-36"


def test_beijing_plan_shows_its_number_and_nested_parts(get_page) -> None:
    page = get_page("/library/beijing-sme-plan-2011-2015")
    assert "京政发〔2011〕64号附件" in page.find_all("header", class_="doc-header")[0].text()
    part = page.by_id("c1")
    assert part.contains(page.by_id("c1-1")) and page.by_id("c1-1").contains(page.by_id("c1-1-1"))


def test_english_document_shows_its_text(get_page) -> None:
    page = get_page("/library/local-government-support-abstract")
    assert page.find_all("article")[0].attrs["lang"] == "en"
    assert "Small and small relative to the giant" in page.find_all(class_="plain-text")[0].text()


def test_unknown_document_is_404(client) -> None:
    response = client.get("/library/no-such-document")
    assert response.status_code == 404
    assert "页面不存在" in response.get_data(as_text=True)
