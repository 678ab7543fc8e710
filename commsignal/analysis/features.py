"""Weekly features per person: participation and access measures merged, with peer baselines, stored."""

from __future__ import annotations

import json
from typing import Any

from sqlite_utils import Database

from commsignal.analysis.access_features import (
    activity_features,
    session_features,
    signin_features,
)
from commsignal.analysis.baselines import add_team_baselines, tenure
from commsignal.analysis.history import history_features
from commsignal.analysis.infra import infrastructure_features, mark_farms
from commsignal.analysis.participation import participation_features
from commsignal.analysis.population import data_sources, split_population, store_exclusions
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
            "select person_id, team, tz, country, manager_person_id, start_date, kind, scope, "
            "disabled from people"
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
        infrastructure_features(db, start, end, detect.hosting_cidrs),
        history_features(db, start, declared_tz),
    ]
    merged: dict[str, dict[str, Any]] = {}
    for part in parts:
        for pid, values in part.items():
            merged.setdefault(pid, {}).update(values)
    # rooms, shared mailboxes, service accounts and people with nothing of their own this week
    # are left out (an invitee address is nobody); split_population says why for each
    population = split_population(people, merged)
    merged = population.scored
    sources = data_sources(db, start, end)
    for pid, f in merged.items():
        f["data_sources"] = sources.get(pid, [])
        person = people.get(pid)
        f["team"] = person["team"] if person else None
        f["declared_country"] = person["country"] if person else None
        f.setdefault("declared_tz", person["tz"] if person else None)
        f.update(tenure(person["start_date"] if person else None, start))
    mark_farms(merged)
    add_team_baselines(merged)
    if store:
        with db.atomic():
            db.execute("delete from person_weeks where week = ?", [week])
            store_exclusions(db, week, population.excluded)
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
