"""Login import end to end: batches, idempotence, quarantine, and the CLI's exit codes and errors."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlite_utils import Database

from commsignal.cli.logins import EXIT_QUARANTINED, logins_command
from commsignal.ingest import Ingestor
from commsignal.privacy import Pseudonymizer
from commsignal.sources.logins import LoginImportOptions, import_login_files
from commsignal.store import migrations, open_db

HEADER = "user,timestamp,event,ip,device,client_app,session_id\n"


@dataclass
class StandIn:
    """The two things the command needs from the lead's AppContext."""

    store: Database = field(default_factory=lambda: open_db(None))

    def db(self) -> Database:
        return self.store

    def ingestor(self, scorer: bool = True) -> Ingestor:
        return Ingestor(self.store, Pseudonymizer(b"k"), None)


def _csv(tmp_path: Path, body: str, name: str = "l.csv") -> Path:
    path = tmp_path / name
    path.write_text(HEADER + body)
    return path


def test_import_batches_idempotent_and_rebuilds_sessions(tmp_path: Path) -> None:
    rows = "".join(
        f"u{i % 7}@corp.com,2026-01-05T{8 + i % 10:02d}:{i % 60:02d}:00Z,logon,10.0.0.{i % 7},PC{i % 7},,s{i}\n"
        for i in range(250)
    )
    path = _csv(tmp_path, rows + "broken line\n")
    db = open_db(None)
    ing = Ingestor(db, Pseudonymizer(b"k"), None)
    opts = LoginImportOptions(batch_size=40)
    first = import_login_files(db, ing, "csv", [path], opts)
    assert (first.events_read, first.new_events, first.quarantined, first.users) == (250, 250, 1, 7)
    assert first.sessions == 250 == db["sessions"].count
    assert first.quarantine_examples == [f"{path}:252: expected 7 columns, got 1"]
    again = import_login_files(db, ing, "csv", [path, path], opts)
    assert (again.new_events, again.duplicates, again.new_quarantined) == (0, 500, 0)
    assert db["login_events"].count == 250 and db["quarantine"].count == 1


def test_cli_summary_and_exit_code(tmp_path: Path) -> None:
    good = _csv(
        tmp_path, "ann,2026-01-05T08:00:00Z,logon,,,,k\nann,2026-01-05T17:00:00Z,logoff,,,,k\n"
    )
    runner = CliRunner()
    app = StandIn()
    ok = runner.invoke(logins_command, ["--format", "csv", str(good)], obj=app)
    assert ok.exit_code == 0, ok.output
    assert "2 rows read = 2 new + 0 already stored + 0 skipped + 0 quarantined" in ok.output
    assert "1 sessions" in ok.output
    bad = _csv(
        tmp_path, "ann,2026-01-06T08:00:00Z,logon,,,,k2\nann,later,logoff,,,,k2\n", "bad.csv"
    )
    res = runner.invoke(logins_command, ["--format", "csv", str(bad)], obj=app)
    assert res.exit_code == EXIT_QUARANTINED
    assert "1 row(s) quarantined" in res.output and "bad.csv:3: bad timestamp 'later'" in res.output
    [q] = app.store.query("select file, line, reason from quarantine")
    assert q == {"file": str(bad.resolve()), "line": 3, "reason": "bad timestamp 'later'"}


def test_cli_clear_errors(tmp_path: Path) -> None:
    runner = CliRunner()
    naive = _csv(tmp_path, "ann,2026-01-05 08:00:00,logon,,,,\n")
    res = runner.invoke(logins_command, ["--format", "csv", str(naive)], obj=StandIn())
    assert res.exit_code == 1 and "--timezone" in res.output and "Traceback" not in res.output
    res = runner.invoke(
        logins_command, ["--format", "csv", "--timezone", "UTC", str(naive)], obj=StandIn()
    )
    assert res.exit_code == 0
    res = runner.invoke(logins_command, ["--format", "syslog", str(naive)], obj=StandIn())
    assert res.exit_code == 1 and "unknown format 'syslog'" in res.output
    res = runner.invoke(
        logins_command, ["--format", "csv", str(tmp_path / "nope.csv")], obj=StandIn()
    )
    assert res.exit_code == 1 and "no such file" in res.output


def test_cli_column_mapping(tmp_path: Path) -> None:
    path = tmp_path / "vpn.csv"
    path.write_text("Username,Time,Action\nann,2026-01-05T08:00:00Z,Connected\n")
    args = [
        "--format",
        "csv",
        "--column",
        "user=Username",
        "--column",
        "timestamp=Time",
        "--column",
        "event=Action",
        "--event",
        "Connected=logon",
        str(path),
    ]
    app = StandIn()
    res = CliRunner().invoke(logins_command, args, obj=app)
    assert res.exit_code == 0, res.output
    assert [r["event"] for r in app.store.query("select event from login_events")] == ["logon"]


def test_colliding_event_keys_keep_both_events_and_stay_idempotent(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # force every first-probe key to collide, as two different ids sharing 64 bits would
    real = migrations.login_event_key
    monkeypatch.setattr(
        migrations, "login_event_key", lambda eid, probe=0: 7 if probe == 0 else real(eid, probe)
    )
    path = _csv(
        tmp_path,
        "ann,2024-05-01T08:00:00Z,logon,,PC1,,s1\n"
        "ann,2024-05-01T09:00:00Z,lock,,PC1,,s1\n"
        "bob,2024-05-01T08:30:00Z,logon,,PC2,,s2\n",
    )
    db = open_db(None)
    ingestor = Ingestor(db, Pseudonymizer(b"k"), None)
    first = import_login_files(db, ingestor, "csv", [path])
    assert first.new_events == 3 and db["login_events"].count == 3
    assert len({r["event_key"] for r in db.query("select event_key from login_events")}) == 3
    again = import_login_files(db, ingestor, "csv", [path])
    assert again.new_events == 0 and again.duplicates == 3 and db["login_events"].count == 3
