"""Sessions in the store: rebuilt from stored login events, sign-ins and message activity.

The rules live in `commsignal.analysis.sessions`; this module only reads events per person and writes rows.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from json.encoder import encode_basestring_ascii  # type: ignore[attr-defined]
from typing import Any

from sqlite_utils import Database

from commsignal.analysis.sessions import (
    DEFAULT_IDLE_TIMEOUT_S,
    DEFAULT_MAX_GAP_S,
    EVENT_COLUMNS,
    LoginEv,
    make_event,
    sessionise_person,
)
from commsignal.models import Session


def _json_strings(values: list[str]) -> str:
    # exactly json.dumps(values) for a list of strings, without its per-call encoder set-up (four
    # lists per session, hundreds of thousands of sessions)
    return "[" + ", ".join(map(encode_basestring_ascii, values)) + "]" if values else "[]"


_SPAN_CHARS = frozenset("0123456789.-+e[], ")


def _json_spans(spans: list[tuple[float, float]]) -> str:
    # exactly json.dumps([list(x) for x in spans]) when every bound is a finite number, where
    # json writes the number's repr; anything else (inf, nan, a bool) shows up as a character
    # no number has, so one look at the result replaces a type and finiteness check per bound
    text = "[" + ", ".join([f"[{a!r}, {b!r}]" for a, b in spans]) + "]"
    if not _SPAN_CHARS.issuperset(text):
        return json.dumps([list(x) for x in spans])
    return text


def session_row(s: Session, person_id: str | None) -> dict[str, Any]:
    """A Session as a row of the sessions table (lists as JSON)."""
    return {
        "session_id": s.session_id,
        "user": s.user,
        "person_id": person_id,
        "source": s.source,
        "start_ts": s.start_ts,
        "end_ts": s.end_ts,
        "last_seen_ts": s.last_seen_ts,
        "duration_seconds": s.duration_seconds,
        "end_reason": s.end_reason,
        "logon_type": s.logon_type,
        "active_seconds": s.active_seconds,
        "active_spans": _json_spans(s.active_spans),
        "ips": _json_strings(s.ips),
        "devices": _json_strings(s.devices),
        "client_apps": _json_strings(s.client_apps),
        "countries": _json_strings(s.countries),
    }


def rebuild_sessions_in_db(
    db: Database,
    users: set[str] | None = None,
    idle_timeout_s: float = DEFAULT_IDLE_TIMEOUT_S,
    max_gap_s: float = DEFAULT_MAX_GAP_S,
) -> int:
    """(Re)write the sessions table for the people behind `users` (everyone when None).

    Evidence of activity is every login event of the same person (any user name, any source)
    plus that person's message timestamps. Streams person by person, so memory stays flat.

    Args:
        db: the store.
        users: login user names whose sessions changed; their whole person is rebuilt.
        idle_timeout_s: see `rebuild_sessions`.
        max_gap_s: see `rebuild_sessions`.

    Returns:
        Number of sessions written.
    """
    if users is not None and not users:
        return 0
    where = ""
    person_filter = orphan_filter = ""
    if users is not None:
        db.execute("create temp table if not exists _rebuild_users (user text primary key)")
        db.execute("create temp table if not exists _rebuild_persons (person_id text primary key)")
        db.execute("delete from _rebuild_users")
        db.execute("delete from _rebuild_persons")
        db.conn.executemany(
            "insert or ignore into _rebuild_users values (?)", [(u,) for u in users]
        )
        db.execute(
            "insert or ignore into _rebuild_persons select distinct person_id from login_events "
            "where user in (select user from _rebuild_users) and person_id is not null"
        )
        person_filter = " and person_id in (select person_id from _rebuild_persons)"
        orphan_filter = " and user in (select user from _rebuild_users)"
        where = (
            " where person_id in (select person_id from _rebuild_persons)"
            " or (person_id is null and user in (select user from _rebuild_users))"
        )
    cols = ", ".join(f"[{c}]" for c in EVENT_COLUMNS)
    written = 0
    # the reads start inside the write transaction: a read begun before it pins an old
    # snapshot, and SQLite refuses (no waiting) to turn that into a write once another
    # process has committed
    with db.atomic():
        # people and unresolved users are read apart: one query with an OR of both could not
        # walk the (person_id, ts) index and sorted every event of the import in a temp b-tree
        events = db.conn.execute(
            f"select person_id, {cols} from login_events where person_id is not null"
            f"{person_filter} order by person_id, ts"
        )
        messages = db.conn.execute(
            f"select person_id, ts from messages where person_id is not null{person_filter}"
            " order by person_id, ts"
        )
        orphans = db.conn.execute(
            f"select {cols} from login_events where person_id is null{orphan_filter} order by ts"
        )
        if users is None:
            db.execute("delete from sessions")
        else:
            db.execute(f"delete from sessions{where}")
        batch: list[tuple[Any, ...]] = []
        for person, evs, extra in _per_person(events, messages, orphans):
            for s in sessionise_person(evs, extra, idle_timeout_s, max_gap_s):
                batch.append(_session_values(s, person))
            if len(batch) >= 5000:
                written += _insert_sessions(db, batch)
                batch = []
        written += _insert_sessions(db, batch)
    return written


def _per_person(
    events: Iterable[tuple[Any, ...]],
    messages: Iterable[tuple[Any, ...]],
    orphans: Iterable[tuple[Any, ...]] = (),
) -> Iterator[tuple[str | None, list[LoginEv], list[float]]]:
    # both streams are ordered by person_id: a merge join keeps one person in memory at a time;
    # events of no person (in time order) follow, one group per user name
    msg_iter = iter(messages)
    pending = next(msg_iter, None)
    current: str | None = None
    evs: list[LoginEv] = []

    def flush() -> tuple[str | None, list[LoginEv], list[float]]:
        nonlocal pending
        extra: list[float] = []
        while pending is not None and pending[0] < current:  # type: ignore[operator]
            pending = next(msg_iter, None)
        while pending is not None and pending[0] == current:
            extra.append(pending[1])
            pending = next(msg_iter, None)
        return current, evs, extra

    for row in events:
        person = row[0]
        if person != current:
            if evs:
                yield flush()
            current, evs = person, []
        ev = make_event(*row[1:])
        if ev is not None:
            evs.append(ev)
    if evs:
        yield flush()
    by_user: dict[str, list[LoginEv]] = {}
    for row in orphans:
        ev = make_event(*row)
        if ev is not None:
            by_user.setdefault(ev.user, []).append(ev)
    for user_evs in by_user.values():
        yield None, user_evs, []


_INSERT_COLUMNS = (
    "session_id",
    "user",
    "person_id",
    "source",
    "start_ts",
    "end_ts",
    "last_seen_ts",
    "duration_seconds",
    "end_reason",
    "logon_type",
    "active_seconds",
    "active_spans",
    "ips",
    "devices",
    "client_apps",
    "countries",
)


def _session_values(s: Session, person_id: str | None) -> tuple[Any, ...]:
    # session_row's values in _INSERT_COLUMNS order, without the dict in between
    return (
        s.session_id,
        s.user,
        person_id,
        s.source,
        s.start_ts,
        s.end_ts,
        s.last_seen_ts,
        s.duration_seconds,
        s.end_reason,
        s.logon_type,
        s.active_seconds,
        _json_spans(s.active_spans),
        _json_strings(s.ips),
        _json_strings(s.devices),
        _json_strings(s.client_apps),
        _json_strings(s.countries),
    )


def _insert_sessions(db: Database, rows: list[tuple[Any, ...]]) -> int:
    if not rows:
        return 0
    names = ", ".join(f"[{c}]" for c in _INSERT_COLUMNS)
    marks = ", ".join("?" for _ in _INSERT_COLUMNS)
    # replace: two sessions can only share an id when they are the same session
    db.conn.executemany(
        f"insert or replace into sessions ({names}) values ({marks})",
        rows,
    )
    return len(rows)
