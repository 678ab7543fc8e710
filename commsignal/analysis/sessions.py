"""Login events to sessions: when each logon started, how long it really lasted, and how it ended.

The strongest insider-risk signal is a session that never ends, so the rules below never cut a
session short for lack of an end event:

- Events pair by session key (Windows logon id per host, Okta externalSessionId, CSV session_id);
  events without a key pair by user + device order (a new logon on the device starts a new session).
- A session ends at its `logoff`. Without one it ends at a `lock` never followed by an unlock
  (end_reason "lock": the person walked away; a later logon elsewhere does not change that), or at
  an RDP `disconnect` never followed by a reconnect ("disconnect"). An unlocked or reconnected
  session simply continues; locked and disconnected time is left out of `active_seconds`.
- A session still active after its last own event is measured up to the last evidence of activity
  of the same person (any login event, sign-in or message) reached through gaps of at most
  `idle_timeout_s`. If the evidence simply runs out the session is "open" (end_ts None); if the
  next evidence comes only after a longer gap, or a new logon on the same key/device supersedes it,
  it ends at the last evidence with "timeout". Two events with the same key are always one session
  (the key proves continuity) unless they are more than `max_gap_s` apart (logon ids are reused
  after a reboot).
- An open session whose user logs on again on the same device (under a new key) ends at the last
  evidence before that logon ("replaced"): a machine runs one session of a user at a time, so
  chained logons without logoffs are measured one by one instead of overlapping.
- A logoff (or lock/disconnect) with no logon before it still counts as evidence: it becomes a
  session that starts at its first event, so a lone logoff is a zero-length session with end_reason
  "logoff". Nothing is dropped and nothing crashes.
- Sign-ins are point events: evidence of activity that also lends its IP, country and client app to
  every session of the person it falls in; they never make a session on their own.
- Failed logons (success = False) are neither sessions nor evidence.
"""

from __future__ import annotations

import hashlib
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from operator import attrgetter
from typing import Any

from commsignal.models import LoginEvent, Session

DEFAULT_IDLE_TIMEOUT_S = 24 * 3600.0
"""A night without evidence must not cut a session: a day is the shortest gap that means 'gone'."""
DEFAULT_MAX_GAP_S = 31 * 24 * 3600.0
"""Events of one key further apart than this are two sessions (a reboot reused the logon id)."""

# order of events at the same instant: a logon precedes what happens in it, a logoff ends it
_RANK = {
    "logon": 0,
    "reconnect": 1,
    "unlock": 2,
    "signin": 3,
    "lock": 4,
    "disconnect": 5,
    "logoff": 6,
}


@dataclass(slots=True)
class LoginEv:
    """One login event reduced to what session reconstruction reads, sortable by (ts, rank)."""

    ts: float
    rank: int
    event: str
    user: str
    source: str
    group: tuple[str, ...]
    logon_type: str | None
    ip: str | None
    device: str | None
    client_app: str | None
    country: str | None


def _get(row: Any, name: str) -> Any:
    if isinstance(row, Mapping):
        return row.get(name)
    return getattr(row, name, None)


def _to_ev(row: LoginEvent | Mapping[str, Any]) -> LoginEv | None:
    return make_event(*(_get(row, c) for c in EVENT_COLUMNS))


EVENT_COLUMNS = (
    "user",
    "source",
    "ts",
    "event",
    "session_key",
    "logon_type",
    "ip",
    "device",
    "client_app",
    "country",
    "success",
    "host",
)


def make_event(
    user: Any,
    source: Any,
    ts: Any,
    event: Any,
    key: Any,
    logon_type: Any,
    ip: Any,
    device: Any,
    client_app: Any,
    country: Any,
    success: Any,
    host: Any,
) -> LoginEv | None:
    if (success is not None and not success) or event not in _RANK:
        return None
    if key:
        # Windows logon ids are unique per host only, so the host is part of the key
        group: tuple[str, ...] = (user, source, "key", str(host or device or ""), str(key))
    else:
        group = (user, source, "dev", str(device or host or ip or ""))
    # positional, in field order: keywords cost a third more on this per-event path
    return LoginEv(
        float(ts),
        _RANK[event],
        event,
        user,
        source,
        group,
        logon_type,
        ip,
        device or host,
        client_app,
        country,
    )


_BY_TIME = attrgetter("ts", "rank")


@dataclass(slots=True)
class _Segment:
    events: list[LoginEv] = field(default_factory=list)
    ended: bool = False
    superseded_at: float | None = None


