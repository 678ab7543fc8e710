"""What the store holds and how fresh each source is, for `commsignal status`."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlite_utils import Database

from commsignal.store.cursors import all_cursors
from commsignal.store.people import unmatched_by_source
from commsignal.store.runs import recent_runs

_COUNTS = {
    "people": "select count(*) from people",
    "accounts": "select count(*) from accounts where is_bot = 0",
    "conversations": "select count(*) from conversations",
    "messages": "select count(*) from messages",
    "meetings": "select count(*) from meetings",
    "attendance": "select count(*) from attendance",
    "login_events": "select count(*) from login_events",
    "sessions": "select count(*) from sessions",
    "quarantined": "select count(*) from quarantine",
    "findings": "select count(*) from findings",
}


def store_status(db: Database) -> dict[str, Any]:
    """Row counts and per-source cursors in the documented `status --json` shape."""
    counts = {name: db.execute(sql).fetchone()[0] for name, sql in _COUNTS.items()}
    sources: dict[str, Any] = {}
    for source in ("slack", "m365", "logins"):
        cursors = all_cursors(db, source)
        last = max((c["updated_at"] for c in cursors.values()), default=None)
        sources[source] = {
            "last_sync": datetime.fromtimestamp(last, UTC).isoformat(timespec="seconds")
            if last
            else None,
            "cursors": {k: v["cursor"] for k, v in cursors.items()},
        }
    last_login = db.execute("select max(ts) from login_events").fetchone()[0]
    if last_login and not sources["logins"]["last_sync"]:
        sources["logins"]["last_event"] = datetime.fromtimestamp(last_login, UTC).isoformat(
            timespec="seconds"
        )
    return {
        "counts": counts,
        "sources": sources,
        "identity": unmatched_by_source(db),
        "runs": recent_runs(db, 5),
    }
