"""The full rebuild's writer: the same segment files as Whoosh's writer, without its pool.

Whoosh's ``SegmentWriter`` puts every posting, as a tuple, into an external sorting pool (runs
pickled to disk, then a heap merge of them all), and writing the segment then looks up each
posting's field length in the column just written: with cProfile on 8,000 units of the
10,000-proposal archive in one process, the pool (runs pickled to disk and merged back) and the
per-posting calls and lookups took 182 s of the 303 s; this writer took 152 s for the same
units, 87 s of it the analysis (the Chinese cut and Whoosh's position encoding). A rebuild needs neither: documents come in order of their numbers, so each term's postings are
already sorted when appended to that term's arrays, only the distinct terms need sorting, and the
field lengths are known when the document is added.

``BulkWriter`` keeps the postings in memory per term and writes each term's blocks directly with
Whoosh's own postings writer (blocks of the same size, the same statistics), so what a searcher
reads is what Whoosh would have written (``tests/search/test_whoosh_bulk.py`` compares them term
by term). Past ``max_postings`` postings it finishes its segment and starts the next one, so
memory stays bounded whatever the archive's size.

``write_parallel`` runs the analysis and writing in worker processes (one writer, one or more
segments each) fed with batches of documents by the process reading the database; the segments
are committed together, replacing the index, when every worker has finished.
"""

from __future__ import annotations

import multiprocessing
import queue as queue_module
from array import array
from collections.abc import Iterable, Mapping
from itertools import repeat
from typing import Any

from whoosh.codec.whoosh3 import W3PostingsWriter
from whoosh.util.numeric import byte_to_length, length_to_byte
from whoosh.writing import SegmentWriter

from tracker.search.whoosh.schema import index_values

# Postings kept before a segment is written and the next one started. Each costs about 75 bytes
# (measured: a worker held 10.6 M postings in 780 MB at 10,000 proposals), so some 2 GB a writer.
# The 10,000-proposal archive (21 M postings) is then one segment a worker; 100,000 (about 210 M)
# four or five a worker.
MAX_POSTINGS = 25_000_000
BATCH = 200  # documents a worker is sent at once
WORKER_TIMEOUT = 600.0  # seconds the reader waits for a worker to take a batch or to finish


class BulkWriter(SegmentWriter):
    """A segment writer for a full rebuild (documents added, nothing deleted or merged)."""

    def __init__(self, ix: Any, *, max_postings: int | None = None, **kwargs: Any) -> None:
        super().__init__(ix, **kwargs)
        for name, field in self.schema.items():
            # what the pool would write and this writer does not: none of the app's fields has them
            if field.vector or field.separate_spelling():
                raise ValueError(f"BulkWriter does not write term vectors or spelling ({name})")
        self.max_postings = max_postings or MAX_POSTINGS
        self._postings: dict[tuple[str, bytes], tuple[array, array, list[bytes]]] = {}
        self._count = 0  # postings held
        # per field, each document's length as the searcher reads it back (Whoosh keeps one byte)
        self._lengths: dict[str, array] = {}
        self._written: list[Any] = []  # segments finished before the current one

    def add_document(self, **fields: Any) -> None:
        self._check_state()
        if any(name.startswith("_") for name in fields):
            raise ValueError("BulkWriter does not take boosts or _stored_ values")
        schema, perdoc, postings = self.schema, self.perdocwriter, self._postings
        docnum = self.docnum
        names = sorted(fields)
        self._check_fields(schema, names)
        perdoc.start_doc(docnum)
        try:
            for name in names:
                value = fields[name]
                if value is None:
                    continue
                field = schema[name]
                length = 0
                if field.indexed:
                    scorable = field.scorable
                    for tbytes, freq, weight, vbytes in index_values(field, value):
                        if scorable:
                            length += freq
                        entry = postings.get((name, tbytes))
                        if entry is None:
                            entry = postings[(name, tbytes)] = (array("I"), array("f"), [])
                        entry[0].append(docnum)
                        entry[1].append(weight)
                        if vbytes:  # as Whoosh's postings writer: empty values are not kept
                            entry[2].append(vbytes)
                        self._count += 1
                    if length:
                        lengths = self._lengths.get(name)
                        if lengths is None:
                            lengths = self._lengths[name] = array("I")
                        if len(lengths) <= docnum:
                            lengths.extend(repeat(0, docnum + 1 - len(lengths)))
                        lengths[docnum] = byte_to_length(length_to_byte(length))
                perdoc.add_field(name, field, value if field.stored else None, length)
                column = field.column_type
                if column:
                    perdoc.add_column_value(name, column, field.to_column_value(value))
        except Exception:
            perdoc.cancel_doc()
            raise
        perdoc.finish_doc()
        self._added = True
        self.docnum += 1
        if self._count >= self.max_postings:
            self._next_segment()

    def _next_segment(self) -> None:
        """Write the segment so far and start another (numbering its documents from 0)."""
        self._written.append(self._finalize_segment())
        codec = self.codec
        self.newsegment = codec.new_segment(self.storage, self.indexname)
        self.perdocwriter = codec.per_document_writer(self.storage, self.newsegment)
        self.fieldwriter = codec.field_writer(self.storage, self.newsegment)
        self.docnum = self.docbase = 0
        self._added = False

    def _flush_segment(self) -> None:
        self.perdocwriter.close()
        fw = self.fieldwriter
        postings, self._postings = self._postings, {}
        current = None
        lengths: array | None = None
        for key in sorted(postings):
            name, btext = key
            if name != current:
                if current is not None:
                    fw.finish_field()
                fw.start_field(name, self.schema[name])
                current, lengths = name, self._lengths.get(name)
            fw.start_term(btext)
            _write_term(fw._postwriter, *postings.pop(key), lengths)
            fw.finish_term()
        if current is not None:
            fw.finish_field()
        fw.close()
        self._lengths = {}
        self._count = 0

    def finish_segments(self) -> list[Any]:
        """Finish writing: every segment this writer wrote (none when it was given no document)."""
        if self._added:
            self._written.append(self._finalize_segment())
        else:
            self._close_segment()
        return self._written

    def commit(self, mergetype: Any = None, optimize: Any = None, merge: Any = None) -> None:
        """Commit this writer's segments after those the merge type keeps (CLEAR: none)."""
        self._check_state()
        kept = self._merge_segments(mergetype, optimize, merge)
        self._commit_toc(kept + self.finish_segments())
        self._finish()


