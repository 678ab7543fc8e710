"""The fake Graph's meeting, call-record and sign-in routes (calendar, attendance, callRecords, signIns).

`Renderer` (fake_graph_render.py) extends `MeetingRenderer` with the directory and message routes;
each route method returns a list (collection), a dict (entity) or None (404).
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any
from urllib.parse import urlencode

from commsignal.demo.fake_graph_odata import bounds, filters, iso, parse_iso, passes
from commsignal.demo.world import SimMeeting, SimPerson, World

_NS = uuid.UUID("3f1d7a52-8a3e-4c55-9e0f-2b1c6e5d9a10")
TENANT = "5b0c6a2e-7c1d-4e8f-9a3b-2d4e6f8a0c1e"
EXTERNAL_TENANT = "9e8d7c6b-5a4f-4e3d-8c2b-1a0f9e8d7c6b"
NO_MAILBOX = "REST API is not yet supported for this mailbox."
INACTIVE_MAILBOX = "The mailbox is either inactive, soft-deleted, or is hosted on-premise."
NO_LICENCE = (
    "Failed to get license information for the user. Ensure user has a valid Office365 license "
    "assigned to them."
)
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


class GraphError(Exception):
    """A Graph error answer a route gives for one request (status, error code, message)."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


class MeetingRenderer:
    """Routes over meetings and sign-ins: what the world's calendars, calls and logins look like."""

    def __init__(self, world: World, sessions_page: int = 60, media_detail: bool = True) -> None:
        self.sessions_page = sessions_page
        self.media_detail = media_detail  # False: segments without media, as some records come
        self.sessions_link_expand = True
        self._call_index: dict[str, SimMeeting] | None = None
        self.base_url = ""  # set by the server before each request: nextLinks are absolute
        self.people = {p.key: p for p in world.people if p.on_teams}
        self.by_graph = {p.graph_id: p for p in self.people.values()}
        self.meetings = {m.id: m for m in world.meetings}
        self.signin_log = sorted(
            (x for x in world.logins if x.source == "entra"), key=lambda x: x.ts, reverse=True
        )

    # per-user refusals Graph documents
    def _mailbox_owner(self, uid: str) -> SimPerson | None:
        """The user, if their mailbox answers; 404 MailboxNotEnabledForRESTAPI when it cannot."""
        p = self.by_graph.get(uid)
        if p is not None and not p.mailbox:
            raise GraphError(404, "MailboxNotEnabledForRESTAPI", NO_MAILBOX)
        if p is not None and not p.enabled:
            raise GraphError(404, "MailboxNotEnabledForRESTAPI", INACTIVE_MAILBOX)
        return p

    def _teams_user(self, p: SimPerson) -> None:
        """403 for Teams data of a user without a Teams licence."""
        if not p.teams_licence:
            raise GraphError(403, "Forbidden", NO_LICENCE)

    def _ident(self, key: str) -> dict[str, Any]:
        """identity of a tenant user, or of an external (home-tenant id, keyed by their email)."""
        p = self.people.get(key)
        if p is not None:
            return {"id": p.graph_id, "displayName": p.name, "tenantId": TENANT}
        return {
            "id": external_id(key),
            "displayName": key.split("@")[0],
            "tenantId": EXTERNAL_TENANT,
        }

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
        for room in m.rooms:
            attendees.append(
                {
                    "type": "resource",
                    "status": {"response": "accepted", "time": iso(m.start)},
                    "emailAddress": {"name": room.split("@")[0], "address": room},
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
        p = self._mailbox_owner(uid)
        if p is None:
            return None
        lo = parse_iso(q["startDateTime"]) if "startDateTime" in q else float("-inf")
        hi = parse_iso(q["endDateTime"]) if "endDateTime" in q else float("inf")
        return [
            self._event(m, p)
            for m in sorted(self.meetings.values(), key=lambda m: (m.start, m.id))
            if (m.organizer == p.key or any(k == p.key for k, _ in m.invitees))
            and m.call_type != "peerToPeer"  # ad-hoc calls are not on calendars
            and m.end > lo
            and m.start < hi
        ]

    def online_meetings(self, uid: str, q: dict[str, str]) -> list[dict[str, Any]] | None:
        p = self.by_graph.get(uid)
        if p is None:
            return None
        self._teams_user(p)
        want = [raw.strip("'") for name, op, raw in filters(q) if name.lower() == "joinweburl"]
        return [
            {
                "id": f"MSo{m.id}",
                "joinWebUrl": self._join_url(m),
                "subject": m.subject,
                "startDateTime": iso(m.start),
                "endDateTime": iso(m.end),
            }
            for m in self.meetings.values()
            if m.is_online
            and m.call_type != "peerToPeer"
            and m.organizer == p.key
            and self._join_url(m) in want
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
            ident = self._ident(a.person)
            out.append(
                {
                    "id": ident["id"],
                    "emailAddress": p.email if p else a.person,
                    "totalAttendanceInSeconds": sum(int(e - s) for s, e in a.intervals),
                    "role": a.role,
                    "identity": ident,
                    "attendanceIntervals": intervals,
                }
            )
        return out

    def _call_id(self, m: SimMeeting) -> str:
        return str(uuid.uuid5(_NS, "call:" + m.id))

    def _call(self, m: SimMeeting, expand: str) -> dict[str, Any]:
        org = self.people.get(m.organizer)
        video = any(a.video for a in m.attendance)
        p2p = m.call_type == "peerToPeer"
        rec: dict[str, Any] = {
            "id": self._call_id(m),
            "version": 1,
            "type": "peerToPeer" if p2p else "groupCall",
            "modalities": ["audio", "video"] if video else ["audio"],
            "lastModifiedDateTime": iso(m.end + 600),
            "startDateTime": iso(m.start),
            "endDateTime": iso(m.end),
            "joinWebUrl": None if p2p else self._join_url(m),
            "organizer_v2": {
                "id": org.graph_id if org else m.organizer,
                "identity": {"user": self._ident(m.organizer)},
            },
        }
        if "sessions" in expand:
            sessions = self._sessions(m)
            rec["sessions"] = sessions[: self.sessions_page]
            if len(sessions) > self.sessions_page:
                # a call record inlines at most 60 sessions and links to the rest
                args = {"$skiptoken": f"o{self.sessions_page}"}
                if self.sessions_link_expand:
                    args = {"$expand": "segments", **args}
                rec["sessions@odata.nextLink"] = (
                    f"{self.base_url}/v1.0/communications/callRecords/{rec['id']}/sessions?"
                    + urlencode(args)
                )
        if "participants_v2" in expand:
            rec["participants_v2"] = [
                {"id": self._ident(a.person)["id"], "identity": {"user": self._ident(a.person)}}
                for a in m.attendance
            ]
        return rec

    def _sessions(self, m: SimMeeting) -> list[dict[str, Any]]:
        """Sessions in Graph's shape: participant <-> conferencing service, or the two ends of a p2p call."""
        if m.call_type == "peerToPeer" and len(m.attendance) >= 2:
            a, b = m.attendance[0], m.attendance[1]
            return [
                self._session(
                    self._participant(a.person), self._participant(b.person), s, e, a.video, b.video
                )
                for s, e in a.intervals
            ]
        out = []
        for a in m.attendance:
            # a participant receives video whenever someone else sends it
            others = any(o.video for o in m.attendance if o is not a)
            for s, e in a.intervals:
                out.append(
                    self._session(self._participant(a.person), _SERVICE, s, e, a.video, others)
                )
        return out

    def _participant(self, key: str) -> dict[str, Any]:
        p = self.people.get(key)
        ident = self._ident(key)
        return {
            "@odata.type": "#microsoft.graph.callRecords.participantEndpoint",
            "name": f"machine-{key}",
            "userAgent": {
                "@odata.type": "#microsoft.graph.callRecords.clientUserAgent",
                "platform": "windows",
                "productFamily": "teams",
            },
            "associatedIdentity": {**ident, "userPrincipalName": (p.upn or p.email) if p else key},
        }

    def _session(
        self,
        caller: dict[str, Any],
        callee: dict[str, Any],
        start: float,
        end: float,
        caller_video: bool,
        callee_video: bool,
    ) -> dict[str, Any]:
        """One session with one segment whose media streams say which side sent video."""
        sid = str(uuid.uuid5(_NS, f"{caller.get('name')}:{callee.get('name')}:{start}"))
        times = {"startDateTime": iso(start), "endDateTime": iso(end)}
        media = [_media("main-audio", ["callerToCallee", "calleeToCaller"])]
        sent = [
            d
            for d, on in (("callerToCallee", caller_video), ("calleeToCaller", callee_video))
            if on
        ]
        if sent:
            media.append(_media("main-video", sent))
        return {
            "id": sid,
            # what was present between the two ends, whoever sent it
            "modalities": ["audio", "video"] if sent else ["audio"],
            **times,
            "isTest": False,
            "caller": caller,
            "callee": callee,
            "segments": [
                {
                    "id": sid,
                    **times,
                    "caller": caller,
                    "callee": callee,
                    "media": media if self.media_detail else [],
                }
            ],
        }

    def _calls(self) -> list[SimMeeting]:
        return [
            m
            for m in sorted(self.meetings.values(), key=lambda m: (m.start, m.id))
            if m.is_online and m.attendance
        ]

    def call_records(self, q: dict[str, str]) -> list[dict[str, Any]]:
        flt = bounds(q, "startDateTime")
        return [self._call(m, "") for m in self._calls() if passes(m.start, flt)]

    def _by_call_id(self, cid: str) -> SimMeeting | None:
        if self._call_index is None:
            self._call_index = {self._call_id(m): m for m in self._calls()}
        return self._call_index.get(cid)

    def call_record(self, cid: str, q: dict[str, str]) -> dict[str, Any] | None:
        m = self._by_call_id(cid)
        return self._call(m, q.get("$expand", "")) if m is not None else None

    def sessions(self, cid: str, q: dict[str, str]) -> list[dict[str, Any]] | None:
        m = self._by_call_id(cid)
        if m is None:
            return None
        if "segments" in q.get("$expand", ""):
            return self._sessions(m)
        return [{k: v for k, v in s.items() if k != "segments"} for s in self._sessions(m)]

    def segments(self, cid: str, sid: str, q: dict[str, str]) -> list[dict[str, Any]] | None:
        m = self._by_call_id(cid)
        found = [s for s in self._sessions(m) if s["id"] == sid] if m is not None else []
        return list(found[0]["segments"]) if found else None

    # sign-ins
    def signins(self, q: dict[str, str]) -> list[dict[str, Any]]:
        flt = bounds(q, "createdDateTime")
        out = []
        for i, s in enumerate(self.signin_log):
            if not passes(s.ts, flt):
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
                    "userPrincipalName": (p.upn or p.email) if p else s.user,
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
                        "deviceId": s.device_id or "",
                        "displayName": s.device_name,
                        "operatingSystem": s.device,
                        "browser": _browser(s.user_agent),
                        "isManaged": bool(s.device_id),
                        "trustType": "Azure AD joined" if s.device_id else None,
                    },
                    "location": {"city": s.city, "state": None, "countryOrRegion": s.country},
                }
            )
        return out


_SERVICE: dict[str, Any] = {
    "@odata.type": "#microsoft.graph.callRecords.serviceEndpoint",
    "name": "conferencing",
    "userAgent": {
        "@odata.type": "#microsoft.graph.callRecords.serviceUserAgent",
        "role": "conferencing",
    },
}


def external_id(email: str) -> str:
    """An external attendee's object id in their home tenant (stable per email)."""
    return str(uuid.uuid5(_NS, "external:" + email.lower()))


def _media(label: str, directions: list[str]) -> dict[str, Any]:
    return {
        "label": label,
        "streams": [
            {"streamId": f"{label}-{n}", "streamDirection": d} for n, d in enumerate(directions)
        ],
    }


def _browser(ua: str | None) -> str | None:
    if not ua:
        return None
    for name in ("Edge", "Chrome", "Firefox", "Safari"):
        if name in ua:
            return name
    return "Other"


def _local(ts: float) -> str:
    return dt.datetime.fromtimestamp(ts, dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.0000000")
