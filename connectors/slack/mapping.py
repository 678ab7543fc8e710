"""Pure functions from Slack JSON (Web API, Audit Logs API, workspace exports) to commsignal records.

No I/O here, so the same mapping serves the live sync and the export import, and is tested on the
real example payloads.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator, Mapping
from typing import Any

from commsignal.models import Account, Attendance, Conversation, LoginEvent, Meeting, RawMessage

SOURCE = "slack"
_MENTION = re.compile(r"<@([UW][A-Z0-9]+)(?:\|[^>]*)?>")
_BOT_IDS = frozenset({"USLACKBOT"})  # Slackbot is not flagged is_bot by Slack itself


def event_id(*parts: object) -> str:
    """A stable id for a login event from its source fields, so re-importing adds nothing."""
    raw = "\x1f".join("" if p is None else str(p) for p in parts)
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()[:32]


def map_user(u: Mapping[str, Any]) -> Account:
    """A `users.list` member (or export users.json entry) as an Account."""
    profile = u.get("profile") or {}
    uid = str(u["id"])
    return Account(
        source=SOURCE,
        account_id=uid,
        email=profile.get("email") or None,
        display_name=profile.get("real_name") or u.get("real_name") or u.get("name"),
        tz=u.get("tz") or None,
        is_bot=bool(u.get("is_bot")) or bool(u.get("is_app_user")) or uid in _BOT_IDS,
        deleted=bool(u.get("deleted")),
        # guests (multi- and single-channel) and Slack Connect users of another organisation
        is_restricted=any(
            bool(u.get(k)) for k in ("is_restricted", "is_ultra_restricted", "is_stranger")
        ),
        title=profile.get("title") or None,
    )


def conversation_kind(c: Mapping[str, Any]) -> str:
    """public | private | mpim | im, from the is_* flags of a conversation object."""
    if c.get("is_im"):
        return "im"
    if c.get("is_mpim"):
        return "mpim"
    if c.get("is_private") or c.get("is_group"):
        return "private"
    return "public"


def map_conversation(c: Mapping[str, Any], kind: str | None = None) -> Conversation:
    """A `conversations.list` channel (or export channels/groups/mpims/dms entry) as a Conversation."""
    members = c.get("members")
    count = c.get("num_members")
    if count is None and isinstance(members, list):
        count = len(members)
    return Conversation(
        source=SOURCE,
        conversation_id=str(c["id"]),
        kind=kind or conversation_kind(c),
        name=c.get("name") or None,
        member_count=int(count) if count is not None else None,
    )


def _block_users(node: Any) -> Iterator[str]:
    # rich_text blocks nest sections and lists; a mention is any {"type": "user", "user_id": ...}
    if isinstance(node, dict):
        if node.get("type") == "user" and node.get("user_id"):
            yield str(node["user_id"])
        for v in node.values():
            if isinstance(v, list | dict):
                yield from _block_users(v)
    elif isinstance(node, list):
        for item in node:
            yield from _block_users(item)


def mentions_of(m: Mapping[str, Any]) -> tuple[str, ...]:
    """User ids mentioned in a message's text (`<@U…>`) or its rich-text blocks, sorted, once each."""
    found = set(_MENTION.findall(m.get("text") or ""))
    found.update(_block_users(m.get("blocks") or []))
    return tuple(sorted(found))


def author_of(m: Mapping[str, Any]) -> str:
    """Who posted a message: the user, else the bot, else the commenter of a file comment."""
    comment = m.get("comment")
    if not isinstance(comment, dict):
        comment = {}
    return str(m.get("user") or m.get("bot_id") or comment.get("user") or "unknown")


