"""World records rendered as Graph v1.0 JSON for the fake server (field names as in the Graph docs)."""

from __future__ import annotations

import datetime as dt
import re
import uuid
from dataclasses import dataclass
from typing import Any

from commsignal.demo.world import SimMeeting, SimMessage, SimPerson, World
from connectors.msgraph.mapping import WINDOWS_TO_IANA

_NS = uuid.UUID("3f1d7a52-8a3e-4c55-9e0f-2b1c6e5d9a10")
_IANA_TO_WINDOWS = {v: k for k, v in WINDOWS_TO_IANA.items()}
_REMOTE_HINTS = ("anydesk", "teamviewer", "rustdesk", "remote desktop", "splashtop", "vnc")
_RESPONSES = {
    "accepted": "accepted",
    "accept": "accepted",
    "yes": "accepted",
    "declined": "declined",
    "decline": "declined",
    "no": "declined",
    "tentative": "tentativelyAccepted",
    "tentativelyaccepted": "tentativelyAccepted",
    "maybe": "tentativelyAccepted",
    "organizer": "organizer",
}


def iso(ts: float) -> str:
    """Graph's UTC timestamp form, e.g. 2026-11-02T09:00:00.123Z."""
    d = dt.datetime.fromtimestamp(ts, dt.UTC)
    return d.strftime("%Y-%m-%dT%H:%M:%S.") + f"{d.microsecond // 1000:03d}Z"


def parse_iso(text: str) -> float:
    """Epoch seconds from Graph's ISO forms (Z suffix, up to 7 fractional digits, or none)."""
    m = re.match(r"^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d+))?(Z|[+-]\d\d:\d\d)?$", text.strip())
    if not m:
        raise ValueError(f"not an ISO timestamp: {text!r}")
    frac = (m.group(2) or "0")[:6].ljust(6, "0")
    tz = m.group(3) or "+00:00"
    tz = "+00:00" if tz == "Z" else tz
    return dt.datetime.fromisoformat(f"{m.group(1)}.{frac}{tz}").timestamp()


def _filters(q: dict[str, str]) -> list[tuple[str, str, str]]:
    return re.findall(r"(\w+) (gt|ge|lt|le|eq) ('[^']*'|\S+)", q.get("$filter", ""))


def _bounds(q: dict[str, str], prop: str) -> list[tuple[str, float]]:
    """(operator, epoch) comparisons on one date property of a `$filter`."""
    return [
        (op, parse_iso(raw.strip("'")))
        for name, op, raw in _filters(q)
        if name.lower() == prop.lower() and op != "eq"
    ]


def _passes(value: float, bounds: list[tuple[str, float]]) -> bool:
    for op, bound in bounds:
        if (
            (op == "gt" and not value > bound)
            or (op == "ge" and not value >= bound)
            or (op == "lt" and not value < bound)
            or (op == "le" and not value <= bound)
        ):
            return False
    return True


@dataclass(slots=True)
class MsgState:
    """A message plus what Graph tracks about it: last change time, change version, deletion."""

    msg: SimMessage
    modified: float
    version: int
    deleted_at: float | None = None


class MessageStore:
    """Messages by channel with a change counter, so delta tokens can say what changed since."""

    def __init__(self, messages: list[SimMessage]) -> None:
        self.version = 0
        self.by_id: dict[str, MsgState] = {}
        self.by_channel: dict[str, list[str]] = {}
        for m in sorted(messages, key=lambda m: (m.ts, m.id)):
            if m.platform == "teams":
                self.add(m, None)

    def add(self, m: SimMessage, now: float | None) -> None:
        self.version += 1
        modified = max(m.ts, m.edited_ts or 0.0, now or 0.0)
        self.by_id[m.id] = MsgState(m, modified, self.version)
        self.by_channel.setdefault(m.channel, []).append(m.id)

    def edit(self, message_id: str, text: str, now: float) -> None:
        self.version += 1
        st = self.by_id[message_id]
        st.msg.text, st.msg.edited_ts, st.modified, st.version = text, now, now, self.version

    def remove(self, message_id: str, now: float) -> None:
        self.version += 1
        st = self.by_id[message_id]
        st.deleted_at, st.modified, st.version = now, now, self.version


