"""How a week's findings measure up against a ground truth: planted personas, confounders, ordinary people.

The ground truth is the JSON the demo writes (`ground-truth.json`): `planted` and `confounders`
map an email to a label; `may_be_medium` lists confounder emails allowed to reach medium. Everyone
else scored that week is an ordinary person. Risks are recomputed from the stored findings with the
rules' weights, exactly as `detect_week` combines them, so every scored person is counted (the
digest itself lists only its top people).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from sqlite_utils import Database

from commsignal.detect.rules import Rule
from commsignal.detect.scoring import Weighted, composite, level

MAX_ORDINARY_SHARE = 0.005


@dataclass(slots=True)
class Evaluation:
    """The measures `commsignal evaluate` prints."""

    week: str
    scored: int
    planted: list[dict[str, Any]] = field(default_factory=list)
    confounders: list[dict[str, Any]] = field(default_factory=list)
    ordinary: int = 0
    ordinary_flagged: list[dict[str, Any]] = field(default_factory=list)
    precision_at_k: float = 0.0
    checks: dict[str, bool] = field(default_factory=dict)

    @property
    def ordinary_share(self) -> float:
        """Share of ordinary people at medium or above."""
        return len(self.ordinary_flagged) / self.ordinary if self.ordinary else 0.0

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "week": self.week,
            "scored": self.scored,
            "planted": self.planted,
            "confounders": self.confounders,
            "ordinary": self.ordinary,
            "ordinary_at_medium_or_above": len(self.ordinary_flagged),
            "ordinary_share": round(self.ordinary_share, 4),
            "ordinary_flagged": self.ordinary_flagged,
            "precision_at_k": round(self.precision_at_k, 3),
            "checks": self.checks,
            "ok": all(self.checks.values()),
        }


def evaluate_week(db: Database, truth: dict[str, Any], week: str, rules: list[Rule]) -> Evaluation:
    """Rank and level every scored person of `week` and compare with the ground truth.

    Args:
        db: the store, after a digest (or detection) of `week`.
        truth: the ground-truth dict.
        week: ISO week.
        rules: the rules the findings came from (for weights and strength).

    Returns:
        The evaluation, with pass/fail checks.
    """
    by_id = {r.id: r for r in rules}
    found: dict[str, list[Weighted]] = defaultdict(list)
    detectors: dict[str, list[str]] = defaultdict(list)
    for row in db.query("select person_id, detector, score from findings where week = ?", [week]):
        rule = by_id.get(row["detector"])
        if rule is None:
            continue
        found[row["person_id"]].append(
            Weighted(row["score"], rule.weight, rule.strength == "strong")
        )
        detectors[row["person_id"]].append(row["detector"])
    risk = {pid: composite(ws) for pid, ws in found.items()}
    ranked = sorted(risk, key=lambda pid: (-risk[pid], pid))
    rank = {pid: i + 1 for i, pid in enumerate(ranked)}
    email_pid = {
        str(r["email"]).lower(): r["person_id"]
        for r in db.query("select person_id, email from people where email is not null")
    }
    scored = {
        r["person_id"]
        for r in db.query("select person_id from person_weeks where week = ?", [week])
    }
    scored |= set(risk)

    def row_for(email: str, label: str) -> dict[str, Any]:
        pid = email_pid.get(email.lower())
        r = risk.get(pid or "", 0)
        return {
            "label": label,
            "person": pid,
            "rank": rank.get(pid or ""),
            "risk": r,
            "level": level(r),
            "detectors": sorted(detectors.get(pid or "", [])),
        }

    ev = Evaluation(week, len(scored))
    ev.planted = [row_for(e, label) for e, label in sorted(truth.get("planted", {}).items())]
    ev.confounders = [
        row_for(e, label) for e, label in sorted(truth.get("confounders", {}).items())
    ]
    may_be_medium = {email_pid.get(e.lower()) for e in truth.get("may_be_medium", [])}
    known = {r["person"] for r in ev.planted + ev.confounders}
    ordinary = scored - known
    ev.ordinary = len(ordinary)
    ev.ordinary_flagged = [
        {
            "person": pid,
            "risk": risk[pid],
            "level": level(risk[pid]),
            "detectors": sorted(detectors[pid]),
        }
        for pid in ranked
        if pid in ordinary and level(risk[pid]) != "low"
    ]
    k = len(ev.planted)
    planted_ids = {r["person"] for r in ev.planted}
    ev.precision_at_k = sum(1 for pid in ranked[:k] if pid in planted_ids) / k if k else 0.0
    lowest_planted = min((r["risk"] for r in ev.planted), default=0)
    ev.checks = {
        "planted_all_high": all(r["level"] == "high" for r in ev.planted),
        "planted_above_confounders": all(r["risk"] < lowest_planted for r in ev.confounders),
        "no_confounder_high": all(r["level"] != "high" for r in ev.confounders),
        "confounders_medium_only_if_allowed": all(
            r["level"] == "low" or r["person"] in may_be_medium for r in ev.confounders
        ),
        "ordinary_share_ok": ev.ordinary_share <= MAX_ORDINARY_SHARE,
    }
    return ev


def render_table(ev: Evaluation) -> str:
    """The evaluation as a plain-text table."""
    lines = [
        f"week {ev.week}: {ev.scored} people scored",
        "",
        "planted persona        rank  risk  level   detectors",
    ]
    for r in ev.planted:
        lines.append(
            f"{r['label']:<22} {r['rank'] or '-':>4}  {r['risk']:>4}  {r['level']:<6}  {', '.join(r['detectors'])}"
        )
    lines += ["", "confounder             rank  risk  level   detectors"]
    for r in ev.confounders:
        lines.append(
            f"{r['label']:<22} {r['rank'] or '-':>4}  {r['risk']:>4}  {r['level']:<6}  {', '.join(r['detectors'])}"
        )
    flagged = [r for r in ev.confounders if r["level"] != "low"]
    lines += [
        "",
        f"precision@{len(ev.planted)}: {ev.precision_at_k:.2f}",
        f"confounders flagged (medium or above): {len(flagged)} of {len(ev.confounders)}",
        f"ordinary people at medium or above: {len(ev.ordinary_flagged)} of {ev.ordinary} "
        f"({100 * ev.ordinary_share:.2f}%)",
    ]
    for r in ev.ordinary_flagged[:10]:
        lines.append(f"  {r['person']}  {r['risk']:>3} {r['level']:<6} {', '.join(r['detectors'])}")
    lines += [""] + [f"{'PASS' if ok else 'FAIL'}  {name}" for name, ok in ev.checks.items()]
    return "\n".join(lines)
