"""Two app servers on one PostgreSQL, as production runs them: two gunicorn processes (two workers
each), each with its own search index folder and its own process state (page cache, caches), one
database and one secret key. They must agree: what one changes, the other shows at once.

It runs in the PostgreSQL pass of `make test` (TRACKER_TEST_DB=postgres), on the throwaway server
that pass starts, and is skipped on SQLite.
"""

from __future__ import annotations

import http.cookiejar
import os
import re
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import Session, col, select

from tracker import create_app
from tracker.db import get_engine, session_scope
from tracker.models import Meeting, Proposal, ProposalStatus
from tracker.services.proposals import record_proposal

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        os.environ.get("TRACKER_TEST_DB") != "postgres", reason="runs in the PostgreSQL pass (make test)"
    ),
]

TITLE = "小型微型企业分级服务"  # in the seeded proposal No. 2's title
SECRET = "two-servers-share-this-secret-key"
TRACKER = Path(sys.executable).with_name("tracker")
SUBMITTED = 8  # proposals waiting to be accepted through both servers at once


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Server:
    base: str
    process: subprocess.Popen[bytes]


class Client:
    """A browser: its own cookies, the CSRF token of the last page it read."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar), _NoRedirect())
        self.token = ""
        self.headers: Any = {}

    def on(self, base: str) -> Client:
        """The same browser (cookies) sent to another server by the load balancer."""
        other = Client(base)
        other.jar = self.jar
        other.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.jar), _NoRedirect()
        )
        other.token = self.token
        return other

    def get(self, path: str) -> tuple[int, str]:
        status, body, self.headers = self._open(urllib.request.Request(self.base + path))
        found = re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', body)
        if found:
            self.token = found.group(1)
        return status, body

    def post(self, path: str, data: dict[str, str]) -> int:
        form = urllib.parse.urlencode({"csrf_token": self.token, **data}).encode()
        return self._open(urllib.request.Request(self.base + path, data=form, method="POST"))[0]

    def _open(self, request: urllib.request.Request) -> tuple[int, str, Any]:
        try:
            with self.opener.open(request, timeout=30) as response:
                return response.status, response.read().decode(), response.headers
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode(errors="replace"), error.headers

    def warm(self, path: str) -> str:
        """Read ``path`` until every worker serves it from its page cache (several hits in a row:
        a worker's index check and first render are over), and return it."""
        deadline, hits = time.monotonic() + 120, 0
        while hits < 8:
            status, body = self.get(path)
            assert status == 200 and time.monotonic() < deadline, "the page never came from the cache"
            hits = hits + 1 if self.headers.get("X-Page-Cache") == "hit" else 0
        return body

    def log_in(self, username: str, password: str) -> int:
        self.get("/login")
        return self.post("/login", {"username": username, "password": password})


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        return None  # a 303 is an answer here, not something to follow


def _wait_until_up(server: Server) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise RuntimeError(f"gunicorn at {server.base} exited: {server.process.returncode}")
        try:
            with urllib.request.urlopen(server.base + "/login", timeout=10):
                return
        except OSError:  # not listening yet, or too busy starting to answer
            time.sleep(0.2)
    raise RuntimeError(f"gunicorn at {server.base} did not start")


@pytest.fixture(scope="module")
def database_url(databases) -> Iterator[str]:  # type: ignore[no-untyped-def]
    database = databases.new("two_servers")
    yield database.url
    databases.drop(database)


@pytest.fixture(scope="module")
def servers(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Server, Server]]:
    env = {**os.environ, "DATABASE_URL": database_url, "TRACKER_SECRET_KEY": SECRET}
    env["TRACKER_SEARCH_INDEX_DIR"] = str(tmp_path_factory.mktemp("setup-index"))
    for command in (["db", "upgrade"], ["seed"]):
        done = subprocess.run([str(TRACKER), *command], env=env, capture_output=True, text=True, timeout=300)
        assert done.returncode == 0, done.stderr
    _submit_waiting_proposals(database_url, env["TRACKER_SEARCH_INDEX_DIR"])
    started: list[Server] = []
    try:
        for name in ("a", "b"):
            port = _free_port()
            server_env = {**env, "TRACKER_SEARCH_INDEX_DIR": str(tmp_path_factory.mktemp(f"index-{name}"))}
            process = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "gunicorn",
                    "-w",
                    "2",
                    "-b",
                    f"127.0.0.1:{port}",
                    "tracker:create_app()",
                ],
                env=server_env,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            started.append(Server(f"http://127.0.0.1:{port}", process))
        for server in started:
            _wait_until_up(server)
        yield started[0], started[1]
    finally:
        for server in started:
            server.process.terminate()
        for server in started:
            server.process.wait(timeout=30)


