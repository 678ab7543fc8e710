"""Week over week: who is new, persisting or returning, their recent risk, and who left the list and why."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from sqlite_utils import Database

from commsignal.detect import PersonRisk
from commsignal.detect.rules import Rule
from commsignal.detect.scoring import stored_risks
from commsignal.triage.apply import TriageOutcome
from commsignal.triage.verdicts import monday


@dataclass(slots=True)
class PastWeek:
    """What an earlier week's digest listed: people and the findings' ids (or only people)."""

    week: str
    people: dict[str, int]
    findings: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)
    from_digest: bool = True


@dataclass(slots=True)
class WeekOverWeek:
    """Per-person state and history, the people who left, and each finding's lifecycle."""

    states: dict[str, dict[str, Any]]
    left: list[dict[str, Any]]
    lifecycle: dict[tuple[str, str], dict[str, Any]]
    closed: list[dict[str, Any]]


def week_minus(week: str, k: int) -> str:
    """The ISO week `k` weeks before `week`."""
    iso = (monday(week) - timedelta(days=7 * k)).isocalendar()
    return f"{iso.year}-W{iso.week:02d}"


def finding_uid(person_id: str, detector: str, first_week: str) -> str:
    """A stable id for one run of a finding: same person, rule and first week -> same id."""
    digest = hashlib.sha256(f"{person_id}|{detector}|{first_week}".encode()).hexdigest()
    return f"commsignal-{digest[:20]}"


def past_week(db: Database, week: str) -> PastWeek | None:
    """What the digest of `week` listed; from its findings when no digest was written; None when unknown."""
    row = db.execute("select digest_json from digests where week = ?", [week]).fetchone()
    if row:
        d = json.loads(row[0])
        past = PastWeek(week, {p["person"]: int(p["risk"]) for p in d.get("people", [])})
        for p in d.get("people", []):
            for f in p.get("findings", []):
                if f.get("uid"):
                    past.findings[(p["person"], f["detector"])] = f
        for s in d.get("suppressed", []):
            if s.get("uid"):
                past.findings[(s["person"], s["detector"])] = s
        return past
    rows = db.execute("select distinct person_id from findings where week = ?", [week]).fetchall()
    if not rows:
        return None
    return PastWeek(week, {r[0]: 0 for r in rows}, from_digest=False)


def week_over_week(
    db: Database, outcome: TriageOutcome, rules: list[Rule], top: int, weeks: int = 8
) -> WeekOverWeek:
    """Compare this week's listing with earlier digests.

    Args:
        db: the store (digests, findings, person_weeks).
        outcome: this week's triage outcome.
        rules: for the weights of the measured risk history.
        top: how many people the digest lists.
        weeks: weeks of history, this one included.

    Returns:
        States (new / persisting n weeks / returning), the measured risk of the last `weeks`
        weeks per listed person, who left since last week and why, and finding lifecycles.
    """
    week = outcome.week
    listed = outcome.ranked[:top]
    earlier = [week_minus(week, k) for k in range(1, weeks)]
    past = {w: past_week(db, w) for w in earlier}
    history = _measured(db, [week, *earlier], [p.person_id for p in listed], rules)
    states: dict[str, dict[str, Any]] = {}
    for p in listed:
        run = 1
        for w in earlier:
            pw = past[w]
            if pw is None or p.person_id not in pw.people:
                break
            run += 1
        seen_before = any(pw is not None and p.person_id in pw.people for pw in past.values())
        state = "persisting" if run > 1 else ("returning" if seen_before else "new")
        states[p.person_id] = {
            "state": state,
            "weeks_listed": run,
            "risk_history": [
                {"week": w, "risk": history.get((p.person_id, w))}
                for w in [*reversed(earlier), week]
            ],
        }
    prev = past[earlier[0]] if earlier else None
    lifecycle = _lifecycle(outcome, listed, prev)
    left = _left(db, outcome, listed, prev, top)
    closed = []
    if prev is not None:
        for key, f in sorted(prev.findings.items()):
            if key not in lifecycle:
                closed.append(
                    {
                        "person": key[0],
                        "detector": key[1],
                        "title": f.get("title") or key[1],
                        "uid": f["uid"],
                        "rule_version": f.get("rule_version"),
                        "first_seen_week": f.get("first_seen_week", prev.week),
                        "last_seen_week": prev.week,
                    }
                )
    return WeekOverWeek(states, left, lifecycle, closed)


def _lifecycle(
    outcome: TriageOutcome, listed: list[PersonRisk], prev: PastWeek | None
) -> dict[tuple[str, str], dict[str, Any]]:
    """uid, first week and create/update for every finding listed or suppressed this week."""
    keys = [(p.person_id, f.detector) for p in listed for f in p.findings]
    keys += [(s.finding.person_id, s.finding.detector) for s in outcome.suppressed]
    out = {}
    for key in keys:
        before = prev.findings.get(key) if prev is not None else None
        if before is not None:
            first = before.get("first_seen_week", prev.week if prev else outcome.week)
            out[key] = {"uid": before["uid"], "first_seen_week": first, "activity": "update"}
        else:
            uid = finding_uid(key[0], key[1], outcome.week)
            out[key] = {"uid": uid, "first_seen_week": outcome.week, "activity": "create"}
    return out


def _left(
    db: Database, outcome: TriageOutcome, listed: list[PersonRisk], prev: PastWeek | None, top: int
) -> list[dict[str, Any]]:
    """People listed last week and not this week, with the reason (only against a written digest)."""
    if prev is None or not prev.from_digest:
        return []
    now = {p.person_id for p in listed}
    ranked = {p.person_id for p in outcome.ranked}
    hidden = outcome.fully_suppressed()
    scored = {
        r[0]
        for r in db.execute("select person_id from person_weeks where week = ?", [outcome.week])
    }
    left = []
    for pid in sorted(set(prev.people) - now):
        entry: dict[str, Any] = {"person": pid, "last_risk": prev.people[pid]}
        if pid in hidden:
            by_verdict = all(s.by == "verdict" for s in hidden[pid])
            entry["reason"] = "verdict" if by_verdict else "suppressed"
            entry["detail"] = "; ".join(sorted({s.reason() for s in hidden[pid]}))
        elif pid in ranked:
            entry["reason"] = "below-threshold"
            entry["detail"] = f"still has findings but ranks below the top {top}"
        elif pid in scored:
            entry["reason"] = "below-threshold"
            entry["detail"] = "no rule fired this week"
        else:
            entry["reason"] = "no-data"
            entry["detail"] = "no activity or login data this week"
        left.append(entry)
    return left


def _measured(
    db: Database, weeks: list[str], people: list[str], rules: list[Rule]
) -> dict[tuple[str, str], int | None]:
    """Risk as measured (before triage) per person and week; None for weeks with no data."""
    if not people:
        return {}
    marks = ",".join("?" * len(weeks))
    pmarks = ",".join("?" * len(people))
    scored = {
        (r[0], r[1])
        for r in db.execute(
            f"select person_id, week from person_weeks where week in ({marks}) and person_id in ({pmarks})",
            [*weeks, *people],
        )
    }
    risks = stored_risks(db, weeks, rules, people)
    out: dict[tuple[str, str], int | None] = {}
    for pid in people:
        for wk in weeks:
            if (wk, pid) in risks:
                out[(pid, wk)] = risks[(wk, pid)]
            else:
                out[(pid, wk)] = 0 if (pid, wk) in scored else None
    return out