def rebuild_sessions(
    events: Iterable[LoginEvent | Mapping[str, Any]],
    idle_timeout_s: float = DEFAULT_IDLE_TIMEOUT_S,
    max_gap_s: float = DEFAULT_MAX_GAP_S,
    activity: Mapping[str, Iterable[float]] | None = None,
) -> list[Session]:
    """Reconstruct the sessions of every user in `events` (see the module docstring for the rules).

    Args:
        events: LoginEvents or rows with the login_events columns, in any order.
        idle_timeout_s: longest gap in evidence that still continues an unended session.
        max_gap_s: longest gap between two events of one session key.
        activity: extra evidence of activity per user (e.g. message timestamps).

    Returns:
        Sessions sorted by user and start.
    """
    by_user: dict[str, list[LoginEv]] = {}
    for row in events:
        ev = _to_ev(row)
        if ev is not None:
            by_user.setdefault(ev.user, []).append(ev)
    out: list[Session] = []
    for user in sorted(by_user):
        extra = list(activity.get(user, ())) if activity else []
        out.extend(sessionise_person(by_user[user], extra, idle_timeout_s, max_gap_s))
    return out


def sessionise_person(
    evs: list[LoginEv], extra_evidence: Sequence[float], idle_timeout_s: float, max_gap_s: float
) -> list[Session]:
    """Sessions of one person (possibly several user names) from their events and other evidence.

    Args:
        evs: the person's successful login events, any order.
        extra_evidence: other timestamps of activity (messages).
        idle_timeout_s: see `rebuild_sessions`.
        max_gap_s: see `rebuild_sessions`.

    Returns:
        Sessions sorted by user and start.
    """
    evs.sort(key=_BY_TIME)
    evidence = sorted([e.ts for e in evs] + list(extra_evidence))
    run_end = _runs(evidence, idle_timeout_s)
    signins = [e for e in evs if e.event == "signin"]
    signin_ts = [e.ts for e in signins]
    groups: dict[tuple[str, ...], list[LoginEv]] = {}
    for e in evs:
        if e.event != "signin":
            groups.setdefault(e.group, []).append(e)
    sessions = []
    for group, gevs in groups.items():
        for seg in _segments(gevs, group[2] == "key", max_gap_s):
            s = _session(seg, group, evidence, run_end, idle_timeout_s)
            _add_signins(s, signins, signin_ts)
            sessions.append(s)
    _close_replaced(sessions, evidence)
    sessions.sort(key=lambda s: (s.user, s.start_ts, s.session_id))
    return sessions


def _close_replaced(sessions: list[Session], evidence: list[float]) -> None:
    """End an open session where the same user next logs on to the same device.

    Without this, every logon-without-logoff on one machine would stay open up to the person's
    last activity and the sessions would overlap, overstating each one's length. Sessions on
    different devices keep overlapping: that is the shared-account signal.
    """
    by_device: dict[tuple[str, str], list[Session]] = {}
    for s in sessions:
        if (
            s.logon_type == "7"
        ):  # a Windows unlock validates the running session; it replaces nothing
            continue
        for device in s.devices:
            by_device.setdefault((s.user, device), []).append(s)
    for group in by_device.values():
        group.sort(key=lambda s: s.start_ts)
        for earlier, later in zip(group, group[1:], strict=False):
            if earlier.end_ts is not None or later.start_ts <= earlier.start_ts:
                continue
            i = bisect_left(evidence, later.start_ts) - 1
            last = max(earlier.start_ts, evidence[i] if i >= 0 else earlier.start_ts)
            earlier.end_ts = earlier.last_seen_ts = min(earlier.last_seen_ts, last)
            earlier.end_reason = "replaced"
            earlier.active_spans = [(a, min(b, last)) for a, b in earlier.active_spans if a <= last]
            earlier.active_seconds = sum(b - a for a, b in earlier.active_spans)


def _runs(evidence: list[float], gap: float) -> list[int]:
    # run_end[i]: last index reachable from i through gaps <= gap; O(n) once, O(1) per session
    n = len(evidence)
    run_end = [0] * n
    for i in range(n - 1, -1, -1):
        run_end[i] = run_end[i + 1] if i + 1 < n and evidence[i + 1] - evidence[i] <= gap else i
    return run_end


def _segments(gevs: list[LoginEv], keyed: bool, max_gap_s: float) -> Iterator[_Segment]:
    cur: _Segment | None = None
    for e in gevs:
        if e.event == "logon":
            if cur is not None:
                if not cur.ended:
                    cur.superseded_at = e.ts
                yield cur
            cur = _Segment([e])
        elif cur is None:
            cur = _Segment([e], ended=e.event == "logoff")
        elif cur.ended:
            if e.event == "logoff":
                cur.events.append(e)  # 4647 then 4634: one logoff reported twice
            else:
                yield cur
                cur = _Segment([e])
        elif keyed and e.ts - cur.events[-1].ts > max_gap_s:
            yield cur
            cur = _Segment([e], ended=e.event == "logoff")
        else:
            cur.events.append(e)
            cur.ended = e.event == "logoff"
    if cur is not None:
        yield cur


