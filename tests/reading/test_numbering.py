"""Word's automatic numbering rebuilt from numbering.xml: number formats, labels, counters."""

from __future__ import annotations

import pytest

from tracker.reading.numbering import Numbering, format_number

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


@pytest.mark.parametrize(
    ("n", "fmt", "want"),
    [
        (1, "chineseCounting", "一"),
        (10, "chineseCounting", "十"),
        (11, "chineseCounting", "十一"),
        (20, "chineseCounting", "二十"),
        (21, "chineseCountingThousand", "二十一"),
        (12, "taiwaneseCountingThousand", "十二"),
        (12, "taiwaneseCountingThousand", "十二"),
        (105, "chineseCounting", "一百零五"),
        (110, "chineseCounting", "一百一十"),
        (3, "chineseLegalSimplified", "叁"),
        (1, "ideographTraditional", "甲"),
        (10, "ideographTraditional", "癸"),
        (2, "ideographZodiac", "丑"),
        (10, "ideographDigital", "一〇"),
        (1, "decimalEnclosedCircle", "①"),
        (20, "decimalEnclosedCircleChinese", "⑳"),
        (21, "decimalEnclosedCircle", "(21)"),
        (2, "decimalEnclosedParen", "⑵"),
        (12, "decimalFullWidth", "１２"),
        (7, "decimalZero", "07"),
        (4, "upperRoman", "IV"),
        (9, "lowerRoman", "ix"),
        (27, "lowerLetter", "aa"),
        (3, "upperLetter", "C"),
        (5, "decimal", "5"),
        (5, "someFutureFormat", "5"),
    ],
)
def test_number_formats(n: int, fmt: str, want: str) -> None:
    assert format_number(n, fmt) == want


def _lvl(ilvl: int, fmt: str, text: str, start: int = 1, extra: str = "") -> str:
    return (
        f'<w:lvl w:ilvl="{ilvl}"><w:start w:val="{start}"/><w:numFmt w:val="{fmt}"/>{extra}'
        f'<w:lvlText w:val="{text}"/></w:lvl>'
    )


NUMBERING = f"""<w:numbering xmlns:w="{W}">
<w:abstractNum w:abstractNumId="0">
  {_lvl(0, "chineseCounting", "%1、", extra='<w:suff w:val="nothing"/>')}
  {_lvl(1, "chineseCounting", "（%2）", extra='<w:suff w:val="nothing"/>')}
  {_lvl(2, "decimal", "%3.")}
  {_lvl(3, "decimal", "%1.%2.%4", extra="<w:isLgl/>")}
</w:abstractNum>
<w:abstractNum w:abstractNumId="1">
  {_lvl(0, "decimal", "第%1条", start=3, extra='<w:suff w:val="space"/>')}
  {_lvl(1, "decimalEnclosedCircle", "%2", extra='<w:lvlRestart w:val="0"/>')}
</w:abstractNum>
<w:abstractNum w:abstractNumId="2">{_lvl(0, "bullet", "•")}</w:abstractNum>
<w:abstractNum w:abstractNumId="3" xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006"><w:lvl w:ilvl="0">
  <w:start w:val="1"/><mc:AlternateContent><mc:Choice Requires="w14"><w:numFmt w:val="custom" w:format="壹, 贰, 叁, ..."/>
  </mc:Choice><mc:Fallback><w:numFmt w:val="decimal"/></mc:Fallback></mc:AlternateContent><w:lvlText w:val="%1、"/>
</w:lvl></w:abstractNum>
<w:num w:numId="1"><w:abstractNumId w:val="0"/></w:num>
<w:num w:numId="2"><w:abstractNumId w:val="0"/></w:num>
<w:num w:numId="3"><w:abstractNumId w:val="0"/><w:lvlOverride w:ilvl="0"><w:startOverride w:val="1"/></w:lvlOverride></w:num>
<w:num w:numId="4"><w:abstractNumId w:val="1"/></w:num>
<w:num w:numId="5"><w:abstractNumId w:val="2"/></w:num>
<w:num w:numId="7"><w:abstractNumId w:val="3"/></w:num>
<w:num w:numId="6"><w:abstractNumId w:val="0"/><w:lvlOverride w:ilvl="2"><w:startOverride w:val="5"/></w:lvlOverride></w:num>
</w:numbering>""".encode()


@pytest.mark.parametrize(
    ("paragraphs", "labels"),
    [
        pytest.param([("1", 0), ("1", 0), ("1", 0)], ["一、", "二、", "三、"], id="counts"),
        pytest.param(
            [("1", 0), ("1", 1), ("1", 1), ("1", 0), ("1", 1)],
            ["一、", "（一）", "（二）", "二、", "（一）"],
            id="a-deeper-level-restarts-under-a-new-parent",
        ),
        pytest.param(
            [("1", 0), ("1", 1), ("1", 2), ("1", 2)], ["一、", "（一）", "1. ", "2. "], id="three-levels"
        ),
        pytest.param(
            [("1", 0), ("1", 0), ("2", 0)], ["一、", "二、", "三、"], id="two-nums-of-one-list-continue"
        ),
        pytest.param(
            [("1", 0), ("1", 0), ("3", 0), ("3", 0)],
            ["一、", "二、", "一、", "二、"],
            id="start-override-restarts",
        ),
        pytest.param(
            [("1", 0), ("6", 2), ("6", 2)], ["一、", "5. ", "6. "], id="start-override-deeper-level"
        ),
        pytest.param(
            [("1", 0), ("1", 1), ("1", 3)], ["一、", "（一）", "1.1.1 "], id="legal-numbering-decimal"
        ),
        pytest.param([("4", 0), ("4", 0)], ["第3条 ", "第4条 "], id="start-value-and-space-suffix"),
        pytest.param(
            [("4", 0), ("4", 1), ("4", 0), ("4", 1)],
            ["第3条 ", "① ", "第4条 ", "② "],
            id="lvlrestart-0-never-restarts",
        ),
        pytest.param(
            [("5", 0), ("0", 0), ("99", 0)], [None, None, None], id="bullets-numid-0-and-unknown-lists"
        ),
        pytest.param([("7", 0), ("7", 0)], ["壹、 ", "贰、 "], id="word-2010-custom-format"),
    ],
)
def test_labels_follow_words_counting(paragraphs: list[tuple[str, int]], labels: list[str | None]) -> None:
    numbering = Numbering(NUMBERING)
    assert [numbering.label(num_id, ilvl) for num_id, ilvl in paragraphs] == labels
