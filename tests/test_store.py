"""The store: migrations from an empty file, file modes, cursors, idempotent ingest and the text-free schema."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

from commsignal.ingest import Ingestor
from commsignal.models import Account, Page, RawMessage
from commsignal.privacy import Pseudonymizer
from commsignal.store import WAL_CHECKPOINT_PAGES, open_db
from commsignal.store.cursors import get_cursor, put_cursor
from commsignal.store.keys import load_or_create_key
from commsignal.store.migrations import migrations

EXPECTED_TABLES = {
    "people",
    "accounts",
    "conversations",
    "messages",
    "reactions",
    "meetings",
    "attendance",
    "login_events",
    "sessions",
    "person_weeks",
    "findings",
    "digests",
    "_cursors",
    "_runs",
    "audit_log",
    "quarantine",
}


def test_migrations_from_empty_file(tmp_path: Path) -> None:
    db = open_db(tmp_path / "new.db")
    assert set(db.table_names()) >= EXPECTED_TABLES
    applied = [m.name for m in migrations.applied(db)]
    assert applied[:2] == ["m001_initial", "m002_message_text"] and {
        "m003_identity",
        "m004_import_accounting",
        "m005_graph",
        "m006_triage",
        "m007_hardening",
    } <= set(applied)
    assert migrations.pending(db) == []
    # reopening applies nothing twice
    db2 = open_db(tmp_path / "new.db")
    assert len(migrations.applied(db2)) == len(applied)


def test_database_file_mode_is_0600(tmp_path: Path) -> None:
    old = os.umask(0o022)
    try:
        path = tmp_path / "secret.db"
        open_db(path)
    finally:
        os.umask(old)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_wal_mode(tmp_path: Path) -> None:
    db = open_db(tmp_path / "wal.db")
    assert db.execute("pragma journal_mode").fetchone()[0] == "wal"


def test_wal_is_checkpointed_in_large_steps_and_read_by_other_connections(tmp_path: Path) -> None:
    db = open_db(tmp_path / "wal.db")
    assert db.execute("pragma wal_autocheckpoint").fetchone()[0] == WAL_CHECKPOINT_PAGES
    with db.atomic():
        db.table("people").insert_all({"person_id": f"p-{i}"} for i in range(2000))
    # committed rows still in the WAL are what every other process reads
    wal = tmp_path / "wal.db-wal"
    assert wal.stat().st_size > 0
    other = open_db(tmp_path / "wal.db")
    assert other.execute("select count(*) from people").fetchone()[0] == 2000


def test_generated_key_is_0600_and_stable(tmp_path: Path) -> None:
    first = load_or_create_key(tmp_path / "x.db", None)
    second = load_or_create_key(tmp_path / "x.db", None)
    assert first.generated_key_path is not None
    assert stat.S_IMODE(first.generated_key_path.stat().st_mode) == 0o600
    assert first.for_email("A@Example.com ") == second.for_email("a@example.com")
    configured = load_or_create_key(tmp_path / "x.db", "configured-key-" + "k" * 32)
    assert configured.generated_key_path is None
    assert configured.for_email("a@example.com") != first.for_email("a@example.com")


def test_no_text_column_anywhere(tmp_path: Path) -> None:
    db = open_db(tmp_path / "t.db")
    # message_text is the one opt-in exception ([privacy] keep_message_text), empty by default
    for table in set(db.table_names()) - {"message_text"}:
        columns = {c.name for c in db.table(table).columns}
        assert not columns & {"text", "body", "content", "subject"}, table


def test_cursor_roundtrip_and_unchanged_write(tmp_path: Path) -> None:
    db = open_db(tmp_path / "c.db")
    assert get_cursor(db, "slack", "history", "C1") is None
    assert put_cursor(db, "slack", "history", "C1", {"ts": "1.5"}) is True
    assert put_cursor(db, "slack", "history", "C1", {"ts": "1.5"}) is False
    assert get_cursor(db, "slack", "history", "C1") == {"ts": "1.5"}


def _page(text: str) -> Page:
    return Page(
        source="slack",
        resource="history",
        partition="C1",
        cursor={"ts": "2.0"},
        accounts=[
            Account("slack", "U1", "ann@example.com", "Ann"),
            Account("slack", "B1", is_bot=True),
        ],
        messages=[
            RawMessage("slack", "C1:1.0", "C1", "U1", 1.0, text, reactions=(("U2", "tada"),)),
            RawMessage(
                "slack", "C1:2.0", "C1", "B1", 2.0, "deploy finished", subtype="bot_message"
            ),
        ],
    )


def test_ingest_is_idempotent_and_drops_bots(tmp_path: Path) -> None:
    db = open_db(tmp_path / "i.db")
    ingestor = Ingestor(db, Pseudonymizer(b"k"), None)
    first = ingestor.write(_page("hello"))
    assert first.written["messages"] == 1 and first.cursors == 1
    assert db.execute("select count(*) from messages").fetchone()[0] == 1
    assert db.execute("select count(*) from people").fetchone()[0] == 1
    again = ingestor.write(_page("hello"))
    assert again.total == 0


def test_people_are_pseudonymous_ids(tmp_path: Path) -> None:
    db = open_db(tmp_path / "p.db")
    Ingestor(db, Pseudonymizer(b"k"), None).write(_page("hi"))
    pid = db.execute("select person_id from messages").fetchone()[0]
    assert pid.startswith("p-") and "ann" not in pid


def test_text_never_stored(tmp_path: Path) -> None:
    path = tmp_path / "s.db"
    db = open_db(path)
    sentinel = "CS-SENTINEL-store-test-91c2"
    Ingestor(db, Pseudonymizer(b"k"), None).write(_page(f"my kid scored {sentinel}"))
    db.conn.close()
    for suffix in ("", "-wal"):
        file = Path(str(path) + suffix)
        if file.exists():
            assert sentinel.encode() not in file.read_bytes()


def test_writes_outside_a_transaction_survive_the_connection(tmp_path: Path) -> None:
    # a bare write must be committed, not left in an implicit transaction lost at exit
    path = tmp_path / "commit.db"
    db = open_db(path)
    Ingestor(db, Pseudonymizer(b"k"), None).write_login_events([])
    db.execute("insert into audit_log (ts, actor, action) values (1, 'me', 'x')")
    from commsignal.ingest import write_quarantine
    from commsignal.models import Quarantined

    write_quarantine(db, [Quarantined("csv", "f.csv", 3, "bad timestamp", "x")])
    assert not db.conn.in_transaction
    other = open_db(path)
    assert other.execute("select count(*) from audit_log").fetchone()[0] == 1
    assert other.execute("select count(*) from quarantine").fetchone()[0] == 1


def test_text_kept_only_when_switched_on_and_only_until_it_expires(tmp_path: Path) -> None:
    import time as _time

    db = open_db(tmp_path / "keep.db")
    Ingestor(db, Pseudonymizer(b"k"), None).write(_page("default mode"))
    assert db.execute("select count(*) from message_text").fetchone()[0] == 0
    keeping = Ingestor(db, Pseudonymizer(b"k"), None, keep_text_days=7)
    page = _page("kept for a week")
    page.messages[0].message_id = "C1:3.0"
    keeping.write(page)
    rows = list(db.query("select message_id, text, expires_at from message_text"))
    assert [(r["message_id"], r["text"]) for r in rows] == [("C1:3.0", "kept for a week")]
    assert rows[0]["expires_at"] > _time.time() + 6 * 86400
    db.execute("update message_text set expires_at = 0")
    page.messages[0].message_id = "C1:4.0"
    keeping.write(page)
    assert [r["message_id"] for r in db.query("select message_id from message_text")] == ["C1:4.0"]


def test_keeping_text_needs_a_retention(tmp_path: Path) -> None:
    import pytest

    from commsignal.config import ConfigError, load_config

    cfg = tmp_path / "c.toml"
    cfg.write_text("[privacy]\nkeep_message_text = true\n")
    with pytest.raises(ConfigError, match="text_retention_days"):
        load_config(cfg)


def test_runs_are_recorded_with_their_outcome(tmp_path: Path) -> None:
    import pytest

    from commsignal.store.runs import recent_runs, recorded_run

    db = open_db(tmp_path / "runs.db")
    with recorded_run(db, "sync:slack") as run:
        run["messages"] = 12
    with pytest.raises(RuntimeError), recorded_run(db, "sync:m365"):
        raise RuntimeError("tenant said no")
    runs = recent_runs(db)
    assert [(r["kind"], r["status"]) for r in runs] == [
        ("sync:m365", "failed"),
        ("sync:slack", "ok"),
    ]
    assert all(r["seconds"] is not None and r["seconds"] >= 0 for r in runs)
    stats = [json.loads(r["stats"]) for r in db.query("select stats from _runs order by run_id")]
    assert stats == [{"messages": 12}, {"error": "tenant said no"}]