def _session(
    seg: _Segment,
    group: tuple[str, ...],
    evidence: list[float],
    run_end: list[int],
    idle_timeout_s: float,
) -> Session:
    first = seg.events[0]
    start = first.ts
    # a session first seen at a lock or disconnect was active before it, but since when is unknown
    active_since: float | None = (
        start if first.event not in ("lock", "disconnect", "logoff") else None
    )
    locked_at: float | None = start if first.event == "lock" else None
    disconnected_at: float | None = start if first.event == "disconnect" else None
    spans: list[tuple[float, float]] = []
    end_ts: float | None = None
    end_reason = "open"
    logon_type = first.logon_type if first.event == "logon" else None

    def close(ts: float) -> None:
        nonlocal active_since
        if active_since is not None and ts > active_since:
            spans.append((active_since, ts))
        active_since = None

    for e in seg.events[1:] if first.event != "logoff" else ():
        if e.event == "lock":
            if locked_at is None:
                locked_at = e.ts
            close(e.ts)
        elif e.event == "unlock":
            locked_at = None
            if disconnected_at is None and active_since is None:
                active_since = e.ts
        elif e.event == "disconnect":
            if disconnected_at is None:
                disconnected_at = e.ts
            close(e.ts)
        elif e.event == "reconnect":
            disconnected_at = None
            if locked_at is None and active_since is None:
                active_since = e.ts
        elif e.event == "logoff":
            close(e.ts)
            end_ts, end_reason = e.ts, "logoff"
            break
        elif e.event == "logon" and logon_type is None:
            logon_type = e.logon_type
    last_own = seg.events[-1].ts
    last_seen = last_own
    if first.event == "logoff":
        end_ts, end_reason = start, "logoff"
    elif end_ts is None and (locked_at is not None or disconnected_at is not None):
        # ended by walking away: whichever of lock and disconnect came first and was never undone
        pending = [
            (t, r)
            for t, r in ((locked_at, "lock"), (disconnected_at, "disconnect"))
            if t is not None
        ]
        end_ts, end_reason = min(pending)  # type: ignore[type-var]
    elif end_ts is None:
        last_seen, end_reason = _extend(
            last_own, seg.superseded_at, evidence, run_end, idle_timeout_s
        )
        close(last_seen)
        end_ts = last_seen if end_reason == "timeout" else None
    if end_ts is not None:
        last_seen = max(last_seen, end_ts)
    s = Session(
        session_id=_session_id(first.user, first.source, start, group),
        user=first.user,
        source=first.source,
        start_ts=start,
        end_ts=end_ts,
        last_seen_ts=last_seen,
        end_reason=end_reason,
        logon_type=logon_type,
        active_spans=spans,
        active_seconds=float(sum(b - a for a, b in spans)),
    )
    # first-seen order without duplicates, as `_collect` builds them, in one pass per field
    evs = seg.events
    s.ips.extend(v for v in dict.fromkeys(e.ip for e in evs) if v)
    s.devices.extend(v for v in dict.fromkeys(e.device for e in evs) if v)
    s.client_apps.extend(v for v in dict.fromkeys(e.client_app for e in evs) if v)
    s.countries.extend(v for v in dict.fromkeys(e.country for e in evs) if v)
    return s


def _extend(
    last_own: float,
    bound: float | None,
    evidence: list[float],
    run_end: list[int],
    idle_timeout_s: float,
) -> tuple[float, str]:
    # follow the evidence after the session's last own event while every gap stays within the timeout
    i = bisect_right(evidence, last_own)
    limit = len(evidence) if bound is None else bisect_left(evidence, bound)
    if i >= limit or evidence[i] - last_own > idle_timeout_s:
        return last_own, "open" if i >= len(evidence) else "timeout"
    j = min(run_end[i], limit - 1)
    return evidence[j], "open" if j == len(evidence) - 1 else "timeout"


def _collect(s: Session, e: LoginEv) -> None:
    for value, bucket in (
        (e.ip, s.ips),
        (e.device, s.devices),
        (e.client_app, s.client_apps),
        (e.country, s.countries),
    ):
        if value and value not in bucket:
            bucket.append(value)


def _add_signins(s: Session, signins: list[LoginEv], signin_ts: list[float]) -> None:
    end = s.end_ts if s.end_ts is not None else s.last_seen_ts
    for k in range(bisect_left(signin_ts, s.start_ts), bisect_right(signin_ts, end)):
        _collect(s, signins[k])


def _session_id(user: str, source: str, start: float, group: tuple[str, ...]) -> str:
    raw = "\x1f".join((user, source, f"{start:.6f}", *group[2:]))
    return "s:" + hashlib.sha256(raw.encode("utf-8")).hexdigest()[:32]
