"""Weekly access measures per person: when they are active, how long sessions run and stay attended,
where sign-ins come from (sharing of devices and addresses is in `commsignal.analysis.infra`)."""

from __future__ import annotations

import ipaddress
import json
from collections import defaultdict
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlite_utils import Database

from commsignal.analysis.attended import GAP_LOCKED_S, GAP_UNLOCKED_S, longest_attended
from commsignal.analysis.hour_profile import (
    best_fit_offset,
    circular_diff_h,
    is_sleepless,
    peak_hours,
    quiet_run,
    workday_share,
    zone_offset_hours,
)
from commsignal.analysis.location import country_code, crowd_addresses, locates_person

IDP_SOURCES = frozenset({"okta", "entra", "m365", "slack-audit"})
"""Sources whose sessions are web sign-on lifetimes (days long, never locked), not a console."""
# no stretch can be attended longer than its session: shorter sessions are not measured
ATTENDED_CANDIDATE_H = 12.0


def activity_features(
    db: Database, start: float, end: float, declared_tz: dict[str, str | None]
) -> dict[str, dict[str, Any]]:
    """Hour-of-day profile and the time zone it fits, from messages and login events.

    Args:
        db: the store.
        start: week start (epoch seconds).
        end: week end.
        declared_tz: person_id -> declared IANA zone (profile or mailbox), if known.

    Returns:
        person_id -> measures (hour histogram in UTC, regular hours, best-fit UTC offset and shares).
    """
    hours: dict[str, list[int]] = defaultdict(lambda: [0] * 24)
    day_hours: dict[str, list[set[int]]] = defaultdict(lambda: [set() for _ in range(24)])
    query = (
        "select person_id, ts from messages where ts >= :s and ts < :e and person_id is not null "
        "union all select person_id, ts from login_events where ts >= :s and ts < :e "
        "and person_id is not null and success = 1 and coalesce(interactive, 1) = 1"
    )
    for row in db.query(query, {"s": start, "e": end}):
        ts = row["ts"]
        hour = int(ts // 3600) % 24
        hours[row["person_id"]][hour] += 1
        day_hours[row["person_id"]][hour].add(int(ts // 86400))
    out: dict[str, dict[str, Any]] = {}
    mid = (start + end) / 2
    for pid, hist in hours.items():
        total = sum(hist)
        regular = sum(1 for days in day_hours[pid] if len(days) >= 2)
        best_offset, best_share = best_fit_offset(hist)
        tz = declared_tz.get(pid)
        declared_offset = zone_offset_hours(tz, mid) if tz else None
        declared_share = (
            workday_share(hist, round(declared_offset)) if declared_offset is not None else None
        )
        quiet = quiet_run(hist)
        out[pid] = {
            "quiet_hours_utc": list(quiet) if quiet else None,
            "sleepless": is_sleepless(hist),
            "quiet_mid_local_h": None
            if quiet is None or declared_offset is None
            else round((quiet[0] + quiet[1] / 2 + declared_offset) % 24, 1),
            "activity_events": total,
            "hours_utc": hist,
            "regular_hours": regular,
            "peak_hours_utc": peak_hours(hist),
            "fit_offset_h": best_offset,
            "fit_share": round(best_share, 3),
            "declared_tz": tz,
            "declared_offset_h": declared_offset,
            "declared_share": None if declared_share is None else round(declared_share, 3),
            "offset_diff_h": None
            if declared_offset is None
            else circular_diff_h(best_offset, declared_offset),
        }
    return out


def session_features(db: Database, start: float, end: float) -> dict[str, dict[str, Any]]:
    """Longest session and longest attended stretch overlapping the week, per person.

    `max_session_h` is logon to logoff (context only); `max_attended_h` is the longest stretch
    through which activity kept arriving without a lock, disconnect or night in between (see
    `commsignal.analysis.attended`), which is what the marathon rule reads.
    """
    out: dict[str, dict[str, Any]] = {}
    for s in db.query(
        "select * from sessions where person_id is not null and start_ts < ? "
        "and coalesce(end_ts, last_seen_ts) >= ? order by start_ts",
        [end, start],
    ):
        pid = s["person_id"]
        f = out.setdefault(
            pid,
            {
                "sessions": 0,
                "sessions_unended": 0,
                "max_session_h": 0.0,
                "longest_session": None,
                "max_attended_h": 0.0,
                "attended_session": None,
            },
        )
        f["sessions"] += 1
        if s["end_reason"] in ("open", "timeout"):
            f["sessions_unended"] += 1
        hours = s["duration_seconds"] / 3600
        if hours > f["max_session_h"]:
            f["max_session_h"] = round(hours, 1)
            f["longest_session"] = _session_evidence(s)
        if hours >= ATTENDED_CANDIDATE_H:
            stop = s["end_ts"] if s["end_ts"] is not None else s["last_seen_ts"]
            spans = [(float(a), float(b)) for a, b in json.loads(s["active_spans"] or "[]")]
            # an identity provider's session knows nothing of the console: with no lock to
            # read, activity must arrive as densely as it must through a locked console
            unlocked_gap = GAP_LOCKED_S if s["source"] in IDP_SOURCES else GAP_UNLOCKED_S
            att = longest_attended(
                s["start_ts"], stop, spans, _evidence(db, pid, s["start_ts"], stop), unlocked_gap
            )
            if att.seconds / 3600 > f["max_attended_h"]:
                f["max_attended_h"] = round(att.seconds / 3600, 1)
                f["attended_session"] = {
                    **_session_evidence(s),
                    "session_h": round(hours, 1),
                    "attended_from": _iso(att.start),
                    "attended_to": _iso(att.end),
                    "locked_h": round(att.locked_seconds / 3600, 1),
                    "events_while_locked": att.locked_events,
                    "evidence_points": att.evidence,
                }
    return out


def _session_evidence(s: dict[str, Any]) -> dict[str, Any]:
    return {
        "start": _iso(s["start_ts"]),
        "end": _iso(s["end_ts"]) if s["end_ts"] else None,
        "last_seen": _iso(s["last_seen_ts"]),
        "end_reason": s["end_reason"],
        "logon_type": s["logon_type"],
        "source": s["source"],
        "devices": json.loads(s["devices"] or "[]"),
        "ips": json.loads(s["ips"] or "[]"),
    }


def _evidence(db: Database, person_id: str, start: float, stop: float) -> list[float]:
    # every trace of the person's activity in the session's window: messages and login events
    rows = db.execute(
        "select ts from messages where person_id = :p and ts >= :s and ts <= :e "
        "union all select ts from login_events where person_id = :p and ts >= :s and ts <= :e "
        # token refreshes (non-interactive sign-ins) arrive all night from any running app
        "and success = 1 and coalesce(interactive, 1) = 1",
        {"p": person_id, "s": start, "e": stop},
    ).fetchall()
    return sorted(r[0] for r in rows)


def signin_features(
    db: Database,
    start: float,
    end: float,
    hosting_cidrs: list[str],
    remote_tools: list[str],
    declared_country: dict[str, str | None],
) -> dict[str, dict[str, Any]]:
    """Where sign-ins come from: hosting/VPN egress, countries per day, country jumps, remote-access tools.

    `located_foreign` counts the sign-ins that place the person (`locates_person`) in a country
    other than the declared one: token refreshes and crowd addresses say nothing about that.
    """
    networks = [ipaddress.ip_network(c, strict=False) for c in hosting_cidrs]
    tools = [t.lower() for t in remote_tools]
    crowd = crowd_addresses(db, start, end)
    out: dict[str, dict[str, Any]] = {}
    last: dict[str, tuple[float, str]] = {}
    day_countries: dict[str, dict[int, set[str]]] = defaultdict(lambda: defaultdict(set))
    for e in db.query(
        "select person_id, ts, event, ip, country, client_app, user_agent, device, interactive "
        "from login_events where ts >= ? and ts < ? and person_id is not null "
        "order by person_id, ts",
        [start, end],
    ):
        pid = e["person_id"]
        f = out.setdefault(pid, _empty_signins())
        haystack = " ".join(str(e[k] or "") for k in ("client_app", "user_agent", "device")).lower()
        for tool in tools:
            if tool in haystack and tool not in f["remote_tools"]:
                f["remote_tools"].append(tool)
        if e["event"] != "signin":
            continue
        f["signins"] += 1
        if e["ip"] and in_networks(e["ip"], networks):
            f["hosting_signins"] += 1
            if e["ip"] not in f["hosting_ips"] and len(f["hosting_ips"]) < 5:
                f["hosting_ips"].append(e["ip"])
        country = country_code(e["country"])
        if not country:
            continue
        if country not in f["countries"]:
            f["countries"].append(country)
        declared = country_code(declared_country.get(pid))
        if declared and country != declared:
            f["foreign_signins"] += 1
        if not locates_person(e["ip"], e["interactive"], crowd):
            continue
        f["located_signins"] += 1
        if declared and country != declared:
            f["located_foreign"] += 1
            if country not in f["located_foreign_countries"]:
                f["located_foreign_countries"].append(country)
        day_countries[pid][int(e["ts"] // 86400)].add(country)
        prev = last.get(pid)
        if prev and prev[1] != country:
            f["country_changes"].append(
                {
                    "from": prev[1],
                    "to": country,
                    "at": _iso(e["ts"]),
                    "hours": round((e["ts"] - prev[0]) / 3600, 1),
                }
            )
        last[pid] = (e["ts"], country)
    for pid, f in out.items():
        n = f["signins"]
        f["hosting_share"] = round(f["hosting_signins"] / n, 3) if n else 0.0
        days = day_countries.get(pid, {})
        f["max_countries_per_day"] = max((len(c) for c in days.values()), default=0)
        f["fastest_country_change_h"] = min(
            (c["hours"] for c in f["country_changes"]), default=None
        )
        f["country_changes"] = f["country_changes"][:10]
    return out


def in_networks(ip: str, networks: list[ipaddress.IPv4Network | ipaddress.IPv6Network]) -> bool:
    """Whether an address lies in one of the ranges (an unparsable address lies in none)."""
    try:
        addr = ipaddress.ip_address(ip)
    except ValueError:
        return False
    return any(addr in n for n in networks)


def _empty_signins() -> dict[str, Any]:
    return {
        "signins": 0,
        "hosting_signins": 0,
        "hosting_ips": [],
        "countries": [],
        "foreign_signins": 0,
        # sign-ins that say where the person is (interactive, not a crowd address)
        "located_signins": 0,
        "located_foreign": 0,
        "located_foreign_countries": [],
        "country_changes": [],
        "remote_tools": [],
    }


def _iso(ts: float | None) -> str | None:
    if ts is None:
        return None
    return datetime.fromtimestamp(ts, ZoneInfo("UTC")).strftime("%Y-%m-%dT%H:%MZ")
