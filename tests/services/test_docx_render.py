"""The Word files as they print: LibreOffice renders them to PDF and poppler reads the text of each page.

The reply letter is made long enough to run onto a further page, then padded one line at a time
through a whole page, so that in some version its text ends on the last line of a page. Without the
keep settings that version prints the signature and date alone on the last page (checked, so the
test is known to probe the split); with them every version's 落款 shares its page with text.
"""

from __future__ import annotations

import io
import re
import subprocess
import zipfile
from pathlib import Path

import pytest

from tracker.domain.replies import parse_reply
from tracker.domain.reply_drafting import default_title, session_name
from tracker.domain.splitting import split_proposal
from tracker.services.docx_export import (
    FORM_LABELS,
    LetterDocument,
    ProposalDocument,
    proposal_form_docx,
    reply_letter_docx,
)

pytestmark = pytest.mark.slow

SOFFICE = Path("/usr/bin/soffice")
PDFTOTEXT = Path("/usr/bin/pdftotext")
SEED = Path(__file__).resolve().parents[2] / "seeds" / "proposals" / "cppcc-002"
SIGNATURE, DATE = "镇海区经信局", "2016年6月30日"
# two printed lines (25 characters after the indent, then 15)
FILLER = "我们将持续跟踪办理进展，及时向您反馈有关情况，并在今后的工作中认真研究吸纳各方面的意见。"
# A page holds 22 lines; the 落款 (a blank line, the signature, the date) is left alone when the text
# ends on any of the last three lines of a page, so steps of two lines through a page meet that.
STEPS = 12
CLOSING = parse_reply((SEED / "reply.txt").read_text(encoding="utf-8")).closing


def _flat(text: str) -> str:
    """Page text without the spaces pdftotext puts between scripts and columns."""
    return re.sub(r"\s+", "", text)


def _render(workdir: Path, files: dict[str, bytes]) -> dict[str, list[str]]:
    """The text of each printed page of each document, all converted by one LibreOffice run."""
    assert SOFFICE.exists() and PDFTOTEXT.exists(), (
        "LibreOffice or poppler-utils is missing: run `make browser` "
        "(apt-get install libreoffice-writer-nogui poppler-utils)"
    )
    for name, data in files.items():
        (workdir / f"{name}.docx").write_bytes(data)
    # a profile of its own, so runs in parallel (or a desktop LibreOffice) do not clash
    profile = (workdir / "profile").as_uri()
    subprocess.run(
        [SOFFICE, f"-env:UserInstallation={profile}", "--headless", "--convert-to", "pdf", "--outdir"]
        + [str(workdir)]
        + [str(workdir / f"{name}.docx") for name in files],
        check=True,
        capture_output=True,
        timeout=600,
    )
    pages = {}
    for name in files:
        out = subprocess.run(
            [PDFTOTEXT, "-layout", str(workdir / f"{name}.pdf"), "-"],
            check=True,
            capture_output=True,
            text=True,
        ).stdout
        pages[name] = out.split("\f")[:-1]  # each page ends with a form feed
    return pages


def _without_keep_settings(docx: bytes) -> bytes:
    """The same document with every keep-with-next dropped: what the letter printed before."""
    source = zipfile.ZipFile(io.BytesIO(docx))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "word/document.xml":
                data = re.sub(rb"<w:keepNext(?: w:val=\"[^\"]*\")?/>", b"", data)
            target.writestr(item, data)
    return out.getvalue()


def _letter(extra_lines: int) -> bytes:
    reply = parse_reply((SEED / "reply.txt").read_text(encoding="utf-8"))
    return reply_letter_docx(
        LetterDocument(
            title=default_title(2, "", session_name("政协", "第十届第三次会议")),
            doc_number="镇经信〔2016〕8号",
            outcome="B",
            salutation=reply.salutation,
            preamble=reply.preamble,
            points=[(p.marker or "", p.title, p.text[len(p.title) :]) for p in reply.points],
            closing="\n".join([reply.closing] + [FILLER] * extra_lines),
            signature=SIGNATURE,
            date=DATE,
        )
    )


def _page_numbers_ok(pages: list[str]) -> bool:
    return all(f"—{n}—" in _flat(page) for n, page in enumerate(pages, 1))


def _beside_the_date(pages: list[str]) -> tuple[bool, str]:
    """Whether the signature shares the date's page, and what else that page prints (no page number)."""
    n, page = next((n, p) for n, p in enumerate(pages, 1) if DATE in _flat(p))
    flat = _flat(page)
    return SIGNATURE in flat, flat.replace(DATE, "").replace(SIGNATURE, "").replace(f"—{n}—", "")


@pytest.fixture(scope="module")
def letters(tmp_path_factory) -> dict[str, list[str]]:
    files = {}
    for k in range(STEPS):
        files[f"kept-{k}"] = _letter(k)
        files[f"unkept-{k}"] = _without_keep_settings(files[f"kept-{k}"])
    return _render(tmp_path_factory.mktemp("letters"), files)


def test_the_letter_prints_class_number_and_the_title_with_its_session(letters) -> None:
    first = _flat(letters["kept-0"][0])
    assert "办复类别：B类" in first
    assert (
        first.index("办复类别")
        < first.index("镇经信〔2016〕8号")
        < first.index("关于政协第十届第三次会议第2号提案的答复")
    )
    assert first.count("镇经信〔2016〕8号") == 1


def test_every_page_of_the_letter_carries_its_number(letters) -> None:
    assert len(letters["kept-0"]) >= 2  # the letter runs over pages
    for name, pages in letters.items():
        assert _page_numbers_ok(pages), name


def test_the_signature_and_date_always_share_a_page_with_text(letters) -> None:
    # the probe reaches the split: without the keep settings some version leaves the 落款 alone
    unkept = [_beside_the_date(letters[f"unkept-{k}"]) for k in range(STEPS)]
    assert any(not together or not text for together, text in unkept), "the padding misses the page break"
    for k in range(STEPS):
        together, text = _beside_the_date(letters[f"kept-{k}"])
        assert together, k
        # the text beside them is the end of the letter (its last lines, at least)
        assert text.endswith(_flat(FILLER if k else CLOSING)[-10:]), k


def test_the_proposal_form_prints_its_labels_and_numbers_its_pages(tmp_path) -> None:
    split = split_proposal((SEED / "proposal.txt").read_text(encoding="utf-8"))
    form = proposal_form_docx(
        ProposalDocument(
            title="关于加强小型微型企业分级服务与管理的建议",
            number="第2号",
            session="政协 第十届第三次会议",
            proposer="戴培红",
            cosigners=["张三", "李四"],
            category="经济发展",
            submitted_on="2016年1月5日",
            accepted_on="2016年1月20日",
            lead_agencies=["镇海区经信局"],
            co_agencies=["镇海区商务局"],
            background=split.background,
            suggestions=[(s.marker or "", s.text) for s in split.suggestions],
        )
    )
    pages = _render(tmp_path, {"form": form})["form"]
    assert len(pages) >= 2 and _page_numbers_ok(pages)
    first = _flat(pages[0])
    labels = [FORM_LABELS[key] for key in ("number", "session", "title", "proposer", "joint", "submitted")]
    # each label on one line of the narrow column, in the order of the form
    positions = [first.index(label) for label in labels]
    assert positions == sorted(positions)
    assert "联合提案人" in pages[0].replace(" ", "")
    assert "2016年1月5日" in first and "2016年1月20日" in first
    assert "5．建立商业信息中心" in _flat("".join(pages))
