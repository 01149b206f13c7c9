"""The index stays true to the database: concurrent writers, a deleted, corrupt or stale index.

Several processes write through the after-commit hook at once (as gunicorn workers do); each waits
for Whoosh's write lock, and whatever it cannot write in time waits in pending/ for a retry.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from flask import Flask
from sqlmodel import Session, select

from tracker.db import get_engine
from tracker.models import Proposal
from tracker.search import SearchRequest, get_backend
from tracker.search.whoosh.schema import INDEX_NAME, SCHEMA_VERSION, VERSION_FILE
from tracker.search.whoosh.writing import PENDING_DIR
from tracker.services.search_sync import get_keeper
from tracker.services.visibility import ANONYMOUS, Role, Viewer

STAFF = Viewer(Role.STAFF)

# One writer process: an app on the shared database and index, one proposal per transaction.
WRITER = textwrap.dedent(
    """
    import sys, time
    from datetime import UTC, datetime
    from pathlib import Path
    from tracker import create_app
    from tracker.db import session_scope
    from tracker.models import Proposal, Suggestion

    database, index, first, count, go = sys.argv[1:]
    app = create_app({
        "TESTING": True, "SECRET_KEY": "writer", "DATABASE_URL": database,
        "SEARCH_INDEX_DIR": index, "SEARCH_CHECK_ON_START": False, "SEARCH_LOCK_TIMEOUT": 60,
    })
    while not Path(go).exists():  # start together
        time.sleep(0.005)
    for i in range(int(first), int(first) + int(count)):
        with session_scope(app) as session:
            proposal = Proposal(
                title=f"关于并发写入第{i}项的建议", number=1000 + i, status="submitted",
                original_text=f"writer{i:04d}", published_at=datetime.now(UTC),
            )
            session.add(proposal)
            session.flush()
            session.add(Suggestion(
                proposal_id=proposal.id, position=0, n=1, marker="1.", title="并发测试",
                text=f"并发测试。标记writer{i:04d}。",
            ))
    """
)


@pytest.mark.slow
def test_processes_writing_at_once_lose_no_update(app: Flask, tmp_path: Path) -> None:
    processes, per_process = 2, 100
    database = app.config["DATABASE_URL"]
    index = app.config["SEARCH_INDEX_DIR"]
    go = tmp_path / "go"
    env = {**os.environ, "PYTHONWARNINGS": "error"}
    workers = [
        subprocess.Popen(
            [sys.executable, "-c", WRITER, database, index, str(n * per_process), str(per_process), str(go)],
            env=env,
            stderr=subprocess.PIPE,
            text=True,
        )
        for n in range(processes)
    ]
    time.sleep(0.3)
    go.touch()
    for worker in workers:
        _out, err = worker.communicate(timeout=120)
        assert worker.returncode == 0, err

    backend = get_backend(app)
    total = processes * per_process
    results = backend.search(SearchRequest(text="并发测试", viewer=ANONYMOUS, page_size=total))
    assert results.total == total
    with Session(get_engine(app)) as session:
        ids = set(session.exec(select(Proposal.id).where(Proposal.number >= 1000)).all())
    assert {g.facts.proposal_id for g in results.groups} == ids
    assert all(backend.count(f"writer{i:04d}", viewer=ANONYMOUS) == 1 for i in range(0, total, 7))
    assert not backend.pending()
    assert get_keeper(app).check() == "up to date"


def _delete_the_index(app: Flask) -> None:
    get_backend(app).close()
    shutil.rmtree(app.config["SEARCH_INDEX_DIR"])


def test_a_deleted_index_is_rebuilt_when_the_app_starts(app: Flask, restart) -> None:
    _delete_the_index(app)
    started = restart(app)
    client = started.test_client()
    assert client.get("/").status_code == 200  # pages do not wait for the index
    response = client.get("/api/search?q=培训")  # a search waits (a little) for the check
    assert response.get_json()["total"] == 3
    assert get_keeper(started).last_check.startswith("rebuilt a missing or unreadable index")
    assert get_backend(started).doc_count() == 135


def test_a_corrupt_index_is_rebuilt_when_the_app_starts(app: Flask, restart) -> None:
    get_backend(app).close()
    index = Path(app.config["SEARCH_INDEX_DIR"])
    for toc in index.glob(f"_{INDEX_NAME}_*.toc"):
        toc.write_bytes(b"not an index")
    started = restart(app)
    started.test_client().get("/")
    assert get_keeper(started).wait_ready(10)
    assert get_keeper(started).last_check.startswith("rebuilt")
    assert get_backend(started).count("培训", viewer=ANONYMOUS) == 3


def test_an_index_of_another_schema_version_is_rebuilt(app: Flask, restart) -> None:
    get_backend(app).close()
    (Path(app.config["SEARCH_INDEX_DIR"]) / VERSION_FILE).write_text(f"{SCHEMA_VERSION - 1}\n")
    started = restart(app)
    started.test_client().get("/")
    assert get_keeper(started).wait_ready(10)
    assert get_keeper(started).last_check.startswith("rebuilt")
    assert get_backend(started).count("培训", viewer=ANONYMOUS) == 3


def test_stale_groups_are_reindexed_at_start(app: Flask, restart) -> None:
    backend = get_backend(app)
    backend.delete(["p1"])  # the index lost proposal No. 2 (say, a write that never happened)
    assert backend.count("培训", viewer=ANONYMOUS) == 2
    started = restart(app)
    started.test_client().get("/")
    assert get_keeper(started).wait_ready(10)
    assert get_keeper(started).last_check == "re-indexed 1 stale groups"
    assert get_backend(started).count("培训", viewer=ANONYMOUS) == 3


def test_updates_left_pending_by_a_crash_are_applied_at_start(app: Flask, session: Session, restart) -> None:
    proposal = session.get(Proposal, 1)
    assert proposal is not None
    backend = get_backend(app)
    backend.close()
    # A worker committed a new title, wrote its ticket and died before taking the index lock.
    pending = Path(app.config["SEARCH_INDEX_DIR"]) / PENDING_DIR
    pending.mkdir(exist_ok=True)
    (pending / "1-999-crashed.json").write_text('["p1"]')
    with Session(get_engine(app)) as other:
        # written without the app's hook, as if by the process that crashed
        other.info["tracker.search.changed"] = set()
        row = other.get(Proposal, 1)
        row.title = "关于加强小微企业分级服务与管理的建议（修改稿）"
        other.add(row)
        other.flush()
        other.info.pop("tracker.search.changed", None)
        other.commit()
    started = restart(app)
    started.test_client().get("/")
    assert get_keeper(started).wait_ready(10)
    assert "applied pending updates" in get_keeper(started).last_check
    assert get_backend(started).count("修改稿", viewer=ANONYMOUS) == 1
    assert not get_backend(started).pending()


def test_the_check_finds_a_fresh_index_up_to_date(app: Flask) -> None:
    assert get_keeper(app).check() == "up to date"


def test_workers_starting_together_rebuild_a_missing_index_once(app: Flask, restart) -> None:
    _delete_the_index(app)
    first, second = restart(app), restart(app)
    for started in (first, second):
        get_keeper(started).start_check()
    checks = sorted(get_keeper(s).last_check for s in (first, second) if get_keeper(s).wait_ready(30))
    assert len(checks) == 2
    assert checks[0].startswith("rebuilt a missing or unreadable index") and checks[1] == "up to date"
