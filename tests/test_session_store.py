"""Rebuilding sessions in the store: a rebuild for some users writes what a full rebuild writes."""

from __future__ import annotations

import json
from typing import Any

from sqlite_utils import Database

from commsignal.analysis.session_store import rebuild_sessions_in_db
from commsignal.ingest import Ingestor
from commsignal.models import LoginEvent
from commsignal.privacy import Pseudonymizer
from commsignal.store import open_db

T0 = 1_767_600_000.0  # 2026-01-05 08:00 UTC
H = 3600.0


def _events(user: str, day: int, key: str) -> list[LoginEvent]:
    start = T0 + day * 24 * H
    return [
        LoginEvent(f"{user}:{day}:on", "csv", user, start, "logon", session_key=key, device="PC"),
        LoginEvent(
            f"{user}:{day}:lk", "csv", user, start + H, "lock", session_key=key, device="PC"
        ),
        LoginEvent(
            f"{user}:{day}:ul", "csv", user, start + 2 * H, "unlock", session_key=key, device="PC"
        ),
        LoginEvent(
            f"{user}:{day}:off", "csv", user, start + 8 * H, "logoff", session_key=key, device="PC"
        ),
    ]


def _store_with_unresolved_user() -> tuple[Database, str]:
    """Two resolved users with messages, plus events of a user no person was ever given."""
    db = open_db(None)
    ingestor = Ingestor(db, Pseudonymizer(b"k"), None)
    for day in range(3):
        ingestor.write_login_events(
            _events("ann@corp.com", day, f"a{day}") + _events("bob@corp.com", day, f"b{day}")
        )
    ann = ingestor.person_for_login("ann@corp.com")
    db.table("messages").insert_all(
        {
            "source": "slack",
            "message_id": f"m{i}",
            "conversation_id": "C",
            "account_id": "U1",
            "person_id": ann,
            "ts": T0 + 3 * 24 * H + i * H,
        }
        for i in range(4)
    )
    # rows written before people were resolved carry no person: they still make sessions
    columns = "event_key, event_id, source, user, person_id, ts, event, session_key, device"
    for n, (event, at) in enumerate([("logon", 0.0), ("logoff", 5 * H), ("logon", 30 * H)]):
        db.execute(
            f"insert into login_events ({columns}) values (?, ?, 'csv', ?, null, ?, ?, 'k', 'K1')",
            [-(n + 1), f"legacy:{n}", "old\\kiosk", T0 + at, event],
        )
    return db, ann


def _sessions(db: Database) -> list[dict[str, Any]]:
    return list(db.query("select * from sessions order by session_id"))


def test_rebuild_for_some_users_matches_full_rebuild() -> None:
    db, ann = _store_with_unresolved_user()
    full_count = rebuild_sessions_in_db(db)
    full = _sessions(db)
    # 3 days of two people, plus the unresolved user's closed and open session
    assert full_count == len(full) == 8
    legacy = [s for s in full if s["user"] == "old\\kiosk"]
    assert [s["person_id"] for s in legacy] == [None, None]
    assert sorted(s["end_reason"] for s in legacy) == ["logoff", "open"]
    db.execute("delete from sessions")
    assert rebuild_sessions_in_db(db, {"ann@corp.com", "old\\kiosk"}) == 5
    db.execute("delete from sessions where user = 'bob@corp.com'")  # not part of this rebuild
    assert _sessions(db) == [s for s in full if s["user"] != "bob@corp.com"]


def test_rebuild_for_one_user_leaves_the_others_alone() -> None:
    db, ann = _store_with_unresolved_user()
    rebuild_sessions_in_db(db)
    before = _sessions(db)
    db.execute("update sessions set end_reason = 'marker' where user <> 'bob@corp.com'")
    assert rebuild_sessions_in_db(db, {"bob@corp.com"}) == 3
    after = _sessions(db)
    assert [s for s in after if s["user"] == "bob@corp.com"] == [
        s for s in before if s["user"] == "bob@corp.com"
    ]
    untouched = [s for s in after if s["user"] != "bob@corp.com"]
    assert len(untouched) == 5 and {s["end_reason"] for s in untouched} == {"marker"}


def test_spans_and_lists_are_written_exactly_as_json_writes_them() -> None:
    from commsignal.analysis.session_store import _json_spans, _json_strings

    cases: list[list[tuple[Any, Any]]] = [
        [],
        [(T0, T0 + 0.1 + 0.2)],
        [(1e16, 1e-7), (-0.0, 2.5)],
        [(1, 2.0)],
        [(T0, float("inf"))],
        [(float("nan"), T0)],
        [(True, T0)],
    ]
    for spans in cases:
        assert _json_spans(spans) == json.dumps([list(x) for x in spans])
    for values in ([], ["10.0.0.1"], ['PC "7"', "dévice\\x", "\u2028"]):
        assert _json_strings(values) == json.dumps(values)
