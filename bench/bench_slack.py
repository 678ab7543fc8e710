"""Benchmark: Slack sync throughput against the loopback fake server, retry sleeps off."""

from __future__ import annotations

import tempfile
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

from commsignal.demo.fake_slack import FakeSlack, sample_world
from commsignal.ingest import Ingestor, Scorer
from commsignal.privacy import Pseudonymizer
from commsignal.sources.slack import sync_slack
from commsignal.store import open_db
from connectors.slack import SlackSettings


@dataclass(slots=True)
class _Features:
    small_talk: float = 0.0
    is_small_talk: bool = False
    cues: tuple[str, ...] = ()
    is_pleasantry: bool = False
    n_tokens: int = 0
    is_question: bool = False


class _TrivialScorer:
    """Used when the nlp package is not importable, so the bench measures the sync alone."""

    def score_many(self, texts: Iterable[str], batch_size: int = 1000) -> Iterator[_Features]:
        for t in texts:
            yield _Features(n_tokens=len(t.split()))


def _scorer() -> tuple[Scorer, str]:
    try:
        import nlp

        return cast(Scorer, nlp.SmallTalkScorer()), "nlp.SmallTalkScorer"
    except Exception:  # noqa: BLE001 - any failure to load the real scorer falls back to the trivial one
        return _TrivialScorer(), "trivial scorer"


def run(quick: bool = False) -> list[dict[str, Any]]:
    """Sync a generated workspace (100k messages, 10k when quick) into a temp store and time it.

    Args:
        quick: use 10k messages instead of 100k.

    Returns:
        One row per metric, in the bench table's shape.
    """
    n = 10_000 if quick else 100_000
    world = sample_world(n, n_people=200, seed=1)
    scorer, scorer_name = _scorer()
    with tempfile.TemporaryDirectory() as tmp, FakeSlack(world) as fake:
        db = open_db(Path(tmp) / "bench.db")
        ingestor = Ingestor(db, Pseudonymizer(b"bench-key"), scorer)
        settings = SlackSettings(token=fake.token, base_url=fake.base_url, retry_sleep_scale=0)
        start = time.perf_counter()
        report = sync_slack(db, ingestor, settings)
        elapsed = time.perf_counter() - start
        stored = db["messages"].count
        start = time.perf_counter()
        rerun = sync_slack(db, ingestor, settings)
        rerun_s = time.perf_counter() - start
        db.conn.close()
    requests = sum(report.requests.values())
    return [
        {
            "area": "slack",
            "metric": f"sync msgs/s ({n // 1000}k messages, fake server, retry sleeps off)",
            "value": round(report.messages_seen / elapsed),
            "unit": "msgs/s",
            "target": "",
            "note": f"{elapsed:.1f}s, {requests} requests, {stored} rows stored, {scorer_name}",
        },
        {
            "area": "slack",
            "metric": "unchanged rerun (lookback re-read, writes nothing)",
            "value": round(rerun_s, 2),
            "unit": "s",
            "target": "",
            "note": f"{rerun.stats.total} rows/cursors written",
        },
    ]


if __name__ == "__main__":
    for row in run(quick=True):
        print(row)
