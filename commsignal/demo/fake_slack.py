"""A loopback fake of the Slack Web and Audit Logs APIs, serving a simulated `World` in Slack's shapes.

The demo and the tests point the real slack_sdk clients at it, so the connector code that runs here
is the code that runs against slack.com. Faults (429, 5xx, dropped connections, `ratelimited`) are
injected from a seeded RNG so a flaky run can be replayed.
"""

from __future__ import annotations

import base64
import contextlib
import json
import random
import socket
import threading
import time
from bisect import bisect_left, bisect_right
from collections import Counter
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any
from urllib.parse import parse_qs, urlsplit

from commsignal.demo.world import SimChannel, SimLogin, SimMessage, SimPerson, World

FAULT_KINDS = ("429", "500", "503", "drop", "ratelimited")
_HISTORY_SCOPE = {
    "public_channel": "channels",
    "private_channel": "groups",
    "mpim": "mpim",
    "im": "im",
}
ALL_SCOPES = frozenset(
    {"users:read", "users:read.email", "admin"}
    | {f"{p}:{v}" for p in _HISTORY_SCOPE.values() for v in ("read", "history")}
)


@dataclass(slots=True)
class Faults:
    """Which failures to inject: a share of calls, drawn from `kinds` by a seeded RNG."""

    fault_rate: float = 0.0
    seed: int = 0
    retry_after: int = 0
    kinds: tuple[str, ...] = FAULT_KINDS
    methods: frozenset[str] | None = None


def ts_str(ts: float) -> str:
    """Slack's wire form of a timestamp: seconds with exactly six decimals."""
    return f"{ts:.6f}"


def _key(ts: str) -> str:
    # zero-padded so plain string order is time order, without float rounding at microseconds
    sec, _, frac = ts.partition(".")
    return f"{int(sec):011d}.{(frac + '000000')[:6]}"


def _enc(prefix: str, value: str | int) -> str:
    return base64.b64encode(f"{prefix}:{value}".encode()).decode()


def _dec(cursor: str) -> str:
    try:
        return base64.b64decode(cursor.encode()).decode().split(":", 1)[1]
    except (ValueError, IndexError) as exc:
        raise _ApiError("invalid_cursor") from exc


class _ApiError(Exception):
    def __init__(self, error: str, **extra: Any) -> None:
        super().__init__(error)
        self.body: dict[str, Any] = {"ok": False, "error": error, **extra}


@dataclass(slots=True)
class _Channel:
    info: dict[str, Any]
    kind: str
    keys: list[str] = field(default_factory=list)  # top-level message keys, ascending
    top: list[dict[str, Any]] = field(default_factory=list)


