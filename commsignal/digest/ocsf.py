"""The digest as OCSF 1.x Detection Finding events (class 2004), one per finding, for a SIEM or case tool.

Activities follow the week over week: a finding first listed this week is a Create, one carried
over from last week an Update, and one listed last week but not this week a Close. Suppressed
findings are kept with status Suppressed. The user is the pseudonym; names never leave.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from commsignal import __version__
from commsignal.weeks import week_bounds

OCSF_VERSION = "1.5.0"
CLASS_UID = 2004
CATEGORY_UID = 2
ACTIVITIES = {"create": (1, "Create"), "update": (2, "Update"), "close": (3, "Close")}
SEVERITIES = {"low": (2, "Low"), "medium": (3, "Medium"), "high": (4, "High")}
INFORMATIONAL = (1, "Informational")
NEW, IN_PROGRESS, SUPPRESSED, RESOLVED = (
    (1, "New"),
    (2, "In Progress"),
    (3, "Suppressed"),
    (4, "Resolved"),
)


def ocsf_events(digest: dict[str, Any]) -> list[dict[str, Any]]:
    """Every finding of a digest (listed, suppressed and closed) as an OCSF Detection Finding.

    Args:
        digest: a pseudonymous digest dict with the triage keys (`uid`, `activity`, `suppressed`,
            `closed`); a digest without them gets Create events with ids made from its week.

    Returns:
        JSON-ready events in digest order: listed, then suppressed, then closed.
    """
    tz = digest.get("timezone", "UTC")
    week = digest["week"]
    now = _ms_iso(digest["generated_at"])
    start, end = (int(t * 1000) for t in week_bounds(week, tz))
    events = []
    for person in digest.get("people", []):
        case = person.get("case")
        for f in person.get("findings", []):
            status = IN_PROGRESS if case and case.get("verdict") != "benign" else NEW
            detail = f.get("note") or (
                f"case {case['verdict']}"
                + (f", assignee {case['assignee']}" if case.get("assignee") else "")
                if case
                else None
            )
            events.append(
                _event(
                    person["person"],
                    f,
                    week,
                    tz,
                    now,
                    start,
                    end,
                    f.get("activity", "create"),
                    status,
                    SEVERITIES.get(person["level"], INFORMATIONAL),
                    risk=person.get("risk"),
                    detail=detail,
                    team=person.get("team"),
                )
            )
    for s in digest.get("suppressed", []):
        events.append(
            _event(
                s["person"],
                s,
                week,
                tz,
                now,
                start,
                end,
                s.get("activity", "create"),
                SUPPRESSED,
                INFORMATIONAL,
                risk=None,
                detail=s.get("reason"),
                team=s.get("team"),
            )
        )
    for c in digest.get("closed", []):
        events.append(
            _event(
                c["person"],
                c,
                week,
                tz,
                now,
                start,
                end,
                "close",
                RESOLVED,
                INFORMATIONAL,
                risk=None,
                detail=f"not observed in {week}; last seen {c.get('last_seen_week')}",
            )
        )
    return events


def render_ocsf(digest: dict[str, Any]) -> str:
    """The events as JSON Lines (one event per line)."""
    return "".join(json.dumps(e, sort_keys=True, default=str) + "\n" for e in ocsf_events(digest))


def _event(
    person: str,
    f: dict[str, Any],
    week: str,
    tz: str,
    now: int,
    start: int,
    end: int,
    activity: str,
    status: tuple[int, str],
    severity: tuple[int, str],
    risk: int | None,
    detail: str | None,
    team: str | None = None,
) -> dict[str, Any]:
    activity_id, activity_name = ACTIVITIES[activity]
    first_week = f.get("first_seen_week") or week
    first = int(week_bounds(first_week, tz)[0] * 1000)
    last = (
        end
        if activity != "close"
        else int(week_bounds(f.get("last_seen_week") or week, tz)[1] * 1000)
    )
    detector = f["detector"]
    analytic: dict[str, Any] = {
        "uid": detector,
        "name": f.get("title") or detector,
        "type_id": 1,
        "type": "Rule",
    }
    if f.get("rule_version") is not None:
        analytic["version"] = str(f["rule_version"])
    event: dict[str, Any] = {
        "activity_id": activity_id,
        "activity_name": activity_name,
        "category_uid": CATEGORY_UID,
        "category_name": "Findings",
        "class_uid": CLASS_UID,
        "class_name": "Detection Finding",
        "type_uid": CLASS_UID * 100 + activity_id,
        "type_name": f"Detection Finding: {activity_name}",
        "time": now,
        "start_time": start,
        "end_time": end,
        "severity_id": severity[0],
        "severity": severity[1],
        "status_id": status[0],
        "status": status[1],
        "is_alert": activity != "close" and status[0] != SUPPRESSED[0],
        "message": f.get("summary") or f.get("title") or detector,
        "metadata": {
            "version": OCSF_VERSION,
            "product": {"name": "commsignal", "vendor_name": "commsignal", "version": __version__},
            "log_name": "weekly-digest",
        },
        "finding_info": {
            "uid": f.get("uid") or f"commsignal-{person}-{detector}-{week}",
            "title": f.get("title") or detector,
            "analytic": analytic,
            "first_seen_time": first,
            "last_seen_time": last,
            "created_time": first,
            "modified_time": now,
            "types": [f.get("strength") or "strong"],
        },
        "evidences": [
            {"user": {"uid": person, "type_id": 1, "type": "User"}, "data": f.get("evidence") or {}}
        ],
        "unmapped": {"week": week, "team": team, "score": f.get("score")},
    }
    if f.get("summary"):
        event["finding_info"]["desc"] = f["summary"]
    if risk is not None:
        event["risk_score"] = int(risk)
    if detail:
        event["status_detail"] = detail
    return event


def _ms_iso(text: str) -> int:
    return int(datetime.fromisoformat(text).timestamp() * 1000)
