"""The engagement view: teams against their own past, small teams pooled, drops named by team only."""

from __future__ import annotations

import json
from typing import Any

from commsignal.digest.engagement import MEASURES, compare, engagement, group_value
from commsignal.store import open_db

WEEK = "2026-W47"
PAST = [f"2026-W{w}" for w in range(39, 47)]


def _features(
    team: str | None, messages: int, video_on: int = 2, video_known: int = 4
) -> dict[str, Any]:
    return {
        "team": team,
        "messages": messages,
        "replies_to_others": messages // 2,
        "distinct_contacts": 5,
        "meeting_minutes_attended": 60.0,
        "video_on": video_on,
        "video_known": video_known,
        "small_talk_messages": messages // 10,
        "scored_messages": messages,
    }


def _store(weeks: dict[str, dict[str, dict[str, Any]]]) -> Any:
    db = open_db(None)
    db.table("person_weeks").insert_all(
        {"person_id": pid, "week": w, "features": json.dumps(f)}
        for w, people in weeks.items()
        for pid, f in people.items()
    )
    return db


def _week(ops_messages: int, video_on: int = 2) -> dict[str, dict[str, Any]]:
    people = {f"ops{i}": _features("Ops", ops_messages, video_on) for i in range(12)}
    people |= {f"web{i}": _features("Web", 30) for i in range(10)}
    people |= {f"tiny{i}": _features("Tiny", 20) for i in range(3)}
    people |= {f"lone{i}": _features(None, 20) for i in range(2)}
    return people


def test_teams_against_own_past_with_drop_named_by_team() -> None:
    weeks = {w: _week(40) for w in PAST}
    weeks[WEEK] = _week(20, video_on=0)
    e = engagement(_store(weeks), WEEK, PAST, min_group_size=10)
    assert e["baseline_weeks"] == PAST
    teams = {t["team"]: t for t in e["teams"]}
    assert set(teams) == {
        "Ops",
        "Web",
    }  # Tiny and the team-less pooled into "other" (5 < 10): withheld
    assert e["withheld"] == [{"team": "other", "people": 5}]
    assert e["folded"] == {"teams": 1, "people": 3}
    ops = teams["Ops"]["values"]
    assert (ops["messages"]["now"], ops["messages"]["usual"]) == (20, 40)
    assert ops["messages"]["change_text"] == "-50%" and ops["messages"]["drop"]
    assert ops["camera"]["change_text"] == "-50.0 pp" and ops["camera"]["tone"] == "drop"
    assert not any(v["drop"] for v in teams["Web"]["values"].values())
    assert any(d.startswith("Ops: messages") for d in e["drops"])
    text = json.dumps(e)
    assert "ops1" not in text and "tiny" not in text  # people are never named


def test_small_teams_pool_into_other_when_it_is_big_enough() -> None:
    weeks = {w: _week(40) for w in PAST}
    weeks[WEEK] = _week(40)
    e = engagement(_store(weeks), WEEK, PAST, min_group_size=5)
    teams = {t["team"]: t["people"] for t in e["teams"]}
    assert teams == {"Ops": 12, "Web": 10, "other": 5}
    assert e["folded"]["teams"] == 1 and e["withheld"] == []


def test_no_comparison_without_two_earlier_weeks() -> None:
    weeks = {PAST[-1]: _week(40), WEEK: _week(10)}
    e = engagement(_store(weeks), WEEK, PAST, min_group_size=10)
    ops = next(t for t in e["teams"] if t["team"] == "Ops")["values"]["messages"]
    assert ops["usual"] is None and ops["change_text"] == "n/a" and not ops["drop"]
    assert e["drops"] == []


def test_group_values() -> None:
    count, _, _, _, camera, small_talk = MEASURES
    members = [_features("A", m) for m in (10, 20, 90)]
    assert group_value(count, members) == 20  # median, not pulled by one chatty person
    assert group_value(camera, members) == 50.0
    assert group_value(small_talk, [_features("A", 10)]) is None  # too few scored messages
    assert group_value(camera, [_features("A", 5, 0, 0)]) is None
    assert compare(count, 5, 0)["change"] is None
    assert compare(count, 43, 40)["tone"] == "same"
    assert compare(count, 44, 40)["tone"] == "higher"


def test_people_without_collaboration_data_are_not_counted_as_zero() -> None:
    messages = next(m for m in MEASURES if m.key == "messages")
    members = [{"messages": 40}, {"messages": 50}, {"max_session_h": 9}, {"max_session_h": 8}]
    assert group_value(messages, members) == 45.0  # not 20: the login-only pair are absent
    assert group_value(messages, members[2:]) is None
