"""The fake Graph's call-record routes: sessions between two endpoints, media streams, paging.

A group call is one session per participant join between their client and the conferencing
service; a peer-to-peer call one session between the two clients. Each segment's media streams
say which side sent camera video (`streamDirection`); the session's modalities only say video
was present. `MeetingRenderer` (fake_graph_meetings.py) builds on this with calendars,
attendance and sign-ins.
"""

from __future__ import annotations

import uuid
from typing import Any
from urllib.parse import urlencode

from commsignal.demo.fake_graph_odata import bounds, iso, passes
from commsignal.demo.world import SimMeeting, World

GRAPH_NS = uuid.UUID("3f1d7a52-8a3e-4c55-9e0f-2b1c6e5d9a10")
TENANT = "5b0c6a2e-7c1d-4e8f-9a3b-2d4e6f8a0c1e"
EXTERNAL_TENANT = "9e8d7c6b-5a4f-4e3d-8c2b-1a0f9e8d7c6b"


class CallRenderer:
    """Routes over the world's Teams calls (call records, sessions, segments) and who is who."""

    def __init__(self, world: World, sessions_page: int = 60, media_detail: bool = True) -> None:
        self.sessions_page = sessions_page
        self.media_detail = media_detail  # False: segments without media, as some records come
        self.sessions_link_expand = True
        self._call_index: dict[str, SimMeeting] | None = None
        self.base_url = ""  # set by the server before each request: nextLinks are absolute
        self.people = {p.key: p for p in world.people if p.on_teams}
        self.by_graph = {p.graph_id: p for p in self.people.values()}
        self.meetings = {m.id: m for m in world.meetings}

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

    def _join_url(self, m: SimMeeting) -> str:
        return f"https://teams.microsoft.com/l/meetup-join/19%3ameeting_{m.id}%40thread.v2/0"

    def _call_id(self, m: SimMeeting) -> str:
        return str(uuid.uuid5(GRAPH_NS, "call:" + m.id))

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
        sid = str(uuid.uuid5(GRAPH_NS, f"{caller.get('name')}:{callee.get('name')}:{start}"))
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
    return str(uuid.uuid5(GRAPH_NS, "external:" + email.lower()))


def _media(label: str, directions: list[str]) -> dict[str, Any]:
    return {
        "label": label,
        "streams": [
            {"streamId": f"{label}-{n}", "streamDirection": d} for n, d in enumerate(directions)
        ],
    }
