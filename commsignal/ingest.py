"""Connector pages into the store: identities joined, text scored then dropped, rows and cursor in one transaction."""

from __future__ import annotations

import json
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any, Protocol

from sqlite_utils import Database

from commsignal.models import (
    Account,
    Attendance,
    LoginEvent,
    Meeting,
    Page,
    RawMessage,
)
from commsignal.privacy import Pseudonymizer, canonical_email
from commsignal.store.cursors import put_cursor
from commsignal.store.identity import IdentityRules, Resolver, record_refs
from commsignal.store.rows import upsert_changed, write_quarantine

__all__ = ["Features", "Ingestor", "Scorer", "WriteStats", "upsert_changed", "write_quarantine"]


class Features(Protocol):
    """What ingest needs from the nlp scorer's per-message result (read-only)."""

    @property
    def small_talk(self) -> float: ...
    @property
    def is_small_talk(self) -> bool: ...
    @property
    def cues(self) -> tuple[str, ...]: ...
    @property
    def is_pleasantry(self) -> bool: ...
    @property
    def n_tokens(self) -> int: ...
    @property
    def is_question(self) -> bool: ...


class Scorer(Protocol):
    """The nlp scorer interface (nlp.SmallTalkScorer satisfies it)."""

    def score_many(self, texts: Iterable[str], batch_size: int = ...) -> Iterator[Features]: ...


@dataclass(slots=True)
class WriteStats:
    """What one or more pages changed in the store; all zero for an unchanged rerun."""

    written: dict[str, int] = field(default_factory=dict)
    cursors: int = 0
    removed: int = 0
    quarantined: int = 0

    def add(self, table: str, n: int) -> None:
        if n:
            self.written[table] = self.written.get(table, 0) + n

    def merge(self, other: WriteStats) -> None:
        for table, n in other.written.items():
            self.add(table, n)
        self.cursors += other.cursors
        self.removed += other.removed
        self.quarantined += other.quarantined

    @property
    def total(self) -> int:
        return sum(self.written.values()) + self.cursors + self.removed + self.quarantined


