"""Session reconstruction: the end rules, overlap kept, and open sessions measured to the last activity."""

from __future__ import annotations

from itertools import count
from typing import Any

from commsignal.analysis.session_store import rebuild_sessions_in_db
from commsignal.analysis.sessions import rebuild_sessions
from commsignal.ingest import Ingestor
from commsignal.models import LoginEvent, Session
from commsignal.privacy import Pseudonymizer
from commsignal.store import open_db

T0 = 1_767_600_000.0  # 2026-01-05 08:00 UTC
H = 3600.0
DAY = 24 * H
_ids = count()


def ev(event: str, at: float, user: str = "ann@corp.com", **kw: Any) -> LoginEvent:
    return LoginEvent(
        event_id=f"t:{next(_ids)}",
        source=str(kw.pop("source", "csv")),
        user=user,
        ts=T0 + at,
        event=event,
        **kw,
    )


def _end(s: Session) -> float:
    assert s.end_ts is not None
    return s.end_ts


def test_overlapping_sessions_from_two_ips_are_both_kept() -> None:
    sessions = rebuild_sessions(
        [
            ev("logon", 0, session_key="a", ip="10.0.0.1", device="PC1"),
            ev("logon", 1 * H, session_key="b", ip="203.0.113.9", device="VPS"),
            ev("logoff", 8 * H, session_key="a", ip="10.0.0.1", device="PC1"),
            ev("logoff", 9 * H, session_key="b", ip="203.0.113.9", device="VPS"),
        ]
    )
    assert [(s.start_ts - T0, _end(s) - T0, s.ips) for s in sessions if s.end_ts] == [
        (0, 8 * H, ["10.0.0.1"]),
        (1 * H, 9 * H, ["203.0.113.9"]),
    ]


def test_overlap_without_keys_is_kept_per_device() -> None:
    sessions = rebuild_sessions(
        [
            ev("logon", 0, device="PC1", ip="10.0.0.1"),
            ev("logon", 1 * H, device="PC2", ip="198.51.100.7"),
            ev("logoff", 8 * H, device="PC1"),
            ev("logoff", 9 * H, device="PC2"),
        ]
    )
    assert [(s.devices, s.end_reason, s.duration_seconds) for s in sessions] == [
        (["PC1"], "logoff", 8 * H),
        (["PC2"], "logoff", 8 * H),
    ]


def test_lock_unlock_continues_and_is_not_active_time() -> None:
    [s] = rebuild_sessions(
        [
            ev("logon", 0, session_key="k"),
            ev("lock", 3 * H, session_key="k"),
            ev("unlock", 4 * H, session_key="k"),
            ev("logoff", 9 * H, session_key="k"),
        ]
    )
    assert (s.end_reason, s.duration_seconds, s.active_seconds) == ("logoff", 9 * H, 8 * H)
    assert s.active_spans == [(T0, T0 + 3 * H), (T0 + 4 * H, T0 + 9 * H)]


def test_lock_never_unlocked_ends_the_session_even_with_a_later_logon() -> None:
    sessions = rebuild_sessions(
        [
            ev("logon", 0, session_key="k1"),
            ev("lock", 5 * H, session_key="k1"),
            ev("logon", DAY, session_key="k2"),
            ev("logoff", DAY + 8 * H, session_key="k2"),
        ]
    )
    assert [(s.end_reason, _end(s) - T0) for s in sessions] == [
        ("lock", 5 * H),
        ("logoff", DAY + 8 * H),
    ]


def test_rdp_disconnect_then_reconnect_is_one_session() -> None:
    [s] = rebuild_sessions(
        [
            ev("logon", 0, session_key="r", logon_type="10", ip="1.1.1.1", source="windows"),
            ev("disconnect", 2 * H, session_key="r", ip="1.1.1.1", source="windows"),
            ev("reconnect", 5 * H, session_key="r", ip="2.2.2.2", source="windows"),
            ev("disconnect", 7 * H, session_key="r", ip="2.2.2.2", source="windows"),
        ]
    )
    # the last disconnect was never followed by a reconnect: that is where it ended
    assert (s.end_reason, _end(s) - T0, s.active_seconds) == ("disconnect", 7 * H, 4 * H)
    assert s.ips == ["1.1.1.1", "2.2.2.2"] and s.logon_type == "10"


def test_logoff_without_logon_is_a_zero_length_session() -> None:
    [s] = rebuild_sessions([ev("logoff", 5 * H, session_key="lost")])
    assert (s.start_ts, s.end_ts, s.end_reason, s.duration_seconds) == (
        T0 + 5 * H,
        T0 + 5 * H,
        "logoff",
        0,
    )


