from __future__ import annotations

from pathlib import Path

import pytest

SEED = Path(__file__).resolve().parents[2] / "seeds" / "proposals" / "cppcc-002"


@pytest.fixture
def model_proposal_text() -> str:
    return (SEED / "proposal.txt").read_text(encoding="utf-8")


@pytest.fixture
def model_reply_text() -> str:
    return (SEED / "reply.txt").read_text(encoding="utf-8")
