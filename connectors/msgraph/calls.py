"""Call records -> per-participant presence: time in sessions and who sent camera video. Pure."""

from __future__ import annotations

from dataclasses import dataclass

from connectors.msgraph.fields import Json, child, children, enum, member, text
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


# documented enum members (Graph v1.0 callRecords metadata; msgraph's enums hold the same values)
STREAM_DIRECTIONS = frozenset({"callerToCallee", "calleeToCaller"})
VIDEO_CODECS = frozenset(
    {
        "unknown",
        "invalid",
        "av1",
        "h263",
        "h264",
        "h264s",
        "h264uc",
        "h265",
        "rtvc1",
        "rtVideo",
        "xrtvc1",
        "unknownFutureValue",
    }
)
MODALITIES = frozenset(
    {"audio", "video", "videoBasedScreenSharing", "data", "screenSharing", "unknownFutureValue"}
)
_PARTICIPANT = "#microsoft.graph.callRecords.participantEndpoint".casefold()


def _participant(endpoint: Json | None) -> Json | None:
    """The endpoint when it is a participant's; a service endpoint (a bot, a gateway) has no person.

    `endpoint` is abstract in Graph: `@odata.type` says which kind it is, and only
    participantEndpoint carries identities (msgraph's models read them for no other kind).
    """
    kind = text(endpoint, "@odata.type")
    return endpoint if kind is not None and kind.casefold() == _PARTICIPANT else None


def _endpoint_user(endpoint: Json | None) -> str | None:
    who = _participant(endpoint)
    assoc = text(child(who, "associatedIdentity"), "id")
    if assoc:
        return assoc
    return text(child(child(who, "identity"), "user"), "id") or None


def _endpoint_upn(endpoint: Json | None) -> str | None:
    """The UPN Graph gives a participant endpoint's associatedIdentity."""
    return text(child(_participant(endpoint), "associatedIdentity"), "userPrincipalName") or None


def is_camera_media(media: Json) -> bool:
    """A call-record media entry that is camera video (not audio, data or screen sharing).

    Teams labels media at negotiation: main-audio, main-video, panoramic-video,
    applicationsharing-video (screen sharing), data. Unlabelled media counts when a stream
    carries a video codec.
    """
    label = (text(media, "label") or "").lower()
    if any(x in label for x in ("applicationsharing", "screen", "vbss")):
        return False
    if label:
        return "video" in label
    return any(
        (enum(st, "videoCodec", VIDEO_CODECS) or "").lower()
        not in ("", "none", "unknown", "invalid")
        for st in children(media, "streams") or []
    )


def _video_senders(caller: str | None, callee: str | None, media: list[Json]) -> set[str]:
    out: set[str] = set()
    for m in media:
        if not is_camera_media(m):
            continue
        for st in children(m, "streams") or []:
            direction = enum(st, "streamDirection", STREAM_DIRECTIONS)
            sender = caller if direction == "callerToCallee" else callee
            if direction is not None and sender:
                out.add(sender)
    return out


def _modalities(session: Json) -> list[str | None]:
    """A session's modalities; Graph may send a flags enum as one comma-separated string."""
    raw = session.get("modalities")
    if isinstance(raw, str):
        values = [member(v.strip(), MODALITIES) for v in raw.split(",")] if raw else []
        return [v for v in values if v is not None]
    return [member(v, MODALITIES) for v in raw] if isinstance(raw, list) else []


def call_presence(record: Json) -> dict[str, CallPresence]:
    """Per participant user id: session time, and camera from who sent video in the media streams.

    A session's modalities list what was present between its two endpoints, not who sent it;
    only when no segment carries media detail do they decide (basis "modalities").
    """
    out: dict[str, CallPresence] = {}
    for p in children(record, "participants_v2") or []:
        uid = text(child(child(p, "identity"), "user"), "id")
        if uid:
            out.setdefault(uid, CallPresence())
    for s in children(record, "sessions") or []:
        start, end = ts(s.get("startDateTime")), ts(s.get("endDateTime"))
        caller, callee = child(s, "caller"), child(s, "callee")
        ends = [_endpoint_user(caller), _endpoint_user(callee)]
        with_media = [g for g in children(s, "segments") or [] if children(g, "media")]
        senders: set[str] = set()
        for g in with_media:
            senders |= _video_senders(
                _endpoint_user(child(g, "caller")) or ends[0],
                _endpoint_user(child(g, "callee")) or ends[1],
                children(g, "media") or [],
            )
        modal_video = "video" in _modalities(s)
        for uid, endpoint in zip(ends, (caller, callee), strict=True):
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


def call_organizer(record: Json) -> str | None:
    """The user id of a call record's organizer (`organizer_v2`), if a user organised it."""
    return text(child(child(child(record, "organizer_v2"), "identity"), "user"), "id") or None


def call_meeting_id(record: Json) -> str:
    """Fallback meeting id of a call record no calendar occurrence matched."""
    key = meeting_key(text(record, "joinWebUrl")) or f"call:{text(record, 'id')}"
    return occurrence_id(key, ts(record.get("startDateTime")) or 0.0)
