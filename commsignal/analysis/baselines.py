"""Peer baselines: each person's measures beside the median of their team, so quiet teams are not flagged."""

from __future__ import annotations

import statistics
from collections import defaultdict
from datetime import UTC, datetime
from typing import Any

BASELINE_MEASURES = (
    "messages",
    "small_talk_share",
    "distinct_contacts",
    "replies_to_others",
    "video_on_share",
)
MIN_PEERS = 3
# the directory's start date makes someone a new joiner for this long: their network and habits
# are still forming, so they are compared with other new joiners only
NEW_JOINER_DAYS = 90


def tenure(start_date: str | None, week_start: float) -> dict[str, Any]:
    """`start_date`, `tenure_days` and `new_joiner` for a person-week (empty without a date).

    Args:
        start_date: the directory's ISO start date, if any.
        week_start: epoch seconds at which the week begins.

    Returns:
        The measures to merge into the person's features.
    """
    if not start_date:
        return {}
    try:
        started = datetime.fromisoformat(start_date).replace(tzinfo=UTC).timestamp()
    except ValueError:
        return {}
    days = int((week_start - started) // 86400)
    return {"start_date": start_date, "tenure_days": days, "new_joiner": days < NEW_JOINER_DAYS}


def add_team_baselines(features: dict[str, dict[str, Any]]) -> None:
    """Add `team_median_<measure>` and `team_size` to every person's features, in place.

    The median excludes the person themself and needs at least MIN_PEERS peers with data,
    otherwise the baseline is the whole organisation's median. New joiners (directory start
    date, see `tenure`) are compared with the other new joiners only, or with nobody.
    """
    by_team: dict[str | None, list[str]] = defaultdict(list)
    joiners = {pid for pid, f in features.items() if f.get("new_joiner")}
    for pid, f in features.items():
        by_team[f.get("team")].append(pid)
    org: dict[str, float | None] = {m: _median(features.values(), m) for m in BASELINE_MEASURES}
    for everyone in by_team.values():
        # new joiners' first weeks do not pull their team's baseline down
        members = [pid for pid in everyone if pid not in joiners]
        for pid in everyone:
            features[pid]["team_size"] = len(everyone)
        for pid in members:
            f = features[pid]
            peers = [features[o] for o in members if o != pid]
            for measure in BASELINE_MEASURES:
                values = [p[measure] for p in peers if p.get(measure) is not None]
                f[f"team_median_{measure}"] = (
                    round(statistics.median(values), 4)
                    if len(values) >= MIN_PEERS
                    else org[measure]
                )

    for pid in joiners:
        # the new-joiner baseline: other new joiners across the organisation, or none at all
        f = features[pid]
        peers = [features[o] for o in joiners if o != pid]
        f["baseline"] = "new_joiners"
        for measure in BASELINE_MEASURES:
            values = [p[measure] for p in peers if p.get(measure) is not None]
            f[f"team_median_{measure}"] = (
                round(statistics.median(values), 4) if len(values) >= MIN_PEERS else None
            )


def _median(rows: Any, measure: str) -> float | None:
    values = [r[measure] for r in rows if r.get(measure) is not None]
    return round(statistics.median(values), 4) if values else None
