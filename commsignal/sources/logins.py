"""Login files into the store: parse in a stream, write events and quarantined rows in batches, rebuild sessions.

Importing the same file twice adds nothing (event ids are content hashes and the quarantine is
unique on source, file and line), so a scheduled run can simply re-import everything.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from sqlite_utils import Database

from commsignal.analysis.session_store import rebuild_sessions_in_db
from commsignal.analysis.sessions import DEFAULT_IDLE_TIMEOUT_S, DEFAULT_MAX_GAP_S
from commsignal.ingest import Ingestor, write_quarantine
from commsignal.models import LoginEvent, Quarantined
from commsignal.sources.directory import refresh_after_import
from connectors.logins import ParseOptions, parse_file

# every commit rewrites each index page the batch touched (one per user in each index), so few
# large transactions write far less than many small ones; 100k events stay well under 100 MB
BATCH_SIZE = 100_000
MAX_EXAMPLES = 5


@dataclass(slots=True)
class LoginImportOptions:
    """How to read login files; the CLI fills it from options, later from `[logins]` in the config."""

    timezone: str | None = None
    column_map: dict[str, str] | None = None
    event_map: dict[str, str] | None = None
    include_machine_accounts: bool = False
    include_system_accounts: bool = False
    include_network_logons: bool = False
    idle_timeout_hours: float = DEFAULT_IDLE_TIMEOUT_S / 3600.0
    max_gap_days: float = DEFAULT_MAX_GAP_S / 86400.0
    batch_size: int = BATCH_SIZE

    def parse_options(self) -> ParseOptions:
        """The parser's share of these options."""
        return ParseOptions(
            timezone=self.timezone,
            column_map=dict(self.column_map or {}),
            event_map=dict(self.event_map or {}),
            include_machine_accounts=self.include_machine_accounts,
            include_system_accounts=self.include_system_accounts,
            include_network_logons=self.include_network_logons,
        )


@dataclass(slots=True)
class ImportSummary:
    """What one import did; `quarantined` > 0 means some rows need a look (the CLI exits non-zero)."""

    format: str
    files: int = 0
    events_read: int = 0
    new_events: int = 0
    duplicates: int = 0
    quarantined: int = 0
    new_quarantined: int = 0
    quarantine_examples: list[str] = field(default_factory=list)
    users: int = 0
    sessions: int = 0

    def as_dict(self) -> dict[str, object]:
        """The summary as plain data (for JSON output and logs)."""
        return {
            "format": self.format,
            "files": self.files,
            "events_read": self.events_read,
            "new_events": self.new_events,
            "duplicates": self.duplicates,
            "quarantined": self.quarantined,
            "new_quarantined": self.new_quarantined,
            "quarantine_examples": list(self.quarantine_examples),
            "users": self.users,
            "sessions": self.sessions,
        }


def import_login_files(
    db: Database,
    ingestor: Ingestor,
    fmt: str,
    paths: Iterable[str | os.PathLike[str]],
    options: LoginImportOptions | None = None,
) -> ImportSummary:
    """Import login files of one format and rebuild the sessions of every user in them.

    Args:
        db: the store.
        ingestor: writes login events (maps user names to people).
        fmt: parser name (windows, okta, entra, slack-audit, csv).
        paths: the files.
        options: time zone, CSV mappings, account filters, session timeouts.

    Returns:
        The summary. Raises LoginFormatError (incl. NaiveTimestampError) when a file cannot be
        read as a whole; rows already written stay (re-running adds nothing twice).
    """
    opts = options or LoginImportOptions()
    parse_opts = opts.parse_options()
    summary = ImportSummary(format=fmt)
    users: set[str] = set()
    for path in paths:
        summary.files += 1
        events: list[LoginEvent] = []
        bad: list[Quarantined] = []
        # absolute paths, so the quarantine's (source, file, line) stays unique whatever the cwd
        for item in parse_file(fmt, Path(path).resolve(), parse_opts):
            if isinstance(item, LoginEvent):
                events.append(item)
                users.add(item.user)
                if len(events) >= opts.batch_size:
                    _flush(db, ingestor, events, bad, summary)
                    events, bad = [], []
            else:
                bad.append(item)
                summary.quarantined += 1
                if len(summary.quarantine_examples) < MAX_EXAMPLES:
                    summary.quarantine_examples.append(f"{item.file}:{item.line}: {item.reason}")
        _flush(db, ingestor, events, bad, summary)
    summary.users = len(users)
    if users:
        summary.sessions = rebuild_sessions_in_db(
            db,
            users,
            idle_timeout_s=opts.idle_timeout_hours * 3600.0,
            max_gap_s=opts.max_gap_days * 86400.0,
        )
    refresh_after_import(ingestor)
    return summary


def _flush(
    db: Database,
    ingestor: Ingestor,
    events: list[LoginEvent],
    bad: list[Quarantined],
    summary: ImportSummary,
) -> None:
    if not events and not bad:
        return
    # the same event twice in one batch (two files, or a repeated line) is one row
    unique = list({e.event_id: e for e in events}.values())
    with db.atomic():
        new = ingestor.write_login_events(unique) if unique else 0
        summary.new_quarantined += write_quarantine(db, bad) if bad else 0
    summary.events_read += len(events)
    summary.new_events += new
    summary.duplicates += len(events) - new
