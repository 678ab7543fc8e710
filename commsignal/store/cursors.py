"""Connector cursors, read and written inside the same transaction as the rows they cover."""

from __future__ import annotations

import json
import time
from typing import Any

from sqlite_utils import Database


def get_cursor(
    db: Database, source: str, resource: str, partition: str = ""
) -> dict[str, Any] | None:
    """Return the committed cursor for one (source, resource, partition), or None before the first sync."""
    rows = list(
        db.query(
            "select cursor from _cursors where source = ? and resource = ? and partition = ?",
            [source, resource, partition],
        )
    )
    return json.loads(rows[0]["cursor"]) if rows else None


def put_cursor(
    db: Database, source: str, resource: str, partition: str, cursor: dict[str, Any]
) -> bool:
    """Store a cursor; returns False (and writes nothing) when it is unchanged."""
    if get_cursor(db, source, resource, partition) == cursor:
        return False
    db.table("_cursors").upsert(
        {
            "source": source,
            "resource": resource,
            "partition": partition,
            "cursor": json.dumps(cursor, sort_keys=True),
            "updated_at": time.time(),
        },
        pk=("source", "resource", "partition"),
    )
    return True


def all_cursors(db: Database, source: str) -> dict[str, dict[str, Any]]:
    """Every cursor of one source keyed by "resource" or "resource:partition", with its update time."""
    out: dict[str, dict[str, Any]] = {}
    for row in db.query(
        "select resource, partition, cursor, updated_at from _cursors where source = ? order by 1, 2",
        [source],
    ):
        key = row["resource"] + (":" + row["partition"] if row["partition"] else "")
        out[key] = {"cursor": json.loads(row["cursor"]), "updated_at": row["updated_at"]}
    return out