def _write_term(
    writer: W3PostingsWriter, ids: array, weights: array, values: list[bytes], lengths: array | None
) -> None:
    """One term's postings as Whoosh's ``add_posting`` would block them: full blocks, then the last
    one (1..blocklimit postings) written by ``finish_postings``; each block with its highest weight
    and its documents' shortest and longest field lengths."""
    if values and len(values) != len(ids):
        raise ValueError("postings with and without values in one term")
    limit = writer._blocklimit
    total = len(ids)
    for start in range(0, total, limit):
        end = min(start + limit, total)
        block_ids = ids[start:end]
        block_weights = weights[start:end]
        writer._ids = block_ids
        writer._weights = block_weights
        writer._values = values[start:end]
        writer._maxweight = max(0, max(block_weights))
        if lengths is not None:
            known = len(lengths)
            found = [lengths[d] for d in block_ids if d < known and lengths[d]]
        else:
            found = []
        writer._minlength = min(found) if found else None
        writer._maxlength = max(found) if found else 0
        if end < total:
            writer._write_block()


# -- in several processes ----------------------------------------------------------------------------


def _worker(storage: Any, indexname: str, jobs: Any, results: Any, max_postings: int | None) -> None:
    ix = storage.open_index(indexname)
    writer = BulkWriter(ix, _lk=False, compound=False, max_postings=max_postings)
    try:
        while (batch := jobs.get()) is not None:
            for fields in batch:
                writer.add_document(**fields)
        results.put(("ok", writer.finish_segments()))
    except BaseException as exc:  # the reader gives up the rebuild; say why
        results.put(("error", f"{type(exc).__name__}: {exc}"))
        raise


def write_parallel(
    writer: SegmentWriter,
    documents: Iterable[Mapping[str, Any]],
    *,
    procs: int,
    max_postings: int | None = None,
) -> int:
    """Add ``documents`` (field dicts) in ``procs`` worker processes and commit their segments in
    place of the whole index, under ``writer``'s lock (``writer`` itself adds nothing: it is the
    lock and the commit). Raises if a worker fails; the index is then left as it was."""
    context = multiprocessing.get_context("fork")  # the workers inherit the schema and analyzer loaded
    jobs = context.Queue(procs * 2)
    results = context.Queue()
    workers = [
        context.Process(
            target=_worker,
            args=(writer.storage, writer.indexname, jobs, results, max_postings),
            daemon=True,
        )
        for _ in range(procs)
    ]
    for w in workers:
        w.start()
    count = 0
    try:
        batch: list[dict[str, Any]] = []
        for fields in documents:
            batch.append(dict(fields))
            count += 1
            if len(batch) >= BATCH:
                _put(jobs, batch, workers)
                batch = []
        if batch:
            _put(jobs, batch, workers)
        for _ in workers:
            _put(jobs, None, workers)
        segments = []
        for _ in workers:
            status, payload = _get(results, workers)
            if status != "ok":
                raise RuntimeError(f"a rebuild worker failed: {payload}")
            segments.extend(payload)
        for w in workers:
            w.join(WORKER_TIMEOUT)
    except BaseException:
        for w in workers:
            if w.is_alive():
                w.terminate()
        # batches no worker will read: without this, the queue's feeder thread blocks on the full
        # pipe and the queue's finaliser waits for it for ever
        jobs.cancel_join_thread()
        raise
    writer._close_segment()  # the writer's own empty segment
    writer._commit_toc(segments)
    writer._finish()
    return count


def _put(jobs: Any, item: Any, workers: list[Any]) -> None:
    while True:
        try:
            jobs.put(item, timeout=5)
            return
        except queue_module.Full:
            if not all(w.is_alive() for w in workers):
                raise RuntimeError("a rebuild worker stopped") from None


def _get(results: Any, workers: list[Any]) -> Any:
    waited = 0.0
    while True:
        try:
            return results.get(timeout=5)
        except queue_module.Empty:
            waited += 5
            if waited >= WORKER_TIMEOUT or not any(w.is_alive() for w in workers):
                raise RuntimeError("a rebuild worker stopped without its segments") from None
