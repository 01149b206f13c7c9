"""Lock wait and hold times of the index's writers, for measuring (off unless asked).

With ``TRACKER_LOCK_TIMES=FILE`` in the environment, every writer of the index (an update, the
merging process's plan and swap, a rebuild) appends one JSON line to FILE: what it was, its
process, how long it waited for the write lock and how long it held it. The benchmark's writes
read them to say what holds the lock how long; one short ``write`` per line, so processes appending
to the same file do not interleave within a line.
"""

from __future__ import annotations

import json
import os
import time

ENV = "TRACKER_LOCK_TIMES"


def record(what: str, waited: float, held: float) -> None:
    target = os.environ.get(ENV)
    if not target:
        return
    line = json.dumps(
        {
            "what": what,
            "pid": os.getpid(),
            "at": time.time(),
            "wait": round(waited, 4),
            "hold": round(held, 4),
        }
    )
    try:
        with open(target, "a", encoding="utf-8") as out:
            out.write(line + "\n")
    except OSError:  # a measurement must never fail the write it measures
        pass


def read(target: str) -> list[dict]:
    try:
        with open(target, encoding="utf-8") as lines:
            return [json.loads(line) for line in lines if line.strip()]
    except FileNotFoundError:
        return []
