"""Word .docx: body paragraphs in order with their automatic numbering, tables row by row, text
boxes, tracked insertions (not deletions); page headers reported apart from the text."""

from __future__ import annotations

import io
import zipfile

from lxml import etree

from .model import Document, ReadError, find_doc_number, tidy_lines
from .numbering import Numbering, W, q

MC = "http://schemas.openxmlformats.org/markup-compatibility/2006"
_SKIP = {q("del"), q("txbxContent"), f"{{{MC}}}Fallback", q("pPr"), q("rPr")}
_TITLE_STYLES = {"title", "heading1", "标题", "标题1", "heading 1", "标题 1"}
# Bigger parts than this are not a letter: a zip bomb or an archive renamed .docx.
MAX_XML = 50 * 1024 * 1024
_RELS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"


def _part(z: zipfile.ZipFile, name: str) -> bytes | None:
    try:
        info = z.getinfo(name)
    except KeyError:
        return None
    if info.file_size > MAX_XML:
        raise ReadError("the Word document is too large to read", "too_large")
    return z.read(info)


def _xml(data: bytes) -> etree._Element:
    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)
    return etree.fromstring(data, parser)


class _Styles:
    def __init__(self, xml: bytes | None) -> None:
        self.num: dict[str, tuple[str | None, str | None]] = {}  # style → (numId, ilvl)
        self.based: dict[str, str] = {}
        self.names: dict[str, str] = {}
        self.outline: dict[str, int] = {}
        if not xml:
            return
        for st in _xml(xml).findall(q("style")):
            sid = st.get(q("styleId"), "")
            name = st.find(q("name"))
            self.names[sid] = (name.get(q("val"), "") if name is not None else "").lower()
            if (b := st.find(q("basedOn"))) is not None:
                self.based[sid] = b.get(q("val"), "")
            ppr = st.find(q("pPr"))
            if ppr is None:
                continue
            if (np := ppr.find(q("numPr"))) is not None:
                num_id = np.find(q("numId"))
                ilvl = np.find(q("ilvl"))
                self.num[sid] = (
                    num_id.get(q("val")) if num_id is not None else None,
                    ilvl.get(q("val")) if ilvl is not None else None,
                )
            if (ol := ppr.find(q("outlineLvl"))) is not None and (ol.get(q("val")) or "").isdigit():
                self.outline[sid] = int(ol.get(q("val")) or 0)

    def chain(self, sid: str) -> list[str]:
        seen: list[str] = []
        while sid and sid not in seen and len(seen) < 20:
            seen.append(sid)
            sid = self.based.get(sid, "")
        return seen

    def numbering(self, sid: str) -> tuple[str | None, str | None]:
        num_id = ilvl = None
        for s in self.chain(sid):
            n, i = self.num.get(s, (None, None))
            num_id = num_id if num_id is not None else n
            ilvl = ilvl if ilvl is not None else i
        return num_id, ilvl

    def is_title(self, sid: str) -> bool:
        chain = self.chain(sid)
        return any(self.names.get(s, s.lower()).replace(" ", "") in _TITLE_STYLES for s in chain) or any(
            self.outline.get(s) == 0 for s in chain
        )


def _skipped(el: etree._Element, stop: etree._Element) -> bool:
    parent = el.getparent()
    while parent is not None and parent is not stop:
        if parent.tag in _SKIP:
            return True
        parent = parent.getparent()
    return False


def _run_text(p: etree._Element) -> str:
    out: list[str] = []
    for el in p.iter(q("t"), q("tab"), q("br"), q("cr"), q("noBreakHyphen")):
        if el.getparent() is None or el.getparent().tag != q("r") or _skipped(el, p):
            continue
        if el.tag == q("t"):
            out.append(el.text or "")
        elif el.tag == q("tab"):
            out.append("\t")
        elif el.tag == q("noBreakHyphen"):
            out.append("-")
        elif el.get(q("type")) != "page":
            out.append("\n")
    return "".join(out)


