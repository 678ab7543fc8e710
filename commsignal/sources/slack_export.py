"""Import a standard Slack workspace export (.zip) through the same mapping and Ingestor as the live sync.

An export is users.json, channels.json (and groups.json, mpims.json, dms.json when the export
includes private conversations) plus one folder per conversation of daily `YYYY-MM-DD.json` files.
"""

from __future__ import annotations

import json
import os
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from commsignal.ingest import Ingestor, WriteStats
from commsignal.models import Attendance, Meeting, Page, Quarantined, RawMessage
from commsignal.sources.directory import refresh_after_import
from connectors.slack.mapping import SOURCE, map_conversation, map_huddle, map_message, map_user

_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}\.json$")
# file -> (kind, which field names the conversation's folder)
_LISTS = {
    "channels.json": ("public", "name"),
    "groups.json": ("private", "name"),
    "mpims.json": ("mpim", "name"),
    "dms.json": ("im", "id"),
}


class SlackExportError(ValueError):
    """The file is not a readable Slack workspace export; the message says what is wrong."""


@dataclass(slots=True)
class ImportReport:
    """What an export import read and wrote."""

    users: int = 0
    conversations: int = 0
    day_files: int = 0
    messages: int = 0
    quarantined: int = 0
    stats: WriteStats = field(default_factory=WriteStats)

    @property
    def rows_written(self) -> int:
        """Rows new or changed in the store (0 when the same export is imported again)."""
        return sum(self.stats.written.values())


def _load(zf: zipfile.ZipFile, name: str) -> Any:
    with zf.open(name) as fh:
        return json.load(fh)


def import_slack_export(zip_path: str | os.PathLike[str], ingestor: Ingestor) -> ImportReport:
    """Read a workspace export and write users, conversations and message features to the store.

    Args:
        zip_path: the export's .zip file.
        ingestor: writes each day file as one page (text scored in memory, never stored).

    Returns:
        An ImportReport; a day file that is not valid JSON is quarantined, not fatal.

    Raises:
        SlackExportError: the path is missing, not a zip, or has no users.json.
    """
    path = Path(zip_path)
    if not path.is_file():
        raise SlackExportError(f"{path}: no such file")
    if not zipfile.is_zipfile(path):
        raise SlackExportError(f"{path}: not a zip file; expected a Slack workspace export (.zip)")
    report = ImportReport()
    with zipfile.ZipFile(path) as zf:
        names = zf.namelist()
        users_json = sorted((n for n in names if n.rsplit("/", 1)[-1] == "users.json"), key=len)
        if not users_json:
            raise SlackExportError(
                f"{path}: no users.json inside; is this a Slack workspace export?"
            )
        root = users_json[0][
            : -len("users.json")
        ]  # exports zipped with a top-level folder work too
        try:
            users = _load(zf, users_json[0])
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise SlackExportError(f"{path}: users.json is not valid JSON ({exc})") from None
        accounts = [map_user(u) for u in users if isinstance(u, dict) and u.get("id")]
        report.users = len(accounts)
        report.stats.merge(ingestor.write(Page(SOURCE, "export", "users", accounts=accounts)))
        days: dict[str, list[str]] = {}
        for n in names:
            folder, _, base = n[len(root) :].rpartition("/")
            if n.startswith(root) and folder and "/" not in folder and _DAY.match(base):
                days.setdefault(folder, []).append(n)
        for list_name, (kind, folder_key) in _LISTS.items():
            if root + list_name not in names:
                continue
            convs = [c for c in _load(zf, root + list_name) if isinstance(c, dict) and c.get("id")]
            mapped = [map_conversation(c, kind) for c in convs]
            report.conversations += len(mapped)
            report.stats.merge(
                ingestor.write(Page(SOURCE, "export", "conversations", conversations=mapped))
            )
            for c in convs:
                folder = str(c.get(folder_key) or c["id"])
                _import_channel(zf, str(c["id"]), sorted(days.get(folder, [])), ingestor, report)
    refresh_after_import(ingestor)
    return report


def _import_channel(
    zf: zipfile.ZipFile, cid: str, files: list[str], ingestor: Ingestor, report: ImportReport
) -> None:
    authors: dict[str, str] = {}  # ts -> author, for replies that lack parent_user_id
    for name in files:
        report.day_files += 1
        try:
            msgs = _load(zf, name)
            if not isinstance(msgs, list):
                raise ValueError("expected a JSON list of messages")
        except (ValueError, UnicodeDecodeError) as exc:
            q = Quarantined(SOURCE, name, 0, f"unreadable export day file: {exc}", "")
            report.quarantined += 1
            report.stats.merge(ingestor.write(Page(SOURCE, "export", cid, quarantined=[q])))
            continue
        raws: list[RawMessage] = []
        meetings: list[Meeting] = []
        attendance: list[Attendance] = []
        for m in msgs:
            if not isinstance(m, dict) or not m.get("ts"):
                continue
            raw = map_message(cid, m, authors.get(str(m.get("thread_ts") or "")))
            authors[str(m["ts"])] = raw.account_id
            raws.append(raw)
            huddle = map_huddle(cid, m)
            if huddle is not None:
                meetings.append(huddle[0])
                attendance.extend(huddle[1])
        report.messages += len(raws)
        page = Page(SOURCE, "export", cid, messages=raws, meetings=meetings, attendance=attendance)
        report.stats.merge(ingestor.write(page))
