"""The command line: every command explains itself, and the store-only commands work without a config."""

from __future__ import annotations

import json
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from commsignal.cli import cli
from commsignal.config import load_config


def _commands(group: click.Group, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    out = []
    for name, cmd in group.commands.items():
        out.append((*prefix, name))
        if isinstance(cmd, click.Group):
            out.extend(_commands(cmd, (*prefix, name)))
    return out


COMMANDS = _commands(cli)


def test_expected_commands_exist() -> None:
    names = {" ".join(c) for c in COMMANDS}
    assert {
        "demo",
        "sync",
        "import slack-export",
        "import logins",
        "digest",
        "nlp score",
        "nlp evaluate",
        "serve",
        "reveal",
        "status",
        "purge",
        "rules test",
    } <= names


@pytest.mark.parametrize(
    "path", [()] + COMMANDS, ids=["commsignal"] + [" ".join(c) for c in COMMANDS]
)
def test_help_says_what_it_does_in_one_sentence(path: tuple[str, ...]) -> None:
    result = CliRunner().invoke(cli, [*path, "--help"])
    assert result.exit_code == 0, result.output
    group: click.Command = cli
    for name in path:
        assert isinstance(group, click.Group)
        group = group.commands[name]
    first = (group.help or "").strip().splitlines()[0]
    assert first.endswith(".") and first.count(". ") == 0 and len(first) > 15, first


def test_status_json_on_an_empty_store(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["--db", str(tmp_path / "s.db"), "status", "--json"])
    assert result.exit_code == 0, result.output
    info = json.loads(result.output)
    assert set(info["counts"]) == {
        "people",
        "accounts",
        "conversations",
        "messages",
        "meetings",
        "attendance",
        "login_events",
        "sessions",
        "quarantined",
        "findings",
    }
    assert all(v == 0 for v in info["counts"].values())
    assert set(info["sources"]) >= {"slack", "m365", "logins"}


def test_config_error_is_one_clear_line(tmp_path: Path) -> None:
    cfg = tmp_path / "c.toml"
    cfg.write_text("[slack]\nbogus = 1\n")
    result = CliRunner().invoke(
        cli, ["--config", str(cfg), "--db", str(tmp_path / "x.db"), "status"]
    )
    assert result.exit_code == 1
    assert "slack.bogus" in result.output and "Traceback" not in result.output


def test_reveal_needs_a_known_pseudonym_and_is_audited(tmp_path: Path) -> None:
    from commsignal.store import open_db

    db_path = tmp_path / "r.db"
    db = open_db(db_path)
    db.table("people").insert(
        {"person_id": "p-abc", "email": "ann@example.com", "display_name": "Ann"}
    )
    runner = CliRunner()
    missing = runner.invoke(
        cli, ["--db", str(db_path), "reveal", "p-nope", "--reason", "case 12 review"]
    )
    assert missing.exit_code == 1 and "no person" in missing.output
    ok = runner.invoke(cli, ["--db", str(db_path), "reveal", "p-abc", "--reason", "case 12 review"])
    assert ok.exit_code == 0 and "ann@example.com" in ok.output
    audit = list(open_db(db_path).query("select action, target, reason from audit_log"))
    assert audit == [{"action": "reveal", "target": "p-abc", "reason": "case 12 review"}]


def test_digest_rejects_bad_week(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        cli, ["--db", str(tmp_path / "d.db"), "digest", "--week", "2026-47"]
    )
    assert result.exit_code == 1 and "2026-W47" in result.output


def test_rules_test_command_passes() -> None:
    result = CliRunner().invoke(cli, ["rules", "test"])
    assert result.exit_code == 0, result.output
    assert "FAIL" not in result.output and result.output.count("ok") >= 18


def test_sync_with_nothing_enabled_says_how_to_fix(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["--db", str(tmp_path / "n.db"), "sync"])
    assert result.exit_code == 0
    assert "enabled = true" in result.output


def test_status_lists_recorded_runs(tmp_path: Path) -> None:
    from commsignal.store import open_db
    from commsignal.store.runs import recorded_run

    db_path = tmp_path / "runs.db"
    with recorded_run(open_db(db_path), "digest:2026-W47"):
        pass
    result = CliRunner().invoke(cli, ["--db", str(db_path), "status"])
    assert result.exit_code == 0 and "digest:2026-W47: ok" in result.output
    info = json.loads(CliRunner().invoke(cli, ["--db", str(db_path), "status", "--json"]).output)
    assert info["runs"][0]["kind"] == "digest:2026-W47" and info["runs"][0]["status"] == "ok"


def test_init_writes_the_documented_example_and_never_overwrites(tmp_path: Path) -> None:
    target = tmp_path / "commsignal.toml"
    result = CliRunner().invoke(cli, ["init", str(target)])
    assert result.exit_code == 0, result.output
    config = load_config(target)
    assert config.slack.token is not None and config.slack.token.env == "SLACK_BOT_TOKEN"
    assert config.schedule.jobs
    target.write_text("# edited\n")
    again = CliRunner().invoke(cli, ["init", str(target)])
    assert again.exit_code == 1 and "--force" in again.output
    assert target.read_text() == "# edited\n"
    forced = CliRunner().invoke(cli, ["init", str(target), "--force"])
    assert forced.exit_code == 0 and load_config(target).schedule.jobs


def test_missing_config_points_at_init(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["--config", str(tmp_path / "none.toml"), "sync"])
    assert result.exit_code == 1 and "commsignal init" in result.output
