"""Every export shape each `--format` accepts, from files written after the vendors' documented formats.

Each test imports a file in tests/data/ and checks what was stored, what was skipped and why, and
that read = new + already stored + skipped + quarantined.
"""

from __future__ import annotations

import shutil
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlite_utils import Database

from commsignal.ingest import Ingestor
from commsignal.models import LoginEvent
from commsignal.privacy import Pseudonymizer
from commsignal.sources.logins import ImportSummary, LoginImportOptions, import_login_files
from commsignal.store import open_db
from connectors.logins import LoginFormatError, ParseOptions, Skipped, parse_file

DATA = Path(__file__).parent / "data"


def _import(fmt: str, *names: str, **options: object) -> tuple[ImportSummary, Database]:
    db = open_db(None)
    ingestor = Ingestor(db, Pseudonymizer(b"k"), None)
    opts = LoginImportOptions(**options)  # type: ignore[arg-type]
    summary = import_login_files(db, ingestor, fmt, [DATA / n for n in names], opts)
    assert summary.adds_up(), summary.as_dict()
    return summary, db


def _events(db: Database) -> list[dict[str, object]]:
    return list(db.query("select * from login_events order by ts"))


def _utc(text: str) -> float:
    return datetime.fromisoformat(text).replace(tzinfo=UTC).timestamp()


WINDOWS_SKIPS = {"unsupported event id": 1, "machine account": 1, "network logon": 1}


@pytest.mark.parametrize(
    ("name", "options"),
    [
        ("windows_getwinevent.json", {}),  # ConvertTo-Json, Windows PowerShell 5.1
        ("windows_getwinevent_utf16.json", {}),  # the same saved with `>` (UTF-16 LE + BOM)
        ("windows_wevtutil.xml", {}),  # wevtutil qe Security /f:xml
        (
            "windows_export.csv",  # Export-Csv: US culture dates in the machine's local time
            {"timezone": "America/New_York", "time_format": "%m/%d/%Y %I:%M:%S %p"},
        ),
    ],
)
def test_windows_shapes(name: str, options: dict[str, object]) -> None:
    summary, db = _import("windows", name, **options)
    assert (summary.rows_read, summary.new_events, summary.quarantined) == (7, 4, 0)
    assert summary.skipped == WINDOWS_SKIPS
    events = _events(db)
    assert [e["event"] for e in events] == ["logon", "lock", "unlock", "logoff"]
    assert {e["user"] for e in events} == {"corp\\jdoe"}
    assert {e["session_key"] for e in events} == {"0x1a2b3c"}
    assert {e["host"] for e in events} == {"WS-042.corp.example"}
    assert events[0]["logon_type"] == "2" and events[0]["device"] == "WS-042"
    shift = 5 * 3600 if name.endswith(".csv") else 0  # 9:00 EST is 14:00 UTC
    assert events[0]["ts"] == pytest.approx(_utc("2026-11-03T09:00:00") + shift, abs=0.2)
    assert events[-1]["ts"] == pytest.approx(_utc("2026-11-03T17:30:00") + shift, abs=0.2)
    [session] = db.query("select end_reason, duration_seconds from sessions")
    assert session["end_reason"] == "logoff"
    assert session["duration_seconds"] == pytest.approx(8.5 * 3600, abs=1)


def test_windows_shapes_share_event_ids() -> None:
    # the same events exported three ways are stored once (ids come from computer + record id)
    summary, db = _import(
        "windows",
        "windows_getwinevent.json",
        "windows_wevtutil.xml",
        "windows_getwinevent_utf16.json",
    )
    assert (summary.new_events, summary.duplicates) == (4, 8)
    assert db["login_events"].count == 4


