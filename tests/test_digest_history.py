"""Chart data from the store: hour-of-week grids, sessions, risk over past weeks, coverage per day."""

from __future__ import annotations

import json

from commsignal.config import DetectConfig
from commsignal.detect import load_rules
from commsignal.digest import build_digest
from commsignal.digest.history import (
    backfill_weeks,
    coverage_days,
    level_counts,
    recent_weeks,
    risk_history,
)
from commsignal.digest.person_charts import activity_charts, hour_grid, median_grid, session_charts
from tests.digest_world import END, PEERS, START, SUSPECT, WEEK, H, build_store, message, ranked


def test_recent_weeks_end_with_the_week_and_cross_the_year() -> None:
    assert recent_weeks(WEEK) == [f"2026-W{w}" for w in range(40, 48)]
    assert recent_weeks("2027-W02", n=3) == ["2026-W53", "2027-W01", "2027-W02"]


def test_hour_grid_uses_the_zone_given() -> None:
    ts = START + 14 * H  # Monday 14:00 UTC is Monday 09:00 in New York (EST)
    assert hour_grid([ts], "America/New_York")[0][9] == 1
    assert hour_grid([ts], "UTC")[0][14] == 1
    assert hour_grid([START + 2 * H], "America/New_York")[6][21] == 1  # Sunday evening there


def test_median_grid_needs_three_peers() -> None:
    one = [[0] * 24 for _ in range(7)]
    busy = [[2] * 24 for _ in range(7)]
    assert median_grid([one, busy]) is None
    assert median_grid([one, busy, busy])[3][5] == 2


def test_activity_chart_in_declared_zone_beside_team_median() -> None:
    db = build_store()
    charts = activity_charts(db, [SUSPECT], START, END, "UTC")[SUSPECT]
    assert charts["tz"] == "America/New_York" and charts["tz_declared"]
    grid = charts["person"]
    assert sum(map(sum, grid)) == 4 * 24 + 3  # messages and login events
    # Monday 00:01 UTC is Sunday 19:01 in New York
    assert grid[6][19] == 1
    assert charts["team_peers"] == len(PEERS)
    team = charts["team"]
    # peers post at 09, 10, 14 UTC = 04, 05, 09 New York time on four days
    assert team[0][4] == 1 and team[0][9] == 1 and team[0][12] == 0
    assert team[3][4] == 0  # Thursday: nothing stored


def test_unknown_declared_zone_falls_back_to_digest_zone() -> None:
    db = build_store()
    db.execute("update people set tz = 'Mars/Olympus' where person_id = ?", [SUSPECT])
    charts = activity_charts(db, [SUSPECT], START, END, "Europe/Berlin")[SUSPECT]
    assert charts["tz"] == "Europe/Berlin" and not charts["tz_declared"]


def test_session_chart_separates_attended_from_locked_and_marks_changes() -> None:
    db = build_store()
    chart = session_charts(db, {SUSPECT: "UTC"}, START, END)[SUSPECT]
    (bar,) = chart["bars"]
    assert (bar["start_h"], bar["end_h"]) == (14, 62)
    assert bar["attended_h"] == 38 and bar["away_h"] == 10
    assert bar["attended"] == [[14, 22], [32, 62]]
    kinds = {m["kind"]: m for m in chart["marks"]}
    assert kinds["handover"]["at_h"] == 62.33
    assert "WS-9" in kinds["handover"]["detail"]
    assert kinds["address"]["detail"] == "10.0.0.1 to 203.0.113.5 (RO)"
    assert PEERS[0] not in json.dumps(chart)  # the other identity is not named in the chart


def test_coverage_days_show_the_gap() -> None:
    db = build_store()
    cov = coverage_days(db, START, END)
    slack = next(r for r in cov["rows"] if r["key"] == "slack")
    assert slack["counts"][3] == 0 and slack["counts"][0] == 11 * 3 + 24
    assert cov["labels"][0] == "Mon" and cov["days"][0] == "2026-11-16"
    logins = next(r for r in cov["rows"] if r["key"] == "logins:csv")
    assert sum(logins["counts"]) == 3


