"""Chart data for one flagged person: hour-of-week activity beside the team's median, and the week's sessions."""

from __future__ import annotations

import json
import statistics
from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlite_utils import Database

from commsignal.analysis.hour_profile import WORKDAY_HOURS
from commsignal.analysis.infra import HANDOVER_WINDOW_S

MIN_PEERS = 3
MAX_LANES = 12
MAX_MARKS = 8
WORKING = {"days": [0, 4], "hours": [WORKDAY_HOURS.start, WORKDAY_HOURS.stop]}


def activity_times(
    db: Database, person_ids: Iterable[str], start: float, end: float
) -> dict[str, list[float]]:
    """Times of every message and successful login event per person in [start, end).

    Args:
        db: the store.
        person_ids: whose events to read.
        start: week start (epoch seconds).
        end: week end.

    Returns:
        person_id -> event times.
    """
    out: dict[str, list[float]] = defaultdict(list)
    ids = sorted(set(person_ids))
    for i in range(0, len(ids), 400):
        chunk = ids[i : i + 400]
        marks = ",".join("?" for _ in chunk)
        for pid, ts in db.execute(
            f"select person_id, ts from messages where person_id in ({marks}) and ts >= ? and ts < ? "
            f"union all select person_id, ts from login_events where person_id in ({marks}) "
            "and ts >= ? and ts < ? and success = 1",
            [*chunk, start, end, *chunk, start, end],
        ).fetchall():
            out[pid].append(ts)
    return out


def hour_grid(times: Iterable[float], tz: str) -> list[list[int]]:
    """Events per local weekday (rows, Monday first) and hour (columns) in a zone."""
    zone = ZoneInfo(tz)
    grid = [[0] * 24 for _ in range(7)]
    for ts in times:
        local = datetime.fromtimestamp(ts, zone)
        grid[local.weekday()][local.hour] += 1
    return grid


def median_grid(grids: list[list[list[int]]]) -> list[list[float]] | None:
    """Cell-by-cell median of peers' grids; None with fewer than MIN_PEERS peers."""
    if len(grids) < MIN_PEERS:
        return None
    return [
        [round(statistics.median(g[d][h] for g in grids), 1) for h in range(24)] for d in range(7)
    ]


def activity_charts(
    db: Database, flagged: list[str], start: float, end: float, digest_tz: str
) -> dict[str, dict[str, Any]]:
    """Hour-of-week grids for flagged people in their declared zone, with their team's median beside.

    Args:
        db: the store.
        flagged: person ids to chart.
        start: week start (epoch seconds).
        end: week end.
        digest_tz: zone used for people who declared none (or an unknown one).

    Returns:
        person_id -> {"tz", "tz_declared", "person", "team", "team_peers", "working"}.
    """
    people = {r["person_id"]: r for r in db.query("select person_id, team, tz from people")}
    teams: dict[str, list[str]] = defaultdict(list)
    for pid, p in people.items():
        if p["team"]:
            teams[p["team"]].append(pid)
    wanted = set(flagged)
    for pid in flagged:
        team = (people.get(pid) or {}).get("team")
        if team:
            wanted.update(teams[team])
    times = activity_times(db, wanted, start, end)
    out: dict[str, dict[str, Any]] = {}
    for pid in flagged:
        p = people.get(pid) or {}
        tz, declared = _zone(p.get("tz"), digest_tz)
        peers = [o for o in teams.get(p.get("team") or "", []) if o != pid and times.get(o)]
        out[pid] = {
            "tz": tz,
            "tz_declared": declared,
            "person": hour_grid(times.get(pid, []), tz),
            "team": median_grid([hour_grid(times[o], tz) for o in peers]),
            "team_peers": len(peers),
            "working": WORKING,
        }
    return out


def _zone(tz: str | None, fallback: str) -> tuple[str, bool]:
    if tz:
        try:
            ZoneInfo(tz)
            return tz, True
        except Exception:  # an unknown zone in a profile falls back to the digest's
            pass
    return fallback, False


