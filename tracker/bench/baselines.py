"""What users have elsewhere, on the same data and queries: SQL LIKE, and SQLite FTS5.

LIKE '%词%' over the text columns is what the Chinese systems we know do: no ranking, a full scan.
FTS5 is a C engine close to the practical limit on one machine; its unicode61 tokenizer runs over
the text already cut into words by our own analyzer (index mode, space-joined), and queries are cut
the same way, so both engines see the same words. Its proposal ids are in a plain table joined on the
rowid: reading them from an UNINDEXED column of the FTS5 table cost it about 60% of its time, which
no real deployment would pay. Tantivy (Rust, Lucene's design; PyPI ``tantivy``, the dev extra) is
the third peer, over the same segmented rows, with the same match expressions. Each returns, like
the search page, the number of proposals matching and the top ten with a highlighted fragment.
"""

from __future__ import annotations

import html
import multiprocessing
import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from itertools import islice
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

from tracker.models import Proposal, Reply, ReplyPoint, Suggestion
from tracker.search.analysis import finer, index_tokens, query_tokens


@dataclass(frozen=True)
class BaselineResult:
    total: int  # proposals matching
    top: tuple[int, ...]  # proposal ids shown on the first page
    fragments: tuple[str, ...]


def _units() -> sa.Select:
    """(proposal id, text) of every searchable unit, as one UNION ALL."""
    return sa.union_all(
        select(col(Proposal.id).label("pid"), col(Proposal.title).label("body")),
        select(col(Proposal.id).label("pid"), col(Proposal.background).label("body")),
        select(col(Suggestion.proposal_id).label("pid"), col(Suggestion.text).label("body")),
        select(col(Reply.proposal_id).label("pid"), col(ReplyPoint.text).label("body")).join(
            Reply, col(Reply.id) == col(ReplyPoint.reply_id)
        ),
    )


def _fragment(text: str, word: str, width: int = 30) -> str:
    i = text.find(word)
    if i < 0:
        return html.escape(text[: width * 2])
    a, b = max(0, i - width), i + len(word) + width
    return (
        html.escape(text[a:i])
        + "<mark>"
        + html.escape(word)
        + "</mark>"
        + html.escape(text[i + len(word) : b])
    )


def like_search(session: Session, words: Sequence[str], *, limit: int = 10) -> BaselineResult:
    """Proposals with a unit containing every word (AND), newest first, as LIKE can do it."""
    units = _units().subquery()
    cond = sa.and_(*(units.c.body.contains(w, autoescape=True) for w in words))
    matching = select(units.c.pid).where(cond).distinct().subquery()
    total = session.exec(select(sa.func.count()).select_from(matching)).one()
    top = tuple(session.exec(select(matching.c.pid).order_by(matching.c.pid.desc()).limit(limit)).all())
    fragments = []
    for pid in top:
        body = session.exec(select(units.c.body).where(units.c.pid == pid, cond).limit(1)).first() or ""
        fragments.append(_fragment(body, words[0]))
    return BaselineResult(total, top, tuple(fragments))


def segmented(text: str) -> tuple[str, str]:
    """(precise cut, extra sub-words), space-joined: the first keeps phrase positions exact, the
    second lets a word match inside a longer one (融资 in 融资担保), as the Whoosh index does."""
    words: list[str] = []
    subs: list[str] = []
    last = -1
    for t in index_tokens(text):
        (words if t.position != last else subs).append(t.text)
        last = t.position
    return " ".join(words), " ".join(subs)


def _cut(rows: list[tuple[int, str]]) -> list[tuple[int, str, str]]:
    return [(pid, *segmented(body)) for pid, body in rows]