class FakeSlack:
    """Serve a World as Slack on 127.0.0.1 from a background thread; use as a context manager.

    Args:
        world: the simulated organisation; only Slack channels and people on Slack are served.
        token: the bot token the server accepts (anything else gets `invalid_auth`).
        audit_token: the org-owner token the Audit Logs API accepts.
        faults: random failures to inject.
        scopes: scopes the token was granted; a call needing another gets `missing_scope`.
        not_in_channel: channel ids whose history answers `not_in_channel`.
        paid_only: make `team.accessLogs` answer `paid_only` (a free workspace).
        enterprise: serve the Audit Logs API (Enterprise Grid only on real Slack).
        latency: seconds to wait before answering each request (to make a sync slow enough to kill).
    """

    def __init__(
        self,
        world: World,
        *,
        token: str = "xoxb-fake-token",
        audit_token: str = "xoxp-fake-audit-token",
        faults: Faults | None = None,
        scopes: frozenset[str] | None = None,
        not_in_channel: frozenset[str] = frozenset(),
        paid_only: bool = False,
        enterprise: bool = True,
        latency: float = 0.0,
    ) -> None:
        self.token, self.audit_token = token, audit_token
        self.faults = faults or Faults()
        self.scopes = ALL_SCOPES if scopes is None else scopes
        self.not_in_channel = set(not_in_channel)
        self.paid_only, self.enterprise = paid_only, enterprise
        self.latency = latency
        self.requests: Counter[str] = Counter()
        self.faults_injected: Counter[str] = Counter()
        self._rng = random.Random(self.faults.seed)
        self._lock = threading.Lock()
        self._slack_id = {p.key: p.slack_id for p in [*world.people, *world.bots]}
        self._bots = {b.key for b in world.bots}
        self.users = self._users(world)
        self.channels: dict[str, _Channel] = {}
        for c in world.channels:
            if c.platform == "slack":
                self.channels[c.id] = _Channel(
                    self._channel_info(c.id, c.kind, c.name, c.members), c.kind
                )
        self.replies: dict[tuple[str, str], list[dict[str, Any]]] = {}
        for m in sorted((m for m in world.messages if m.platform == "slack"), key=lambda m: m.ts):
            self.add_message(m)
        self.logins = [lg for lg in world.logins if lg.source == "slack"]
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # ---- the data -------------------------------------------------------------------------

    def _users(self, world: World) -> list[dict[str, Any]]:
        out = [
            {
                "id": "USLACKBOT",
                "team_id": "T0FAKE",
                "name": "slackbot",
                "real_name": "Slackbot",
                "deleted": False,
                "is_bot": False,  # as on real Slack: Slackbot is not flagged as a bot
                "is_restricted": False,
                "tz": "America/Los_Angeles",
                "profile": {"real_name": "Slackbot", "display_name": "Slackbot", "email": None},
            }
        ]
        for p in world.people:
            if p.on_slack:
                out.append(
                    {
                        "id": p.slack_id,
                        "team_id": "T0FAKE",
                        "name": p.email.split("@", 1)[0],
                        "real_name": p.name,
                        "deleted": False,
                        "is_bot": False,
                        "is_restricted": False,
                        "tz": p.declared_tz,
                        "profile": {
                            "real_name": p.name,
                            "display_name": p.name,
                            "email": p.email,
                            "title": p.title,
                        },
                    }
                )
        for b in world.bots:
            out.append(
                {
                    "id": b.slack_id,
                    "team_id": "T0FAKE",
                    "name": b.key,
                    "real_name": b.name,
                    "deleted": False,
                    "is_bot": True,
                    "is_restricted": False,
                    "profile": {"real_name": b.name, "bot_id": "B" + b.slack_id[1:]},
                }
            )
        return out

    @staticmethod
    def _channel_info(cid: str, kind: str, name: str | None, members: list[str]) -> dict[str, Any]:
        return {
            "id": cid,
            "name": name if kind in ("public_channel", "private_channel") else None,
            "is_channel": kind == "public_channel",
            "is_group": kind == "private_channel",
            "is_im": kind == "im",
            "is_mpim": kind == "mpim",
            "is_private": kind != "public_channel",
            "is_archived": False,
            "created": 1_600_000_000,
            "num_members": len(members),
        }

    def add_message(self, m: SimMessage) -> None:
        """Post a message (or a late thread reply) into the served workspace."""
        ts = m.id if _is_ts(m.id) else ts_str(m.ts)
        author = self._slack_id.get(m.author, m.author)
        text = m.text
        mention_ids = [self._slack_id.get(k, k) for k in m.mentions]
        for uid in mention_ids:
            if f"<@{uid}>" not in text:
                text += f" <@{uid}>"
        d: dict[str, Any] = {"type": "message", "user": author, "text": text, "ts": ts}
        if mention_ids:
            d["blocks"] = [
                {
                    "type": "rich_text",
                    "elements": [
                        {
                            "type": "rich_text_section",
                            "elements": [{"type": "user", "user_id": u} for u in mention_ids],
                        }
                    ],
                }
            ]
        if m.author in self._bots:
            d["subtype"], d["bot_id"] = "bot_message", "B" + author[1:]
        elif m.subtype:
            d["subtype"] = m.subtype
        if m.subtype == "huddle_thread":
            d["room"] = {
                "id": "R" + ts.replace(".", ""),
                "date_start": int(m.ts),
                "has_ended": True,
                "date_end": int(m.ts) + 1800,
                "participant_history": [author],
                "participants": [],
            }
        if m.reactions:
            by_name: dict[str, list[str]] = {}
            for who, name in m.reactions:
                by_name.setdefault(name, []).append(self._slack_id.get(who, who))
            d["reactions"] = [{"name": n, "users": u, "count": len(u)} for n, u in by_name.items()]
        if m.edited_ts is not None:
            d["edited"] = {"user": author, "ts": ts_str(m.edited_ts)}
        ch = self.channels[m.channel]
        root = m.thread_root if m.thread_root and m.thread_root != ts else None
        with self._lock:
            if root is None or m.subtype == "thread_broadcast":
                if root is not None:
                    d["thread_ts"] = root
                self._insert(ch, ts, d)
            if root is not None:
                d["thread_ts"] = root
                i = bisect_left(ch.keys, _key(root))
                if i < len(ch.keys) and ch.keys[i] == _key(root):
                    d["parent_user_id"] = ch.top[i]["user"]
                thread = self.replies.setdefault((m.channel, root), [])
                if thread and _key(thread[-1]["ts"]) > _key(ts):
                    thread.append(d)
                    thread.sort(key=lambda r: _key(r["ts"]))
                else:  # generated in time order: appending keeps the thread sorted
                    thread.append(d)

    @staticmethod
    def _insert(ch: _Channel, ts: str, d: dict[str, Any]) -> None:
        k = _key(ts)
        i = bisect_left(ch.keys, k)
        if i < len(ch.keys) and ch.keys[i] == k:
            ch.top[i] = d
        else:
            ch.keys.insert(i, k)
            ch.top.insert(i, d)

    def edit_message(self, channel: str, ts: str, text: str, edited_ts: float) -> None:
        """Edit a top-level message or reply in place, as a user editing it would."""
        with self._lock:
            ch = self.channels[channel]
            found = [d for d in ch.top if d["ts"] == ts]
            found += [
                d for t in self.replies.values() for d in t if d["ts"] == ts and d.get("thread_ts")
            ]
            for d in found:
                d["text"], d["edited"] = text, {"user": d["user"], "ts": ts_str(edited_ts)}

    def served_messages(self) -> list[dict[str, Any]]:
        """Every message the server holds (top level and replies, once each), for test oracles."""
        seen: dict[tuple[str, str], dict[str, Any]] = {}
        for cid, ch in self.channels.items():
            for d in ch.top:
                seen[(cid, d["ts"])] = d
        for (cid, _), thread in self.replies.items():
            for d in thread:
                seen[(cid, d["ts"])] = d
        return [{"channel": c, **d} for (c, _), d in seen.items()]

    # ---- the server -----------------------------------------------------------------------

    def __enter__(self) -> FakeSlack:
        self.start()
        return self

    def __exit__(
        self, et: type[BaseException] | None, ev: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    def start(self) -> None:
        """Bind a free port on 127.0.0.1 and serve from a daemon thread."""
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(self))
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Stop serving and release the port."""
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    @property
    def port(self) -> int:
        """The bound port."""
        assert self._server is not None, "FakeSlack is not started"
        return int(self._server.server_address[1])

    @property
    def base_url(self) -> str:
        """The Web API base URL to give slack_sdk's WebClient."""
        return f"http://127.0.0.1:{self.port}/api/"

    @property
    def audit_base_url(self) -> str:
        """The Audit Logs API base URL to give slack_sdk's AuditLogsClient."""
        return f"http://127.0.0.1:{self.port}/audit/v1/"

    def draw_fault(self, method: str) -> str | None:
        """Decide (reproducibly) whether this call fails and how."""
        f = self.faults
        with self._lock:
            self.requests[method] += 1
            if f.fault_rate <= 0 or (f.methods is not None and method not in f.methods):
                return None
            if self._rng.random() >= f.fault_rate:
                return None
            kind = self._rng.choice(f.kinds)
            self.faults_injected[kind] += 1
            return kind


