"""Run the rules over a week's features, store findings and the composite risk per person."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from typing import Any

from sqlite_utils import Database

from commsignal.detect import checks_hours  # noqa: F401 - registers the working-hours checks
from commsignal.detect.checks import CHECKS, CheckResult
from commsignal.detect.rules import Rule, RuleError, load_rules
from commsignal.detect.scoring import Weighted, composite, level
from commsignal.models import Finding

__all__ = ["PersonRisk", "RuleError", "detect_week", "evaluate_rule", "load_rules"]


@dataclass(slots=True)
class PersonRisk:
    """One person's findings for a week and the risk they add up to."""

    person_id: str
    risk: int
    level: str
    findings: list[Finding]


def evaluate_rule(rule: Rule, features: dict[str, Any]) -> CheckResult | None:
    """Run one rule's check on one person-week's features."""
    fn = CHECKS.get(rule.check)
    if fn is None:
        raise RuleError(
            f"{rule.path}: unknown check {rule.check!r}; known: {', '.join(sorted(CHECKS))}"
        )
    return fn(features, rule.params)


def detect_week(
    db: Database,
    week: str,
    features: dict[str, dict[str, Any]],
    rules: list[Rule],
    store: bool = True,
) -> list[PersonRisk]:
    """Evaluate every rule for every person and rank them.

    Args:
        db: the store (findings are written to `findings`, replacing the week's earlier run).
        week: ISO week.
        features: person_id -> features of that week.
        rules: the loaded rules.
        store: write findings.

    Returns:
        People with at least one finding, highest risk first.
    """
    results: list[PersonRisk] = []
    by_id = {r.id: r for r in rules}
    for pid, f in features.items():
        found: list[Finding] = []
        for rule in rules:
            res = evaluate_rule(rule, f)
            if res is not None and res.score > 0:
                found.append(
                    Finding(
                        pid,
                        week,
                        rule.id,
                        res.score,
                        res.summary,
                        res.evidence,
                        rule.strength,
                        rule.name,
                        " ".join(rule.guidance.split()),
                    )
                )
        if not found:
            continue
        risk = composite(
            Weighted(x.score, by_id[x.detector].weight, x.strength == "strong") for x in found
        )
        found.sort(key=lambda x: (x.strength != "strong", -x.score * by_id[x.detector].weight))
        results.append(PersonRisk(pid, risk, level(risk), found))
    results.sort(key=lambda r: (-r.risk, r.person_id))
    if store:
        now = time.time()
        with db.atomic():
            db.execute("delete from findings where week = ?", [week])
            db.table("findings").insert_all(
                (
                    {
                        "week": week,
                        "person_id": r.person_id,
                        "detector": x.detector,
                        "rule_version": by_id[x.detector].version,
                        "strength": x.strength,
                        "score": x.score,
                        "summary": x.summary,
                        "evidence": json.dumps(x.evidence, sort_keys=True, default=str),
                        "created_at": now,
                    }
                    for r in results
                    for x in r.findings
                ),
                batch_size=200,
            )
    return results
