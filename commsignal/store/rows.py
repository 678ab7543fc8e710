"""Row writes shared by every stage: upsert only what changed, and keep unparseable input."""

from __future__ import annotations

import time
from collections.abc import Iterable, Sequence
from operator import itemgetter
from typing import Any

from sqlite_utils import Database

from commsignal.models import Quarantined

_PKS: dict[str, tuple[str, ...]] = {
    "people": ("person_id",),
    "accounts": ("source", "account_id"),
    "conversations": ("source", "conversation_id"),
    "messages": ("source", "message_id"),
    "reactions": ("source", "message_id", "person_id", "name"),
    "meetings": ("source", "meeting_id"),
    "attendance": ("source", "meeting_id", "person_id"),
    "login_events": ("event_key",),
}


def upsert_changed(db: Database, table: str, rows: Sequence[dict[str, Any]]) -> int:
    """Upsert only the rows that are new or differ from what is stored; returns how many were written.

    Comparing first is what makes an unchanged rerun write nothing at all.
    """
    if not rows:
        return 0
    pk = _PKS[table]
    cols = list(rows[0].keys())
    select = ", ".join(f"[{c}]" for c in cols)
    existing: dict[tuple[Any, ...], dict[str, Any]] = {}
    # group by the leading key columns so each lookup is one indexed `last_key in (...)` query
    groups: dict[tuple[Any, ...], list[Any]] = {}
    for r in rows:
        groups.setdefault(tuple(r[k] for k in pk[:-1]), []).append(r[pk[-1]])
    lead = "".join(f"[{k}] = ? and " for k in pk[:-1])
    for prefix, keys in groups.items():
        for start in range(0, len(keys), 500):
            chunk = keys[start : start + 500]
            sql = f"select {select} from [{table}] where {lead}[{pk[-1]}] in ({', '.join('?' * len(chunk))})"
            for found in db.query(sql, [*prefix, *chunk]):
                existing[tuple(found[k] for k in pk)] = found
    new: dict[tuple[Any, ...], dict[str, Any]] = {}
    changed = []
    for r in rows:
        key = tuple(r[k] for k in pk)
        old = existing.get(key)
        if old is None:
            new[key] = r  # a key repeated within one batch keeps its last version
        elif any(old.get(c) != _sqlite_value(r[c]) for c in cols):
            changed.append(r)
    if new:
        # plain inserts of plain values: sqlite-utils' per-value conversion would cost 3x here.
        # The values go in as they are: sqlite3 binds a bool as the integer 0/1 already, so a
        # per-value conversion pass (20 values a row, a million rows) would change nothing
        names = ", ".join(f"[{c}]" for c in cols)
        values = itemgetter(*cols) if len(cols) > 1 else (lambda r: (r[cols[0]],))
        with db.atomic():  # a bare executemany would leave Python's implicit transaction open
            db.conn.executemany(
                f"insert into [{table}] ({names}) values ({', '.join('?' * len(cols))})",
                map(values, new.values()),
            )
    if changed:
        db.table(table).upsert_all(changed, pk=pk, batch_size=max(1, 999 // len(cols)))
    return len(new) + len(changed)


def _sqlite_value(value: Any) -> Any:
    if isinstance(value, bool):
        return int(value)
    return value


def write_quarantine(db: Database, items: Iterable[Quarantined]) -> int:
    """Keep unparseable input rows with file, line and reason; returns how many were new."""
    n = 0
    for q in items:
        cur = db.execute(
            "insert or ignore into quarantine (source, file, line, reason, raw, created_at, data_ts) "
            "values (?, ?, ?, ?, ?, ?, ?)",
            [q.source, q.file, q.line, q.reason, q.raw[:2000], time.time(), q.data_ts],
        )
        n += cur.rowcount
    return n
