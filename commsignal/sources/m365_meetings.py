"""The meeting steps of a Microsoft 365 sync: calendars, call records, attendance reports.

Commit order matters: a meeting is referenced (by call records and attendance) only once its
row is committed, and a call record's fallback meeting is written in the same transaction as
the attendance rows that point at it. A step that fails leaves nothing behind for the next.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable
from typing import TYPE_CHECKING, TypeVar

from commsignal.models import Attendance, Meeting, Page
from connectors.msgraph import calls
from connectors.msgraph import mapping as mp
from connectors.msgraph.fields import text

if TYPE_CHECKING:
    from sqlite_utils import Database

    from connectors.msgraph import GraphSource
    from connectors.msgraph.settings import GraphSettings

SOURCE = mp.SOURCE
BATCH = 500
T = TypeVar("T")


class MeetingSteps:
    """do_calendar, do_callrecords, do_attendance and write_call_presence for the m365 `_Run`."""

    db: Database
    settings: GraphSettings
    src: GraphSource
    users: list[str]
    email_to_account: dict[str, str]
    now: float
    start: float

    def __init__(self) -> None:
        self.meetings: dict[str, Meeting] = {}  # committed calendar meetings only
        self.online: dict[str, tuple[str, str]] = {}  # join url -> (organizer id, meeting key)
        self.occurrences: dict[str, list[tuple[float, str]]] = {}
        self.presence: dict[str, dict[str, calls.CallPresence]] = {}
        self.call_meetings: dict[str, Meeting] = {}
        self.attended: set[str] = set()
        self.external_email: dict[str, str] = {}  # home-tenant id of an external -> their email
        self.users_set: set[str] = set()

    # provided by the run
    def write(self, page: Page) -> None:
        raise NotImplementedError

    def tick(self, resource: str, n: int) -> None:
        raise NotImplementedError

    async def each(
        self, items: Iterable[T], fn: Callable[[T], Awaitable[None]], resource: str = ""
    ) -> None:
        raise NotImplementedError

    def known_users(self) -> None:
        raise NotImplementedError

    async def do_calendar(self) -> None:
        self.known_users()
        self.users_set = set(self.users)
        meetings: dict[str, Meeting] = {}
        online: dict[str, tuple[str, str]] = {}
        occurrences: dict[str, list[tuple[float, str]]] = {}

        async def one(uid: str) -> None:
            for ev in await self.src.calendar(uid, iso(self.start), iso(self.now)):
                mt = mp.event_to_meeting(ev, self.email_to_account)
                if mt is None:
                    continue
                old = meetings.get(mt.meeting_id)
                if old is not None:
                    # every invitee's copy lists the same people; union keeps any response we saw
                    merged = dict(old.invitees)
                    merged.update({k: v for k, v in mt.invitees if merged.get(k) in (None, "none")})
                    old.invitees = tuple(sorted(merged.items()))
                    continue
                meetings[mt.meeting_id] = mt
                url = mp.join_url(ev)
                key = mp.meeting_key(url)
                if url and key and mt.organizer_account_id in self.users_set:
                    online[url] = (mt.organizer_account_id or "", key)
                    occurrences.setdefault(key, []).append((mt.start_ts, mt.meeting_id))

        await self.each(self.users, one, "calendar")
        ordered = sorted(meetings.values(), key=lambda m: (m.start_ts, m.meeting_id))
        for i in range(0, len(ordered), BATCH):
            self.write(Page(SOURCE, "calendar", meetings=ordered[i : i + BATCH]))
        # only now may later steps point at these meetings
        self.meetings.update(meetings)
        self.online.update(online)
        for key, occ in occurrences.items():
            self.occurrences.setdefault(key, []).extend(occ)
        self.tick("calendar", len(ordered))

    def resolve(self, key: str | None, start: float | None, fallback: str) -> str:
        """The calendar occurrence a report or call record belongs to (nearest scheduled start)."""
        cands = self.occurrences.get(key or "", [])
        if start is not None and cands:
            best = min(cands, key=lambda c: abs(c[0] - start))
            if abs(best[0] - start) <= 12 * 3600:
                return best[1]
        return fallback

    async def do_callrecords(self) -> None:
        async for records in self.src.call_records(iso(self.start)):
            for rec in records:
                key = mp.meeting_key(text(rec, "joinWebUrl"))
                start = mp.ts(rec.get("startDateTime"))
                mid = self.resolve(key, start, calls.call_meeting_id(rec))
                self.presence.setdefault(mid, {}).update(calls.call_presence(rec))
                if mid not in self.meetings:
                    self.call_meetings[mid] = Meeting(
                        SOURCE,
                        mid,
                        calls.call_organizer(rec),
                        start or 0.0,
                        mp.ts(rec.get("endDateTime")) or 0.0,
                        True,
                    )
            self.tick("callrecords", len(records))

    async def do_attendance(self) -> None:
        rows: list[Attendance] = []
        covered: set[str] = set()  # meetings whose report rows wait in `rows`
        known = set(self.users) | set(self.users_set)

        def flush() -> None:
            self.write(Page(SOURCE, "attendance", attendance=rows[:]))
            # only reports that committed keep call records from filling in for them
            self.attended |= covered
            rows.clear()
            covered.clear()

        async def one(item: tuple[str, tuple[str, str]]) -> None:
            url, (organizer, key) = item
            for report, records in await self.src.attendance(organizer, url):
                start = mp.ts(report.get("meetingStartDateTime"))
                mid = self.resolve(key, start, mp.occurrence_id(key, start or 0.0))
                if mid not in self.meetings:
                    continue  # never stored (or not this run): nothing may point at it
                covered.add(mid)
                presence = self.presence.get(mid)
                for rec in records:
                    att = mp.attendance_to_record(
                        rec, mid, known_ids=known, account_by_email=self.email_to_account
                    )
                    ident = mp.attendance_identity(rec)
                    if ident and ident != att.account_id:
                        self.external_email[ident] = att.account_id
                    if presence is not None:
                        cp = presence.get(ident) if ident else None
                        cp = cp or presence.get(att.account_id)
                        att.video_on = cp.video if cp is not None else False
                        att.video_basis = cp.basis if cp is not None else None
                    rows.append(att)
                self.tick("attendance", len(records))
            if len(rows) >= BATCH:
                flush()

        ended = [(u, v) for u, v in self.online.items() if self._ended(v[1])]
        await self.each(sorted(ended), one, "attendance")
        if rows or covered:
            flush()

    def _ended(self, key: str) -> bool:
        return any(self.meetings[m].end_ts <= self.now for _, m in self.occurrences.get(key, []))

    def _call_account(self, uid: str, cp: calls.CallPresence) -> str:
        """This tenant's account id, else the email an external was invited and reported by."""
        if uid in self.users_set or not self.users_set:
            return uid
        if uid in self.external_email:
            return self.external_email[uid]
        if cp.upn:
            upn = cp.upn.lower()
            return self.email_to_account.get(upn, upn)
        return uid

    def write_call_presence(self) -> None:
        """Attendance from call records for meetings no attendance report covered (video per person).

        Each page carries whole meetings: a fallback meeting and the rows pointing at it commit together.
        """
        self.users_set = self.users_set or set(self.users)
        page_meetings: list[Meeting] = []
        page_rows: list[Attendance] = []
        for mid, people in sorted(self.presence.items()):
            if mid in self.attended:
                continue
            if mid not in self.meetings:
                page_meetings.append(self.call_meetings[mid])
            merged: dict[str, Attendance] = {}
            for uid, cp in sorted(people.items()):
                acc = self._call_account(uid, cp)
                old = merged.get(acc)
                if old is not None:  # one person behind two ids: add their time up
                    old.seconds += cp.seconds
                    old.video_on = bool(old.video_on or cp.video)
                    continue
                merged[acc] = Attendance(
                    SOURCE,
                    mid,
                    acc,
                    cp.seconds,
                    cp.first_ts,
                    cp.last_ts,
                    None,
                    cp.video,
                    cp.basis,
                )
            page_rows.extend(merged.values())
            if len(page_rows) >= BATCH or len(page_meetings) >= BATCH:
                self.write(
                    Page(SOURCE, "callrecords", meetings=page_meetings, attendance=page_rows)
                )
                page_meetings, page_rows = [], []
        if page_rows or page_meetings:
            self.write(Page(SOURCE, "callrecords", meetings=page_meetings, attendance=page_rows))


def iso(ts: float) -> str:
    """Graph filter timestamp (UTC, second precision)."""
    import datetime as dt

    return dt.datetime.fromtimestamp(ts, dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
