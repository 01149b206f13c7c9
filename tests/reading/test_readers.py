"""One reader per format, and one clear refusal per kind of file that cannot be read."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
from docx import Document as WordDocument
from docx.enum.style import WD_STYLE_TYPE
from docx.oxml import parse_xml

from tests.reading.renditions import SOFFICE, W_NS, libreoffice, write_docx
from tracker.reading import ReadError, read_document
from tracker.reading.docx import read_docx

PROPOSAL = (
    "关于加强小微企业服务的提案\n为此建议：\n一、设立专门机构。\n二、加大培训力度。\n三、建立商业信息中心。"
)
needs_soffice = pytest.mark.skipif(
    not SOFFICE.exists(), reason="LibreOffice is missing (make browser installs it)"
)


def _docx_bytes(doc) -> bytes:
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def _generated_docx(text: str, tmp_path: Path) -> bytes:
    path = tmp_path / "letter.docx"
    assert write_docx(text, path) > 0
    return path.read_bytes()


# --- .txt --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "encoding"),
    [
        pytest.param(PROPOSAL.encode("utf-8"), "UTF-8", id="utf-8"),
        pytest.param(b"\xef\xbb\xbf" + PROPOSAL.encode("utf-8"), "UTF-8", id="utf-8-bom"),
        pytest.param(PROPOSAL.encode("utf-16"), "UTF-16", id="utf-16-bom"),
        pytest.param(b"\xfe\xff" + PROPOSAL.encode("utf-16-be"), "UTF-16", id="utf-16-be-bom"),
        pytest.param(PROPOSAL.replace("\n", "\r\n").encode("gbk"), "GB18030", id="gbk-crlf"),
        pytest.param(PROPOSAL.encode("gb18030"), "GB18030", id="gb18030"),
    ],
)
def test_text_files_in_every_encoding_read_the_same(data: bytes, encoding: str) -> None:
    doc = read_document(data, "letter.txt")
    assert (doc.text, doc.format, doc.encoding) == (PROPOSAL, "txt", encoding)


def test_big5_is_recognised_not_read_as_gbk_mojibake() -> None:
    text = "關於加強城區流浪犬整治工作的提案。為此，建議：一、加強宣傳，文明飼養。二、整體聯動，集中處置。"
    doc = read_document(text.encode("big5"), "letter.txt")
    assert (doc.text, doc.encoding) == (text, "Big5")


# --- .docx -------------------------------------------------------------------------------------


def test_docx_automatic_numbering_is_restored(tmp_path: Path) -> None:
    data = _generated_docx(PROPOSAL, tmp_path)
    # python-docx alone loses the markers: the reason for the reader.
    assert "一、" not in "\n".join(p.text for p in WordDocument(io.BytesIO(data)).paragraphs)
    doc = read_document(data, "letter.docx")
    assert doc.text == PROPOSAL and doc.format == "docx"


def test_docx_numbering_from_a_paragraph_style_tables_text_boxes_headers_and_tracked_changes() -> None:
    doc = WordDocument()
    numbering = doc.part.numbering_part.element
    numbering.append(
        parse_xml(
            f'<w:abstractNum xmlns:w="{W_NS}" w:abstractNumId="90"><w:lvl w:ilvl="0"><w:start w:val="1"/>'
            '<w:numFmt w:val="decimal"/><w:suff w:val="nothing"/><w:lvlText w:val="（%1）"/></w:lvl></w:abstractNum>'
        )
    )
    numbering.append(parse_xml(f'<w:num xmlns:w="{W_NS}" w:numId="90"><w:abstractNumId w:val="90"/></w:num>'))
    style = doc.styles.add_style("建议条目", WD_STYLE_TYPE.PARAGRAPH)
    style.element.get_or_add_pPr().append(
        parse_xml(f'<w:numPr xmlns:w="{W_NS}"><w:numId w:val="90"/></w:numPr>')
    )
    doc.add_paragraph("关于区政协第4号提案的答复", style="Title")
    doc.add_paragraph("镇人社函〔2026〕31号")
    doc.add_paragraph("设立专门机构。", style="建议条目")
    p = doc.add_paragraph("加大", style="建议条目")
    p._p.append(
        parse_xml(
            f'<w:del xmlns:w="{W_NS}" w:id="1" w:author="x"><w:r><w:delText>删去的</w:delText></w:r></w:del>'
        )
    )
    p._p.append(
        parse_xml(f'<w:ins xmlns:w="{W_NS}" w:id="2" w:author="x"><w:r><w:t>培训力度。</w:t></w:r></w:ins>')
    )
    table = doc.add_table(rows=2, cols=2)
    table.cell(0, 0).text, table.cell(0, 1).text = "办复类别", "A"
    table.cell(1, 0).text, table.cell(1, 1).text = "签发人", "王五"
    doc.sections[0].header.paragraphs[0].text = "宁波市镇海区人力资源和社会保障局"
    result = read_docx(_docx_bytes(doc))
    assert result.text.split("\n") == [
        "关于区政协第4号提案的答复",
        "镇人社函〔2026〕31号",
        "（1）设立专门机构。",
        "（2）加大培训力度。",
        "办复类别\tA",
        "签发人\t王五",
    ]
    assert result.title == "关于区政协第4号提案的答复"
    assert result.doc_number == "镇人社函〔2026〕31号"
    assert result.headers == ["宁波市镇海区人力资源和社会保障局"]


def test_docx_text_box_is_read_once() -> None:
    doc = WordDocument()
    p = doc.add_paragraph("正文")
    box = (
        f'<w:r xmlns:w="{W_NS}" xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006">'
        '<mc:AlternateContent><mc:Choice Requires="wps"><w:drawing><w:txbxContent><w:p><w:r><w:t>浙政办发[2020]3号</w:t>'
        "</w:r></w:p></w:txbxContent></w:drawing></mc:Choice><mc:Fallback><w:pict><w:txbxContent><w:p><w:r>"
        "<w:t>浙政办发[2020]3号</w:t></w:r></w:p></w:txbxContent></w:pict></mc:Fallback></mc:AlternateContent></w:r>"
    )
    p._p.append(parse_xml(box))
    assert read_docx(_docx_bytes(doc)).text == "浙政办发[2020]3号\n正文"


# --- .html -------------------------------------------------------------------------------------

PAGE = """<!DOCTYPE html><html><head><meta charset="{charset}"><title>关于区政协第4号提案的答复_镇海区人民政府</title>
<style>body {{ color: red }}</style><script>var tracker = "统计代码";</script></head><body>
<div class="nav"><a href="/">首页</a> | <a href="/zw">政务公开</a> | <a href="/jy">建议提案办理</a></div>
<div class="main"><h1>关于区政协第4号提案的答复</h1><div class="info">发布日期：2026-03-01 来源：区人社局 浏览次数：123</div>
<div class="TRS_Editor"><p>张三委员：</p><p>您提出的《关于加强小微企业服务的提案》收悉，现答复如下：</p>
<p>一、关于设立专门机构。我们在全区范围内开展了调查，已经设立了服务中心。</p><p>二、关于加大培训力度。今年举办培训十二期。</p>
<p>感谢您对我们工作的关心和支持。</p><p>镇海区人社局</p><p>2026年3月1日</p></div></div>
<div class="footer">版权所有：镇海区人民政府 主办单位：镇海区政府办公室 网站标识码 3302110001 联系我们</div>
</body></html>"""


@pytest.mark.parametrize(("charset", "codec"), [("utf-8", "utf-8"), ("gb2312", "gbk")])
def test_html_main_text_only(charset: str, codec: str) -> None:
    doc = read_document(PAGE.format(charset=charset).encode(codec), "reply.html")
    lines = doc.text.split("\n")
    assert lines[0] == "关于区政协第4号提案的答复" and lines[1] == "张三委员："
    assert "一、关于设立专门机构。我们在全区范围内开展了调查，已经设立了服务中心。" in lines
    assert lines[-1] == "2026年3月1日"
    for chrome in ("首页", "政务公开", "统计代码", "color", "版权所有", "浏览次数"):
        assert chrome not in doc.text
    assert doc.format == "html" and doc.title == "关于区政协第4号提案的答复"


# --- .pdf and .doc through LibreOffice -----------------------------------------------------------

LONG = "\n".join(
    ["关于加强小微企业服务的提案", "为此建议："]
    + [f"{n}、{'建立健全小微企业服务体系，' * 12}确保各项措施落实到位。" for n in "一二三四五六七八九十"]
)


@pytest.fixture(scope="module")
def converted(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A long letter with a running header and "第 N 页 共 M 页" footers, printed to PDF, and a .doc."""
    if not SOFFICE.exists():
        pytest.skip("LibreOffice is missing (make browser installs it)")
    root = tmp_path_factory.mktemp("converted")
    write_docx(LONG, root / "long.docx")
    word = WordDocument(str(root / "long.docx"))
    section = word.sections[0]
    section.header.paragraphs[0].text = "宁波市镇海区政协提案委员会"
    footer = section.footer.paragraphs[0]
    footer.clear()
    footer.add_run("第 ")
    for field in ("PAGE", "", "NUMPAGES"):
        if not field:
            footer.add_run(" 页 共 ")
            continue
        for part in ("begin", "instr", "end"):
            run = footer.add_run()
            xml = (
                f'<w:instrText xmlns:w="{W_NS}" xml:space="preserve"> {field} </w:instrText>'
                if part == "instr"
                else f'<w:fldChar xmlns:w="{W_NS}" w:fldCharType="{part}"/>'
            )
            run._r.append(parse_xml(xml))
    footer.add_run(" 页")
    word.save(str(root / "long.docx"))
    write_docx(PROPOSAL, root / "short.docx")
    libreoffice([root / "long.docx"], root, "pdf", root / "profile")
    libreoffice([root / "short.docx"], root, "doc:MS Word 97", root / "profile")
    return root


