"""What the digest's charts need, added to the digest dict under keys of their own (the numbers, not pictures)."""

from __future__ import annotations

from typing import Any

from sqlite_utils import Database

from commsignal.detect import PersonRisk
from commsignal.detect.rules import Rule
from commsignal.digest.engagement import engagement
from commsignal.digest.history import coverage_days, level_counts, recent_weeks, risk_history
from commsignal.digest.person_charts import activity_charts, session_charts

CHARTED_LEVELS = ("high", "medium")


def add_visuals(
    db: Database,
    digest: dict[str, Any],
    ranked: list[PersonRisk],
    bounds: tuple[float, float],
    rules: list[Rule],
    min_group_size: int = 10,
) -> None:
    """Add `history`, `coverage_days`, `engagement` and each high/medium person's `charts`, in place.

    Args:
        db: the store.
        digest: the digest being built (its `people`, `week` and `timezone` are read).
        ranked: this week's ranking (its risk is this week's point in every sparkline).
        bounds: the week's start and end (epoch seconds).
        rules: the rules, for the weights that turn stored findings of earlier weeks into risk.
        min_group_size: smallest team shown by name in the engagement view.
    """
    week, tz = digest["week"], digest["timezone"]
    start, end = bounds
    weeks = recent_weeks(week, tz)
    history, analysed = risk_history(db, weeks, rules)
    history[week] = {r.person_id: (r.risk, r.level) for r in ranked}
    analysed.add(week)
    digest["history"] = {"weeks": weeks, "levels": level_counts(history, analysed)}
    digest["coverage_days"] = coverage_days(db, start, end, tz)
    digest["engagement"] = engagement(db, week, weeks[:-1], min_group_size)
    charted = [p["person"] for p in digest["people"] if p["level"] in CHARTED_LEVELS]
    activity = activity_charts(db, charted, start, end, tz)
    sessions = session_charts(db, {pid: activity[pid]["tz"] for pid in charted}, start, end)
    for p in digest["people"]:
        pid = p["person"]
        if pid not in activity:
            continue
        p["charts"] = {
            "activity": activity[pid],
            "sessions": sessions[pid],
            "risk": [_point(w, history[w].get(pid), w in analysed) for w in weeks],
        }


def _point(week: str, found: tuple[int, str] | None, analysed: bool) -> dict[str, Any]:
    if not analysed:
        return {"week": week, "risk": None, "level": None}
    risk, lvl = found if found else (0, "low")
    return {"week": week, "risk": risk, "level": lvl}
