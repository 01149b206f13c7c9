"""App, client, runner and session fixtures over a temporary SQLite file migrated with Alembic.

The seeded database is built once per test session and copied for each test, so every test
starts from the same migrated and seeded state and may change it freely.
"""

from __future__ import annotations

import functools
import os
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from sqlmodel import Session, select

from tracker import create_app, migrate
from tracker.db import get_engine, session_scope
from tracker.models import (
    Agency,
    Assignment,
    Meeting,
    Member,
    PointLink,
    Proposal,
    Reply,
    ReplyPoint,
    Suggestion,
    User,
)
from tracker.search import get_backend
from tracker.services import workflow
from tracker.services.accounts import hash_password, seed_demo_accounts, start_session
from tracker.services.proposals import record_proposal
from tracker.services.seed import seed
from tracker.services.visibility import Role, Viewer

SEEDS = Path(__file__).resolve().parents[1] / "seeds" / "proposals" / "cppcc-002"
CASE_DAY = date.today()


# The suites run on SQLite by default; TRACKER_TEST_DB=postgres runs them on a throwaway PostgreSQL
# server (tracker/testing/postgres.py), or on TRACKER_TEST_POSTGRES_URL's server when that is set.
TEST_DB = os.environ.get("TRACKER_TEST_DB", "sqlite")
# TRACKER_TEST_SEARCH=postgres (with TRACKER_TEST_DB=postgres) makes every test app search with the
# PostgreSQL backend; Whoosh otherwise.
TEST_SEARCH = os.environ.get("TRACKER_TEST_SEARCH", "whoosh")


def index_dir(db_path: Path) -> Path:
    """Each test database has its own search index beside it."""
    return db_path.with_name(f"{db_path.stem}-search-index")


@dataclass(frozen=True)
class TestDatabase:
    """A database for one test (or the seeded template) and the search index that goes with it."""

    __test__ = False  # not a test class
    url: str
    index: Path
    name: str


class Databases:
    """Makes and drops test databases: files on SQLite, databases of one server on PostgreSQL, each
    new one empty or a copy of a template (with a copy of the template's search index)."""

    def __init__(self, root: Path, admin_url: str | None) -> None:
        self.root = root
        self.admin_url = admin_url  # None: SQLite files
        self._count = 0

    def new(self, prefix: str, template: TestDatabase | None = None) -> TestDatabase:
        self._count += 1
        name = f"{prefix}_{os.getpid()}_{self._count}"
        folder = self.root / name
        folder.mkdir()
        if self.admin_url is None:
            path = folder / "tracker.db"
            if template is not None:
                shutil.copyfile(template.url.removeprefix("sqlite:///"), path)
            url = f"sqlite:///{path}"
        else:
            from tracker.testing.postgres import create_database

            create_database(self.admin_url, name, template=template.name if template else None)
            url = self.admin_url.rsplit("/", 1)[0] + f"/{name}"
        index = folder / "search-index"
        if template is not None and template.index.exists():
            shutil.copytree(template.index, index)
        return TestDatabase(url=url, index=index, name=name)

    def drop(self, database: TestDatabase) -> None:
        if self.admin_url is not None:
            from tracker.testing.postgres import drop_database

            drop_database(self.admin_url, database.name)
        shutil.rmtree(self.root / database.name, ignore_errors=True)


@pytest.fixture(scope="session")
def databases(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Databases]:
    root = tmp_path_factory.mktemp("databases")
    if TEST_DB == "sqlite":
        yield Databases(root, None)
        return
    if TEST_DB != "postgres":
        raise pytest.UsageError(f"TRACKER_TEST_DB must be sqlite or postgres, not {TEST_DB!r}")
    given = os.environ.get("TRACKER_TEST_POSTGRES_URL")
    if given:
        yield Databases(root, given)
        return
    from tracker.testing.postgres import start_cluster

    cluster = start_cluster()
    try:
        yield Databases(root, cluster.admin_url)
    finally:
        cluster.stop()


