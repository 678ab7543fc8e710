"""Microsoft 365 sync throughput against the loopback fake Graph with a large generated tenant."""

from __future__ import annotations

import tempfile
import time
from pathlib import Path
from typing import Any


def run(quick: bool = False) -> list[dict[str, Any]]:
    """Sync a large fake tenant end to end (fake server, real SDK, real Ingestor, no scorer).

    Args:
        quick: a smaller tenant, for CI smoke runs.

    Returns:
        One bench row with items/s.
    """
    from commsignal.demo.fake_graph import FakeGraph
    from commsignal.demo.fake_graph_world import START, sample_world
    from commsignal.ingest import Ingestor
    from commsignal.privacy import Pseudonymizer
    from commsignal.sources.m365 import sync_m365
    from commsignal.store import open_db
    from connectors.msgraph.settings import GraphSettings

    n_people, n_msgs, n_meet = (150, 5_000, 300) if quick else (1_000, 50_000, 3_000)
    world = sample_world(n_people, n_msgs, n_meet, seed=3, days=21)
    with tempfile.TemporaryDirectory() as tmp, FakeGraph(world) as fake:
        db = open_db(Path(tmp) / "bench.db")
        settings = GraphSettings(
            access_token="bench-token",
            base_url=fake.base_url,
            now=START + 22 * 86400,
            concurrency=16,
        )
        t0 = time.perf_counter()
        report = sync_m365(db, Ingestor(db, Pseudonymizer(b"bench"), None), settings)
        elapsed = time.perf_counter() - t0
    items = sum(report.items.values())
    return [
        {
            "area": "m365",
            "metric": "sync items/s (large fake tenant)",
            "value": round(items / elapsed, 1),
            "unit": "items/s",
            "target": "",
            "note": f"{n_people} users, {n_msgs} messages, {n_meet} meetings: {items} items, "
            f"{report.requests} requests in {elapsed:.1f}s",
        }
    ]


if __name__ == "__main__":
    for row in run(quick=True):
        print(row)
