"""Before/after timing of the Microsoft 365 sync on the demo world, one fake Graph for every run.

Why a separate server process: comparing two checkouts needs the same tenant served to both, and
building a 2,000-person world takes a while; with the fake in its own process the client's CPU
time is the connector's (plus ingest and scoring) and nothing else.

    python bench/m365_ab.py serve --people 2000 > /tmp/fake.json      # prints url and now, then serves
    PYTHONPATH=/path/to/other/checkout python bench/m365_ab.py client --server /tmp/fake.json

Each client run syncs into a fresh database and prints one JSON line: wall and CPU seconds of
`sync_m365`, peak RSS, requests, items, and a digest of every stored row, so two checkouts can be
shown to store exactly the same thing.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

# tables whose rows carry wall-clock times of the run itself, not data from Graph
_RUN_TABLES = ("_runs", "audit_log", "_sqlite_migrations")


def serve(people: int, weeks: int, seed: int) -> None:
    """Build the demo world once and serve it until stdin closes or the process is killed."""
    from commsignal.demo.fake_graph import FakeGraph
    from commsignal.demo.simulate import simulate

    world = simulate(seed=seed, n_people=people, weeks=weeks)
    with FakeGraph(world) as fake:
        now = world.start + world.weeks * 7 * 86400
        print(json.dumps({"url": fake.base_url, "now": now, "people": people}), flush=True)
        while True:
            time.sleep(3600)


def table_digests(db: Any) -> dict[str, str]:
    """sha256 of each table's rows in a fixed order (run bookkeeping and write times left out)."""
    out: dict[str, str] = {}
    for name in sorted(db.table_names()):
        if name in _RUN_TABLES or name.startswith("sqlite_") or "_fts" in name:
            continue
        h = hashlib.sha256()
        # `*_at` columns hold when the row was written, which differs between any two runs
        rows = [
            json.dumps({k: v for k, v in r.items() if not k.endswith("_at")}, sort_keys=True)
            for r in db[name].rows
        ]
        for line in sorted(rows):
            h.update(line.encode())
        out[name] = f"{len(rows)}:{h.hexdigest()[:16]}"
    return out


def client(server_file: Path, scorer: bool, keep: Path | None = None) -> dict[str, Any]:
    """One sync into a fresh database, timed, with the stored rows' digests."""
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from memory import peak_rss_mb

    from commsignal.ingest import Ingestor
    from commsignal.privacy import Pseudonymizer
    from commsignal.sources.m365 import sync_m365
    from commsignal.store import open_db
    from connectors.msgraph.settings import GraphSettings

    info = json.loads(server_file.read_text().splitlines()[0])
    with tempfile.TemporaryDirectory() as tmp:
        db = open_db(keep or Path(tmp) / "ab.db")
        nlp = None
        if scorer:
            from nlp import SmallTalkScorer

            nlp = SmallTalkScorer()
        ingestor = Ingestor(db, Pseudonymizer(b"m365-ab"), nlp)
        # the demo's [m365] settings (config/demo.toml)
        settings = GraphSettings(
            access_token="ab-token",
            base_url=info["url"],
            now=info["now"],
            window_days=35,
            page_size=50,
        )
        import commsignal.sources.m365  # noqa: F401 - imported before timing, as the demo has

        wall0, cpu0 = time.perf_counter(), time.process_time()
        report = sync_m365(db, ingestor, settings)
        wall, cpu = time.perf_counter() - wall0, time.process_time() - cpu0
        digests = table_digests(db)
    return {
        "code": str(Path(sys.modules["connectors"].__file__ or "").parent.parent),
        "people": info["people"],
        "wall_s": round(wall, 2),
        "cpu_s": round(cpu, 2),
        "peak_rss_mb": round(peak_rss_mb(), 1),
        "requests": report.requests,
        "items": sum(report.items.values()),
        "notices": report.notices,
        "tables": digests,
    }


def main() -> None:
    """Serve or run one client, as the first argument says."""
    parser = argparse.ArgumentParser(description=__doc__)
    sub = parser.add_subparsers(dest="mode", required=True)
    s = sub.add_parser("serve")
    s.add_argument("--people", type=int, default=200)
    s.add_argument("--weeks", type=int, default=4)
    s.add_argument("--seed", type=int, default=7)
    c = sub.add_parser("client")
    c.add_argument("--server", type=Path, required=True)
    c.add_argument("--no-scorer", action="store_true")
    c.add_argument("--keep", type=Path, help="write the database here (a new file) to inspect it")
    args = parser.parse_args()
    if args.mode == "serve":
        serve(args.people, args.weeks, args.seed)
    else:
        print(json.dumps(client(args.server, not args.no_scorer, args.keep)), flush=True)


if __name__ == "__main__":
    main()
