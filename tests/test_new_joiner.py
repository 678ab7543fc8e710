"""New joiners (directory start date) are compared with new joiners, never with settled teams."""

from __future__ import annotations

from datetime import UTC, datetime

from commsignal.analysis.baselines import add_team_baselines, tenure
from commsignal.detect import evaluate_rule, load_rules

WEEK_START = datetime(2026, 11, 16, tzinfo=UTC).timestamp()


def _team(new_start: str | None) -> dict[str, dict[str, object]]:
    people: dict[str, dict[str, object]] = {
        f"p{i}": {"team": "Platform", "messages": 80, "distinct_contacts": 12} for i in range(5)
    }
    people["new"] = {"team": "Platform", "messages": 60, "distinct_contacts": 2}
    people["new"].update(tenure(new_start, WEEK_START))
    add_team_baselines(people)  # type: ignore[arg-type]
    return people


def _fires(features: dict[str, object]) -> bool:
    [rule] = [r for r in load_rules() if r.id == "low_participation"]
    return evaluate_rule(rule, features) is not None


def test_tenure_from_the_directory_start_date() -> None:
    assert tenure("2026-11-02", WEEK_START) == {
        "start_date": "2026-11-02",
        "tenure_days": 14,
        "new_joiner": True,
    }
    assert tenure("2019-05-01", WEEK_START)["new_joiner"] is False
    assert tenure(None, WEEK_START) == {} and tenure("soon", WEEK_START) == {}


def test_a_new_joiner_is_not_measured_against_a_settled_team() -> None:
    settled = _team("2019-05-01")
    assert settled["new"]["team_median_distinct_contacts"] == 12
    assert _fires(settled["new"])  # the same person with years of tenure would be flagged
    joined = _team("2026-11-02")
    assert joined["new"]["baseline"] == "new_joiners"
    assert joined["new"]["team_median_distinct_contacts"] is None  # no other new joiners
    assert not _fires(joined["new"])
    # the team's own baseline and size are unchanged by the newcomer
    assert joined["p0"]["team_median_distinct_contacts"] == 12 and joined["p0"]["team_size"] == 6


def test_new_joiners_are_compared_with_each_other() -> None:
    people: dict[str, dict[str, object]] = {
        f"n{i}": {"team": f"T{i}", "messages": 60, "distinct_contacts": 8, "new_joiner": True}
        for i in range(4)
    }
    people["quiet"] = {"team": "T0", "messages": 60, "distinct_contacts": 1, "new_joiner": True}
    add_team_baselines(people)  # type: ignore[arg-type]
    assert people["quiet"]["team_median_distinct_contacts"] == 8
    assert _fires(people["quiet"])
