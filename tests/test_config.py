"""Config errors name the file, the key and the fix; secrets only by reference."""

from __future__ import annotations

from importlib.resources import as_file
from pathlib import Path

import pytest

from commsignal.config import EXAMPLE_CONFIG, ConfigError, load_config
from commsignal.demo.run import DEMO_CONFIG

REPO = Path(__file__).resolve().parents[1]


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "c.toml"
    path.write_text(text)
    return path


def test_example_and_demo_configs_are_valid() -> None:
    with as_file(EXAMPLE_CONFIG) as example_path:
        example = load_config(example_path)
    assert example.slack.token is not None and example.slack.token.env == "SLACK_BOT_TOKEN"
    with as_file(DEMO_CONFIG) as demo_path:
        demo = load_config(demo_path)
    assert demo.slack.enabled and demo.m365.enabled


def test_no_file_gives_defaults() -> None:
    config = load_config(None)
    assert config.slack.base_url == "https://slack.com/api/"
    assert config.m365.base_url == "https://graph.microsoft.com"
    assert config.source_name == "built-in defaults"


def test_unknown_key_names_file_key_and_fix(tmp_path: Path) -> None:
    path = _write(tmp_path, "[slack]\npage_sise = 15\n")
    with pytest.raises(ConfigError) as err:
        load_config(path)
    text = str(err.value)
    assert str(path) in text and "slack.page_sise" in text and "spelling" in text


def test_wrong_type(tmp_path: Path) -> None:
    path = _write(tmp_path, '[slack]\npage_size = "lots"\n')
    with pytest.raises(ConfigError) as err:
        load_config(path)
    assert "slack.page_size" in str(err.value) and "integer" in str(err.value)


def test_bad_cron(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        '[[schedule.jobs]]\nid = "d"\njob = "digest"\ncron = "0 9 * *"\n',
    )
    with pytest.raises(ConfigError) as err:
        load_config(path)
    assert "schedule.jobs.0.cron" in str(err.value) and "5 fields" in str(err.value)


def test_bad_cron_weekday(tmp_path: Path) -> None:
    path = _write(tmp_path, '[[schedule.jobs]]\nid = "d"\njob = "digest"\ncron = "0 9 * * 9"\n')
    with pytest.raises(ConfigError, match="0-7"):
        load_config(path)


def test_bad_timezone(tmp_path: Path) -> None:
    path = _write(tmp_path, '[digest]\ntimezone = "Europe/Atlantis"\n')
    with pytest.raises(ConfigError) as err:
        load_config(path)
    assert "digest.timezone" in str(err.value) and "IANA" in str(err.value)


def test_inline_secret_is_refused(tmp_path: Path) -> None:
    path = _write(tmp_path, '[slack]\ntoken = "xoxb-123"\n')
    with pytest.raises(ConfigError) as err:
        load_config(path)
    assert "slack.token" in str(err.value) and "env" in str(err.value)


def test_secret_env_unset_names_variable(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CS_TEST_TOKEN", raising=False)
    config = load_config(_write(tmp_path, '[slack]\ntoken = { env = "CS_TEST_TOKEN" }\n'))
    assert config.slack.token is not None
    with pytest.raises(ConfigError) as err:
        config.slack.token.resolve("slack.token", config.source_name)
    assert "CS_TEST_TOKEN" in str(err.value) and "slack.token" in str(err.value)
    monkeypatch.setenv("CS_TEST_TOKEN", "xoxb-ok")
    assert config.slack.token.resolve("slack.token") == "xoxb-ok"


def test_secret_from_file(tmp_path: Path) -> None:
    secret = tmp_path / "secret"
    secret.write_text("s3cr3t\n")
    config = load_config(_write(tmp_path, f'[m365]\nclient_secret = {{ file = "{secret}" }}\n'))
    assert config.m365.client_secret is not None
    assert config.m365.client_secret.resolve("m365.client_secret") == "s3cr3t"


def test_secret_ref_needs_exactly_one(tmp_path: Path) -> None:
    path = _write(tmp_path, '[slack]\ntoken = { env = "A", file = "B" }\n')
    with pytest.raises(ConfigError, match="exactly one"):
        load_config(path)


def test_bad_cidr(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="detect.hosting_cidrs"):
        load_config(_write(tmp_path, '[detect]\nhosting_cidrs = ["not-a-range"]\n'))


def test_bad_toml_syntax(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_config(_write(tmp_path, "[slack\n"))


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="not found"):
        load_config(tmp_path / "nope.toml")
