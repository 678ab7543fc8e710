"""The analyst's loop between detection and the digest: verdicts, allowlists and week-over-week state.

`apply_triage` suppresses findings covered by a benign verdict or an allowlist entry (kept and
listed, never dropped silently) and pins open cases; `week_over_week` compares the listing with
earlier digests; `annotate_digest` adds both to the digest dict. Verdicts and stored entries are
written by `record_verdict` and `add_entry`, each audited.
"""

from __future__ import annotations

from commsignal.triage.allowlist import Allow, add_entry, remove_entry, stored_entries
from commsignal.triage.apply import Suppression, TriageOutcome, apply_triage
from commsignal.triage.history import WeekOverWeek, week_over_week
from commsignal.triage.report import annotate_digest
from commsignal.triage.verdicts import (
    VERDICTS,
    TriageError,
    Verdict,
    is_open,
    latest,
    list_verdicts,
    record_verdict,
)

__all__ = [
    "VERDICTS",
    "Allow",
    "Suppression",
    "TriageError",
    "TriageOutcome",
    "Verdict",
    "WeekOverWeek",
    "add_entry",
    "annotate_digest",
    "apply_triage",
    "is_open",
    "latest",
    "list_verdicts",
    "record_verdict",
    "remove_entry",
    "stored_entries",
    "week_over_week",
]
