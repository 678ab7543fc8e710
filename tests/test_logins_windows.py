"""Windows Security events: the real OTRF export imports cleanly and yields the sessions checked by hand."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from commsignal.analysis.sessions import rebuild_sessions
from commsignal.ingest import Ingestor
from commsignal.models import LoginEvent, Quarantined
from commsignal.privacy import Pseudonymizer
from commsignal.sources.logins import LoginImportOptions, import_login_files
from commsignal.store import open_db
from connectors.logins import NaiveTimestampError, ParseOptions, parse_file


def _utc(text: str) -> float:
    return datetime.fromisoformat(text).replace(tzinfo=UTC).timestamp()


@pytest.fixture
def otrf(shared_data: Path) -> Path:
    return shared_data / "logins" / "otrf_windows_logon_lock_events.jsonl"


def test_otrf_parses_without_quarantine(otrf: Path) -> None:
    out = list(parse_file("windows", otrf))
    assert not [q for q in out if isinstance(q, Quarantined)]
    events = [e for e in out if isinstance(e, LoginEvent)]
    # 226 records; machine/system accounts, type-3 logons and UAC elevated twins are filtered
    assert len(events) == 18
    # THESHIRE.LOCAL (a Kerberos logon) and THESHIRE (its logoff) are one domain
    assert {e.user for e in events} == {"theshire\\pgustavo"}
    assert len({e.event_id for e in events}) == 18


def test_otrf_sessions_checked_by_hand(otrf: Path) -> None:
    """Checked against the raw records (EventTime is EDT: EventReceivedTime vs @timestamp = -4 h).

    - RecordNumber 40429 (4647, TargetLogonId 0x1e3237, 03:07:18 local): a logoff whose logon is
      not in the file -> zero-length session ending "logoff" at 07:07:18Z.
    - TargetLogonId 0xa992d: 48137 4624 type 10 (RDP) 07:08:20Z (48135 is its elevated twin
      0xa96e8, dropped), 49208 4779 disconnect 07:08:34, 49222 4800 lock 07:08:35, 49287 4778
      reconnect 07:08:35, 49468 4801 unlock 07:08:38, 74528 4779 disconnect 07:30:27 (from
      71.114.99.41), 74604 4800 lock 07:30:28 -> ends "disconnect" at 07:30:27; active
      07:08:20-07:08:34 + 07:08:38-07:30:27 = 14 + 1309 s.
    - TargetLogonId 0x10512d: 49461 4624 type 7 and 49477 4634, both 07:08:38 -> zero-length logoff.
    - LogonID 0x10ac67 (2020-09-22): 821627 4778 reconnect 08:38:02Z, 821769 4801 unlock 08:38:04;
      its logon predates the capture -> open session from 08:38:02, last seen 08:38:04.
    """
    events = [e for e in parse_file("windows", otrf) if isinstance(e, LoginEvent)]
    found = rebuild_sessions(events)
    assert len(found) == 7
    sessions = {(s.start_ts, s.logon_type, s.end_reason): s for s in found}

    lone = sessions[(_utc("2020-09-04T07:07:18"), None, "logoff")]
    assert lone.end_ts == lone.start_ts and lone.duration_seconds == 0

    rdp = sessions[(_utc("2020-09-04T07:08:20"), "10", "disconnect")]
    assert rdp.end_ts == _utc("2020-09-04T07:30:27")
    assert rdp.active_seconds == 14 + 1309
    assert rdp.active_spans == [
        (_utc("2020-09-04T07:08:20"), _utc("2020-09-04T07:08:34")),
        (_utc("2020-09-04T07:08:38"), _utc("2020-09-04T07:30:27")),
    ]
    assert set(rdp.ips) == {"1.2.3.4", "71.114.99.41"}
    assert "robertos-mbp" in rdp.devices and rdp.client_apps == ["rdp"]

    unlock = [s for s in found if s.logon_type == "7" and s.start_ts == _utc("2020-09-04T07:08:38")]
    assert len(unlock) == 2 and all(
        s.end_reason == "logoff" and s.duration_seconds == 0 for s in unlock
    )

    late = sessions[(_utc("2020-09-22T08:38:02"), None, "open")]
    assert late.end_ts is None and late.last_seen_ts == _utc("2020-09-22T08:38:04")


def test_otrf_filters_are_configurable(otrf: Path) -> None:
    opts = ParseOptions(include_machine_accounts=True, include_network_logons=True)
    events = [e for e in parse_file("windows", otrf, opts) if isinstance(e, LoginEvent)]
    users = {e.user for e in events}
    assert "theshire\\mordordc$" in users and "theshire\\workstation5$" in users
    assert any(e.logon_type == "3" and e.user == "theshire\\pgustavo" for e in events)
    bare = {u.rsplit("\\", 1)[-1] for u in users}
    assert not bare & {"system", "dwm-1", "umfd-0"}


def test_otrf_import_is_idempotent(otrf: Path) -> None:
    db = open_db(None)
    ingestor = Ingestor(db, Pseudonymizer(b"test"), None)
    first = import_login_files(db, ingestor, "windows", [otrf], LoginImportOptions())
    assert (first.events_read, first.new_events, first.quarantined, first.sessions) == (
        18,
        18,
        0,
        7,
    )
    second = import_login_files(db, ingestor, "windows", [otrf], LoginImportOptions())
    assert (second.new_events, second.duplicates) == (0, 18)
    assert db["login_events"].count == 18 and db["sessions"].count == 7
    assert db["quarantine"].count == 0


def _write(path: Path, records: list[dict[str, Any]]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in records))
    return path


def test_winlogbeat_and_evtx_json_shapes(tmp_path: Path) -> None:
    beat = {
        "@timestamp": "2024-03-01T08:00:00.000Z",
        "winlog": {
            "event_id": "4624",
            "computer_name": "PC1.corp",
            "record_id": 11,
            "event_data": {"TargetUserName": "Ann", "TargetLogonId": "0x1", "LogonType": "2"},
        },
    }
    evtx_like = {
        "Event": {
            "System": {
                "EventID": {"#text": 4634},
                "Computer": "PC1.corp",
                "EventRecordID": 12,
                "TimeCreated": {"#attributes": {"SystemTime": "2024-03-01T17:00:00.000000Z"}},
            },
            "EventData": {"TargetUserName": "ann", "TargetLogonId": "0x1", "LogonType": "2"},
        }
    }
    events = [e for e in parse_file("windows", _write(tmp_path / "w.jsonl", [beat, evtx_like]))]
    assert all(isinstance(e, LoginEvent) for e in events)
    [s] = rebuild_sessions(events)  # type: ignore[arg-type]
    assert (s.user, s.end_reason, s.duration_seconds, s.logon_type) == (
        "ann",
        "logoff",
        9 * 3600,
        "2",
    )


def test_naive_event_time_without_zone_is_an_error(tmp_path: Path) -> None:
    rec = {
        "EventID": 4624,
        "Hostname": "PC",
        "RecordNumber": 1,
        "EventTime": "2024-03-01 08:00:00",
        "TargetUserName": "ann",
        "TargetLogonId": "0x1",
        "LogonType": "2",
    }
    path = _write(tmp_path / "n.jsonl", [rec])
    with pytest.raises(NaiveTimestampError, match="--timezone"):
        list(parse_file("windows", path))
    [ev] = parse_file("windows", path, ParseOptions(timezone="Europe/Berlin"))
    assert isinstance(ev, LoginEvent) and ev.ts == _utc("2024-03-01T07:00:00")


def test_broken_windows_lines_are_quarantined(tmp_path: Path) -> None:
    good = {
        "EventID": 4800,
        "Hostname": "PC",
        "RecordNumber": 2,
        "EventTime": "2024-03-01T08:00:00Z",
        "TargetUserName": "ann",
        "TargetLogonId": "0x1",
    }
    path = tmp_path / "b.jsonl"
    path.write_text(
        json.dumps(good) + "\n" + '{"EventID": 4624, "Tar\n' + json.dumps({"EventID": 4801}) + "\n"
    )
    out = list(parse_file("windows", path))
    assert isinstance(out[0], LoginEvent)
    assert [(q.line, q.reason[:11]) for q in out[1:] if isinstance(q, Quarantined)] == [
        (2, "broken JSON"),
        (3, "event 4801 "),
    ]
