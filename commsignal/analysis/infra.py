"""Who shares what: real devices, public egress, laptop farms and accounts used in two places at once.

Ordinary infrastructure is shared all the time, so only the structure of fraud counts here:

- A *device* is a real identifier: a host name (Windows `Computer`, RDP client name, a CSV
  device column that names a machine) or an Entra/Okta device id when the log has one
  (`device_id` column). Operating-system/browser labels ("Windows 10 / Chrome 133.0") and device
  types ("Computer", "Mobile") from sign-in logs are client evidence, never a device.
- *Egress* is a globally routable address: private, CGNAT, link-local and loopback addresses say
  nothing about where someone is. Hosting/VPN ranges belong to the anonymising rule.
- A shared device counts only when the identities on it have no device of their own and do not
  roam a pool (VDI pools, hot desks and lab PCs are used by people who also have their own
  machines or move between several pooled ones). A shared egress counts only when the identities
  hand over to each other and never overlap (a household or an office overlaps all day).
- A *laptop farm* is three or more identities, each on its own device, egressing from one
  address nobody else uses; the rule adds the marks (remote-access tools, foreign hours).
- A *concurrent account* is one account seen in country X, then Y, then X again within hours, or
  with two explicitly opened and closed sessions in different countries overlapping: nobody
  travels there and back that fast, so two people are using it.
"""

from __future__ import annotations

import ipaddress
import json
import re
from collections import defaultdict
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any

from sqlite_utils import Database

from commsignal.analysis.access_features import in_networks
from commsignal.analysis.location import country_code, crowd_addresses, locates_person

MAX_PEOPLE_SHARING = 4
"""More identities than this on one device or address is a pool, an office or a carrier."""
MAX_FARM_IDENTITIES = 10
MIN_DEVICE_DAYS = 3
"""A shared device counts only as the identities' everyday machine (on three days of the week or more)."""
HANDOVER_WINDOW_S = 60 * 60
EXCLUSIVE_OVERLAP = 0.1
"""Identities that overlap for more than this share of their time on an address are not one operator."""
CONCURRENT_WINDOW_S = 3 * 3600
MIN_SESSION_OVERLAP_S = 30 * 60
FOREIGN_MIN_DIFF_H = 4.0
FOREIGN_MIN_GAIN = 0.3
_SIGNIN_SOURCES = {"entra", "m365", "okta", "slack-audit"}
_LABEL = re.compile(
    r"/|\b(windows|win\d+|mac ?os|os ?x|ios|ipados|android|linux|ubuntu|chrome ?os|computer|"
    r"mobile|tablet|desktop|phone|iphone|ipad|unknown|other|chrome|firefox|safari|edge|opera|"
    r"browser)\b",
    re.IGNORECASE,
)
_NULL_ID = re.compile(r"^[0-]*$")


@lru_cache(maxsize=1 << 16)
def device_identity(
    source: str | None, device: str | None, host: str | None, device_id: str | None = None
) -> str | None:
    """The real device behind a login event, or None when the record names only a client label.

    Args:
        source: the event's source (sign-in logs put labels in `device`).
        device: the event's device column.
        host: the machine the event was logged on (Windows `Computer`).
        device_id: an Entra/Okta device id, when present.

    Returns:
        The identifier, or None.
    """
    if device_id and not _NULL_ID.match(device_id.strip()):
        return f"id:{device_id.strip().lower()}"
    if host:
        return host.strip()
    if not device or (source or "") in _SIGNIN_SOURCES or _LABEL.search(device):
        return None
    return device.strip()


@lru_cache(maxsize=1 << 16)
def is_egress(ip: str | None) -> bool:
    """Whether an address is public egress (not private, CGNAT, link-local, loopback or multicast)."""
    if not ip:
        return False
    try:
        addr = ipaddress.ip_address(ip.strip())
    except ValueError:
        return False
    return addr.is_global and not addr.is_multicast


