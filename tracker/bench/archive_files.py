"""An office's archive as files, for the import's acceptance test and benchmark (issue 13).

Built from tracker/bench/corpus.py's generator (so from seeds/): each proposal becomes a file with
its title, 届次, 案号 and 提案人 lines, each reply a letter file; the format of each file follows a
rotating mix (UTF-8, GBK or UTF-16 text, .docx, .html, and whatever the caller adds, e.g. .pdf
made by LibreOffice), and a manifest (CSV) supplies what some files lack. The replies vary the
way real ones do, so every pairing path is used:

- ``number``: the reply's title states the session and 案号 (most letters);
- ``manifest``: no title line; the manifest's row gives the session and 案号;
- ``quoted``: no title line and no manifest row; the title it quotes finds the proposal;
- ``similar``: like ``quoted``, but the quoted title is reworded; the pairing is by similarity.

``Truth`` records what each file should become, so a test can check every row.
"""

from __future__ import annotations

import csv
import io
import random
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from tracker.bench.corpus import GeneratedProposal, generate

Writer = Callable[[str, Path], Path]  # (text, path without suffix) → the file written

MIX = ("txt", "gbk", "utf16", "docx", "html")


@dataclass
class TruthProposal:
    file: str
    session: str
    number: int
    title: str
    suggestions: int
    public: bool


@dataclass
class TruthReply:
    file: str
    session: str
    number: int  # the proposal's 案号
    answers: list[int]  # the suggestion each point answers, in point order
    pairing: str  # number | manifest | quoted | similar


@dataclass
class Truth:
    proposals: list[TruthProposal] = field(default_factory=list)
    replies: list[TruthReply] = field(default_factory=list)
    manifest: Path | None = None

    @property
    def documents(self) -> int:
        return len(self.proposals) + len(self.replies)


def _txt(encoding: str) -> Writer:
    def write(text: str, path: Path) -> Path:
        out = path.with_suffix(".txt")
        data = text.replace("\n", "\r\n") if encoding == "gbk" else text
        out.write_bytes(data.encode(encoding))
        return out

    return write


def write_html(text: str, path: Path) -> Path:
    """A page as a government site serves it: navigation and footer around the letter."""
    from html import escape

    lines = [ln for ln in text.split("\n") if ln.strip()]
    body = f"<h1>{escape(lines[0])}</h1>" + "".join(f"<p>{escape(ln)}</p>" for ln in lines[1:])
    page = (
        '<!DOCTYPE html><html><head><meta charset="utf-8"><title>'
        + escape(lines[0])
        + "</title></head><body><div class='nav'><a href='/'>首页</a> <a href='/zwgk'>政务公开</a></div>"
        + f"<div class='article'>{body}</div><div class='footer'>版权所有 主办单位：某区人民政府办公室</div>"
        + "</body></html>"
    )
    out = path.with_suffix(".html")
    out.write_text(page, encoding="utf-8")
    return out


def write_plain_docx(text: str, path: Path) -> Path:
    """A .docx with one paragraph per line (markers typed in the text)."""
    from docx import Document

    doc = Document()
    for line in text.split("\n"):
        if line.strip():
            doc.add_paragraph(line.strip())
    out = path.with_suffix(".docx")
    doc.save(str(out))
    return out


WRITERS: dict[str, Writer] = {
    "txt": _txt("utf-8"),
    "gbk": _txt("gbk"),
    "utf16": _txt("utf-16"),  # with its BOM, as Windows Notepad saves "Unicode"
    "html": write_html,
    "docx": write_plain_docx,
}


def proposal_file_text(p: GeneratedProposal, *, header: bool) -> str:
    lines = [p.title]
    if header:
        lines += [f"届次：{p.session_name}", f"案号：第{p.number}号"]
    lines.append(f"提案人：{p.proposer}")
    return "\n".join(lines) + "\n" + p.text


def _reworded(title: str) -> str:
    core = title.removeprefix("关于").removesuffix("的提案")
    return f"关于进一步{core}工作的建议"


def write_archive(
    folder: Path,
    *,
    documents: int,
    seed: int,
    seeds_dir: Path,
    mix: Sequence[str] = MIX,
    writers: Mapping[str, Writer] | None = None,
    public_share: float = 0.5,
) -> Truth:
    """Write about ``documents`` files (proposals and their replies) under ``folder``, one
    sub-folder per session, and ``manifest.csv`` beside them."""
    writers = {**WRITERS, **(writers or {})}
    rng = random.Random(seed)
    corpus = generate(proposals=max(10, documents * 2), seed=seed, seeds_dir=seeds_dir)
    folder.mkdir(parents=True, exist_ok=True)
    truth = Truth()
    manifest_rows: list[list[str]] = []
    titles: set[str] = set()
    counter = 0

    def write(text: str, rel: str) -> str:
        nonlocal counter
        fmt = mix[counter % len(mix)]
        counter += 1
        target = folder / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        return writers[fmt](text, target).relative_to(folder).as_posix()

    for p in corpus.proposals:
        if truth.documents >= documents:
            break
        if p.state in ("draft", "merged"):
            continue
        if p.title in titles:
            # a title twice would make "pairing by the quoted title" ambiguous by design
            old = p.title
            p.title = f"关于{'和'.join(p.suggestion_titles[:2])}的提案"
            if p.title in titles:
                continue
            if p.reply is not None:
                p.reply.text = p.reply.text.replace(old, p.title, 1)
        titles.add(p.title)
        year_dir = f"{p.year}"
        header = rng.random() < 0.8
        public = rng.random() < public_share
        name = write(proposal_file_text(p, header=header), f"{year_dir}/提案{p.year}-{p.number:03d}")
        truth.proposals.append(
            TruthProposal(name, p.session_name, p.number, p.title, len(p.suggestion_titles), public)
        )
        if not header or public:
            manifest_rows.append(
                [name, p.session_name, str(p.number), p.proposer, p.category, "是" if public else "否", ""]
            )
        if p.reply is None or truth.documents >= documents:
            continue
        roll = rng.random()
        pairing = (
            "number" if roll < 0.6 else "manifest" if roll < 0.75 else "quoted" if roll < 0.92 else "similar"
        )
        text = p.reply.text
        if pairing != "number":
            text = text.split("\n", 1)[1]  # no title line: nothing in the letter names the 案号
        if pairing == "similar":
            text = text.replace(p.title, _reworded(p.title), 1)
        name = write(text, f"{year_dir}/答复-{rng.randrange(10**6):06d}")
        truth.replies.append(TruthReply(name, p.session_name, p.number, p.reply.answers, pairing))
        if pairing == "manifest":
            manifest_rows.append([name, p.session_name, str(p.number), "", "", "", p.reply.agency])
    buffer = io.StringIO()
    out = csv.writer(buffer)
    out.writerow(["文件名", "届次", "案号", "提案人", "类别", "公开", "主办单位"])
    out.writerows(manifest_rows)
    truth.manifest = folder.parent / f"{folder.name}-manifest.csv"
    truth.manifest.write_bytes(buffer.getvalue().encode("gb18030"))  # as Excel on Chinese Windows saves it
    return truth