def map_message(channel: str, m: Mapping[str, Any], parent_user: str | None = None) -> RawMessage:
    """A message from history, replies or an export day file as a RawMessage (text kept in memory only).

    Args:
        channel: the conversation id (exports do not repeat it in each message).
        m: the message object.
        parent_user: the thread parent's author when the reply lacks `parent_user_id`.

    Returns:
        The RawMessage; message ids are "<channel>:<ts>", thread ids "<channel>:<thread_ts>".
    """
    ts = str(m["ts"])
    thread_ts = m.get("thread_ts")
    is_reply = bool(thread_ts) and thread_ts != ts
    edited = m.get("edited") if isinstance(m.get("edited"), dict) else None
    reactions = sorted(
        {(str(u), str(r["name"])) for r in m.get("reactions") or [] for u in r.get("users") or []}
    )
    return RawMessage(
        source=SOURCE,
        message_id=f"{channel}:{ts}",
        conversation_id=channel,
        account_id=author_of(m),
        ts=float(ts),
        text=str(m.get("text") or ""),
        thread_id=f"{channel}:{thread_ts}" if thread_ts else None,
        is_reply=is_reply,
        reply_to_account_id=(m.get("parent_user_id") or parent_user) if is_reply else None,
        mentions=mentions_of(m),
        reactions=tuple(reactions),
        edited_ts=float(edited["ts"]) if edited and edited.get("ts") else None,
        subtype=m.get("subtype") or None,
    )


def thread_activity(m: Mapping[str, Any]) -> str | None:
    """The newest reply ts of a thread parent (None for a message without replies)."""
    if not m.get("reply_count") or m.get("thread_ts") not in (None, m.get("ts")):
        return None
    return str(m.get("latest_reply") or m["ts"])


def map_huddle(channel: str, m: Mapping[str, Any]) -> tuple[Meeting, list[Attendance]] | None:
    """A `huddle_thread` message's undocumented `room` as a Meeting plus attendance, best effort.

    Slack has no huddles API; participants may be missing or redacted, and per-person durations
    are not given, so each participant is credited with the huddle's length.
    """
    room = m.get("room")
    if m.get("subtype") != "huddle_thread" or not isinstance(room, dict) or not room.get("id"):
        return None
    start = float(room.get("date_start") or float(m["ts"]))
    end = float(room.get("date_end") or start)
    mid = f"huddle:{room['id']}"
    who = list(
        dict.fromkeys([*(room.get("participant_history") or []), *(room.get("participants") or [])])
    )
    meeting = Meeting(
        SOURCE, mid, room.get("created_by") or m.get("user"), start, max(start, end), True
    )
    seconds = max(0, int(end - start))
    return meeting, [Attendance(SOURCE, mid, str(u), seconds, start, end) for u in who]


def map_access_log(
    row: Mapping[str, Any], emails: Mapping[str, str] | None = None
) -> list[LoginEvent]:
    """A `team.accessLogs` row, one (user, IP, user agent) aggregate, as sign-ins at its first and last use."""
    uid = str(row.get("user_id") or "")
    user = (emails or {}).get(uid) or uid or str(row.get("username") or "")
    times = sorted({int(row["date_first"]), int(row.get("date_last") or row["date_first"])})
    return [
        LoginEvent(
            event_id=event_id("slack-access", uid, row.get("ip"), row.get("user_agent"), ts),
            source="slack-access",
            user=user,
            ts=float(ts),
            event="signin",
            ip=row.get("ip") or None,
            client_app="slack",
            user_agent=row.get("user_agent") or None,
            country=row.get("country") or None,
        )
        for ts in times
    ]


_AUDIT_EVENTS = {"user_login": "logon", "user_logout": "logoff"}


def map_audit_entry(e: Mapping[str, Any]) -> LoginEvent | None:
    """An Audit Logs `user_login`/`user_logout` entry as a logon/logoff (None for other actions)."""
    event = _AUDIT_EVENTS.get(str(e.get("action")))
    if event is None:
        return None
    user = ((e.get("actor") or {}).get("user")) or {}
    ctx = e.get("context") or {}
    session = ctx.get("session_id")
    ts = float(e["date_create"])
    return LoginEvent(
        event_id=event_id("slack-audit", e.get("id"), e.get("action"), user.get("id"), ts),
        source="slack-audit",
        user=str(user.get("email") or user.get("id") or "unknown"),
        ts=ts,
        event=event,
        session_key=str(session) if session is not None else None,
        ip=ctx.get("ip_address") or None,
        client_app="slack",
        user_agent=ctx.get("ua") or None,
        interactive=True,
    )
