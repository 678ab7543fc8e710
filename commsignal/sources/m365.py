"""Microsoft 365 sync: Graph resources -> pages -> Ingestor, each page with its cursor in one transaction.

A resource the tenant refuses (permission, protected-API approval, licence, long throttling, a
connection that keeps dropping) becomes one notice line and the run goes on with the others.
A user Graph refuses for a documented per-user reason (no mailbox, no Teams licence, disabled)
is counted and skipped; the other users go on.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from functools import partial
from typing import Any, TypeVar

from sqlite_utils import Database

from commsignal.ingest import Ingestor, WriteStats
from commsignal.models import Account, Conversation, Page, RawMessage
from commsignal.sources.m365_meetings import MeetingSteps, iso
from commsignal.store.cursors import get_cursor
from connectors.errors import AuthError, ConnectorError
from connectors.msgraph import mapping as mp
from connectors.msgraph.client import USER_PROBLEMS, UserUnavailable
from connectors.msgraph.fields import Json, children, text
from connectors.msgraph.settings import RESOURCES, GraphSettings

SOURCE = mp.SOURCE
ORDER = ("users", "chats", "channels", "calendar", "callrecords", "attendance", "signins")
BATCH = 500
T = TypeVar("T")


@dataclass(slots=True)
class SyncReport:
    """What one sync did: items read per resource, rows written, HTTP requests, and notices."""

    items: dict[str, int] = field(default_factory=dict)
    stats: WriteStats = field(default_factory=WriteStats)
    requests: int = 0
    notices: list[str] = field(default_factory=list)
    seconds: float = 0.0
    user_refusals: int = 0  # per-user refusals over all resources (a user may count twice)
    transport_retries: int = 0
    skipped: dict[tuple[str, str], int] = field(default_factory=dict)  # (resource, kind) -> users

    @property
    def rows_written(self) -> int:
        """Rows, cursors and removals written (0 for an unchanged rerun)."""
        return self.stats.total

    def count(self, resource: str, n: int) -> None:
        self.items[resource] = self.items.get(resource, 0) + n

    def skip_user(self, resource: str, kind: str) -> None:
        """Count one user a resource skipped for a documented per-user reason."""
        self.skipped[(resource, kind)] = self.skipped.get((resource, kind), 0) + 1
        self.user_refusals += 1


def sync_m365(
    db: Database, ingestor: Ingestor, settings: GraphSettings, progress: bool = False
) -> SyncReport:
    """Pull every configured Microsoft 365 resource into the store, resuming from stored cursors.

    Args:
        db: the open store (cursors are read from it; writes go through `ingestor`).
        ingestor: writes each page and its cursor atomically.
        settings: credentials, base URL, resources, window and retry policy.
        progress: show a rich progress display on the terminal.

    Returns:
        A SyncReport; refused resources appear in `notices`, one line each.

    Raises:
        AuthError: Graph rejected the credentials for every resource attempted.
    """
    import time

    started = time.perf_counter()
    report = asyncio.run(_Run(db, ingestor, settings, progress).run())
    report.seconds = time.perf_counter() - started
    return report


class _Run(MeetingSteps):
    """State of one sync run: user list, email map, meetings and call presence carried between steps."""

    def __init__(
        self, db: Database, ingestor: Ingestor, settings: GraphSettings, progress: bool
    ) -> None:
        super().__init__()
        self.db, self.ingestor, self.settings = db, ingestor, settings
        self.report = SyncReport()
        self.now = settings.current_time()
        self.start = self.now - settings.window_days * 86400
        self.users: list[str] = []
        self.email_to_account: dict[str, str] = {}
        self.seen_chat: set[str] = set()
        self.auth_failures = 0
        self.progress: Any = None
        self.show = progress

    def write(self, page: Page) -> None:
        self.report.stats.merge(self.ingestor.write(page))

    def tick(self, resource: str, n: int) -> None:
        self.report.count(resource, n)
        if self.progress is not None:
            self.progress.update(self.task, description=f"m365 {resource}", advance=n)

    async def run(self) -> SyncReport:
        from connectors.msgraph import connect

        if self.show:
            from rich.progress import Progress

            self.progress = Progress(transient=True)
            self.progress.start()
            self.task = self.progress.add_task("m365", total=None)
        try:
            async with connect(self.settings) as src:
                self.src = src
                for name in ORDER:
                    if name in self.settings.resources:
                        await self.step(name)
                if "callrecords" in self.settings.resources:
                    self.write_call_presence()
                self.report.requests = src.requests
                self.report.transport_retries = src.caller.transport_retries
        finally:
            if self.progress is not None:
                self.progress.stop()
        for (resource, kind), n in sorted(self.report.skipped.items()):
            self.report.notices.append(
                f"{RESOURCES[resource].label}: {n} user{'s' if n != 1 else ''} skipped, "
                f"{USER_PROBLEMS[kind]}"
            )
        # 401 with nothing read at all: the credentials are wrong, not one permission
        if self.auth_failures and not any(self.report.items.values()):
            raise AuthError(
                "Microsoft Graph rejected the credentials (401) for every resource",
                "check [m365] tenant_id, client_id and client_secret or access_token",
            )
        return self.report

    async def step(self, name: str) -> None:
        try:
            await getattr(self, "do_" + name)()
        except AuthError as err:
            self.auth_failures += 1
            self.notice(name, err)
        except ConnectorError as err:
            self.notice(name, err)

    def notice(self, name: str, err: ConnectorError) -> None:
        self.report.notices.append(f"{RESOURCES[name].label} skipped: {err}")

    async def each(
        self, items: Iterable[T], fn: Callable[[T], Awaitable[None]], resource: str = ""
    ) -> None:
        """Run fn over items with bounded concurrency; the first ConnectorError stops the rest.

        A documented per-user refusal (UserUnavailable) is counted under `resource` and the
        other items go on.
        """
        sem = asyncio.Semaphore(max(1, self.settings.concurrency))
        failed: list[ConnectorError] = []

        async def one(item: T) -> None:
            async with sem:
                if failed:
                    return
                try:
                    await fn(item)
                except UserUnavailable as err:
                    self.report.skip_user(resource or "users", err.kind)
                except ConnectorError as err:
                    failed.append(err)

        await asyncio.gather(*(one(i) for i in items))
        if failed:
            raise failed[0]

    def known_users(self) -> None:
        """Users from the store when the users resource is not synced in this run."""
        if self.users:
            return
        for row in self.db.query(
            "select account_id, email from accounts where source = ? and deleted = 0 order by account_id",
            [SOURCE],
        ):
            self.users.append(row["account_id"])
            if row["email"]:
                self.email_to_account[row["email"].lower()] = row["account_id"]

    async def do_users(self) -> None:
        tz_error: list[ConnectorError] = []

        async def tz_of(out: dict[str, tuple[str | None, str | None]], uid: str) -> None:
            if tz_error:
                return
            try:
                # one call gives the zone and what the mailbox is for (a room, a shared mailbox)
                out[uid] = await self.src.mailbox(uid)
            except UserUnavailable as err:
                self.report.skip_user("mailbox", err.kind)
            except ConnectorError as err:
                tz_error.append(err)

        directory: list[Account] = []
        async for users in self.src.users():
            tzs: dict[str, tuple[str | None, str | None]] = {}
            ids = [str(text(u, "id")) for u in users]
            await self.each(ids, partial(tz_of, tzs))
            accounts: list[Account] = []
            for uid, u in zip(ids, users, strict=True):
                tz, purpose = tzs.get(uid, (None, None))
                acc = mp.user_to_account(u, tz=tz, purpose=purpose)
                accounts.append(acc)
                self.users.append(uid)
                for addr in (text(u, "mail"), text(u, "userPrincipalName")):
                    if addr:
                        self.email_to_account[addr.lower()] = uid
            self.write(Page(SOURCE, "users", accounts=accounts))
            self.tick("users", len(accounts))
            directory.extend(accounts)
        if tz_error:
            self.notice("mailbox", tz_error[0])
        self.write_directory(directory)

    def write_directory(self, accounts: list[Account]) -> None:
        """Graph's users as the directory's "m365" entries, with the aliases other logs name them by."""
        from commsignal.sources.directory import directory_from_graph_users
        from commsignal.store.identity import write_directory

        mail = {a.account_id: a.email for a in accounts}
        users = [
            {
                "id": a.account_id,
                "mail": a.email,
                "userPrincipalName": a.upn,
                "onPremisesSamAccountName": a.sam_account_name,
                "onPremisesDomainName": a.on_prem_domain,
                "employeeId": a.employee_id,
                "displayName": a.display_name,
                "department": a.department,
                "jobTitle": a.title,
                "usageLocation": a.country,
                "mailboxTimeZone": a.tz,
                "managerMail": mail.get(a.manager_account_id or ""),
                # kept for disabled users too: a leaver's aliases still name their old logins
                "accountEnabled": not a.deleted,
                "userType": "Guest" if a.is_restricted else "Member",
                "mailboxSettings": {"userPurpose": a.purpose},
            }
            for a in accounts
            if not a.is_bot
        ]
        write_directory(self.db, directory_from_graph_users(users), "m365")

    async def do_chats(self) -> None:
        self.known_users()
        await self.each(self.users, self.chats_of, "chats")

    async def chats_of(self, uid: str) -> None:
        cursor = get_cursor(self.db, SOURCE, "chats", uid) or {}
        since = max(self.start, float(cursor.get("last_modified_ts", 0.0)))
        newest = since if cursor else 0.0
        # `gt` is the documented operator: start a second early, re-reads are idempotent
        after = iso(since - 1)
        pages = [p async for p in self.src.chat_messages(uid, after, iso(self.now + 1))]
        for i, items in enumerate(pages):
            msgs: list[RawMessage] = []
            removed: list[str] = []
            convs: dict[str, Conversation] = {}
            for m in items:
                newest = max(newest, mp.ts(m.get("lastModifiedDateTime")) or 0.0)
                mid = str(text(m, "id"))
                if mid in self.seen_chat:
                    continue  # getAllMessages repeats a chat message for every member
                self.seen_chat.add(mid)
                if mp.is_removed(m):
                    removed.append(mid)
                    continue
                raw = mp.message_to_raw(m)
                if raw is not None:
                    msgs.append(raw)
                    convs.setdefault(
                        raw.conversation_id, Conversation(SOURCE, raw.conversation_id, "chat")
                    )
            last = i == len(pages) - 1
            cur = {"last_modified_ts": newest} if last and newest else None
            self.write(
                Page(
                    SOURCE,
                    "chats",
                    uid,
                    cur,
                    conversations=list(convs.values()),
                    messages=msgs,
                    removed_message_ids=removed,
                )
            )
            self.tick("chats", len(msgs) + len(removed))

    async def do_channels(self) -> None:
        chans = await self.src.channels()

        async def one(chan: tuple[str, str, str | None]) -> None:
            team, cid, name = chan
            part = f"{team}/{cid}"
            cursor = get_cursor(self.db, SOURCE, "channels", part) or {}
            conv = [Conversation(SOURCE, cid, "channel", name)]
            async for items, delta_link in self.src.channel_delta(
                team, cid, cursor.get("delta_link")
            ):
                msgs: list[RawMessage] = []
                removed: list[str] = []
                for m in items:
                    for x in [m, *(children(m, "replies") or [])]:
                        if mp.is_removed(x):
                            removed.append(str(text(x, "id")))
                        elif (raw := mp.message_to_raw(x, cid)) is not None:
                            msgs.append(raw)
                cur = {"delta_link": delta_link} if delta_link else None
                self.write(
                    Page(
                        SOURCE,
                        "channels",
                        part,
                        cur,
                        conversations=conv,
                        messages=msgs,
                        removed_message_ids=removed,
                    )
                )
                self.tick("channels", len(msgs) + len(removed))

        await self.each(chans, one)

    async def do_signins(self) -> None:
        self.known_users()
        self.users_set = set(self.users)
        cursor = get_cursor(self.db, SOURCE, "signins") or {}
        since = max(self.start, float(cursor.get("newest_ts", 0.0)))
        newest = float(cursor.get("newest_ts", 0.0))
        pages = self.src.signins(iso(since))
        pending: list[Json] | None = None
        async for items in pages:
            # write one page behind, so the last page can carry the cursor
            if pending is not None:
                self._write_signins(pending, None)
            for si in items:
                newest = max(newest, mp.ts(si.get("createdDateTime")) or 0.0)
            pending = items
        if pending is not None:
            self._write_signins(pending, {"newest_ts": newest} if newest else None)

    def _write_signins(self, items: list[Json], cursor: dict[str, Any] | None) -> None:
        events = [mp.signin_to_login(si) for si in items]
        for e in events:
            # userId is the account id /users gave; a guest or a user not synced falls back on the
            # UPN (matched against users' UPN and mail here, against people's mail in ingest)
            if e.account_id not in self.users_set:
                e.account_id = self.email_to_account.get(e.user, e.account_id)
        self.write(Page(SOURCE, "signins", "", cursor, login_events=events))
        self.tick("signins", len(events))
