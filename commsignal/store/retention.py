"""One retention model: which tables hold person data, read from the schema, and deleting it by age or all.

Tables are classified by their columns, not by a hand-kept list, so a table added by a later
migration is purged too: a `week` column makes it weekly (person-weeks, findings, digests), a
time column makes it activity, a reference to purged rows makes it dependent (attendance,
kept text), and `tests/test_retention.py` fails for a table holding person data that fits none.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass

from sqlite_utils import Database

from commsignal.weeks import week_bounds, week_of

KEPT = frozenset({"audit_log", "_sqlite_migrations", "_runs", "_retention", "sqlite_sequence"})
"""Never purged: the audit log must outlive what it audits; the rest is bookkeeping."""
IDENTITY = frozenset(
    {
        "people",
        "accounts",
        "conversations",
        "directory",
        "identity_links",
        "identity_refs",
        "person_history",
    }
)
"""Who is who (current state, not dated activity): emptied by `--all`, kept by an age purge."""
# rows that only mean something beside a row of another table: (table, its key, parent, key)
DEPENDENT = {
    "attendance": ("meetings", ("source", "meeting_id")),
    "message_text": ("messages", ("source", "message_id")),
    "reactions": ("messages", ("source", "message_id")),
}
TIME_COLUMNS = ("ts", "start_ts", "first_join_ts", "created_at", "started_at", "generated_at")
_TIME_LIKE = re.compile(r"(^ts$|_ts$|_at$)")
PERSON_COLUMNS = re.compile(
    r"(^|_)(person_id|account_id|user|email|display_name|name|raw|text|features|evidence|"
    r"summary|digest_json|ip|device)$"
)


class PurgedWeekError(ValueError):
    """A digest was asked for a week whose data retention has deleted."""


@dataclass(frozen=True, slots=True)
class TablePlan:
    """How one table is purged: by `week`, by a time column, as a dependent, or only by --all."""

    table: str
    kind: str  # "weekly" | "activity" | "dependent" | "identity" | "state" | "kept"
    column: str | None = None


def table_plans(db: Database) -> list[TablePlan]:
    """Every table of the schema (from sqlite_master) with how purge treats it."""
    plans = []
    names = [
        r[0]
        for r in db.execute(
            "select name from sqlite_master where type = 'table' and name not like 'sqlite_%' "
            "order by name"
        ).fetchall()
    ]
    for name in names:
        columns = [c.name for c in db.table(name).columns]
        if name in KEPT:
            plans.append(TablePlan(name, "kept"))
        elif "week" in columns:
            plans.append(TablePlan(name, "weekly", "week"))
        elif name in DEPENDENT:
            plans.append(TablePlan(name, "dependent", _time_column(columns)))
        elif name in IDENTITY:
            plans.append(TablePlan(name, "identity"))
        elif name.startswith("_"):
            plans.append(TablePlan(name, "state"))  # cursors and similar: emptied by --all
        elif (column := _time_column(columns)) is not None:
            plans.append(TablePlan(name, "activity", column))
        else:
            plans.append(TablePlan(name, "identity"))  # undated: only --all empties it
    return plans


def holds_person_data(db: Database, table: str) -> bool:
    """Whether a table has a column that names, identifies or describes a person's activity."""
    return any(PERSON_COLUMNS.search(c.name) for c in db.table(table).columns)


def _time_column(columns: list[str]) -> str | None:
    for name in TIME_COLUMNS:
        if name in columns:
            return name
    return next((c for c in columns if _TIME_LIKE.search(c) and c != "expires_at"), None)


