"""The `_runs` table: when each sync and digest ran, how long it took and whether it failed."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlite_utils import Database


@contextmanager
def recorded_run(db: Database, kind: str) -> Iterator[dict[str, Any]]:
    """Record one run: a row written at the start, finished with "ok" or "failed" and its stats.

    Args:
        db: the store.
        kind: what ran, e.g. "sync:slack" or "digest:2026-W47".

    Yields:
        A dict the caller fills with stats worth keeping (counts, notices).
    """
    run_id = (
        db.table("_runs")
        .insert({"kind": kind, "started_at": time.time(), "status": "running"})
        .last_pk
    )
    stats: dict[str, Any] = {}
    try:
        yield stats
    except BaseException as exc:
        stats["error"] = str(exc)[:500]
        _finish(db, run_id, "failed", stats)
        raise
    _finish(db, run_id, "ok", stats)


def _finish(db: Database, run_id: Any, status: str, stats: dict[str, Any]) -> None:
    db.table("_runs").update(
        run_id,
        {"finished_at": time.time(), "status": status, "stats": json.dumps(stats, default=str)},
    )


def recent_runs(db: Database, limit: int = 10) -> list[dict[str, Any]]:
    """The latest runs, newest first, for `commsignal status`."""
    return [
        {
            "kind": r["kind"],
            "status": r["status"],
            "started_at": r["started_at"],
            "seconds": None
            if r["finished_at"] is None
            else round(r["finished_at"] - r["started_at"], 1),
        }
        for r in db.query("select * from _runs order by run_id desc limit ?", [limit])
    ]