def _is_ts(value: str) -> bool:
    sec, dot, frac = value.partition(".")
    return bool(dot) and sec.isdigit() and frac.isdigit() and len(frac) == 6


def _handler_for(fake: FakeSlack) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib signature
            pass  # keep test output clean; requests are counted instead

        def do_GET(self) -> None:
            self._serve()

        def do_POST(self) -> None:
            self._serve()

        def _serve(self) -> None:
            url = urlsplit(self.path)
            params = {k: v[-1] for k, v in parse_qs(url.query).items()}
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length) if length else b""
            ctype = self.headers.get("Content-Type", "")
            if raw and "json" in ctype:
                params.update({k: str(v) for k, v in json.loads(raw).items()})
            elif raw:
                params.update({k: v[-1] for k, v in parse_qs(raw.decode()).items()})
            method = url.path.rsplit("/", 1)[-1]
            if fake.latency:
                time.sleep(fake.latency)
            audit = url.path.startswith("/audit/v1/")
            fault = fake.draw_fault(("audit." if audit else "") + method)
            if fault == "drop":
                self.close_connection = True
                with contextlib.suppress(OSError):
                    self.connection.shutdown(socket.SHUT_RDWR)
                return
            if fault in ("429", "500", "503"):
                headers = {"Retry-After": str(fake.faults.retry_after)} if fault == "429" else {}
                body = {"ok": False, "error": "ratelimited" if fault == "429" else "internal_error"}
                self._reply(int(fault), body, headers)
                return
            if fault == "ratelimited":
                self._reply(200, {"ok": False, "error": "ratelimited"}, {"Retry-After": "0"})
                return
            auth = self.headers.get("Authorization", "")
            token = auth[7:] if auth.startswith("Bearer ") else params.get("token", "")
            try:
                if audit:
                    status, body = _audit_api(fake, method, token, params)
                else:
                    status, body = 200, _web_api(fake, method, token, params)
            except _ApiError as err:
                status, body = 200, err.body
            self._reply(status, body, {})

        def _reply(self, status: int, body: dict[str, Any], headers: dict[str, str]) -> None:
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json; charset=utf-8")
            self.send_header("Content-Length", str(len(data)))
            for k, v in headers.items():
                self.send_header(k, v)
            self.end_headers()
            self.wfile.write(data)

    return Handler


