"""Revealing names: the audit row comes first and names who was revealed; files are separate, private, and undone on failure."""

from __future__ import annotations

import json
import os
import pwd
import stat
import sys
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

import commsignal.pipeline as pipeline
from commsignal.audit import actor
from commsignal.cli import cli
from commsignal.detect import Finding, PersonRisk
from commsignal.store import open_db

WEEK = "2026-W47"
PEOPLE = {"p-aaaa11112222": "Ann Secretname", "p-bbbb33334444": "Bo Hiddenname"}
REASON = "case 2026-114 shared account referral"


@pytest.fixture
def store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A store with two people, and detection stubbed to rank both (the rules are tested elsewhere)."""
    db_path = tmp_path / "r.db"
    db = open_db(db_path)
    db.table("people").insert_all(
        [
            {"person_id": pid, "email": f"{pid}@example.com", "display_name": name}
            for pid, name in PEOPLE.items()
        ]
    )

    def ranked(*args: Any, **kwargs: Any) -> list[PersonRisk]:
        return [
            PersonRisk(
                pid, 80, "high", [Finding(pid, WEEK, "marathon_session", 0.9, "long", {}, "strong")]
            )
            for pid in PEOPLE
        ]

    monkeypatch.setattr(pipeline, "detect_week", ranked)
    return db_path


def _digest(db_path: Path, out: Path, *extra: str) -> Result:
    args = ["--db", str(db_path), "digest", "--week", WEEK, "--out", str(out), "--no-deliver"]
    return CliRunner().invoke(cli, [*args, *extra])


def _audit(db_path: Path) -> list[dict[str, Any]]:
    return list(open_db(db_path).query("select * from audit_log order by id"))


def test_reveal_writes_separate_private_files_after_a_complete_audit_row(
    store: Path, tmp_path: Path
) -> None:
    out = tmp_path / "digests"
    plain = _digest(store, out)
    assert plain.exit_code == 0, plain.output
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    assert not any(n for n in before if "revealed" in n)
    assert all(b"Secretname" not in data for data in before.values())

    revealed = _digest(store, out, "--reveal", "--reason", REASON)
    assert revealed.exit_code == 0, revealed.output
    names = sorted(p.name for p in out.iterdir())
    assert names == sorted(
        [*before, *(f"commsignal-digest-{WEEK}-revealed.{ext}" for ext in ("html", "md", "json"))]
    )
    for name, data in before.items():  # the pseudonymous files were not touched
        assert (out / name).read_bytes() == data
    for path in out.glob("*-revealed.*"):
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
        assert "Secretname" in path.read_text()
    assert stat.S_IMODE(out.stat().st_mode) == 0o700

    [entry] = _audit(store)
    assert entry["action"] == "reveal-digest" and entry["target"] == WEEK
    assert entry["status"] == "ok" and entry["reason"] == REASON
    assert sorted(json.loads(entry["subjects"])) == sorted(PEOPLE)
    assert entry["actor"] == pwd.getpwuid(os.getuid()).pw_name
    # what the store keeps of the digest stays pseudonymous
    kept = open_db(store).execute("select digest_json from digests").fetchone()[0]
    assert "Secretname" not in kept


@pytest.mark.parametrize("reason", [" ", "", "because", "two words"])
def test_reveal_without_a_real_reason_is_refused(store: Path, tmp_path: Path, reason: str) -> None:
    result = _digest(store, tmp_path / "o", "--reveal", "--reason", reason)
    assert result.exit_code == 1
    assert "at least 3 words" in result.output and "Traceback" not in result.output
    assert not (tmp_path / "o").exists()
    assert _audit(store) == []
    one = CliRunner().invoke(
        cli, ["--db", str(store), "reveal", "p-aaaa11112222", "--reason", reason]
    )
    assert one.exit_code == 1 and "Secretname" not in one.output
    assert _audit(store) == []


def test_a_reveal_failing_while_writing_leaves_no_names_and_a_failed_audit_row(
    store: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    render_module = sys.modules["commsignal.digest.render"]  # the package re-exports render()
    real = render_module.render

    def render_then_fail(digest: dict[str, Any], fmt: str) -> str:
        if fmt == "json":
            raise OSError("disk full")
        return real(digest, fmt)

    monkeypatch.setattr(render_module, "render", render_then_fail)
    out = tmp_path / "digests"
    result = _digest(store, out, "--reveal", "--reason", REASON)
    assert result.exit_code != 0
    assert list(out.glob("*revealed*")) == [] and list(out.glob(".*tmp")) == []
    [entry] = _audit(store)
    assert entry["status"].startswith("failed") and "disk full" in entry["status"]
    assert sorted(json.loads(entry["subjects"])) == sorted(PEOPLE)


def test_a_reveal_failing_after_the_files_removes_them(
    store: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import commsignal.deliver.alerts as alerts

    def broken(*args: Any, **kwargs: Any) -> list[Path]:
        raise RuntimeError("alerts folder is read-only")

    monkeypatch.setattr(alerts, "write_alerts", broken)
    config = tmp_path / "c.toml"
    config.write_text('[alerts]\nenabled = true\nopt_in = ["boss@example.com"]\n')
    out = tmp_path / "digests"
    args = [
        "--config",
        str(config),
        "--db",
        str(store),
        "digest",
        "--week",
        WEEK,
        "--out",
        str(out),
    ]
    result = CliRunner().invoke(cli, [*args, "--no-deliver", "--reveal", "--reason", REASON])
    assert result.exit_code != 0
    assert list(out.glob("*revealed*")) == []
    [entry] = _audit(store)
    assert entry["status"].startswith("failed") and "read-only" in entry["status"]


def test_audit_actor_comes_from_the_uid_and_sudo(monkeypatch: pytest.MonkeyPatch) -> None:
    me = pwd.getpwuid(os.getuid()).pw_name
    monkeypatch.setenv("LOGNAME", "mallory")
    monkeypatch.setenv("USER", "mallory")
    monkeypatch.delenv("SUDO_USER", raising=False)
    assert actor() == me
    monkeypatch.setenv("SUDO_USER", "bob")
    assert actor() == f"{me} (sudo from bob)"
    assert "mallory" not in actor()


def test_single_reveal_names_its_subject(store: Path) -> None:
    result = CliRunner().invoke(
        cli, ["--db", str(store), "reveal", "p-bbbb33334444", "--reason", REASON]
    )
    assert result.exit_code == 0 and "Bo Hiddenname" in result.output
    [entry] = _audit(store)
    assert json.loads(entry["subjects"]) == ["p-bbbb33334444"] and entry["status"] == "ok"
