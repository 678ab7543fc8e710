"""Microsoft 365 resources through msgraph-sdk: users, Teams messages, calendars, attendance, call records, sign-ins.

The SDK's request builders build every request and its adapter sends it (auth, retry, redirect,
error mapping); bodies come back as plain JSON dicts (`raw.get_json`) that `mapping` turns into
records. Every collection is paged by hand on `@odata.nextLink` (PageIterator stops at the
empty pages Graph really returns and drops delta links). No database, no config files: the
caller (`commsignal.sources.m365`) owns cursors and writes.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from functools import partial
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from connectors.msgraph.client import GraphCaller, build_client
from connectors.msgraph.fields import Json, children, enum, link, text
from connectors.msgraph.meetings import MeetingReads
from connectors.msgraph.raw import error_mapping, get_json
from connectors.msgraph.settings import GraphSettings

__all__ = ["GraphSettings", "GraphSource", "connect"]

# mailboxSettings.userPurpose members (Graph v1.0 metadata; msgraph's UserPurpose holds the same)
USER_PURPOSES = frozenset(
    {"user", "linked", "shared", "room", "equipment", "others", "unknownFutureValue"}
)

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


class GraphSource(MeetingReads):
    """Graph pages for each resource as JSON dicts; `requests` counts HTTP requests, retries included."""

    def __init__(self, client: Any, settings: GraphSettings) -> None:
        self.client = client
        self.settings = settings
        self.caller = GraphCaller(settings)
        self.requests = 0
        self._errors = error_mapping()

    async def count_request(self, request: Any) -> None:
        """httpx request hook (httpx awaits hooks on its async client)."""
        self.requests += 1

    def rebase(self, link: str) -> str:
        """Point a stored nextLink/deltaLink at the configured host (a restarted fake, a proxy)."""
        old, new = urlsplit(link), urlsplit(self.settings.root_url)
        return urlunsplit((new.scheme, new.netloc, old.path, old.query, ""))

    def _get(self, builder: Any, config: Any = None) -> Callable[[], Awaitable[Json | None]]:
        """A re-invocable GET of `builder` (the caller retries it) answering a JSON dict."""
        return partial(get_json, builder, config, errors=self._errors)

    async def _pages(
        self,
        resource: str,
        first: Callable[[], Awaitable[Json | None]],
        builder: Any,
        per_user: bool = False,
    ) -> AsyncIterator[Json]:
        page = await self.caller.call(first, resource, per_user=per_user)
        while page is not None:
            yield page
            nxt = link(page)
            if not nxt:
                return
            page = await self.caller.call(
                self._get(builder.with_url(nxt)), resource, per_user=per_user
            )

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

    async def _rest_of(self, first: str | None, builder: Any, resource: str) -> list[Json]:
        """Every item behind a nested `<property>@odata.nextLink` (replies, sessions, segments)."""
        out: list[Json] = []
        nxt = self.absolute(first) if first else None
        while nxt:
            page = await self.caller.call(self._get(builder.with_url(nxt)), resource)
            if page is None:
                break
            out.extend(children(page, "value") or [])
            nxt = link(page)
        return out

    async def users(self) -> AsyncIterator[list[Json]]:
        """Users a page at a time, each with `manager` expanded to its id."""
        from kiota_abstractions.base_request_configuration import RequestConfiguration
        from msgraph.generated.users.users_request_builder import UsersRequestBuilder

        q = UsersRequestBuilder.UsersRequestBuilderGetQueryParameters(
            select=USER_FIELDS,
            expand=["manager($select=id)"],
            top=min(999, self.settings.page_size * 4),
        )
        b = self.client.users
        rc = RequestConfiguration(query_parameters=q)
        async for page in self._pages("users", self._get(b, rc), b):
            yield children(page, "value") or []

    async def mailbox_tz(self, uid: str) -> str | None:
        """Mailbox time zone (IANA or Windows name); None for users without a mailbox."""
        return (await self.mailbox(uid))[0]

    async def mailbox(self, uid: str) -> tuple[str | None, str | None]:
        """Mailbox time zone and `userPurpose` (user, shared, room, equipment...); Nones without a mailbox."""
        b = self.client.users.by_user_id(uid).mailbox_settings
        found = await self.caller.call(self._get(b), "mailbox", missing_ok=True, per_user=True)
        if found is None:
            return None, None
        return text(found, "timeZone"), enum(found, "userPurpose", USER_PURPOSES)

    async def chat_messages(self, uid: str, after: str, before: str) -> AsyncIterator[list[Json]]:
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
        rc = RequestConfiguration(query_parameters=q)
        async for page in self._pages("chats", self._get(b, rc), b, per_user=True):
            yield children(page, "value") or []

    async def channels(self) -> list[tuple[str, str, str | None]]:
        """(team id, channel id, channel name) for every team's channels."""
        out: list[tuple[str, str, str | None]] = []
        teams = self.client.teams
        async for page in self._pages("channels", self._get(teams), teams):
            for team in children(page, "value") or []:
                team_id = str(text(team, "id"))
                cb = self.client.teams.by_team_id(team_id).channels
                async for cpage in self._pages("channels", self._get(cb), cb):
                    out.extend(
                        (team_id, str(text(c, "id")), text(c, "displayName"))
                        for c in children(cpage, "value") or []
                    )
        return out

    async def channel_delta(
        self, team_id: str, channel_id: str, delta_link: str | None
    ) -> AsyncIterator[tuple[list[Json], str | None]]:
        """One delta round: (messages with replies expanded, deltaLink on the last page else None)."""
        from kiota_abstractions.base_request_configuration import RequestConfiguration
        from msgraph.generated.teams.item.channels.item.messages.delta.delta_request_builder import (
            DeltaRequestBuilder,
        )

        b = self.client.teams.by_team_id(team_id).channels.by_channel_id(channel_id).messages.delta
        if delta_link:
            first = self._get(b.with_url(self.rebase(delta_link)))
        else:
            q = DeltaRequestBuilder.DeltaRequestBuilderGetQueryParameters(
                top=min(50, self.settings.page_size), expand=["replies"]
            )
            first = self._get(b, RequestConfiguration(query_parameters=q))
        messages = self.client.teams.by_team_id(team_id).channels.by_channel_id(channel_id).messages
        async for page in self._pages("channels", first, b):
            items = children(page, "value") or []
            for m in items:
                # a post with more replies than delta inlines links to the rest
                rest = link(m, "replies@odata.nextLink")
                mid = text(m, "id")
                if rest and mid:
                    rb = messages.by_chat_message_id(mid).replies
                    more = await self._rest_of(rest, rb, "channels")
                    inlined = children(m, "replies") or []
                    seen = {text(r, "id") for r in inlined}
                    m["replies"] = [*inlined, *(r for r in more if text(r, "id") not in seen)]
            yield items, link(page, "@odata.deltaLink")

    async def signins(self, since: str) -> AsyncIterator[list[Json]]:
        """Sign-ins created at or after `since`, newest first (Graph's order)."""
        from kiota_abstractions.base_request_configuration import RequestConfiguration
        from msgraph.generated.audit_logs.sign_ins.sign_ins_request_builder import (
            SignInsRequestBuilder,
        )

        q = SignInsRequestBuilder.SignInsRequestBuilderGetQueryParameters(
            filter=f"createdDateTime ge {since}", top=min(1000, self.settings.page_size * 4)
        )
        b = self.client.audit_logs.sign_ins
        rc = RequestConfiguration(query_parameters=q)
        async for page in self._pages("signins", self._get(b, rc), b):
            yield children(page, "value") or []


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
