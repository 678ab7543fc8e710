"""The audit log (who revealed whom and why) and deletion of collected data."""

from __future__ import annotations

import getpass
import time

from sqlite_utils import Database

# tables holding collected activity, with the column that dates each row
_DATED = {
    "messages": "ts",
    "reactions": "ts",
    "meetings": "start_ts",
    "login_events": "ts",
    "sessions": "start_ts",
    "quarantine": "coalesce(data_ts, created_at)",  # the data's time, else when it was read
}
_UNDATED = (
    "attendance",
    "person_weeks",
    "findings",
    "digests",
    "accounts",
    "conversations",
    "people",
    "_cursors",
)


def record(db: Database, action: str, target: str, reason: str) -> None:
    """Append one entry to the audit log with the operating-system user as the actor."""
    try:
        actor = getpass.getuser()
    except Exception:  # no login name in some containers; the entry matters more than the name
        actor = "unknown"
    db.table("audit_log").insert(
        {"ts": time.time(), "actor": actor, "action": action, "target": target, "reason": reason}
    )


def purge_data(db: Database, cutoff: float | None) -> dict[str, int]:
    """Delete activity older than `cutoff` (epoch seconds), or all collected data when None.

    Returns:
        Rows deleted per table (tables with none are left out). The audit log is never purged.
    """
    deleted: dict[str, int] = {}
    with db.atomic():
        for table, column in _DATED.items():
            if cutoff is None:
                n = db.execute(f"delete from [{table}]").rowcount
            else:
                when = column if "(" in column else f"[{column}]"
                n = db.execute(f"delete from [{table}] where {when} < ?", [cutoff]).rowcount
            if n:
                deleted[table] = n
        if cutoff is None:
            for table in _UNDATED:
                n = db.execute(f"delete from [{table}]").rowcount
                if n:
                    deleted[table] = n
        else:
            n = db.execute(
                "delete from attendance where not exists (select 1 from meetings m "
                "where m.source = attendance.source and m.meeting_id = attendance.meeting_id)"
            ).rowcount
            if n:
                deleted["attendance"] = n
            n = db.execute(
                "delete from message_text where not exists (select 1 from messages m "
                "where m.source = message_text.source and m.message_id = message_text.message_id)"
            ).rowcount
            if n:
                deleted["message_text"] = n
    return deleted
