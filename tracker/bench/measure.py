"""Small measuring tools: latency percentiles, peak memory, the machine, folder sizes."""

from __future__ import annotations

import math
import os
import platform
import resource
import statistics
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any


def summary(samples_ms: Iterable[float]) -> dict[str, float]:
    """p50/p95/p99/mean/max of latencies in milliseconds (nearest-rank percentiles)."""
    xs = sorted(samples_ms)
    if not xs:
        return {"n": 0}

    def pct(p: float) -> float:
        return round(xs[min(len(xs), max(1, math.ceil(p / 100 * len(xs)))) - 1], 2)

    return {
        "n": len(xs),
        "p50_ms": pct(50),
        "p95_ms": pct(95),
        "p99_ms": pct(99),
        "mean_ms": round(statistics.fmean(xs), 2),
        "max_ms": round(xs[-1], 2),
    }


def time_each(items: Iterable[Any], fn: Callable[[Any], object]) -> list[float]:
    """Milliseconds taken by ``fn(item)`` for each item."""
    out = []
    for item in items:
        t = time.perf_counter()
        fn(item)
        out.append((time.perf_counter() - t) * 1000)
    return out


def peak_memory_mb() -> float:
    """Peak resident memory of this process so far (Linux reports KiB)."""
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def folder_mb(path: Path) -> float:
    return round(sum(f.stat().st_size for f in path.rglob("*") if f.is_file()) / 2**20, 2)


def machine() -> dict[str, Any]:
    info: dict[str, Any] = {
        "cores": os.cpu_count(),
        "python": platform.python_version(),
        "platform": platform.platform(),
    }
    try:
        meminfo = Path("/proc/meminfo").read_text()
        kib = int(meminfo.split("MemTotal:")[1].split()[0])
        info["memory_gib"] = round(kib / 2**20, 1)
        cpu = Path("/proc/cpuinfo").read_text()
        info["cpu"] = cpu.split("model name")[1].split(":", 1)[1].split("\n")[0].strip()
    except (OSError, IndexError, ValueError):
        pass
    return info
