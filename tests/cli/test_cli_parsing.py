"""`tracker split-proposal` / `tracker split-reply`: the JSON contract and bad input."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from tracker.cli import main

SEED = Path(__file__).resolve().parents[2] / "seeds" / "proposals" / "cppcc-002"
PROPOSAL, REPLY = SEED / "proposal.txt", SEED / "reply.txt"


def run(*args: str) -> tuple[int, dict, str]:
    result = CliRunner().invoke(main, list(args))
    data = json.loads(result.stdout) if result.exit_code == 0 else {}
    return result.exit_code, data, result.stderr


def test_split_proposal_gives_the_five_suggestions_as_written() -> None:
    code, data, _ = run("split-proposal", str(PROPOSAL))
    assert code == 0
    got = [(s["n"], s["marker"], s["title"]) for s in data["suggestions"]]
    assert got == [
        (1, "1.", "设立专门的服务与管理机构"),
        (2, "2.", "实行分级服务与管理"),
        (3, "3．", "加大培训力度"),
        (4, "4．", "加强联系与沟通"),
        (5, "5．", "建立商业信息中心"),
    ]
    # text starts right after the marker and ends with the suggestion
    assert data["suggestions"][0]["text"].startswith("设立专门的服务与管理机构。建议政府")
    assert data["suggestions"][4]["text"].endswith("促进小型微型企业的良性循环发展。")


def test_split_reply_with_proposal_links_point_by_point() -> None:
    code, data, _ = run("split-reply", str(REPLY), "--proposal", str(PROPOSAL))
    assert code == 0
    assert data["salutation"] == "戴培红委员"
    assert data["preamble"].endswith("现答复如下：")
    assert data["closing"].startswith("下步，我们将")
    assert data["signature"] == "镇海区经信局"
    points = data["points"]
    assert [(p["n"], p["marker"], p["answers"]) for p in points] == [
        (i, m, [i]) for i, m in enumerate(["一、", "二、", "三、", "四、", "五、"], 1)
    ]
    assert points[4]["heading"] == "关于“商业信息中心”"
    assert points[4]["links"][0]["method"] == "title"
    assert all(set(p) >= {"n", "marker", "heading", "text", "answers"} for p in points)


def test_split_reply_without_proposal_leaves_answers_empty() -> None:
    code, data, _ = run("split-reply", str(REPLY))
    assert code == 0
    assert [p["answers"] for p in data["points"]] == [[]] * 5


@pytest.mark.parametrize(
    "head",
    ["关于区政协第4号提案的答复\n镇人社函〔2026〕31号", "镇人社函〔2026〕31号\n关于区政协第4号提案的答复"],
    ids=["title-then-number", "number-then-title"],
)
def test_split_reply_gives_title_and_doc_number_apart(tmp_path: Path, head: str) -> None:
    letter = tmp_path / "letter.txt"
    letter.write_text(
        head
        + "\n张三委员：\n您提出的提案收悉，现答复如下：\n一、已落实。\n二、在推进。\n镇人社局\n2026年3月1日",
        encoding="utf-8",
    )
    code, data, _ = run("split-reply", str(letter))
    assert code == 0
    assert (data["title"], data["doc_number"]) == ("关于区政协第4号提案的答复", "镇人社函〔2026〕31号")


def test_gbk_input_is_read(tmp_path: Path) -> None:
    gbk = tmp_path / "gbk.txt"
    gbk.write_bytes(PROPOSAL.read_text(encoding="utf-8").encode("gb18030"))
    code, data, _ = run("split-proposal", str(gbk))
    assert code == 0 and len(data["suggestions"]) == 5


@pytest.mark.parametrize(
    ("content", "message"),
    [
        pytest.param(None, "no such file", id="missing"),
        pytest.param(b"", "the file is empty", id="empty"),
        pytest.param(b"\x7fELF\x02\x01\x01\x00\x00\x00\x00", "binary file", id="binary"),
        pytest.param("建议".encode() + b"\xff\xfe\x80\x81", "neither UTF-8 nor GB18030", id="undecodable"),
        pytest.param("dir", "is a directory", id="directory"),
    ],
)
@pytest.mark.parametrize("command", ["split-proposal", "split-reply"])
def test_bad_input_exits_nonzero_with_one_line(tmp_path: Path, command: str, content, message: str) -> None:
    path = tmp_path / "input.txt"
    if content == "dir":
        path.mkdir()
    elif content is not None:
        path.write_bytes(content)
    code, _, stderr = run(command, str(path))
    assert code != 0
    assert stderr.strip().count("\n") == 0 and message in stderr
    assert "Traceback" not in stderr


def test_bad_proposal_file_for_split_reply(tmp_path: Path) -> None:
    code, _, stderr = run("split-reply", str(REPLY), "--proposal", str(tmp_path / "none.txt"))
    assert code != 0 and "no such file" in stderr and stderr.strip().count("\n") == 0


def _as_docx(text: str, path: Path) -> None:
    from tests.reading.renditions import write_docx

    assert write_docx(text, path) > 0  # the markers in Word's automatic numbering


@pytest.mark.parametrize(
    ("suffix", "write"),
    [
        pytest.param(".docx", _as_docx, id="docx-automatic-numbering"),
        pytest.param(".txt", lambda t, p: p.write_bytes(t.encode("utf-16")), id="utf-16"),
        pytest.param(".txt", lambda t, p: p.write_bytes(t.replace("\n", "\r\n").encode("gbk")), id="gbk"),
        pytest.param(
            ".html",
            lambda t, p: p.write_text(
                "<html><body><div>"
                + "".join(f"<p>{line}</p>" for line in t.split("\n"))
                + "</div></body></html>",
                encoding="utf-8",
            ),
            id="html",
        ),
    ],
)
def test_every_format_gives_the_same_json(tmp_path: Path, suffix: str, write) -> None:
    proposal, reply = tmp_path / f"proposal{suffix}", tmp_path / f"reply{suffix}"
    write(PROPOSAL.read_text(encoding="utf-8"), proposal)
    write(REPLY.read_text(encoding="utf-8"), reply)

    def essentials(data: dict, key: str) -> list:
        return [(u["n"], u["marker"], u.get("answers"), "".join(u["text"].split())) for u in data[key]]

    code, got, _ = run("split-proposal", str(proposal))
    assert code == 0
    assert essentials(got, "suggestions") == essentials(
        run("split-proposal", str(PROPOSAL))[1], "suggestions"
    )
    code, got, _ = run("split-reply", str(reply), "--proposal", str(proposal))
    assert code == 0
    want = run("split-reply", str(REPLY), "--proposal", str(PROPOSAL))[1]
    assert essentials(got, "points") == essentials(want, "points")
    assert [got[k] for k in ("salutation", "signature", "date")] == [
        want[k] for k in ("salutation", "signature", "date")
    ]


@pytest.mark.parametrize(
    ("name", "make", "message"),
    [
        pytest.param(
            "scan.pdf", "_scanned_pdf", "no text layer (a scan?); OCR is not supported", id="scanned-pdf"
        ),
        pytest.param("secret.pdf", "_encrypted_pdf", "the PDF is encrypted", id="encrypted-pdf"),
        pytest.param("secret.docx", "_encrypted_docx", "the Word document is encrypted", id="encrypted-docx"),
    ],
)
@pytest.mark.parametrize("command", ["split-proposal", "split-reply"])
def test_refused_documents_exit_1_with_the_reason(
    tmp_path: Path, command: str, name: str, make: str, message: str
) -> None:
    from tests.reading import test_readers

    maker = getattr(test_readers, make)
    path = tmp_path / name
    path.write_bytes(maker(tmp_path) if make == "_encrypted_docx" else maker())
    result = CliRunner().invoke(main, [command, str(path)])
    assert result.exit_code == 1
    assert result.stderr.strip().count("\n") == 0 and message in result.stderr
    assert "Traceback" not in result.stderr and result.stdout == ""