def test_event_viewer_xml_save_with_rdp_reconnect_and_disconnect() -> None:
    summary, db = _import("windows", "windows_eventviewer_save.xml")
    assert (summary.rows_read, summary.new_events, summary.skipped) == (
        3,
        2,
        {"unsupported event id": 1},  # 4625, a failed logon
    )
    events = _events(db)
    assert [(e["event"], e["ip"], e["device"], e["client_app"]) for e in events] == [
        ("reconnect", "198.51.100.77", "HOME-PC", "rdp"),
        ("disconnect", "198.51.100.77", "HOME-PC", "rdp"),
    ]
    assert events[0]["ts"] == pytest.approx(_utc("2026-11-04T02:10:44.551234"))


def test_get_winevent_depth_1_reads_the_message_and_iso_times() -> None:
    # PowerShell 7, -Depth 1: Properties are type names; TimeCreated is ISO-8601 with an offset
    summary, db = _import("windows", "windows_getwinevent_ps7_depth1.json")
    assert (summary.rows_read, summary.new_events, summary.quarantined) == (3, 2, 1)
    events = _events(db)
    assert [(e["event"], e["user"], e["session_key"]) for e in events] == [
        ("lock", "corp\\jdoe", "0x1a2b3c"),
        ("unlock", "corp\\jdoe", "0x1a2b3c"),
    ]
    assert events[0]["ts"] == pytest.approx(_utc("2026-11-05T12:00:00.123456"))
    [reason] = summary.quarantine_reasons
    assert "messages are read in English" in reason and "-Depth 3" in reason


def test_entra_portal_json_download() -> None:
    summary, db = _import("entra", "entra_signins_portal.json")
    assert (summary.rows_read, summary.new_events) == (3, 2)
    assert summary.skipped == {"not a user sign-in (service principal or managed identity)": 1}
    events = _events(db)
    # named like a Graph sync names them: device name as host, OS/browser as the client label
    assert [(e["interactive"], e["success"], e["host"]) for e in events] == [
        (0, 1, "LT-DANA-01"),
        (1, 0, None),
    ]
    assert events[0]["device_id"] == "5d1e0000-aaaa-4bbb-8ccc-0000000000d1"
    assert events[0]["account_id"] == "a1b2c3d4-0000-4000-8000-000000000001"
    assert events[0]["device"] == "Windows10"


def test_event_viewer_csv_save() -> None:
    # "Save All Events As" CSV: no computer name, local US dates, the message in an unnamed column
    summary, db = _import(
        "windows",
        "windows_eventviewer_save.csv",
        timezone="America/New_York",
        time_format="%m/%d/%Y %I:%M:%S %p",
    )
    assert (summary.rows_read, summary.new_events, summary.quarantined) == (7, 4, 0)
    assert summary.skipped == WINDOWS_SKIPS
    events = _events(db)
    assert [(e["event"], e["user"], e["session_key"]) for e in events] == [
        ("logon", "corp\\jdoe", "0x1a2b3c"),
        ("lock", "corp\\jdoe", "0x1a2b3c"),
        ("unlock", "corp\\jdoe", "0x1a2b3c"),
        ("logoff", "corp\\jdoe", "0x1a2b3c"),
    ]
    assert events[0]["ts"] == _utc("2026-11-03T09:00:00")  # 4:00 AM EST


def test_windows_export_csv_needs_its_date_format() -> None:
    with pytest.raises(LoginFormatError, match="--time-format"):
        _import("windows", "windows_export.csv", timezone="UTC")