class Ingestor:
    """Writes connector pages; keeps the account-to-person map in memory across pages."""

    def __init__(
        self,
        db: Database,
        pseudonyms: Pseudonymizer,
        scorer: Scorer | None,
        keep_text_days: int = 0,
        rules: IdentityRules | None = None,
    ) -> None:
        self.db = db
        self.pseudonyms = pseudonyms
        self.scorer = scorer
        # 0 (the default) means text is scored in memory and never written anywhere
        self.keep_text_days = keep_text_days
        self.resolver = Resolver.load(db, pseudonyms, rules)
        self._person_of: dict[tuple[str, str], str] = {}
        self._bots: set[tuple[str, str]] = set()
        self._refs: dict[tuple[str, str], str] = {}
        self._new_refs: dict[tuple[str, str], str] = {}
        # authors of the messages written: their sessions use message times as evidence
        self.message_people: set[str] = set()
        self.reload_identities()

    def reload_identities(self, rules: IdentityRules | None = None) -> None:
        """Re-read accounts, directory and links (after a resolution changed who is who)."""
        self.resolver = Resolver.load(self.db, self.pseudonyms, rules or self.resolver.rules)
        self._person_of.clear()
        self._bots.clear()
        for row in self.db.query("select source, account_id, person_id, is_bot from accounts"):
            key = (row["source"], row["account_id"])
            if row["is_bot"]:
                self._bots.add(key)
            elif row["person_id"]:
                self._person_of[key] = row["person_id"]
        self._refs = {
            (r["source"], r["raw_id"]): r["person_id"]
            for r in self.db.query("select source, raw_id, person_id from identity_refs")
        }
        self._login_person: dict[tuple[str, str], str] = {}

    def person_for(self, source: str, account_id: str) -> str:
        """Person id of a platform account (an email address is accepted as an account id too)."""
        key = (source, account_id)
        known = self._person_of.get(key) or self._refs.get(key)
        if known:
            return known
        # an id that is no account (yet): remembered, so its rows follow a later resolution
        pid = self.resolver.person_of(source, account_id)
        self._refs[key] = self._new_refs[key] = pid
        return pid

    def person_for_login(self, user: str, source: str = "login") -> str:
        """Person id for the user string of a login log (UPN, email, DOMAIN\\name or bare name)."""
        key = (source, user)
        known = self._person_of.get(key) or self._login_person.get(key)
        if known is None:
            known = self._login_person[key] = self.resolver.person_of(source, user, login=True)
        return known

    def write(self, page: Page) -> WriteStats:
        """Store one page and its cursor atomically.

        Args:
            page: connector output; its message text is scored here and never stored.

        Returns:
            Counts of rows written (unchanged rows are not rewritten).
        """
        stats = WriteStats()
        scored = self._score(page.messages)
        with self.db.atomic():
            if page.accounts:
                self._write_accounts(page.accounts, stats)
            if page.conversations:
                stats.add(
                    "conversations",
                    upsert_changed(
                        self.db,
                        "conversations",
                        [
                            {
                                "source": c.source,
                                "conversation_id": c.conversation_id,
                                "kind": c.kind,
                                "name": c.name,
                                "member_count": c.member_count,
                            }
                            for c in page.conversations
                        ],
                    ),
                )
            if page.messages:
                self._write_messages(page.messages, scored, stats)
            if page.removed_message_ids:
                stats.removed += self._remove_messages(page.source, page.removed_message_ids)
            if page.meetings:
                self._write_meetings(page.meetings, stats)
            if page.attendance:
                self._write_attendance(page.attendance, stats)
            if page.login_events:
                stats.add("login_events", self.write_login_events(page.login_events))
            if page.quarantined:
                stats.quarantined += write_quarantine(self.db, page.quarantined)
            if self._new_refs:
                record_refs(self.db, self._new_refs)
                self._new_refs.clear()
            if page.cursor is not None and put_cursor(
                self.db, page.source, page.resource, page.partition, page.cursor
            ):
                stats.cursors += 1
        return stats

    def _score(self, messages: list[RawMessage]) -> list[Features | None]:
        if not messages or self.scorer is None:
            return [None] * len(messages)
        return list(self.scorer.score_many((m.text or "" for m in messages), batch_size=1000))

    def _write_accounts(self, accounts: list[Account], stats: WriteStats) -> None:
        account_rows, people_rows = [], []
        for a in accounts:
            key = (a.source, a.account_id)
            if a.is_bot:
                self._bots.add(key)
            elif key not in self._person_of:
                # a known account keeps the person its rows carry until `resolve_people` moves them
                self._person_of[key] = self.resolver.person_of(a.source, a.account_id, a.email)
        for a in accounts:
            key = (a.source, a.account_id)
            person_id = None if a.is_bot else self._person_of[key]
            email = None if a.is_bot else self.resolver.email_of(a.source, a.account_id, a.email)
            account_rows.append(
                {
                    "source": a.source,
                    "account_id": a.account_id,
                    "person_id": person_id,
                    "email": canonical_email(a.email) if a.email else None,
                    "display_name": a.display_name,
                    "tz": a.tz,
                    "is_bot": int(a.is_bot),
                    "deleted": int(a.deleted),
                    "is_restricted": int(a.is_restricted),
                    "department": a.department,
                    "title": a.title,
                    "manager_account_id": a.manager_account_id,
                    "country": a.country,
                    "purpose": a.purpose,
                }
            )
            if person_id and email and person_id == self.pseudonyms.for_email(email):
                people_rows.append(self._person_row(a, person_id, email))
        stats.add("accounts", upsert_changed(self.db, "accounts", account_rows))
        for row in people_rows:
            stats.add("people", self._merge_person(row))

    def _person_row(self, a: Account, person_id: str, email: str) -> dict[str, Any]:
        # a first sketch of the person; `resolve_people` rewrites it from all evidence
        manager_person = (
            self.person_for(a.source, a.manager_account_id) if a.manager_account_id else None
        )
        return {
            "person_id": person_id,
            "email": email,
            "display_name": a.display_name,
            "team": a.department,
            "title": a.title,
            "manager_person_id": manager_person,
            "tz": a.tz,
            "country": a.country,
        }

    def _merge_person(self, row: dict[str, Any]) -> int:
        # several platforms describe the same person: keep what one knows and another doesn't
        existing = list(
            self.db.query("select * from people where person_id = ?", [row["person_id"]])
        )
        if existing:
            old = existing[0]
            merged = {k: (v if v not in (None, "") else old.get(k)) for k, v in row.items()}
            if all(old.get(k) == v for k, v in merged.items()):
                return 0
            row = merged
        self.db.table("people").upsert(row, pk="person_id")
        return 1

    def _write_messages(
        self, messages: list[RawMessage], scored: list[Features | None], stats: WriteStats
    ) -> None:
        rows, reactions = [], []
        for m, f in zip(messages, scored, strict=True):
            if (m.source, m.account_id) in self._bots or m.subtype in _SYSTEM_SUBTYPES:
                continue
            person = self.person_for(m.source, m.account_id)
            self.message_people.add(person)
            mentions = (
                sorted({self.person_for(m.source, a) for a in m.mentions}) if m.mentions else []
            )
            rows.append(
                {
                    "source": m.source,
                    "message_id": m.message_id,
                    "conversation_id": m.conversation_id,
                    "account_id": m.account_id,
                    "person_id": person,
                    "ts": m.ts,
                    "thread_id": m.thread_id,
                    "is_reply": int(m.is_reply),
                    "reply_to_person_id": (
                        self.person_for(m.source, m.reply_to_account_id)
                        if m.reply_to_account_id
                        else None
                    ),
                    "reply_to_account_id": m.reply_to_account_id,
                    "mentions": json.dumps(mentions) if mentions else "[]",
                    "mention_account_ids": json.dumps(sorted(set(m.mentions)))
                    if m.mentions
                    else None,
                    "n_mentions": len(mentions),
                    "n_tokens": f.n_tokens if f else 0,
                    "small_talk": round(f.small_talk, 4) if f else None,
                    "is_small_talk": int(f.is_small_talk) if f else None,
                    "is_pleasantry": int(f.is_pleasantry) if f else None,
                    "is_question": int(f.is_question) if f else None,
                    "cues": json.dumps(list(f.cues)) if f and f.cues else "[]",
                    "edited_ts": m.edited_ts,
                    "during_meeting_id": m.during_meeting_id,
                }
            )
            for reactor, name in m.reactions:
                if (m.source, reactor) in self._bots:
                    continue
                reactions.append(
                    {
                        "source": m.source,
                        "message_id": m.message_id,
                        "person_id": self.person_for(m.source, reactor),
                        "account_id": reactor,
                        "target_person_id": person,
                        "name": name,
                        "ts": m.ts,
                    }
                )
        stats.add("messages", upsert_changed(self.db, "messages", rows))
        if self.keep_text_days > 0:
            self._keep_text(messages, {str(r["message_id"]) for r in rows})
        stats.add("reactions", upsert_changed(self.db, "reactions", reactions))

    def _keep_text(self, messages: list[RawMessage], stored: set[str]) -> None:
        """Keep text of stored messages until it expires, and drop whatever has expired."""
        now = time.time()
        expires = now + self.keep_text_days * 86400
        self.db.conn.executemany(
            "insert into message_text (source, message_id, text, expires_at) values (?, ?, ?, ?) "
            "on conflict (source, message_id) do update set text = excluded.text, "
            "expires_at = excluded.expires_at",
            [(m.source, m.message_id, m.text, expires) for m in messages if m.message_id in stored],
        )
        self.db.execute("delete from message_text where expires_at < ?", [now])

    def _remove_messages(self, source: str, message_ids: list[str]) -> int:
        removed = 0
        for mid in message_ids:
            cur = self.db.execute(
                "delete from messages where source = ? and message_id = ?", [source, mid]
            )
            removed += cur.rowcount
            self.db.execute(
                "delete from reactions where source = ? and message_id = ?", [source, mid]
            )
            self.db.execute(
                "delete from message_text where source = ? and message_id = ?", [source, mid]
            )
        return removed

    def _write_meetings(self, meetings: list[Meeting], stats: WriteStats) -> None:
        rows, invites = [], []
        for mt in meetings:
            rows.append(
                {
                    "source": mt.source,
                    "meeting_id": mt.meeting_id,
                    "organizer_person_id": (
                        self.person_for(mt.source, mt.organizer_account_id)
                        if mt.organizer_account_id
                        else None
                    ),
                    "organizer_account_id": mt.organizer_account_id,
                    "start_ts": mt.start_ts,
                    "end_ts": mt.end_ts,
                    "is_online": int(mt.is_online),
                }
            )
            for who, response in mt.invitees:
                invites.append(
                    {
                        "source": mt.source,
                        "meeting_id": mt.meeting_id,
                        "person_id": self.person_for(mt.source, who),
                        "account_id": who,
                        "invited": 1,
                        "response": response,
                    }
                )
        stats.add("meetings", upsert_changed(self.db, "meetings", rows))
        stats.add("attendance", upsert_changed(self.db, "attendance", invites))

    def _write_attendance(self, records: list[Attendance], stats: WriteStats) -> None:
        rows = [
            {
                "source": a.source,
                "meeting_id": a.meeting_id,
                "person_id": self.person_for(a.source, a.account_id),
                "account_id": a.account_id,
                "attended_seconds": a.seconds,
                "first_join_ts": a.first_join_ts,
                "last_leave_ts": a.last_leave_ts,
                "role": a.role,
                "video_on": None if a.video_on is None else int(a.video_on),
                "video_basis": a.video_basis,
            }
            for a in records
        ]
        stats.add("attendance", upsert_changed(self.db, "attendance", rows))

    def write_login_events(self, events: Iterable[LoginEvent]) -> int:
        """Store login events (idempotent by event_id); returns how many were new."""
        # imported here so that this method alone carries the login_events layout it writes
        from commsignal.store.migrations import login_event_key

        persons = self._login_person
        new_accounts: dict[tuple[str, str], str] = {}

        def account(source: str, user: str) -> str:
            # the login name is an account of its log source; registered once, resolved later
            key = (source, user)
            pid = self._person_of.get(key)
            if pid is None:
                pid = new_accounts[key] = self._person_of[key] = self.resolver.person_of(
                    source, user, login=True
                )
            persons[key] = pid
            return pid

        # plain tuples in column order: a dict per row and a second pass over it cost more than the
        # insert itself at a million rows
        rows = [
            (
                login_event_key(e.event_id),
                e.event_id,
                e.source,
                e.user,
                # the platform's account id first (Entra userId), then the login name's account
                (e.account_id and self._person_of.get((e.source, e.account_id)))
                or persons.get((e.source, e.user))
                or account(e.source, e.user),
                e.ts,
                e.event,
                e.session_key,
                e.logon_type,
                e.ip,
                e.device,
                e.client_app,
                e.user_agent,
                e.country,
                e.city,
                int(e.success),
                None if e.interactive is None else int(e.interactive),
                e.host,
                e.device_id,
                e.account_id,
            )
            for e in events
        ]
        if not rows:
            return 0
        # in (user, ts) order the two (user/person, ts) indexes are filled leaf by leaf instead of
        # at random, and each person's events lie together in the table for the session rebuild
        rows.sort(key=lambda r: (r[3], r[5]))
        conn = self.db.conn
        collided: set[str] = set()

        def collision(new_id: str, stored_id: str) -> str:
            # two different ids with one 64-bit key: remember it and leave the stored row as it is
            collided.add(new_id)
            return stored_id

        conn.create_function("_login_key_collision", 2, collision)
        # the same key with the same id is the same event (ignored: re-imports add nothing); with
        # another id it is a hash collision, and that event is retried under its next probe key
        columns = (
            "event_key, event_id, source, user, person_id, ts, event, session_key, logon_type, ip, "
            "device, client_app, user_agent, country, city, success, interactive, host, device_id, "
            "account_id"
        )
        sql = (
            f"insert into login_events ({columns}) values ({', '.join('?' * len(rows[0]))}) "
            "on conflict (event_key) do update "
            "set event_id = _login_key_collision(excluded.event_id, event_id) "
            "where event_id <> excluded.event_id"
        )
        new = 0
        with self.db.atomic():
            conn.executemany(
                "insert or ignore into accounts (source, account_id, person_id, kind) "
                "values (?, ?, ?, 'login')",
                [(s, u, p) for (s, u), p in new_accounts.items()],
            )
            for probe in range(1, 10):
                before = conn.total_changes
                conn.executemany(sql, rows)
                new += conn.total_changes - before - len(collided)
                if not collided:
                    return new
                rows = [(login_event_key(r[1], probe), *r[1:]) for r in rows if r[1] in collided]
                collided.clear()
        raise RuntimeError("login event key still colliding after 9 probes")


_SYSTEM_SUBTYPES = frozenset(
    {
        "bot_message",
        "bot_add",
        "bot_remove",
        "channel_join",
        "channel_leave",
        "channel_topic",
        "channel_purpose",
        "channel_name",
        "channel_archive",
        "channel_unarchive",
        "group_join",
        "group_leave",
        "huddle_thread",
        "systemEventMessage",
    }
)
