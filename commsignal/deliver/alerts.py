"""Engagement alerts for managers who opted in: about their own direct reports, never about risk.

A manager sees that a report has gone much quieter than their own usual (fewer messages, fewer
people talked to, fewer meeting minutes), as a prompt for a check-in. No detector, score or
login data ever appears here: showing risk signals to a manager could tip off a subject and bias
the manager.
"""

from __future__ import annotations

import hashlib
import re
import statistics
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlite_utils import Database

from commsignal.analysis.features import load_week
from commsignal.config import AlertsConfig
from commsignal.digest.escape import NAME_LIMIT, md
from commsignal.privacy import canonical_email
from commsignal.store.files import atomic_write, private_dir

ENGAGEMENT_MEASURES = {
    "messages": "messages sent",
    "distinct_contacts": "people interacted with",
    "meeting_minutes_attended": "meeting minutes attended",
}
DROP_RATIO = 0.5
MIN_USUAL = {"messages": 10, "distinct_contacts": 3, "meeting_minutes_attended": 60}


@dataclass(slots=True)
class ReportChange:
    """One direct report's engagement this week beside their own usual level."""

    name: str
    changes: list[str] = field(default_factory=list)


@dataclass(slots=True)
class ManagerAlert:
    """What one opted-in manager is told for one week."""

    manager_email: str
    week: str
    team_size: int
    reports: list[ReportChange]


def manager_alerts(
    db: Database, week: str, previous_weeks: list[str], config: AlertsConfig
) -> list[ManagerAlert]:
    """Build alerts for every opted-in manager with at least `min_reports` direct reports.

    Args:
        db: the store (person_weeks must hold `week` and, for the baseline, `previous_weeks`).
        week: the week reported on.
        previous_weeks: earlier weeks whose median is each report's usual level.
        config: the [alerts] section.

    Returns:
        One alert per opted-in manager; reports listed only when something dropped a lot.
    """
    if not config.enabled or not config.opt_in:
        return []
    current = load_week(db, week)
    history = [load_week(db, w) for w in previous_weeks]
    alerts = []
    for email in sorted({canonical_email(e) for e in config.opt_in}):
        rows = list(db.query("select person_id from people where email = ?", [email]))
        if not rows:
            continue
        reports = list(
            db.query(
                "select person_id, display_name, email from people where manager_person_id = ? order by display_name",
                [rows[0]["person_id"]],
            )
        )
        if len(reports) < config.min_reports:
            continue
        changed = []
        for r in reports:
            change = _changes(
                current.get(r["person_id"], {}), [h.get(r["person_id"], {}) for h in history]
            )
            if change:
                changed.append(ReportChange(r["display_name"] or r["email"], change))
        alerts.append(ManagerAlert(email, week, len(reports), changed))
    return alerts


def _changes(now: dict[str, Any], before: list[dict[str, Any]]) -> list[str]:
    out = []
    for measure, label in ENGAGEMENT_MEASURES.items():
        usual_values = [float(b[measure]) for b in before if b.get(measure) is not None]
        if len(usual_values) < 2:
            continue
        if now.get(measure) is None:
            # no data this week (leave, not on that platform): absence is not a drop to report
            continue
        usual = statistics.median(usual_values)
        value = float(now[measure])
        if usual >= MIN_USUAL[measure] and value < DROP_RATIO * usual:
            out.append(f"{label}: {value:.0f} this week, usually about {usual:.0f}")
    return out


def alert_text(alert: ManagerAlert) -> str:
    """The Markdown note for one manager (file and email share it): engagement only, no risk.

    Args:
        alert: one manager's alert from `manager_alerts`.

    Returns:
        The note, ending with a newline.
    """
    lines = [
        f"# Team engagement, {md(alert.week, NAME_LIMIT)}",
        "",
        f"For {md(alert.manager_email, NAME_LIMIT)}, about your {alert.team_size} direct reports. "
        "You asked for these notes;",
        "they only compare each person with their own usual weeks, as a prompt to check in.",
        "",
    ]
    if not alert.reports:
        lines.append("Nobody was much quieter than usual this week.")
    for r in alert.reports:
        lines.append(
            f"- **{md(r.name, NAME_LIMIT)}**: " + "; ".join(md(c) for c in r.changes) + "."
        )
    return "\n".join(lines) + "\n"


def alert_filename(alert: ManagerAlert) -> str:
    """`<week>-<manager email>.md`, distinct for every address (alice@a.com and alice@b.com too)."""
    email = alert.manager_email
    safe = re.sub(r"[^A-Za-z0-9@._+-]", "_", email).strip(".") or "manager"
    if safe != email:  # characters were replaced: keep two such addresses apart
        safe += "-" + hashlib.sha256(email.encode("utf-8")).hexdigest()[:8]
    return f"{alert.week}-{safe[:NAME_LIMIT]}.md"


def write_alerts(alerts: list[ManagerAlert], out_dir: str | Path) -> list[Path]:
    """Write one Markdown file per manager under `<out_dir>/alerts/` (0600, atomically, 0700 folder)."""
    folder = private_dir(Path(out_dir) / "alerts")
    return [atomic_write(folder / alert_filename(a), alert_text(a)) for a in alerts]
