"""A loopback fake Microsoft Graph v1.0 serving a simulated World in Graph's real JSON shapes.

The real msgraph-sdk client is pointed at it (demo and tests), so paging, delta links, throttling
and the permission/licence errors a tenant really returns are all exercised without a tenant.
It also behaves as Graph's documentation describes where a sync most easily goes wrong: dropped,
reset and stalled connections; users without a mailbox or Teams licence, disabled users; replies
past the inlined ones and call-record sessions past 60 behind nested next links; media streams
that say who sent video; rooms, externals, appointments, ad-hoc calls; UPNs that are not the mail.
"""

from __future__ import annotations

import random
import re
import socket
import struct
import time
import uuid
from collections import Counter, OrderedDict
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, unquote, urlencode, urlsplit

from commsignal.demo.fake_graph_meetings import GraphError
from commsignal.demo.fake_graph_render import Renderer, iso, parse_iso
from commsignal.demo.loopback import JsonHandler, LoopbackServer
from commsignal.demo.world import SimMessage, World

CACHED_COLLECTIONS = 64

PROTECTED_API_MESSAGE = (
    "Invoked API requires Protected API access in application-only context when not using "
    "Resource Specific Consent. Visit https://docs.microsoft.com/en-us/graph/teams-protected-apis "
    "for more details."
)
NO_PREMIUM_MESSAGE = "Neither tenant is B2C or tenant doesn't have premium license"
DENIED_MESSAGE = "Insufficient privileges to complete the operation."
# fault "statuses" that are not HTTP answers: the connection closes with no response at all, or is
# reset (RST); clients see "Server disconnected without sending a response" / a connection reset
DROP = 0
RESET = -1
STALL = (
    -2
)  # answer nothing for `Faults.stall_s`, then drop: a client with a shorter timeout times out


@dataclass(slots=True)
class ScriptedFault:
    """Answer requests whose path contains `path` with this status and error (`times` None = always)."""

    path: str
    status: int
    code: str
    message: str
    retry_after: int | None = None
    times: int | None = None


@dataclass(slots=True)
class Faults:
    """Random faults (seeded) plus scripted errors; random faults never hit one URL > `max_consecutive` times in a row.

    `statuses` draws from HTTP statuses (429, 503, 504 with Retry-After) and DROP / RESET, which
    close the connection without answering.
    """

    fault_rate: float = 0.0
    seed: int = 7
    retry_after: tuple[int, ...] = (0, 1)
    statuses: tuple[int, ...] = (429, 503)
    max_consecutive: int = 2
    scripted: list[ScriptedFault] = field(default_factory=list)
    stall_s: float = 1.0

    @staticmethod
    def denied(path: str) -> ScriptedFault:
        """403 a tenant returns when the app lacks the permission (or admin consent)."""
        return ScriptedFault(path, 403, "Authorization_RequestDenied", DENIED_MESSAGE)

    @staticmethod
    def no_premium() -> ScriptedFault:
        """403 /auditLogs/signIns returns without Microsoft Entra ID P1/P2."""
        return ScriptedFault(
            "/auditLogs/signIns",
            403,
            "Authentication_RequestFromNonPremiumTenantOrB2CTenant",
            NO_PREMIUM_MESSAGE,
        )

    @staticmethod
    def protected_api(path: str = "/chats/getAllMessages") -> ScriptedFault:
        """403 for Teams protected APIs before Microsoft approved the app's access request."""
        return ScriptedFault(path, 403, "Forbidden", PROTECTED_API_MESSAGE)

    @staticmethod
    def unauthorized(path: str = "/") -> ScriptedFault:
        """401 for an invalid, expired or wrong-audience token."""
        return ScriptedFault(
            path,
            401,
            "InvalidAuthenticationToken",
            "Access token validation failure. Invalid audience.",
        )

    @staticmethod
    def long_throttle(path: str, retry_after: int = 600, times: int | None = None) -> ScriptedFault:
        """429 with a Retry-After the SDK's retry middleware refuses to wait for (>= 180 s)."""
        return ScriptedFault(
            path, 429, "TooManyRequests", "Too many requests.", retry_after=retry_after, times=times
        )


