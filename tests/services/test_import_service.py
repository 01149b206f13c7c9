"""tracker.services.imports: planning a run (each file read once, refused one by one, duplicates
and earlier imports settled by their hash) and the order documents are imported in."""

from __future__ import annotations

import pytest
from sqlmodel import Session

from tracker.domain.archive import DocKind
from tracker.services import imports
from tracker.services.imports import Outcome, Source

PROPOSAL = "关于加快老旧小区改造的提案\n提案人：王立超\n为此建议：\n一、加大资金投入。\n二、加快改造进度。"
REPLY = "关于第41号提案的答复\n王立超委员：\n您提出的提案收悉，现答复如下：\n一、关于资金。已安排。\n区住建局\n2017年6月3日"
POLICY = "甬政发〔2023〕12号\n关于促进中小企业发展的若干意见\n各区县（市）人民政府：\n第一条 总则。\n第二条 范围。\n第三条 措施。"


def test_a_reader_that_trips_refuses_that_file_only(
    session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = imports.read_document

    def tripping(data: bytes, name: str = "input"):
        if name == "odd.pdf":
            raise IndexError("list index out of range")  # as a PDF library does on a malformed file
        return real(data, name)

    monkeypatch.setattr(imports, "read_document", tripping)
    planned = imports.plan(
        session=session,
        sources=[Source("odd.pdf", b"%PDF-1.4 ..."), Source("a.txt", PROPOSAL.encode())],
    )
    odd, good = planned
    assert (odd.outcome, odd.code) == (Outcome.REFUSED, "damaged") and "odd.pdf" in odd.reason
    assert good.to_import and good.kind is DocKind.PROPOSAL


def test_the_same_bytes_twice_in_one_run_are_imported_once(session: Session) -> None:
    planned = imports.plan(
        session=session, sources=[Source("a/1.txt", PROPOSAL.encode()), Source("b/1.txt", PROPOSAL.encode())]
    )
    assert [p.outcome for p in planned] == ["", Outcome.DUPLICATE]
    assert planned[1].reason == "the same file as a/1.txt"


def test_proposals_come_first_then_policies_then_replies(session: Session) -> None:
    planned = imports.plan(
        session=session,
        sources=[
            Source("a-reply.txt", REPLY.encode()),
            Source("b-policy.txt", POLICY.encode()),
            Source("c-proposal.txt", PROPOSAL.encode()),
            Source("d-both.txt", (PROPOSAL + "\n" + REPLY).encode()),
        ],
    )
    assert [p.kind for p in planned] == [DocKind.REPLY, DocKind.POLICY, DocKind.PROPOSAL, DocKind.BOTH]
    order = [p.name for p in imports.import_order(planned)]
    assert order == ["c-proposal.txt", "d-both.txt", "b-policy.txt", "a-reply.txt"]