@pytest.mark.slow
@needs_soffice
def test_pdf_drops_headers_footers_and_page_numbers_and_rejoins_lines(converted: Path) -> None:
    doc = read_document((converted / "long.pdf").read_bytes(), "long.pdf")
    assert doc.pages and doc.pages >= 2
    assert doc.text == LONG  # every wrapped line rejoined, across pages too
    assert "宁波市镇海区政协提案委员会" in doc.headers
    assert "页" not in doc.text


@pytest.mark.slow
@needs_soffice
def test_doc_is_read_through_libreoffice_with_its_numbering(converted: Path) -> None:
    doc = read_document((converted / "short.doc").read_bytes(), "short.doc")
    assert (doc.text, doc.format) == (PROPOSAL, "doc")


# --- refusals ----------------------------------------------------------------------------------


def _pdf(objects: list[bytes], trailer_extra: bytes = b"") -> bytes:
    """A minimal, well-formed PDF from its numbered objects (1 is the catalog)."""
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for i, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % i + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R " % (len(objects) + 1) + trailer_extra + b">>\n"
    out += b"startxref\n%d\n%%%%EOF\n" % xref
    return bytes(out)


def _page(content: bytes, resources: bytes = b"<< >>") -> list[bytes]:
    return [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R /Resources "
        + resources
        + b" >>",
        b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream",
    ]


