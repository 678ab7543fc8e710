"""Weekly features per person: participation and access measures merged, with peer baselines, stored."""

from __future__ import annotations

import json
from typing import Any

from sqlite_utils import Database

from commsignal.analysis.access_features import (
    activity_features,
    session_features,
    shared_infrastructure,
    signin_features,
)
from commsignal.analysis.baselines import add_team_baselines, tenure
from commsignal.analysis.participation import participation_features
from commsignal.config import DetectConfig
from commsignal.weeks import week_bounds


def compute_week(
    db: Database, week: str, detect: DetectConfig, tz: str = "UTC", store: bool = True
) -> dict[str, dict[str, Any]]:
    """Compute (and by default store) every person's features for one ISO week.

    Args:
        db: the store.
        week: ISO week such as "2026-W47".
        detect: detector settings (hosting ranges, remote-access tool names).
        tz: the zone the week's bounds are read in.
        store: write the result to `person_weeks` (replacing that week's rows).

    Returns:
        person_id -> feature dict.
    """
    start, end = week_bounds(week, tz)
    people = {
        r["person_id"]: r
        for r in db.query(
            "select person_id, team, tz, country, manager_person_id, start_date from people"
        )
    }
    declared_tz = {pid: p["tz"] for pid, p in people.items()}
    declared_country = {pid: p["country"] for pid, p in people.items()}
    parts = [
        participation_features(db, start, end),
        activity_features(db, start, end, declared_tz),
        session_features(db, start, end),
        signin_features(
            db, start, end, detect.hosting_cidrs, detect.remote_access_tools, declared_country
        ),
        shared_infrastructure(db, start, end),
    ]
    merged: dict[str, dict[str, Any]] = {}
    for part in parts:
        for pid, values in part.items():
            merged.setdefault(pid, {}).update(values)
    # an address seen only as a meeting invitee (a guest, a room) is not someone to score
    merged = {
        pid: f
        for pid, f in merged.items()
        if pid in people or f.get("messages") or f.get("activity_events") or f.get("sessions")
    }
    for pid, f in merged.items():
        person = people.get(pid)
        f["team"] = person["team"] if person else None
        f["declared_country"] = person["country"] if person else None
        f.setdefault("declared_tz", person["tz"] if person else None)
        f.update(tenure(person["start_date"] if person else None, start))
    add_team_baselines(merged)
    if store:
        with db.atomic():
            db.execute("delete from person_weeks where week = ?", [week])
            db.table("person_weeks").insert_all(
                (
                    {"person_id": pid, "week": week, "features": json.dumps(f, sort_keys=True)}
                    for pid, f in merged.items()
                ),
                batch_size=500,
            )
    return merged


def load_week(db: Database, week: str) -> dict[str, dict[str, Any]]:
    """Stored features of one week, person_id -> dict."""
    return {
        r["person_id"]: json.loads(r["features"])
        for r in db.query("select person_id, features from person_weeks where week = ?", [week])
    }
