"""The weekly digest as one JSON-ready dict: ranked people, their explained findings, and data coverage."""

from __future__ import annotations

import time
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlite_utils import Database

from commsignal.analysis.population import REASONS, exclusion_counts
from commsignal.detect import PersonRisk, load_rules
from commsignal.detect.rules import Rule
from commsignal.digest.visuals import add_visuals
from commsignal.store.people import reveal_person, unmatched_by_source
from commsignal.weeks import week_bounds


def coverage(db: Database, start: float, end: float, week: str | None = None) -> dict[str, Any]:
    """What each source contributed in the week, so a reader can tell silence from missing data.

    With `week`, `people` also says how many were scored and how many identities were left out
    and why (rooms, shared mailboxes, service accounts, overrides, no activity of their own).
    """
    out: dict[str, Any] = {}
    for source in ("slack", "m365"):
        people = db.execute(
            "select count(distinct person_id), count(*) from messages where source = ? and ts >= ? and ts < ?",
            [source, start, end],
        ).fetchone()
        meetings = db.execute(
            "select count(*) from meetings where source = ? and start_ts >= ? and start_ts < ?",
            [source, start, end],
        ).fetchone()[0]
        last = db.execute(
            "select max(updated_at) from _cursors where source = ?", [source]
        ).fetchone()[0]
        out[source] = {
            "messages": people[1],
            "people_with_messages": people[0],
            "meetings": meetings,
            "last_sync": _iso(last) if last else None,
        }
    events = db.execute(
        "select source, count(*), count(distinct person_id) from login_events where ts >= ? and ts < ? group by source",
        [start, end],
    ).fetchall()
    out["logins"] = {
        "events": {src: n for src, n, _ in events},
        "sessions": db.execute(
            "select count(*) from sessions where start_ts < ? and coalesce(end_ts, last_seen_ts) >= ?",
            [end, start],
        ).fetchone()[0],
        **_quarantined(db, start, end),
    }
    # accounts no directory, email or rule joined to a person: each is scored on its own
    out["accounts"] = unmatched_by_source(db)
    if week is not None:
        out["people"] = _people_coverage(db, week)
    return out


def _people_coverage(db: Database, week: str) -> dict[str, Any]:
    excluded = exclusion_counts(db, week)
    guests = db.execute(
        "select count(*) from person_weeks w join people p on p.person_id = w.person_id "
        "where w.week = ? and p.kind = 'guest'",
        [week],
    ).fetchone()[0]
    return {
        "scored": db.execute("select count(*) from person_weeks where week = ?", [week]).fetchone()[
            0
        ],
        "guests_scored": guests,
        "excluded": excluded,
        "excluded_total": sum(excluded.values()),
        "excluded_text": [f"{n} {REASONS.get(r, r)}" for r, n in excluded.items()],
    }


def _quarantined(db: Database, start: float, end: float) -> dict[str, Any]:
    # rows this week's data lost to the quarantine, not the table's lifetime total
    rows = db.execute(
        "select source, count(*) from quarantine "
        "where coalesce(data_ts, created_at) >= ? and coalesce(data_ts, created_at) < ? "
        "group by source",
        [start, end],
    ).fetchall()
    by_source = {src: n for src, n in rows}
    return {"quarantined_rows": sum(by_source.values()), "quarantined_by_source": by_source}


def build_digest(
    db: Database,
    week: str,
    ranked: list[PersonRisk],
    tz: str = "UTC",
    top: int = 100,
    reveal: bool = False,
    notes: list[str] | None = None,
    rules: list[Rule] | None = None,
    min_group_size: int = 10,
) -> dict[str, Any]:
    """Assemble the digest for one week.

    Args:
        db: the store.
        week: ISO week.
        ranked: people with findings, highest risk first (from detect_week).
        tz: zone the digest is shown in.
        top: most people listed.
        reveal: include display names (the caller must have audited the reveal).
        notes: lines shown at the top (e.g. that a pseudonym key was generated).
        rules: the rules in use (their weights turn earlier weeks' findings into risk); the
            shipped rules when None.
        min_group_size: teams smaller than this are pooled into "other" in the engagement view.

    Returns:
        A dict in the digest JSON schema.
    """
    start, end = week_bounds(week, tz)
    info = {
        r["person_id"]: r
        for r in db.query("select person_id, display_name, email, team, kind, disabled from people")
    }
    people = []
    for r in ranked[:top]:
        p = info.get(r.person_id, {})
        entry: dict[str, Any] = {"person": r.person_id}
        if reveal:
            known = p or reveal_person(db, r.person_id) or {}  # an id with no account behind it
            entry["display_name"] = known.get("display_name") or known.get("email")
        if p.get("team"):
            entry["team"] = p["team"]
        if p.get("kind") and p["kind"] != "person":
            entry["kind"] = p["kind"]  # a guest or external account, scored but labelled
        if p.get("disabled"):
            entry["account_disabled"] = True
        entry.update(
            {
                "risk": r.risk,
                "level": r.level,
                "findings": [
                    {
                        "detector": f.detector,
                        "title": f.title,
                        "strength": f.strength,
                        "score": round(f.score, 3),
                        "summary": f.summary,
                        "evidence": f.evidence,
                        "guidance": f.guidance,
                    }
                    for f in r.findings
                ],
            }
        )
        people.append(entry)
    digest: dict[str, Any] = {
        "week": week,
        "generated_at": _iso(time.time()),
        "timezone": tz,
        "period": {"start": _iso(start, tz), "end": _iso(end, tz)},
        "coverage": coverage(db, start, end, week),
        "notes": notes or [],
        "summary": {
            "people_scored": db.execute(
                "select count(*) from person_weeks where week = ?", [week]
            ).fetchone()[0],
            "high": sum(1 for r in ranked if r.level == "high"),
            "medium": sum(1 for r in ranked if r.level == "medium"),
            "low": sum(1 for r in ranked if r.level == "low"),
        },
        "people": people,
    }
    add_visuals(
        db,
        digest,
        ranked,
        (start, end),
        rules if rules is not None else load_rules(),
        min_group_size,
    )
    return digest


def _iso(ts: float, tz: str = "UTC") -> str:
    return datetime.fromtimestamp(ts, ZoneInfo(tz)).isoformat(timespec="seconds")
