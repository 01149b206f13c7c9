"""Input decoding: UTF-8, UTF-8 with BOM, GB18030/GBK, or a clear refusal."""

from __future__ import annotations

from pathlib import Path

import pytest

from tracker.domain.splitting import split_proposal
from tracker.domain.textio import TextDecodeError, decode_text, read_text_file

TEXT = "为此建议：\n1．设立专门机构。\n2．加大培训力度。"


@pytest.mark.parametrize(
    "data",
    [
        pytest.param(TEXT.encode("utf-8"), id="utf-8"),
        pytest.param(b"\xef\xbb\xbf" + TEXT.encode("utf-8"), id="utf-8-bom"),
        pytest.param(TEXT.encode("gbk"), id="gbk"),
        pytest.param(TEXT.encode("gb18030"), id="gb18030"),
        pytest.param(TEXT.replace("\n", "\r\n").encode("gbk"), id="gbk-crlf"),
    ],
)
def test_decodes_to_the_same_text(data: bytes) -> None:
    text = decode_text(data)
    assert text == TEXT
    assert [u.title for u in split_proposal(text).suggestions] == ["设立专门机构", "加大培训力度"]


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        pytest.param(b"", "empty", id="empty"),
        pytest.param(b"  \n\t", "empty", id="blank"),
        pytest.param(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary", id="binary-nul"),
        pytest.param(bytes(range(1, 31)) * 20, "binary", id="binary-controls"),
        pytest.param("建议".encode() + b"\xff\xfe\xfd\x80", "neither UTF-8 nor GB18030", id="undecodable"),
    ],
)
def test_refuses_with_one_clear_line(data: bytes, reason: str) -> None:
    with pytest.raises(TextDecodeError) as info:
        decode_text(data, name="x.txt")
    message = str(info.value)
    assert reason in message and "\n" not in message and message.startswith("x.txt")


def test_read_text_file_errors(tmp_path: Path) -> None:
    with pytest.raises(TextDecodeError, match="no such file"):
        read_text_file(tmp_path / "missing.txt")
    with pytest.raises(TextDecodeError, match="is a directory"):
        read_text_file(tmp_path)
    gbk = tmp_path / "gbk.txt"
    gbk.write_bytes(TEXT.encode("gbk"))
    assert read_text_file(gbk) == TEXT
