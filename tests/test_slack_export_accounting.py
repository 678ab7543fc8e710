"""Slack exports as teams hold them: unzipped folders, edits, joins, bots, huddles, oversized members."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from commsignal.cli.main import cli
from commsignal.ingest import Ingestor
from commsignal.privacy import Pseudonymizer
from commsignal.sources.slack_export import SlackExportError, import_slack_export
from commsignal.store import open_db
from connectors.slack import export_files

USERS = [
    {"id": "U1", "name": "ana", "profile": {"email": "ana@corp.example", "real_name": "Ana"}},
    {"id": "U2", "name": "ben", "profile": {"email": "ben@corp.example", "real_name": "Ben"}},
    {"id": "B1", "name": "deploybot", "is_bot": True, "profile": {}},
]
DAY = [
    {
        "type": "message",
        "user": "U1",
        "text": "morning all, how was the weekend?",
        "ts": "1793696400.000100",
    },
    {
        "type": "message",
        "subtype": "channel_join",
        "user": "U2",
        "text": "<@U2> has joined the channel",
        "ts": "1793696410.000100",
    },
    {"type": "message", "user": "U2", "text": "deploy is broken", "ts": "1793696500.000200"},
    {
        "type": "message",
        "subtype": "message_changed",
        "hidden": True,
        "ts": "1793696600.000300",
        "message": {
            "type": "message",
            "user": "U2",
            "text": "deploy is fixed now, thanks <@U1>",
            "ts": "1793696500.000200",
            "edited": {"user": "U2", "ts": "1793696600.000000"},
        },
        "previous_message": {
            "type": "message",
            "user": "U2",
            "text": "deploy is broken",
            "ts": "1793696500.000200",
        },
    },
    {
        "type": "message",
        "subtype": "bot_message",
        "bot_id": "BXYZ",
        "username": "ci",
        "text": "build 42 green",
        "ts": "1793696700.000400",
    },
    {
        "type": "message",
        "user": "B1",
        "text": "release train leaves at 3",
        "ts": "1793696800.000500",
    },
    {
        "type": "message",
        "subtype": "huddle_thread",
        "user": "U1",
        "text": "",
        "ts": "1793697000.000600",
        "room": {
            "id": "R1",
            "date_start": 1793697000,
            "date_end": 1793697900,
            "participant_history": ["U1", "U2"],
            "created_by": "U1",
        },
    },
    {
        "type": "message",
        "subtype": "message_deleted",
        "hidden": True,
        "deleted_ts": "1793696400.000100",
        "ts": "1793697100.000700",
    },
    "not a message at all",
]


def _write_folder(root: Path) -> Path:
    export = root / "Acme Slack export Nov 2026"
    (export / "general").mkdir(parents=True)
    (export / "users.json").write_text(json.dumps(USERS))
    (export / "channels.json").write_text(
        json.dumps([{"id": "C1", "name": "general", "members": ["U1", "U2"]}])
    )
    (export / "general" / "2026-11-03.json").write_text(json.dumps(DAY))
    return export


def _ingestor() -> Ingestor:
    return Ingestor(open_db(None), Pseudonymizer(b"k"), None)


def test_unzipped_folder_edits_joins_bots_and_huddles(tmp_path: Path) -> None:
    export = _write_folder(tmp_path)
    ing = _ingestor()
    report = import_slack_export(export, ing)
    assert report.messages == 9 and report.kept == 2 and report.adds_up()
    assert report.skipped == {
        "edit": 1,
        "join/leave": 1,
        "bot": 2,
        "huddle": 1,
        "deletion": 1,
        "not a message": 1,
    }
    db = ing.db
    # the edit updated Ben's message in place; the deletion removed Ana's
    rows = list(db.query("select message_id, edited_ts, n_mentions from messages"))
    assert rows == [
        {"message_id": "C1:1793696500.000200", "edited_ts": 1793696600.0, "n_mentions": 1}
    ]
    # nobody called "unknown" was created; only the two people (the bot is an account, not a person)
    people = {r["email"] for r in db.query("select email from people")}
    assert people == {"ana@corp.example", "ben@corp.example"}
    assert (
        db.execute("select count(*) from accounts where account_id = 'unknown'").fetchone()[0] == 0
    )
    assert db["meetings"].count == 1 and db["attendance"].count == 2


def test_folder_and_zip_of_the_same_export_agree(tmp_path: Path) -> None:
    export = _write_folder(tmp_path)
    archive = tmp_path / "export.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zf:
        for f in export.rglob("*.json"):
            zf.write(f, f"{export.name}/{f.relative_to(export).as_posix()}")
    ing = _ingestor()
    first = import_slack_export(archive, ing)
    again = import_slack_export(export, ing)
    assert (first.kept, first.skipped) == (again.kept, again.skipped)
    assert again.rows_written == 0  # the folder holds nothing the zip did not


def test_cli_accepts_a_folder_and_explains_every_message(tmp_path: Path) -> None:
    export = _write_folder(tmp_path)
    res = CliRunner().invoke(
        cli, ["--db", str(tmp_path / "s.db"), "import", "slack-export", str(export)]
    )
    assert res.exit_code == 0, res.output
    assert (
        "9 messages read = 2 kept + 7 skipped (2 bot, 1 deletion, 1 edit, 1 huddle, 1 join/leave, 1 not a message)"
        in res.output
    )
    db = open_db(tmp_path / "s.db")
    [run] = db.query("select kind, status, stats from _runs")
    assert run["kind"] == "import:slack-export" and json.loads(run["stats"])["adds_up"] is True


def test_oversized_and_bomb_members_are_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(export_files, "MAX_MEMBER_BYTES", 4096)
    monkeypatch.setattr(export_files, "MIN_RATIO_CHECK", 1024)
    big = tmp_path / "big.zip"
    with zipfile.ZipFile(big, "w", zipfile.ZIP_STORED) as zf:
        zf.writestr("users.json", "[]")
        zf.writestr("general/2026-11-03.json", "[" + " " * 8000 + "]")
    with pytest.raises(SlackExportError, match="over the 200 MB limit"):
        import_slack_export(big, _ingestor())
    monkeypatch.setattr(export_files, "MAX_MEMBER_BYTES", 10**9)
    bomb = tmp_path / "bomb.zip"
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("users.json", "[]")
        zf.writestr("general/2026-11-03.json", "[" + " " * 2_000_000 + "]")
    with pytest.raises(SlackExportError, match="zip bomb"):
        import_slack_export(bomb, _ingestor())
    res = CliRunner().invoke(
        cli, ["--db", str(tmp_path / "s.db"), "import", "slack-export", str(bomb)]
    )
    assert res.exit_code == 1 and "zip bomb" in res.output and len(res.output) < 500


def test_audit_entries_have_one_id_via_sync_and_file(tmp_path: Path, shared_data: Path) -> None:
    from commsignal.models import LoginEvent
    from connectors.logins import parse_file
    from connectors.slack.mapping import map_access_log, map_audit_entry

    audit = (
        shared_data / "slack" / "python_slack_sdk_fixtures" / "audit_logs_v1_logs_user_login.json"
    )
    entries = json.loads(audit.read_text())["entries"]
    synced = {e.event_id for e in (map_audit_entry(x) for x in entries) if e is not None}
    read = {e.event_id for e in parse_file("slack-audit", audit) if isinstance(e, LoginEvent)}
    assert len(synced) == 2 and read == synced
    access = shared_data / "slack" / "openapi_examples" / "team.accessLogs.json"
    rows = json.loads(access.read_text())["logins"]
    synced = {e.event_id for row in rows for e in map_access_log(row)}
    read = {e.event_id for e in parse_file("slack-audit", access) if isinstance(e, LoginEvent)}
    assert synced and read == synced


_subtypes = st.sampled_from(
    [
        None,
        "channel_join",
        "bot_message",
        "message_changed",
        "message_deleted",
        "huddle_thread",
        "channel_topic",
        "file_share",
        "thread_broadcast",
    ]
)
_message = st.fixed_dictionaries(
    {"type": st.just("message"), "ts": st.integers(1_700_000_000, 1_800_000_000).map(str)},
    optional={
        "user": st.sampled_from(["U1", "U2", "B1", "", None]),
        "subtype": _subtypes,
        "bot_id": st.sampled_from(["BX", None]),
        "text": st.text(max_size=20),
        "message": st.fixed_dictionaries(
            {"ts": st.integers(1_700_000_000, 1_800_000_000).map(str)},
            optional={"user": st.sampled_from(["U1", "U2", None]), "text": st.text(max_size=10)},
        ),
        "deleted_ts": st.integers(1_700_000_000, 1_800_000_000).map(str),
        "room": st.just({"id": "R9", "participant_history": ["U1"]}),
    },
)
_day = st.one_of(
    st.lists(st.one_of(_message, st.integers(), st.text(max_size=5), st.none()), max_size=12),
    st.binary(max_size=60),
)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(days=st.lists(_day, min_size=1, max_size=3), zipped=st.booleans())
def test_any_day_files_account_for_every_message(
    tmp_path: Path, days: list[object], zipped: bool
) -> None:
    export = tmp_path / f"ex{len(list(tmp_path.iterdir()))}"
    (export / "general").mkdir(parents=True)
    (export / "users.json").write_text(json.dumps(USERS))
    (export / "channels.json").write_text(json.dumps([{"id": "C1", "name": "general"}]))
    for i, day in enumerate(days):
        target = export / "general" / f"2026-11-0{i + 1}.json"
        if isinstance(day, bytes):
            target.write_bytes(day)
        else:
            target.write_text(json.dumps(day))
    path = export
    if zipped:
        path = export.with_suffix(".zip")
        with zipfile.ZipFile(path, "w") as zf:
            for f in export.rglob("*.json"):
                zf.write(f, f.relative_to(export).as_posix())
    ing = _ingestor()
    report = import_slack_export(path, ing)
    assert report.adds_up() and report.day_files == len(days)
    read, broken = 0, 0
    for day in days:
        try:
            parsed = json.loads(day) if isinstance(day, bytes) else day
        except ValueError:
            parsed = None
        if isinstance(parsed, list):
            read += len(parsed)
        else:
            broken += 1
    assert (report.messages, report.quarantined) == (read, broken)
    db = ing.db
    assert (
        db.execute("select count(*) from accounts where account_id = 'unknown'").fetchone()[0] == 0
    )
    assert (
        db.execute("select count(*) from messages where account_id in ('B1', '')").fetchone()[0]
        == 0
    )
