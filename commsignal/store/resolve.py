"""Recompute who is who from all evidence and make every stored row follow, in one transaction.

Rows keep the platform identity they came with (source + account id or login name) beside the
person id they carry. When the resolution of an identity changes, its rows are re-pointed by
their (indexed) old person id and that identity, so the work is proportional to what changed.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlite_utils import Database

from commsignal.privacy import Pseudonymizer
from commsignal.store.identity import (
    IdentityRules,
    Resolver,
    account_rows,
    source_rank,
)
from commsignal.store.kinds import classify


@dataclass(slots=True)
class ResolveResult:
    """What one resolution changed."""

    changed: int = 0  # identities whose person changed
    people: int = 0
    people_written: int = 0
    people_removed: int = 0
    # login user names whose sessions must be rebuilt (their person gained or lost evidence)
    session_users: set[str] = field(default_factory=set)


# (table, person column, identity column): plain re-points of one column by one identity column
_SECONDARY = (
    ("messages", "reply_to_person_id", "reply_to_account_id"),
    ("meetings", "organizer_person_id", "organizer_account_id"),
)


def resolve_people(
    db: Database, pseudonyms: Pseudonymizer, rules: IdentityRules | None = None
) -> ResolveResult:
    """Resolve every account to a person, re-point rows that follow, rewrite the people table.

    Args:
        db: the store.
        pseudonyms: the keyed pseudonymizer (person ids are pseudonyms of emails or accounts).
        rules: the `[identity]` matching rules.

    Returns:
        What changed; `session_users` are the login names whose sessions need rebuilding.
    """
    resolver = Resolver.load(db, pseudonyms, rules)
    accounts = account_rows(db)
    new_of: dict[tuple[str, str], str] = {}
    changes: list[tuple[str, str, str | None, str]] = []
    for a in accounts:
        key = (a["source"], a["account_id"])
        pid = resolver.person_of(*key, a["email"], login=a["kind"] == "login")
        new_of[key] = pid
        if a["person_id"] != pid:
            changes.append((*key, a["person_id"], pid))
    for r in db.query("select source, raw_id, person_id from identity_refs"):
        key = (r["source"], r["raw_id"])
        pid = new_of.get(key) or resolver.person_of(*key)
        if r["person_id"] != pid:
            changes.append((*key, r["person_id"], pid))
    result = ResolveResult(changed=len(changes))
    with db.atomic():
        if changes:
            result.session_users = _repoint(db, changes, new_of, resolver)
        retired = {old for _, _, old, _ in changes if old}
        _write_people(db, resolver, accounts, new_of, retired, result)
        _record_history(db, changes)
    return result


def _repoint(
    db: Database,
    changes: list[tuple[str, str, str | None, str]],
    new_of: dict[tuple[str, str], str],
    resolver: Resolver,
) -> set[str]:
    ex = db.execute
    ex(
        "create temp table if not exists _repoint (source text, raw text, old text, new text, primary key (source, raw, old))"
    )
    ex("delete from _repoint")
    db.conn.executemany("insert or replace into _repoint values (?, ?, ?, ?)", changes)
    ex(
        "update accounts set person_id = r.new from _repoint r where accounts.source = r.source and accounts.account_id = r.raw"
    )
    ex(
        "update identity_refs set person_id = r.new from _repoint r where identity_refs.source = r.source and identity_refs.raw_id = r.raw"
    )
    # rows carry the old person: the (person_id, ts) index finds them without a table scan
    match = (
        "from _repoint r where r.source = messages.source and r.raw = messages.account_id "
        "and r.old = messages.person_id"
    )
    _bulk_aware(
        db,
        "messages",
        "messages_person_ts",
        "select count(*) from messages where person_id in (select old from _repoint)",
        f"update messages set person_id = (select r.new {match}) "
        f"where person_id in (select old from _repoint) and exists (select 1 {match})",
        f"update messages set person_id = (select r.new {match}) where exists (select 1 {match})",
    )
    login = "from _repoint r where r.source = login_events.source and r.raw = login_events.user"
    _bulk_aware(
        db,
        "login_events",
        "login_events_person_ts",
        "select count(*) from login_events where user in (select raw from _repoint)",
        f"update login_events set person_id = (select r.new {login} limit 1) "
        f"where user in (select raw from _repoint) and exists (select 1 {login})",
        f"update login_events set person_id = (select r.new {login} limit 1) "
        f"where exists (select 1 {login})",
    )
    for table, column, ident in _SECONDARY:
        ex(
            f"update {table} set {column} = (select new from _repoint r where r.source = {table}.source "
            f"and r.raw = {table}.{ident}) where {ident} is not null and exists (select 1 from _repoint r "
            f"where r.source = {table}.source and r.raw = {table}.{ident})"
        )
    ex(
        "update or replace reactions set person_id = (select new from _repoint r where "
        "r.source = reactions.source and r.raw = reactions.account_id) where account_id is not null "
        "and exists (select 1 from _repoint r where r.source = reactions.source and r.raw = reactions.account_id)"
    )
    ex(
        "update reactions set target_person_id = m.person_id from messages m where "
        "m.source = reactions.source and m.message_id = reactions.message_id "
        "and reactions.target_person_id is not m.person_id"
    )
    changed = {(s, raw) for s, raw, _, _ in changes}
    _repoint_mentions(db, changed, new_of, resolver)
    _repoint_attendance(db, changed, new_of, resolver)
    affected = {p for _, _, old, new in changes for p in (old, new) if p}
    ex("create temp table if not exists _affected (person_id text primary key)")
    ex("delete from _affected")
    db.conn.executemany("insert or ignore into _affected values (?)", [(p,) for p in affected])
    ex("delete from sessions where person_id in (select person_id from _affected)")
    return {
        r[0]
        for r in db.execute(
            "select distinct user from login_events where person_id in (select person_id from _affected)"
        ).fetchall()
    }


# re-pointing more rows than this (and a tenth of the table) drops the person index, updates in
# one scan and rebuilds the index by sorting: 2-3x faster than updating it row by row
BULK_ROWS = 50_000


def _bulk_aware(
    db: Database, table: str, index: str, count_sql: str, indexed_sql: str, scan_sql: str
) -> None:
    n = db.execute(count_sql).fetchone()[0]
    total = db.execute(f"select max(rowid) from {table}").fetchone()[0] or 0
    ddl = db.execute(
        "select sql from sqlite_master where type = 'index' and name = ?", [index]
    ).fetchone()
    if n < BULK_ROWS or n * 10 < total or ddl is None:
        db.execute(indexed_sql)
        return
    db.execute(f"drop index {index}")
    db.execute(scan_sql)
    db.execute(ddl[0])


def _person(key: tuple[str, str], new_of: dict[tuple[str, str], str], resolver: Resolver) -> str:
    return new_of.get(key) or resolver.person_of(*key)


def _repoint_mentions(
    db: Database,
    changed: set[tuple[str, str]],
    new_of: dict[tuple[str, str], str],
    resolver: Resolver,
) -> None:
    updates = []
    for rowid, source, ids, mentions in db.execute(
        "select rowid, source, mention_account_ids, mentions from messages "
        "where n_mentions > 0 and mention_account_ids is not null"
    ):
        accounts = json.loads(ids)
        if not any((source, a) in changed for a in accounts):
            continue
        now = json.dumps(sorted({_person((source, a), new_of, resolver) for a in accounts}))
        if now != mentions:
            updates.append((now, len(json.loads(now)), rowid))
    db.conn.executemany("update messages set mentions = ?, n_mentions = ? where rowid = ?", updates)


_ATTENDANCE_MERGE = {
    "invited": max,
    "attended_seconds": max,
    "first_join_ts": min,
    "last_leave_ts": max,
    "video_on": max,
}


def _repoint_attendance(
    db: Database,
    changed: set[tuple[str, str]],
    new_of: dict[tuple[str, str], str],
    resolver: Resolver,
) -> None:
    # invitations and attendance of one person may have come under two identities (an address and
    # a user id): once both resolve to one person they are one row, merged field by field
    rows = [
        r
        for r in db.query("select rowid, * from attendance where account_id is not null")
        if (r["source"], r["account_id"]) in changed
    ]
    for r in rows:
        pid = _person((r["source"], r["account_id"]), new_of, resolver)
        if pid == r["person_id"]:
            continue
        other = list(
            db.query(
                "select rowid, * from attendance where source = ? and meeting_id = ? and person_id = ?",
                [r["source"], r["meeting_id"], pid],
            )
        )
        if not other:
            db.execute("update attendance set person_id = ? where rowid = ?", [pid, r["rowid"]])
            continue
        o = other[0]
        merged: dict[str, Any] = {}
        for col, pick in _ATTENDANCE_MERGE.items():
            values = [v for v in (o[col], r[col]) if v is not None]
            merged[col] = pick(values) if values else None
        merged["response"] = o["response"] or r["response"]
        merged["role"] = o["role"] or r["role"]
        sets = ", ".join(f"[{c}] = ?" for c in merged)
        db.execute(f"update attendance set {sets} where rowid = ?", [*merged.values(), o["rowid"]])
        db.execute("delete from attendance where rowid = ?", [r["rowid"]])


def _write_people(
    db: Database,
    resolver: Resolver,
    accounts: list[dict[str, Any]],
    new_of: dict[tuple[str, str], str],
    retired: set[str],
    result: ResolveResult,
) -> None:
    members: dict[str, list[dict[str, Any]]] = {}
    email_of: dict[str, str | None] = {}
    for a in sorted(accounts, key=lambda a: (source_rank(a["source"]), a["account_id"])):
        pid = new_of[(a["source"], a["account_id"])]
        members.setdefault(pid, []).append(a)
        email_of.setdefault(
            pid, resolver.email_of(a["source"], a["account_id"], a["email"], a["kind"] == "login")
        )
    for email in resolver.directory:
        pid = resolver.pseudonyms.for_email(email)
        members.setdefault(pid, [])
        email_of[pid] = email
    wanted = {
        pid: _person_row(pid, email_of[pid], accts, new_of, resolver)
        for pid, accts in members.items()
    }
    existing = {r["person_id"]: r for r in db.query("select * from people")}
    # only people whose accounts moved away are removed: a row written by hand or by an older
    # version, with no account behind it, is left alone
    gone = [pid for pid in existing if pid not in wanted and pid in retired]
    db.conn.executemany("delete from people where person_id = ?", [(p,) for p in gone])
    now = time.time()
    changed = []
    for pid, row in wanted.items():
        old = existing.get(pid)
        if old is not None and all(old.get(k) == v for k, v in row.items()):
            continue
        row["updated_at"] = now
        row["manager_alerts_opt_in"] = old["manager_alerts_opt_in"] if old else 0
        changed.append(row)
    if changed:
        db.table("people").upsert_all(changed, pk="person_id", batch_size=500)
    result.people_written = len(changed)
    result.people = len(wanted)
    result.people_removed = len(gone)


def _person_row(
    pid: str,
    email: str | None,
    accts: list[dict[str, Any]],
    new_of: dict[tuple[str, str], str],
    resolver: Resolver,
) -> dict[str, Any]:
    d = resolver.directory.get(email) if email else None

    def first(col: str) -> Any:
        return next((a[col] for a in accts if a[col]), None)

    manager = None
    if d is not None and d.manager_email:
        manager = resolver.person_of("directory", d.manager_email)
    else:
        boss = next((a for a in accts if a["manager_account_id"]), None)
        if boss is not None:
            manager = _person((boss["source"], boss["manager_account_id"]), new_of, resolver)
    rules = resolver.rules
    what = classify(
        email,
        [(e.kind, e.disabled) for e in resolver.entries.get(email or "", [])],
        accts,
        rules.include,
        rules.exclude,
        rules.exclude_guests,
    )
    return {
        "person_id": pid,
        "email": email,
        "kind": what.kind,
        "scope": what.scope,
        "disabled": int(what.disabled),
        # the best identity known: the directory's name, else an account's name or identifier
        "display_name": (d.display_name if d else None)
        or first("display_name")
        or email
        or (accts[0]["account_id"] if accts else None),
        "team": (d.team if d else None) or first("department"),
        "title": (d.title if d else None) or first("title"),
        "manager_person_id": manager,
        "tz": (d.timezone if d else None) or first("tz"),
        "country": (d.country if d else None) or first("country"),
        "start_date": d.start_date if d else None,
    }


def _record_history(db: Database, changes: Iterable[tuple[str, str, str | None, str]]) -> None:
    # a pseudonym an earlier digest printed still reveals: to whoever its accounts are now
    moved: dict[str, set[str]] = {}
    for _, _, old, new in changes:
        if old and old != new:
            moved.setdefault(old, set()).add(new)
    now = time.time()
    for old, news in moved.items():
        if (
            len(news) == 1
            and not db.execute("select 1 from people where person_id = ?", [old]).fetchone()
        ):
            db.execute(
                "insert or replace into person_history (old_person_id, person_id, changed_at) "
                "values (?, ?, ?)",
                [old, next(iter(news)), now],
            )


def login_users_of(db: Database, people: Iterable[str]) -> set[str]:
    """Login names whose events belong to any of these people."""
    db.execute("create temp table if not exists _people_of (person_id text primary key)")
    db.execute("delete from _people_of")
    db.conn.executemany("insert or ignore into _people_of values (?)", [(p,) for p in people])
    return {
        r[0]
        for r in db.execute(
            "select distinct user from login_events where person_id in "
            "(select person_id from _people_of)"
        ).fetchall()
    }
