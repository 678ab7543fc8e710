"""Standard 5-field cron for APScheduler 3.x, whose numeric weekdays would otherwise start at Monday."""

from __future__ import annotations

from datetime import tzinfo
from typing import Any

from apscheduler.triggers.cron import CronTrigger

_DAY_NAMES = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"]


class CronError(ValueError):
    """A cron expression that cannot be scheduled."""


def _weekday_field(field: str) -> str:
    """Translate numeric day-of-week (0 or 7 = Sunday, as in Vixie cron) into APScheduler day names."""
    if field == "*" or not any(ch.isdigit() for ch in field):
        return field
    days: set[int] = set()
    for part in field.split(","):
        step = 1
        if "/" in part:
            part, step_text = part.split("/", 1)
            step = int(step_text)
        if part == "*":
            lo, hi = 0, 6
        elif "-" in part:
            a, b = part.split("-", 1)
            lo, hi = _day_number(a), _day_number(b)
        else:
            lo = hi = _day_number(part)
        span = list(range(lo, hi + 1)) if lo <= hi else list(range(lo, 7)) + list(range(0, hi + 1))
        days.update(span[::step])
    return ",".join(_DAY_NAMES[d] for d in sorted(days))


def _day_number(text: str) -> int:
    text = text.strip().lower()
    if text in _DAY_NAMES:
        return _DAY_NAMES.index(text)
    if not text.isdigit() or not 0 <= int(text) <= 7:
        raise CronError(
            f"day of week {text!r} must be 0-7 (0 and 7 are Sunday) or a name like 'mon'"
        )
    return int(text) % 7


def parse_crontab(expr: str, timezone: tzinfo | None = None) -> CronTrigger:
    """Build a CronTrigger from a standard crontab line ("minute hour day month weekday").

    Args:
        expr: the five fields, standard cron semantics for weekdays.
        timezone: zone the expression is read in (UTC when None).

    Returns:
        The trigger.

    Raises:
        CronError: wrong field count or an invalid field, with the reason.
    """
    fields = expr.split()
    if len(fields) != 5:
        raise CronError(
            f"cron {expr!r} needs 5 fields (minute hour day month weekday), got {len(fields)}"
        )
    minute, hour, day, month, weekday = fields
    kwargs: dict[str, Any] = {}
    if timezone is not None:
        kwargs["timezone"] = timezone
    else:
        kwargs["timezone"] = "UTC"
    try:
        return CronTrigger(
            minute=minute,
            hour=hour,
            day=day,
            month=month,
            day_of_week=_weekday_field(weekday),
            **kwargs,
        )
    except (ValueError, TypeError) as exc:
        raise CronError(f"cron {expr!r} is not valid: {exc}") from None
