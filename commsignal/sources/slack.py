"""Incremental Slack sync: users, conversations, then history and threads channel by channel.

Each page is written with the cursor that follows it in one `Ingestor.write` transaction, so a sync
killed at any point resumes where it stopped with no gaps and no duplicates. Per channel the
cursor holds a watermark (the newest ts seen), an in-progress history pass and a queue of threads
to read. Each run re-reads `lookback_days` before the watermark to catch late thread replies and
edits; pages that only re-read already-seen messages are not checkpointed (unless a request budget
makes progress across runs necessary), so an unchanged rerun writes nothing at all.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from rich.console import Console
from rich.progress import Progress, TaskID
from sqlite_utils import Database

from commsignal.ingest import Ingestor, WriteStats
from commsignal.models import Attendance, Meeting, Page, RawMessage
from commsignal.store.cursors import get_cursor
from connectors.slack.client import (
    BudgetSpent,
    SlackChannelUnavailable,
    SlackClient,
    SlackNotEntitled,
)
from connectors.slack.mapping import (
    map_access_log,
    map_audit_entry,
    map_conversation,
    map_huddle,
    map_message,
    map_user,
    thread_activity,
)
from connectors.slack.settings import SlackSettings

SOURCE = "slack"
_BATCH = 1000  # messages gathered from small thread pages into one transaction


@dataclass(slots=True)
class SyncReport:
    """What one sync run did; `stopped_by_budget` means the next run has more to fetch."""

    pages: int = 0
    messages_seen: int = 0
    rows_written: int = 0
    channels: int = 0
    requests: dict[str, int] = field(default_factory=dict)
    notices: list[str] = field(default_factory=list)
    stopped_by_budget: bool = False
    stats: WriteStats = field(default_factory=WriteStats)


@dataclass(slots=True)
class _ChannelState:
    """One channel's cursor; `as_cursor()` is canonical so an unchanged state compares equal."""

    watermark: str | None = None
    pass_: dict[str, Any] | None = (
        None  # {"oldest", "cursor", "newest"} of an unfinished history pass
    )
    threads: list[str] = field(default_factory=list)  # thread ts still to read, persisted
    thread: dict[str, str] | None = None  # {"ts", "cursor"} of an unfinished replies paging

    @classmethod
    def load(cls, raw: dict[str, Any] | None) -> _ChannelState:
        raw = raw or {}
        return cls(
            raw.get("watermark"), raw.get("pass"), list(raw.get("threads") or []), raw.get("thread")
        )

    def as_cursor(self) -> dict[str, Any]:
        out: dict[str, Any] = {"watermark": self.watermark}
        if self.pass_ is not None:
            out["pass"] = dict(self.pass_)
        if self.threads:
            out["threads"] = list(self.threads)
        if self.thread is not None:
            out["thread"] = dict(self.thread)
        return out


def _newer(a: str | None, b: str | None) -> str | None:
    if a is None:
        return b
    if b is None:
        return a
    return a if float(a) >= float(b) else b