def test_coverage_days_follow_local_days() -> None:
    db = build_store()
    tokyo = coverage_days(db, *_bounds("Asia/Tokyo"), "Asia/Tokyo")
    slack = next(r for r in tokyo["rows"] if r["key"] == "slack")
    # Friday 14:00 UTC messages fall on Friday 23:00 Tokyo; Friday 15:00 UTC on Saturday
    assert slack["counts"][5] > 0


def _bounds(tz: str) -> tuple[float, float]:
    from commsignal.weeks import week_bounds

    return week_bounds(WEEK, tz)


def _finding(week: str, pid: str, detector: str, score: float) -> dict[str, object]:
    return {
        "week": week,
        "person_id": pid,
        "detector": detector,
        "strength": "strong",
        "score": score,
        "summary": "s",
        "evidence": "{}",
        "created_at": 0,
    }


def test_risk_history_recomputes_levels_and_leaves_gaps() -> None:
    db = build_store()
    rules = load_rules()
    db.table("findings").insert_all(
        [
            _finding("2026-W44", SUSPECT, "marathon_session", 1.0),
            _finding("2026-W44", PEERS[0], "off_timezone", 0.2),
            _finding("2026-W46", SUSPECT, "retired_rule", 1.0),
        ]
    )
    weeks = recent_weeks(WEEK)
    history, analysed = risk_history(db, weeks, rules)
    assert analysed == {"2026-W44", "2026-W46"}
    risk, level = history["2026-W44"][SUSPECT]
    assert level in ("high", "medium") and risk > history["2026-W44"][PEERS[0]][0]
    assert history["2026-W46"] == {}  # a retired rule's finding is not counted
    counts = {r["week"]: r for r in level_counts(history, analysed)}
    assert not counts["2026-W45"]["analysed"]
    assert counts["2026-W44"]["high"] + counts["2026-W44"]["medium"] == 1


def test_backfill_analyses_only_weeks_with_data_and_no_analysis() -> None:
    db = build_store()
    rules = load_rules()
    earlier = START - 7 * 86400
    db.table("messages").insert_all(
        message(PEERS[1], earlier + 10 * H + k, 9000 + k) for k in range(3)
    )
    db.table("messages").insert(message(PEERS[1], START - 3 * 7 * 86400 + H, 9999))
    db.table("digests").insert(
        {"week": "2026-W44", "generated_at": 0, "n_people": 0, "n_high": 0, "digest_json": "{}"}
    )
    filled = backfill_weeks(db, WEEK, "UTC", DetectConfig(), rules)
    assert filled == ["2026-W46"]
    assert db.execute("select count(*) from person_weeks where week = '2026-W46'").fetchone()[0] > 0
    assert backfill_weeks(db, WEEK, "UTC", DetectConfig(), rules) == []  # never re-run
    _, analysed = risk_history(db, recent_weeks(WEEK), rules)
    assert {"2026-W44", "2026-W46"} <= analysed and "2026-W45" not in analysed


def test_build_digest_adds_chart_keys_and_keeps_the_schema() -> None:
    db = build_store()
    digest = build_digest(db, WEEK, ranked())
    for key in ("week", "generated_at", "timezone", "coverage", "people"):
        assert key in digest
    assert [w["week"] for w in digest["history"]["levels"]][-1] == WEEK
    assert digest["history"]["levels"][-1]["high"] == 1
    (person,) = digest["people"]
    assert person["charts"]["risk"][-1] == {"week": WEEK, "risk": 81, "level": "high"}
    assert person["charts"]["risk"][0]["risk"] is None
    assert person["charts"]["sessions"]["bars"]
    json.dumps(digest)  # the JSON format still serialises
