"""The figures a benchmark report must carry, and the targets they are read against."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

# dotted paths into the JSON document
REQUIRED = (
    "machine.cores",
    "machine.memory_gib",
    "corpus.proposals",
    "bulk_load.total_seconds",
    "bulk_load.documents_per_s",
    "bulk_load.total_mb_per_s",
    "bulk_load.index_size_mb",
    "bulk_load.peak_memory_mb",
    "search.p50_ms",
    "search.p95_ms",
    "search.p99_ms",
    "search.cold.p50_ms",
    "search.cold.p95_ms",
    "search.cold.open_ms",
    "search_after_writes.p50_ms",
    "search_after_writes.p95_ms",
    "search_after_writes.writes",
    "search_after_writes.over_fresh.p95_ms",
    "proposal_page.p50_ms",
    "proposal_page.p95_ms",
    "submit.proposal.p50_ms",
    "submit.proposal.p95_ms",
    "submit.reply.p50_ms",
    "submit.reply.p95_ms",
    "submit.searchable_on_return",
    "reindex.seconds",
    "baselines.like.p50_ms",
    "baselines.fts5.p50_ms",
    "baselines.ratio_tracker_over_like.p95_ms",
    "baselines.ratio_tracker_over_fts5.p95_ms",
    "baselines.tantivy.p50_ms",
    "baselines.ratio_tracker_over_tantivy.p95_ms",
    "baselines.same_documents",
    "server.requests_per_s",
    "server.p50_ms",
    "server.p99_ms",
    "server.errors",
    "server_signed_in.requests_per_s",
    "server_signed_in.p50_ms",
    "server_signed_in.errors",
)

# (figure, comparison, limit) at 10,000 proposals, from the issue
TARGETS = (
    ("search.p95_ms", "<=", 100),
    # after a stream of writes (1,000 at full size): no slower than the freshly built index
    ("search_after_writes.over_fresh.p95_ms", "<=", 1.0),
    ("proposal_page.p95_ms", "<=", 30),
    ("submit.proposal.p95_ms", "<=", 250),
    ("submit.reply.p95_ms", "<=", 250),
    ("server.requests_per_s", ">=", 150),
    ("server.errors", "<=", 0),
    # a signed-in user's pages are not cached: the figure for two workers
    ("server_signed_in.requests_per_s", ">=", 150),
    ("server_signed_in.errors", "<=", 0),
)


def value(result: Mapping[str, Any], path: str) -> Any:
    node: Any = result
    for part in path.split("."):
        if not isinstance(node, Mapping) or part not in node:
            raise KeyError(path)
        node = node[part]
    return node


def missing(result: Mapping[str, Any]) -> list[str]:
    """The required figures absent (not those the report says it left out); of each backend's
    report when several ran side by side."""
    if "backends" in result:
        return [f"{name}: {path}" for name, report in result["backends"].items() for path in missing(report)]
    # figures a report says it left out, and why (e.g. LIKE at 100,000 proposals)
    left_out = tuple(result.get("left_out", {}))
    out = []
    for path in REQUIRED:
        if any(path == p or path.startswith(p + ".") for p in left_out):
            continue
        try:
            value(result, path)
        except KeyError:
            out.append(path)
    return out


def targets(result: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    """Each target with the measured figure and whether it is met."""
    out = {}
    for path, op, limit in TARGETS:
        got = value(result, path)
        out[path] = {
            "target": f"{op} {limit}",
            "measured": got,
            "met": got <= limit if op == "<=" else got >= limit,
        }
    return out