def test_never_closed_logon_is_measured_to_the_last_activity() -> None:
    # a logon with no logoff and activity around the clock for six days: six days, not cut, not dropped
    events = [ev("logon", 0, session_key="m", device="PC")]
    activity = {"ann@corp.com": [T0 + h * H for h in range(1, 6 * 24 + 1, 3)]}
    [s] = rebuild_sessions(events, activity=activity)
    assert s.end_reason == "open" and s.end_ts is None
    assert s.duration_seconds == activity["ann@corp.com"][-1] - T0 > 5.9 * DAY


def test_gap_longer_than_idle_timeout_ends_with_timeout() -> None:
    events = [ev("logon", 0, session_key="m"), ev("signin", 2 * H), ev("signin", 5 * DAY)]
    [s] = rebuild_sessions(events, idle_timeout_s=12 * H)
    assert (s.end_reason, _end(s) - T0) == ("timeout", 2 * H)


def test_same_key_days_apart_is_one_session() -> None:
    # the key proves continuity: a week-long session whose own events are days apart is not cut
    [s] = rebuild_sessions(
        [
            ev("logon", 0, session_key="k"),
            ev("unlock", 3 * DAY, session_key="k"),
            ev("logoff", 7 * DAY, session_key="k"),
        ],
        idle_timeout_s=12 * H,
    )
    assert (s.end_reason, s.duration_seconds) == ("logoff", 7 * DAY)


def test_signins_lend_ip_and_country_but_make_no_session() -> None:
    sessions = rebuild_sessions(
        [
            ev("logon", 0, session_key="k", ip="10.0.0.1"),
            ev(
                "signin",
                1 * H,
                ip="203.0.113.5",
                country="KP",
                client_app="AnyDesk",
                source="entra",
            ),
            ev("logoff", 8 * H, session_key="k"),
            ev("signin", 3 * DAY, ip="9.9.9.9", source="entra"),
        ]
    )
    [s] = sessions
    assert (
        s.ips == ["10.0.0.1", "203.0.113.5"]
        and s.countries == ["KP"]
        and s.client_apps == ["AnyDesk"]
    )


def test_failed_logons_are_ignored() -> None:
    assert rebuild_sessions([ev("logon", 0, success=False)]) == []


def test_rebuild_in_db_uses_messages_as_evidence_and_is_stable() -> None:
    db = open_db(None)
    ingestor = Ingestor(db, Pseudonymizer(b"k"), None)
    ingestor.write_login_events(
        [
            ev("logon", 0, session_key="m", device="PC"),
            ev("logon", 0, user="bob@corp.com", session_key="x"),
            ev("logoff", 8 * H, user="bob@corp.com", session_key="x"),
        ]
    )
    person = ingestor.person_for_login("ann@corp.com")
    db.table("messages").insert_all(
        {
            "source": "slack",
            "message_id": f"m{i}",
            "conversation_id": "C",
            "account_id": "U1",
            "person_id": person,
            "ts": T0 + i * 4 * H,
        }
        for i in range(1, 6 * 6 + 1)
    )
    assert rebuild_sessions_in_db(db) == 2
    ann = next(db.query("select * from sessions where user = 'ann@corp.com'"))
    assert ann["person_id"] == person and ann["end_reason"] == "open"
    assert ann["duration_seconds"] == 6 * DAY
    ids = [r["session_id"] for r in db.query("select session_id from sessions order by 1")]
    assert rebuild_sessions_in_db(db, {"ann@corp.com"}) == 1
    assert [r["session_id"] for r in db.query("select session_id from sessions order by 1")] == ids


def test_chained_logons_on_one_device_end_each_other() -> None:
    from commsignal.analysis.sessions import rebuild_sessions
    from commsignal.models import LoginEvent

    day = 86400.0
    base = 1_790_000_000.0
    events = [
        LoginEvent(
            f"e{i}",
            "csv",
            "ann@example.com",
            base + k * day,
            "logon",
            session_key=f"S{i}",
            device="WS-1",
        )
        for i, k in enumerate((0, 5, 9))
    ]
    # the same user on a second machine overlaps the first and must stay open
    events.append(
        LoginEvent(
            "x", "csv", "ann@example.com", base + 1 * day, "logon", session_key="T", device="WS-2"
        )
    )
    activity = [base + h * 3600 for h in range(0, 24 * 10, 3)]
    sessions = sorted(
        rebuild_sessions(events, activity={"ann@example.com": activity}), key=lambda s: s.start_ts
    )
    ws1 = [s for s in sessions if s.devices == ["WS-1"]]
    assert [s.end_reason for s in ws1] == ["replaced", "replaced", "open"]
    assert ws1[0].duration_seconds <= 5 * day and ws1[0].duration_seconds >= 5 * day - 3 * 3600
    assert ws1[1].duration_seconds <= 4 * day
    other = next(s for s in sessions if s.devices == ["WS-2"])
    assert other.end_ts is None and other.duration_seconds > 8 * day