def _scanned_pdf() -> bytes:
    image = b"<< /Type /XObject /Subtype /Image /Width 2 /Height 2 /ColorSpace /DeviceGray /BitsPerComponent 8 /Length 4 >>\nstream\n\x00\xff\xff\x00\nendstream"
    return _pdf([*_page(b"q 500 0 0 700 40 60 cm /Im1 Do Q", b"<< /XObject << /Im1 5 0 R >> >>"), image])


def _encrypted_pdf() -> bytes:
    # Standard security handler, RC4 40-bit, a user password that is not empty: unreadable without it.
    encrypt = b"<< /Filter /Standard /V 1 /R 2 /O <" + b"ab" * 32 + b"> /U <" + b"cd" * 32 + b"> /P -44 >>"
    objects = [*_page(b"BT /F1 12 Tf 72 700 Td (secret) Tj ET"), encrypt]
    return _pdf(objects, b"/Encrypt 5 0 R /ID [<" + b"01" * 16 + b"> <" + b"01" * 16 + b">] ")


def _encrypted_docx(tmp_path: Path) -> bytes:
    from msoffcrypto.format.ooxml import OOXMLFile

    plain = io.BytesIO(_generated_docx(PROPOSAL, tmp_path))
    out = io.BytesIO()
    OOXMLFile(plain).encrypt("密码123", out)
    return out.getvalue()