def purge(db: Database, cutoff: float | None, now: float | None = None) -> dict[str, int]:
    """Delete person data older than `cutoff` (epoch seconds), or all of it when None.

    Args:
        db: the store.
        cutoff: oldest time kept; None deletes every table but the audit log and bookkeeping.
        now: the current time (tests pass one); expired kept text is deleted either way.

    Returns:
        Rows deleted per table (tables with none left out). Weeks starting before the cutoff
        are recorded in `_retention`, so a digest for them is refused instead of overwritten.
    """
    now = time.time() if now is None else now
    deleted: dict[str, int] = {}

    def count(table: str, n: int) -> None:
        if n:
            deleted[table] = deleted.get(table, 0) + n

    plans = table_plans(db)
    with db.atomic():
        for plan in plans:
            if plan.kind == "kept":
                continue
            if cutoff is None:
                count(plan.table, db.execute(f"delete from [{plan.table}]").rowcount)
            elif plan.kind == "activity":
                sql = f"delete from [{plan.table}] where [{plan.column}] < ?"
                count(plan.table, db.execute(sql, [cutoff]).rowcount)
            elif plan.kind == "weekly":
                count(plan.table, _purge_weeks(db, plan.table, cutoff))
        if cutoff is not None:
            for plan in plans:
                if plan.kind != "dependent":
                    continue
                parent, key = DEPENDENT[plan.table]
                if plan.column is not None:
                    sql = f"delete from [{plan.table}] where [{plan.column}] < ?"
                    count(plan.table, db.execute(sql, [cutoff]).rowcount)
                match = " and ".join(f"p.[{k}] = [{plan.table}].[{k}]" for k in key)
                sql = (
                    f"delete from [{plan.table}] where not exists "
                    f"(select 1 from [{parent}] p where {match})"
                )
                count(plan.table, db.execute(sql).rowcount)
        if "message_text" in {p.table for p in plans}:
            count("message_text", expire_kept_text(db, now))
        horizon = cutoff if cutoff is not None else week_bounds(week_of(now, "UTC"), "UTC")[0]
        _raise_horizon(db, horizon, now)
    return deleted


def expire_kept_text(db: Database, now: float | None = None) -> int:
    """Delete kept message text past its expiry, whether or not new messages arrive; returns rows."""
    cutoff = time.time() if now is None else now
    return db.execute("delete from message_text where expires_at < ?", [cutoff]).rowcount


def _purge_weeks(db: Database, table: str, cutoff: float) -> int:
    """Delete the rows of every week that started before the cutoff (its data is partly gone)."""
    weeks = [r[0] for r in db.execute(f"select distinct week from [{table}]").fetchall()]
    old = [w for w in weeks if _week_start(w) < cutoff]
    n = 0
    for w in old:
        n += db.execute(f"delete from [{table}] where week = ?", [w]).rowcount
    return n


def _week_start(week: str) -> float:
    try:
        return week_bounds(week, "UTC")[0]
    except ValueError:  # not an ISO week: treat as old, it cannot be digested anyway
        return float("-inf")


def _raise_horizon(db: Database, horizon: float, now: float) -> None:
    db.execute(
        "insert into _retention (scope, purged_before, purged_at) values ('data', ?, ?) "
        "on conflict (scope) do update set purged_before = max(purged_before, excluded.purged_before), "
        "purged_at = excluded.purged_at",
        [horizon, now],
    )


def purged_before(db: Database) -> float | None:
    """The retention horizon: data before it was purged (None if nothing was ever purged)."""
    row = db.execute("select purged_before from _retention where scope = 'data'").fetchone()
    return None if row is None else float(row[0])


def check_week_not_purged(db: Database, week: str, tz: str = "UTC") -> None:
    """Refuse a digest for a week retention has (partly) deleted, instead of overwriting its history.

    Raises:
        PurgedWeekError: the week starts before the retention horizon; says which weeks remain.
    """
    horizon = purged_before(db)
    if horizon is None or week_bounds(week, tz)[0] >= horizon:
        return
    first = week_of(horizon, tz)
    if week_bounds(first, tz)[0] < horizon:
        first = week_of(horizon + 7 * 86400, tz)
    raise PurgedWeekError(
        f"week {week} was purged (data before {time.strftime('%Y-%m-%d %H:%M', time.gmtime(horizon))} "
        f"UTC was deleted by retention); a new digest would replace its history with an empty "
        f"one. Fix: ask for {first} or a later week (the digests kept so far stay as they were)."
    )