def test_entra_portal_csv_interactive() -> None:
    summary, db = _import("entra", "InteractiveSignIns_2026-11-03_2026-11-04.csv")
    assert (summary.rows_read, summary.new_events, summary.quarantined) == (4, 4, 0)
    events = _events(db)
    # keyed on the Username (UPN), not the display name "Ravi, Kumar" (a quoted comma)
    assert [e["user"] for e in events] == [
        "dana.whitfield@corp.example",
        "dana.whitfield@corp.example",
        "ravi.kumar@corp.example",
        "ravi.kumar@corp.example",
    ]
    # Success / Interrupted (MFA not completed) / Failure / Success
    assert [e["success"] for e in events] == [1, 0, 0, 1]
    assert events[0]["event_id"] == "entra:0e4f7c10-5f2a-4c3e-9a31-7d2b1c6e0a01"  # as via Graph
    assert events[0]["ts"] == _utc("2026-11-03T08:58:12")
    assert (events[0]["country"], events[0]["city"], events[0]["ip"]) == (
        "GB",
        "Leeds",
        "203.0.113.24",
    )
    assert events[1]["client_app"] == "Microsoft Teams"
    assert {e["event"] for e in events} == {"signin"}
    assert {e["interactive"] for e in events} == {1}  # InteractiveSignIns_*.csv


def test_entra_auth_details_and_service_principal_downloads(tmp_path: Path) -> None:
    details = tmp_path / "AuthDetails_2026-11-03_2026-11-04.csv"
    details.write_text(
        "Request ID,Date (UTC),Authentication method,Succeeded\n"
        "0e4f7c10-5f2a-4c3e-9a31-7d2b1c6e0a01,2026-11-03T08:58:12Z,Password,true\n"
    )
    apps = tmp_path / "ApplicationSignIns_2026-11-03_2026-11-04.csv"
    apps.write_text(
        "Date (UTC),Request ID,Service principal name,Service principal ID,IP address\n"
        "2026-11-03T08:10:00Z,r-1,hr-sync-job,7f3e0000,20.190.128.5\n"
    )
    for path, reason in (
        (details, "authentication detail, not a sign-in"),
        (apps, "not a user sign-in (service principal or managed identity)"),
    ):
        [skip] = parse_file("entra", path, ParseOptions(report_skipped=True))
        assert isinstance(skip, Skipped) and skip.reason == reason


def test_entra_portal_csv_non_interactive() -> None:
    # the download has no column for it; the portal's file name says the sign-ins are background
    summary, db = _import("entra", "NonInteractiveSignIns_2026-11-03_2026-11-04.csv")
    assert (summary.rows_read, summary.new_events) == (3, 3)
    events = _events(db)
    assert {e["interactive"] for e in events} == {0}
    assert events[2]["country"] == "IN" and events[2]["city"] is None


def test_okta_admin_console_csv_counts_sso_as_signin() -> None:
    summary, db = _import("okta", "okta_system_log.csv")
    assert (summary.rows_read, summary.new_events, summary.quarantined) == (5, 4, 0)
    assert summary.skipped == {"unsupported event type": 1}
    events = _events(db)
    assert [e["event"] for e in events] == ["logon", "signin", "logon", "logoff"]
    failed = [e for e in events if e["user"] == "ravi.kumar@corp.example"]
    assert [e["success"] for e in failed] == [0] and failed[0]["session_key"] is None
    assert events[0]["session_key"] == "102nQ7dana00sess01"
    assert (events[0]["country"], events[0]["city"]) == ("United Kingdom", "Leeds")


def test_okta_sso_only_file_is_activity() -> None:
    summary, db = _import("okta", "okta_sso_only.ndjson")
    assert (summary.rows_read, summary.new_events, summary.skipped) == (3, 3, {})
    assert {e["event"] for e in _events(db)} == {"signin"}


def test_generic_csv_semicolons_and_epoch_milliseconds() -> None:
    columns = {"user": "Benutzer", "timestamp": "Zeitpunkt", "event": "Ereignis", "ip": "IP"}
    summary, db = _import("csv", "logins_semicolon_epoch_ms.csv", column_map=columns)
    assert (summary.rows_read, summary.new_events, summary.quarantined) == (5, 4, 1)
    assert summary.quarantine_reasons == {"bad timestamp": 1}
    events = _events(db)
    assert events[0]["ts"] == _utc("2026-11-03T09:00:00") and events[0]["ip"] == "10.20.30.40"
    with pytest.raises(LoginFormatError, match=r"no 'user' column .*Benutzer, Zeitpunkt"):
        _import("csv", "logins_semicolon_epoch_ms.csv")