def _zip_without_word() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr("xl/workbook.xml", "<workbook/>")
    return out.getvalue()


REFUSALS = [
    pytest.param("empty.txt", lambda _: b"", "the file is empty", id="empty"),
    pytest.param("blank.docx", lambda _: b" \n\t ", "the file is empty", id="blank"),
    pytest.param(
        "photo.txt", lambda _: b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(200), "binary file", id="binary"
    ),
    pytest.param(
        "program.doc", lambda _: b"\x7fELF\x02\x01\x01\x00" + bytes(64), "binary file", id="binary-named-doc"
    ),
    pytest.param(
        "x.txt",
        lambda _: "建议".encode() + b"\xff\xfe\xfd\x80",
        "neither UTF-8 nor GB18030",
        id="undecodable",
    ),
    pytest.param(
        "sjis.txt",
        lambda _: "日本語のテキストです。これはテストです。カタカナ、ひらがな。".encode("shift_jis"),
        "neither UTF-8 nor GB18030",
        id="mojibake-refused",
    ),
    pytest.param("scan.pdf", lambda _: _scanned_pdf(), "no text layer", id="scanned-pdf"),
    pytest.param("secret.pdf", lambda _: _encrypted_pdf(), "encrypted", id="encrypted-pdf"),
    pytest.param("secret.docx", _encrypted_docx, "encrypted", id="encrypted-docx"),
    pytest.param(
        "broken.pdf", lambda _: b"%PDF-1.4\n1 0 obj << /Type /Catalog >>", "damaged", id="damaged-pdf"
    ),
    pytest.param("book.docx", lambda _: _zip_without_word(), "not a Word document", id="zip-not-word"),
    pytest.param("broken.docx", lambda _: b"PK\x03\x04" + bytes(40), "damaged", id="damaged-docx"),
    pytest.param(
        "script.html",
        # Saved before its script loaded the article: nothing to read.
        lambda _: (
            b"<html><head><title></title><script>var a=1;</script></head><body><script>load()</script></body></html>"
        ),
        "no main text",
        id="html-without-text",
    ),
]


@pytest.mark.parametrize(("name", "make", "reason"), REFUSALS)
def test_refused_with_one_clear_line(tmp_path: Path, name: str, make, reason: str) -> None:
    with pytest.raises(ReadError) as info:
        read_document(make(tmp_path), name)
    message = str(info.value)
    assert message.startswith(f"{name}: ") and reason in message and "\n" not in message
    # and a code a user interface can translate (tracker/web/uploads.py)
    assert info.value.code in {
        "empty",
        "binary",
        "undecodable",
        "encrypted",
        "scanned",
        "damaged",
        "unsupported",
    }


def test_scanned_pdf_says_ocr_is_not_supported() -> None:
    with pytest.raises(ReadError, match=r"no text layer \(a scan\?\); OCR is not supported"):
        read_document(_scanned_pdf(), "scan.pdf")
