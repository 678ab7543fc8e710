"""A week's activity as counts per UTC hour of the day, and what its shape says.

Where the working day falls (share inside 08-19 for an offset), where the sleep falls (the longest
run of near-silent hours), whether anyone slept at all, and the hand-over peaks. Both the week's
features and the earlier-weeks history read profiles this way.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

WORKDAY_HOURS = range(8, 19)
QUIET_SHARE = 0.02
MIN_SLEEP_H = 5
SLEEPLESS_BUSY_HOURS = 20
"""Hours of the day with any activity from which a week without a sleep is a rota, not a parent."""


def quiet_run(hist: list[int]) -> tuple[int, int] | None:
    """(first UTC hour, length) of the longest circular run of near-silent hours: the sleep.

    An hour is near-silent when it holds at most QUIET_SHARE of the week's activity, so a single
    night-time glance at the phone does not split a night. Runs shorter than MIN_SLEEP_H are
    no sleep at all (a round-the-clock account has none).
    """
    total = sum(hist)
    if not total:
        return None
    quiet = [hist[h] <= QUIET_SHARE * total for h in range(24)]
    if all(quiet):
        return None
    best: tuple[int, int] | None = None
    for first in range(24):
        if not quiet[first] or quiet[(first - 1) % 24]:
            continue  # runs are measured from their first hour only
        length = 0
        while quiet[(first + length) % 24]:
            length += 1
        if length >= MIN_SLEEP_H and (best is None or length > best[1]):
            best = (first, length)
    return best


def is_sleepless(hist: list[int]) -> bool:
    """Whether a week's hour profile leaves nobody a night: no sleep run and nearly every hour busy.

    A parent whose night is broken by single glances at 00:30, 03:00 and 05:30 has no five quiet
    hours in a row either, but most of their night hours stay empty; crews taking turns on one
    account leave activity in SLEEPLESS_BUSY_HOURS or more hours of the day.

    Args:
        hist: events per UTC hour of the week.

    Returns:
        True for a round-the-clock profile.
    """
    total = sum(hist)
    if not total or quiet_run(hist) is not None:
        return False
    return sum(1 for v in hist if v) >= SLEEPLESS_BUSY_HOURS


def best_fit_offset(hist: list[int]) -> tuple[int, float]:
    total = sum(hist) or 1
    best = max(range(-12, 15), key=lambda off: (workday_share(hist, off), -abs(off)))
    return best, workday_share(hist, best) if total else 0.0


def workday_share(hist: list[int], offset: int) -> float:
    total = sum(hist)
    if not total:
        return 0.0
    inside = sum(hist[h] for h in range(24) if (h + offset) % 24 in WORKDAY_HOURS)
    return inside / total


def zone_offset_hours(tz: str, at: float) -> float | None:
    try:
        delta = datetime.fromtimestamp(at, ZoneInfo(tz)).utcoffset()
    except Exception:  # an unknown zone in a profile must not stop the week
        return None
    return None if delta is None else delta.total_seconds() / 3600


def circular_diff_h(a: float, b: float) -> float:
    d = abs(a - b) % 24
    return round(min(d, 24 - d), 1)


def peak_hours(hist: list[int]) -> list[int]:
    nonzero = sorted(v for v in hist if v)
    if len(nonzero) < 6:
        return []
    median = nonzero[len(nonzero) // 2]
    return sorted((h for h in range(24) if hist[h] >= 2 * median), key=lambda h: -hist[h])[:3]
