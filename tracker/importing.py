"""The import driver (issue 13): gather files (folders walked, .zip files opened safely), plan the
run, then import each document in a transaction of its own and commit it, so the search index is
updated after each commit the way every write of the app updates it (tracker/services/search_sync.py).

Used by ``tracker import`` and the staff upload page; the services it calls never commit.
"""

from __future__ import annotations

import io
import multiprocessing
import os
import zipfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from queue import Empty
from typing import Any

from sqlalchemy import Engine, event
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session

from tracker.db import make_engine
from tracker.domain.archive import ManifestRow
from tracker.models import ImportRun, Meeting
from tracker.services import import_records
from tracker.services.errors import ServiceError
from tracker.services.imports import (
    DEFAULT_THRESHOLD,
    Outcome,
    Planned,
    RunContext,
    Source,
    Summary,
    error_line,
    import_document,
    import_order,
    plan,
    read_one,
    replied_cases,
)
from tracker.services.search_sync import IndexKeeper, Mark, take_marks

# What a .zip may hold: entries, and bytes once unpacked (a zip bomb is refused, not unpacked).
ZIP_MAX_ENTRIES = 5000
ZIP_MAX_ENTRY_BYTES = 50 * 1024 * 1024
ZIP_MAX_TOTAL_BYTES = 1024 * 1024 * 1024
_SKIPPED = ("__MACOSX/", ".DS_Store", "Thumbs.db", "desktop.ini")


@dataclass
class Refused:
    name: str
    reason: str
    code: str


def _safe_entry(name: str) -> bool:
    path = PurePosixPath(name.replace("\\", "/"))
    return bool(name) and not path.is_absolute() and ".." not in path.parts and ":" not in path.parts[0]


def _skipped(name: str) -> bool:
    base = name.rsplit("/", 1)[-1]
    return name.startswith(_SKIPPED) or base in _SKIPPED or base.startswith(("~$", "._"))


def _entry_name(info: zipfile.ZipInfo) -> str:
    # Zips made on Chinese Windows store GBK names without the UTF-8 flag; Python reads them as cp437.
    if info.flag_bits & 0x800:
        return info.filename
    try:
        return info.filename.encode("cp437").decode("gb18030")
    except (UnicodeEncodeError, UnicodeDecodeError):
        return info.filename


def zip_sources(
    data: bytes, prefix: str, refused: list[Refused], *, budget: list[int] | None = None
) -> Iterator[Source]:
    """The files in a .zip (named ``prefix/entry``); unsafe names, oversized entries and nested
    archives are refused one by one, a damaged archive as a whole."""
    budget = budget if budget is not None else [ZIP_MAX_TOTAL_BYTES]
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        infos = [i for i in archive.infolist() if not i.is_dir()]
    except (zipfile.BadZipFile, OSError, ValueError):
        refused.append(Refused(prefix, f"{prefix}: the .zip archive is damaged", "damaged"))
        return
    if len(infos) > ZIP_MAX_ENTRIES:
        refused.append(
            Refused(
                prefix, f"{prefix}: the archive holds more than {ZIP_MAX_ENTRIES} files; split it", "too_many"
            )
        )
        return
    for info in infos:
        name = _entry_name(info)
        full = f"{prefix}/{name}"
        if _skipped(name):
            continue
        if not _safe_entry(name):
            refused.append(
                Refused(full, f"{full}: unsafe name in the archive (absolute or with ..)", "unsafe")
            )
            continue
        if info.file_size > ZIP_MAX_ENTRY_BYTES or info.file_size > budget[0]:
            refused.append(Refused(full, f"{full}: too large once unpacked", "too_large"))
            continue
        try:
            with archive.open(info) as fh:
                content = fh.read(ZIP_MAX_ENTRY_BYTES + 1)
        except (zipfile.BadZipFile, RuntimeError, OSError, ValueError, NotImplementedError) as exc:
            # RuntimeError: an encrypted entry; the others a damaged one or an unknown method
            code = (
                "encrypted"
                if "encrypted" in str(exc).lower() or "password" in str(exc).lower()
                else "damaged"
            )
            refused.append(Refused(full, f"{full}: cannot be unpacked ({code})", code))
            continue
        if len(content) > ZIP_MAX_ENTRY_BYTES or len(content) > budget[0]:
            refused.append(Refused(full, f"{full}: too large once unpacked", "too_large"))
            continue
        budget[0] -= len(content)
        if name.lower().endswith(".zip"):
            refused.append(Refused(full, f"{full}: an archive inside an archive; unpack it first", "nested"))
            continue
        yield Source(full, content)


