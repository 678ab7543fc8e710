"""Microsoft 365 resources through msgraph-sdk: users, Teams messages, calendars, attendance, call records, sign-ins.

Every collection is paged by hand on `odata_next_link` (PageIterator stops at the empty pages
Graph really returns and drops delta links). No database, no config files: the caller
(`commsignal.sources.m365`) owns cursors and writes.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from functools import partial
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from connectors.msgraph.client import GraphCaller, build_client
from connectors.msgraph.settings import GraphSettings

__all__ = ["GraphSettings", "GraphSource", "connect"]

USER_FIELDS = [
    "id",
    "displayName",
    "mail",
    "userPrincipalName",
    "department",
    "jobTitle",
    "usageLocation",
    "accountEnabled",
    "userType",  # Member or Guest (B2B); who is a person is decided in commsignal.store.kinds
    # identity evidence for joining directory, HR and login-log names (carried on Account)
    "onPremisesSamAccountName",
    "onPremisesDomainName",
    "employeeId",
]
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


class GraphSource:
    """Typed Graph pages for each resource; `requests` counts HTTP requests, retries included."""

    def __init__(self, client: Any, settings: GraphSettings) -> None:
        self.client = client
        self.settings = settings
        self.caller = GraphCaller(settings)
        self.requests = 0

    async def count_request(self, request: Any) -> None:
        """httpx request hook (httpx awaits hooks on its async client)."""
        self.requests += 1

    def rebase(self, link: str) -> str:
        """Point a stored nextLink/deltaLink at the configured host (a restarted fake, a proxy)."""
        old, new = urlsplit(link), urlsplit(self.settings.root_url)
        return urlunsplit((new.scheme, new.netloc, old.path, old.query, ""))

    async def _pages(
        self,
        resource: str,
        first: Callable[[], Awaitable[Any]],
        builder: Any,
        per_user: bool = False,
    ) -> AsyncIterator[Any]:
        page = await self.caller.call(first, resource, per_user=per_user)
        while page is not None:
            yield page
            link = page.odata_next_link
            if not link:
                return
            page = await self.caller.call(builder.with_url(link).get, resource, per_user=per_user)

    def absolute(self, link: str) -> str:
        """A nested next link as a request URL.

        Graph gives absolute URLs; a relative one is resolved against the API root, and the
        context-URL form Graph's own example shows (`.../v1.0/$metadata#communications/...`)
        becomes the path after `#`.
        """
        if "$metadata#" in link:
            link = link.split("$metadata#", 1)[1]
        if link.startswith("http://") or link.startswith("https://"):
            return link
        return f"{self.settings.api_url}/{link.lstrip('/')}"

    async def _rest_of(self, link: str | None, builder: Any, resource: str) -> list[Any]:
        """Every item behind a nested `<property>@odata.nextLink` (replies, sessions, segments)."""
        out: list[Any] = []
        link = self.absolute(link) if link else None
        while link:
            page = await self.caller.call(builder.with_url(link).get, resource)
            if page is None:
                break
            out.extend(page.value or [])
            link = page.odata_next_link
        return out

    async def users(self) -> AsyncIterator[list[Any]]:
        """Users a page at a time, each with `manager` expanded to its id."""
        from kiota_abstractions.base_request_configuration import RequestConfiguration
        from msgraph.generated.users.users_request_builder import UsersRequestBuilder

        q = UsersRequestBuilder.UsersRequestBuilderGetQueryParameters(
            select=USER_FIELDS,
            expand=["manager($select=id)"],
            top=min(999, self.settings.page_size * 4),
        )
        b = self.client.users
        async for page in self._pages(
            "users",
            lambda: b.get(request_configuration=RequestConfiguration(query_parameters=q)),
            b,
        ):
            yield list(page.value or [])

    async def mailbox_tz(self, uid: str) -> str | None:
        """Mailbox time zone (IANA or Windows name); None for users without a mailbox."""
        return (await self.mailbox(uid))[0]

    async def mailbox(self, uid: str) -> tuple[str | None, str | None]:
        """Mailbox time zone and `userPurpose` (user, shared, room, equipment...); Nones without a mailbox."""
        b = self.client.users.by_user_id(uid).mailbox_settings
        settings = await self.caller.call(b.get, "mailbox", missing_ok=True, per_user=True)
        if settings is None:
            return None, None
        purpose = settings.user_purpose
        return settings.time_zone, getattr(purpose, "value", purpose)

    async def chat_messages(self, uid: str, after: str, before: str) -> AsyncIterator[list[Any]]:
        """All chat messages of one user modified after `after` and before `before` (protected API, model B).

        getAllMessages documents `gt` and `lt` on lastModifiedDateTime (not `ge`): callers pass
        a lower bound a little before the last message they saw.
        """
        from kiota_abstractions.base_request_configuration import RequestConfiguration
        from msgraph.generated.users.item.chats.get_all_messages.get_all_messages_request_builder import (
            GetAllMessagesRequestBuilder,
        )

        q = GetAllMessagesRequestBuilder.GetAllMessagesRequestBuilderGetQueryParameters(
            model="B",
            top=min(50, self.settings.page_size),
            filter=f"lastModifiedDateTime gt {after} and lastModifiedDateTime lt {before}",
        )
        b = self.client.users.by_user_id(uid).chats.get_all_messages
        async for page in self._pages(
            "chats",
            lambda: b.get(request_configuration=RequestConfiguration(query_parameters=q)),
            b,
            per_user=True,
        ):
            yield list(page.value or [])

    async def channels(self) -> list[tuple[str, str, str | None]]:
        """(team id, channel id, channel name) for every team's channels."""
        out: list[tuple[str, str, str | None]] = []
        teams = self.client.teams
        async for page in self._pages("channels", teams.get, teams):
            for team in page.value or []:
                cb = self.client.teams.by_team_id(team.id).channels
                async for cpage in self._pages("channels", cb.get, cb):
                    out.extend((team.id, c.id, c.display_name) for c in cpage.value or [])
        return out

    async def channel_delta(
        self, team_id: str, channel_id: str, delta_link: str | None
    ) -> AsyncIterator[tuple[list[Any], str | None]]:
        """One delta round: (messages with replies expanded, deltaLink on the last page else None)."""
        from kiota_abstractions.base_request_configuration import RequestConfiguration
        from msgraph.generated.teams.item.channels.item.messages.delta.delta_request_builder import (
            DeltaRequestBuilder,
        )

        b = self.client.teams.by_team_id(team_id).channels.by_channel_id(channel_id).messages.delta
        if delta_link:
            link = self.rebase(delta_link)
            first: Callable[[], Awaitable[Any]] = lambda: b.with_url(link).get()  # noqa: E731
        else:
            q = DeltaRequestBuilder.DeltaRequestBuilderGetQueryParameters(
                top=min(50, self.settings.page_size), expand=["replies"]
            )
            first = lambda: b.get(request_configuration=RequestConfiguration(query_parameters=q))  # noqa: E731
        messages = self.client.teams.by_team_id(team_id).channels.by_channel_id(channel_id).messages
        async for page in self._pages("channels", first, b):
            items = list(page.value or [])
            for m in items:
                # a post with more replies than delta inlines links to the rest
                rest = (m.additional_data or {}).get("replies@odata.nextLink")
                if rest and m.id:
                    rb = messages.by_chat_message_id(m.id).replies
                    more = await self._rest_of(str(rest), rb, "channels")
                    seen = {r.id for r in m.replies or []}
                    m.replies = [*(m.replies or []), *(r for r in more if r.id not in seen)]
            yield items, page.odata_delta_link

    async def calendar(self, uid: str, start: str, end: str) -> list[Any]:
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
        out: list[Any] = []
        async for page in self._pages(
            "calendar", lambda: b.get(request_configuration=rc), b, per_user=True
        ):
            out.extend(page.value or [])
        return out

    async def attendance(self, organizer: str, join_url: str) -> list[tuple[Any, list[Any]]]:
        """(report, records) for every attendance report of the organizer's meeting with this join URL."""
        from kiota_abstractions.base_request_configuration import RequestConfiguration
        from msgraph.generated.users.item.online_meetings.online_meetings_request_builder import (
            OnlineMeetingsRequestBuilder,
        )

        q = OnlineMeetingsRequestBuilder.OnlineMeetingsRequestBuilderGetQueryParameters(
            filter="JoinWebUrl eq '{}'".format(join_url.replace("'", "''"))
        )
        mb = self.client.users.by_user_id(organizer).online_meetings
        found = await self.caller.call(
            lambda: mb.get(request_configuration=RequestConfiguration(query_parameters=q)),
            "attendance",
            per_user=True,
        )
        out: list[tuple[Any, list[Any]]] = []
        for meeting in (found.value or []) if found is not None else []:
            rb = mb.by_online_meeting_id(meeting.id).attendance_reports
            async for rpage in self._pages("attendance", rb.get, rb):
                for report in rpage.value or []:
                    recb = rb.by_meeting_attendance_report_id(report.id).attendance_records
                    records: list[Any] = []
                    async for page in self._pages("attendance", recb.get, recb):
                        records.extend(page.value or [])
                    out.append((report, records))
        return out

    async def call_records(self, start: str) -> AsyncIterator[list[Any]]:
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
        async for page in self._pages(
            "callrecords",
            lambda: b.get(request_configuration=RequestConfiguration(query_parameters=q)),
            b,
        ):
            full = []
            for rec in page.value or []:
                ib = b.by_call_record_id(rec.id)
                rc = RequestConfiguration(query_parameters=iq)
                got = await self.caller.call(
                    partial(ib.get, request_configuration=rc),
                    "callrecords",
                    missing_ok=True,  # expired between list and get (records live 30 days)
                )
                if got is not None:
                    await self._complete_sessions(got)
                    full.append(got)
            yield full

    async def _complete_sessions(self, rec: Any) -> None:
        """Follow `sessions@odata.nextLink` (60 sessions a page) and each session's segments link."""
        sb = self.client.communications.call_records.by_call_record_id(rec.id).sessions
        link = (rec.additional_data or {}).get("sessions@odata.nextLink")
        if link:
            seen = {s.id for s in rec.sessions or []}
            more = await self._rest_of(link, sb, "callrecords")
            rec.sessions = [*(rec.sessions or []), *(s for s in more if s.id not in seen)]
        for session in rec.sessions or []:
            if not session.id:
                continue
            segb = sb.by_session_id(session.id).segments
            seg_link = (session.additional_data or {}).get("segments@odata.nextLink")
            if session.segments is None:
                # a page of sessions that did not expand its segments: list them (media detail)
                first = await self.caller.call(segb.get, "callrecords", missing_ok=True)
                session.segments = list(first.value or []) if first is not None else []
                seg_link = first.odata_next_link if first is not None else None
            if seg_link:
                more = await self._rest_of(seg_link, segb, "callrecords")
                session.segments = [*(session.segments or []), *more]

    async def signins(self, since: str) -> AsyncIterator[list[Any]]:
        """Sign-ins created at or after `since`, newest first (Graph's order)."""
        from kiota_abstractions.base_request_configuration import RequestConfiguration
        from msgraph.generated.audit_logs.sign_ins.sign_ins_request_builder import (
            SignInsRequestBuilder,
        )

        q = SignInsRequestBuilder.SignInsRequestBuilderGetQueryParameters(
            filter=f"createdDateTime ge {since}", top=min(1000, self.settings.page_size * 4)
        )
        b = self.client.audit_logs.sign_ins
        async for page in self._pages(
            "signins",
            lambda: b.get(request_configuration=RequestConfiguration(query_parameters=q)),
            b,
        ):
            yield list(page.value or [])


@asynccontextmanager
async def connect(settings: GraphSettings) -> AsyncIterator[GraphSource]:
    """A GraphSource for these settings; closes the credential on exit."""
    holder: list[GraphSource] = []

    async def hook(request: Any) -> None:
        await holder[0].count_request(request)

    client, credential = build_client(settings, on_request=hook)
    source = GraphSource(client, settings)
    holder.append(source)
    try:
        yield source
    finally:
        await credential.close()