def session_charts(
    db: Database, flagged: dict[str, str], start: float, end: float
) -> dict[str, dict[str, Any]]:
    """Each flagged person's sessions overlapping the week as bars, with hand-overs and address changes.

    Args:
        db: the store.
        flagged: person id -> zone their listed times are shown in.
        start: week start (epoch seconds).
        end: week end.

    Returns:
        person_id -> {"hours": week length, "bars": [...], "marks": [...], "more_marks": int},
        times in hours from the week's start.
    """
    by_person: dict[str, list[dict[str, Any]]] = defaultdict(list)
    by_device: dict[str, list[tuple[float, float, str]]] = defaultdict(list)
    for s in db.query(
        "select person_id, start_ts, end_ts, last_seen_ts, end_reason, active_spans, devices "
        "from sessions where person_id is not null and start_ts < ? "
        "and coalesce(end_ts, last_seen_ts) >= ? order by start_ts",
        [end, start],
    ):
        s["stop"] = s["end_ts"] if s["end_ts"] is not None else s["last_seen_ts"]
        s["devices"] = json.loads(s["devices"] or "[]")
        for device in s["devices"]:
            by_device[device].append((s["start_ts"], s["stop"], s["person_id"]))
        if s["person_id"] in flagged:
            by_person[s["person_id"]].append(s)
    return {
        pid: _one_person(db, pid, by_person.get(pid, []), by_device, start, end, tz)
        for pid, tz in flagged.items()
    }


def _one_person(
    db: Database,
    pid: str,
    rows: list[dict[str, Any]],
    by_device: dict[str, list[tuple[float, float, str]]],
    start: float,
    end: float,
    tz: str,
) -> dict[str, Any]:
    zone = ZoneInfo(tz)

    def hours(ts: float) -> float:
        return round((ts - start) / 3600, 2)

    def local(ts: float) -> str:
        return datetime.fromtimestamp(ts, zone).strftime("%a %d %H:%M")

    lanes: list[float] = []
    bars = []
    marks: list[dict[str, Any]] = []
    for s in rows:
        stop = s["stop"]
        lane = next((i for i, last in enumerate(lanes) if last <= s["start_ts"]), len(lanes))
        if lane >= MAX_LANES:
            lane = MAX_LANES - 1
        elif lane == len(lanes):
            lanes.append(stop)
        lanes[lane] = max(lanes[lane], stop)
        spans = [(a, b) for a, b in json.loads(s["active_spans"] or "[]") if b > start and a < end]
        attended = sum(min(b, end) - max(a, start) for a, b in spans)
        inside = min(stop, end) - max(s["start_ts"], start)
        bars.append(
            {
                "lane": lane,
                "start_h": hours(max(s["start_ts"], start)),
                "end_h": hours(min(stop, end)),
                "attended": [[hours(max(a, start)), hours(min(b, end))] for a, b in spans],
                "open": s["end_ts"] is None,
                "start": local(s["start_ts"]),
                "end": local(stop),
                "end_reason": s["end_reason"],
                "attended_h": round(attended / 3600, 1),
                "away_h": round(max(0.0, inside - attended) / 3600, 1),
                "devices": s["devices"][:3],
            }
        )
        for device in s["devices"]:
            for o_start, o_stop, other in by_device.get(device, []):
                if other == pid:
                    continue
                if -300 <= o_start - stop <= HANDOVER_WINDOW_S and start <= o_start < end:
                    marks.append(
                        {
                            "kind": "handover",
                            "at": o_start,
                            "detail": f"{device} to another identity",
                        }
                    )
                elif (
                    -300 <= s["start_ts"] - o_stop <= HANDOVER_WINDOW_S
                    and start <= s["start_ts"] < end
                ):
                    marks.append(
                        {
                            "kind": "handover",
                            "at": s["start_ts"],
                            "detail": f"{device} from another identity",
                        }
                    )
    marks += _address_changes(db, pid, start, end)
    marks.sort(key=lambda m: m["at"])
    for m in marks:
        m["at_h"], m["at"] = hours(m["at"]), local(m["at"])
    return {
        "hours": round((end - start) / 3600, 2),
        "bars": bars,
        "marks": marks[:MAX_MARKS],
        "more_marks": max(0, len(marks) - MAX_MARKS),
    }


def _address_changes(db: Database, pid: str, start: float, end: float) -> list[dict[str, Any]]:
    """Each time the person's login events come from a different address than the one before."""
    marks = []
    previous: str | None = None
    for ts, ip, country in db.execute(
        "select ts, ip, country from login_events where person_id = ? and ts >= ? and ts < ? "
        "and ip is not null and ip != '' and success = 1 order by ts",
        [pid, start, end],
    ).fetchall():
        if previous is not None and ip != previous:
            where = f" ({country})" if country else ""
            marks.append({"kind": "address", "at": ts, "detail": f"{previous} to {ip}{where}"})
        previous = ip
    return marks
