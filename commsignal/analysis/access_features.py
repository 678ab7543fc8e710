"""Weekly access measures per person: when they are active, how long sessions run, where sign-ins come from,
and which devices or addresses they share with someone else."""

from __future__ import annotations

import ipaddress
import json
from collections import defaultdict
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlite_utils import Database

# an address or device label used by more people than this is an office NAT, a carrier, or an
# operating-system/browser label from sign-in logs: not one machine behind several identities
MAX_PEOPLE_SHARING = 4
HANDOVER_WINDOW_S = 60 * 60
WORKDAY_HOURS = range(8, 19)


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
        "and person_id is not null and success = 1"
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
        best_offset, best_share = _best_offset(hist)
        tz = declared_tz.get(pid)
        declared_offset = _offset_hours(tz, mid) if tz else None
        declared_share = (
            _share_in_workday(hist, round(declared_offset)) if declared_offset is not None else None
        )
        out[pid] = {
            "activity_events": total,
            "hours_utc": hist,
            "regular_hours": regular,
            "peak_hours_utc": _peaks(hist),
            "fit_offset_h": best_offset,
            "fit_share": round(best_share, 3),
            "declared_tz": tz,
            "declared_offset_h": declared_offset,
            "declared_share": None if declared_share is None else round(declared_share, 3),
            "offset_diff_h": None
            if declared_offset is None
            else _circular_diff(best_offset, declared_offset),
        }
    return out


def session_features(db: Database, start: float, end: float) -> dict[str, dict[str, Any]]:
    """Longest session overlapping the week and how sessions ended, per person."""
    out: dict[str, dict[str, Any]] = {}
    for s in db.query(
        "select * from sessions where person_id is not null and start_ts < ? "
        "and coalesce(end_ts, last_seen_ts) >= ? order by start_ts",
        [end, start],
    ):
        f = out.setdefault(
            s["person_id"],
            {"sessions": 0, "sessions_unended": 0, "max_session_h": 0.0, "longest_session": None},
        )
        f["sessions"] += 1
        if s["end_reason"] in ("open", "timeout"):
            f["sessions_unended"] += 1
        hours = s["duration_seconds"] / 3600
        if hours > f["max_session_h"]:
            f["max_session_h"] = round(hours, 1)
            f["longest_session"] = {
                "start": _iso(s["start_ts"]),
                "end": _iso(s["end_ts"]) if s["end_ts"] else None,
                "last_seen": _iso(s["last_seen_ts"]),
                "end_reason": s["end_reason"],
                "logon_type": s["logon_type"],
                "source": s["source"],
                "devices": json.loads(s["devices"] or "[]"),
                "ips": json.loads(s["ips"] or "[]"),
            }
    return out