def _submit_waiting_proposals(url: str, index: str) -> None:
    app = create_app({"DATABASE_URL": url, "SEARCH_INDEX_DIR": index, "SEARCH_CHECK_ON_START": False})
    with session_scope(app) as session:
        for n in range(SUBMITTED):
            record_proposal(
                session=session,
                text=f"关于第{n}个问题。为此建议：1.加强第{n}项工作。2.完善第{n}项制度。",
                title=f"关于并行立案测试第{n}件的建议",
            )
        # published after No. 2, so withholding No. 2 leaves the latest publication moment as it was
        record_proposal(
            session=session,
            text="关于另一件事。为此建议：1.做好另一件事。",
            title="关于另一件已公开提案的建议",
            status=ProposalStatus.ACCEPTED.value,
            published_at=datetime.now(UTC),
        )
    get_engine(app).dispose()


def _session(url: str) -> Session:
    app = create_app({"DATABASE_URL": url, "SEARCH_CHECK_ON_START": False})
    return Session(get_engine(app))


def _eventually(check, seconds: float = 1.0) -> bool:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + seconds
    while True:
        if check():
            return True
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)


def test_a_proposal_withheld_on_one_server_leaves_the_other_servers_public_pages(
    servers: tuple[Server, Server], database_url: str
) -> None:
    a, b = servers
    public_b = Client(b.base)
    assert TITLE in public_b.warm("/proposals")  # kept in the page cache of each of B's workers
    assert TITLE in public_b.warm("/")
    with _session(database_url) as session:
        proposal_id = session.exec(select(Proposal.id).where(col(Proposal.title).contains(TITLE))).one()
    staff = Client(a.base)
    assert staff.log_in("staff", "staff-demo") == 303
    staff.get(f"/review/{proposal_id}")
    assert staff.post(f"/review/{proposal_id}/withhold", {"note": "涉及未公开信息"}) == 303
    assert _eventually(lambda: TITLE not in public_b.get("/proposals")[1])
    assert TITLE not in public_b.get("/")[1]
    assert public_b.get(f"/proposals/{proposal_id}")[0] == 404


def test_numbers_stay_unique_and_gapless_under_parallel_accepts_through_both(
    servers: tuple[Server, Server], database_url: str
) -> None:
    a, b = servers
    with _session(database_url) as session:
        waiting = session.exec(
            select(Proposal.id)
            .where(Proposal.status == ProposalStatus.SUBMITTED.value)
            .order_by(col(Proposal.id))
        ).all()
        meeting_id = session.exec(select(Meeting.id).where(col(Meeting.is_current).is_(True))).one()
    assert len(waiting) == SUBMITTED
    staff_a = Client(a.base)
    assert staff_a.log_in("staff", "staff-demo") == 303
    staff_a.get("/review")
    staff_b = staff_a.on(b.base)  # the same login, sent to the other server

    def accept(index_and_id: tuple[int, int]) -> int:
        index, proposal_id = index_and_id
        client = (staff_a, staff_b)[index % 2]
        return client.post(f"/review/{proposal_id}/accept", {"meeting": str(meeting_id), "note": ""})

    with ThreadPoolExecutor(max_workers=SUBMITTED) as pool:
        statuses = list(pool.map(accept, enumerate(waiting)))
    assert statuses == [303] * SUBMITTED
    with _session(database_url) as session:
        numbers = sorted(
            session.exec(
                select(Proposal.number).where(
                    col(Proposal.id).in_(waiting), Proposal.meeting_id == meeting_id
                )
            ).all()
        )
        taken = session.exec(
            select(Proposal.number).where(Proposal.meeting_id == meeting_id, col(Proposal.id).not_in(waiting))
        ).all()
    start = max([n for n in taken if n is not None], default=0) + 1
    assert numbers == list(range(start, start + SUBMITTED))  # unique, gapless, after the ones before


def test_the_login_limit_holds_across_both_servers(servers: tuple[Server, Server]) -> None:
    a, b = servers
    browser = Client(a.base)
    browser.get("/login")
    other = browser.on(b.base)
    tries = [
        (browser, other)[n % 2].post("/login", {"username": "member", "password": f"wrong {n}"})
        for n in range(5)
    ]
    assert tries == [200] * 5  # default LOGIN_RATE_LIMIT: 5 per minute from one address
    assert browser.post("/login", {"username": "member", "password": "member-demo"}) == 429
    assert other.post("/login", {"username": "member", "password": "member-demo"}) == 429
