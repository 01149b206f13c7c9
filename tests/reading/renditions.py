"""Renditions of a plain text as an office would keep it: a .docx whose list markers are Word
AUTOMATIC numbering (the "一、" lives in numbering.xml, not in the paragraph), a GBK .txt, and PDFs
made from the .docx by LibreOffice, batched in one soffice call with a private profile."""

from __future__ import annotations

import re
import subprocess
from dataclasses import dataclass
from pathlib import Path

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.opc.packuri import PackURI
from docx.opc.part import Part
from docx.oxml import parse_xml
from docx.oxml.ns import qn
from docx.shared import Pt

SOFFICE = Path("/usr/bin/soffice")
W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
CN = "一二三四五六七八九十"


def chinese_value(numeral: str) -> int:
    if numeral == "十":
        return 10
    if numeral.startswith("十"):
        return 10 + CN.index(numeral[1]) + 1
    if "十" in numeral:
        tens, _, ones = numeral.partition("十")
        return (CN.index(tens) + 1) * 10 + (CN.index(ones) + 1 if ones else 0)
    return CN.index(numeral) + 1


@dataclass(frozen=True)
class Style:
    pattern: str  # the marker at a line start; group 1 is the number
    fmt: str  # Word's numFmt
    text: str  # lvlText with %1 for the level's own counter
    level: int  # level in the multilevel list (-1: a list of its own)


_CN_NUM = f"([{CN}]{{1,3}})"
STYLES = [
    Style(rf"^{_CN_NUM}、", "chineseCounting", "%1、", 0),
    Style(rf"^（{_CN_NUM}）", "chineseCounting", "（%1）", 1),
    Style(r"^(\d{1,2})\.(?!\d)", "decimal", "%1.", 2),
    Style(r"^（(\d{1,2})）", "decimal", "（%1）", 3),
    Style(r"^([①-⑳])", "decimalEnclosedCircle", "%1", 4),
    Style(rf"^\({_CN_NUM}\)", "chineseCounting", "(%1)", -1),
    Style(r"^(\d{1,2})．", "decimal", "%1．", -1),
    Style(r"^(\d{1,2})、", "decimal", "%1、", -1),
    Style(r"^\((\d{1,2})\)", "decimal", "(%1)", -1),
    Style(r"^(\d{1,2})）", "decimal", "%1）", -1),
]


def _value(style: Style, raw: str) -> int:
    if style.fmt == "chineseCounting":
        return chinese_value(raw)
    if style.fmt == "decimalEnclosedCircle":
        return ord(raw) - 0x2460 + 1
    return int(raw)


def _lvl(ilvl: int, style: Style) -> str:
    text = style.text.replace("%1", f"%{ilvl + 1}")
    # Word's default suffix is a tab; writers of Chinese letters often set "nothing" after 、 or ）.
    suff = '<w:suff w:val="nothing"/>' if text[-1] in "、）．" else ""
    return (
        f'<w:lvl w:ilvl="{ilvl}"><w:start w:val="1"/><w:numFmt w:val="{style.fmt}"/>{suff}'
        f'<w:lvlText w:val="{text}"/><w:lvlJc w:val="left"/>'
        '<w:pPr><w:ind w:left="0" w:firstLine="480"/></w:pPr></w:lvl>'
    )


class _Lists:
    """numbering.xml written as Word writes it, and the w:num chosen for each marked line so that
    Word (and LibreOffice) draw the very number the text had."""

    def __init__(self) -> None:
        self.multi = [s for s in STYLES if s.level >= 0]
        self.singles = {(s.text, s.fmt): i + 1 for i, s in enumerate(s for s in STYLES if s.level < 0)}
        self.nums: dict[int, tuple[int, dict[int, int]]] = {}  # numId → (abstract, startOverrides)
        self.current: dict[int, int] = {}  # abstract → the numId in use
        self.counters: dict[int, dict[int, int]] = {}
        self.started: set[tuple[int, int]] = set()

    def _new_num(self, abstract: int, starts: dict[int, int]) -> int:
        num_id = len(self.nums) + 1
        self.nums[num_id] = (abstract, starts)
        self.current[abstract] = num_id
        return num_id

    def _count(self, num_id: int, ilvl: int) -> int:
        """Word's counting: per abstract list; a w:num's start override applies at its first use."""
        abstract, starts = self.nums[num_id]
        counters = self.counters.setdefault(abstract, {})
        if (num_id, ilvl) not in self.started and ilvl in starts:
            counters[ilvl] = starts[ilvl]
        else:
            counters[ilvl] = counters.get(ilvl, 0) + 1
        self.started.add((num_id, ilvl))
        for deeper in [d for d in counters if d > ilvl]:
            del counters[deeper]
        return counters[ilvl]

    def place(self, style: Style, wanted: int) -> tuple[int, int]:
        abstract, ilvl = (0, style.level) if style.level >= 0 else (self.singles[style.text, style.fmt], 0)
        num_id = self.current.get(abstract) or self._new_num(abstract, {})
        saved = ({k: dict(v) for k, v in self.counters.items()}, set(self.started))
        if self._count(num_id, ilvl) != wanted:
            self.counters, self.started = saved  # "restart/set numbering value" in Word
            num_id = self._new_num(abstract, {ilvl: wanted})
            assert self._count(num_id, ilvl) == wanted
        return num_id, ilvl

    def xml(self) -> bytes:
        abstracts = ['<w:abstractNum w:abstractNumId="0"><w:multiLevelType w:val="multilevel"/>']
        abstracts += [_lvl(s.level, s) for s in self.multi]
        abstracts.append("</w:abstractNum>")
        for style in STYLES:
            if style.level < 0:
                aid = self.singles[style.text, style.fmt]
                abstracts.append(
                    f'<w:abstractNum w:abstractNumId="{aid}"><w:multiLevelType w:val="singleLevel"/>'
                    f"{_lvl(0, style)}</w:abstractNum>"
                )
        nums = []
        for num_id, (abstract, starts) in self.nums.items():
            overrides = "".join(
                f'<w:lvlOverride w:ilvl="{i}"><w:startOverride w:val="{v}"/></w:lvlOverride>'
                for i, v in starts.items()
            )
            nums.append(f'<w:num w:numId="{num_id}"><w:abstractNumId w:val="{abstract}"/>{overrides}</w:num>')
        return f'<w:numbering xmlns:w="{W_NS}">{"".join(abstracts)}{"".join(nums)}</w:numbering>'.encode()


