"""Peer baselines: each person's measures beside the median of their team, so quiet teams are not flagged."""

from __future__ import annotations

import statistics
from collections import defaultdict
from typing import Any

BASELINE_MEASURES = (
    "messages",
    "small_talk_share",
    "distinct_contacts",
    "replies_to_others",
    "video_on_share",
)
MIN_PEERS = 3


def add_team_baselines(features: dict[str, dict[str, Any]]) -> None:
    """Add `team_median_<measure>` and `team_size` to every person's features, in place.

    The median excludes the person themself and needs at least MIN_PEERS peers with data,
    otherwise the baseline is the whole organisation's median.
    """
    by_team: dict[str | None, list[str]] = defaultdict(list)
    for pid, f in features.items():
        by_team[f.get("team")].append(pid)
    org: dict[str, float | None] = {m: _median(features.values(), m) for m in BASELINE_MEASURES}
    for _team, members in by_team.items():
        for pid in members:
            f = features[pid]
            peers = [features[o] for o in members if o != pid]
            f["team_size"] = len(members)
            for measure in BASELINE_MEASURES:
                values = [p[measure] for p in peers if p.get(measure) is not None]
                f[f"team_median_{measure}"] = (
                    round(statistics.median(values), 4)
                    if len(values) >= MIN_PEERS
                    else org[measure]
                )


def _median(rows: Any, measure: str) -> float | None:
    values = [r[measure] for r in rows if r.get(measure) is not None]
    return round(statistics.median(values), 4) if values else None
