"""`commsignal import logins` on what users really pass it: one or two lines with the fix, never a traceback."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from commsignal.cli.logins import EXIT_NOTHING_STORED, EXIT_QUARANTINED
from commsignal.cli.main import cli
from commsignal.store import open_db

DATA = Path(__file__).parent / "data"


def _run(tmp_path: Path, *args: str) -> tuple[int, str]:
    res = CliRunner().invoke(cli, ["--db", str(tmp_path / "c.db"), "import", "logins", *args])
    assert (
        "Traceback" not in res.output
        and res.exception is None
        or isinstance(res.exception, SystemExit)
    ), res.output
    return res.exit_code, res.output


def _short_error(code: int, out: str) -> None:
    assert code == 1 and out.startswith("Error: ")
    assert len(out) < 500 and out.count("\n") <= 2


def test_broken_evtx_files(tmp_path: Path) -> None:
    empty = tmp_path / "Security.evtx"
    empty.write_bytes(b"")
    code, out = _run(tmp_path, "--format", "windows", str(empty))
    _short_error(code, out)
    assert "not a readable .evtx file (empty)" in out and "wevtutil" in out
    junk = tmp_path / "junk.evtx"
    junk.write_bytes(bytes(range(256)) * 300)
    code, out = _run(tmp_path, "--format", "windows", str(junk))
    _short_error(code, out)
    assert "no evtx header" in out


def test_a_huge_one_line_file_is_not_echoed(tmp_path: Path) -> None:
    path = tmp_path / "big.csv"
    path.write_text("user;" + "x" * 3_000_000)
    code, out = _run(tmp_path, "--format", "csv", str(path))
    _short_error(code, out)
    assert "longer than 1 MiB" in out


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["--event", "Connected=start"], "valid events are"),
        (["--column", "usr=Username"], "valid fields are"),
        (["--column", "user"], "expects NAME=VALUE"),
        (["--time-format", "MM/DD/YYYY"], "has no strptime codes"),
        (["--format", "syslog"], "choose one of"),
    ],
)
def test_bad_options_name_the_fix(tmp_path: Path, args: list[str], expected: str) -> None:
    fmt = [] if "--format" in args else ["--format", "csv"]
    code, out = _run(tmp_path, *fmt, *args, str(DATA / "logins_us_dates.csv"))
    _short_error(code, out)
    assert expected in out


def test_other_sources_and_folders_are_refused_with_the_command(tmp_path: Path) -> None:
    code, out = _run(tmp_path, "--format", "entra", str(DATA / "okta_system_log.csv"))
    _short_error(code, out)
    assert "Okta System Log export (CSV)" in out and "--format okta" in out
    export = tmp_path / "slack"
    export.mkdir()
    (export / "users.json").write_text("[]")
    code, out = _run(tmp_path, "--format", "okta", str(export))
    _short_error(code, out)
    assert f"commsignal import slack-export {export}" in out


def test_utf16_powershell_output_imports(tmp_path: Path) -> None:
    code, out = _run(tmp_path, "--format", "windows", str(DATA / "windows_getwinevent_utf16.json"))
    assert code == 0, out
    assert "7 rows read = 4 new + 0 already stored + 3 skipped" in out
    assert "1 machine account, 1 network logon, 1 unsupported event id" in out


def test_json_summary_and_run_record_add_up(tmp_path: Path) -> None:
    code, out = _run(tmp_path, "--format", "okta", "--json", str(DATA / "okta_system_log.csv"))
    assert code == 0, out
    summary = json.loads(out)
    assert summary["rows_read"] == 5 and summary["new_events"] == 4
    assert summary["skipped"] == {"unsupported event type": 1} and summary["adds_up"] is True
    [run] = open_db(tmp_path / "c.db").query("select kind, status, stats from _runs")
    assert run["kind"] == "import:logins:okta" and run["status"] == "ok"
    assert json.loads(run["stats"])["rows_read"] == 5


def test_exit_codes_say_quarantined_or_nothing_stored(tmp_path: Path) -> None:
    mapping = ["--column", "user=Benutzer", "--column", "timestamp=Zeitpunkt"]
    mapping += ["--column", "event=Ereignis"]
    code, out = _run(
        tmp_path, "--format", "csv", *mapping, str(DATA / "logins_semicolon_epoch_ms.csv")
    )
    assert code == EXIT_QUARANTINED and "1 bad timestamp" in out
    only_skips = tmp_path / "policy.ndjson"
    only_skips.write_text(
        json.dumps(
            {
                "uuid": "1",
                "published": "2026-11-03T09:00:00Z",
                "eventType": "policy.evaluate_sign_on",
                "actor": {"alternateId": "ann@corp.example"},
            }
        )
        + "\n"
    )
    code, out = _run(tmp_path, "--format", "okta", str(only_skips))
    assert code == EXIT_NOTHING_STORED
    assert "1 skipped (1 unsupported event type)" in out and "nothing was stored" in out
    code, out = _run(tmp_path, "--format", "okta", str(DATA / "okta_sso_only.ndjson"))
    assert code == 0 and "3 new" in out


def test_sync_logins_accounts_and_one_bad_source_does_not_stop_the_others(tmp_path: Path) -> None:
    config = tmp_path / "c.toml"
    okta = DATA / "okta_system_log.csv"
    config.write_text(
        "[[logins.sources]]\n"
        f'name = "wrong"\nformat = "entra"\npath = "{okta}"\n\n'
        "[[logins.sources]]\n"
        f'name = "okta"\nformat = "okta"\npath = "{okta}"\n'
    )
    db = tmp_path / "s.db"
    res = CliRunner().invoke(cli, ["--config", str(config), "--db", str(db), "sync", "logins"])
    assert res.exit_code == 0, res.output
    wrong, good = res.output.strip().splitlines()
    assert wrong.startswith("logins/wrong: not imported:") and "--format okta" in wrong
    assert good.startswith("logins/okta: 1 file(s), 5 rows read = 4 new")
    runs = {r["kind"]: r for r in open_db(db).query("select kind, status, stats from _runs")}
    assert runs["sync:logins:wrong"]["status"] == "failed"
    assert json.loads(runs["sync:logins:okta"]["stats"])["skipped"] == {"unsupported event type": 1}