def _numbering_part(doc) -> Part:
    for rel in doc.part.rels.values():
        if rel.reltype == RT.NUMBERING:
            return rel.target_part
    part = Part(
        PackURI("/word/numbering.xml"),
        "application/vnd.openxmlformats-officedocument.wordprocessingml.numbering+xml",
        b"",
        doc.part.package,
    )
    doc.part.relate_to(part, RT.NUMBERING)
    return part


def _page_number_footer(doc) -> None:
    """ "— 1 —" at the foot of every page, as official documents number them."""
    footer = doc.sections[0].footer.paragraphs[0]
    footer.alignment = WD_ALIGN_PARAGRAPH.CENTER
    footer.add_run("— ")
    run = footer.add_run()
    run._r.append(parse_xml(f'<w:fldChar xmlns:w="{W_NS}" w:fldCharType="begin"/>'))
    run = footer.add_run()
    run._r.append(parse_xml(f'<w:instrText xmlns:w="{W_NS}" xml:space="preserve"> PAGE </w:instrText>'))
    run = footer.add_run()
    run._r.append(parse_xml(f'<w:fldChar xmlns:w="{W_NS}" w:fldCharType="end"/>'))
    footer.add_run(" —")


def write_docx(text: str, path: Path) -> int:
    """``text`` as a .docx, each marked line an automatically numbered paragraph; returns how many."""
    doc = Document()
    normal = doc.styles["Normal"]
    normal.font.size = Pt(12)
    normal.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), "宋体")
    lists = _Lists()
    numbered = 0
    for i, line in enumerate(text.split("\n")):
        line = line.strip()
        if not line:
            continue
        found = next(((s, m) for s in STYLES if (m := re.match(s.pattern, line))), None)
        if found is None or len(line) == found[1].end():
            p = doc.add_paragraph(line)
        else:
            style, match = found
            num_id, ilvl = lists.place(style, _value(style, match.group(1)))
            p = doc.add_paragraph(line[match.end() :].lstrip(" \u3000"))
            p._p.get_or_add_pPr().append(
                parse_xml(
                    f'<w:numPr xmlns:w="{W_NS}"><w:ilvl w:val="{ilvl}"/><w:numId w:val="{num_id}"/></w:numPr>'
                )
            )
            numbered += 1
        if i == 0:
            p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        else:
            p.paragraph_format.first_line_indent = Pt(24)  # 首行缩进两字
    part = _numbering_part(doc)
    if hasattr(part, "_element"):  # the template's own numbering part, serialised from its XML
        part._element = parse_xml(lists.xml())
    else:
        part._blob = lists.xml()
    _page_number_footer(doc)
    doc.save(str(path))
    return numbered


def write_gbk(text: str, path: Path) -> None:
    path.write_bytes(text.replace("\n", "\r\n").encode("gbk"))


def libreoffice(files: list[Path], out: Path, target: str, profile: Path) -> None:
    """Convert ``files`` in one soffice run (one start-up for the whole batch)."""
    out.mkdir(parents=True, exist_ok=True)
    command = [str(SOFFICE), f"-env:UserInstallation={profile.as_uri()}", "--headless", "--norestore"]
    command += ["--convert-to", target, "--outdir", str(out), *map(str, files)]
    subprocess.run(command, check=True, capture_output=True, timeout=600)