# ---- the API methods ------------------------------------------------------------------------


def _limit(params: dict[str, str], default: int, cap: int) -> int:
    try:
        n = int(params.get("limit") or default)
    except ValueError as exc:
        raise _ApiError("invalid_arguments") from exc
    return max(1, min(n if n > 0 else default, cap))


def _need(fake: FakeSlack, scope: str) -> None:
    if scope not in fake.scopes:
        raise _ApiError("missing_scope", needed=scope, provided=",".join(sorted(fake.scopes)))


def _offset_page(
    items: list[dict[str, Any]], params: dict[str, str], prefix: str, default: int
) -> tuple[list[dict[str, Any]], dict[str, str]]:
    start = int(_dec(params["cursor"])) if params.get("cursor") else 0
    n = _limit(params, default, 1000)
    nxt = _enc(prefix, start + n) if start + n < len(items) else ""
    return items[start : start + n], {"next_cursor": nxt}


def _web_api(fake: FakeSlack, method: str, token: str, params: dict[str, str]) -> dict[str, Any]:
    if token != fake.token:
        raise _ApiError("invalid_auth" if token else "not_authed")
    if method == "auth.test":
        return {
            "ok": True,
            "url": "https://fake.slack.com/",
            "team": "Fake",
            "user": "commsignal",
            "team_id": "T0FAKE",
            "user_id": "U0COMMSIG",
            "bot_id": "B0COMMSIG",
        }
    if method == "users.list":
        _need(fake, "users:read")
        page, meta = _offset_page(fake.users, params, "user", 200)
        if "users:read.email" not in fake.scopes:  # real Slack omits emails without this scope
            page = [
                {**u, "profile": {k: v for k, v in u["profile"].items() if k != "email"}}
                for u in page
            ]
        return {"ok": True, "members": page, "cache_ts": 1_700_000_000, "response_metadata": meta}
    if method == "conversations.list":
        types = [t for t in (params.get("types") or "public_channel").split(",") if t]
        for t in types:
            if t not in _HISTORY_SCOPE:
                raise _ApiError("invalid_types")
            _need(fake, _HISTORY_SCOPE[t] + ":read")
        chans = [c.info for c in fake.channels.values() if c.kind in types]
        page, meta = _offset_page(chans, params, "team", 100)
        return {"ok": True, "channels": page, "response_metadata": meta}
    if method == "conversations.history":
        return _history(fake, params)
    if method == "conversations.replies":
        return _replies(fake, params)
    if method == "team.accessLogs":
        _need(fake, "admin")
        if fake.paid_only:
            raise _ApiError("paid_only")
        return _access_logs(fake, params)
    raise _ApiError("unknown_method")


