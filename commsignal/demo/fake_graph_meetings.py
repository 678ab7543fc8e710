"""The fake Graph's meeting and sign-in routes (calendar, onlineMeetings, attendance, signIns).

`MeetingRenderer` extends `CallRenderer` (call records, fake_graph_calls.py); `Renderer`
(fake_graph_render.py) extends it with the directory and message routes. Each route method
returns a list (collection), a dict (entity) or None (404).
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from commsignal.demo.fake_graph_calls import GRAPH_NS, CallRenderer
from commsignal.demo.fake_graph_odata import bounds, filters, iso, parse_iso, passes
from commsignal.demo.world import SimMeeting, SimPerson, World

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


class MeetingRenderer(CallRenderer):
    """Routes over meetings and sign-ins: what the world's calendars, calls and logins look like."""

    def __init__(self, world: World, sessions_page: int = 60, media_detail: bool = True) -> None:
        super().__init__(world, sessions_page, media_detail)
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

    # calendar and meetings
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
            "id": f"AAMk{uuid.uuid5(GRAPH_NS, m.id + owner.key).hex}",
            "iCalUId": f"040000008200E00074C5B7101A82E008{uuid.uuid5(GRAPH_NS, m.id).hex}",
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
                    "id": str(
                        uuid.uuid5(GRAPH_NS, f"signin:{s.person}:{s.ts}:{s.ip}:{s.event}:{i}")
                    ),
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


def _browser(ua: str | None) -> str | None:
    if not ua:
        return None
    for name in ("Edge", "Chrome", "Firefox", "Safari"):
        if name in ua:
            return name
    return "Other"


def _local(ts: float) -> str:
    return dt.datetime.fromtimestamp(ts, dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.0000000")
