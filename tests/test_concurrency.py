"""Several processes on one store at once: a Slack sync, a login import and digests all finish, nothing lost."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from commsignal.demo.fake_slack import FakeSlack, sample_world
from commsignal.store import open_db
from commsignal.store.tx import write_transaction

RUNNER = Path(__file__).with_name("slack_sync_runner.py")
DROPPED = ("bot_message", "channel_join")
WEEK_START = datetime(2026, 11, 9, tzinfo=UTC)  # Monday of 2026-W46
WEEK = "2026-W46"


def _env(fake: FakeSlack | None = None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("HTTP_PROXY", "HTTPS_PROXY")}
    if fake is not None:
        env["SLACK_BOT_TOKEN"] = fake.token
    return env


def _write_logins(path: Path, users: int, days: int) -> int:
    """An ordinary office week for many people, as the generic login CSV."""
    lines = ["user,timestamp,event,ip,device"]
    for u in range(users):
        for d in range(days):
            day = WEEK_START + timedelta(days=d)
            for hour, event in ((8, "logon"), (12, "lock"), (13, "unlock"), (17, "logoff")):
                ts = (day + timedelta(hours=hour, minutes=u % 50)).strftime("%Y-%m-%dT%H:%M:%SZ")
                lines.append(f"user{u}@example.com,{ts},{event},10.0.{u // 250}.{u % 250},PC-{u}")
    path.write_text("\n".join(lines) + "\n")
    return len(lines) - 1


def _sample(db: Path, samples: list[tuple[int, int, int]], stop: threading.Event) -> None:
    """Every 20 ms: stored messages, login events, and digests running (from `_runs`)."""
    while not stop.is_set():
        try:
            with sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=1) as conn:
                samples.append(
                    conn.execute(
                        "select (select count(*) from messages), (select count(*) from login_events), "
                        "(select count(*) from _runs where kind like 'digest:%' and status = 'running')"
                    ).fetchone()
                )
        except sqlite3.OperationalError:
            pass
        time.sleep(0.02)


def _cli(*args: str) -> list[str]:
    return [sys.executable, "-m", "commsignal", *args]


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX processes")
def test_sync_import_and_digest_at_once_all_finish_and_lose_nothing(tmp_path: Path) -> None:
    db = tmp_path / "shared.db"
    open_db(db)  # created first, as `serve` would have; the three then start together
    logins = tmp_path / "logins.csv"
    n_events = _write_logins(logins, users=300, days=7)
    world = sample_world(2500, n_people=40, seed=11)
    with FakeSlack(world, latency=0.01) as fake:
        sync = subprocess.Popen(
            [sys.executable, str(RUNNER), str(db), fake.base_url, "40"],
            env=_env(fake), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        )  # fmt: skip
        imp = subprocess.Popen(
            _cli("--db", str(db), "import", "logins", "--format", "csv", str(logins), "--json"),
            env=_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        )  # fmt: skip
        samples: list[tuple[int, int, int]] = []
        stop = threading.Event()
        sampler = threading.Thread(target=_sample, args=(db, samples, stop))
        sampler.start()
        digests: list[subprocess.CompletedProcess[bytes]] = []
        # digests run one after another for as long as the sync or the import still runs
        while sync.poll() is None or imp.poll() is None or len(digests) < 2:
            digests.append(
                subprocess.run(
                    _cli(
                        "--db",
                        str(db),
                        "digest",
                        "--week",
                        WEEK,
                        "--out",
                        str(tmp_path / "d"),
                        "--no-deliver",
                    ),
                    env=_env(),
                    capture_output=True,
                    timeout=300,
                )  # fmt: skip
            )
        stop.set()
        sampler.join()
        sync_out, sync_err = sync.communicate(timeout=300)
        imp_out, imp_err = imp.communicate(timeout=300)
        expected = {
            f"{m['channel']}:{m['ts']}"
            for m in fake.served_messages()
            if m.get("subtype") not in DROPPED
        }
    # the store was seen mid-sync (some messages, not all) while a digest was running in it
    final = len(expected)
    assert any(d and 0 < m < final for m, _, d in samples), samples[-20:]
    assert sync.returncode == 0, sync_err.decode()[-3000:]
    assert imp.returncode == 0, imp_err.decode()[-3000:]
    for run in digests:
        assert run.returncode == 0, run.stderr.decode()[-3000:]
    for err in (sync_err, imp_err, *(r.stderr for r in digests)):
        assert b"Traceback" not in err and b"locked" not in err
    summary = json.loads(imp_out)
    with sqlite3.connect(db) as conn:
        stored = {r[0] for r in conn.execute("select message_id from messages")}
        n_login = conn.execute("select count(*) from login_events").fetchone()[0]
        runs = conn.execute("select status, count(*) from _runs group by status").fetchall()
    assert stored == expected and len(expected) > 1000
    assert n_login == n_events == summary["events_read"]
    assert dict(runs).get("failed", 0) == 0
    assert (tmp_path / "d" / f"commsignal-digest-{WEEK}.html").exists()
    assert json.loads(sync_out)["pages"] > 10


def test_two_writers_in_a_loop_never_fail(tmp_path: Path) -> None:
    """Read-then-write transactions from two connections: every write lands (a deferred BEGIN failed 94%)."""
    path = tmp_path / "w.db"
    open_db(path).execute("create table counter (id integer primary key, n integer)")
    open_db(path).execute("insert into counter values (1, 0)")
    errors: list[BaseException] = []

    def writer() -> None:
        db = open_db(path)
        try:
            for _ in range(150):
                with write_transaction(db):
                    n = db.execute("select n from counter where id = 1").fetchone()[0]
                    time.sleep(0.0005)
                    db.execute("update counter set n = ? where id = 1", [n + 1])
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=writer) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert open_db(path).execute("select n from counter").fetchone()[0] == 300


def test_two_first_runs_race_on_migrations_and_the_key(tmp_path: Path) -> None:
    """Two processes opening a new store at once: both succeed, one schema, one key with content."""
    db = tmp_path / "race.db"
    code = (
        "import sys; from commsignal.store import open_db; from commsignal.store.keys import "
        "load_or_create_key; open_db(sys.argv[1]); print(load_or_create_key(sys.argv[1], None)"
        ".for_email('a@example.com'))"
    )
    procs = [
        subprocess.Popen([sys.executable, "-c", code, str(db)], env=_env(),
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        for _ in range(4)
    ]  # fmt: skip
    outs = [p.communicate(timeout=120) for p in procs]
    for p, (_, err) in zip(procs, outs, strict=True):
        assert p.returncode == 0, err.decode()[-2000:]
    assert len({out for out, _ in outs}) == 1  # every process used the same key
    key = Path(str(db) + ".key").read_bytes().strip()
    assert len(key) >= 32
    with sqlite3.connect(db) as conn:
        names = [r[0] for r in conn.execute("select name from _sqlite_migrations")]
    assert len(names) == len(set(names))


def test_a_store_locked_past_every_retry_is_a_clear_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from click.testing import CliRunner

    import commsignal.store as store
    import commsignal.store.tx as tx
    from commsignal.cli import cli

    path = tmp_path / "busy.db"
    open_db(path).table("people").insert({"person_id": "p-1", "email": "a@example.com"})
    monkeypatch.setattr(store, "BUSY_TIMEOUT_MS", 50)
    monkeypatch.setattr(tx, "LOCK_ATTEMPTS", 2)
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        result = CliRunner().invoke(cli, ["--db", str(path), "purge", "--all", "--yes"])
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert result.exit_code == 1
    assert "stayed locked" in result.output and "Fix:" in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    with sqlite3.connect(path) as conn:
        assert conn.execute("select count(*) from people").fetchone()[0] == 1
