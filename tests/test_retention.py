"""Retention: every table of the schema that holds person data is purged by age and by --all."""

from __future__ import annotations

import re
import sqlite3
import time
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from sqlite_utils import Database

from commsignal.cli import cli
from commsignal.config import ConfigError, load_config
from commsignal.store import open_db
from commsignal.store.retention import (
    IDENTITY,
    KEPT,
    holds_person_data,
    purge,
    table_plans,
)
from commsignal.weeks import week_bounds, week_of

DAY = 86400.0
NOW = time.time()
OLD = NOW - 60 * DAY
NEW = NOW - 1 * DAY
TIME_LIKE = re.compile(r"(^ts$|_ts$|_at$)")
JSON_OBJECTS = {"features", "evidence", "digest_json", "cursor", "stats", "baseline"}
JSON_LISTS = {
    "mentions", "cues", "active_spans", "ips", "devices", "client_apps", "countries",
    "aliases", "mention_account_ids", "rules", "cidrs", "tools", "teams", "subjects",
}  # fmt: skip


def _tables(path: Path) -> list[str]:
    """Every table, straight from sqlite_master (not from the code under test)."""
    with sqlite3.connect(path) as conn:
        rows = conn.execute(
            "select name from sqlite_master where type = 'table' and name not like 'sqlite_%'"
        ).fetchall()
    return sorted(r[0] for r in rows)


def _row(db: Database, table: str, age: str, ts: float, n: int) -> dict[str, Any]:
    """A row for any table: text columns say which row they belong to, so keys line up
    across tables (attendance.meeting_id == meetings.meeting_id for the same age)."""
    row: dict[str, Any] = {}
    for c in db.table(table).columns:
        if c.name == "week":
            row[c.name] = week_of(ts)
        elif c.name == "expires_at":
            row[c.name] = NOW + 30 * DAY  # kept text that has not expired: only its age purges it
        elif TIME_LIKE.search(c.name):
            row[c.name] = ts
        elif c.name in ("until", "expires", "start_date"):
            row[c.name] = time.strftime("%Y-%m-%d", time.gmtime(ts))
        elif c.name in JSON_OBJECTS:
            row[c.name] = "{}"
        elif c.name in JSON_LISTS:
            row[c.name] = "[]"
        elif c.type.upper() in ("INTEGER", "REAL", "FLOAT", "INT"):
            row[c.name] = n
        else:
            row[c.name] = "slack" if c.name == "source" else f"{age}-{c.name}"
    return row


def _fill(path: Path) -> Database:
    """One old (60 days) and one new (1 day) row in every table but the bookkeeping ones."""
    db = open_db(path)
    for table in _tables(path):
        if table in ("_sqlite_migrations", "_retention"):
            continue
        for n, (age, ts) in enumerate((("old", OLD), ("new", NEW)), start=1):
            db.table(table).insert(_row(db, table, age, ts, n + 1000))
    # an old meeting's attendance with no join time: only its meeting dates it
    db.table("attendance").insert(
        {"source": "slack", "meeting_id": "old-meeting_id", "person_id": "p-x", "invited": 1}
    )
    # kept text of a new message that has expired: deleted although the message stays
    db.table("message_text").insert(
        {"source": "slack", "message_id": "new-message_id-2", "text": "t", "expires_at": NOW - 1}
    )
    db.table("messages").insert(
        _row(db, "messages", "new", NEW, 7) | {"message_id": "new-message_id-2"}
    )
    return db


def _count(path: Path, table: str, where: str = "1") -> int:
    with sqlite3.connect(path) as conn:
        return int(conn.execute(f"select count(*) from [{table}] where {where}").fetchone()[0])


def test_every_table_is_filled_and_classified(tmp_path: Path) -> None:
    path = tmp_path / "s.db"
    db = _fill(path)
    plans = {p.table: p for p in table_plans(db)}
    assert set(plans) == set(_tables(path))
    for table in _tables(path):
        if table not in ("_sqlite_migrations", "_retention"):
            assert _count(path, table) >= 2, table
        if holds_person_data(db, table) and table not in KEPT:
            # a new table holding person data must be purged by age, not only by --all
            assert plans[table].kind in ("weekly", "activity", "dependent") or table in IDENTITY, (
                f"{table} holds person data but has no week or time column: purge by age "
                "cannot reach it (add one, or list it in DEPENDENT with its parent)"
            )
    for table in ("message_text", "quarantine", "person_weeks", "findings", "digests"):
        assert plans[table].kind != "kept"


def test_purge_all_leaves_nothing_but_the_audit_log(tmp_path: Path) -> None:
    path = tmp_path / "s.db"
    _fill(path)
    audit_before = _count(path, "audit_log")
    result = CliRunner().invoke(cli, ["--db", str(path), "purge", "--all", "--yes"])
    assert result.exit_code == 0, result.output
    for table in _tables(path):
        if table in ("audit_log", "_sqlite_migrations", "_runs", "_retention"):
            continue
        assert _count(path, table) == 0, table
    assert _count(path, "audit_log") == audit_before + 1
    assert _count(path, "audit_log", "action = 'purge' and target = 'all'") == 1


