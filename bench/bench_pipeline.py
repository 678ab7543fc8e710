"""Pipeline benchmarks: ingest+score+store of 1M messages, and weekly analysis for 10,000 people x 4 weeks."""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from bench.memory import peak_rss_mb

WORK = [
    "deploy of {svc} finished, rolling back {n} pods",
    "can you review PR #{n}?",
    "ticket OPS-{n} is blocked on {svc}",
    "standup moved to {h}:30",
    "latency on {svc} is {n} ms p99",
    "merged, thanks",
]
SOCIAL = [
    "how was your weekend? did the kids enjoy the game?",
    "haha that's great :joy:",
    "happy birthday {name}! 🎉",
    "the weather is lovely today, going for a run",
    "my dog ate my headphones lol",
]
START = 1_763_337_600.0  # Monday 2025-11-17 00:00 UTC


def _messages(n: int, people: int, seed: int = 1) -> Iterator[Any]:
    """n messages drawn from 200,000 varied texts: cheap to generate, too many for the scorer cache."""
    from commsignal.models import RawMessage

    rng = random.Random(seed)
    pool = []
    for _ in range(200_000):
        template = rng.choice(SOCIAL if rng.random() < 0.15 else WORK)
        pool.append(
            template.format(
                svc=rng.choice(["api", "db", "auth", "queue"]),
                n=rng.randint(1, 9999),
                h=rng.randint(8, 17),
                name="Sam",
            )
        )
    users = [f"U{rng.randrange(people):06d}" for _ in range(7919)]
    for i in range(n):
        # a page of 2,000 messages per channel, oldest first: the way connectors deliver them
        channel = f"C{(i // 2000) % 500}"
        yield RawMessage(
            "slack",
            f"{channel}:{i}",
            channel,
            users[i % 7919],
            START + i * 2.0,
            pool[(i * 7) % 200_000],
        )


def ingest_bench(n: int) -> dict[str, Any]:
    """Stream n messages through Ingestor (score, drop text, upsert) in pages; returns timing and peak RSS."""
    from commsignal.ingest import Ingestor
    from commsignal.models import Account, Page
    from commsignal.privacy import Pseudonymizer
    from commsignal.sources.directory import refresh_identities
    from commsignal.store import open_db
    from nlp import SmallTalkScorer

    with tempfile.TemporaryDirectory() as tmp:
        db = open_db(Path(tmp) / "b.db")
        ingestor = Ingestor(db, Pseudonymizer(b"bench"), SmallTalkScorer())
        people = 2000
        ingestor.write(
            Page(
                "slack",
                "users",
                accounts=[
                    Account("slack", f"U{i:06d}", f"u{i}@example.com") for i in range(people)
                ],
            )
        )
        started = time.perf_counter()
        batch = []
        for m in _messages(n, people):
            batch.append(m)
            if len(batch) == 2000:
                ingestor.write(
                    Page(
                        "slack",
                        "history",
                        partition="bench",
                        cursor={"i": m.message_id},
                        messages=batch,
                    )
                )
                batch = []
        if batch:
            ingestor.write(
                Page("slack", "history", partition="bench", cursor={"i": "end"}, messages=batch)
            )
        # what every import and sync ends with: re-resolving who is who (nothing changes here)
        refresh_identities(db, ingestor.pseudonyms, ingestor=ingestor)
        elapsed = time.perf_counter() - started
        stored = db.execute("select count(*) from messages").fetchone()[0]
    return {
        "seconds": elapsed,
        "stored": stored,
        "peak_mb": peak_rss_mb(),
    }


