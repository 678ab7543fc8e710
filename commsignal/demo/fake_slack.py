"""A loopback fake of the Slack Web and Audit Logs APIs, serving a simulated `World` in Slack's shapes.

The demo and the tests point the real slack_sdk clients at it, so the connector code that runs here
is the code that runs against slack.com. Faults (429, 5xx, dropped connections, `ratelimited`) are
injected from a seeded RNG so a flaky run can be replayed.
"""

from __future__ import annotations

import random
from bisect import bisect_left
from collections import Counter
from dataclasses import dataclass
from typing import Any

from commsignal.demo.fake_slack_api import (
    ALL_SCOPES,
    ServedChannel,
    SlackHandler,
    ts_key,
    ts_str,
)
from commsignal.demo.fake_slack_world import sample_world
from commsignal.demo.loopback import LoopbackServer
from commsignal.demo.world import SimMessage, World

FAULT_KINDS = ("429", "500", "503", "drop", "ratelimited")


@dataclass(slots=True)
class Faults:
    """Which failures to inject: a share of calls, drawn from `kinds` by a seeded RNG."""

    fault_rate: float = 0.0
    seed: int = 0
    retry_after: int = 0
    kinds: tuple[str, ...] = FAULT_KINDS
    methods: frozenset[str] | None = None


class FakeSlack(LoopbackServer):
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

    handler = SlackHandler

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
        super().__init__()
        self.token, self.audit_token = token, audit_token
        self.faults = faults or Faults()
        self.scopes = ALL_SCOPES if scopes is None else scopes
        self.not_in_channel = set(not_in_channel)
        self.paid_only, self.enterprise = paid_only, enterprise
        self.latency = latency
        self.faults_injected: Counter[str] = Counter()
        self._rng = random.Random(self.faults.seed)
        self._slack_id = {p.key: p.slack_id for p in [*world.people, *world.bots]}
        self._bots = {b.key for b in world.bots}
        self.users = self._users(world)
        self.channels: dict[str, ServedChannel] = {}
        for c in world.channels:
            if c.platform == "slack":
                self.channels[c.id] = ServedChannel(
                    self._channel_info(c.id, c.kind, c.name, c.members), c.kind
                )
        self.replies: dict[tuple[str, str], list[dict[str, Any]]] = {}
        for m in sorted((m for m in world.messages if m.platform == "slack"), key=lambda m: m.ts):
            self.add_message(m)
        self.logins = [lg for lg in world.logins if lg.source == "slack"]

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
        for x in world.directory_extras:
            if x.on_slack:
                # a deactivated member, a guest, a Slack Connect user from another organisation
                out.append(
                    {
                        "id": x.slack_id,
                        "team_id": "T0EXTERNAL" if x.slack_flags.get("is_stranger") else "T0FAKE",
                        "name": x.email.split("@", 1)[0],
                        "real_name": x.name,
                        "deleted": False,
                        "is_bot": False,
                        "is_restricted": False,
                        **x.slack_flags,
                        "tz": x.declared_tz,
                        "profile": {"real_name": x.name, "display_name": x.name, "email": x.email},
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
                i = bisect_left(ch.keys, ts_key(root))
                if i < len(ch.keys) and ch.keys[i] == ts_key(root):
                    d["parent_user_id"] = ch.top[i]["user"]
                thread = self.replies.setdefault((m.channel, root), [])
                if thread and ts_key(thread[-1]["ts"]) > ts_key(ts):
                    thread.append(d)
                    thread.sort(key=lambda r: ts_key(r["ts"]))
                else:  # generated in time order: appending keeps the thread sorted
                    thread.append(d)

    @staticmethod
    def _insert(ch: ServedChannel, ts: str, d: dict[str, Any]) -> None:
        k = ts_key(ts)
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


__all__ = ["ALL_SCOPES", "FAULT_KINDS", "FakeSlack", "Faults", "sample_world", "ts_str"]