class _Handler(JsonHandler):
    fake: FakeGraph
    protocol_version = "HTTP/1.1"
    content_type = "application/json; odata.metadata=minimal"

    def setup(self) -> None:
        super().setup()
        # headers and body go out as separate writes: without this, Nagle + delayed ACK add 40 ms each
        self.request.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def do_GET(self) -> None:  # noqa: N802 - stdlib naming
        parts = urlsplit(self.path)
        path = unquote(parts.path)
        query = {k: v[0] for k, v in parse_qs(parts.query, keep_blank_values=True).items()}
        fake = self.fake
        with fake._lock:
            fake.requests[path] += 1
            auth = self.headers.get("Authorization")
            if auth:
                fake.auth_headers.add(auth)
        if fake.latency_s:
            time.sleep(fake.latency_s)
        fault = fake._fault(path, self.path)
        if fault is not None and fault[0] in (DROP, RESET, STALL):
            if fault[0] == STALL:
                time.sleep(fake.faults.stall_s)
            self._drop(reset=fault[0] == RESET)
            return
        if fault is not None:
            self._reply(*fault)
            return
        if not path.startswith("/v1.0/"):
            self._reply(404, _error("NotFound", "Unknown API version"), {})
            return
        try:
            with fake._lock:
                status, body = route(fake, path[len("/v1.0") :], query, parts.query)
        except Exception as exc:  # a fake bug must surface as a 500, not a dropped connection
            status, body = 500, _error("InternalServerError", f"fake graph: {exc!r}")
        self._reply(status, body, {})

    def _drop(self, reset: bool) -> None:
        """Close the connection without a response (a reset sends RST instead of FIN)."""
        self.close_connection = True
        if reset:
            self.request.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.request.close()


class FakeGraph(LoopbackServer):
    """Context manager running the fake on 127.0.0.1 (random port) in a background thread."""

    handler = _Handler

    def __init__(
        self,
        world: World,
        faults: Faults | None = None,
        empty_pages: bool = True,
        latency_s: float = 0.0,
        replies_inline: int = 1000,
        sessions_page: int = 60,
        media_detail: bool = True,
        sessions_link_expand: bool = True,
    ) -> None:
        """Serve `world`.

        Args:
            world: the simulated tenant.
            faults: random and scripted faults.
            empty_pages: serve an empty page (with a nextLink) at every third page boundary.
            latency_s: sleep before each answer.
            replies_inline: replies inlined per channel post before `replies@odata.nextLink`
                (Graph documents 1000).
            sessions_page: sessions inlined per call record and per page of
                `sessions@odata.nextLink` (Graph documents 60).
            media_detail: give call-record segments their media streams (who sent what).
            sessions_link_expand: `sessions@odata.nextLink` keeps `$expand=segments` (as Graph's
                example); False leaves segments to be listed per session.
        """
        super().__init__()
        self.world = world
        self.latency_s = latency_s
        self.faults = faults or Faults()
        self.empty_pages = empty_pages
        self.auth_headers: set[str] = set()
        self.faults_served = 0
        self._rng = random.Random(self.faults.seed)
        self._consecutive: Counter[str] = Counter()
        self._script_hits: Counter[int] = Counter()
        # collections being paged right now; a client pages a handful at once, so a short LRU
        # keeps memory flat on a 2,000-person tenant (4,096 whole collections once took 3 GB)
        self._cache: OrderedDict[tuple[str, tuple[tuple[str, str], ...]], tuple[int, Any]] = (
            OrderedDict()
        )
        self.render = Renderer(world, replies_inline, sessions_page, media_detail)
        self.render.sessions_link_expand = sessions_link_expand

    @property
    def base_url(self) -> str:
        """Graph's root for this fake (no trailing slash); "" until first started."""
        return self.root_url

    # test hooks: change the tenant between delta rounds
    def add_message(self, msg: SimMessage, now: float | None = None) -> None:
        """Post a new message (channel or chat)."""
        with self._lock:
            self.render.messages.add(msg, now)

    def edit_message(self, message_id: str, text: str, now: float) -> None:
        """Edit a message's text; it reappears in delta and getAllMessages windows."""
        with self._lock:
            self.render.messages.edit(message_id, text, now)

    def remove_message(self, message_id: str, now: float) -> None:
        """Delete a message: `@removed` in channel delta, `deletedDateTime` elsewhere."""
        with self._lock:
            self.render.messages.remove(message_id, now)

    def _fault(self, path: str, key: str) -> tuple[int, dict[str, Any], dict[str, str]] | None:
        with self._lock:
            for i, s in enumerate(self.faults.scripted):
                if s.path in path and (s.times is None or self._script_hits[i] < s.times):
                    self._script_hits[i] += 1
                    self.faults_served += 1
                    headers = (
                        {"Retry-After": str(s.retry_after)} if s.retry_after is not None else {}
                    )
                    return s.status, _error(s.code, s.message), headers
            if (
                self.faults.fault_rate
                and self._rng.random() < self.faults.fault_rate
                and self._consecutive[key] < self.faults.max_consecutive
            ):
                self._consecutive[key] += 1
                self.faults_served += 1
                status = self._rng.choice(self.faults.statuses)
                wait = self._rng.choice(self.faults.retry_after)
                code = {429: "TooManyRequests", 504: "GatewayTimeout"}.get(
                    status, "ServiceUnavailable"
                )
                return status, _error(code, "Please retry later."), {"Retry-After": str(wait)}
            self._consecutive[key] = 0
        return None


def _error(code: str, message: str) -> dict[str, Any]:
    return {
        "error": {
            "code": code,
            "message": message,
            "innerError": {"date": "2026-01-01T00:00:00", "request-id": str(uuid.uuid4())},
        }
    }