class Renderer:
    """One method per fake route: returns a list (collection), a dict (entity) or None (404)."""

    def __init__(self, world: World) -> None:
        self.world = world
        self.people = {p.key: p for p in world.people if p.on_teams}
        self.by_graph = {p.graph_id: p for p in self.people.values()}
        self.bots = {b.key: b for b in world.bots}
        self.channels = {c.id: c for c in world.channels if c.platform == "teams"}
        self.messages = MessageStore(world.messages)
        self.chats_of: dict[str, list[str]] = {}
        for c in self.channels.values():
            if c.kind == "chat":
                for k in c.members:
                    self.chats_of.setdefault(k, []).append(c.id)
        self.meetings = {m.id: m for m in world.meetings}
        self.signin_log = sorted(
            (x for x in world.logins if x.source == "entra"), key=lambda x: x.ts, reverse=True
        )

    # directory
    def _user(self, p: SimPerson, select: list[str] | None, expand: str) -> dict[str, Any]:
        user: dict[str, Any] = {
            "id": p.graph_id,
            "displayName": p.name,
            "mail": p.email,
            "userPrincipalName": p.email,
            "department": p.team,
            "jobTitle": p.title,
            "usageLocation": p.country,
            "accountEnabled": True,
        }
        if select:
            user = {k: v for k, v in user.items() if k in select or k == "id"}
        if "manager" in expand and p.manager_key in self.people:
            user["manager"] = {
                "@odata.type": "#microsoft.graph.user",
                "id": self.people[p.manager_key].graph_id,
            }
        return user

    def users(self, q: dict[str, str]) -> list[dict[str, Any]]:
        select = [s for s in q.get("$select", "").split(",") if s]
        return [self._user(p, select, q.get("$expand", "")) for p in self.people.values()]

    def manager(self, uid: str, q: dict[str, str]) -> dict[str, Any] | None:
        p = self.by_graph.get(uid)
        if p is None or p.manager_key not in self.people:
            return None
        return {
            "@odata.type": "#microsoft.graph.user",
            **self._user(self.people[p.manager_key], None, ""),
        }

    def mailbox(self, uid: str, q: dict[str, str]) -> dict[str, Any] | None:
        p = self.by_graph.get(uid)
        if p is None:
            return None
        # Exchange reports Windows zone names for many mailboxes: serve every other one that way
        tz = p.declared_tz
        if sorted(self.people).index(p.key) % 2 and tz in _IANA_TO_WINDOWS:
            tz = _IANA_TO_WINDOWS[tz]
        return {
            "timeZone": tz,
            "language": {"locale": "en-US"},
            "workingHours": {"timeZone": {"name": tz}},
        }

    # messages
    def _identity(self, key: str) -> dict[str, Any]:
        if key in self.bots:
            b = self.bots[key]
            app = {"id": b.graph_id or key, "displayName": b.name, "applicationIdentityType": "bot"}
            return {"application": app, "device": None, "user": None}
        p = self.people.get(key)
        user = {
            "id": p.graph_id if p else key,
            "displayName": p.name if p else None,
            "userIdentityType": "aadUser",
        }
        return {"application": None, "device": None, "user": user}

    def _message(self, st: MsgState, replies: list[dict[str, Any]] | None = None) -> dict[str, Any]:
        m = st.msg
        c = self.channels[m.channel]
        system = m.subtype == "systemEventMessage"
        mentions = [
            {"id": i, "mentionText": self.people[k].name, "mentioned": self._identity(k)}
            for i, k in enumerate(m.mentions)
            if k in self.people
        ]
        at = "".join(f' <at id="{x["id"]}">{x["mentionText"]}</at>' for x in mentions)
        reactions = []
        for a, b in m.reactions:
            who, name = (a, b) if a in self.people else (b, a)
            if who in self.people:
                reactions.append(
                    {
                        "reactionType": name,
                        "createdDateTime": iso(m.ts),
                        "user": self._identity(who),
                    }
                )
        body: dict[str, Any] = {
            "id": m.id,
            "replyToId": m.thread_root if m.thread_root and m.thread_root != m.id else None,
            "etag": str(st.version),
            "messageType": "systemEventMessage" if system else "message",
            "createdDateTime": iso(m.ts),
            "lastModifiedDateTime": iso(st.modified),
            "lastEditedDateTime": iso(m.edited_ts) if m.edited_ts else None,
            "deletedDateTime": iso(st.deleted_at) if st.deleted_at else None,
            "chatId": m.channel if c.kind == "chat" else None,
            "importance": "normal",
            "from": None if system else self._identity(m.author),
            "body": {
                "contentType": "html",
                "content": "<systemEventMessage/>" if system else f"<p>{_html(m.text)}{at}</p>",
            },
            "channelIdentity": (
                {"teamId": c.team_id, "channelId": c.id} if c.kind == "channel" else None
            ),
            "attachments": [],
            "mentions": mentions,
            "reactions": reactions,
            "eventDetail": (
                {"@odata.type": "#microsoft.graph.membersAddedEventMessageDetail", "members": []}
                if system
                else None
            ),
        }
        if replies is not None:
            body["replies"] = replies
        return body

    def chat_messages(self, uid: str, q: dict[str, str]) -> list[dict[str, Any]] | None:
        p = self.by_graph.get(uid)
        if p is None:
            return None
        flt = _bounds(q, "lastModifiedDateTime")
        out = []
        for cid in self.chats_of.get(p.key, []):
            for mid in self.messages.by_channel.get(cid, []):
                st = self.messages.by_id[mid]
                if _passes(st.modified, flt):
                    out.append(self._message(st))
        out.sort(key=lambda x: x["lastModifiedDateTime"])
        return out

    def teams(self, q: dict[str, str]) -> list[dict[str, Any]]:
        ids = sorted(
            {c.team_id for c in self.channels.values() if c.kind == "channel" and c.team_id}
        )
        return [{"id": t, "displayName": f"Team {t}"} for t in ids]

    def team_channels(self, tid: str, q: dict[str, str]) -> list[dict[str, Any]]:
        return [
            {"id": c.id, "displayName": c.name, "membershipType": "standard"}
            for c in self.channels.values()
            if c.kind == "channel" and c.team_id == tid
        ]

    def delta(
        self, tid: str, cid: str, q: dict[str, str]
    ) -> tuple[list[dict[str, Any]], str] | None:
        if cid not in self.channels:
            return None
        since = int(q.get("$deltatoken", "v0")[1:])
        expand = "replies" in q.get("$expand", "")
        roots: dict[str, list[MsgState]] = {}
        order: list[str] = []
        for mid in self.messages.by_channel.get(cid, []):
            st = self.messages.by_id[mid]
            root = st.msg.thread_root if st.msg.thread_root else mid
            if root not in roots:
                roots[root] = []
                order.append(root)
            if root != mid:
                roots[root].append(st)
        out = []
        for root in order:
            rst = self.messages.by_id.get(root)
            if rst is None:
                continue
            changed = rst.version > since or any(r.version > since for r in roots[root])
            if not changed:
                continue
            if rst.deleted_at is not None:
                if since:  # a first round simply leaves deleted roots out
                    out.append({"id": root, "@removed": {"reason": "deleted"}})
                continue
            replies = [self._message(r) for r in roots[root]] if expand else None
            out.append(self._message(rst, replies))
        return out, f"v{self.messages.version}"

    # calendar and meetings
    def _join_url(self, m: SimMeeting) -> str:
        return f"https://teams.microsoft.com/l/meetup-join/19%3ameeting_{m.id}%40thread.v2/0"

    def _event(self, m: SimMeeting, owner: SimPerson) -> dict[str, Any]:
        org = self.people.get(m.organizer)
        attendees = []
        for key, response in m.invitees:
            p = self.people.get(key)
            email = p.email if p else key
            attendees.append(
                {
                    "type": "required",
                    "status": {
                        "response": _RESPONSES.get(response.lower(), "none"),
                        "time": iso(m.start),
                    },
                    "emailAddress": {"name": p.name if p else key, "address": email},
                }
            )
        return {
            "id": f"AAMk{uuid.uuid5(_NS, m.id + owner.key).hex}",
            "iCalUId": f"040000008200E00074C5B7101A82E008{uuid.uuid5(_NS, m.id).hex}",
            "subject": m.subject,
            "isOrganizer": owner.key == m.organizer,
            "start": {"dateTime": _local(m.start), "timeZone": "UTC"},
            "end": {"dateTime": _local(m.end), "timeZone": "UTC"},
            "isOnlineMeeting": m.is_online,
            "onlineMeetingProvider": "teamsForBusiness" if m.is_online else "unknown",
            "onlineMeeting": {"joinUrl": self._join_url(m)} if m.is_online else None,
            "organizer": {
                "emailAddress": {
                    "name": org.name if org else m.organizer,
                    "address": org.email if org else m.organizer,
                }
            },
            "attendees": attendees,
        }

    def calendar(self, uid: str, q: dict[str, str]) -> list[dict[str, Any]] | None:
        p = self.by_graph.get(uid)
        if p is None:
            return None
        lo = parse_iso(q["startDateTime"]) if "startDateTime" in q else float("-inf")
        hi = parse_iso(q["endDateTime"]) if "endDateTime" in q else float("inf")
        return [
            self._event(m, p)
            for m in sorted(self.meetings.values(), key=lambda m: (m.start, m.id))
            if (m.organizer == p.key or any(k == p.key for k, _ in m.invitees))
            and m.end > lo
            and m.start < hi
        ]

    def online_meetings(self, uid: str, q: dict[str, str]) -> list[dict[str, Any]] | None:
        p = self.by_graph.get(uid)
        if p is None:
            return None
        want = [raw.strip("'") for name, op, raw in _filters(q) if name.lower() == "joinweburl"]
        return [
            {
                "id": f"MSo{m.id}",
                "joinWebUrl": self._join_url(m),
                "subject": m.subject,
                "startDateTime": iso(m.start),
                "endDateTime": iso(m.end),
            }
            for m in self.meetings.values()
            if m.is_online and m.organizer == p.key and self._join_url(m) in want
        ]

    def _meeting(self, uid: str, mid: str) -> SimMeeting | None:
        m = self.meetings.get(mid.removeprefix("MSo"))
        p = self.by_graph.get(uid)
        return m if m is not None and p is not None and m.organizer == p.key else None

    def reports(self, uid: str, mid: str, q: dict[str, str]) -> list[dict[str, Any]] | None:
        m = self._meeting(uid, mid)
        if m is None:
            return None
        if not m.attendance:
            return []
        return [
            {
                "id": f"ar-{m.id}",
                "totalParticipantCount": len(m.attendance),
                "meetingStartDateTime": iso(min(i[0] for a in m.attendance for i in a.intervals)),
                "meetingEndDateTime": iso(max(i[1] for a in m.attendance for i in a.intervals)),
            }
        ]

    def records(
        self, uid: str, mid: str, rid: str, q: dict[str, str]
    ) -> list[dict[str, Any]] | None:
        m = self._meeting(uid, mid)
        if m is None or rid != f"ar-{m.id}":
            return None
        out = []
        for a in m.attendance:
            p = self.people.get(a.person)
            intervals = [
                {"joinDateTime": iso(s), "leaveDateTime": iso(e), "durationInSeconds": int(e - s)}
                for s, e in a.intervals
            ]
            out.append(
                {
                    "id": p.graph_id if p else a.person,
                    "emailAddress": p.email if p else a.person,
                    "totalAttendanceInSeconds": sum(int(e - s) for s, e in a.intervals),
                    "role": a.role,
                    "identity": {
                        "id": p.graph_id if p else None,
                        "displayName": p.name if p else a.person,
                        "tenantId": None,
                    },
                    "attendanceIntervals": intervals,
                }
            )
        return out

    def _call_id(self, m: SimMeeting) -> str:
        return str(uuid.uuid5(_NS, "call:" + m.id))

    def _call(self, m: SimMeeting, expand: str) -> dict[str, Any]:
        org = self.people.get(m.organizer)
        video = any(a.video for a in m.attendance)
        rec: dict[str, Any] = {
            "id": self._call_id(m),
            "version": 1,
            "type": "groupCall",
            "modalities": ["audio", "video"] if video else ["audio"],
            "lastModifiedDateTime": iso(m.end + 600),
            "startDateTime": iso(m.start),
            "endDateTime": iso(m.end),
            "joinWebUrl": self._join_url(m),
            "organizer_v2": {
                "id": org.graph_id if org else m.organizer,
                "identity": {"user": _user_ident(org)},
            },
        }
        if "sessions" in expand:
            rec["sessions"] = [
                self._session(a.person, s, e, a.video) for a in m.attendance for s, e in a.intervals
            ]
        if "participants_v2" in expand:
            rec["participants_v2"] = [
                {
                    "id": self.people[a.person].graph_id,
                    "identity": {"user": _user_ident(self.people[a.person])},
                }
                for a in m.attendance
                if a.person in self.people
            ]
        return rec

    def _session(self, key: str, start: float, end: float, video: bool) -> dict[str, Any]:
        p = self.people.get(key)
        caller = {
            "@odata.type": "#microsoft.graph.callRecords.participantEndpoint",
            "name": f"machine-{key}",
            "userAgent": {
                "@odata.type": "#microsoft.graph.callRecords.clientUserAgent",
                "platform": "windows",
                "productFamily": "teams",
            },
            "associatedIdentity": _user_ident(p),
        }
        callee = {
            "@odata.type": "#microsoft.graph.callRecords.serviceEndpoint",
            "userAgent": {
                "@odata.type": "#microsoft.graph.callRecords.serviceUserAgent",
                "role": "conferencing",
            },
        }
        sid = str(uuid.uuid5(_NS, f"{key}:{start}"))
        times = {"startDateTime": iso(start), "endDateTime": iso(end)}
        return {
            "id": sid,
            "modalities": ["audio", "video"] if video else ["audio"],
            **times,
            "isTest": False,
            "caller": caller,
            "callee": callee,
            "segments": [{"id": sid, **times, "caller": caller, "callee": callee, "media": []}],
        }

    def call_records(self, q: dict[str, str]) -> list[dict[str, Any]]:
        flt = _bounds(q, "startDateTime")
        return [
            self._call(m, "")
            for m in sorted(self.meetings.values(), key=lambda m: (m.start, m.id))
            if m.is_online and m.attendance and _passes(m.start, flt)
        ]

    def call_record(self, cid: str, q: dict[str, str]) -> dict[str, Any] | None:
        for m in self.meetings.values():
            if m.is_online and m.attendance and self._call_id(m) == cid:
                return self._call(m, q.get("$expand", ""))
        return None

    # sign-ins
    def signins(self, q: dict[str, str]) -> list[dict[str, Any]]:
        flt = _bounds(q, "createdDateTime")
        out = []
        for i, s in enumerate(self.signin_log):
            if not _passes(s.ts, flt):
                continue
            p = self.people.get(s.person)
            app = s.client_app or "Microsoft Teams"
            remote = any(h in app.lower() for h in _REMOTE_HINTS)
            failed = "fail" in s.event
            out.append(
                {
                    "id": str(uuid.uuid5(_NS, f"signin:{s.person}:{s.ts}:{s.ip}:{s.event}:{i}")),
                    "createdDateTime": iso(s.ts),
                    "userDisplayName": p.name if p else s.user,
                    "userPrincipalName": p.email if p else s.user,
                    "userId": p.graph_id if p else None,
                    "appDisplayName": app,
                    "ipAddress": s.ip,
                    "clientAppUsed": "Mobile Apps and Desktop clients"
                    if remote or not s.user_agent
                    else "Browser",
                    "isInteractive": True,
                    "userAgent": s.user_agent,
                    "status": {
                        "errorCode": 50126 if failed else 0,
                        "failureReason": "Invalid username or password." if failed else None,
                    },
                    "deviceDetail": {
                        "deviceId": "",
                        "operatingSystem": s.device,
                        "browser": _browser(s.user_agent),
                    },
                    "location": {"city": s.city, "state": None, "countryOrRegion": s.country},
                }
            )
        return out


def _user_ident(p: SimPerson | None) -> dict[str, Any] | None:
    if p is None:
        return None
    return {"id": p.graph_id, "displayName": p.name, "userPrincipalName": p.email}


def _browser(ua: str | None) -> str | None:
    if not ua:
        return None
    for name in ("Edge", "Chrome", "Firefox", "Safari"):
        if name in ua:
            return name
    return "Other"


def _local(ts: float) -> str:
    return dt.datetime.fromtimestamp(ts, dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.0000000")


def _html(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
