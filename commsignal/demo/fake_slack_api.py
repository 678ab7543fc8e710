"""The Slack Web API and Audit Logs API methods the fake serves, and the wire forms they share.

`FakeSlack` (fake_slack.py) holds the workspace; this module answers requests against it: auth and
scope checks, cursor paging, history and replies windows, access logs and audit entries.
"""

from __future__ import annotations

import base64
import contextlib
import json
import socket
import time
from bisect import bisect_left, bisect_right
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, urlsplit

from commsignal.demo.loopback import JsonHandler

if TYPE_CHECKING:
    from commsignal.demo.fake_slack import FakeSlack


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


def ts_str(ts: float) -> str:
    """Slack's wire form of a timestamp: seconds with exactly six decimals."""
    return f"{ts:.6f}"


def ts_key(ts: str) -> str:
    """A sort key for a wire timestamp: plain string order is time order, with no float rounding."""
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
    """A Slack `ok: false` answer, raised from deep in a method and sent as HTTP 200."""

    def __init__(self, error: str, **extra: Any) -> None:
        super().__init__(error)
        self.body: dict[str, Any] = {"ok": False, "error": error, **extra}


@dataclass(slots=True)
class ServedChannel:
    """A served conversation: its `conversations.info` shape and top-level messages by time."""

    info: dict[str, Any]
    kind: str
    keys: list[str] = field(default_factory=list)  # top-level message keys, ascending
    top: list[dict[str, Any]] = field(default_factory=list)


class SlackHandler(JsonHandler):
    """One request: parse the query or form/JSON body, maybe inject a fault, then dispatch."""

    fake: FakeSlack
    content_type = "application/json; charset=utf-8"

    def do_GET(self) -> None:
        self._serve()

    def do_POST(self) -> None:
        self._serve()

    def _serve(self) -> None:
        fake = self.fake
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


def _channel(fake: FakeSlack, params: dict[str, str]) -> tuple[str, ServedChannel]:
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
    oldest = ts_key(params["oldest"]) if params.get("oldest") else ""
    latest = ts_key(params["latest"]) if params.get("latest") else "~"
    return oldest, latest, inclusive


def _history(fake: FakeSlack, params: dict[str, str]) -> dict[str, Any]:
    cid, ch = _channel(fake, params)
    oldest, latest, inclusive = _bounds(params)
    n = _limit(params, 100, 999)
    with fake._lock:
        lo = (bisect_left if inclusive else bisect_right)(ch.keys, oldest) if oldest else 0
        hi = (bisect_right if inclusive else bisect_left)(ch.keys, latest)
        if params.get("cursor"):  # "next_ts:<ts>": continue at that message, inclusive
            hi = min(hi, bisect_right(ch.keys, ts_key(_dec(params["cursor"]))))
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
        i = bisect_left(ch.keys, ts_key(ts)) if ts else len(ch.keys)
        if i >= len(ch.keys) or ch.keys[i] != ts_key(ts):
            raise _ApiError("thread_not_found")
        parent = _with_thread(fake, cid, ch.top[i])
        thread = list(fake.replies.get((cid, ts), []))
    oldest, latest, inclusive = _bounds(params)
    n = _limit(params, 100, 999)
    keys = [ts_key(r["ts"]) for r in thread]
    lo = (bisect_left if inclusive else bisect_right)(keys, oldest) if oldest else 0
    if params.get("cursor"):
        lo = max(lo, bisect_left(keys, ts_key(_dec(params["cursor"]))))
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
