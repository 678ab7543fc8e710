"""Importing a real Slack workspace export through the mapping and Ingestor."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path
from types import SimpleNamespace

import pytest
from click.testing import CliRunner

from commsignal.cli.slack_export import slack_export_command
from commsignal.ingest import Ingestor
from commsignal.privacy import Pseudonymizer
from commsignal.sources.slack_export import SlackExportError, import_slack_export
from commsignal.store import open_db

DROPPED = {"bot_message", "channel_join"}


def _ingestor() -> Ingestor:
    return Ingestor(open_db(None), Pseudonymizer(b"k"), None)


def test_real_export_archive(shared_data: Path) -> None:
    path = shared_data / "slack" / "slack_export_testarchive.zip"
    ing = _ingestor()
    report = import_slack_export(path, ing)
    # what is really in the archive (counted independently from the raw JSON)
    with zipfile.ZipFile(path) as zf:
        raw = [
            m
            for n in zf.namelist()
            if n.count("/") == 1 and n.endswith(".json")
            for m in json.load(zf.open(n))
        ]
    assert len(raw) == 158 and report.messages == 158
    assert report.users == 4 and report.conversations == 2 and report.day_files == 17
    subtypes: dict[str | None, int] = {}
    for m in raw:
        subtypes[m.get("subtype")] = subtypes.get(m.get("subtype"), 0) + 1
    assert subtypes == {
        None: 49,
        "bot_message": 94,
        "channel_join": 8,
        "bot_add": 3,
        "file_share": 3,
        "file_comment": 1,
    }
    assert not any(m.get("thread_ts") for m in raw)  # this export has no threads
    db = ing.db
    # bot messages, joins and bot_add notices are not people talking
    assert db["messages"].count == 158 - 94 - 8 - 3 == 53
    assert {
        r["conversation_id"] for r in db.query("select distinct conversation_id from messages")
    } == {"C0JGLMMNX", "C0JL6CGQ2"}
    assert db.execute("select count(*) from messages where n_mentions > 0").fetchone()[0] == 18
    assert (
        db.execute("select count(*) from messages where edited_ts is not null").fetchone()[0] == 1
    )
    assert db.execute("select count(*) from messages where is_reply = 1").fetchone()[0] == 0
    assert import_slack_export(path, ing).rows_written == 0  # importing twice adds nothing


def test_not_a_zip_and_zip_without_users(tmp_path: Path) -> None:
    bad = tmp_path / "export.zip"
    bad.write_text("not a zip")
    with pytest.raises(SlackExportError, match="not a zip file"):
        import_slack_export(bad, _ingestor())
    with pytest.raises(SlackExportError, match="no such file"):
        import_slack_export(tmp_path / "missing.zip", _ingestor())
    empty = tmp_path / "empty.zip"
    with zipfile.ZipFile(empty, "w") as zf:
        zf.writestr("channels.json", "[]")
    with pytest.raises(SlackExportError, match="no users.json"):
        import_slack_export(empty, _ingestor())


def test_private_dm_threads_and_a_broken_day_file(tmp_path: Path) -> None:
    path = tmp_path / "ws.zip"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr(
            "ws/users.json",
            json.dumps(
                [{"id": "U1", "profile": {"email": "a@x.com"}}, {"id": "U2", "profile": {}}]
            ),
        )
        zf.writestr(
            "ws/groups.json", json.dumps([{"id": "G1", "name": "secret", "members": ["U1", "U2"]}])
        )
        zf.writestr("ws/dms.json", json.dumps([{"id": "D1", "members": ["U1", "U2"]}]))
        zf.writestr(
            "ws/secret/2024-01-01.json",
            json.dumps(
                [
                    {
                        "type": "message",
                        "user": "U1",
                        "text": "q?",
                        "ts": "1704100000.000100",
                        "thread_ts": "1704100000.000100",
                        "reply_count": 1,
                    },
                    {
                        "type": "message",
                        "user": "U2",
                        "text": "a",
                        "ts": "1704100050.000100",
                        "thread_ts": "1704100000.000100",
                    },
                ]
            ),
        )
        zf.writestr(
            "ws/D1/2024-01-01.json",
            json.dumps(
                [{"type": "message", "user": "U2", "text": "hi", "ts": "1704100100.000100"}]
            ),
        )
        zf.writestr("ws/D1/2024-01-02.json", "{broken")
    ing = _ingestor()
    report = import_slack_export(path, ing)
    assert (report.users, report.conversations, report.messages, report.quarantined) == (2, 2, 3, 1)
    kinds = dict(ing.db.execute("select conversation_id, kind from conversations").fetchall())
    assert kinds == {"G1": "private", "D1": "im"}
    reply = ing.db.table("messages").get(("slack", "G1:1704100050.000100"))
    assert reply["is_reply"] == 1 and reply["reply_to_person_id"] == ing.person_for("slack", "U1")
    q = list(ing.db.query("select file, reason from quarantine"))
    assert q[0]["file"] == "ws/D1/2024-01-02.json" and "unreadable" in q[0]["reason"]


def test_cli_command_prints_one_line(shared_data: Path) -> None:
    ing = _ingestor()
    obj = SimpleNamespace(ingestor=lambda scorer=True: ing)
    path = shared_data / "slack" / "slack_export_testarchive.zip"
    result = CliRunner().invoke(slack_export_command, [str(path)], obj=obj)
    assert result.exit_code == 0, result.output
    assert result.output.count("\n") == 1 and "158 messages read" in result.output
    bad = CliRunner().invoke(slack_export_command, ["/nonexistent.zip"], obj=obj)
    assert bad.exit_code == 1 and "no such file" in bad.output and "Traceback" not in bad.output
