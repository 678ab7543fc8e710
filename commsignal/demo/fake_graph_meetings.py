"""The fake Graph's meeting, call-record and sign-in routes (calendar, attendance, callRecords, signIns).

`Renderer` (fake_graph_render.py) extends `MeetingRenderer` with the directory and message routes;
each route method returns a list (collection), a dict (entity) or None (404).
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from commsignal.demo.fake_graph_odata import bounds, filters, iso, parse_iso, passes
from commsignal.demo.world import SimMeeting, SimPerson, World

_NS = uuid.UUID("3f1d7a52-8a3e-4c55-9e0f-2b1c6e5d9a10")
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


class MeetingRenderer:
    """Routes over meetings and sign-ins: what the world's calendars, calls and logins look like."""

    def __init__(self, world: World) -> None:
        self.people = {p.key: p for p in world.people if p.on_teams}
        self.by_graph = {p.graph_id: p for p in self.people.values()}
        self.meetings = {m.id: m for m in world.meetings}
        self.signin_log = sorted(
            (x for x in world.logins if x.source == "entra"), key=lambda x: x.ts, reverse=True
        )

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
        flt = bounds(q, "startDateTime")
        return [
            self._call(m, "")
            for m in sorted(self.meetings.values(), key=lambda m: (m.start, m.id))
            if m.is_online and m.attendance and passes(m.start, flt)
        ]

    def call_record(self, cid: str, q: dict[str, str]) -> dict[str, Any] | None:
        for m in self.meetings.values():
            if m.is_online and m.attendance and self._call_id(m) == cid:
                return self._call(m, q.get("$expand", ""))
        return None

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
