"""Parts rebuilt from the lines a person marked: one row per kind of line and per refusal."""

from __future__ import annotations

import pytest

from tracker.domain.boundaries import (
    Choice,
    after_salutation,
    current_choices,
    lines_of,
    read_choices,
    strip_signature,
    units_from_starts,
)
from tracker.domain.messages import RuleError
from tracker.domain.splitting import split_proposal

TEXT = (
    "关于加强小微企业扶持的建议\n"
    "近年来小微企业面临融资难。\n"
    "为此建议：\n"
    "1.设立专门机构。负责协调。\n"
    "2.实行分级管理。按规模分级。3.加大培训力度。每年两期。\n"
    "\n"
    "（1）线上培训。（2）线下培训。\n"
    "以上建议妥否，请审议。\n"
)


def _line(text: str, number: int) -> int:
    """Offset of 1-based line ``number``."""
    return next(ln.start for ln in lines_of(text) if ln.number == number)


# (id, marked line numbers, closing line number, expected [(n, marker, title, text)], head, tail)
CASES = [
    (
        "markers kept as written, text after them",
        [4, 5],
        8,
        [
            (1, "1.", "设立专门机构", "设立专门机构。负责协调。"),
            (
                2,
                "2.",
                "实行分级管理",
                "实行分级管理。按规模分级。3.加大培训力度。每年两期。\n\n（1）线上培训。（2）线下培训。",
            ),
        ],
        "关于加强小微企业扶持的建议\n近年来小微企业面临融资难。\n为此建议：",
        "以上建议妥否，请审议。",
    ),
    (
        "a line without a marker is an unnumbered part, numbered by position",
        [2, 4],
        8,
        [
            (1, None, "近年来小微企业面临融资难", "近年来小微企业面临融资难。\n为此建议："),
            (
                2,
                "1.",
                "设立专门机构",
                "设立专门机构。负责协调。\n2.实行分级管理。按规模分级。3.加大培训力度。每年两期。\n\n（1）线上培训。（2）线下培训。",
            ),
        ],
        "关于加强小微企业扶持的建议",
        "以上建议妥否，请审议。",
    ),
    (
        "one marked part keeps its number",
        [7],
        None,
        [(1, "（1）", "线上培训", "线上培训。（2）线下培训。\n以上建议妥否，请审议。")],
        "关于加强小微企业扶持的建议\n近年来小微企业面临融资难。\n为此建议：\n1.设立专门机构。负责协调。\n"
        "2.实行分级管理。按规模分级。3.加大培训力度。每年两期。",
        "",
    ),
    (
        "without a closing the last part runs to the end",
        [8],
        None,
        [(None, None, "以上建议妥否，请审议", "以上建议妥否，请审议。")],
        TEXT[: TEXT.index("以上")].strip(),
        "",
    ),
]


@pytest.mark.parametrize(
    ("marked", "closing", "expected", "head", "tail"), [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
def test_units_from_starts(marked, closing, expected, head, tail) -> None:
    rebuilt = units_from_starts(
        TEXT, [_line(TEXT, n) for n in marked], _line(TEXT, closing) if closing else None
    )
    assert [(u.n, u.marker, u.title, u.text) for u in rebuilt.units] == expected
    for unit in rebuilt.units:
        assert TEXT[unit.start : unit.end] == unit.text  # offsets into the same text
    assert (rebuilt.head, rebuilt.tail) == (head, tail)


def test_a_marked_part_keeps_its_sub_points() -> None:
    text = "为此建议：\n一、加强培训。\n（一）线上。（二）线下。\n二、完善制度。"
    rebuilt = units_from_starts(text, [_line(text, 2), _line(text, 4)])
    assert [s.marker for s in rebuilt.units[0].sub_points] == ["（一）", "（二）"]


def test_the_splitters_own_boundaries_give_the_splitters_units() -> None:
    text = "背景。\n为此建议：\n1．设立专门机构。负责协调。\n2．实行分级管理。\n3．加大培训力度。\n以上建议妥否，请审议。"
    split = split_proposal(text)
    chosen = current_choices(text, split.suggestions, closing=bool(split.closing))
    starts = [o for o, c in chosen.items() if c == Choice.PART]
    closing = next((o for o, c in chosen.items() if c == Choice.CLOSING), None)
    rebuilt = units_from_starts(text, starts, closing)

    def facts(units):
        return [(u.n, u.marker, u.title, u.text, u.start, u.end) for u in units]

    assert len(split.suggestions) == 3
    assert facts(rebuilt.units) == facts(split.suggestions)
    assert rebuilt.tail == split.closing == "以上建议妥否，请审议。"


# (id, marked, closing, the message the refusal gives)
REFUSALS = [
    ("nothing marked", [], None, "Mark the line where each part starts."),
    ("not a line start", [3], None, "A marked line is not a line of this text."),
    (
        "closing before the last part",
        [_line(TEXT, 5)],
        _line(TEXT, 4),
        "The closing must start after the last part.",
    ),
    (
        "closing on an empty line",
        [_line(TEXT, 4)],
        TEXT.index("\n\n") + 1,
        "A marked line is not a line of this text.",
    ),
]


@pytest.mark.parametrize(
    ("starts", "closing", "message"), [r[1:] for r in REFUSALS], ids=[r[0] for r in REFUSALS]
)
def test_refused_choices(starts, closing, message) -> None:
    with pytest.raises(RuleError) as refused:
        units_from_starts(TEXT, starts, closing)
    assert message in [p.message for p in refused.value.problems]


@pytest.mark.parametrize(
    ("tail", "closing"),
    [
        ("特此答复。\n镇海区经信局\n2021年10月26日", "特此答复。"),
        ("特此答复。\n\n签发人：张三\n镇海区经信局\n20211026", "特此答复。"),
        ("镇海区经信局\n2021年10月26日", ""),
        ("感谢您的关心。\n下一步我们将继续推进。", "感谢您的关心。\n下一步我们将继续推进。"),
    ],
)
def test_strip_signature(tail: str, closing: str) -> None:
    assert (
        strip_signature(tail, signature="镇海区经信局", date=tail.rsplit("\n", 1)[-1] if "20" in tail else "")
        == closing
    )


@pytest.mark.parametrize(
    ("head", "salutation", "preamble"),
    [
        (
            "关于…的答复\n王立超委员：\n您提出的提案收悉，现答复如下：",
            "王立超委员",
            "您提出的提案收悉，现答复如下：",
        ),
        ("王立超委员：您提出的提案收悉。", "王立超委员", "您提出的提案收悉。"),
        ("您提出的提案收悉。", "", "您提出的提案收悉。"),
    ],
)
def test_after_salutation(head: str, salutation: str, preamble: str) -> None:
    assert after_salutation(head, salutation) == preamble


@pytest.mark.parametrize(
    ("choices", "expected", "message"),
    [
        ({30: "part", 4: "part", 50: "", 60: "closing"}, ([4, 30], 60), None),
        ({4: "part"}, ([4], None), None),
        ({4: "part", 9: "closing", 12: "closing"}, None, "Mark only one line as the start of the closing."),
        ({4: "heading"}, None, "Choose for each line: starts a part, starts the closing or neither."),
    ],
)
def test_read_choices(choices, expected, message) -> None:
    if message is None:
        assert read_choices(choices) == expected
    else:
        with pytest.raises(RuleError) as refused:
            read_choices(choices)
        assert [p.message for p in refused.value.problems] == [message]