def gather(paths: Sequence[Path], *, exclude: Iterable[Path] = ()) -> tuple[list[Source], list[Refused]]:
    """Every file under ``paths`` (folders recursively, in name order; .zip files opened). Names
    are relative to the folder given, so the same folder imported again gives the same names."""
    skip = {p.resolve() for p in exclude}
    sources: list[Source] = []
    refused: list[Refused] = []

    def add(path: Path, name: str) -> None:
        if path.resolve() in skip or _skipped(name):
            return
        try:
            data = path.read_bytes()
        except OSError as exc:
            refused.append(Refused(name, f"{name}: cannot be read ({exc.strerror or exc})", "unreadable"))
            return
        if path.suffix.lower() == ".zip" or (data[:4] == b"PK\x03\x04" and _is_plain_zip(data)):
            sources.extend(zip_sources(data, name, refused))
        else:
            sources.append(Source(name, data))

    for root in paths:
        if root.is_dir():
            for dirpath, dirnames, filenames in os.walk(root):
                dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
                for filename in sorted(filenames):
                    if filename.startswith("."):
                        continue
                    full = Path(dirpath) / filename
                    add(full, full.relative_to(root).as_posix())
        else:
            add(root, root.name)
    return sources, refused


def _is_plain_zip(data: bytes) -> bool:
    """A .zip that is not an office document (those are zips too)."""
    try:
        names = zipfile.ZipFile(io.BytesIO(data)).namelist()
    except zipfile.BadZipFile:
        return False
    return "[Content_Types].xml" not in names and "mimetype" not in names


def _read_pool(procs: int) -> Callable[[list[tuple[str, bytes]]], Iterable[tuple[str, dict[str, Any]]]]:
    def reader(items: list[tuple[str, bytes]]) -> Iterable[tuple[str, dict[str, Any]]]:
        if procs <= 1 or len(items) < 20:
            return [read_one(n, d) for n, d in items]
        with ProcessPoolExecutor(max_workers=procs) as pool:
            names = [n for n, _ in items]
            datas = [d for _, d in items]
            return list(pool.map(read_one, names, datas, chunksize=16))

    return reader


def run_import(
    engine: Engine,
    sources: Sequence[Source],
    *,
    refused: Sequence[Refused] = (),
    manifest: Sequence[ManifestRow] = (),
    session_id: int | None = None,
    dry_run: bool = False,
    actor: str = "command line",
    actor_id: int | None = None,
    origin: str = "cli",
    threshold: float = DEFAULT_THRESHOLD,
    procs: int = 1,
    progress: Callable[[str, str], None] | None = None,
    planned_hook: Callable[[int], None] | None = None,
    keeper: IndexKeeper | None = None,
    index_batch: int = 100,
    background: bool = False,
) -> tuple[Summary, int | None]:
    """Import ``sources``; returns the summary and the run's id (None on a dry run). With a
    ``keeper`` the search index is updated after the commits: by a child process when
    ``background``, else every ``index_batch`` documents; without one, each commit updates it as
    every write of the app does."""
    summary = Summary(files=len(sources) + len(refused), dry_run=dry_run)
    for r in refused:
        summary.refused.append({"file": r.name, "code": r.code, "reason": r.reason})
    with Session(engine) as session:
        planned = plan(session=session, sources=sources, manifest=manifest, reader=_read_pool(procs))
        default = session.get(Meeting, session_id) if session_id is not None else None
        if default is not None:
            session.expunge(default)
    for item in planned:
        summary.add_planned(item)
    todo = import_order(planned)
    if planned_hook:
        planned_hook(len(todo))
    cases = replied_cases(planned)
    if dry_run:
        # one transaction, rolled back at the end: the summary is true, nothing is kept or indexed
        with Session(engine) as session:
            # the run's row is written first: on SQLite that write opens the transaction for real,
            # so the savepoints below are inside it (a savepoint opened first would commit on release)
            run = import_records.start_run(session=session, actor=actor, actor_id=actor_id, origin=origin)
            ctx = RunContext(run=run, default_session=default, threshold=threshold, replied_cases=cases)
            for item in todo:
                _one(session, item, ctx, summary, progress, savepoint=True)
            session.rollback()
        return summary, None
    if keeper is not None:
        engine = _import_engine(engine)
    try:
        return _import(
            engine,
            todo,
            summary,
            default,
            threshold,
            cases,
            progress,
            keeper,
            index_batch,
            background,
            actor,
            actor_id,
            origin,
        )
    finally:
        if keeper is not None and engine.dialect.name == "sqlite":
            engine.dispose()


