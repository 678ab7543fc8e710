"""A small store for the digest chart tests: one flagged person in a team of 12, with known times."""

from __future__ import annotations

import json
from typing import Any

from sqlite_utils import Database

from commsignal.detect import PersonRisk
from commsignal.models import Finding
from commsignal.store import open_db
from commsignal.weeks import week_bounds

WEEK = "2026-W47"
START, END = week_bounds(WEEK)  # Monday 2026-11-16 00:00 UTC
H = 3600.0
SUSPECT = "p-suspect"
PEERS = [f"p-ops{i:02d}" for i in range(11)]
TINY = ["p-tiny1", "p-tiny2", "p-tiny3"]


def people() -> list[dict[str, Any]]:
    """The suspect (declared New York), 11 Ops peers in UTC, and a team of 3."""
    rows = [
        {"person_id": SUSPECT, "email": "s@example.com", "team": "Ops", "tz": "America/New_York"}
    ]
    rows += [
        {"person_id": p, "email": f"{p}@example.com", "team": "Ops", "tz": "UTC"} for p in PEERS
    ]
    rows += [
        {"person_id": p, "email": f"{p}@example.com", "team": "Tiny", "tz": "UTC"} for p in TINY
    ]
    return rows


def message(pid: str, ts: float, n: int) -> dict[str, Any]:
    """One scored message row (no text: the store has no column for it)."""
    return {
        "source": "slack",
        "message_id": f"{pid}:{n}",
        "conversation_id": "C1",
        "account_id": pid,
        "person_id": pid,
        "ts": ts,
        "n_tokens": 5,
        "is_small_talk": 0,
    }


def build_store() -> Database:
    """People, a week of messages (none on Thursday from Slack), sessions with a hand-over, two addresses."""
    db = open_db(None)
    db.table("people").insert_all(people())
    rows = []
    n = 0
    for day in (0, 1, 2, 4):  # Monday, Tuesday, Wednesday, Friday: Thursday is a connector gap
        for pid in PEERS:
            for hour in (9, 10, 14):
                n += 1
                rows.append(message(pid, START + day * 86400 + hour * H, n))
        for hour in range(24):  # the suspect is active around the clock
            n += 1
            rows.append(message(SUSPECT, START + day * 86400 + hour * H + 60, n))
    db.table("messages").insert_all(rows)
    spans = [[START + 14 * H, START + 22 * H], [START + 32 * H, START + 62 * H]]
    db.table("sessions").insert_all(
        [
            {
                "session_id": "s1",
                "user": "suspect",
                "person_id": SUSPECT,
                "source": "csv",
                "start_ts": START + 14 * H,
                "end_ts": START + 62 * H,
                "last_seen_ts": START + 62 * H,
                "duration_seconds": 48 * H,
                "end_reason": "logoff",
                "active_seconds": 38 * H,
                "active_spans": json.dumps(spans),
                "devices": json.dumps(["WS-9"]),
            },
            {
                "session_id": "s2",
                "user": "ops00",
                "person_id": PEERS[0],
                "source": "csv",
                "start_ts": START + 62 * H + 1200,
                "end_ts": None,
                "last_seen_ts": START + 70 * H,
                "duration_seconds": 8 * H,
                "end_reason": "open",
                "active_seconds": 8 * H,
                "active_spans": json.dumps([[START + 62 * H + 1200, START + 70 * H]]),
                "devices": json.dumps(["WS-9"]),
            },
        ]
    )
    db.table("login_events").insert_all(
        [
            _event(1, START + 14 * H, "logon", "10.0.0.1", None),
            _event(2, START + 40 * H, "signin", "203.0.113.5", "RO"),
            _event(3, START + 62 * H, "logoff", "203.0.113.5", None),
        ]
    )
    return db


def _event(k: int, ts: float, event: str, ip: str, country: str | None) -> dict[str, Any]:
    return {
        "event_key": k,
        "event_id": f"e{k}",
        "source": "csv",
        "user": "suspect",
        "person_id": SUSPECT,
        "ts": ts,
        "event": event,
        "ip": ip,
        "country": country,
    }


def ranked() -> list[PersonRisk]:
    """This week's ranking: the suspect high."""
    finding = Finding(
        SUSPECT,
        WEEK,
        "round_the_clock",
        0.9,
        "Active in 24 of 24 hours",
        {},
        "strong",
        "Round the clock",
    )
    return [PersonRisk(SUSPECT, 81, "high", [finding])]


def add_person_weeks(db: Database, weeks: list[str], team: str = "Ops") -> None:
    """Stored weekly features for the 12 team members: three usual weeks, then a quiet one."""
    rows = []
    for k, week in enumerate(weeks):
        quiet = k == len(weeks) - 1
        for pid in [SUSPECT, *PEERS]:
            features = {
                "team": team,
                "messages": 10 if quiet else 40,
                "replies_to_others": 5 if quiet else 12,
                "distinct_contacts": 6,
                "meeting_minutes_attended": 90.0,
                "video_on": 1,
                "video_known": 2,
                "small_talk_messages": 3,
                "scored_messages": 30,
            }
            rows.append({"person_id": pid, "week": week, "features": json.dumps(features)})
    db.table("person_weeks").insert_all(rows)
