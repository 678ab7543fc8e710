"""Apply verdicts and allowlists to a week's ranking: what stays, what is suppressed (and kept), what returned."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlite_utils import Database

from commsignal.config import Config
from commsignal.detect import PersonRisk
from commsignal.detect.rules import Rule
from commsignal.detect.scoring import Weighted, composite, level
from commsignal.models import Finding
from commsignal.triage.allowlist import (
    Allow,
    allowing,
    config_entries,
    split_expired,
    stored_entries,
)
from commsignal.triage.evidence import atoms, describe_new, new_atoms
from commsignal.triage.verdicts import CASES, PINNED, Verdict, latest, list_verdicts, monday


@dataclass(slots=True)
class Suppression:
    """A finding kept out of the ranking this week, and what kept it out."""

    finding: Finding
    team: str | None
    verdict: Verdict | None = None
    entries: list[Allow] = field(default_factory=list)

    @property
    def by(self) -> str:
        """What held the finding back: "verdict" or "allowlist"."""
        return "verdict" if self.verdict is not None else "allowlist"

    def until(self) -> str:
        """The date the suppression ends (the earliest expiry among the entries used)."""
        if self.verdict is not None and self.verdict.until is not None:
            return self.verdict.until.isoformat()
        return min(e.expires for e in self.entries).isoformat()

    def reason(self) -> str:
        """One line naming the verdict or entries behind the suppression."""
        if self.verdict is not None:
            v = self.verdict
            return f"benign verdict #{v.id} ({v.reason}) until {self.until()}"
        return "; ".join(f"allowlist {e.id} ({e.reason}) until {e.expires}" for e in self.entries)


@dataclass(slots=True)
class TriageOutcome:
    """The ranking after triage, with everything the digest says about it."""

    week: str
    ranked: list[PersonRisk]
    suppressed: list[Suppression]
    notes: dict[tuple[str, str], str]
    cases: dict[str, Verdict]
    expired_entries: list[Allow]
    measured: list[PersonRisk]
    versions: dict[str, int] = field(default_factory=dict)

    def fully_suppressed(self) -> dict[str, list[Suppression]]:
        """People whose every finding was suppressed, with their suppressions."""
        kept = {r.person_id for r in self.ranked}
        out: dict[str, list[Suppression]] = {}
        for s in self.suppressed:
            if s.finding.person_id not in kept:
                out.setdefault(s.finding.person_id, []).append(s)
        return out


def apply_triage(
    db: Database, config: Config, week: str, ranked: list[PersonRisk], rules: list[Rule]
) -> TriageOutcome:
    """Suppress findings covered by benign verdicts or allowlist entries, and pin open cases.

    A benign verdict stops suppressing when it expires or when the evidence grows: the score rose
    by `[triage] return_margin`, or a device, address, country or tool appears that was not there
    when the analyst decided. Such findings stay in the ranking with a note saying so.

    Args:
        db: the store (people, verdicts, stored allowlist entries).
        config: validated config ([triage] and [[allow]]).
        week: ISO week.
        ranked: `detect_week` output.
        rules: the rules that produced it (for weights when risk is recomputed).

    Returns:
        The outcome; `ranked` holds confirmed/escalated people first, then by risk.
    """
    weights = {r.id: r.weight for r in rules}
    teams = {r["person_id"]: r["team"] for r in db.query("select person_id, team from people")}
    verdicts = latest([v for v in list_verdicts(db) if v.week <= week])
    by_person: dict[str, list[Verdict]] = {}
    for v in verdicts:
        by_person.setdefault(v.person_id, []).append(v)
    active, expired = split_expired(config_entries(config.allow) + stored_entries(db), monday(week))
    margin = config.triage.return_margin
    out = TriageOutcome(week, [], [], {}, {}, expired, ranked, {r.id: r.version for r in rules})
    for person in ranked:
        pid, team = person.person_id, teams.get(person.person_id)
        mine = by_person.get(pid, [])
        case = _case(mine)
        if case is not None:
            out.cases[pid] = case
        kept: list[Finding] = []
        for f in person.findings:
            governing = max(
                (v for v in mine if v.detector in (f.detector, None)),
                key=lambda v: v.id,
                default=None,
            )
            if governing is not None and governing.suppresses(f.detector, week):
                grown = _growth(f, governing, margin)
                if grown is None:
                    out.suppressed.append(Suppression(f, team, verdict=governing))
                    continue
                out.notes[(pid, f.detector)] = (
                    f"returned despite a benign verdict #{governing.id} ({governing.reason}): {grown}"
                )
            elif (
                governing is not None
                and governing.until is not None
                and monday(week) > governing.until
            ):
                out.notes[(pid, f.detector)] = (
                    f"benign verdict #{governing.id} ({governing.reason}) expired on {governing.until}"
                )
            used = allowing(f, team, active)
            if used is not None:
                out.suppressed.append(Suppression(f, team, entries=used))
                continue
            stale = allowing(f, team, expired)
            if stale is not None and (pid, f.detector) not in out.notes:
                out.notes[(pid, f.detector)] = "; ".join(
                    f"allowlist {e.id} ({e.reason}) expired on {e.expires} and was not applied"
                    for e in stale
                )
            kept.append(f)
        if not kept:
            continue
        if len(kept) == len(person.findings):
            out.ranked.append(person)
            continue
        risk = composite(
            Weighted(x.score, weights.get(x.detector, 1.0), x.strength == "strong") for x in kept
        )
        out.ranked.append(PersonRisk(pid, risk, level(risk), kept))
    out.ranked.sort(
        key=lambda r: (
            r.person_id not in out.cases or out.cases[r.person_id].verdict not in PINNED,
            -r.risk,
            r.person_id,
        )
    )
    return out


def _case(mine: list[Verdict]) -> Verdict | None:
    """The person's open case: the newest confirmed/escalated/needs-review verdict, unless a newer
    benign verdict about all their rules closed it."""
    newest = None
    for v in sorted(mine, key=lambda v: v.id):
        if v.verdict in CASES:
            newest = v
        elif v.detector is None:
            newest = None
    return newest


def _growth(f: Finding, v: Verdict, margin: float) -> str | None:
    """How the evidence grew since the verdict, or None when it did not grow materially."""
    base = v.baseline.get(f.detector)
    if base is None:
        return None
    parts = []
    if f.score >= float(base["score"]) + margin - 1e-9:
        parts.append(f"score rose from {float(base['score']):.2f} to {f.score:.2f}")
    grown = new_atoms(atoms(f.evidence), base.get("atoms") or {})
    if grown:
        parts.append(describe_new(grown))
    return "; ".join(parts) or None