def signin_features(
    db: Database,
    start: float,
    end: float,
    hosting_cidrs: list[str],
    remote_tools: list[str],
    declared_country: dict[str, str | None],
) -> dict[str, dict[str, Any]]:
    """Where sign-ins come from: hosting/VPN egress, countries per day, country jumps, remote-access tools."""
    networks = [ipaddress.ip_network(c, strict=False) for c in hosting_cidrs]
    tools = [t.lower() for t in remote_tools]
    out: dict[str, dict[str, Any]] = {}
    last: dict[str, tuple[float, str]] = {}
    day_countries: dict[str, dict[int, set[str]]] = defaultdict(lambda: defaultdict(set))
    for e in db.query(
        "select person_id, ts, event, ip, country, client_app, user_agent, device from login_events "
        "where ts >= ? and ts < ? and person_id is not null order by person_id, ts",
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
        if e["ip"] and _in_networks(e["ip"], networks):
            f["hosting_signins"] += 1
            if e["ip"] not in f["hosting_ips"] and len(f["hosting_ips"]) < 5:
                f["hosting_ips"].append(e["ip"])
        country = (e["country"] or "").upper()
        if not country:
            continue
        if country not in f["countries"]:
            f["countries"].append(country)
        declared = (declared_country.get(pid) or "").upper()
        if declared and country != declared:
            f["foreign_signins"] += 1
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


def shared_infrastructure(db: Database, start: float, end: float) -> dict[str, dict[str, Any]]:
    """Devices and egress addresses one person shares with few others, and sessions handed between them."""
    device_people: dict[str, set[str]] = defaultdict(set)
    ip_people: dict[str, set[str]] = defaultdict(set)
    for e in db.query(
        "select distinct person_id, device, ip from login_events where ts >= ? and ts < ? "
        "and person_id is not null",
        [start, end],
    ):
        if e["device"]:
            device_people[e["device"]].add(e["person_id"])
        if e["ip"]:
            ip_people[e["ip"]].add(e["person_id"])
    out: dict[str, dict[str, Any]] = {}
    for device, people in device_people.items():
        if not 2 <= len(people) <= MAX_PEOPLE_SHARING:
            continue
        for pid in people:
            f = out.setdefault(
                pid, {"shared_devices": [], "shared_ips": [], "handovers": 0, "shared_with": []}
            )
            f["shared_devices"].append(device)
            f["shared_with"] = sorted(set(f["shared_with"]) | (people - {pid}))
    for ip, people in ip_people.items():
        if not 2 <= len(people) <= MAX_PEOPLE_SHARING:
            continue
        for pid in people:
            f = out.setdefault(
                pid, {"shared_devices": [], "shared_ips": [], "handovers": 0, "shared_with": []}
            )
            f["shared_ips"].append(ip)
            f["shared_with"] = sorted(set(f["shared_with"]) | (people - {pid}))
    _count_handovers(db, start, end, out)
    return out


def _count_handovers(
    db: Database, start: float, end: float, out: dict[str, dict[str, Any]]
) -> None:
    if not out:
        return
    by_device: dict[str, list[tuple[float, float, str]]] = defaultdict(list)
    for s in db.query(
        "select person_id, start_ts, coalesce(end_ts, last_seen_ts) as stop, devices from sessions "
        "where person_id is not null and start_ts < ? and coalesce(end_ts, last_seen_ts) >= ?",
        [end, start],
    ):
        for device in json.loads(s["devices"] or "[]"):
            by_device[device].append((s["start_ts"], s["stop"], s["person_id"]))
    for sessions in by_device.values():
        sessions.sort()
        for (_, stop_a, a), (start_b, _, b) in zip(sessions, sessions[1:], strict=False):
            if a != b and -300 <= start_b - stop_a <= HANDOVER_WINDOW_S:
                for pid in (a, b):
                    if pid in out:
                        out[pid]["handovers"] += 1


def _best_offset(hist: list[int]) -> tuple[int, float]:
    total = sum(hist) or 1
    best = max(range(-12, 15), key=lambda off: (_share_in_workday(hist, off), -abs(off)))
    return best, _share_in_workday(hist, best) if total else 0.0


def _share_in_workday(hist: list[int], offset: int) -> float:
    total = sum(hist)
    if not total:
        return 0.0
    inside = sum(hist[h] for h in range(24) if (h + offset) % 24 in WORKDAY_HOURS)
    return inside / total


def _offset_hours(tz: str, at: float) -> float | None:
    try:
        delta = datetime.fromtimestamp(at, ZoneInfo(tz)).utcoffset()
    except Exception:  # an unknown zone in a profile must not stop the week
        return None
    return None if delta is None else delta.total_seconds() / 3600


def _circular_diff(a: float, b: float) -> float:
    d = abs(a - b) % 24
    return round(min(d, 24 - d), 1)


def _peaks(hist: list[int]) -> list[int]:
    nonzero = sorted(v for v in hist if v)
    if len(nonzero) < 6:
        return []
    median = nonzero[len(nonzero) // 2]
    return sorted((h for h in range(24) if hist[h] >= 2 * median), key=lambda h: -hist[h])[:3]


def _in_networks(ip: str, networks: list[ipaddress.IPv4Network | ipaddress.IPv6Network]) -> bool:
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
        "country_changes": [],
        "remote_tools": [],
    }


def _iso(ts: float | None) -> str | None:
    if ts is None:
        return None
    return datetime.fromtimestamp(ts, ZoneInfo("UTC")).strftime("%Y-%m-%dT%H:%MZ")
