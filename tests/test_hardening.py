"""Private files everywhere, pseudonym keys that cannot be empty or short, credentials only over https."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest
from click.testing import CliRunner

from commsignal.cli import cli
from commsignal.config import ConfigError, load_config
from commsignal.config.deliver import TeamsDeliver
from commsignal.deliver import DeliveryError
from commsignal.deliver.teams import post_teams_summary
from commsignal.store import open_db
from commsignal.store.files import atomic_write, private_dir
from commsignal.store.keys import MIN_KEY_BYTES, PseudonymKeyError, load_or_create_key


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture
def loose_umask() -> object:
    """Run with the most permissive umask, so modes come from our code, not the environment."""
    old = os.umask(0)
    yield
    os.umask(old)


def test_store_files_and_folder_are_private(tmp_path: Path, loose_umask: object) -> None:
    path = tmp_path / "new" / "store" / "c.db"
    db = open_db(path)
    db.table("people").insert({"person_id": "p-1", "email": "a@example.com"})
    for suffix in ("", "-wal", "-shm"):
        side = Path(str(path) + suffix)
        assert side.exists(), suffix
        assert _mode(side) == 0o600, suffix
    assert _mode(path.parent) == 0o700 and _mode(path.parent.parent) == 0o700


def test_generated_key_is_whole_private_and_long(tmp_path: Path, loose_umask: object) -> None:
    pseudonyms = load_or_create_key(tmp_path / "k.db", None)
    key_path = tmp_path / "k.db.key"
    assert pseudonyms.generated_key_path == key_path
    assert _mode(key_path) == 0o600
    assert len(key_path.read_bytes().strip()) >= MIN_KEY_BYTES
    assert [p.name for p in tmp_path.iterdir()] == ["k.db.key"]  # no temp file left


@pytest.mark.parametrize("content", [b"", b"\n", b"abc123\n"])
def test_empty_or_short_key_file_is_refused_with_the_fix(tmp_path: Path, content: bytes) -> None:
    (tmp_path / "k.db.key").write_bytes(content)
    with pytest.raises(PseudonymKeyError, match="Fix: restore it"):
        load_or_create_key(tmp_path / "k.db", None)
    result = CliRunner().invoke(
        cli, ["--db", str(tmp_path / "k.db"), "digest", "--out", str(tmp_path / "d")]
    )
    assert result.exit_code == 1 and "at least 32" in result.output
    assert "Traceback" not in result.output and not (tmp_path / "d").exists()


def test_short_configured_key_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    config = tmp_path / "c.toml"
    config.write_text('[privacy]\npseudonym_key = { env = "CS_TEST_KEY" }\n')
    monkeypatch.setenv("CS_TEST_KEY", "hunter2")
    result = CliRunner().invoke(
        cli, ["--config", str(config), "--db", str(tmp_path / "x.db"), "digest", "--out",
              str(tmp_path / "d"), "--no-deliver"],
    )  # fmt: skip
    assert result.exit_code == 1 and "pseudonym_key is 7 bytes" in result.output
    assert "hunter2" not in result.output
    monkeypatch.setenv("CS_TEST_KEY", "k" * 40)
    assert load_or_create_key(tmp_path / "x.db", "k" * 40).key == b"k" * 40


def test_a_crash_while_writing_leaves_no_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "k.key"

    def crash(fd: int) -> None:
        raise OSError("power cut")

    monkeypatch.setattr(os, "fsync", crash)
    with pytest.raises(OSError, match="power cut"):
        atomic_write(target, "secret", exclusive=True)
    assert list(tmp_path.iterdir()) == []


def test_atomic_write_replaces_whole_and_exclusive_refuses(
    tmp_path: Path, loose_umask: object
) -> None:
    target = tmp_path / "f.txt"
    target.write_text("old")
    target.chmod(0o644)
    atomic_write(target, "new")
    assert target.read_text() == "new" and _mode(target) == 0o600
    with pytest.raises(FileExistsError):
        atomic_write(target, "other", exclusive=True)
    assert target.read_text() == "new"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["f.txt"]
    assert _mode(private_dir(tmp_path / "a" / "b")) == 0o700


def test_init_writes_a_private_config(tmp_path: Path, loose_umask: object) -> None:
    result = CliRunner().invoke(cli, ["init", str(tmp_path / "commsignal.toml")])
    assert result.exit_code == 0, result.output
    assert _mode(tmp_path / "commsignal.toml") == 0o600


@pytest.mark.parametrize(
    "section",
    [
        '[slack]\nbase_url = "http://slack.example.com/api/"\n',
        '[slack]\naudit_base_url = "http://api.slack.example/audit/v1/"\n',
        '[m365]\nbase_url = "http://graph.example.com"\n',
        '[deliver.slack]\nbase_url = "http://slack.example.com/api/"\n',
        '[m365]\nbase_url = "ftp://graph.example.com"\n',
    ],
)
def test_credential_urls_must_be_https(tmp_path: Path, section: str) -> None:
    path = tmp_path / "c.toml"
    path.write_text(section)
    with pytest.raises(ConfigError, match="https"):
        load_config(path)


@pytest.mark.parametrize("host", ["127.0.0.1:8080", "localhost:9000", "[::1]:7000"])
def test_loopback_http_is_allowed_for_test_servers(tmp_path: Path, host: str) -> None:
    path = tmp_path / "c.toml"
    path.write_text(
        f'[slack]\nbase_url = "http://{host}/api/"\n[m365]\nbase_url = "http://{host}"\n'
    )
    config = load_config(path)
    assert config.slack.base_url.startswith("http://")


def test_teams_webhook_over_plain_http_is_refused_without_showing_it() -> None:
    url = "http://example.webhook.office.com/webhookb2/SECRET-PART"
    digest = {"week": "2026-W47", "summary": {"high": 0, "medium": 0, "low": 0,
              "people_scored": 0}, "people": []}  # fmt: skip
    with pytest.raises(DeliveryError) as info:
        post_teams_summary(digest, TeamsDeliver(), url)
    message = str(info.value)
    assert "https" in message and "127.0.0.1/localhost" in message
    assert "SECRET-PART" not in message


def test_scored_messages_file_is_private(tmp_path: Path, loose_umask: object) -> None:
    """`nlp score` output carries the input rows (message text included): 0600 like the rest."""
    src = tmp_path / "in.jsonl"
    src.write_text('{"text": "how was your weekend?"}\n', encoding="utf-8")
    out = tmp_path / "scored" / "out.jsonl"
    result = CliRunner().invoke(cli, ["nlp", "score", "--input", str(src), "--output", str(out)])
    assert result.exit_code == 0, result.output
    assert _mode(out) == 0o600 and _mode(out.parent) == 0o700
    assert sorted(p.name for p in out.parent.iterdir()) == ["out.jsonl"]
