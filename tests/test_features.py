"""Weekly features computed from hand-built store rows, and the detections they lead to."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from sqlite_utils import Database

from commsignal.analysis.features import compute_week, load_week
from commsignal.config import DetectConfig
from commsignal.detect import detect_week, load_rules
from commsignal.store import open_db
from commsignal.store.migrations import login_event_key

WEEK = "2026-W47"  # Monday 2026-11-16 .. Sunday 2026-11-22


def ts(day: int, hour: float) -> float:
    return datetime(2026, 11, day, tzinfo=UTC).timestamp() + hour * 3600


def _person(
    db: Database, pid: str, team: str = "Data", tz: str = "America/New_York", country: str = "US"
) -> None:
    db.table("people").insert(
        {
            "person_id": pid,
            "email": f"{pid}@example.com",
            "team": team,
            "tz": tz,
            "country": country,
        }
    )


def _msg(db: Database, pid: str, when: float, n: int, **extra: object) -> None:
    row = {
        "source": "slack",
        "message_id": f"{pid}:{when}:{n}",
        "conversation_id": "C1",
        "account_id": pid,
        "person_id": pid,
        "ts": when,
        "n_tokens": 8,
        "small_talk": 0.1,
        "is_small_talk": 0,
        "is_pleasantry": 0,
        "is_question": 0,
        "mentions": "[]",
        "cues": "[]",
    }
    row.update(extra)
    db.table("messages").insert(row)


def _login(db: Database, pid: str, when: float, event: str, **extra: object) -> None:
    event_id = f"{pid}:{when}:{event}"
    row = {
        "event_id": event_id,
        "event_key": login_event_key(event_id),
        "source": "csv",
        "user": pid,
        "person_id": pid,
        "ts": when,
        "event": event,
    }
    row.update(extra)
    db.table("login_events").insert(row)


def _session(
    db: Database, pid: str, start: float, end: float | None, last: float, reason: str, device: str
) -> None:
    db.table("sessions").insert(
        {
            "session_id": f"{pid}:{start}",
            "user": pid,
            "person_id": pid,
            "source": "csv",
            "start_ts": start,
            "end_ts": end,
            "last_seen_ts": last,
            "duration_seconds": (end or last) - start,
            "end_reason": reason,
            "devices": json.dumps([device]),
            "ips": "[]",
        }
    )


@pytest.fixture
def db() -> Database:
    db = open_db(None)
    for pid in ("p-normal", "p-a", "p-b", "p-c"):
        _person(db, pid)
    _person(db, "p-shift", tz="America/Chicago")
    _person(db, "p-proxy")
    n = 0
    for day in range(16, 21):
        for hour in (9, 10, 11, 14, 15, 16):
            for pid in ("p-normal", "p-a", "p-b", "p-c"):
                n += 1
                _msg(db, pid, ts(day, hour + 5), n, is_small_talk=int(hour == 11))
        _session(db, "p-normal", ts(day, 13), ts(day, 22), ts(day, 22), "logoff", "WS-normal")
    # a shift-run account: one 5-day session, active in every hour, hours that fit UTC+9
    _session(db, "p-shift", ts(16, 0), None, ts(21, 0), "open", "WS-shift")
    for day in range(16, 21):
        for hour in range(24):
            for k in range(2 if hour in (0, 1, 2, 3, 4, 5, 6, 7) else 1):
                n += 1
                _msg(db, "p-shift", ts(day, hour + 0.1 * k), n)
    # a proxy worker: sign-ins through a hosting range, from two countries an hour apart, via AnyDesk
    for day in range(16, 21):
        _login(
            db,
            "p-proxy",
            ts(day, 14),
            "signin",
            ip="45.86.201.9",
            country="US",
            client_app="AnyDesk",
        )
        _login(
            db,
            "p-proxy",
            ts(day, 15),
            "signin",
            ip="45.86.201.10",
            country="NL",
            client_app="Browser",
        )
    return db


def test_participation_and_small_talk_share(db: Database) -> None:
    f = compute_week(db, WEEK, DetectConfig(), store=False)
    normal = f["p-normal"]
    assert normal["messages"] == 30
    assert normal["small_talk_share"] == pytest.approx(5 / 30, abs=1e-3)
    assert normal["team_median_small_talk_share"] == pytest.approx(5 / 30, abs=1e-3)
    assert normal["max_session_h"] == 9.0 and normal["sessions_unended"] == 0


def test_not_enough_messages_is_none_not_zero(db: Database) -> None:
    _person(db, "p-quiet")
    for i in range(3):
        _msg(db, "p-quiet", ts(17, 15 + i), 10_000 + i)
    f = compute_week(db, WEEK, DetectConfig(), store=False)
    assert f["p-quiet"]["messages"] == 3
    assert f["p-quiet"]["small_talk_share"] is None


def test_access_features(db: Database) -> None:
    cfg = DetectConfig(hosting_cidrs=["45.86.200.0/22"])
    f = compute_week(db, WEEK, cfg, store=False)
    shift = f["p-shift"]
    assert shift["max_session_h"] == pytest.approx(120.0)
    assert shift["regular_hours"] == 24
    assert shift["offset_diff_h"] >= 8
    proxy = f["p-proxy"]
    assert proxy["hosting_share"] == 1.0
    assert proxy["max_countries_per_day"] == 2 and proxy["fastest_country_change_h"] == 1.0
    assert proxy["remote_tools"] == ["anydesk"]
    assert f["p-normal"]["regular_hours"] <= 8


def test_shared_device_and_handovers(db: Database) -> None:
    _person(db, "p-x")
    _person(db, "p-y")
    for day in range(16, 21):
        _session(db, "p-x", ts(day, 0), ts(day, 8), ts(day, 8), "logoff", "WS-farm")
        _session(db, "p-y", ts(day, 8.1), ts(day, 16), ts(day, 16), "logoff", "WS-farm")
        _login(db, "p-x", ts(day, 0), "logon", device="WS-farm", ip="81.2.69.160")
        _login(db, "p-y", ts(day, 8.1), "logon", device="WS-farm", ip="81.2.69.160")
    f = compute_week(db, WEEK, DetectConfig(), store=False)
    assert f["p-x"]["shared_devices"] == ["WS-farm"] and f["p-x"]["shared_with"] == ["p-y"]
    assert f["p-x"]["handovers"] >= 5
    assert "shared_devices" not in f["p-normal"]


def test_detection_ranks_planted_above_normal(db: Database) -> None:
    cfg = DetectConfig(hosting_cidrs=["45.86.200.0/22"])
    features = compute_week(db, WEEK, cfg)
    assert set(load_week(db, WEEK)) == set(features)
    ranked = detect_week(db, WEEK, features, load_rules())
    by_person = {r.person_id: r for r in ranked}
    assert by_person["p-shift"].level == "high"
    assert by_person["p-proxy"].level == "high"
    assert "p-normal" not in by_person or by_person["p-normal"].level == "low"
    detectors = {x.detector for x in by_person["p-shift"].findings}
    assert {"marathon_session", "round_the_clock"} <= detectors
    stored = db.execute("select count(*) from findings where week = ?", [WEEK]).fetchone()[0]
    assert stored == sum(len(r.findings) for r in ranked)


def test_meeting_guests_are_not_scored(db: Database) -> None:
    db.table("meetings").insert(
        {"source": "m365", "meeting_id": "m1", "start_ts": ts(17, 15), "end_ts": ts(17, 16)}
    )
    db.table("attendance").insert(
        {"source": "m365", "meeting_id": "m1", "person_id": "p-guest", "invited": 1}
    )
    f = compute_week(db, WEEK, DetectConfig(), store=False)
    assert "p-guest" not in f and "p-normal" in f