def analysis_bench(people: int, weeks: int) -> dict[str, Any]:
    """Fill a store for `people` x `weeks` directly, then time features + detection for every week and one digest."""
    from commsignal.analysis.features import compute_week
    from commsignal.config import Config
    from commsignal.detect import detect_week, load_rules
    from commsignal.digest import build_digest, write_digest
    from commsignal.store import open_db
    from commsignal.weeks import week_of

    rng = random.Random(3)
    with tempfile.TemporaryDirectory() as tmp:
        db = open_db(Path(tmp) / "a.db")
        db.table("people").insert_all(
            (
                {
                    "person_id": f"p{i}",
                    "email": f"p{i}@example.com",
                    "team": f"T{i // 10}",
                    "tz": "America/New_York",
                    "country": "US",
                }
                for i in range(people)
            ),
            batch_size=500,
        )

        def messages() -> Iterator[dict[str, Any]]:
            k = 0
            for day in range(weeks * 7):
                if day % 7 >= 5:
                    continue
                for p in range(people):
                    for _ in range(5):
                        k += 1
                        yield {
                            "source": "slack",
                            "message_id": str(k),
                            "conversation_id": f"C{p // 10}",
                            "account_id": f"p{p}",
                            "person_id": f"p{p}",
                            "ts": START + day * 86400 + rng.uniform(13, 22) * 3600,
                            "n_tokens": 9,
                            "is_small_talk": int(rng.random() < 0.15),
                            "is_pleasantry": 0,
                            "is_question": 0,
                            "is_reply": int(k % 3 == 0),
                            "reply_to_person_id": f"p{(p + 1) % people}",
                            "mentions": "[]",
                            "cues": "[]",
                        }

        def sessions() -> Iterator[dict[str, Any]]:
            for day in range(weeks * 7):
                if day % 7 >= 5:
                    continue
                for p in range(people):
                    start = START + day * 86400 + 13 * 3600
                    yield {
                        "session_id": f"{p}:{day}",
                        "user": f"p{p}",
                        "person_id": f"p{p}",
                        "source": "csv",
                        "start_ts": start,
                        "end_ts": start + 9 * 3600,
                        "last_seen_ts": start + 9 * 3600,
                        "duration_seconds": 9 * 3600.0,
                        "end_reason": "logoff",
                        "devices": json.dumps([f"WS{p}"]),
                        "ips": "[]",
                    }

        fill_started = time.perf_counter()
        with db.atomic():
            db.table("messages").insert_all(messages(), batch_size=60)
            db.table("sessions").insert_all(sessions(), batch_size=60)
        fill = time.perf_counter() - fill_started
        n_messages = db.execute("select count(*) from messages").fetchone()[0]
        config = Config()
        started = time.perf_counter()
        rules = load_rules()
        ranked: list[Any] = []
        week = ""
        for w in range(weeks):
            week = week_of(START + w * 7 * 86400 + 3 * 86400)
            features = compute_week(db, week, config.detect)
            ranked = detect_week(db, week, features, rules)
        digest = build_digest(db, week, ranked)
        write_digest(digest, tmp, ["html", "md", "json"])
        elapsed = time.perf_counter() - started
    return {"seconds": elapsed, "fill_seconds": fill, "messages": n_messages}


def _child(kind: str, arg: int, arg2: int = 0) -> dict[str, Any]:
    # each measurement in its own process, so peak memory is its own
    root = str(Path(__file__).resolve().parents[1])
    args = f"{arg}, {arg2}" if arg2 else f"{arg}"
    code = (
        f"import json, sys; sys.path.insert(0, {root!r}); "
        f"from bench.bench_pipeline import {kind} as f; print(json.dumps(f({args})))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        env=os.environ.copy(),
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def run(quick: bool = False) -> list[dict[str, Any]]:
    """Benchmark rows for `make bench`."""
    n = 100_000 if quick else 1_000_000
    ing = _child("ingest_bench", n)
    people = 1000 if quick else 10_000
    ana = _child("analysis_bench", people, 4)
    return [
        {
            "area": "pipeline",
            "metric": f"ingest + score + store, {n:,} messages",
            "value": ing["seconds"],
            "unit": "s",
            "target": "<= 60 s, < 500 MB" if not quick else "",
            "note": f"pages of 2,000 per channel as connectors deliver them; {n / ing['seconds']:,.0f} msgs/s; peak RSS {ing['peak_mb']:.0f} MB; {ing['stored']:,} rows",
        },
        {
            "area": "pipeline",
            "metric": f"features + detection (4 weeks) + digest, {people:,} people",
            "value": ana["seconds"],
            "unit": "s",
            "target": "<= 60 s" if not quick else "",
            "note": f"{ana['messages']:,} messages and {people * 20:,} sessions in the store (filled in {ana['fill_seconds']:.0f} s)",
        },
    ]
