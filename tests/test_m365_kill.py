"""A sync SIGKILLed half-way and rerun ends up identical to one that was never interrupted."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

from sqlite_utils import Database

from commsignal.demo.fake_graph import FakeGraph
from commsignal.demo.fake_graph_world import START, sample_world
from commsignal.store import open_db

NOW = START + 15 * 86400
SCRIPT = textwrap.dedent(
    """
    import sys
    from commsignal.ingest import Ingestor
    from commsignal.privacy import Pseudonymizer
    from commsignal.store import open_db
    from commsignal.sources.m365 import sync_m365
    from connectors.msgraph.settings import GraphSettings

    db = open_db(sys.argv[1])
    settings = GraphSettings(access_token="t", base_url=sys.argv[2], now=float(sys.argv[3]), concurrency=2)
    sync_m365(db, Ingestor(db, Pseudonymizer(b"kill-key"), None), settings)
    """
)
TABLES = {
    "accounts": "source, account_id",
    "messages": "message_id",
    "reactions": "message_id, person_id, name",
    "meetings": "meeting_id",
    "attendance": "meeting_id, person_id",
    "login_events": "event_id",
    "_cursors": "source, resource, partition",
}


def sync_in_subprocess(db_path: Path, base_url: str, kill_after_messages: int | None) -> bool:
    """Run the sync in a child; with kill_after_messages, SIGKILL it once that many messages landed."""
    proc = subprocess.Popen(
        [sys.executable, "-c", SCRIPT, str(db_path), base_url, str(NOW)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    if kill_after_messages is None:
        _, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, err.decode()
        return False
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and proc.poll() is None:
        if db_path.exists():
            try:
                n = Database(db_path).execute("select count(*) from messages").fetchone()[0]
            except Exception:  # tables not created yet, or a write in progress
                n = 0
            if n >= kill_after_messages:
                os.kill(proc.pid, signal.SIGKILL)
                proc.wait()
                return True
        time.sleep(0.02)
    proc.kill()
    proc.wait()
    return False


def snapshot(path: Path) -> dict[str, list[tuple[object, ...]]]:
    db = open_db(path)
    out = {}
    for table, order in TABLES.items():
        cols = [c for c in db[table].columns_dict if c != "updated_at"]
        sel = ", ".join(f"[{c}]" for c in cols)
        out[table] = [
            tuple(r.values()) for r in db.query(f"select {sel} from [{table}] order by {order}")
        ]
    return out


def test_killed_sync_resumes_to_the_same_state(tmp_path: Path) -> None:
    world = sample_world(n_people=12, n_messages=300, n_meetings=20, seed=9)
    with FakeGraph(world, latency_s=0.01) as fake:
        killed = tmp_path / "killed.db"
        assert sync_in_subprocess(killed, fake.base_url, kill_after_messages=20), (
            "sync ended before the kill"
        )
        partial = snapshot(killed)
        assert 0 < len(partial["messages"]) < 294  # really half-way
        sync_in_subprocess(killed, fake.base_url, None)
        clean = tmp_path / "clean.db"
        sync_in_subprocess(clean, fake.base_url, None)
    resumed, expected = snapshot(killed), snapshot(clean)
    assert len(expected["messages"]) == 294
    for table in TABLES:
        assert resumed[table] == expected[table], table
