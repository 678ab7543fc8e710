"""ISO weeks as the unit of every digest: parsing "2026-W47" and turning it into time bounds."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

_WEEK = re.compile(r"^(\d{4})-W(\d{2})$")


def parse_week(text: str) -> tuple[int, int]:
    """Split "2026-W47" into (2026, 47); ValueError with the expected form otherwise."""
    m = _WEEK.match(text.strip())
    if not m:
        raise ValueError(f"week {text!r} must look like 2026-W47")
    year, week = int(m.group(1)), int(m.group(2))
    try:
        date.fromisocalendar(year, week, 1)
    except ValueError:
        raise ValueError(f"{text} is not a week of {year}") from None
    return year, week


def week_bounds(week: str, tz: str = "UTC") -> tuple[float, float]:
    """Epoch seconds of Monday 00:00 and the next Monday 00:00 of an ISO week in a time zone."""
    year, num = parse_week(week)
    monday = date.fromisocalendar(year, num, 1)
    zone = ZoneInfo(tz)
    start = datetime(monday.year, monday.month, monday.day, tzinfo=zone)
    end_day = monday + timedelta(days=7)
    end = datetime(end_day.year, end_day.month, end_day.day, tzinfo=zone)
    return start.timestamp(), end.timestamp()


def week_of(ts: float, tz: str = "UTC") -> str:
    """The ISO week ("2026-W47") an instant falls in, seen from a time zone."""
    iso = datetime.fromtimestamp(ts, ZoneInfo(tz)).isocalendar()
    return f"{iso.year}-W{iso.week:02d}"
