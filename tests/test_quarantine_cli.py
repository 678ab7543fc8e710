"""`commsignal quarantine list|show|clear`, quarantine retention under purge, and the digest's weekly count."""

from __future__ import annotations

import json
import time
from pathlib import Path

from click.testing import CliRunner
from sqlite_utils import Database

from commsignal.audit import purge_data
from commsignal.cli.main import cli
from commsignal.digest.build import coverage
from commsignal.store import open_db

DATA = Path(__file__).parent / "data"
CSV = DATA / "logins_semicolon_epoch_ms.csv"
MAP = ["--column", "user=Benutzer", "--column", "timestamp=Zeitpunkt", "--column", "event=Ereignis"]


def _run(db: Path, *args: str) -> tuple[int, str]:
    res = CliRunner().invoke(cli, ["--db", str(db), *args])
    return res.exit_code, res.output


def _import_bad_rows(tmp_path: Path) -> Path:
    db = tmp_path / "q.db"
    bad = tmp_path / "junk.csv"
    bad.write_text(
        "user,timestamp,event\nann,2026-11-03T08:00:00Z,logon\nann,soon,logoff\nbob\n"
        + "x" * 5000
        + ",y,z,w\n"
    )
    code, _ = _run(db, "import", "logins", "--format", "csv", *MAP, str(CSV))
    assert code == 3
    code, out = _run(db, "import", "logins", "--format", "csv", str(bad))
    assert code == 3, out
    return db


def test_list_show_clear(tmp_path: Path) -> None:
    db = _import_bad_rows(tmp_path)
    code, out = _run(db, "quarantine", "list")
    assert code == 0
    assert "4 row(s) in all" in out
    assert "bad timestamp 'gestern'" in out and "expected 3 columns, got 1" in out
    code, out = _run(db, "quarantine", "list", "--json", "--file", "junk.csv")
    listed = json.loads(out)
    assert listed["total"] == 3 and {e["source"] for e in listed["entries"]} == {"csv"}
    code, out = _run(db, "quarantine", "list", "--rows", "--reason", "expected 3 columns, got 4")
    [line, _total] = out.strip().splitlines()
    row_id = line.split()[0].lstrip("#")
    code, out = _run(db, "quarantine", "show", row_id)
    assert code == 0 and "junk.csv line 5" in out
    assert "first 400 shown" in out and len(out) < 1000  # a 5 kB row is not echoed whole
    code, out = _run(db, "quarantine", "show", "99999")
    assert code != 0 and "quarantine list --rows" in out
    code, out = _run(db, "quarantine", "clear")
    assert code != 0 and "--all" in out
    code, out = _run(db, "quarantine", "clear", "--file", "junk.csv", "--yes")
    assert code == 0 and "cleared 3" in out
    store = Database(db)
    assert store["quarantine"].count == 1
    [entry] = store.query("select action, target, reason from audit_log")
    assert entry == {"action": "quarantine-clear", "target": "file=junk.csv", "reason": "3 rows"}


def test_quarantine_follows_the_retention_of_its_data(tmp_path: Path) -> None:
    db = _import_bad_rows(tmp_path)
    store = open_db(db)
    dated = dict(
        store.execute("select file, max(data_ts) from quarantine group by file").fetchall()
    )
    # dated by the good rows of the same file (Nov 2026), not by when they were read
    assert {round(v) for v in dated.values()} == {1793727000, 1793692800}
    cutoff = 1793700000.0
    deleted = purge_data(store, cutoff)
    assert deleted["quarantine"] == 3  # junk.csv's rows are dated 08:00, before the cutoff
    assert store["quarantine"].count == 1


def test_digest_counts_this_weeks_quarantine_only(tmp_path: Path) -> None:
    db = _import_bad_rows(tmp_path)
    store = open_db(db)
    week = (1793664000.0, 1793664000.0 + 7 * 86400)  # Mon 2026-11-02 .. Mon 2026-11-09 UTC
    logins = coverage(store, *week)["logins"]
    assert logins["quarantined_rows"] == 4 and logins["quarantined_by_source"] == {"csv": 4}
    later = coverage(store, week[1], week[1] + 7 * 86400)["logins"]
    assert later["quarantined_rows"] == 0  # not the table's lifetime total
    store.execute("update quarantine set data_ts = null")
    now = coverage(store, time.time() - 3600, time.time() + 3600)["logins"]
    assert now["quarantined_rows"] == 4  # undated rows count in the week they were read