def infrastructure_features(
    db: Database, start: float, end: float, hosting_cidrs: list[str]
) -> dict[str, dict[str, Any]]:
    """Shared devices/egress with fraud structure, laptop-farm membership and concurrent use.

    Args:
        db: the store.
        start: week start (epoch seconds).
        end: week end.
        hosting_cidrs: hosting/VPN ranges (left to the anonymising rule).

    Returns:
        person_id -> measures (only people with something to report).
    """
    nets = [ipaddress.ip_network(c, strict=False) for c in hosting_cidrs]
    has_device_id = "device_id" in db["login_events"].columns_dict
    dev_col = "device_id" if has_device_id else "null as device_id"
    device_people: dict[str, set[str]] = defaultdict(set)
    device_days: dict[tuple[str, str], set[int]] = defaultdict(set)
    ip_people: dict[str, set[str]] = defaultdict(set)
    located: dict[str, list[tuple[float, str]]] = defaultdict(list)
    devices: dict[tuple[Any, ...], str | None] = {}
    public: dict[str, bool] = {}
    crowd = crowd_addresses(db, start, end)
    for pid, source, ts, ip, device, host, country, device_id, interactive in db.execute(
        f"select person_id, source, ts, ip, device, host, country, {dev_col}, interactive "
        "from login_events "
        "where ts >= ? and ts < ? and person_id is not null and success = 1 order by ts",
        [start, end],
    ):
        key = (source, device, host, device_id)
        if key not in devices:
            devices[key] = device_identity(source, device, host, device_id)
        dev = devices[key]
        if dev:
            device_people[dev].add(pid)
            device_days[(pid, dev)].add(int(ts // 86400))
        if not ip:
            continue
        if ip not in public:
            public[ip] = is_egress(ip) and not in_networks(ip.strip(), nets)
        if public[ip]:
            ip_people[ip.strip()].add(pid)
            code = country_code(country)
            if code and locates_person(ip, interactive, crowd):
                located[pid].append((ts, code))
    own: dict[str, set[str]] = defaultdict(set)
    shared_of: dict[str, set[str]] = defaultdict(set)
    for dev, people in device_people.items():
        for pid in people:
            if len(people) == 1:
                own[pid].add(dev)
            elif len(people) <= MAX_PEOPLE_SHARING:
                shared_of[pid].add(dev)
    sessions = _sessions(db, start, end)
    out: dict[str, dict[str, Any]] = {}

    def entry(pid: str) -> dict[str, Any]:
        return out.setdefault(
            pid, {"shared_devices": [], "shared_ips": [], "handovers": 0, "shared_with": []}
        )

    for pid, devs in shared_of.items():
        # a pool: the person has a machine of their own, roams several shared ones, or the
        # identities meet on the device only now and then (pooled hosts rotate daily)
        pooled = bool(own[pid]) or len(devs) >= 2
        for dev in sorted(devs):
            users = device_people[dev]
            if pooled or any(len(device_days[(u, dev)]) < MIN_DEVICE_DAYS for u in users):
                entry(pid).setdefault("pooled_devices", []).append(dev)
                continue
            f = entry(pid)
            f["shared_devices"].append(dev)
            f["shared_with"] = sorted(set(f["shared_with"]) | (users - {pid}))
            f["handovers"] += _handovers(sessions["dev"].get(dev, []), pid)
    for ip, people in ip_people.items():
        if 2 <= len(people) <= MAX_PEOPLE_SHARING:
            for pid in people:
                handovers, overlap = _exclusive(sessions["ip"].get(ip, []), pid)
                if handovers >= 2 and overlap <= EXCLUSIVE_OVERLAP:
                    f = entry(pid)
                    f["shared_ips"].append(ip)
                    # each on a laptop of their own: more like a household on shifts
                    f["shared_ip_own_devices"] = all(own[p] for p in people)
                    f["shared_with"] = sorted(set(f["shared_with"]) | (people - {pid}))
                    f["handovers"] += handovers
        if 3 <= len(people) <= MAX_FARM_IDENTITIES and all(own[p] for p in people):
            for pid in people:
                out.setdefault(pid, {}).update(
                    {"farm_ip": ip, "farm_identities": len(people), "farm_members": sorted(people)}
                )
    overlapping = _overlapping_sessions(db, start, end)
    for pid in sorted(set(located) | set(overlapping)):
        episodes = _concurrent(located.get(pid, [])) + overlapping.get(pid, [])
        if episodes:
            out.setdefault(pid, {}).update(
                {
                    "concurrent_days": len({e["day"] for e in episodes}),
                    "concurrent_episodes": episodes[:10],
                }
            )
    return out


def mark_farms(features: dict[str, dict[str, Any]]) -> None:
    """Count, per farm member, the identities of their farm with remote-access tools or foreign hours.

    Runs after all weekly features are merged, since the marks come from other measures.
    """
    for f in features.values():
        members = f.get("farm_members")
        if not members:
            continue
        marked = [m for m in members if _marked(features.get(m, {}))]
        f["farm_marked"] = len(marked)
        f["farm_self_marked"] = _marked(f)


def _marked(f: dict[str, Any]) -> bool:
    if f.get("remote_tools"):
        return True
    diff, share, fit = f.get("offset_diff_h"), f.get("declared_share"), f.get("fit_share")
    if diff is None or share is None or fit is None:
        return False
    return float(diff) >= FOREIGN_MIN_DIFF_H and float(fit) - float(share) >= FOREIGN_MIN_GAIN


def _sessions(
    db: Database, start: float, end: float
) -> dict[str, dict[str, list[tuple[float, float, str]]]]:
    by: dict[str, dict[str, list[tuple[float, float, str]]]] = {"dev": {}, "ip": {}}
    for s in db.query(
        "select person_id, source, start_ts, coalesce(end_ts, last_seen_ts) as stop, devices, ips "
        "from sessions where person_id is not null and start_ts < ? "
        "and coalesce(end_ts, last_seen_ts) >= ?",
        [end, start],
    ):
        row = (s["start_ts"], s["stop"], s["person_id"])
        for d in json.loads(s["devices"] or "[]"):
            dev = device_identity(s["source"], d, None)
            if dev:
                by["dev"].setdefault(dev, []).append(row)
        for ip in json.loads(s["ips"] or "[]"):
            if is_egress(ip):
                by["ip"].setdefault(ip.strip(), []).append(row)
    for group in by.values():
        for rows in group.values():
            rows.sort()
    return by


def _handovers(rows: list[tuple[float, float, str]], pid: str) -> int:
    n = 0
    for (_, stop_a, a), (start_b, _, b) in zip(rows, rows[1:], strict=False):
        if a != b and pid in (a, b) and -300 <= start_b - stop_a <= HANDOVER_WINDOW_S:
            n += 1
    return n


def _exclusive(rows: list[tuple[float, float, str]], pid: str) -> tuple[int, float]:
    """Hand-overs between `pid` and others on one address, and the share of time they overlap."""
    mine = [(a, b) for a, b, p in rows if p == pid]
    theirs = [(a, b) for a, b, p in rows if p != pid]
    if not mine or not theirs:
        return 0, 1.0
    overlap = sum(max(0.0, min(b, d) - max(a, c)) for a, b in mine for c, d in theirs)
    total = min(sum(b - a for a, b in mine), sum(d - c for c, d in theirs)) or 1.0
    return _handovers(rows, pid), overlap / total


def _overlapping_sessions(
    db: Database, start: float, end: float
) -> dict[str, list[dict[str, Any]]]:
    """Two sessions of one person, each opened and closed explicitly in one country, overlapping.

    Only sessions with an explicit logoff count: a session left open at home while its owner
    travels is extended by the traveller's own activity and must not look like a second person.
    """
    by_person: dict[str, list[tuple[float, float, str]]] = defaultdict(list)
    for s in db.query(
        "select person_id, start_ts, end_ts, countries from sessions where person_id is not null "
        "and end_reason = 'logoff' and start_ts < ? and end_ts >= ?",
        [end, start],
    ):
        countries = {code for c in json.loads(s["countries"] or "[]") if (code := country_code(c))}
        if len(countries) == 1:
            by_person[s["person_id"]].append((s["start_ts"], s["end_ts"], countries.pop()))
    out: dict[str, list[dict[str, Any]]] = {}
    for pid, rows in by_person.items():
        rows.sort()
        for i, (_a0, a1, ca) in enumerate(rows):
            for b0, b1, cb in rows[i + 1 :]:
                if b0 >= a1:
                    break
                if ca != cb and min(a1, b1) - b0 >= MIN_SESSION_OVERLAP_S:
                    out.setdefault(pid, []).append(
                        {
                            "countries": [ca, cb],
                            "day": datetime.fromtimestamp(b0, UTC).strftime("%Y-%m-%d"),
                            "from": datetime.fromtimestamp(b0, UTC).strftime("%Y-%m-%dT%H:%MZ"),
                            "to": datetime.fromtimestamp(min(a1, b1), UTC).strftime(
                                "%Y-%m-%dT%H:%MZ"
                            ),
                        }
                    )
    return out


def _concurrent(points: list[tuple[float, str]]) -> list[dict[str, Any]]:
    """Episodes of country X, then Y, then X again within CONCURRENT_WINDOW_S."""
    runs: list[list[Any]] = []  # [country, first_ts, last_ts]
    for ts, country in points:
        if runs and runs[-1][0] == country:
            runs[-1][2] = ts
        else:
            runs.append([country, ts, ts])
    out = []
    for before, mid, after in zip(runs, runs[1:], runs[2:], strict=False):
        if before[0] == after[0] != mid[0] and after[1] - before[2] <= CONCURRENT_WINDOW_S:
            out.append(
                {
                    "countries": [before[0], mid[0]],
                    "day": datetime.fromtimestamp(mid[1], UTC).strftime("%Y-%m-%d"),
                    "from": datetime.fromtimestamp(before[2], UTC).strftime("%Y-%m-%dT%H:%MZ"),
                    "to": datetime.fromtimestamp(after[1], UTC).strftime("%Y-%m-%dT%H:%MZ"),
                }
            )
    return out
