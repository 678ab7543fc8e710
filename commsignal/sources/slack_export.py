"""Import a standard Slack workspace export (.zip) through the same mapping and Ingestor as the live sync.

An export is users.json, channels.json (and groups.json, mpims.json, dms.json when the export
includes private conversations) plus one folder per conversation of daily `YYYY-MM-DD.json` files.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from commsignal.ingest import Ingestor, WriteStats
from commsignal.models import Page, Quarantined, RawMessage
from commsignal.sources.directory import refresh_after_import
from connectors.slack.export_files import ExportFileError, ExportFiles, folder_and_base
from connectors.slack.mapping import (
    SOURCE,
    author_of,
    map_conversation,
    map_huddle,
    map_message,
    map_user,
)

_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}\.json$")
# file -> (kind, which field names the conversation's folder)
_LISTS = {
    "channels.json": ("public", "name"),
    "groups.json": ("private", "name"),
    "mpims.json": ("mpim", "name"),
    "dms.json": ("im", "id"),
}
# message subtypes that are not a person talking, by the reason they are skipped
_JOINS = frozenset({"channel_join", "channel_leave", "group_join", "group_leave"})
_BOTS = frozenset({"bot_message", "bot_add", "bot_remove", "app_conversation_leave"})
_SYSTEM = frozenset(
    {
        "channel_topic",
        "channel_purpose",
        "channel_name",
        "channel_archive",
        "channel_unarchive",
        "group_topic",
        "group_purpose",
        "group_name",
        "group_archive",
        "group_unarchive",
        "pinned_item",
        "unpinned_item",
        "reminder_add",
        "channel_convert_to_private",
        "channel_convert_to_public",
        "tombstone",
    }
)


class SlackExportError(ValueError):
    """The file is not a readable Slack workspace export; the message says what is wrong."""


@dataclass(slots=True)
class ImportReport:
    """What an export import read and wrote; messages = kept + sum(skipped), plus unreadable day files quarantined."""

    users: int = 0
    conversations: int = 0
    day_files: int = 0
    messages: int = 0
    kept: int = 0
    skipped: dict[str, int] = field(default_factory=dict)
    quarantined: int = 0
    stats: WriteStats = field(default_factory=WriteStats)

    @property
    def rows_written(self) -> int:
        """Rows new or changed in the store (0 when the same export is imported again)."""
        return sum(self.stats.written.values())

    def skip(self, reason: str) -> None:
        """Count one message left out, by why."""
        self.skipped[reason] = self.skipped.get(reason, 0) + 1

    def adds_up(self) -> bool:
        """Whether every message read was kept, skipped or quarantined."""
        return self.messages == self.kept + sum(self.skipped.values())

    def as_dict(self) -> dict[str, object]:
        """The report as plain data (for the `_runs` record)."""
        return {
            "users": self.users,
            "conversations": self.conversations,
            "day_files": self.day_files,
            "messages_read": self.messages,
            "kept": self.kept,
            "skipped": dict(sorted(self.skipped.items())),
            "day_files_quarantined": self.quarantined,
            "rows_written": self.rows_written,
            "adds_up": self.adds_up(),
        }


def _load(files: ExportFiles, name: str) -> Any:
    return json.loads(files.read(name).decode("utf-8-sig"))


def import_slack_export(zip_path: str | os.PathLike[str], ingestor: Ingestor) -> ImportReport:
    """Read a workspace export and write users, conversations and message features to the store.

    Args:
        zip_path: the export's .zip file, or the folder it was unzipped to.
        ingestor: writes each day file as one page (text scored in memory, never stored).

    Returns:
        An ImportReport; a day file that is not valid JSON is quarantined, not fatal.

    Raises:
        SlackExportError: the path is missing, not a zip, has no users.json or is oversized.
    """
    path = Path(zip_path)
    try:
        files = ExportFiles(path)
    except ExportFileError as exc:
        raise SlackExportError(str(exc)) from None
    try:
        return _import(path, files, ingestor)
    except ExportFileError as exc:
        raise SlackExportError(str(exc)) from None
    finally:
        files.close()


def _import(path: Path, files: ExportFiles, ingestor: Ingestor) -> ImportReport:
    report = ImportReport()
    names = files.names()
    users_json = sorted((n for n in names if n.rsplit("/", 1)[-1] == "users.json"), key=len)
    if not users_json:
        raise SlackExportError(f"{path}: no users.json inside; is this a Slack workspace export?")
    root = users_json[0][: -len("users.json")]  # exports zipped with a top-level folder work too
    try:
        users = _load(files, users_json[0])
        if not isinstance(users, list):
            raise ValueError("expected a JSON list")
    except (ValueError, UnicodeDecodeError) as exc:
        raise SlackExportError(f"{path}: users.json is not valid JSON ({str(exc)[:100]})") from None
    accounts = [map_user(u) for u in users if isinstance(u, dict) and u.get("id")]
    bots = {a.account_id for a in accounts if a.is_bot}
    report.users = len(accounts)
    report.stats.merge(ingestor.write(Page(SOURCE, "export", "users", accounts=accounts)))
    days: dict[str, list[str]] = {}
    for n in names:
        folder, base = folder_and_base(n[len(root) :])
        if n.startswith(root) and folder and "/" not in folder and _DAY.match(base):
            days.setdefault(folder, []).append(n)
    for list_name, (kind, folder_key) in _LISTS.items():
        if root + list_name not in names:
            continue
        try:
            listed = _load(files, root + list_name)
        except (ValueError, UnicodeDecodeError) as exc:
            raise SlackExportError(
                f"{path}: {list_name} is not valid JSON ({str(exc)[:100]})"
            ) from None
        convs = (
            [c for c in listed if isinstance(c, dict) and c.get("id")]
            if isinstance(listed, list)
            else []
        )
        mapped = [map_conversation(c, kind) for c in convs]
        report.conversations += len(mapped)
        report.stats.merge(
            ingestor.write(Page(SOURCE, "export", "conversations", conversations=mapped))
        )
        for c in convs:
            folder = str(c.get(folder_key) or c["id"])
            day_files = sorted(days.get(folder, []))
            _import_channel(files, str(c["id"]), day_files, bots, ingestor, report)
    refresh_after_import(ingestor)
    return report


def _import_channel(
    files: ExportFiles,
    cid: str,
    names: list[str],
    bots: set[str],
    ingestor: Ingestor,
    report: ImportReport,
) -> None:
    authors: dict[str, str] = {}  # ts -> author, for replies that lack parent_user_id
    for name in names:
        report.day_files += 1
        try:
            msgs = _load(files, name)
            if not isinstance(msgs, list):
                raise ValueError("expected a JSON list of messages")
        except (ValueError, UnicodeDecodeError) as exc:
            q = Quarantined(
                SOURCE, name, 0, f"unreadable export day file: {str(exc)[:120]}", "", _day(name)
            )
            report.quarantined += 1
            report.stats.merge(ingestor.write(Page(SOURCE, "export", cid, quarantined=[q])))
            continue
        page = Page(SOURCE, "export", cid)
        for m in msgs:
            report.messages += 1
            reason = _classify(m, bots)
            if reason == "edit":
                edited = _edited_original(cid, m)
                if edited is not None:
                    page.messages.append(edited)
            elif reason == "deletion":
                deleted = m.get("deleted_ts")
                if deleted:
                    page.removed_message_ids.append(f"{cid}:{deleted}")
            elif reason == "huddle":
                huddle = map_huddle(cid, m)
                if huddle is not None:
                    page.meetings.append(huddle[0])
                    page.attendance.extend(huddle[1])
            if reason is not None:
                report.skip(reason)
                continue
            raw = map_message(cid, m, authors.get(str(m.get("thread_ts") or "")))
            authors[str(m["ts"])] = raw.account_id
            page.messages.append(raw)
            report.kept += 1
        # an edit replaces its original, a deletion removes it: one version per message id
        gone = set(page.removed_message_ids)
        latest = {r.message_id: r for r in page.messages}
        page.messages = [r for r in latest.values() if r.message_id not in gone]
        report.stats.merge(ingestor.write(page))


def _day(name: str) -> float | None:
    # a day file's date (UTC midnight), so its quarantine entry follows the data's retention
    try:
        day = datetime.strptime(name.rsplit("/", 1)[-1][:10], "%Y-%m-%d")
    except ValueError:
        return None
    return day.replace(tzinfo=UTC).timestamp()


def _classify(m: Any, bots: set[str]) -> str | None:
    # None: a person's message, kept; otherwise why it is not one (counted, never silent)
    if not isinstance(m, dict) or not m.get("ts"):
        return "not a message"
    try:
        float(m["ts"])
    except (TypeError, ValueError):
        return "not a message"
    subtype = m.get("subtype")
    if subtype == "message_changed":
        return "edit"
    if subtype == "message_deleted":
        return "deletion"
    if subtype == "huddle_thread":
        return "huddle"
    if subtype in _JOINS:
        return "join/leave"
    if subtype in _SYSTEM:
        return "system message"
    author = author_of(m)
    if subtype in _BOTS or author in bots or (m.get("bot_id") and not m.get("user")):
        return "bot"
    if author == "unknown":
        return "no author"
    return None


def _edited_original(cid: str, m: dict[str, Any]) -> RawMessage | None:
    # a message_changed event carries the edited original in "message": update that, and only
    # when it names its author (an edit never creates a person)
    inner = m.get("message")
    if not isinstance(inner, dict) or not inner.get("ts") or not inner.get("user"):
        return None
    try:
        float(inner["ts"])
    except (TypeError, ValueError):
        return None
    return map_message(cid, inner, None)
