"""The seed loader: the manifest describes the files, loading twice adds nothing, bad input is one line."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from sqlmodel import Session

from tracker.config import REPO_ROOT
from tracker.services.seed import SeedError, load_manifest, seed, table_counts

SEEDS = REPO_ROOT / "seeds"
SHARED = REPO_ROOT.parent / "shared" / "seeds"


def test_seeding_again_changes_nothing(session: Session) -> None:
    before = table_counts(session=session)
    result = seed(session=session, seeds_dir=SEEDS)
    assert result.new_rows == 0
    assert table_counts(session=session) == before == result.totals
    assert before["proposal"] == 1 and before["reply"] == 1 and before["reference_document"] == 4
    assert before["point_link"] == 5


def test_summary_is_one_line(session: Session) -> None:
    summary = seed(session=session, seeds_dir=SEEDS).summary()
    assert "\n" not in summary
    assert summary.startswith("Seeded 0 new rows")
    assert "proposals 1" in summary and "links 5" in summary


def test_manifest_describes_every_seed_file() -> None:
    entries = load_manifest(SEEDS)
    listed = {e["path"] for e in entries}
    on_disk = {str(p.relative_to(SEEDS)) for p in SEEDS.rglob("*.txt")}
    assert listed == on_disk
    by_kind = {e["kind"] for e in entries}
    assert by_kind == {"proposal", "reply", "reference"}
    proposal = next(e for e in entries if e["kind"] == "proposal")
    assert (proposal["number"], proposal["proposer"], proposal["body"]) == (2, "戴培红", "政协")
    # nothing the documents do not state
    assert not {"meeting", "year", "submitted_on", "accepted_on", "date"} & set(proposal)


@pytest.mark.skipif(not SHARED.is_dir(), reason="the shared seed originals are not beside this checkout")
def test_seed_files_are_the_originals_byte_for_byte() -> None:
    entries = load_manifest(SEEDS)
    model = [e for e in entries if e["source"] == "002_e8f66bf86344e16c.txt"]
    joined = b"".join(
        (SEEDS / e["path"]).read_bytes() for e in sorted(model, key=lambda e: e["kind"] != "proposal")
    )
    assert joined == (SHARED / "002_e8f66bf86344e16c.txt").read_bytes()
    assert (SEEDS / model[1]["path"]).read_bytes().startswith("第2号提案的答复".encode())
    for entry in (e for e in entries if e["kind"] == "reference"):
        assert (SEEDS / entry["path"]).read_bytes() == (SHARED / entry["source"]).read_bytes()


def test_missing_manifest(tmp_path: Path, session: Session) -> None:
    with pytest.raises(SeedError, match=re.escape("manifest.toml: no such file")):
        seed(session=session, seeds_dir=tmp_path)


@pytest.mark.parametrize(
    ("manifest", "message"),
    [
        ("[[file]\n", "not valid TOML"),
        ('[[file]]\nkind = "proposal"\n', "has no 'path'"),
        ('[[file]]\npath = "a.txt"\nkind = "memo"\n', "unknown kind 'memo'"),
        ('[[file]]\npath = "a.txt"\nkind = "proposal"\n', "needs 'title'"),
        ('[[file]]\npath = "a.txt"\nkind = "proposal"\ntitle = "甲"\n', "a.txt: no such file"),
    ],
)
def test_bad_manifests_are_reported_in_one_line(
    tmp_path: Path, session: Session, manifest: str, message: str
) -> None:
    (tmp_path / "manifest.toml").write_text(manifest, encoding="utf-8")
    with pytest.raises(SeedError, match=re.escape(message)) as info:
        seed(session=session, seeds_dir=tmp_path)
    assert "\n" not in str(info.value)
