"""What a login file is, from its first bytes: which format and which of that format's shapes.

Each `--format` accepts every shape its source exports; a file of another source is refused with
the format detected and the command that would import it, instead of a quarantine full of junk.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from pathlib import Path

from connectors.logins.text_input import decode_head

HEAD_BYTES = 65536

# header cells that only one source's CSV export has (compared lower-cased)
ENTRA_CSV = frozenset({"date (utc)", "request id", "correlation id"})
OKTA_CSV = frozenset({"eventtype", "published"})
WINDOWS_CSV = frozenset({"timecreated", "id", "machinename"})
EVENTLOG_CSV = frozenset({"timegenerated", "eventid", "machinename"})  # Get-EventLog
EVENT_VIEWER_CSV = frozenset({"date and time", "event id", "task category"})
# header cells that make a CSV recognisably a login CSV (the generic format's names and aliases)
LOGIN_WORDS = frozenset(
    {"user", "username", "upn", "email", "account", "login", "timestamp", "time", "datetime"}
    | {"date", "event", "action", "event_type", "eventtype"}
)


@dataclass(frozen=True, slots=True)
class Detected:
    """A file's format (a parser name) and shape (e.g. "csv", "json", "xml", "evtx")."""

    format: str
    shape: str
    label: str


UNKNOWN = Detected("", "", "")


def split_header(line: str) -> tuple[list[str], str]:
    """The cells of a CSV header line and its delimiter (`,`, `;`, tab or `|`, whichever splits most).

    Args:
        line: the header line.

    Returns:
        (cells stripped, delimiter).
    """
    text = line.strip("\r\n\ufeff")
    best, delimiter = -1, ","
    for cand in (",", ";", "\t", "|"):
        # count outside quotes: a quoted header cell may contain a comma
        count = len(re.sub(r'"[^"]*"', "", text).split(cand)) - 1
        if count > best:
            best, delimiter = count, cand
    try:
        cells = next(csv.reader([text], delimiter=delimiter))
    except (csv.Error, StopIteration):
        cells = text.split(delimiter)
    return [c.strip().strip("\ufeff") for c in cells], delimiter


def detect(path: Path) -> Detected:
    """Detect a login file's format and shape from its content.

    Args:
        path: the file (or a folder: a Slack export).

    Returns:
        A Detected; `format` is "" when nothing specific was recognised (a generic CSV is "csv").
    """
    if path.is_dir():
        if (path / "users.json").is_file() or (path / "channels.json").is_file():
            return Detected("slack-export", "folder", "an unzipped Slack workspace export")
        return UNKNOWN
    with path.open("rb") as fh:
        head = fh.read(HEAD_BYTES)
    if head.startswith(b"ElfFile\x00"):
        return Detected("windows", "evtx", "a Windows event log (.evtx)")
    if head.startswith(b"PK\x03\x04"):
        if b"users.json" in head or b"channels.json" in head:
            return Detected("slack-export", "zip", "a Slack workspace export (.zip)")
        return Detected("zip", "zip", "a zip archive")
    text = decode_head(head).lstrip("\ufeff \t\r\n")
    if not text:
        return UNKNOWN
    if text.startswith("<"):
        if "<Event" in text[:4096]:
            return Detected("windows", "xml", "Windows events as XML (wevtutil / Event Viewer)")
        return UNKNOWN
    # wevtutil output after a stray first line (even one starting with "[" or "{"): an element at
    # the start of a line, which JSON never has (embedded XML sits inside a string after a key)
    if re.search(r"^\s*<Event[\s>]", text, re.M):
        return Detected("windows", "xml", "Windows events as XML (wevtutil / Event Viewer)")
    if text[0] in "[{":
        return _json(text)
    if any(line.lstrip().startswith('{"') for line in text.splitlines()[:50]):
        return _json(text)  # JSON lines after a broken first line
    return _csv(text)


def _json(text: str) -> Detected:
    if '"eventType"' in text and ('"actor"' in text or '"published"' in text):
        found = Detected("okta", "json", "an Okta System Log export (JSON)")
    elif re.search(r'"(winlog|EventID|EventRecordID|ReplacementStrings)"', text) or (
        '"TimeCreated"' in text and '"Properties"' in text
    ):
        found = Detected("windows", "json", "Windows Security events (JSON)")
    elif re.search(r'"(userPrincipalName|createdDateTime|SignInLogs)"', text) or (
        '"NonInteractiveUserSignInLogs"' in text
    ):
        found = Detected("entra", "json", "Entra ID sign-ins (JSON)")
    elif re.search(r'"(date_first|date_create)"', text):
        found = Detected("slack-audit", "json", "Slack audit or access logs (JSON)")
    else:
        return UNKNOWN
    # a collection of several vendors' samples (Panther's fixtures) is read by every parser
    vendors = sum(
        bool(re.search(pattern, text))
        for pattern in ('"eventType"', '"userPrincipalName"', '"date_create"', '"EventID"')
    )
    return Detected("", "json", "") if vendors > 1 else found


def _csv(text: str) -> Detected:
    lines = text.splitlines()
    first = lines[0] if lines else ""
    if first.startswith("#TYPE"):  # Export-Csv of Windows PowerShell 5.1 writes the type first
        if any(name in first for name in ("EventLogRecord", "EventRecord", "EventLogEntry")):
            return Detected("windows", "csv", "Windows events from Export-Csv")
        first = lines[1] if len(lines) > 1 else ""
    cells, _ = split_header(first)
    lowered = {c.lower() for c in cells}
    if {"date (utc)", "request id"} <= lowered or (
        ENTRA_CSV & lowered and ("username" in lowered or "user" in lowered)
    ):
        return Detected("entra", "csv", "an Entra ID sign-in log download (CSV)")
    if lowered >= OKTA_CSV:
        return Detected("okta", "csv", "an Okta System Log export (CSV)")
    if lowered >= WINDOWS_CSV or lowered >= EVENTLOG_CSV:
        return Detected("windows", "csv", "Windows events from Export-Csv")
    if lowered >= EVENT_VIEWER_CSV:
        return Detected("windows", "csv", "Windows events saved as CSV by Event Viewer")
    if len([c for c in cells if c]) >= 3 and lowered & LOGIN_WORDS:
        return Detected("csv", "csv", "a login CSV")
    return UNKNOWN


def command_for(found: Detected, name: str) -> str:
    """The command that imports a file of the detected format.

    Args:
        found: what detect() said.
        name: the file name as the user gave it.

    Returns:
        A shell command line.
    """
    if found.format == "slack-export":
        return f"commsignal import slack-export {name}"
    return f"commsignal import logins --format {found.format} {name}"