class _Reader:
    def __init__(self, numbering: Numbering, styles: _Styles) -> None:
        self.numbering = numbering
        self.styles = styles
        self.lines: list[str] = []
        self.titles: list[str] = []
        self.body_started = False

    def paragraph(self, p: etree._Element) -> None:
        # Text boxes first: a 文号 or a red heading often sits in one, above the paragraph anchoring it.
        for box in p.iter(q("txbxContent")):
            if not _skipped(box, p):
                self.block(box)
        ppr = p.find(q("pPr"))
        style = (
            ppr.find(q("pStyle")).get(q("val"), "")
            if ppr is not None and ppr.find(q("pStyle")) is not None
            else ""
        )
        num_id, ilvl = self.styles.numbering(style)
        np = ppr.find(q("numPr")) if ppr is not None else None
        if np is not None:
            if (el := np.find(q("numId"))) is not None:
                num_id = el.get(q("val"))
            if (el := np.find(q("ilvl"))) is not None:
                ilvl = el.get(q("val"))
        text = _run_text(p)
        label = None
        if num_id is not None:
            try:
                level = int(ilvl or 0)
            except ValueError:
                level = 0
            label = self.numbering.label(num_id, level)
        if not text.strip():
            return  # an empty numbered paragraph still counted, as Word counts it
        if style and self.styles.is_title(style) and not self.body_started:
            self.titles.append(text.strip())
        else:
            self.body_started = self.body_started or bool(self.titles)
        self.lines.append((label or "") + text.strip(" \u3000\t") if label else text)

    def table(self, tbl: etree._Element) -> None:
        for tr in tbl.findall(q("tr")):
            cells: list[str] = []
            for tc in tr.findall(q("tc")):
                tcpr = tc.find(q("tcPr"))
                vmerge = tcpr.find(q("vMerge")) if tcpr is not None else None
                if vmerge is not None and vmerge.get(q("val"), "continue") == "continue":
                    continue  # the cell above holds the text of a vertically merged cell
                sub = _Reader(self.numbering, self.styles)
                sub.block(tc)
                text = tidy_lines(sub.lines)
                if text:
                    cells.append(text)
            if cells:
                self.lines.append("\t".join(cells))

    def block(self, parent: etree._Element) -> None:
        for child in parent:
            if child.tag == q("p"):
                self.paragraph(child)
            elif child.tag == q("tbl"):
                self.table(child)
            elif child.tag in (q("sdt"), q("customXml"), q("sdtContent"), q("ins")):
                self.block(child.find(q("sdtContent")) if child.tag == q("sdt") else child)


def _target(rels: etree._Element, rid: str) -> str | None:
    for rel in rels:
        if rel.get("Id") == rid:
            target = rel.get("Target", "")
            return target.lstrip("/") if target.startswith("/") else "word/" + target
    return None


def read_docx(data: bytes) -> Document:
    try:
        z = zipfile.ZipFile(io.BytesIO(data))
        document = _part(z, "word/document.xml")
        if document is None:
            raise ReadError("this .zip file is not a Word document (no word/document.xml)", "unsupported")
        styles = _Styles(_part(z, "word/styles.xml"))
        links = {sid: n for sid, (n, _i) in styles.num.items() if n}
        numbering = Numbering(_part(z, "word/numbering.xml"), links)
        root = _xml(document)
        body = root.find(q("body"))
        reader = _Reader(numbering, styles)
        if body is not None:
            reader.block(body)
        headers = _headers(z, root)
    except (zipfile.BadZipFile, etree.XMLSyntaxError, KeyError, EOFError, ValueError) as exc:
        if isinstance(exc, ReadError):
            raise
        raise ReadError("the Word document is damaged and cannot be read", "damaged") from None
    text = tidy_lines("\n".join(reader.lines).split("\n"))
    if not text:
        raise ReadError("the Word document holds no text", "empty")
    title = "".join(reader.titles) or None
    return Document(text=text, format="docx", title=title, doc_number=find_doc_number(text), headers=headers)


def _headers(z: zipfile.ZipFile, root: etree._Element) -> list[str]:
    rels_xml = _part(z, "word/_rels/document.xml.rels")
    if rels_xml is None:
        return []
    rels = _xml(rels_xml)
    seen: list[str] = []
    for ref in root.iter(q("headerReference")):
        name = _target(rels, ref.get(f"{{{_RELS}}}id", ""))
        part = _part(z, name) if name else None
        if part is None:
            continue
        reader = _Reader(Numbering(None), _Styles(None))
        reader.block(_xml(part))
        text = tidy_lines(reader.lines)
        if text and text not in seen:
            seen.append(text)
    return seen


__all__ = ["W", "read_docx"]