_ROUTES: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"^/users$"), "users"),
    (re.compile(r"^/users/([^/]+)/manager$"), "manager"),
    (re.compile(r"^/users/([^/]+)/mailboxSettings$"), "mailbox"),
    (re.compile(r"^/users/([^/]+)/chats/getAllMessages(?:\(\))?$"), "chat_messages"),
    (re.compile(r"^/teams$"), "teams"),
    (re.compile(r"^/teams/([^/]+)/channels$"), "team_channels"),
    (re.compile(r"^/teams/([^/]+)/channels/([^/]+)/messages/delta(?:\(\))?$"), "delta"),
    (re.compile(r"^/teams/([^/]+)/channels/([^/]+)/messages/([^/]+)/replies$"), "replies"),
    (re.compile(r"^/users/([^/]+)/calendarView$"), "calendar"),
    (re.compile(r"^/users/([^/]+)/onlineMeetings$"), "online_meetings"),
    (re.compile(r"^/users/([^/]+)/onlineMeetings/([^/]+)/attendanceReports$"), "reports"),
    (
        re.compile(
            r"^/users/([^/]+)/onlineMeetings/([^/]+)/attendanceReports/([^/]+)/attendanceRecords$"
        ),
        "records",
    ),
    (re.compile(r"^/communications/callRecords$"), "call_records"),
    (re.compile(r"^/communications/callRecords/([^/]+)$"), "call_record"),
    (re.compile(r"^/communications/callRecords/([^/]+)/sessions$"), "sessions"),
    (re.compile(r"^/communications/callRecords/([^/]+)/sessions/([^/]+)/segments$"), "segments"),
    (re.compile(r"^/auditLogs/signIns$"), "signins"),
]


def route(
    fake: FakeGraph, path: str, q: dict[str, str], raw_query: str
) -> tuple[int, dict[str, Any]]:
    """Dispatch one GET to the renderer and page its collection; (status, JSON body)."""
    r = fake.render
    r.base_url = fake.base_url
    for pattern, name in _ROUTES:
        m = pattern.match(path)
        if not m:
            continue
        args = m.groups()
        # a paged collection is rendered once and sliced per page, until the tenant changes
        key = (path, tuple(sorted((k, v) for k, v in q.items() if k != "$skiptoken")))
        cached = fake._cache.get(key)  # route runs under the fake's lock
        if cached is not None:
            fake._cache.move_to_end(key)
        if cached is not None and cached[0] == r.messages.version:
            result: Any = cached[1]
        else:
            try:
                result = getattr(r, name)(*args, q)
            except GraphError as err:
                return err.status, _error(err.code, err.message)
            if isinstance(result, list | tuple):
                fake._cache[key] = (r.messages.version, result)
                while len(fake._cache) > CACHED_COLLECTIONS:
                    fake._cache.popitem(last=False)
        if result is None:
            return 404, _error(
                "Request_ResourceNotFound",
                f"Resource '{args[0] if args else path}' does not exist.",
            )
        if isinstance(result, dict):
            return 200, result
        if name == "delta":
            items, delta_token = result
            return 200, _page(fake, path, q, items, default_top=50, delta_token=delta_token)
        top = r.sessions_page if name == "sessions" else _DEFAULT_TOP.get(name, 100)
        return 200, _page(fake, path, q, result, default_top=top)
    return 404, _error("NotFound", f"No fake route for {path}")


_DEFAULT_TOP = {"users": 100, "chat_messages": 50, "signins": 1000, "calendar": 10, "replies": 50}


def _page(
    fake: FakeGraph,
    path: str,
    q: dict[str, str],
    items: list[dict[str, Any]],
    default_top: int,
    delta_token: str | None = None,
) -> dict[str, Any]:
    """Slice one page; `$skiptoken` e<N> is an empty page that still links on (Graph does that)."""
    top = max(1, int(q.get("$top") or default_top))
    token = q.get("$skiptoken", "o0")
    offset = int(token[1:])
    base = {k: v for k, v in q.items() if k != "$skiptoken"}
    link = lambda t: f"{fake.base_url}/v1.0{path}?" + urlencode({**base, "$skiptoken": t})  # noqa: E731
    if token.startswith("e"):
        return {"value": [], "@odata.nextLink": link(f"o{offset}")}
    chunk = items[offset : offset + top]
    body: dict[str, Any] = {"value": chunk}
    end = offset + len(chunk)
    if end < len(items):
        # every third page boundary serves an empty page first, like getAllMessages and signIns do
        empty_next = fake.empty_pages and (offset // top) % 3 == 0
        body["@odata.nextLink"] = link(("e" if empty_next else "o") + str(end))
    elif delta_token is not None:
        body["@odata.deltaLink"] = f"{fake.base_url}/v1.0{path}?" + urlencode(
            {"$deltatoken": delta_token}
        )
    return body


__all__ = [
    "DROP",
    "RESET",
    "FakeGraph",
    "Faults",
    "GraphError",
    "ScriptedFault",
    "iso",
    "parse_iso",
]