@pytest.fixture(scope="session", autouse=True)
def _search_index_outside_the_repository(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Apps a test builds without a test config (the CLI with DATABASE_URL set, say) keep their
    search index in a temporary folder, never in the repository's instance/."""
    previous = os.environ.get("TRACKER_SEARCH_INDEX_DIR")
    os.environ["TRACKER_SEARCH_INDEX_DIR"] = str(tmp_path_factory.mktemp("env-search-index"))
    yield
    if previous is None:
        os.environ.pop("TRACKER_SEARCH_INDEX_DIR", None)
    else:
        os.environ["TRACKER_SEARCH_INDEX_DIR"] = previous


def make_app(db: Path | TestDatabase, **overrides: Any) -> Flask:
    """An app on a test database: a SQLite file (its index beside it) or a ``TestDatabase``."""
    if isinstance(db, TestDatabase):
        url, index = db.url, db.index
    else:
        url, index = f"sqlite:///{db}", index_dir(db)
    config = {
        "TESTING": True,
        "SECRET_KEY": "test",
        "DATABASE_URL": url,
        "SEARCH_INDEX_DIR": str(index),
        "OPEN_DATA_DIR": str(Path(index).parent / f"{Path(index).name}-open-data"),
        # The start-up check of the index runs in a thread; tests that are about it turn it on.
        "SEARCH_CHECK_ON_START": False,
        # Tests post forms without tokens; tests/web/test_web_csrf.py turns CSRF on to check every form.
        "WTF_CSRF_ENABLED": False,
        "SEARCH_BACKEND": TEST_SEARCH,
    }
    return create_app({**config, **overrides})


def close_app(app: Flask) -> None:
    get_backend(app).close()
    get_engine(app).dispose()


@pytest.fixture(scope="session")
def seeded_template(databases: Databases) -> TestDatabase:
    """A migrated, seeded database, and its search index (filled by the commit of the seed)."""
    template = databases.new("seeded")
    app = make_app(template)
    migrate.upgrade(app, "head")
    with session_scope(app) as session:
        seed(session=session, seeds_dir=app.config["SEEDS_DIR"])
        seed_demo_accounts(session=session)  # member, agency, staff, admin (see README)
    close_app(app)
    return template


@pytest.fixture
def test_database(databases: Databases, seeded_template: TestDatabase) -> Iterator[TestDatabase]:
    """This test's own copy of the seeded database and index."""
    database = databases.new("t", template=seeded_template)
    yield database
    databases.drop(database)


@pytest.fixture
def app(test_database: TestDatabase) -> Iterator[Flask]:
    app = make_app(test_database)
    yield app
    close_app(app)


@pytest.fixture
def fresh_app(databases: Databases) -> Iterator[Flask]:
    """An app on an empty database: no tables at all."""
    database = databases.new("fresh")
    app = make_app(database)
    yield app
    close_app(app)
    databases.drop(database)


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def runner(app: Flask) -> FlaskCliRunner:
    return app.test_cli_runner()


@pytest.fixture
def session(app: Flask) -> Iterator[Session]:
    """A session on the test database; tests commit what pages should see."""
    with Session(get_engine(app)) as session:
        yield session


# -- row factories ----------------------------------------------------------------------------------
# Plain functions ``make_x(session, **overrides)`` that add, flush and return a row. They write rows
# directly (no parsing), for tests about listing and display rather than splitting. Tests reach them
# through the ``make`` fixture (helper modules cannot be imported under --import-mode=importlib).


def _add(session: Session, row: Any) -> Any:
    session.add(row)
    session.flush()
    return row


def make_meeting(session: Session, **overrides: Any) -> Meeting:
    values = {"body": "政协", "name": "第十届第三次会议", "year": 2024} | overrides
    return _add(session, Meeting(**values))


def make_member(session: Session, **overrides: Any) -> Member:
    return _add(session, Member(**({"name": "张三", "kind": "member"} | overrides)))


def make_agency(session: Session, **overrides: Any) -> Agency:
    return _add(session, Agency(**({"name": "区教育局"} | overrides)))


def make_proposal(session: Session, **overrides: Any) -> Proposal:
    values = {"title": "关于测试的建议", "status": "submitted", "original_text": "测试。"} | overrides
    return _add(session, Proposal(**values))


def make_suggestion(session: Session, proposal: Proposal, **overrides: Any) -> Suggestion:
    values = {
        "proposal_id": proposal.id,
        "position": 0,
        "n": 1,
        "marker": "1.",
        "title": "建议一",
        "text": "建议一。内容。",
    } | overrides
    return _add(session, Suggestion(**values))


def make_reply(session: Session, proposal: Proposal, **overrides: Any) -> Reply:
    values = {"proposal_id": proposal.id, "title": "答复", "salutation": "张三委员", "signature": "区教育局"}
    return _add(session, Reply(**(values | overrides)))


def make_point(session: Session, reply: Reply, **overrides: Any) -> ReplyPoint:
    values = {
        "reply_id": reply.id,
        "position": 0,
        "n": 1,
        "marker": "一、",
        "heading": "关于“建议一”",
        "text": "关于“建议一”。已办理。",
    } | overrides
    return _add(session, ReplyPoint(**values))


def make_link(session: Session, point: ReplyPoint, suggestion: Suggestion, **overrides: Any) -> PointLink:
    values = {
        "reply_point_id": point.id,
        "suggestion_id": suggestion.id,
        "method": "manual",
        "confidence": 1.0,
    } | overrides
    return _add(session, PointLink(**values))


TEST_PASSWORD = "password-for-tests"


@functools.cache
def _test_password_hash() -> str:
    return hash_password(TEST_PASSWORD)  # hashing is slow on purpose: once per test run


def make_user(session: Session, **overrides: Any) -> User:
    """An account whose password is TEST_PASSWORD."""
    values = {"username": "someone", "role": "staff", "password_hash": _test_password_hash()} | overrides
    return _add(session, User(**values))


class Factories:
    """The factories above, bound to one session: ``make.proposal(title=...)``."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def meeting(self, **overrides: Any) -> Meeting:
        return make_meeting(self.session, **overrides)

    def member(self, **overrides: Any) -> Member:
        return make_member(self.session, **overrides)

    def agency(self, **overrides: Any) -> Agency:
        return make_agency(self.session, **overrides)

    def proposal(self, **overrides: Any) -> Proposal:
        return make_proposal(self.session, **overrides)

    def suggestion(self, proposal: Proposal, **overrides: Any) -> Suggestion:
        return make_suggestion(self.session, proposal, **overrides)

    def reply(self, proposal: Proposal, **overrides: Any) -> Reply:
        return make_reply(self.session, proposal, **overrides)

    def point(self, reply: Reply, **overrides: Any) -> ReplyPoint:
        return make_point(self.session, reply, **overrides)

    def link(self, point: ReplyPoint, suggestion: Suggestion, **overrides: Any) -> PointLink:
        return make_link(self.session, point, suggestion, **overrides)

    def user(self, **overrides: Any) -> User:
        return make_user(self.session, **overrides)


@pytest.fixture
def make(session: Session) -> Factories:
    return Factories(session)


# -- logging in -------------------------------------------------------------------------------------


@pytest.fixture
def login(app: Flask):
    """``login(client, "staff")``: log a test client in as an account, without the slow password check.

    Writes what Flask-Login's ``login_user`` writes into the session; the login form itself is
    tested in tests/web/test_web_accounts.py.
    """

    def log_in(client: FlaskClient, username: str) -> User:
        with Session(get_engine(app)) as session:
            user = session.exec(select(User).where(User.username == username)).one()
            token = start_session(session=session, user=user, now=datetime.now(UTC))
            session.commit()
            session.refresh(user)
            session.expunge(user)
        with client.session_transaction() as cookie:
            cookie["_user_id"] = token
            cookie["_fresh"] = True
        return user

    return log_in


# -- the model case, assigned (issue 4: replies) ------------------------------------------------------


@dataclass
class AssignedCase:
    """The seed proposal submitted anew by 戴培红 (the demo member), accepted and assigned to 镇海区经信局
    (the demo agency, lead) and 镇海区商务局 (co-handling), as in the browser flow."""

    proposal_id: int
    suggestion_ids: list[int]
    member: Viewer  # the proposer, demo account "member"
    lead: Viewer  # demo account "agency" (镇海区经信局)
    co: Viewer  # an account of 镇海区商务局
    staff: Viewer  # demo account "staff"
    assigned_on: date
    deadline: date


@pytest.fixture
def assigned_case(session: Session) -> AssignedCase:
    users = {u.username: u for u in session.exec(select(User)).all()}
    commerce = session.exec(select(Agency).where(Agency.name == "镇海区商务局")).one()
    co_user = make_user(session, username="shangwu", role="agency", agency_id=commerce.id)
    member = Viewer(Role.MEMBER, member_id=users["member"].member_id, user_id=users["member"].id)
    lead = Viewer(Role.AGENCY, agency_id=users["agency"].agency_id, user_id=users["agency"].id)
    staff = Viewer(Role.STAFF, user_id=users["staff"].id)
    proposer = session.get(Member, users["member"].member_id)
    meeting = session.exec(select(Meeting)).first()
    proposal = record_proposal(
        session=session,
        text=(SEEDS / "proposal.txt").read_text(encoding="utf-8"),
        title="关于加强小型微型企业分级服务与管理的建议（新提交）",
        proposer=proposer,
        meeting=meeting,
        category="经济发展",
        submitted_on=CASE_DAY,
    )
    workflow.accept(session=session, proposal_id=proposal.id, actor=staff, today=CASE_DAY)
    workflow.assign(
        session=session,
        proposal_ids=[proposal.id],
        actor=staff,
        lead_agency_id=lead.agency_id,
        co_agency_ids=[commerce.id],
        today=CASE_DAY,
    )
    session.commit()
    suggestions = session.exec(
        select(Suggestion)
        .where(Suggestion.proposal_id == proposal.id, Suggestion.parent_id.is_(None))
        .order_by(Suggestion.position)
    ).all()
    assignment = session.exec(select(Assignment).where(Assignment.proposal_id == proposal.id)).first()
    return AssignedCase(
        proposal_id=proposal.id,
        suggestion_ids=[s.id for s in suggestions],
        member=member,
        lead=lead,
        co=Viewer(Role.AGENCY, agency_id=commerce.id, user_id=co_user.id),
        staff=staff,
        assigned_on=assignment.assigned_at.date(),
        deadline=assignment.deadline,
    )


# -- imported documents waiting for review (issue 13) -------------------------------------------------

# The splitter reads the unmarked paragraph "同时，建立…评估制度…" as the rest of suggestion 2, and the
# reply's point 二 answers suggestions 2 and 3 at once.
IMPORTED_PROPOSAL = """关于加强社区养老服务的提案
我区老年人口逐年增加，社区养老服务供给不足，服务质量参差不齐。
为此建议：
1.加快社区养老服务设施建设。新建小区按标准配建养老用房，老旧小区通过改造补齐短板。
2.加强养老护理人才队伍建设。开展护理员职业技能培训，提高护理人员待遇。
同时，建立养老服务质量评估制度，定期委托第三方机构对服务机构开展评估并公开结果。
以上建议，请予研究。"""
IMPORTED_REPLY = """关于加强社区养老服务的提案的答复
王立超委员：
您提出的《关于加强社区养老服务的提案》收悉，现答复如下：
一、关于养老服务设施建设。我局会同住建部门，督促新建小区按标准配建养老用房。
二、关于护理人才和服务评估。我局每年开展养老护理员培训。同时将试行第三方评估，定期公开评估结果。
感谢您对民政工作的关心。
宁波市镇海区民政局
2024年6月20日"""
UNPAIRED_REPLY = """关于推进垃圾分类的提案的答复
李华委员：
您提出的关于推进垃圾分类的提案收悉，现答复如下：
一、关于分类设施。我局已在全区小区配齐分类收集设施。
二、关于宣传引导。我局组织志愿者开展入户宣传。
宁波市镇海区综合行政执法局
2024年7月1日"""


@dataclass
class ReviewCase:
    """Imported files waiting for review: a proposal with its reply in one file (low confidence), an
    unpaired reply with the proposal it answers, and a file with a reason code nobody labelled."""

    both_id: int  # imported_file of the proposal + reply
    proposal_id: int
    reply_id: int
    unpaired_id: int  # imported_file of the reply with no proposal
    pair_with_id: int  # the proposal it answers (第9号, no reply yet)
    odd_id: int  # imported_file whose reason code is unknown
    meeting_id: int
    run_id: int


@pytest.fixture
def review_case(session: Session) -> ReviewCase:
    from hashlib import sha256

    from tracker.services.import_records import record_imported_file, start_run
    from tracker.services.replies import record_reply

    meeting = make_meeting(session, name="第十一届第一次会议", year=2025, short_name="十一届一次")
    proposal = record_proposal(
        session=session,
        text=IMPORTED_PROPOSAL,
        title="关于加强社区养老服务的提案",
        number=7,
        meeting=meeting,
        status="closed",
    )
    reply = record_reply(session=session, proposal=proposal, text=IMPORTED_REPLY)
    pair_with = record_proposal(
        session=session,
        text="我区垃圾分类推进缓慢。\n为此建议：\n1.完善分类设施。\n2.加强宣传引导。",
        title="关于推进垃圾分类的提案",
        number=9,
        meeting=meeting,
        status="replied",
    )
    other = record_proposal(
        session=session,
        text="建议：加强河道保洁。",
        title="关于加强河道保洁的提案",
        number=11,
        meeting=meeting,
    )
    run = start_run(session=session, actor="command line")

    def imported(text: str, name: str, kind: str, reasons: list[dict[str, str]], **rows: Any) -> int:
        data = text.encode()
        row = record_imported_file(
            session=session,
            run=run,
            source_name=name,
            content_hash=sha256(data).hexdigest(),
            byte_size=len(data),
            file_format="docx",
            kind=kind,
            text=text,
            confidence=0.62,
            found={"number": {"value": rows.pop("number", None), "how": "file name", "confidence": 0.9}},
            reasons=reasons,
            **rows,
        )
        return row.id or 0

    both = imported(
        IMPORTED_PROPOSAL + "\n\n" + IMPORTED_REPLY,
        "2025/第7号 养老服务.docx",
        "both",
        [{"code": "low_confidence", "detail": "0.62"}],
        proposal=proposal,
        reply=reply,
        number=7,
    )
    unpaired = imported(
        UNPAIRED_REPLY,
        "2025/答复 垃圾分类.pdf",
        "reply",
        [{"code": "unpaired", "detail": "第9号?"}],
        number=9,
    )
    odd = imported(
        "建议：加强河道保洁。",
        "2025/河道.txt",
        "proposal",
        [{"code": "odd_code", "detail": "x"}],
        proposal=other,
    )
    session.commit()
    return ReviewCase(
        both_id=both,
        proposal_id=proposal.id or 0,
        reply_id=reply.id or 0,
        unpaired_id=unpaired,
        pair_with_id=pair_with.id or 0,
        odd_id=odd,
        meeting_id=meeting.id or 0,
        run_id=run.id or 0,
    )