def test_purge_by_age_leaves_no_older_person_data(tmp_path: Path) -> None:
    path = tmp_path / "s.db"
    db = _fill(path)
    cutoff = NOW - 30 * DAY
    deleted = purge(db, cutoff, now=NOW)
    for table in ("messages", "reactions", "meetings", "attendance", "login_events", "sessions",
                  "quarantine", "person_weeks", "findings", "digests", "message_text"):  # fmt: skip
        assert deleted.get(table, 0) >= 1, (table, deleted)
    for table in _tables(path):
        # who-is-who (people, accounts, directory, manual links) is current state, kept by an
        # age purge and emptied by --all
        if table in KEPT or table in IDENTITY or table == "_cursors":
            continue
        columns = [c.name for c in db.table(table).columns]
        for col in columns:
            if TIME_LIKE.search(col) and col not in ("expires_at", "updated_at"):
                assert _count(path, table, f"[{col}] < {cutoff}") == 0, (table, col)
        if "week" in columns:
            weeks = [r[0] for r in db.execute(f"select week from [{table}]").fetchall()]
            assert all(week_bounds(w)[0] >= cutoff for w in weeks), (table, weeks)
        assert _count(path, table, "1") >= 1, table  # what is newer stays
    assert _count(path, "attendance", "meeting_id like 'old-%'") == 0
    assert _count(path, "message_text", "message_id like 'old-%'") == 0
    assert _count(path, "message_text", f"expires_at < {NOW}") == 0
    assert _count(path, "messages", "message_id = 'new-message_id-2'") == 1


def test_a_purged_week_is_refused_instead_of_overwritten(tmp_path: Path) -> None:
    path = tmp_path / "s.db"
    _fill(path)
    runner = CliRunner()
    result = runner.invoke(cli, ["--db", str(path), "purge", "--older-than", "30", "--yes"])
    assert result.exit_code == 0, result.output
    old_week = week_of(OLD)
    out = tmp_path / "d"
    again = runner.invoke(
        cli, ["--db", str(path), "digest", "--week", old_week, "--out", str(out), "--no-deliver"]
    )
    assert again.exit_code == 1 and "was purged" in again.output and "Fix:" in again.output
    assert "Traceback" not in again.output
    assert not out.exists() and _count(path, "digests", f"week = '{old_week}'") == 0
    recent = runner.invoke(
        cli,
        ["--db", str(path), "digest", "--week", week_of(NOW), "--out", str(out), "--no-deliver"],
    )
    assert recent.exit_code == 0, recent.output


def test_purge_asks_for_yes_when_not_interactive(tmp_path: Path) -> None:
    path = tmp_path / "s.db"
    _fill(path)
    before = _count(path, "messages")
    result = CliRunner().invoke(cli, ["--db", str(path), "purge", "--all"])  # stdin is no TTY
    assert result.exit_code == 1 and "--yes" in result.output
    assert _count(path, "messages") == before


def test_purge_uses_retention_days_and_needs_some_limit(tmp_path: Path) -> None:
    path = tmp_path / "s.db"
    _fill(path)
    bare = CliRunner().invoke(cli, ["--db", str(path), "purge", "--yes"])
    assert bare.exit_code == 1 and "retention_days" in bare.output
    config = tmp_path / "c.toml"
    config.write_text("[privacy]\nretention_days = 30\n")
    result = CliRunner().invoke(cli, ["--config", str(config), "--db", str(path), "purge", "--yes"])
    assert result.exit_code == 0, result.output
    assert _count(path, "messages", f"ts < {NOW - 30 * DAY}") == 0
    assert _count(path, "messages") >= 1


def test_scheduled_purge_job(tmp_path: Path) -> None:
    from commsignal.cli.context import AppContext
    from commsignal.schedule import run_job

    path = tmp_path / "s.db"
    _fill(path)
    config = tmp_path / "c.toml"
    config.write_text(
        '[privacy]\nretention_days = 30\n\n[[schedule.jobs]]\nid = "purge"\njob = "purge"\n'
        'cron = "30 2 * * *"\n'
    )
    app = AppContext(config_path=config, db_override=path)
    lines = run_job(app.fresh, "purge", "all")
    assert lines and "older than 30 days" in lines[0]
    assert _count(path, "login_events", f"ts < {NOW - 30 * DAY}") == 0
    assert _count(path, "audit_log", "action = 'purge'") == 1
    bad = tmp_path / "bad.toml"
    bad.write_text('[[schedule.jobs]]\nid = "purge"\njob = "purge"\ncron = "30 2 * * *"\n')
    with pytest.raises(ConfigError, match="retention_days"):
        load_config(bad)


def test_kept_text_expires_at_the_next_digest_without_new_messages(tmp_path: Path) -> None:
    path = tmp_path / "s.db"
    db = open_db(path)
    db.table("message_text").insert_all(
        [
            {"source": "slack", "message_id": "gone", "text": "t", "expires_at": NOW - 10},
            {"source": "slack", "message_id": "kept", "text": "t", "expires_at": NOW + 3600},
        ]
    )
    result = CliRunner().invoke(
        cli, ["--db", str(path), "digest", "--out", str(tmp_path / "d"), "--no-deliver"]
    )
    assert result.exit_code == 0, result.output
    assert [r[0] for r in db.execute("select message_id from message_text")] == ["kept"]