class _Run:
    """The state of one sync run: client, report, progress bar and the write helper."""

    def __init__(
        self, db: Database, ingestor: Ingestor, settings: SlackSettings, progress: Progress | None
    ) -> None:
        self.db, self.ingestor, self.settings = db, ingestor, settings
        self.client = SlackClient(settings)
        self.report = SyncReport()
        self.progress = progress
        self.task: TaskID | None = None
        self.emails: dict[str, str] = {}
        self._buffer: Page | None = None

    def write(self, page: Page, defer: bool = False) -> None:
        """Write a page now, or (`defer`) gather it with the next ones into one transaction.

        Thread replies come one small page per thread; gathering them up to `_BATCH` messages
        keeps the transactions few. The gathered cursor is the newest one seen, which covers all
        gathered rows (a page without a cursor keeps the one before: resuming there re-reads a
        little, never skips).
        """
        if defer:
            buf = self._buffer
            if buf is None or (buf.resource, buf.partition) != (page.resource, page.partition):
                self.flush()
                self._buffer = page
            else:
                buf.messages.extend(page.messages)
                buf.meetings.extend(page.meetings)
                buf.attendance.extend(page.attendance)
                if page.cursor is not None:
                    buf.cursor = page.cursor
            if self._buffer is not None and len(self._buffer.messages) >= _BATCH:
                self.flush()
            return
        self.flush()
        stats = self.ingestor.write(page)
        self.report.pages += 1
        self.report.stats.merge(stats)
        self.report.rows_written += sum(stats.written.values())

    def flush(self) -> None:
        """Write gathered pages, if any."""
        if self._buffer is not None:
            page, self._buffer = self._buffer, None
            self.write(page)

    def users(self) -> None:
        cursor: str | None = None
        while True:
            body = self.client.call(
                "users.list", limit=max(self.settings.page_size, 200), cursor=cursor
            )
            members = body.get("members") or []
            accounts = [map_user(u) for u in members]
            self.emails.update({a.account_id: a.email for a in accounts if a.email})
            self.write(Page(SOURCE, "users", accounts=accounts))
            cursor = (body.get("response_metadata") or {}).get("next_cursor") or None
            if not cursor:
                return

    def conversations(self) -> list[str]:
        ids: list[str] = []
        cursor: str | None = None
        while True:
            body = self.client.call(
                "conversations.list",
                types=",".join(self.settings.conversation_types),
                exclude_archived=False,
                limit=max(self.settings.page_size, 200),
                cursor=cursor,
            )
            convs = [map_conversation(c) for c in body.get("channels") or []]
            ids.extend(c.conversation_id for c in convs)
            self.write(Page(SOURCE, "conversations", conversations=convs))
            cursor = (body.get("response_metadata") or {}).get("next_cursor") or None
            if not cursor:
                return ids

    def channels(self, ids: list[str]) -> None:
        # start where a budget-stopped run stopped, so every channel gets its turn across runs
        start = (get_cursor(self.db, SOURCE, "rotation") or {}).get("start")
        if start in ids:
            i = ids.index(start)
            ids = ids[i:] + ids[:i]
        if self.progress is not None:
            self.task = self.progress.add_task("slack channels", total=len(ids))
        for cid in ids:
            try:
                self.channel(cid)
            except BudgetSpent:
                self.write(Page(SOURCE, "rotation", cursor={"start": cid}))
                raise
            except SlackChannelUnavailable as exc:
                self.report.notices.append(f"Slack channel {cid} skipped: {exc}")
            self.report.channels += 1
            if self.progress is not None and self.task is not None:
                self.progress.advance(self.task)

    def channel(self, cid: str) -> None:
        st = _ChannelState.load(get_cursor(self.db, SOURCE, "history", cid))
        try:
            self._channel(cid, st)
        finally:
            self.flush()  # gathered pages are complete: keep them even when the run stops here

    def _channel(self, cid: str, st: _ChannelState) -> None:
        in_memory: list[str] = []  # threads found while re-reading; rediscovered if this run dies
        if st.pass_ is not None or st.threads or st.thread is not None:
            # finish what an earlier run started; a fresh pass waits for this channel's next turn,
            # so under a request budget every channel gets its share instead of the first one all
            if st.pass_ is not None:
                self.history_pass(cid, st, in_memory)
            self.drain_threads(cid, st, in_memory)
            return
        self.history_pass(cid, st, in_memory)
        self.drain_threads(cid, st, in_memory)

    def history_pass(self, cid: str, st: _ChannelState, in_memory: list[str]) -> None:
        s = self.settings
        if st.pass_ is None:
            oldest = (
                f"{float(st.watermark) - s.lookback_days * 86400:.6f}" if st.watermark else None
            )
            st.pass_ = {"oldest": oldest, "cursor": None, "newest": st.watermark}
        checkpoint_always = s.budgeted("conversations.history")
        while st.pass_ is not None:
            p = st.pass_
            body = self.client.call(
                "conversations.history",
                channel=cid,
                oldest=p["oldest"],
                inclusive=True if p["oldest"] else None,
                limit=s.page_size,
                cursor=p["cursor"],
            )
            msgs = body.get("messages") or []
            self.report.messages_seen += len(msgs)
            raws, meetings, attendance = self._map(cid, msgs)
            newest, fresh, threads = p["newest"], st.watermark is None, []
            for m in msgs:
                latest = thread_activity(m)
                top = _newer(str(m["ts"]), latest)
                newest = _newer(newest, top)
                if (
                    st.watermark is not None
                    and top is not None
                    and float(top) > float(st.watermark)
                ):
                    fresh = True
                if latest and (p["oldest"] is None or float(latest) >= float(p["oldest"])):
                    threads.append(str(m["ts"]))
            persist = fresh or checkpoint_always
            target = st.threads if persist else in_memory
            target.extend(t for t in threads if t not in target)
            nxt = (body.get("response_metadata") or {}).get("next_cursor") or None
            if nxt and body.get("has_more", True):
                st.pass_ = {"oldest": p["oldest"], "cursor": nxt, "newest": newest}
            else:
                st.pass_, st.watermark, persist = None, newest, True
            cursor = st.as_cursor() if persist else None
            self.write(
                Page(
                    SOURCE,
                    "history",
                    cid,
                    cursor,
                    messages=raws,
                    meetings=meetings,
                    attendance=attendance,
                )
            )

    def drain_threads(self, cid: str, st: _ChannelState, in_memory: list[str]) -> None:
        if self.settings.budgeted("conversations.replies"):
            # under a budget, progress must survive the run, so every queued thread is persisted
            st.threads.extend(t for t in in_memory if t not in st.threads)
            in_memory.clear()
        while st.threads:
            self.read_thread(cid, st.threads[0], st, persist=True)
        while in_memory:
            ts = in_memory[0]
            if ts not in st.threads:
                self.read_thread(cid, ts, st, persist=False)
            in_memory.pop(0)

    def read_thread(self, cid: str, ts: str, st: _ChannelState, persist: bool) -> None:
        cursor = st.thread["cursor"] if persist and st.thread and st.thread["ts"] == ts else None
        parent_user: str | None = None
        while True:
            try:
                body = self.client.call(
                    "conversations.replies",
                    channel=cid,
                    ts=ts,
                    limit=self.settings.page_size,
                    cursor=cursor,
                )
            except SlackChannelUnavailable as exc:  # the parent was deleted meanwhile
                self.report.notices.append(f"Slack thread {cid}:{ts} skipped: {exc}")
                body = {"messages": []}
            msgs = [m for m in body.get("messages") or [] if m.get("ts")]
            parent_user = next((m.get("user") for m in msgs if m["ts"] == ts), parent_user)
            self.report.messages_seen += len(msgs)
            raws, meetings, attendance = self._map(cid, msgs, parent_user)
            cursor = (body.get("response_metadata") or {}).get("next_cursor") or None
            if persist:
                if cursor and body.get("has_more", True):
                    st.thread = {"ts": ts, "cursor": cursor}
                else:
                    st.thread, cursor = None, None
                    st.threads.remove(ts)
            page_cursor = st.as_cursor() if persist else None
            self.write(
                Page(
                    SOURCE,
                    "history",
                    cid,
                    page_cursor,
                    messages=raws,
                    meetings=meetings,
                    attendance=attendance,
                ),
                defer=True,
            )
            if not cursor or not body.get("has_more", True):
                return

    @staticmethod
    def _map(
        cid: str, msgs: list[dict[str, Any]], parent_user: str | None = None
    ) -> tuple[list[RawMessage], list[Meeting], list[Attendance]]:
        raws, meetings, attendance = [], [], []
        for m in msgs:
            if not m.get("ts"):
                continue
            raws.append(map_message(cid, m, parent_user))
            huddle = map_huddle(cid, m)
            if huddle is not None:
                meetings.append(huddle[0])
                attendance.extend(huddle[1])
        return raws, meetings, attendance

    def access_logs(self) -> None:
        try:
            prev = (get_cursor(self.db, SOURCE, "access_logs") or {}).get("newest", 0)
            newest, cursor = prev, None
            while True:
                body = self.client.call("team.accessLogs", limit=1000, cursor=cursor)
                rows = body.get("logins") or []
                events = [e for r in rows for e in map_access_log(r, self.emails)]
                newest = max([newest, *(int(r.get("date_last") or 0) for r in rows)])
                cursor = (body.get("response_metadata") or {}).get("next_cursor") or None
                # rows come newest first: once a page is entirely older than the last run, stop
                done = not cursor or all(int(r.get("date_last") or 0) < prev for r in rows)
                self.write(
                    Page(
                        SOURCE,
                        "access_logs",
                        login_events=events,
                        cursor={"newest": newest} if done else None,
                    )
                )
                if done:
                    return
        except SlackNotEntitled:
            self.report.notices.append("team.accessLogs needs a paid Slack plan; skipped")

    def audit_logs(self) -> None:
        for action in ("user_login", "user_logout"):
            try:
                self._audit_action(action)
            except SlackNotEntitled as exc:
                self.report.notices.append(f"Slack audit logs unavailable ({exc}); skipped")
                return

    def _audit_action(self, action: str) -> None:
        state = get_cursor(self.db, SOURCE, "audit", action) or {}
        oldest = state.get("oldest", state.get("newest"))
        newest, cursor = state.get("newest"), state.get("cursor")
        while True:
            body = self.client.audit_logs(action=action, oldest=oldest, limit=1000, cursor=cursor)
            entries = body.get("entries") or []
            events = [e for e in (map_audit_entry(x) for x in entries) if e is not None]
            newest = max([newest or 0, *(int(x.get("date_create") or 0) for x in entries)]) or None
            cursor = (body.get("response_metadata") or {}).get("next_cursor") or None
            state = (
                {"oldest": oldest, "cursor": cursor, "newest": newest}
                if cursor
                else {"newest": newest}
            )
            self.write(Page(SOURCE, "audit", action, state, login_events=events))
            if not cursor:
                return


