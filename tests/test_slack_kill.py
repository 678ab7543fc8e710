"""A Slack sync SIGKILLed half-way resumes from its committed cursors to the same final state."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from commsignal.demo.fake_slack import FakeSlack, sample_world

RUNNER = Path(__file__).with_name("slack_sync_runner.py")
TABLES = ("messages", "reactions", "accounts", "conversations", "people")


def _run(db: Path, fake: FakeSlack) -> subprocess.Popen[bytes]:
    env = {**os.environ, "SLACK_BOT_TOKEN": fake.token}
    env.pop("HTTP_PROXY", None)
    env.pop("HTTPS_PROXY", None)
    args = [sys.executable, str(RUNNER), str(db), fake.base_url, "15"]
    return subprocess.Popen(args, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def _count(db: Path, sql: str) -> int:
    try:
        with sqlite3.connect(db, timeout=5) as conn:
            return int(conn.execute(sql).fetchone()[0])
    except sqlite3.OperationalError:  # not created yet
        return 0


def _state(db: Path) -> dict[str, Any]:
    with sqlite3.connect(db) as conn:
        out: dict[str, Any] = {
            t: sorted(conn.execute(f"select * from {t}").fetchall()) for t in TABLES
        }
        out["cursors"] = sorted(
            conn.execute("select source, resource, partition, cursor from _cursors").fetchall()
        )
    return out


@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs POSIX signals")
def test_sigkilled_sync_resumes_to_the_same_state_as_an_uninterrupted_one(tmp_path: Path) -> None:
    world = sample_world(900, seed=21)
    with FakeSlack(world, latency=0.004) as fake:
        killed = tmp_path / "killed.db"
        proc = _run(killed, fake)
        deadline = time.time() + 30
        # wait until the sync is well into the channels: some history pages committed, not all
        while _count(killed, "select count(*) from messages") < 150 and time.time() < deadline:
            time.sleep(0.02)
        proc.send_signal(signal.SIGKILL)
        proc.wait(10)
        assert proc.returncode == -signal.SIGKILL
        partial = _count(killed, "select count(*) from messages")
        assert partial >= 150
        resumed = _run(killed, fake)
        out, err = resumed.communicate(timeout=60)
        assert resumed.returncode == 0, err.decode()[-2000:]

        clean = tmp_path / "clean.db"
        straight = _run(clean, fake)
        _, err = straight.communicate(timeout=60)
        assert straight.returncode == 0, err.decode()[-2000:]

        final = _state(killed)
        assert len(final["messages"]) > partial  # the rerun really had more to do
        assert final == _state(clean)
