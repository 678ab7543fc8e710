"""Call records -> per-participant presence: time in sessions and who sent camera video. Pure."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from connectors.msgraph.mapping import meeting_key, occurrence_id, ts


@dataclass(slots=True)
class CallPresence:
    """One participant's part of a call record: time in sessions and whether they sent video.

    `basis` says how `video` was decided: "streams" (the segments' media streams name the
    sending side) or "modalities" (no media detail: a session listed video, sent by either end).
    """

    seconds: int = 0
    first_ts: float | None = None
    last_ts: float | None = None
    video: bool = False
    basis: str = "streams"
    upn: str | None = None
    streams_seen: bool = False
    modal_video: bool = False


def _endpoint_user(endpoint: Any) -> str | None:
    assoc = getattr(endpoint, "associated_identity", None)
    if assoc is not None and assoc.id:
        return str(assoc.id)
    ident = getattr(endpoint, "identity", None)
    if ident is not None and ident.user is not None and ident.user.id:
        return str(ident.user.id)
    return None


def _endpoint_upn(endpoint: Any) -> str | None:
    """The UPN Graph gives an endpoint's associatedIdentity (parsed as identity: extra data)."""
    assoc = getattr(endpoint, "associated_identity", None)
    if assoc is None:
        return None
    upn = getattr(assoc, "user_principal_name", None)
    upn = upn or (getattr(assoc, "additional_data", None) or {}).get("userPrincipalName")
    return str(upn) if upn else None


def _value(x: Any) -> str:
    return str(x.value if hasattr(x, "value") else x or "").lower()


def is_camera_media(media: Any) -> bool:
    """A call-record media entry that is camera video (not audio, data or screen sharing).

    Teams labels media at negotiation: main-audio, main-video, panoramic-video,
    applicationsharing-video (screen sharing), data. Unlabelled media counts when a stream
    carries a video codec.
    """
    label = (media.label or "").lower()
    if any(x in label for x in ("applicationsharing", "screen", "vbss")):
        return False
    if label:
        return "video" in label
    return any(
        _value(st.video_codec) not in ("", "none", "unknown", "invalid")
        for st in media.streams or []
    )


def _video_senders(caller: str | None, callee: str | None, media: list[Any]) -> set[str]:
    out: set[str] = set()
    for m in media:
        if not is_camera_media(m):
            continue
        for st in m.streams or []:
            direction = _value(st.stream_direction)
            sender = caller if direction == "callertocallee" else callee
            if direction in ("callertocallee", "calleetocaller") and sender:
                out.add(sender)
    return out


def call_presence(record: Any) -> dict[str, CallPresence]:
    """Per participant user id: session time, and camera from who sent video in the media streams.

    A session's modalities list what was present between its two endpoints, not who sent it;
    only when no segment carries media detail do they decide (basis "modalities").
    """
    out: dict[str, CallPresence] = {}
    for p in record.participants_v2 or []:
        uid = p.identity.user.id if p.identity is not None and p.identity.user is not None else None
        if uid:
            out.setdefault(str(uid), CallPresence())
    for s in record.sessions or []:
        start, end = ts(s.start_date_time), ts(s.end_date_time)
        ends = [_endpoint_user(s.caller), _endpoint_user(s.callee)]
        with_media = [g for g in s.segments or [] if g.media]
        senders: set[str] = set()
        for g in with_media:
            senders |= _video_senders(
                _endpoint_user(g.caller) or ends[0], _endpoint_user(g.callee) or ends[1], g.media
            )
        modal_video = any(_value(m) == "video" for m in s.modalities or [])
        for uid, endpoint in zip(ends, (s.caller, s.callee), strict=True):
            if uid is None:
                continue
            cp = out.setdefault(uid, CallPresence())
            cp.upn = cp.upn or _endpoint_upn(endpoint)
            if with_media:
                cp.streams_seen = True
                cp.video = cp.video or uid in senders
            else:
                cp.modal_video = cp.modal_video or modal_video
            if start is not None and end is not None:
                cp.seconds += int(end - start)
                cp.first_ts = start if cp.first_ts is None else min(cp.first_ts, start)
                cp.last_ts = end if cp.last_ts is None else max(cp.last_ts, end)
    for cp in out.values():
        if not cp.video and cp.modal_video:
            cp.video, cp.basis = True, "modalities"
        elif not cp.streams_seen and not cp.video:
            cp.basis = "modalities"
    return out


def call_meeting_id(record: Any) -> str:
    """Fallback meeting id of a call record no calendar occurrence matched."""
    return occurrence_id(
        meeting_key(record.join_web_url) or f"call:{record.id}", ts(record.start_date_time) or 0.0
    )