def sync_slack(
    db: Database, ingestor: Ingestor, settings: SlackSettings, progress: bool = False
) -> SyncReport:
    """Bring the store up to date with one Slack workspace.

    Args:
        db: the open store (cursors are read from it; pages are written through `ingestor`).
        ingestor: writes each page and its cursor in one transaction.
        settings: token, endpoints, page size, lookback, budgets and optional login sources.
        progress: show a progress bar on stderr.

    Returns:
        A SyncReport. A spent request budget ends the run cleanly (`stopped_by_budget`).

    Raises:
        connectors.errors.ConnectorError: bad token, missing scope, or Slack unreachable or
            throttling after all retries; everything committed before it stays committed.
    """
    bar = Progress(console=Console(stderr=True), transient=True) if progress else None
    run = _Run(db, ingestor, settings, bar)
    try:
        if bar is not None:
            bar.start()
        run.users()
        run.channels(run.conversations())
        if settings.access_logs:
            run.access_logs()
        if settings.audit_logs:
            run.audit_logs()
    except BudgetSpent as spent:
        run.report.stopped_by_budget = True
        run.report.notices.append(
            f"request budget for {spent.method} spent; the next run continues from the saved cursor"
        )
    finally:
        if bar is not None:
            bar.stop()
        run.report.requests = dict(run.client.requests)
    return run.report