def _channel(fake: FakeSlack, params: dict[str, str]) -> tuple[str, _Channel]:
    cid = params.get("channel", "")
    ch = fake.channels.get(cid)
    if ch is None:
        raise _ApiError("channel_not_found")
    _need(fake, _HISTORY_SCOPE[ch.kind] + ":history")
    if cid in fake.not_in_channel:
        raise _ApiError("not_in_channel")
    return cid, ch


def _with_thread(fake: FakeSlack, cid: str, d: dict[str, Any]) -> dict[str, Any]:
    thread = fake.replies.get((cid, d["ts"]))
    if not thread:
        return d
    # thread summary fields are computed when served, so a late reply shows up on the parent
    users = list(dict.fromkeys(r["user"] for r in thread))
    return {
        **d,
        "thread_ts": d["ts"],
        "reply_count": len(thread),
        "reply_users": users[:5],
        "reply_users_count": len(users),
        "latest_reply": thread[-1]["ts"],
    }


def _bounds(params: dict[str, str]) -> tuple[str, str, bool]:
    inclusive = params.get("inclusive") in ("1", "true", "True")
    oldest = _key(params["oldest"]) if params.get("oldest") else ""
    latest = _key(params["latest"]) if params.get("latest") else "~"
    return oldest, latest, inclusive


def _history(fake: FakeSlack, params: dict[str, str]) -> dict[str, Any]:
    cid, ch = _channel(fake, params)
    oldest, latest, inclusive = _bounds(params)
    n = _limit(params, 100, 999)
    with fake._lock:
        lo = (bisect_left if inclusive else bisect_right)(ch.keys, oldest) if oldest else 0
        hi = (bisect_right if inclusive else bisect_left)(ch.keys, latest)
        if params.get("cursor"):  # "next_ts:<ts>": continue at that message, inclusive
            hi = min(hi, bisect_right(ch.keys, _key(_dec(params["cursor"]))))
        start = max(lo, hi - n)
        page = [_with_thread(fake, cid, d) for d in reversed(ch.top[start:hi])]
        more = start > lo
        nxt = _enc("next_ts", ch.top[start - 1]["ts"]) if more else ""
    return {
        "ok": True,
        "messages": page,
        "has_more": more,
        "pin_count": 0,
        "response_metadata": {"next_cursor": nxt},
    }


def _replies(fake: FakeSlack, params: dict[str, str]) -> dict[str, Any]:
    cid, ch = _channel(fake, params)
    ts = params.get("ts", "")
    with fake._lock:
        i = bisect_left(ch.keys, _key(ts)) if ts else len(ch.keys)
        if i >= len(ch.keys) or ch.keys[i] != _key(ts):
            raise _ApiError("thread_not_found")
        parent = _with_thread(fake, cid, ch.top[i])
        thread = list(fake.replies.get((cid, ts), []))
    oldest, latest, inclusive = _bounds(params)
    n = _limit(params, 100, 999)
    keys = [_key(r["ts"]) for r in thread]
    lo = (bisect_left if inclusive else bisect_right)(keys, oldest) if oldest else 0
    if params.get("cursor"):
        lo = max(lo, bisect_left(keys, _key(_dec(params["cursor"]))))
    hi = (bisect_right if inclusive else bisect_left)(keys, latest)
    first = not params.get("cursor")
    take = n - 1 if first else n  # the parent counts towards the first page, as on Slack
    page = ([parent] if first else []) + thread[lo : lo + max(take, 0)]
    more = lo + max(take, 0) < hi
    nxt = _enc("next_ts", thread[lo + take]["ts"]) if more else ""
    return {
        "ok": True,
        "messages": page,
        "has_more": more,
        "response_metadata": {"next_cursor": nxt},
    }