def _import(
    engine: Engine,
    todo: Sequence[Planned],
    summary: Summary,
    default: Meeting | None,
    threshold: float,
    cases: set,
    progress: Callable[[str, str], None] | None,
    keeper: IndexKeeper | None,
    index_batch: int,
    background: bool,
    actor: str,
    actor_id: int | None,
    origin: str,
) -> tuple[Summary, int | None]:
    with Session(engine) as session:
        run = import_records.start_run(session=session, actor=actor, actor_id=actor_id, origin=origin)
        session.commit()
        run_id = run.id
    # The index is updated after the commits, in batches: one index commit per document would
    # cost more than the document. On the command line a child process does it while this one
    # goes on importing (the second core); a batch lost to a crash is repaired by the start-up
    # check (tracker/services/search_sync.py).
    indexer = _Indexer(keeper) if keeper is not None and background else None
    pending: set[Mark] = set()
    titles: dict = {}  # shared by the documents of the run (see RunContext.titles)
    try:
        for position, item in enumerate(todo, 1):
            with Session(engine) as session:
                ctx = RunContext(
                    run=session.get(ImportRun, run_id),
                    default_session=default,
                    threshold=threshold,
                    replied_cases=cases,
                    titles=titles,
                )
                if _one(session, item, ctx, summary, progress, savepoint=False):
                    if keeper is not None:
                        session.flush()
                        pending |= take_marks(session)  # so that the commit does not index them itself
                    session.commit()  # the document is whole: commit it now
            if indexer is not None and pending:
                indexer.send(pending)
                pending = set()
            elif keeper is not None and pending and (position % index_batch == 0 or position == len(todo)):
                keeper.apply(pending)
                pending = set()
    finally:
        if indexer is not None:  # what was committed gets indexed, even when the run stops early
            if progress:
                progress("indexing", "")
            indexer.close()
    with Session(engine) as session:
        run = session.get(ImportRun, run_id)
        import_records.finish_run(session=session, run=run, summary=summary.as_dict())
        session.commit()
    return summary, run_id


class _Indexer:
    """Applies index updates in a child process while the import goes on; what arrives while it
    indexes is merged into its next batch, so the batches grow when indexing is the slower side."""

    def __init__(self, keeper: IndexKeeper) -> None:
        context = multiprocessing.get_context("fork")  # the child inherits the keeper as it is
        self.queue: Any = context.Queue()
        self.process = context.Process(
            target=_index_worker, args=(keeper, self.queue, os.getpid()), name="import-indexer", daemon=True
        )
        self.process.start()

    def send(self, marks: set[Mark]) -> None:
        self.queue.put(sorted(marks))

    def close(self) -> None:
        self.queue.put(None)
        self.process.join()


def _index_worker(keeper: IndexKeeper, queue: Any, parent: int) -> None:
    keeper.engine.dispose(close=False)  # the parent's connections stay the parent's
    done = False
    while not done:
        try:
            first = queue.get(timeout=1.0)
        except Empty:
            if os.getppid() != parent:  # the import was killed: its commits are repaired at start-up
                return
            continue
        if first is None:
            return
        marks: set[Mark] = set(map(tuple, first))
        while True:
            try:
                more = queue.get_nowait()
            except Empty:
                break
            if more is None:
                done = True
                break
            marks |= set(map(tuple, more))
        keeper.apply(marks)


def _relaxed_sync(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def _import_engine(engine: Engine) -> Engine:
    """The engine the import writes with. On SQLite, its own connections sync less often: a
    commit survives the process being killed (the import's promise), though not a power cut in
    the last moments, after which the next run imports the lost documents again. Saves a disk
    flush per document."""
    if engine.dialect.name != "sqlite":
        return engine
    own = make_engine(engine.url.render_as_string(hide_password=False))
    event.listen(own, "connect", _relaxed_sync)
    return own


def _one(
    session: Session,
    item: Planned,
    ctx: RunContext,
    summary: Summary,
    progress: Callable[[str, str], None] | None,
    *,
    savepoint: bool,
) -> bool:
    """Import one document; a failure is rolled back and reported, and the run goes on."""
    try:
        if savepoint:
            with session.begin_nested():
                done = import_document(session=session, item=item, ctx=ctx)
        else:
            done = import_document(session=session, item=item, ctx=ctx)
    except (ServiceError, SQLAlchemyError) as error:
        if not savepoint:  # a savepoint rolled itself back; the dry run's transaction goes on
            session.rollback()
        summary.failed.append({"file": item.name, "reason": error_line(error)})
        if progress:
            progress(Outcome.FAILED, item.name)
        return False
    summary.add_done(done)
    if progress:
        progress(Outcome.CREATED, item.name)
    return True
