"""The reply letter in its standard form, and the coverage check before it is submitted.

Agencies answer suggestion by suggestion under headings generated from the suggestion titles
("一、关于“设立专门的服务与管理机构”。"), between a salutation, a preamble ("…现答复如下："), a
closing and a signature. Before submitting, every suggestion must be answered by some point or be
marked explicitly (answered together with another one, or not answerable, with a reason).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import StrEnum

_CN = "零一二三四五六七八九"


def chinese_numeral(n: int) -> str:
    """1 -> 一, 12 -> 十二, 36 -> 三十六 (headings number up to 99)."""
    if not 0 < n < 100:
        raise ValueError(f"heading numbers run from 1 to 99, not {n}")
    tens, ones = divmod(n, 10)
    return ("" if tens <= 1 else _CN[tens]) + ("十" if tens else "") + (_CN[ones] if ones else "")


def addressee(name: str, kind: str = "member") -> str:
    """How the letter addresses the proposer: 委员 for CPPCC members, 代表 for deputies."""
    suffix = {"member": "委员", "deputy": "代表"}.get(kind, "")
    return f"{name}{suffix}"


def default_preamble(title: str) -> str:
    title = title.strip()
    about = title if title.startswith("关于") else f"关于{title}"
    return f"您提出的{about}的提案收悉，经我们研究，现答复如下："


DEFAULT_CLOSING = "感谢您对我们工作的关心和支持，欢迎继续提出宝贵意见和建议。"


def point_heading(title: str) -> str:
    """The heading of the answer to a suggestion titled ``title``: 关于“…”。"""
    return f"关于“{title.strip().rstrip('。；;，,：:')}”。"


@dataclass
class LetterPart:
    n: int
    heading: str
    body: str


def compose_letter(
    *,
    title: str,
    doc_number: str = "",
    salutation: str,
    preamble: str,
    points: Sequence[LetterPart],
    closing: str,
    signature: str,
    date: str,
) -> str:
    """The letter as plain text, in the form the parser reads back (title, 文号, salutation …)."""
    lines = [title.strip()]
    if doc_number.strip():
        lines.append(doc_number.strip())
    lines.append(f"{salutation.strip()}：")
    lines.append(preamble.strip())
    for p in points:
        lines.append(f"{chinese_numeral(p.n)}、{p.heading.strip()}{p.body.strip()}")
    if closing.strip():
        lines.append(closing.strip())
    lines += [line for line in (signature.strip(), date.strip()) if line]
    return "\n".join(lines)


class Waiver(StrEnum):
    """Why a suggestion has no point of its own."""

    TOGETHER = "together"  # 与其他建议合并答复
    NOT_ANSWERABLE = "not_answerable"  # 不属本单位职责或无法答复


@dataclass
class Exemption:
    suggestion: int
    kind: Waiver
    reason: str = ""
    with_suggestion: int | None = None  # for TOGETHER: answered under this one


@dataclass
class CoverageProblem:
    suggestion: int
    message: str


@dataclass
class Coverage:
    answered: dict[int, list[int]] = field(default_factory=dict)  # suggestion -> points answering it
    exempted: dict[int, Exemption] = field(default_factory=dict)
    problems: list[CoverageProblem] = field(default_factory=list)

    @property
    def complete(self) -> bool:
        return not self.problems


def check_coverage(
    suggestions: Sequence[int], links: Sequence[tuple[int, int]], exemptions: Sequence[Exemption] = ()
) -> Coverage:
    """Every suggestion answered by a point (``links`` are (point, suggestion)) or exempted.

    An exemption needs a reason; "answered together with" must name a suggestion that is itself
    answered. A suggestion that is both answered and exempted is simply answered.
    """
    cov = Coverage()
    known = set(suggestions)
    for point, sugg in links:
        if sugg in known:
            cov.answered.setdefault(sugg, []).append(point)
    for ex in exemptions:
        if ex.suggestion not in known or ex.suggestion in cov.answered:
            continue
        if not ex.reason.strip():
            cov.problems.append(CoverageProblem(ex.suggestion, "an exemption needs a reason"))
            continue
        if ex.kind == Waiver.TOGETHER and ex.with_suggestion not in cov.answered:
            cov.problems.append(
                CoverageProblem(ex.suggestion, "it is answered together with a suggestion that has no answer")
            )
            continue
        cov.exempted[ex.suggestion] = ex
    for s in suggestions:
        if (
            s not in cov.answered
            and s not in cov.exempted
            and not any(p.suggestion == s for p in cov.problems)
        ):
            cov.problems.append(CoverageProblem(s, "no point answers it"))
    cov.problems.sort(key=lambda p: p.suggestion)
    return cov
