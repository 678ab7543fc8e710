"""Calendars, attendance reports and call records through msgraph-sdk, as JSON dicts.

Part of `GraphSource`, kept apart for size: these reads follow nested collections (reports
and their records, call records with their sessions and segments) as well as next links.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from typing import TYPE_CHECKING, Any

from connectors.msgraph.fields import Json, children, link, text

if TYPE_CHECKING:
    from connectors.msgraph.client import GraphCaller
    from connectors.msgraph.settings import GraphSettings

EVENT_FIELDS = [
    "id",
    "iCalUId",
    "subject",
    "start",
    "end",
    "attendees",
    "organizer",
    "isOnlineMeeting",
    "onlineMeeting",
    "onlineMeetingProvider",
    "isCancelled",
    "type",
]


class MeetingReads:
    """`calendar`, `attendance` and `call_records` for GraphSource, which provides the rest."""

    client: Any
    settings: GraphSettings
    caller: GraphCaller

    def _get(self, builder: Any, config: Any = None) -> Callable[[], Awaitable[Json | None]]:
        raise NotImplementedError

    def _pages(
        self,
        resource: str,
        first: Callable[[], Awaitable[Json | None]],
        builder: Any,
        per_user: bool = False,
    ) -> AsyncIterator[Json]:
        raise NotImplementedError

    async def _rest_of(self, first: str | None, builder: Any, resource: str) -> list[Json]:
        raise NotImplementedError

    async def calendar(self, uid: str, start: str, end: str) -> list[Json]:
        """Every event (occurrences expanded) of one user overlapping [start, end), times in UTC."""
        from kiota_abstractions.base_request_configuration import RequestConfiguration
        from msgraph.generated.users.item.calendar_view.calendar_view_request_builder import (
            CalendarViewRequestBuilder,
        )

        q = CalendarViewRequestBuilder.CalendarViewRequestBuilderGetQueryParameters(
            start_date_time=start,
            end_date_time=end,
            select=EVENT_FIELDS,
            top=self.settings.page_size,
        )
        rc = RequestConfiguration(query_parameters=q)
        rc.headers.add("Prefer", 'outlook.timezone="UTC"')
        b = self.client.users.by_user_id(uid).calendar_view
        out: list[Json] = []
        async for page in self._pages("calendar", self._get(b, rc), b, per_user=True):
            out.extend(children(page, "value") or [])
        return out

    async def attendance(self, organizer: str, join_url: str) -> list[tuple[Json, list[Json]]]:
        """(report, records) for every attendance report of the organizer's meeting with this join URL."""
        from kiota_abstractions.base_request_configuration import RequestConfiguration
        from msgraph.generated.users.item.online_meetings.online_meetings_request_builder import (
            OnlineMeetingsRequestBuilder,
        )

        q = OnlineMeetingsRequestBuilder.OnlineMeetingsRequestBuilderGetQueryParameters(
            filter="JoinWebUrl eq '{}'".format(join_url.replace("'", "''"))
        )
        mb = self.client.users.by_user_id(organizer).online_meetings
        rc = RequestConfiguration(query_parameters=q)
        found = await self.caller.call(self._get(mb, rc), "attendance", per_user=True)
        out: list[tuple[Json, list[Json]]] = []
        for meeting in children(found, "value") or []:
            rb = mb.by_online_meeting_id(str(text(meeting, "id"))).attendance_reports
            async for rpage in self._pages("attendance", self._get(rb), rb):
                for report in children(rpage, "value") or []:
                    recb = rb.by_meeting_attendance_report_id(
                        str(text(report, "id"))
                    ).attendance_records
                    records: list[Json] = []
                    async for page in self._pages("attendance", self._get(recb), recb):
                        records.extend(children(page, "value") or [])
                    out.append((report, records))
        return out

    async def call_records(self, start: str) -> AsyncIterator[list[Json]]:
        """Call records that started at or after `start`, each fetched with sessions and segments."""
        from kiota_abstractions.base_request_configuration import RequestConfiguration
        from msgraph.generated.communications.call_records.call_records_request_builder import (
            CallRecordsRequestBuilder,
        )
        from msgraph.generated.communications.call_records.item.call_record_item_request_builder import (
            CallRecordItemRequestBuilder,
        )

        q = CallRecordsRequestBuilder.CallRecordsRequestBuilderGetQueryParameters(
            filter=f"startDateTime ge {start}"
        )
        b = self.client.communications.call_records
        iq = CallRecordItemRequestBuilder.CallRecordItemRequestBuilderGetQueryParameters(
            expand=["sessions($expand=segments)"]
        )
        rc = RequestConfiguration(query_parameters=q)
        async for page in self._pages("callrecords", self._get(b, rc), b):
            full = []
            for rec in children(page, "value") or []:
                ib = b.by_call_record_id(str(text(rec, "id")))
                got = await self.caller.call(
                    self._get(ib, RequestConfiguration(query_parameters=iq)),
                    "callrecords",
                    missing_ok=True,  # expired between list and get (records live 30 days)
                )
                if got is not None:
                    await self._complete_sessions(got)
                    full.append(got)
            yield full

    async def _complete_sessions(self, rec: Json) -> None:
        """Follow `sessions@odata.nextLink` (60 sessions a page) and each session's segments link."""
        rec_id = str(text(rec, "id"))
        sb = self.client.communications.call_records.by_call_record_id(rec_id).sessions
        more_sessions = link(rec, "sessions@odata.nextLink")
        if more_sessions:
            inlined = children(rec, "sessions") or []
            seen = {text(s, "id") for s in inlined}
            more = await self._rest_of(more_sessions, sb, "callrecords")
            rec["sessions"] = [*inlined, *(s for s in more if text(s, "id") not in seen)]
        for session in children(rec, "sessions") or []:
            sid = text(session, "id")
            if not sid:
                continue
            segb = sb.by_session_id(sid).segments
            seg_link = link(session, "segments@odata.nextLink")
            if children(session, "segments") is None:
                # a page of sessions that did not expand its segments: list them (media detail)
                first = await self.caller.call(self._get(segb), "callrecords", missing_ok=True)
                session["segments"] = children(first, "value") or []
                seg_link = link(first)
            if seg_link:
                more = await self._rest_of(seg_link, segb, "callrecords")
                session["segments"] = [*(children(session, "segments") or []), *more]
