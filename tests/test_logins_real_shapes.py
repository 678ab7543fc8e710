"""Vendor-shaped login exports (tests/fixtures/logins, see its README) imported through the CLI.

Each Windows shape holds the same working day of two people who share the sam `jsmith` in two
domains, so every shape must give the same two ordinary sessions; the identity tests then check
that the domain keeps them apart. Entra downloads must give point sign-ins with the portal's
columns read right.
"""

from __future__ import annotations

import json
import sqlite3
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from commsignal.cli import cli

FIXTURES = Path(__file__).parent / "fixtures" / "logins"

WINDOWS_SHAPES = [
    ("winevent_ps51_convertto_json_utf16.json", ()),
    ("winevent_ps7_convertto_json.json", ()),
    ("winevent_ps51_export.csv", ("--timezone", "Europe/Berlin")),
    ("eventlog_ps51_convertto_json.json", ()),
    ("eventlog_ps51_export.csv", ("--timezone", "Asia/Tokyo")),
]


def _utc(text: str) -> float:
    return datetime.fromisoformat(text).replace(tzinfo=UTC).timestamp()


def _invoke(tmp_path: Path, *args: str, config: str | None = None) -> str:
    base = ["--db", str(tmp_path / "store.db")]
    if config is not None:
        cfg = tmp_path / "commsignal.toml"
        cfg.write_text(config)
        base = ["--config", str(cfg), *base]
    result = CliRunner().invoke(cli, [*base, *args], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.output


def _rows(tmp_path: Path, sql: str, *params: Any) -> list[dict[str, Any]]:
    conn = sqlite3.connect(tmp_path / "store.db")
    conn.row_factory = sqlite3.Row
    try:
        return [dict(r) for r in conn.execute(sql, params)]
    finally:
        conn.close()


@pytest.mark.parametrize(("name", "options"), WINDOWS_SHAPES)
def test_windows_exports_give_the_same_ordinary_day(
    tmp_path: Path, name: str, options: tuple[str, ...]
) -> None:
    out = _invoke(
        tmp_path, "import", "logins", "--format", "windows", str(FIXTURES / name), *options
    )
    assert "10 rows read = 8 new" in out and "1 machine account, 1 system account" in out
    assert "0 quarantined" in out
    events = _rows(tmp_path, "select user, event, session_key from login_events order by ts")
    assert {e["user"] for e in events} == {"contoso\\jsmith", "fabrikam\\jsmith"}
    # the logon id is hex in every shape, also where PowerShell wrote it as a number
    assert {e["session_key"] for e in events} == {"0x1a2b3c", "0x4d5e6f"}
    sessions = {
        s["user"]: s
        for s in _rows(
            tmp_path, "select user, start_ts, end_ts, end_reason, active_spans from sessions"
        )
    }
    assert set(sessions) == {"contoso\\jsmith", "fabrikam\\jsmith"}
    for user, start in (("contoso\\jsmith", 8), ("fabrikam\\jsmith", 7)):
        s = sessions[user]
        # PowerShell 7 keeps the fraction of a second (.1234567); the others write whole seconds
        assert s["end_reason"] == "logoff"
        assert s["start_ts"] == pytest.approx(_utc(f"2026-11-10T{start:02d}:00:00"), abs=0.2)
        assert s["end_ts"] == pytest.approx(_utc(f"2026-11-10T{start + 9:02d}:00:00"), abs=0.2)
        # the lunch hour behind a locked screen is not attended time
        hours = [h for span in json.loads(s["active_spans"]) for h in span]
        assert hours == pytest.approx(
            [_utc(f"2026-11-10T{start + h:02d}:00:00") for h in (0, 4, 5, 9)], abs=0.2
        )


def test_culture_dates_without_a_zone_are_refused_with_the_fix(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        cli,
        ["--db", str(tmp_path / "s.db"), "import", "logins", "--format", "windows"]
        + [str(FIXTURES / "winevent_ps51_export.csv")],
    )
    assert result.exit_code != 0 and "--timezone" in result.output


DIRECTORY = (
    "email,display_name,team,title,manager_email,timezone,country,start_date,aliases\n"
    "john.smith@contoso.com,John Smith,Finance,Analyst,,Europe/London,GB,2020-01-06,CONTOSO\\jsmith\n"
    "jane.smith@fabrikam.com,Jane Smith,Design,Designer,,Europe/Berlin,DE,2021-03-01,FABRIKAM\\jsmith\n"
)


def _person_by_user(tmp_path: Path) -> dict[str, str | None]:
    rows = _rows(
        tmp_path,
        "select distinct le.user, p.email from login_events le "
        "left join people p on p.person_id = le.person_id",
    )
    return {r["user"]: r["email"] for r in rows}


@pytest.mark.parametrize("directory_first", [True, False])
def test_one_sam_in_two_domains_is_two_people(tmp_path: Path, directory_first: bool) -> None:
    directory = tmp_path / "directory.csv"
    directory.write_text(DIRECTORY)
    steps = [
        ("import", "directory", str(directory)),
        ("import", "logins", "--format", "windows")
        + (str(FIXTURES / "winevent_ps51_convertto_json_utf16.json"),),
    ]
    for step in steps if directory_first else steps[::-1]:
        _invoke(tmp_path, *step)
    assert _person_by_user(tmp_path) == {
        "contoso\\jsmith": "john.smith@contoso.com",
        "fabrikam\\jsmith": "jane.smith@fabrikam.com",
    }
    # each person's session is their own day, not a merged 07:00-17:00 one
    spans = _rows(
        tmp_path,
        "select p.email, s.start_ts, s.end_ts from sessions s join people p using (person_id)",
    )
    assert sorted((s["email"], s["end_ts"] - s["start_ts"]) for s in spans) == [
        ("jane.smith@fabrikam.com", 9 * 3600),
        ("john.smith@contoso.com", 9 * 3600),
    ]


def test_a_domain_the_directory_lists_without_this_sam_is_not_the_other_person(
    tmp_path: Path,
) -> None:
    # only John is listed: his sam is unique, but FABRIKAM\jsmith is another domain's account
    directory = tmp_path / "directory.csv"
    directory.write_text(
        DIRECTORY.splitlines()[0]
        + "\n"
        + DIRECTORY.splitlines()[1]
        + "\n"
        + "ops@fabrikam.com,Ops,,,,,,,FABRIKAM\\svc-ops\n"
    )
    _invoke(tmp_path, "import", "directory", str(directory))
    _invoke(
        tmp_path,
        "import",
        "logins",
        "--format",
        "windows",
        str(FIXTURES / "winevent_ps7_convertto_json.json"),
    )
    assert _person_by_user(tmp_path) == {
        "contoso\\jsmith": "john.smith@contoso.com",
        "fabrikam\\jsmith": None,
    }


def test_netbios_domains_resolve_logs_that_keep_the_domain(tmp_path: Path) -> None:
    config = (
        '[identity]\nnetbios_domains = { CONTOSO = "contoso.com", FABRIKAM = "fabrikam.com" }\n'
    )
    _invoke(
        tmp_path,
        "import",
        "logins",
        "--format",
        "windows",
        str(FIXTURES / "eventlog_ps51_convertto_json.json"),
        config=config,
    )
    assert _person_by_user(tmp_path) == {
        "contoso\\jsmith": "jsmith@contoso.com",
        "fabrikam\\jsmith": "jsmith@fabrikam.com",
    }


def test_entra_interactive_download(tmp_path: Path) -> None:
    name = "InteractiveSignIns_2026-11-10_2026-11-11.csv"
    out = _invoke(tmp_path, "import", "logins", "--format", "entra", str(FIXTURES / name))
    assert "4 rows read = 4 new" in out and "0 quarantined" in out
    events = _rows(tmp_path, "select * from login_events order by ts")
    assert [(e["user"], e["event"], e["success"], e["interactive"]) for e in events] == [
        ("jane.smith@fabrikam.com", "signin", 1, 1),
        ("john.smith@contoso.com", "signin", 1, 1),
        ("john.smith@contoso.com", "signin", 0, 1),  # Interrupted: MFA asked for
        ("jane.smith@fabrikam.com", "signin", 0, 1),  # Failure: wrong password
    ]
    first = events[0]
    assert first["ts"] == _utc("2026-11-10T06:58:10")
    assert (first["ip"], first["country"], first["city"]) == ("91.64.10.20", "DE", "Köln")
    assert first["event_id"] == "entra:0e4f7c10-5f2a-4c3e-9a31-000000000b01"
    assert first["account_id"] == "22222222-0000-4000-8000-000000000002"
    assert first["device_id"] is None  # an unregistered device has no Device ID
    john = events[1]
    assert john["device_id"] == "5d1e0000-aaaa-4bbb-8ccc-0000000000c7"
    assert (john["device"], john["client_app"]) == ("Windows10 / Edge 131.0.0", "Microsoft 365")
    assert john["session_key"] == "9b2f0000-1111-4222-8333-0000000000a1"


def test_entra_non_interactive_and_auth_details_downloads(tmp_path: Path) -> None:
    _invoke(
        tmp_path,
        "import",
        "logins",
        "--format",
        "entra",
        str(FIXTURES / "NonInteractiveSignIns_2026-11-10_2026-11-11.csv"),
    )
    events = _rows(tmp_path, "select interactive, success, user from login_events")
    assert len(events) == 8 and {(e["interactive"], e["success"]) for e in events} == {(0, 1)}
    result = CliRunner().invoke(
        cli,
        ["--db", str(tmp_path / "store.db"), "import", "logins", "--format", "entra"]
        + [str(FIXTURES / "InteractiveSignIns_AuthDetails_2026-11-10_2026-11-11.csv")],
    )
    assert "1 skipped (1 authentication detail, not a sign-in)" in result.output
    assert len(_rows(tmp_path, "select 1 from login_events")) == 8
