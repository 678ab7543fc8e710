"""The digest's look back: risk per person and level counts over the last weeks, and data per source per day."""

from __future__ import annotations

import time
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlite_utils import Database

from commsignal.analysis.features import compute_week, load_week
from commsignal.config import DetectConfig
from commsignal.detect import detect_week
from commsignal.detect.rules import Rule
from commsignal.detect.scoring import level, stored_risks
from commsignal.weeks import week_bounds, week_of

HISTORY_WEEKS = 8


def recent_weeks(week: str, tz: str = "UTC", n: int = HISTORY_WEEKS) -> list[str]:
    """The n ISO weeks ending with `week`, oldest first.

    Args:
        week: the digest's week.
        tz: zone the weeks are read in.
        n: how many weeks, `week` included.

    Returns:
        Week names such as ["2026-W40", ..., "2026-W47"].
    """
    start = week_bounds(week, tz)[0]
    return [week_of(start - k * 7 * 86400 + 3.5 * 86400, tz) for k in range(n - 1, -1, -1)]


def backfill_weeks(
    db: Database, week: str, tz: str, detect: DetectConfig, rules: list[Rule]
) -> list[str]:
    """Analyse earlier weeks that hold data but were never analysed, so the look back has no false gaps.

    A week counts as analysed when it has a stored digest, findings, or a row in `analysed_weeks`
    (written here: a week where nobody fired leaves no findings). Weeks with stored features
    (from manager alerts) are detected from those; weeks without are computed first. Weeks already
    analysed are never re-run, so earlier findings keep the rules they were made with.

    Args:
        db: the store.
        week: the digest's week (not itself backfilled).
        tz: digest zone.
        detect: detector settings.
        rules: loaded rules.

    Returns:
        The weeks analysed now, oldest first.
    """
    done = _analysed(db, recent_weeks(week, tz))
    filled = []
    for earlier in recent_weeks(week, tz)[:-1]:
        if earlier in done:
            continue
        start, end = week_bounds(earlier, tz)
        has_data = db.execute(
            "select exists(select 1 from messages where ts >= ? and ts < ?) "
            "or exists(select 1 from login_events where ts >= ? and ts < ?)",
            [start, end, start, end],
        ).fetchone()[0]
        if not has_data:
            continue
        features = load_week(db, earlier) or compute_week(db, earlier, detect, tz)
        flagged = detect_week(db, earlier, features, rules)
        db.table("analysed_weeks").upsert(
            {
                "week": earlier,
                "analysed_at": time.time(),
                "people": len(features),
                "flagged": len(flagged),
            },
            pk="week",
        )
        filled.append(earlier)
    return filled


def _analysed(db: Database, weeks: list[str]) -> set[str]:
    marks = ",".join("?" for _ in weeks)
    rows = db.execute(
        f"select week from digests where week in ({marks}) "
        f"union select distinct week from findings where week in ({marks}) "
        f"union select week from analysed_weeks where week in ({marks})",
        [*weeks, *weeks, *weeks],
    ).fetchall()
    return {r[0] for r in rows}


def risk_history(
    db: Database, weeks: list[str], rules: Iterable[Rule]
) -> tuple[dict[str, dict[str, tuple[int, str]]], set[str]]:
    """Every person's risk and level in each analysed week, recomputed from stored findings.

    Args:
        db: the store.
        weeks: the weeks to read.
        rules: today's rules, for their weights (findings of retired rules are left out).

    Returns:
        (week -> person_id -> (risk, level), the set of analysed weeks).
    """
    out: dict[str, dict[str, tuple[int, str]]] = {w: {} for w in weeks}
    for (w, pid), risk in stored_risks(db, weeks, rules).items():
        out[w][pid] = (risk, level(risk))
    return out, _analysed(db, weeks)


def level_counts(
    history: dict[str, dict[str, tuple[int, str]]], analysed: set[str]
) -> list[dict[str, Any]]:
    """People per level in each week, oldest first; weeks not analysed say so instead of showing zeros."""
    rows = []
    for w, people in history.items():
        counts = {"high": 0, "medium": 0, "low": 0}
        for _risk, lvl in people.values():
            counts[lvl] += 1
        rows.append({"week": w, "analysed": w in analysed, **counts})
    return rows


def coverage_days(db: Database, start: float, end: float, tz: str = "UTC") -> dict[str, Any]:
    """Rows per source with a count per local day of the week, so a connector gap shows as an empty day.

    Args:
        db: the store.
        start: week start (epoch seconds).
        end: week end.
        tz: digest zone (days are local days).

    Returns:
        {"days": ISO dates, "labels": day names, "rows": [{"key", "label", "counts": [7 ints]}]}.
    """
    zone = ZoneInfo(tz)
    first = datetime.fromtimestamp(start, zone).date()
    bounds = [
        datetime.combine(first + timedelta(days=d), datetime.min.time(), zone).timestamp()
        for d in range(8)
    ]

    def per_day(sql: str) -> dict[str, list[int]]:
        out: dict[str, list[int]] = {}
        for source, hour, n in db.execute(sql, [start, start, end]).fetchall():
            ts = start + hour * 3600
            day = max(0, min(6, sum(1 for b in bounds[1:7] if ts >= b)))
            out.setdefault(source, [0] * 7)[day] += n
        return out

    bucket = "cast((ts - ?) / 3600 as integer)"
    messages = per_day(
        f"select source, {bucket}, count(*) from messages where ts >= ? and ts < ? group by 1, 2"
    )
    meetings = per_day(
        "select source, cast((start_ts - ?) / 3600 as integer), count(*) from meetings "
        "where start_ts >= ? and start_ts < ? group by 1, 2"
    )
    logins = per_day(
        f"select source, {bucket}, count(*) from login_events where ts >= ? and ts < ? group by 1, 2"
    )
    rows = [
        {"key": "slack", "label": "Slack messages", "counts": messages.get("slack", [0] * 7)},
        {"key": "m365", "label": "Microsoft 365 messages", "counts": messages.get("m365", [0] * 7)},
        {"key": "meetings", "label": "Meetings", "counts": meetings.get("m365", [0] * 7)},
    ]
    rows += [
        {"key": f"logins:{src}", "label": f"Login events ({src})", "counts": counts}
        for src, counts in sorted(logins.items())
    ]
    if not logins:
        rows.append({"key": "logins", "label": "Login events", "counts": [0] * 7})
    return {
        "days": [(first + timedelta(days=d)).isoformat() for d in range(7)],
        "labels": [(first + timedelta(days=d)).strftime("%a") for d in range(7)],
        "rows": rows,
    }
