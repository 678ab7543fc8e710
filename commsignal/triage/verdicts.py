"""Analyst verdicts on a person's findings: recorded with the evidence of that week, audited, and read back."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from sqlite_utils import Database

from commsignal.audit import record
from commsignal.triage.evidence import atoms
from commsignal.weeks import parse_week

VERDICTS = ("benign", "confirmed", "escalated", "needs-review")
CASES = ("confirmed", "escalated", "needs-review")
PINNED = ("confirmed", "escalated")


class TriageError(ValueError):
    """A verdict that cannot be recorded; the message says how to fix the command."""


@dataclass(frozen=True, slots=True)
class Verdict:
    """One recorded decision about a person (one rule, or every rule that fired that week)."""

    id: int
    person_id: str
    detector: str | None
    week: str
    verdict: str
    reason: str
    until: date | None
    assignee: str | None
    actor: str
    created_at: float
    baseline: dict[str, dict[str, Any]] = field(default_factory=dict)

    def suppresses(self, detector: str, week: str) -> bool:
        """Whether this (benign) verdict covers `detector` in `week` by its scope and dates."""
        if self.verdict != "benign" or self.until is None or week < self.week:
            return False
        if self.detector is not None and self.detector != detector:
            return False
        if self.detector is None and detector not in self.baseline:
            return False  # a rule that had not fired when the analyst looked is new evidence
        return monday(week) <= self.until

    def describe(self) -> dict[str, Any]:
        """The verdict as JSON-ready data for the digest and exports."""
        out: dict[str, Any] = {
            "id": self.id,
            "verdict": self.verdict,
            "rule": self.detector or "*",
            "week": self.week,
            "reason": self.reason,
        }
        if self.until is not None:
            out["until"] = self.until.isoformat()
        if self.assignee:
            out["assignee"] = self.assignee
        return out


def monday(week: str) -> date:
    """The Monday of an ISO week."""
    year, num = parse_week(week)
    return date.fromisocalendar(year, num, 1)


def default_until(week: str, weeks: int) -> date:
    """The Sunday `weeks` weeks after the verdict's week: the default end of a benign verdict."""
    return monday(week) + timedelta(days=7 * weeks + 6)


def record_verdict(
    db: Database,
    person_id: str,
    week: str,
    verdict: str,
    reason: str,
    detector: str | None = None,
    until: date | None = None,
    assignee: str | None = None,
    benign_weeks: int = 4,
) -> Verdict:
    """Record a verdict with the week's evidence as its baseline, and write it to the audit log.

    Args:
        db: the store.
        person_id: pseudonym.
        week: the week the analyst reviewed.
        verdict: one of VERDICTS.
        reason: why (kept in the audit log and shown in the digest).
        detector: one rule id, or None for every rule that fired that week.
        until: last day a benign verdict applies (default: `benign_weeks` after the week).
        assignee: who owns the case.
        benign_weeks: default length of a benign verdict.

    Returns:
        The stored verdict.

    Raises:
        TriageError: unknown verdict, --until on a non-benign verdict or in the past of the week,
            or a benign verdict with no finding to compare later weeks against.
    """
    if verdict not in VERDICTS:
        raise TriageError(f"verdict {verdict!r} is not one of {', '.join(VERDICTS)}")
    if len(reason.strip()) < 5:
        raise TriageError("--reason must say why (a few words); it is kept in the audit log")
    if until is not None and verdict != "benign":
        raise TriageError("--until applies to benign verdicts only (they expire); drop it")
    baseline = _baseline(db, person_id, week, detector)
    if verdict == "benign":
        if not baseline:
            scope = f" for rule {detector}" if detector else ""
            raise TriageError(
                f"{person_id} has no finding{scope} in {week} to mark benign. Fix: check the "
                "week and rule in that week's digest (`commsignal digest --week ...` first)."
            )
        until = until or default_until(week, benign_weeks)
        if until < monday(week):
            raise TriageError(f"--until {until} is before {week}; give a later date")
    actor = actor_name()
    row = {
        "person_id": person_id,
        "detector": detector,
        "week": week,
        "verdict": verdict,
        "reason": reason.strip(),
        "until": until.isoformat() if until else None,
        "assignee": assignee,
        "baseline": json.dumps(baseline, sort_keys=True),
        "actor": actor,
        "created_at": time.time(),
    }
    with db.atomic():
        new_id = int(db.table("triage_verdicts").insert(row).last_pk or 0)
        scope = detector or "all rules"
        record(db, f"triage-{verdict}", person_id, f"{week} {scope}: {reason.strip()}")
    return _verdict({**row, "id": new_id})


def list_verdicts(db: Database, person_id: str | None = None) -> list[Verdict]:
    """Every verdict, oldest first (optionally of one person)."""
    sql = "select * from triage_verdicts"
    args: list[Any] = []
    if person_id:
        sql += " where person_id = ?"
        args.append(person_id)
    return [_verdict(r) for r in db.query(sql + " order by id", args)]


def latest(verdicts: list[Verdict]) -> list[Verdict]:
    """The newest verdict per (person, rule scope): a later decision replaces an earlier one."""
    newest: dict[tuple[str, str | None], Verdict] = {}
    for v in verdicts:
        newest[(v.person_id, v.detector)] = v
    return sorted(newest.values(), key=lambda v: v.id)


def is_open(v: Verdict, today: date) -> bool:
    """A case still to act on, or a benign verdict still in force."""
    return v.verdict in CASES or (v.until is not None and v.until >= today)


def _baseline(
    db: Database, person_id: str, week: str, detector: str | None
) -> dict[str, dict[str, Any]]:
    sql = "select detector, score, evidence from findings where person_id = ? and week = ?"
    args: list[Any] = [person_id, week]
    if detector:
        sql += " and detector = ?"
        args.append(detector)
    return {
        r["detector"]: {"score": r["score"], "atoms": atoms(json.loads(r["evidence"] or "{}"))}
        for r in db.query(sql, args)
    }


def _verdict(r: dict[str, Any]) -> Verdict:
    return Verdict(
        id=int(r["id"]),
        person_id=r["person_id"],
        detector=r["detector"],
        week=r["week"],
        verdict=r["verdict"],
        reason=r["reason"],
        until=date.fromisoformat(r["until"]) if r["until"] else None,
        assignee=r["assignee"],
        actor=r["actor"],
        created_at=float(r["created_at"]),
        baseline=json.loads(r["baseline"] or "{}"),
    )


def actor_name() -> str:
    """The operating-system user recording a decision."""
    import getpass

    try:
        return getpass.getuser()
    except Exception:  # no login name in some containers
        return "unknown"
