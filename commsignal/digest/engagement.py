"""The engagement view for the insider-risk team: each team's participation this week against its own past.

Only teams are named, never people. Teams with fewer people than the minimum group size are pooled
into "other" (and "other" itself is withheld when it is still too small), like Viva Insights does.
"""

from __future__ import annotations

import json
import statistics
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from sqlite_utils import Database

OTHER = "other"
MIN_BASELINE_WEEKS = 2
COUNT_DROP = -0.25
SHARE_DROP_PP = -10.0
MIN_SCORED_FOR_SHARE = 20


@dataclass(frozen=True, slots=True)
class Measure:
    """One engagement measure: a median per person ("count") or a pooled share ("share")."""

    key: str
    label: str
    kind: str
    num: str
    den: str = ""


MEASURES = (
    Measure("messages", "messages", "count", "messages"),
    Measure("replies", "replies", "count", "replies_to_others"),
    Measure("contacts", "contacts", "count", "distinct_contacts"),
    Measure("meeting_minutes", "meeting min", "count", "meeting_minutes_attended"),
    Measure("camera", "camera on", "share", "video_on", "video_known"),
    Measure("small_talk", "small talk", "share", "small_talk_messages", "scored_messages"),
)


def group_value(measure: Measure, members: list[dict[str, Any]]) -> float | None:
    """A team's value of one measure in one week: the median per person, or the pooled share in %."""
    if not members:
        return None
    if measure.kind == "count":
        # someone measured only by logins has no messages to count: absent, not zero
        values = [float(f.get(measure.num) or 0) for f in members if measure.num in f]
        return round(statistics.median(values), 1) if values else None
    den = sum(float(f.get(measure.den) or 0) for f in members)
    minimum = MIN_SCORED_FOR_SHARE if measure.key == "small_talk" else 1
    if den < minimum:
        return None
    return round(100 * sum(float(f.get(measure.num) or 0) for f in members) / den, 1)


def compare(measure: Measure, now: float | None, usual: float | None) -> dict[str, Any]:
    """This week's value beside the usual one, with the change and whether it is a notable drop."""
    out: dict[str, Any] = {
        "now": now,
        "usual": usual,
        "change": None,
        "change_text": "n/a",
        "tone": None,
    }
    if now is None or usual is None:
        out["drop"] = False
        return out
    if measure.kind == "share":
        change = round(now - usual, 1)
        out["change_text"] = f"{change:+.1f} pp"
        scaled = change / -SHARE_DROP_PP * -COUNT_DROP
    else:
        if usual <= 0:
            out["drop"] = False
            return out
        change = round(now / usual - 1, 3)
        out["change_text"] = f"{100 * change:+.0f}%"
        scaled = change
    out["change"] = change
    out["tone"] = _tone(scaled)
    out["drop"] = scaled <= COUNT_DROP
    return out


def _tone(scaled: float) -> str:
    if scaled <= COUNT_DROP:
        return "drop"
    if scaled <= -0.10:
        return "lower"
    if scaled >= -COUNT_DROP:
        return "rise"
    if scaled >= 0.10:
        return "higher"
    return "same"


def engagement(
    db: Database, week: str, previous: list[str], min_group_size: int = 10
) -> dict[str, Any]:
    """Per team: participation and small talk this week against the team's own earlier weeks.

    Args:
        db: the store (reads `person_weeks`, as computed by the weekly features).
        week: the digest's week.
        previous: earlier weeks to compare with (e.g. the last 8).
        min_group_size: teams with fewer people this week are pooled into "other".

    Returns:
        {"min_group_size", "baseline_weeks", "measures", "teams", "folded", "withheld", "drops"}.
    """
    weeks = [week, *previous]
    marks = ",".join("?" for _ in weeks)
    rows: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for w, features in db.execute(
        f"select week, features from person_weeks where week in ({marks})", weeks
    ).fetchall():
        rows[w].append(json.loads(features))
    sizes: dict[str, int] = defaultdict(int)
    for f in rows[week]:
        sizes[f.get("team") or OTHER] += 1
    kept = {t for t, n in sizes.items() if t != OTHER and n >= min_group_size}

    def grouped(w: str) -> dict[str, list[dict[str, Any]]]:
        out: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for f in rows.get(w, []):
            team = f.get("team")
            out[team if team in kept else OTHER].append(f)
        return out

    now = grouped(week)
    past = {w: grouped(w) for w in previous if rows.get(w)}
    teams, withheld, drops = [], [], []
    for team in sorted(kept) + ([OTHER] if now.get(OTHER) else []):
        members = now[team]
        if len(members) < min_group_size:
            withheld.append({"team": team, "people": len(members)})
            continue
        values = {}
        for m in MEASURES:
            history = [
                v for g in past.values() if (v := group_value(m, g.get(team, []))) is not None
            ]
            usual = (
                round(statistics.median(history), 1) if len(history) >= MIN_BASELINE_WEEKS else None
            )
            values[m.key] = compare(m, group_value(m, members), usual)
            if values[m.key]["drop"]:
                drops.append(_drop_text(team, m, values[m.key]))
        teams.append({"team": team, "people": len(members), "values": values})
    folded = [t for t in sizes if t not in kept and t != OTHER]
    return {
        "min_group_size": min_group_size,
        "baseline_weeks": sorted(past),
        "measures": [{"key": m.key, "label": m.label, "kind": m.kind} for m in MEASURES],
        "teams": teams,
        "folded": {"teams": len(folded), "people": sum(sizes[t] for t in folded)},
        "withheld": withheld,
        "drops": drops,
    }


def _drop_text(team: str, m: Measure, v: dict[str, Any]) -> str:
    what = "per person (median)" if m.kind == "count" else "share"
    unit = "%" if m.kind == "share" else ""
    return (
        f"{team}: {m.label} {what} {v['now']:g}{unit} this week against a usual {v['usual']:g}{unit} "
        f"({v['change_text']})"
    )
