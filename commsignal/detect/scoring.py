"""Composite 0-100 risk from findings: strong signals combine; weak ones only add to what strong ones raised."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

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
