"""Composite 0-100 risk from findings: strong signals combine; weak ones only add to what strong ones raised."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sqlite_utils import Database

    from commsignal.detect.rules import Rule

HIGH = 70
MEDIUM = 40
WEAK_CAP_WITH_STRONG = 12.0
WEAK_CAP_ALONE = 8.0


@dataclass(frozen=True, slots=True)
class Weighted:
    """A finding's score with the weight and strength of its rule."""

    score: float
    weight: float
    strong: bool


def composite(findings: Iterable[Weighted]) -> int:
    """Combine findings into a 0-100 risk.

    Strong findings combine like independent evidence (1 - prod(1 - w*s)). Weak findings add at most
    WEAK_CAP_WITH_STRONG points when a strong finding scored 0.5 or more, and at most WEAK_CAP_ALONE
    otherwise, so weak signals alone never reach "medium", let alone "high".
    """
    items = list(findings)
    remaining = 1.0
    strongest = 0.0
    for f in items:
        if f.strong:
            remaining *= 1 - f.weight * f.score
            strongest = max(strongest, f.score)
    risk = 100 * (1 - remaining)
    weak = sum(100 * f.weight * f.score for f in items if not f.strong)
    risk += min(weak, WEAK_CAP_WITH_STRONG if strongest >= 0.5 else WEAK_CAP_ALONE)
    return int(round(min(100.0, risk)))


def level(risk: int) -> str:
    """The digest level for a risk score."""
    if risk >= HIGH:
        return "high"
    if risk >= MEDIUM:
        return "medium"
    return "low"


def stored_risks(
    db: Database, weeks: Sequence[str], rules: Iterable[Rule], people: Sequence[str] | None = None
) -> dict[tuple[str, str], int]:
    """Risk per (week, person) recomputed from stored findings, so every look back agrees.

    The digest's charts and triage's week-over-week column both read this one answer. Findings of
    rules that no longer exist are left out: today's rules define what a week's risk was.

    Args:
        db: the store (`findings`).
        weeks: the weeks to read.
        rules: today's rules, for their weights and strengths.
        people: only these person ids (all when None).

    Returns:
        (week, person_id) -> risk, for every pair with at least one finding of a current rule.
    """
    if not weeks or (people is not None and not people):
        return {}
    by_id = {r.id: r for r in rules}
    sql = "select week, person_id, detector, score, strength from findings where week in ({})"
    args: list[str] = list(weeks)
    sql = sql.format(",".join("?" * len(weeks)))
    if people is not None:
        sql += " and person_id in ({})".format(",".join("?" * len(people)))
        args += list(people)
    found: dict[tuple[str, str], list[Weighted]] = defaultdict(list)
    for week, pid, detector, score, strength in db.execute(sql, args).fetchall():
        rule = by_id.get(detector)
        if rule is not None:
            found[(week, pid)].append(Weighted(score, rule.weight, strength == "strong"))
    return {key: composite(items) for key, items in found.items()}
