"""Identity benchmarks: the store's write rate against raw sqlite3, and re-resolving people at 1M rows.

1,000,000 messages (Slack accounts without email) and 1,000,000 login events (bare Windows
names) are written through the Ingestor, then the same rows through a bare `executemany` into a
second store in the same process; then a directory joining every one of those 4,000 accounts is
imported, which re-points all 2,000,000 rows and rebuilds every session.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

PAGE = 2000
LOGIN_BATCH = 100_000
START = 1_794_787_200.0  # Monday 2026-11-16 00:00 UTC
_MSG_COLUMNS = (
    "source, message_id, conversation_id, account_id, person_id, ts, thread_id, is_reply, "
    "reply_to_person_id, reply_to_account_id, mentions, mention_account_ids, n_mentions, n_tokens, "
    "small_talk, is_small_talk, is_pleasantry, is_question, cues, edited_ts, during_meeting_id"
)


def _messages(n: int, people: int) -> Iterator[Any]:
    from commsignal.models import RawMessage

    for i in range(n):
        channel = f"C{(i // PAGE) % 500}"
        yield RawMessage(
            "slack", f"{channel}:{i}", channel, f"U{i % people:06d}", START + i * 2.0, "ok"
        )


def _logins(n: int, people: int) -> Iterator[Any]:
    from commsignal.models import LoginEvent

    per_day = 4
    for i in range(n):
        user, k = i % people, i // people
        day, step = divmod(k, per_day)
        ts = START + day * 86400 + 8 * 3600 + step * 3 * 3600 + user
        event = ("logon", "lock", "unlock", "logoff")[step]
        yield LoginEvent(
            f"bench:{i}", "windows", f"user{user}", ts, event, session_key=f"{user}-{day}"
        )


def _pages(items: Iterator[Any], size: int) -> Iterator[list[Any]]:
    page: list[Any] = []
    for item in items:
        page.append(item)
        if len(page) == size:
            yield page
            page = []
    if page:
        yield page


def identity_bench(n: int, people: int) -> dict[str, Any]:
    """Time store writes, the same rows raw, a no-op resolution and a directory joining everyone."""
    from bench.memory import peak_rss_mb
    from commsignal.ingest import Ingestor
    from commsignal.models import Account, Page
    from commsignal.privacy import Pseudonymizer
    from commsignal.sources.directory import import_directory, refresh_identities
    from commsignal.store import open_db
    from commsignal.store.migrations import login_event_key

    out: dict[str, Any] = {}
    with tempfile.TemporaryDirectory() as tmp:
        pseudonyms = Pseudonymizer(b"bench")
        db = open_db(Path(tmp) / "store.db")
        ing = Ingestor(db, pseudonyms, None)
        accounts = [Account("slack", f"U{i:06d}", display_name=f"u{i}") for i in range(people)]
        ing.write(Page("slack", "users", accounts=accounts))
        t = time.perf_counter()
        for page in _pages(_messages(n, people), PAGE):
            ing.write(Page("slack", "history", messages=page))
        out["store_messages_s"] = time.perf_counter() - t
        t = time.perf_counter()
        for batch in _pages(_logins(n, people), LOGIN_BATCH):
            with db.atomic():
                ing.write_login_events(batch)
        out["store_logins_s"] = time.perf_counter() - t

        raw = open_db(Path(tmp) / "raw.db").conn
        person = {a.account_id: pseudonyms.for_account("slack", a.account_id) for a in accounts}
        sql = f"insert into messages ({_MSG_COLUMNS}) values ({', '.join('?' * 21)})"
        t = time.perf_counter()
        for page in _pages(_messages(n, people), PAGE):
            rows = [
                (m.source, m.message_id, m.conversation_id, m.account_id, person[m.account_id],
                 m.ts, None, 0, None, None, "[]", None, 0, 0, None, None, None, None, "[]", None,
                 None)
                for m in page
            ]  # fmt: skip
            raw.execute("begin")
            raw.executemany(sql, rows)
            raw.execute("commit")
        out["raw_messages_s"] = time.perf_counter() - t
        login_person = {
            f"user{u}": pseudonyms.for_account("login", f"user{u}") for u in range(people)
        }
        sql = (
            "insert into login_events (event_key, event_id, source, user, person_id, ts, event, "
            "session_key, logon_type, ip, device, client_app, user_agent, country, city, success, "
            f"interactive, host) values ({', '.join('?' * 18)})"
        )
        t = time.perf_counter()
        for batch in _pages(_logins(n, people), LOGIN_BATCH):
            rows = sorted(
                (
                    (login_event_key(e.event_id), e.event_id, e.source, e.user,
                     login_person[e.user], e.ts, e.event, e.session_key, None, None, None, None,
                     None, None, None, 1, None, None)
                    for e in batch
                ),
                key=lambda r: (r[3], r[5]),
            )  # fmt: skip
            raw.execute("begin")
            raw.executemany(sql, rows)
            raw.execute("commit")
        out["raw_logins_s"] = time.perf_counter() - t
        raw.close()

        t = time.perf_counter()
        noop = refresh_identities(db, pseudonyms)
        out["noop_resolve_s"] = time.perf_counter() - t
        out["noop_changed"] = noop.changed
        directory = Path(tmp) / "directory.csv"
        with directory.open("w") as fh:
            fh.write("email,display_name,team,aliases\n")
            for i in range(people):
                fh.write(f"p{i}@corp.example,Person {i},T{i // 10},U{i:06d};CORP\\user{i}\n")
        t = time.perf_counter()
        done = import_directory(db, pseudonyms, directory)
        out["directory_resolve_s"] = time.perf_counter() - t
        out["changed"] = done.resolution.changed
        out["sessions"] = db.execute("select count(*) from sessions").fetchone()[0]
        out["people"] = db.execute("select count(*) from people").fetchone()[0]
        out["unmatched_left"] = db.execute(
            "select count(*) from messages where person_id not in (select person_id from people "
            "where email is not null)"
        ).fetchone()[0]
        out["peak_mb"] = peak_rss_mb()
    return out


def run(quick: bool = False) -> list[dict[str, Any]]:
    """Benchmark rows for `make bench` (the measurement runs in a child process)."""
    n = 100_000 if quick else 1_000_000
    people = 2000
    root = str(Path(__file__).resolve().parents[1])
    code = (
        f"import json, sys; sys.path.insert(0, {root!r}); "
        f"from bench.bench_identity import identity_bench as f; print(json.dumps(f({n}, {people})))"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        env=os.environ.copy(),
    )
    r = json.loads(proc.stdout.strip().splitlines()[-1])
    msg_ratio = r["raw_messages_s"] / r["store_messages_s"]
    login_ratio = r["raw_logins_s"] / r["store_logins_s"]
    label = f"{n:,}"
    return [
        {
            "area": "identity",
            "metric": f"store / raw executemany write rate, {label} messages",
            "value": round(msg_ratio, 2),
            "unit": "ratio",
            "target": ">= 0.5",
            "note": f"Ingestor.write {r['store_messages_s']:.1f} s (no scoring), bare sqlite3 "
            f"executemany of the same rows {r['raw_messages_s']:.1f} s, pages of {PAGE:,}",
        },
        {
            "area": "identity",
            "metric": f"store / raw executemany write rate, {label} login events",
            "value": round(login_ratio, 2),
            "unit": "ratio",
            "target": ">= 0.5",
            "note": f"write_login_events {r['store_logins_s']:.1f} s, bare executemany "
            f"{r['raw_logins_s']:.1f} s, batches of {LOGIN_BATCH:,}",
        },
        {
            "area": "identity",
            "metric": "re-resolve people, nothing changed",
            "value": round(r["noop_resolve_s"], 2),
            "unit": "s",
            "target": "",
            "note": f"{r['noop_changed']} identities changed; 2 x {label} rows in the store",
        },
        {
            "area": "identity",
            "metric": f"directory joins {2 * people:,} accounts: re-point 2 x {label} rows + sessions",
            "value": round(r["directory_resolve_s"], 2),
            "unit": "s",
            "target": "",
            "note": f"{r['changed']:,} identities re-pointed, {r['sessions']:,} sessions rebuilt, "
            f"{r['people']:,} people, {r['unmatched_left']} messages left unmatched; "
            f"peak RSS {r['peak_mb']:.0f} MB",
        },
    ]


if __name__ == "__main__":
    print(json.dumps(identity_bench(int(sys.argv[1]) if len(sys.argv) > 1 else 100_000, 2000)))