def _access_logs(fake: FakeSlack, params: dict[str, str]) -> dict[str, Any]:
    agg: dict[tuple[str, str, str], dict[str, Any]] = {}
    before = float(params.get("before") or "inf")
    for lg in fake.logins:
        if lg.event not in ("logon", "signin") or lg.ts > before:
            continue
        uid = fake._slack_id.get(lg.person, lg.person)
        k = (uid, lg.ip or "", lg.user_agent or "")
        row = agg.setdefault(
            k,
            {
                "user_id": uid,
                "username": lg.user,
                "ip": lg.ip,
                "user_agent": lg.user_agent,
                "isp": None,
                "country": lg.country,
                "region": None,
                "date_first": int(lg.ts),
                "date_last": int(lg.ts),
                "count": 0,
            },
        )
        row["date_first"] = min(row["date_first"], int(lg.ts))
        row["date_last"] = max(row["date_last"], int(lg.ts))
        row["count"] += 1
    rows = sorted(agg.values(), key=lambda r: (-r["date_last"], r["user_id"], r["ip"] or ""))
    if "page" in params or "count" in params:  # legacy paging
        count = max(1, min(int(params.get("count") or 100), 1000))
        page_no = max(1, int(params.get("page") or 1))
        pages = max(1, -(-len(rows) // count))
        chunk = rows[(page_no - 1) * count : page_no * count]
        return {
            "ok": True,
            "logins": chunk,
            "paging": {"count": count, "total": len(rows), "page": page_no, "pages": pages},
        }
    chunk, meta = _offset_page(rows, params, "login", 100)
    return {"ok": True, "logins": chunk, "response_metadata": meta}


def _audit_api(
    fake: FakeSlack, method: str, token: str, params: dict[str, str]
) -> tuple[int, dict[str, Any]]:
    if token != fake.audit_token:
        return 401, {"ok": False, "error": "invalid_authentication"}
    if not fake.enterprise:
        return 403, {"ok": False, "error": "feature_not_enabled"}
    if method != "logs":
        return 404, {"ok": False, "error": "unknown_method"}
    actions = set((params.get("action") or "user_login,user_logout").split(","))
    names = {"logon": "user_login", "logoff": "user_logout"}
    oldest, latest = float(params.get("oldest") or 0), float(params.get("latest") or "inf")
    people = {fk: uid for fk, uid in fake._slack_id.items()}
    entries: list[dict[str, Any]] = []
    for i, lg in enumerate(fake.logins):
        action = names.get(lg.event)
        if action not in actions or not oldest <= int(lg.ts) <= latest:
            continue
        user = {
            "id": people.get(lg.person, lg.person),
            "name": lg.user,
            "email": lg.user,
            "team": "E0FAKE",
        }
        entries.append(
            {
                "id": f"fake-{i:08d}",
                "date_create": int(lg.ts),
                "action": action,
                "actor": {"type": "user", "user": user},
                "entity": {"type": "user", "user": user},
                "context": {
                    "location": {
                        "type": "workspace",
                        "id": "T0FAKE",
                        "name": "Fake",
                        "domain": "fake",
                    },
                    "ua": lg.user_agent or "",
                    "ip_address": lg.ip or "",
                    "session_id": lg.session_id,
                },
            }
        )
    # newest first, as the API returns them
    entries.sort(key=lambda e: (-int(e["date_create"]), str(e["id"])))
    chunk, meta = _offset_page(entries, params, "audit", 100)
    return 200, {"entries": chunk, "response_metadata": meta}


# ---- a synthetic workspace for tests and the benchmark ----------------------------------------


def sample_world(n_messages: int = 400, n_people: int = 12, seed: int = 7) -> World:
    """A small seeded Slack workspace with every shape the connector must handle.

    Threads, mentions, reactions, edits, bot and system messages, private channels, group DMs and
    DMs, a deactivated-looking person not on Slack, and a few Slack access-log logins.

    Args:
        n_messages: how many messages to generate (replies included).
        n_people: how many people (one is not on Slack).
        seed: RNG seed; the same seed gives the same world.

    Returns:
        A World whose channels and messages are all on the "slack" platform.
    """
    rng = random.Random(seed)
    people = [
        SimPerson(
            key=f"p{i}",
            name=f"Person {i}",
            email=f"person{i}@example.com",
            team=f"team{i % 3}",
            title="Engineer",
            manager_key=None,
            declared_tz="Europe/London",
            actual_tz="Europe/London",
            country="GB",
            slack_id=f"U{i:08d}",
            graph_id=f"g{i}",
            on_slack=i != n_people - 1,
        )
        for i in range(n_people)
    ]
    on = [p for p in people if p.on_slack]
    bot = SimPerson(
        key="deploybot",
        name="Deploy Bot",
        email="",
        team="",
        title="",
        manager_key=None,
        declared_tz="UTC",
        actual_tz="UTC",
        country="",
        slack_id="U0BOT0001",
        graph_id="",
    )
    keys = [p.key for p in on]
    channels = [
        SimChannel("C00000001", "slack", "public_channel", "general", keys),
        SimChannel("C00000002", "slack", "public_channel", "random", keys),
        SimChannel("G00000003", "slack", "private_channel", "secret-project", keys[:4]),
        SimChannel("C00000004", "slack", "mpim", None, keys[1:4]),
        SimChannel("D00000005", "slack", "im", None, keys[:2]),
        SimChannel("C0000TEAM", "teams", "channel", "not-slack", keys, team_id="t1"),
    ]
    slack_channels = channels[:5]
    start = 1_767_225_600.0  # 2026-01-01
    msgs: list[SimMessage] = []
    roots: dict[str, list[SimMessage]] = {c.id: [] for c in slack_channels}
    t = start
    for i in range(n_messages):
        t += rng.uniform(1, 600)
        ch = rng.choice(slack_channels)
        author = rng.choice(ch.members)
        ts = ts_str(t)
        root = None
        if roots[ch.id] and rng.random() < 0.3:
            root = rng.choice(roots[ch.id][-20:]).id
        subtype = None
        if rng.random() < 0.03:
            subtype = "channel_join"
        if root and rng.random() < 0.05:
            subtype = "thread_broadcast"
        m = SimMessage(
            id=ts,
            platform="slack",
            channel=ch.id,
            author=author,
            ts=t,
            text=f"message {i} about the build, thanks!",
            thread_root=root,
            subtype=subtype,
        )
        if rng.random() < 0.04:
            m.author, m.subtype = bot.key, None
        if rng.random() < 0.2:
            m.mentions = rng.sample(ch.members, 1)
        if rng.random() < 0.2:
            m.reactions = [(rng.choice(ch.members), rng.choice(["+1", "tada", "eyes"]))]
        if rng.random() < 0.05:
            m.edited_ts = t + 60
        if root is None:
            roots[ch.id].append(m)
        msgs.append(m)
    logins = [
        SimLogin(
            person=p.key,
            user=p.email,
            ts=start + 3600 * k + i,
            event=ev,
            source="slack",
            session_id=f"s{i}-{k}",
            ip=f"10.0.0.{i % 3}",
            user_agent="Slack/4.0",
            country="GB",
        )
        for i, p in enumerate(on[:4])
        for k, ev in enumerate(["logon", "logoff", "logon"])
    ]
    return World(
        seed=seed,
        start=start,
        weeks=1,
        people=people,
        channels=channels,
        messages=msgs,
        meetings=[],
        logins=logins,
        bots=[bot],
    )
