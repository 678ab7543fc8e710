"""The audit log (who revealed whom, when and why) and deletion of collected data."""

from __future__ import annotations

import json
import os
import pwd
import time
from dataclasses import dataclass, field
from pathlib import Path

from sqlite_utils import Database

from commsignal.store.files import remove_quietly
from commsignal.store.retention import purge

MIN_REASON_WORDS = 3


class AuditError(ValueError):
    """A reveal was asked for without a usable reason; the message says what is needed."""


def actor() -> str:
    """Who runs this process: the account of its real uid, and the sudo caller when there is one.

    `LOGNAME`/`USER` are not used: any caller can set them. `SUDO_USER` is set by sudo itself
    (for a root process it names the person behind it).
    """
    uid = os.getuid()
    try:
        name = pwd.getpwuid(uid).pw_name
    except KeyError:  # a uid with no passwd entry (some containers)
        name = f"uid {uid}"
    sudo = os.environ.get("SUDO_USER")
    return f"{name} (sudo from {sudo})" if sudo and sudo != name else name


def check_reason(reason: str | None) -> str:
    """The reason, trimmed, if it says why in at least a few words.

    Raises:
        AuditError: blank or shorter than MIN_REASON_WORDS words, with the fix.
    """
    text = " ".join((reason or "").split())
    if len(text.split(" ")) < MIN_REASON_WORDS or len(text) < 10:
        raise AuditError(
            f"--reason must say why names are revealed, in at least {MIN_REASON_WORDS} words "
            f"(got {text!r}); it is kept in the audit log. Fix: e.g. --reason "
            '"case 2026-114: HR referral about shared account"'
        )
    return text


def record(
    db: Database,
    action: str,
    target: str,
    reason: str,
    subjects: list[str] | None = None,
    status: str = "ok",
) -> int:
    """Append one entry to the audit log with the operating-system user as the actor.

    Args:
        db: the store.
        action: what was done ("reveal", "reveal-digest", "purge").
        target: what it was done to (a pseudonym, a week).
        reason: why, as given.
        subjects: the pseudonyms whose names were shown.
        status: "ok", or "started" for an entry written before the act (see finish()).

    Returns:
        The entry's id.
    """
    row = {
        "ts": time.time(),
        "actor": actor(),
        "action": action,
        "target": target,
        "reason": reason,
        "status": status,
        "subjects": json.dumps(subjects) if subjects is not None else None,
    }
    return int(db.table("audit_log").insert(row).last_pk or 0)


def finish(db: Database, entry_id: int, status: str, detail: str | None = None) -> None:
    """Close an entry written with status "started": "ok", or "failed" with what went wrong."""
    values: dict[str, object] = {"status": status}
    if detail:
        values["status"] = f"{status}: {detail[:300]}"
    db.table("audit_log").update(entry_id, values)


@dataclass
class RevealLog:
    """An audited reveal: the audit row comes before any name reaches a file, and a failure undoes the files."""

    db: Database
    week: str
    reason: str
    entry_id: int | None = None
    paths: list[Path] = field(default_factory=list)

    def start(self, pseudonyms: list[str]) -> None:
        """Write the audit row (status "started") naming every pseudonym about to be revealed."""
        self.entry_id = record(
            self.db, "reveal-digest", self.week, self.reason, pseudonyms, status="started"
        )

    def fail(self, exc: BaseException) -> None:
        """Remove every revealed file written so far and mark the audit row failed."""
        remove_quietly(self.paths)
        if self.entry_id is not None:
            finish(self.db, self.entry_id, "failed", f"{type(exc).__name__}: {exc}")

    def done(self) -> None:
        """Mark the audit row ok."""
        if self.entry_id is not None:
            finish(self.db, self.entry_id, "ok")


def purge_data(db: Database, cutoff: float | None) -> dict[str, int]:
    """Delete person data older than `cutoff` (epoch seconds), or all of it when None.

    Returns:
        Rows deleted per table (tables with none are left out). The audit log is never purged.
    """
    return purge(db, cutoff)
