"""Every rule file is well-formed and its inline positive and negative cases hold."""

from __future__ import annotations

from pathlib import Path

import pytest

from commsignal.detect import evaluate_rule, load_rules
from commsignal.detect.checks import CHECKS
from commsignal.detect.rules import SHIPPED_RULES, RuleError, load_rule

RULES = load_rules()
CASES = [(r, t) for r in RULES for t in r.tests]


@pytest.mark.parametrize(("rule", "case"), CASES, ids=[f"{r.id}:{t.name}" for r, t in CASES])
def test_rule_inline_case(rule, case) -> None:  # type: ignore[no-untyped-def]
    result = evaluate_rule(rule, case.features)
    assert (result is not None) == case.expect, f"{rule.id}: {case.name}"
    if result is not None:
        assert 0 < result.score <= 1
        assert result.summary and result.summary[-1] == "."


@pytest.mark.parametrize("rule", RULES, ids=[r.id for r in RULES])
def test_rule_hygiene(rule) -> None:  # type: ignore[no-untyped-def]
    assert rule.check in CHECKS
    assert any(t.expect for t in rule.tests), "needs a positive case"
    assert any(not t.expect for t in rule.tests), "needs a negative case"
    assert rule.false_positives, "document known false positives"
    assert len(rule.description) > 40 and len(rule.guidance) > 20


def test_all_design_signals_have_rules() -> None:
    ids = {r.id for r in RULES}
    assert {
        "marathon_session",
        "round_the_clock",
        "off_timezone",
        "shared_infrastructure",
        "anonymising_access",
        "remote_access_tool",
        "camera_avoidance",
        "low_small_talk",
        "laptop_farm",
        "concurrent_account",
    } <= ids


def test_weak_rules_are_weak() -> None:
    strengths = {r.id: r.strength for r in RULES}
    for weak in ("camera_avoidance", "low_small_talk", "low_participation"):
        assert strengths[weak] == "weak"


def test_filename_must_match_id(tmp_path: Path) -> None:
    src = (SHIPPED_RULES / "remote_access_tool.toml").read_text()
    bad = tmp_path / "renamed.toml"
    bad.write_text(src)
    with pytest.raises(RuleError, match="file name"):
        load_rule(bad)


def test_missing_field_is_named(tmp_path: Path) -> None:
    bad = tmp_path / "x.toml"
    bad.write_text('id = "x"\nname = "x"\n')
    with pytest.raises(RuleError, match="missing"):
        load_rule(bad)


def test_rules_dir_overrides_the_shipped_rules(tmp_path: Path) -> None:
    src = (SHIPPED_RULES / "remote_access_tool.toml").read_text()
    (tmp_path / "remote_access_tool.toml").write_text(src)
    assert [r.id for r in load_rules(tmp_path)] == ["remote_access_tool"]
    assert [r.id for r in load_rules(str(tmp_path))] == ["remote_access_tool"]


def test_missing_rules_dir_names_the_setting(tmp_path: Path) -> None:
    with pytest.raises(RuleError, match=r"\[detect\] rules_dir"):
        load_rules(tmp_path / "nope")
