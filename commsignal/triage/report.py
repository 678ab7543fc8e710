"""What triage adds to the digest dict: states, cases, notes, and the suppressed / left / closed lists."""

from __future__ import annotations

from typing import Any

from commsignal.triage.apply import TriageOutcome
from commsignal.triage.history import WeekOverWeek


def annotate_digest(digest: dict[str, Any], outcome: TriageOutcome, wow: WeekOverWeek) -> None:
    """Add the triage view to a digest built from `outcome.ranked`, in place; existing keys stay.

    Adds to each person `state` (new / persisting / returning), `weeks_listed`, `risk_history` and,
    with an open case, `case`; to each finding `uid`, `first_seen_week`, `activity` and any `note`
    (a return despite a benign verdict sets `returned`). Adds the top-level lists `suppressed`,
    `left`, `closed` and `allow_expired`, and a line in `notes` for expired allowlist entries.

    Args:
        digest: the dict from `build_digest`.
        outcome: the triage outcome the digest was built from.
        wow: the week-over-week comparison of the same outcome.
    """
    for person in digest.get("people", []):
        pid = person["person"]
        state = wow.states.get(pid)
        if state is not None:
            person.update(state)
        case = outcome.cases.get(pid)
        if case is not None:
            person["case"] = case.describe()
        for f in person.get("findings", []):
            key = (pid, f["detector"])
            f.update(wow.lifecycle.get(key, {}))
            if f["detector"] in outcome.versions:
                f["rule_version"] = outcome.versions[f["detector"]]
            note = outcome.notes.get(key)
            if note:
                f["note"] = note
                f["returned"] = note.startswith("returned despite")
    suppressed = []
    for s in outcome.suppressed:
        f = s.finding
        item: dict[str, Any] = {"person": f.person_id}
        if s.team:
            item["team"] = s.team
        item.update(
            {
                "detector": f.detector,
                "title": f.title,
                "strength": f.strength,
                "score": round(f.score, 3),
                "summary": f.summary,
                "evidence": f.evidence,
                "rule_version": outcome.versions.get(f.detector),
                "by": s.by,
                "reason": s.reason(),
                "until": s.until(),
            }
        )
        if s.verdict is not None:
            item["verdict"] = s.verdict.describe()
        else:
            item["entries"] = [e.describe() for e in s.entries]
        item.update(wow.lifecycle.get((f.person_id, f.detector), {}))
        suppressed.append(item)
    digest["suppressed"] = suppressed
    digest["left"] = wow.left
    digest["closed"] = wow.closed
    digest["allow_expired"] = [e.describe() for e in outcome.expired_entries]
    digest.setdefault("summary", {})["suppressed"] = len(suppressed)
    if outcome.expired_entries:
        ids = ", ".join(e.id for e in outcome.expired_entries)
        digest["notes"] = [
            *digest.get("notes", []),
            f"{len(outcome.expired_entries)} allowlist entr{'y has' if len(outcome.expired_entries) == 1 else 'ies have'} "
            f"expired and {'is' if len(outcome.expired_entries) == 1 else 'are'} no longer applied ({ids}). "
            "Fix: renew with a new expiry after review, or remove them.",
        ]