def test_generic_csv_us_dates_with_time_format() -> None:
    with pytest.raises(LoginFormatError, match="--time-format"):
        _import("csv", "logins_us_dates.csv", timezone="UTC")
    summary, db = _import(
        "csv",
        "logins_us_dates.csv",
        timezone="America/Chicago",
        time_format="%m/%d/%Y %I:%M:%S %p",
    )
    assert summary.new_events == 4
    events = _events(db)
    assert events[0]["ts"] == _utc("2026-11-03T15:00:00")  # CST, after the DST change
    assert events[-1]["ts"] == _utc("2026-11-04T00:45:00")


@pytest.mark.parametrize(
    ("fmt", "name", "detected"),
    [
        ("entra", "okta_system_log.csv", "--format okta"),
        ("csv", "InteractiveSignIns_2026-11-03_2026-11-04.csv", "--format entra"),
        ("okta", "windows_wevtutil.xml", "--format windows"),
        ("windows", "InteractiveSignIns_2026-11-03_2026-11-04.csv", "--format entra"),
        ("slack-audit", "okta_sso_only.ndjson", "--format okta"),
        ("okta", "logins_us_dates.csv", "--format csv"),
        ("entra", "windows_getwinevent_utf16.json", "--format windows"),
    ],
)
def test_another_sources_file_is_refused_with_the_right_command(
    fmt: str, name: str, detected: str
) -> None:
    with pytest.raises(LoginFormatError) as info:
        list(parse_file(fmt, DATA / name))
    message = str(info.value)
    assert detected in message and name in message and len(message) < 400


def test_csv_with_explicit_columns_is_taken_as_asked(tmp_path: Path) -> None:
    # a team may well map an Entra download by hand; explicit --column mappings are respected
    path = tmp_path / "entra.csv"
    shutil.copy(DATA / "InteractiveSignIns_2026-11-03_2026-11-04.csv", path)
    opts = ParseOptions(
        column_map={"user": "Username", "timestamp": "Date (UTC)", "event": "Status"},
        event_map={"success": "signin", "failure": "signin", "interrupted": "signin"},
    )
    events = [e for e in parse_file("csv", path, opts) if isinstance(e, LoginEvent)]
    assert len(events) == 4


def test_mapping_targets_are_validated() -> None:
    with pytest.raises(LoginFormatError, match="valid fields are user, timestamp, event"):
        list(parse_file("csv", DATA / "logins_us_dates.csv", ParseOptions(column_map={"usr": "x"})))
    with pytest.raises(LoginFormatError, match="valid events are .*logon"):
        list(
            parse_file(
                "csv", DATA / "logins_us_dates.csv", ParseOptions(event_map={"Connected": "start"})
            )
        )
    with pytest.raises(
        LoginFormatError, match=r"--column user=Usr: no such column.*user, timestamp"
    ):
        list(
            parse_file(
                "csv", DATA / "logins_us_dates.csv", ParseOptions(column_map={"user": "Usr"})
            )
        )


def test_real_windows_log_accounts_for_every_event(shared_data: Path) -> None:
    # OTRF's 226 real Security events: the 208 left out are named, none silently dropped
    db = open_db(None)
    ingestor = Ingestor(db, Pseudonymizer(b"k"), None)
    path = shared_data / "logins" / "otrf_windows_logon_lock_events.jsonl"
    summary = import_login_files(db, ingestor, "windows", [path], LoginImportOptions())
    assert summary.adds_up() and summary.rows_read == 226 and summary.quarantined == 0
    assert summary.new_events == db["login_events"].count == 18
    assert summary.skipped == {
        "elevated twin of a logon": 9,
        "machine account": 127,
        "network logon": 14,
        "system account": 58,
    }