def segmented_rows(
    rows: Iterable[tuple[int, str]], *, procs: int = 1, batch: int = 4000
) -> Iterator[tuple[int, str, str]]:
    """(pid, words, subs) of each row with text, in order; cut in ``procs`` processes (the cut is
    nearly all of a peer's build: at 100,000 proposals, over a million units)."""
    texts = ((pid, body) for pid, body in rows if body)
    if procs <= 1:
        for part in iter(lambda: list(islice(texts, batch)), []):
            yield from _cut(part)
        return
    # batches read here, in this process (the rows may stream from a database connection)
    with multiprocessing.get_context("fork").Pool(procs) as pool:
        for part in iter(lambda: list(islice(texts, batch * procs)), []):
            step = -(-len(part) // (procs * 4))
            for cut in pool.map(_cut, [part[i : i + step] for i in range(0, len(part), step)]):
                yield from cut


class Fts5Index:
    """An FTS5 table over the same units, pre-segmented, and their proposal ids beside it (joined
    on the rowid); lives in one SQLite file."""

    def __init__(self, path: Path) -> None:
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        self.db = sqlite3.connect(path)
        self.db.execute(
            "CREATE VIRTUAL TABLE IF NOT EXISTS units USING fts5(body, subs, tokenize='unicode61')"
        )
        self.db.execute("CREATE TABLE IF NOT EXISTS unit_pid (id INTEGER PRIMARY KEY, pid INTEGER NOT NULL)")

    def _insert(self, batch: list[tuple[int, str, str]]) -> None:
        start = self.db.execute("SELECT coalesce(max(id), 0) FROM unit_pid").fetchone()[0] + 1
        self.db.executemany(
            "INSERT INTO units(rowid, body, subs) VALUES (?, ?, ?)",
            [(start + i, body, subs) for i, (_pid, body, subs) in enumerate(batch)],
        )
        self.db.executemany(
            "INSERT INTO unit_pid(id, pid) VALUES (?, ?)",
            [(start + i, pid) for i, (pid, *_) in enumerate(batch)],
        )

    def build(self, rows: Iterable[tuple[int, str]], *, procs: int = 1) -> int:
        return self.build_cut(segmented_rows(rows, procs=procs))

    def build_cut(self, rows: Iterable[tuple[int, str, str]]) -> int:
        """Index rows already cut: (pid, words, subs)."""
        n = 0
        batch: list[tuple[int, str, str]] = []
        for cut in rows:
            batch.append(cut)
            if len(batch) >= 2000:
                self._insert(batch)
                n += len(batch)
                batch.clear()
        self._insert(batch)
        n += len(batch)
        self.db.commit()
        return n

    @staticmethod
    def match_expression(words: Sequence[str], *, phrase: bool = False) -> str:
        """Each query word, or its finer cut as a phrase (the text may split 电子商务平台 in two),
        ANDed; a quoted query is one phrase."""
        tokens = [t.text.replace('"', '""') for w in words for t in query_tokens(w)]
        if not tokens:
            return '""'
        if phrase:
            return 'body : "' + " ".join(piece for t in tokens for piece in finer(t)) + '"'
        terms = []
        for t in tokens:
            parts = finer(t)
            terms.append(f'("{t}" OR "{" ".join(parts)}")' if len(parts) > 1 else f'"{t}"')
        return " AND ".join(terms)

    def search(self, words: Sequence[str], *, phrase: bool = False, limit: int = 10) -> BaselineResult:
        expr = self.match_expression(words, phrase=phrase)
        total = self.db.execute(
            "SELECT count(DISTINCT p.pid) FROM units JOIN unit_pid p ON p.id = units.rowid WHERE units MATCH ?",
            (expr,),
        ).fetchone()[0]
        rows = self.db.execute(
            "SELECT p.pid, snippet(units, 0, '<mark>', '</mark>', '…', 12) FROM units "
            "JOIN unit_pid p ON p.id = units.rowid WHERE units MATCH ? ORDER BY bm25(units) LIMIT ?",
            (expr, limit * 4),
        ).fetchall()
        return _first_proposals(total, rows, limit)

    def all_ids(self, words: Sequence[str], *, phrase: bool = False) -> set[int]:
        expr = self.match_expression(words, phrase=phrase)
        return {
            r[0]
            for r in self.db.execute(
                "SELECT DISTINCT p.pid FROM units JOIN unit_pid p ON p.id = units.rowid WHERE units MATCH ?",
                (expr,),
            )
        }

    def close(self) -> None:
        self.db.close()


def _first_proposals(total: int, rows: Iterable[tuple[int, str]], limit: int) -> BaselineResult:
    """The first ``limit`` distinct proposals of ranked (pid, fragment) unit rows."""
    top: list[int] = []
    fragments: list[str] = []
    for pid, snippet in rows:
        if pid not in top:
            top.append(pid)
            fragments.append(snippet)
        if len(top) == limit:
            break
    return BaselineResult(total, tuple(top), tuple(fragments))


TANTIVY_BUCKETS = 60_000  # proposal ids counted per aggregation (Tantivy's limit is 65,000 buckets)


class TantivyIndex:
    """A Tantivy index over the same units, pre-segmented as for FTS5 (its default tokenizer splits
    the space-joined words and keeps each whole), in a folder. The match expressions are FTS5's,
    which Tantivy's query language reads the same way (quoted phrases, AND/OR, a field scope)."""

    def __init__(self, path: Path) -> None:
        import tantivy  # the dev extra: only the benchmark uses it

        self._tantivy = tantivy
        path.mkdir(parents=True, exist_ok=True)
        builder = tantivy.SchemaBuilder()
        builder.add_integer_field("pid", stored=True, indexed=True, fast=True)
        builder.add_text_field("body", stored=True)
        builder.add_text_field("subs")
        self.schema = builder.build()
        self.index = tantivy.Index(self.schema, path=str(path))
        self.path = path
        self._top: int | None = None  # the largest proposal id indexed

    def build(self, rows: Iterable[tuple[int, str]], *, procs: int = 1) -> int:
        return self.build_cut(segmented_rows(rows, procs=procs))

    def build_cut(self, rows: Iterable[tuple[int, str, str]], *, threads: int = 2) -> int:
        """Index rows already cut: (pid, words, subs)."""
        writer = self.index.writer(heap_size=128_000_000, num_threads=threads)
        n = 0
        for pid, words, subs in rows:
            writer.add_document(self._tantivy.Document(pid=pid, body=words, subs=subs))
            n += 1
        writer.commit()
        writer.wait_merging_threads()
        self.index.reload()
        self._top = None
        return n

    def _query(self, words: Sequence[str], phrase: bool) -> Any:
        expr = Fts5Index.match_expression(words, phrase=phrase).replace("body : ", "body:")
        return self.index.parse_query(expr, ["body", "subs"])

    def search(self, words: Sequence[str], *, phrase: bool = False, limit: int = 10) -> BaselineResult:
        searcher = self.index.searcher()
        query = self._query(words, phrase)
        # the number of proposals (not units) matching, exactly: a terms aggregation on the
        # proposal id column
        total = len(self._pids(searcher, query))
        hits = searcher.search(query, limit=limit * 4, count=False).hits
        snippets = self._tantivy.SnippetGenerator.create(searcher, query, self.schema, "body")
        rows = []
        for _score, address in hits:
            doc = searcher.doc(address)
            rows.append((doc["pid"][0], snippets.snippet_from_doc(doc).to_html()))
        return _first_proposals(total, rows, limit)

    def all_ids(self, words: Sequence[str], *, phrase: bool = False) -> set[int]:
        return self._pids(self.index.searcher(), self._query(words, phrase))

    def _pids(self, searcher: Any, query: Any) -> set[int]:
        """The proposals with a unit matching, exactly: a terms aggregation on the proposal id, one
        per range of TANTIVY_BUCKETS ids (an aggregation stops at 65,000 buckets)."""
        tv = self._tantivy
        if self._top is None:
            top = searcher.aggregate(tv.Query.all_query(), {"m": {"max": {"field": "pid"}}})["m"]["value"]
            self._top = int(top or 0)
        found: set[int] = set()
        for low in range(0, self._top + 1, TANTIVY_BUCKETS):
            part = query
            if self._top >= TANTIVY_BUCKETS:
                ids = tv.Query.range_query(
                    self.schema, "pid", tv.FieldType.Integer, low, low + TANTIVY_BUCKETS - 1
                )
                part = tv.Query.boolean_query([(tv.Occur.Must, query), (tv.Occur.Must, ids)])
            agg = searcher.aggregate(part, {"p": {"terms": {"field": "pid", "size": TANTIVY_BUCKETS}}})
            found.update(int(b["key"]) for b in agg["p"]["buckets"])
        return found

    def close(self) -> None:
        self.index = None


def unit_rows(session: Session) -> Iterable[tuple[int, str]]:
    """Every (proposal id, text) the baselines index, streamed."""
    yield from session.exec(_units())


def like_ids(session: Session, words: Sequence[str]) -> set[int]:
    units = _units().subquery()
    cond = sa.and_(*(units.c.body.contains(w, autoescape=True) for w in words))
    return set(session.exec(select(units.c.pid).where(cond).distinct()).all())
