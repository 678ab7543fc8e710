"""`commsignal triage` and `commsignal allow`: verdicts and entries recorded, audited, listed and checked."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from commsignal.cli import cli
from commsignal.store import open_db

PID = "p-abc000000001"
WEEK = "2026-W10"


def _db(tmp_path: Path) -> Path:
    path = tmp_path / "t.db"
    db = open_db(path)
    db.table("people").insert({"person_id": PID, "email": "a@example.com", "team": "SRE"})
    db.table("findings").insert(
        {
            "week": WEEK,
            "person_id": PID,
            "detector": "marathon_session",
            "rule_version": 1,
            "strength": "strong",
            "score": 0.8,
            "summary": "long session",
            "evidence": json.dumps({"session": {"devices": ["WS-1"]}}),
            "created_at": 0,
        }
    )
    return path


def _run(path: Path, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["--db", str(path), *args])
    return result.exit_code, result.output


def test_triage_records_audits_and_lists(tmp_path: Path) -> None:
    path = _db(tmp_path)
    code, out = _run(
        path, "triage", PID, "--week", WEEK, "--verdict", "benign",
        "--reason", "night shift rota", "--until", "2026-04-30",
    )  # fmt: skip
    assert code == 0, out
    assert "verdict #1" in out and "marathon_session" in out and "until 2026-04-30" in out
    code, out = _run(
        path, "triage", PID, "--week", WEEK, "--verdict", "escalated",
        "--reason", "HR asked for a review", "--assignee", "dana",
    )  # fmt: skip
    assert code == 0, out
    audit = open_db(path).execute("select action, target, reason from audit_log").fetchall()
    assert [a[0] for a in audit] == ["triage-benign", "triage-escalated"]
    assert audit[0][1] == PID and "night shift rota" in audit[0][2]
    code, out = _run(path, "triage", "list")
    assert code == 0 and out.count(PID) == 2 and "assignee dana" in out
    code, out = _run(path, "triage", "list", "--open")
    # the later decision on the same scope replaces the benign one
    assert code == 0 and "escalated" in out and "night shift rota" not in out


def test_triage_errors_name_the_fix(tmp_path: Path) -> None:
    path = _db(tmp_path)
    code, out = _run(
        path, "triage", "p-nobody", "--week", WEEK, "--verdict", "benign", "--reason", "fine really"
    )
    assert code == 1 and "no person with pseudonym" in out
    code, out = _run(
        path, "triage", PID, "--week", WEEK, "--rule", "nope", "--verdict", "benign",
        "--reason", "fine really",
    )  # fmt: skip
    assert code == 1 and "unknown rule" in out and "marathon_session" in out
    code, out = _run(
        path, "triage", PID, "--week", "2026-W11", "--verdict", "benign", "--reason", "fine really"
    )
    assert code == 1 and "no finding" in out
    code, out = _run(
        path, "triage", PID, "--week", WEEK, "--verdict", "benign", "--reason", "ok",
    )  # fmt: skip
    assert code == 1 and "--reason" in out
    assert open_db(path).execute("select count(*) from triage_verdicts").fetchone()[0] == 0


def test_allow_add_list_remove(tmp_path: Path) -> None:
    path = _db(tmp_path)
    code, out = _run(
        path, "allow", "add", "--rule", "remote_access_tool", "--tool", "TeamViewer",
        "--team", "Help Desk", "--reason", "sanctioned support tool", "--expires", "2099-12-31",
    )  # fmt: skip
    assert code == 0 and "stored#1" in out, out
    code, out = _run(path, "allow", "list")
    assert "stored#1" in out and "tools=teamviewer" in out and "teams=Help Desk" in out
    code, out = _run(
        path, "allow", "add", "--rule", "*", "--reason", "everyone", "--expires", "2099-01-01"
    )
    assert code == 1 and "at least one of" in out
    code, out = _run(
        path, "allow", "add", "--rule", "*", "--person", PID, "--reason", "pilot",
        "--expires", "2001-01-01",
    )  # fmt: skip
    assert code == 1 and "in the past" in out
    code, out = _run(path, "allow", "remove", "stored#1", "--reason", "tool retired")
    assert code == 0, out
    code, out = _run(path, "allow", "list")
    assert "stored#1" not in out
    code, out = _run(path, "allow", "list", "--all")
    assert "stored#1" in out
    actions = [r[0] for r in open_db(path).execute("select action from audit_log")]
    assert actions == ["allow-add", "allow-remove"]
