"""Attended time: how long a session was continuously in use, not how long it stayed logged on.

A session's span (logon to logoff) says little on its own: most people lock instead of logging
off, so a Friday logon unlocked on Monday spans a weekend nobody worked. What marks an account
worked in shifts is activity that keeps arriving through the night. So the attended stretch is
the longest chain of evidence inside one session (its own events, the person's messages and
sign-ins) in which consecutive points are never further apart than:

- `GAP_UNLOCKED_S` while the console is unlocked and connected: shorter than any night's sleep
  (a parent or an early riser glancing at the phone at 00:30 and 06:00 still slept five hours),
  longer than a meeting-heavy afternoon without a message;
- `GAP_LOCKED_S` while it is locked or disconnected: activity must keep coming densely through a
  lock to bridge it. When it does, the console was locked while someone worked through another
  channel (a phone, a remote-access tool), which the finding reports as evidence in itself.

Locked and disconnected time with no activity breaks the chain, so it never counts.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Sequence
from dataclasses import dataclass

GAP_UNLOCKED_S = 5 * 3600.0
GAP_LOCKED_S = 2 * 3600.0


@dataclass(frozen=True, slots=True)
class Attended:
    """The longest attended stretch of one session."""

    seconds: float
    start: float
    end: float
    locked_seconds: float = 0.0
    locked_events: int = 0
    evidence: int = 0


def longest_attended(
    start: float,
    stop: float,
    active_spans: Sequence[tuple[float, float]],
    evidence: Sequence[float],
    gap_unlocked_s: float = GAP_UNLOCKED_S,
    gap_locked_s: float = GAP_LOCKED_S,
) -> Attended:
    """The longest stretch of one session through which activity kept arriving.

    Args:
        start: session start (epoch seconds).
        stop: session end, or its last evidence when no end was seen.
        active_spans: unlocked and connected spans of the session, sorted, not overlapping.
        evidence: sorted timestamps of the person's activity (any source).
        gap_unlocked_s: longest gap bridged while unlocked.
        gap_locked_s: longest gap bridged while locked or disconnected.

    Returns:
        The stretch, with how much of it the console was locked and how many events arrived then.
    """
    spans = sorted((a, b) for a, b in active_spans if b > a)
    starts = [a for a, _ in spans]
    lo, hi = bisect_left(evidence, start), bisect_right(evidence, stop)
    points = sorted({start, stop, *evidence[lo:hi], *(x for ab in spans for x in ab)})
    points = [p for p in points if start <= p <= stop]
    best = Attended(0.0, start, start)
    if len(points) < 2:
        return best
    chain_start = 0
    locked_s = 0.0
    locked_n = 0
    for i in range(1, len(points)):
        a, b = points[i - 1], points[i]
        inside = _inside(spans, starts, a, b)
        if b - a > (gap_unlocked_s if inside else gap_locked_s):
            chain_start, locked_s, locked_n = i, 0.0, 0
            continue
        if not inside:
            locked_s += b - a
            if not _inside(spans, starts, b, b):
                locked_n += 1
        length = b - points[chain_start]
        if length > best.seconds:
            best = Attended(length, points[chain_start], b, locked_s, locked_n, i - chain_start + 1)
    return best


def _inside(spans: list[tuple[float, float]], starts: list[float], a: float, b: float) -> bool:
    i = bisect_right(starts, a) - 1
    return i >= 0 and spans[i][0] <= a and b <= spans[i][1]
