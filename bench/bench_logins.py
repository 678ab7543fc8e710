"""Benchmark: import + sessionise a generated login CSV (1,000,000 events; 100,000 when quick)."""

from __future__ import annotations

import json
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

_CHILD = r"""
import json, sys, time
from commsignal.ingest import Ingestor
from commsignal.sources.logins import import_login_files
from commsignal.privacy import Pseudonymizer
from commsignal.analysis.session_store import rebuild_sessions_in_db
from commsignal.store import open_db
from connectors.logins import parse_file

path, db_path = sys.argv[1], sys.argv[2]
t = time.perf_counter()
n = sum(1 for _ in parse_file("csv", path))
parse_s = time.perf_counter() - t
db = open_db(db_path)
t = time.perf_counter()
summary = import_login_files(db, Ingestor(db, Pseudonymizer(b"bench"), None), "csv", [path])
import_s = time.perf_counter() - t
t = time.perf_counter()
rebuilt = rebuild_sessions_in_db(db)
rebuild_s = time.perf_counter() - t
from bench.memory import peak_rss_mb
print(json.dumps({"peak_mb": peak_rss_mb(), "parsed": n, "parse_s": parse_s, "import_s": import_s, "rebuild_s": rebuild_s,
                  "events": summary.new_events, "sessions": rebuilt, "quarantined": summary.quarantined}))
"""


def write_csv(path: Path, n_events: int, seed: int = 7) -> None:
    """A deterministic workstation log: per user, days of logon, lock/unlock pairs, logoff.

    Args:
        path: where to write.
        n_events: how many event rows.
        seed: random seed.
    """
    rng = random.Random(seed)
    n_users = max(10, n_events // 500)
    t0 = 1_767_600_000
    written = 0
    with path.open("w") as fh:
        fh.write("user,timestamp,event,ip,device,client_app,session_id\n")
        day = 0
        while written < n_events:
            for u in range(n_users):
                if written >= n_events:
                    break
                start = t0 + day * 86400 + rng.randint(6, 10) * 3600 + rng.randint(0, 3599)
                key = f"s{u}-{day}"
                ip = f"10.{u % 250}.{day % 250}.{rng.randint(1, 250)}"
                events = [("logon", start)]
                t = start
                for _ in range(rng.randint(0, 3)):
                    t += rng.randint(600, 7200)
                    events.append(("lock", t))
                    t += rng.randint(60, 3600)
                    events.append(("unlock", t))
                if rng.random() < 0.9:  # some sessions never end: they must stay open, not vanish
                    events.append(("logoff", t + rng.randint(600, 14400)))
                for event, ts in events[: n_events - written]:
                    stamp = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(ts))
                    fh.write(f"user{u}@corp.example,{stamp},{event},{ip},PC{u},,{key}\n")
                    written += 1
            day += 1


def run(quick: bool = False) -> list[dict[str, object]]:
    """Measure import + sessionise in a child process (so peak RSS is its own).

    Args:
        quick: 100,000 events instead of 1,000,000.

    Returns:
        Rows of area, metric, value, unit, target, note.
    """
    n = 100_000 if quick else 1_000_000
    label = f"{n:,}"
    with tempfile.TemporaryDirectory() as tmp:
        csv_path = Path(tmp) / "logins.csv"
        write_csv(csv_path, n)
        t = time.perf_counter()
        proc = subprocess.run(
            [sys.executable, "-c", _CHILD, str(csv_path), str(Path(tmp) / "bench.db")],
            capture_output=True,
            text=True,
            check=True,
            cwd=Path(__file__).resolve().parents[1],
        )
        wall = time.perf_counter() - t
    out = json.loads(proc.stdout.strip().splitlines()[-1])
    peak_mb = out["peak_mb"]
    total = out["import_s"]
    note = (
        f"{out['events']:,} events, {out['sessions']:,} sessions, {out['quarantined']} quarantined; "
        f"parse alone {out['parse_s']:.1f} s, session rebuild alone {out['rebuild_s']:.1f} s; "
        f"child wall {wall:.1f} s"
    )
    return [
        {
            "area": "logins",
            "metric": f"import + sessionise {label} events",
            "value": round(total, 2),
            "unit": "s",
            "target": "< 30 s, < 500 MB",
            "note": note,
        },
        {
            "area": "logins",
            "metric": "login import throughput",
            "value": round(out["events"] / total),
            "unit": "events/s",
            "target": "> 33,000 events/s",
            "note": "CSV parse + write_login_events + rebuild_sessions_in_db",
        },
        {
            "area": "logins",
            "metric": "login import peak RSS",
            "value": round(peak_mb, 1),
            "unit": "MB",
            "target": "< 500 MB",
            "note": "peak resident set of the importing child process",
        },
    ]


if __name__ == "__main__":
    for row in run(quick="--quick" in sys.argv):
        print(json.dumps(row))
