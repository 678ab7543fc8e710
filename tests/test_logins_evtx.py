"""Windows .evtx import through the real Rust parser, on binary files built by tests/evtx_writer.py."""

from __future__ import annotations

import json
import struct
import zlib
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from evtx import PyEvtxParser
from evtx_writer import CHUNK_HEADER_SIZE, CHUNK_SIZE, FILE_HEADER_SIZE, write_evtx

from commsignal.ingest import Ingestor
from commsignal.models import LoginEvent, Quarantined
from commsignal.privacy import Pseudonymizer
from commsignal.sources.logins import LoginImportOptions, import_login_files
from commsignal.store import open_db
from connectors.logins import ParseOptions, parse_file
from connectors.logins.common import event_id

HOST = "WS-01.corp.local"
DAY = datetime(2024, 3, 4, tzinfo=UTC)  # a Monday


def _at(hhmmss: str) -> datetime:
    h, m, s = (int(x) for x in hhmmss.split(":"))
    return DAY + timedelta(hours=h, minutes=m, seconds=s)


def _ts(hhmmss: str) -> float:
    return _at(hhmmss).timestamp()


def _logon(user: str, logon_id: str, logon_type: str, ip: str, workstation: str) -> dict[str, str]:
    # the fields of a real 4624 that the importer reads, plus the UAC ones it checks for twins
    return {
        "SubjectUserSid": "S-1-5-18",
        "SubjectUserName": "WS-01$",
        "SubjectDomainName": "CORP",
        "SubjectLogonId": "0x3e7",
        "TargetUserSid": "S-1-5-21-1004336348-1177238915-682003330-1104",
        "TargetUserName": user,
        "TargetDomainName": "CORP",
        "TargetLogonId": logon_id,
        "LogonType": logon_type,
        "LogonProcessName": "User32" if logon_type in ("2", "10") else "NtLmSsp",
        "AuthenticationPackageName": "Negotiate",
        "WorkstationName": workstation,
        "IpAddress": ip,
        "IpPort": "0",
        "ElevatedToken": "%%1843",  # no: not the elevated twin of a split-token logon
        "TargetLinkedLogonId": "0x0",
    }


def _target(user: str, logon_id: str, **extra: str) -> dict[str, str]:
    # 4634/4647/4800/4801 name the session by the target user and its logon id
    return {"TargetUserName": user, "TargetDomainName": "CORP", "TargetLogonId": logon_id, **extra}


def _rdp(user: str, logon_id: str, client: str, ip: str) -> dict[str, str]:
    # 4778/4779 use their own field names (AccountName, LogonID, ClientAddress)
    return {
        "AccountName": user,
        "AccountDomain": "CORP",
        "LogonID": logon_id,
        "SessionName": "RDP-Tcp#3",
        "ClientName": client,
        "ClientAddress": ip,
    }


# (record id, event id, time, EventData) in log order; 4672 is logged after every admin logon
DAY_LOG: list[tuple[int, int, str, dict[str, str]]] = [
    (1, 4624, "07:59:58", _logon("WS-01$", "0x3e4", "5", "-", "-")),  # machine account: dropped
    (2, 4624, "08:58:10", _logon("alice", "0x3e7a1", "2", "127.0.0.1", "WS-01")),
    (3, 4672, "08:58:10", {"SubjectUserName": "alice", "SubjectLogonId": "0x3e7a1"}),  # skipped
    (
        4,
        4624,
        "09:05:00",
        _logon("alice", "0x4a001", "3", "10.1.2.50", "FS-02"),
    ),  # network: dropped
    (5, 4800, "10:30:00", _target("alice", "0x3e7a1", SessionId="1")),
    (6, 4801, "10:45:00", _target("alice", "0x3e7a1", SessionId="1")),
    (7, 4624, "11:00:00", _logon("bob", "0x5b2c0", "10", "10.1.9.7", "BOB-LAPTOP")),
    (8, 4779, "11:40:00", _rdp("bob", "0x5b2c0", "BOB-LAPTOP", "10.1.9.7")),
    (9, 4778, "12:10:00", _rdp("bob", "0x5b2c0", "BOB-LAPTOP", "10.1.9.8")),
    (10, 4647, "12:30:00", _target("alice", "0x3e7a1")),
    (11, 4634, "12:30:02", _target("alice", "0x3e7a1", LogonType="2")),
    (12, 4634, "13:15:00", _target("bob", "0x5b2c0", LogonType="10")),
    (13, 4624, "13:20:00", _logon("carol", "0x6c3d0", "2", "127.0.0.1", "WS-01")),  # never closed
]


def _records(log: list[tuple[int, int, str, dict[str, str]]]) -> list[dict[str, Any]]:
    return [
        {"EventID": code, "TimeCreated": _at(t), "Computer": HOST, "EventRecordID": rid, "data": d}
        for rid, code, t, d in log
    ]


@pytest.fixture
def day_evtx(tmp_path: Path) -> Path:
    path = tmp_path / "Security.evtx"
    write_evtx(path, _records(DAY_LOG))
    return path


def _import(path: Path) -> tuple[Any, Ingestor, Any]:
    db = open_db(None)
    ingestor = Ingestor(db, Pseudonymizer(b"k"), None)
    summary = import_login_files(db, ingestor, "windows", [path], LoginImportOptions())
    return db, ingestor, summary


def _parsed(path: Path, validate_checksums: bool = False) -> list[dict[str, Any]]:
    parser = PyEvtxParser(str(path), validate_checksums=validate_checksums)
    return [json.loads(r["data"]) for r in parser.records_json() if r is not None]


def test_parser_reads_the_written_file_like_a_real_security_log(day_evtx: Path) -> None:
    # the shape windows.py relies on: EventData flattened to Name -> value, typed System fields
    records = _parsed(day_evtx)
    assert len(records) == len(DAY_LOG)
    event = records[1]["Event"]
    assert event["System"]["EventID"] == 4624 and event["System"]["EventRecordID"] == 2
    assert event["System"]["Computer"] == HOST and event["System"]["Channel"] == "Security"
    assert event["System"]["TimeCreated"] == {
        "#attributes": {"SystemTime": "2024-03-04T08:58:10.000000Z"}
    }
    provider = event["System"]["Provider"]["#attributes"]["Name"]
    assert provider == "Microsoft-Windows-Security-Auditing"
    data = event["EventData"]
    assert data["TargetUserName"] == "alice" and data["TargetLogonId"] == "0x3e7a1"
    assert data["LogonType"] == 2  # UInt32 in the manifest, so a JSON number as in real files


def test_checksums_are_those_windows_writes(day_evtx: Path) -> None:
    # the parser checks chunk CRCs only on request; with it on, the file must still read in full
    assert len(_parsed(day_evtx, validate_checksums=True)) == len(DAY_LOG)
    data = bytearray(day_evtx.read_bytes())
    assert struct.unpack_from("<I", data, 124)[0] == zlib.crc32(data[:120])  # not parser-checked
    data[FILE_HEADER_SIZE + 300] ^= 1  # inside the (empty) string table, covered by the header CRC
    day_evtx.write_bytes(bytes(data))
    with pytest.raises(RuntimeError, match="CRC32"):
        _parsed(day_evtx, validate_checksums=True)


def test_events_from_evtx(day_evtx: Path) -> None:
    out = list(parse_file("windows", day_evtx))
    assert not [q for q in out if isinstance(q, Quarantined)]
    events = [e for e in out if isinstance(e, LoginEvent)]
    got = [(e.user, e.event, e.ts, e.logon_type, e.session_key) for e in events]
    assert got == [
        ("corp\\alice", "logon", _ts("08:58:10"), "2", "0x3e7a1"),
        ("corp\\alice", "lock", _ts("10:30:00"), None, "0x3e7a1"),
        ("corp\\alice", "unlock", _ts("10:45:00"), None, "0x3e7a1"),
        ("corp\\bob", "logon", _ts("11:00:00"), "10", "0x5b2c0"),
        ("corp\\bob", "disconnect", _ts("11:40:00"), None, "0x5b2c0"),
        ("corp\\bob", "reconnect", _ts("12:10:00"), None, "0x5b2c0"),
        ("corp\\alice", "logoff", _ts("12:30:00"), None, "0x3e7a1"),
        ("corp\\alice", "logoff", _ts("12:30:02"), "2", "0x3e7a1"),
        ("corp\\bob", "logoff", _ts("13:15:00"), "10", "0x5b2c0"),
        ("corp\\carol", "logon", _ts("13:20:00"), "2", "0x6c3d0"),
    ]
    # ids come from (host, EventRecordID, EventID), so the record number survived the round trip
    kept = [r for r in DAY_LOG if r[0] in (2, 5, 6, 7, 8, 9, 10, 11, 12, 13)]
    assert [e.event_id for e in events] == [
        event_id("windows", HOST.lower(), rid, code) for rid, code, _, _ in kept
    ]
    assert {e.host for e in events} == {HOST}
    alice, bob = events[0], events[3]
    assert (alice.ip, alice.device, alice.client_app, alice.interactive) == (
        None,  # loopback is no address
        "WS-01",
        None,
        True,
    )
    assert (bob.ip, bob.device, bob.client_app) == ("10.1.9.7", "BOB-LAPTOP", "rdp")
    assert (events[5].ip, events[5].client_app) == ("10.1.9.8", "rdp")


def test_filters_apply_to_evtx(day_evtx: Path) -> None:
    opts = ParseOptions(include_machine_accounts=True, include_network_logons=True)
    events = [e for e in parse_file("windows", day_evtx, opts) if isinstance(e, LoginEvent)]
    assert len(events) == 12
    assert ("corp\\ws-01$", "5") in {(e.user, e.logon_type) for e in events}
    network = [e for e in events if e.logon_type == "3"]
    assert [(e.user, e.ip, e.interactive) for e in network] == [("corp\\alice", "10.1.2.50", False)]


def test_import_evtx_rebuilds_sessions(day_evtx: Path) -> None:
    db, ingestor, summary = _import(day_evtx)
    assert (summary.events_read, summary.new_events, summary.quarantined) == (10, 10, 0)
    assert (summary.users, summary.sessions) == (3, 3)
    assert db["quarantine"].count == 0
    rows = {r["user"]: r for r in db.query("select * from sessions order by start_ts")}
    assert set(rows) == {"corp\\alice", "corp\\bob", "corp\\carol"}

    alice = rows["corp\\alice"]
    # the 4647 ends the session; the 4634 two seconds later is the same logoff reported twice
    assert (alice["start_ts"], alice["end_ts"], alice["end_reason"], alice["logon_type"]) == (
        _ts("08:58:10"),
        _ts("12:30:00"),
        "logoff",
        "2",
    )
    assert json.loads(alice["active_spans"]) == [
        [_ts("08:58:10"), _ts("10:30:00")],
        [_ts("10:45:00"), _ts("12:30:00")],
    ]
    assert alice["person_id"] == ingestor.person_for_login("corp\\alice")

    bob = rows["corp\\bob"]
    assert (bob["start_ts"], bob["end_ts"], bob["end_reason"], bob["logon_type"]) == (
        _ts("11:00:00"),
        _ts("13:15:00"),
        "logoff",
        "10",
    )
    assert bob["active_seconds"] == 40 * 60 + 65 * 60  # disconnected 11:40-12:10 is left out
    assert json.loads(bob["ips"]) == ["10.1.9.7", "10.1.9.8"]
    assert json.loads(bob["client_apps"]) == ["rdp"]

    carol = rows["corp\\carol"]
    assert (carol["start_ts"], carol["end_ts"], carol["end_reason"]) == (
        _ts("13:20:00"),
        None,
        "open",
    )

    again = import_login_files(db, ingestor, "windows", [day_evtx], LoginImportOptions())
    assert (again.new_events, again.duplicates, db["sessions"].count) == (0, 10, 3)


def _long_log(n_pairs: int) -> list[dict[str, Any]]:
    # enough logon/logoff pairs to fill several 64 KiB chunks
    log: list[tuple[int, int, str, dict[str, str]]] = []
    for i in range(n_pairs):
        user, key = f"user{i:03d}", hex(0x10000 + i)
        start = f"{8 + i // 60:02d}:{i % 60:02d}:00"
        end = f"{8 + i // 60:02d}:{i % 60:02d}:30"
        log.append((2 * i + 1, 4624, start, _logon(user, key, "2", "127.0.0.1", "WS-01")))
        log.append((2 * i + 2, 4634, end, _target(user, key, LogonType="2")))
    return _records(log)


def _chunk_last_record_id(data: bytes, chunk: int) -> int:
    # the chunk header's "last event record identifier" (offset 32)
    return int(struct.unpack_from("<Q", data, FILE_HEADER_SIZE + chunk * CHUNK_SIZE + 32)[0])


def test_truncated_evtx_keeps_every_complete_chunk(tmp_path: Path) -> None:
    full = tmp_path / "full.evtx"
    write_evtx(full, _long_log(60))
    data = full.read_bytes()
    assert (len(data) - FILE_HEADER_SIZE) // CHUNK_SIZE >= 3
    # cut the copy in the middle of the second chunk's records (as a copy of a live log can be)
    cut = tmp_path / "cut.evtx"
    cut.write_bytes(data[: FILE_HEADER_SIZE + CHUNK_SIZE + CHUNK_HEADER_SIZE + 20_000])
    in_first_chunk = _chunk_last_record_id(data, 0)
    assert 0 < in_first_chunk < 120

    db, _, summary = _import(cut)
    # the parser skips an incomplete chunk as a whole: the first chunk's records all arrive
    assert summary.events_read == in_first_chunk
    pairs = (in_first_chunk + 1) // 2  # a logon whose logoff fell behind the cut is one too
    assert summary.sessions == pairs == db["sessions"].count
    ends = {r["end_reason"] for r in db.query("select end_reason from sessions")}
    assert ends <= {"logoff", "open"}  # a pair split by the chunk boundary leaves an open logon


def test_truncated_evtx_leaves_a_trace(tmp_path: Path) -> None:
    full = tmp_path / "full.evtx"
    write_evtx(full, _long_log(60))
    cut = tmp_path / "cut.evtx"
    cut.write_bytes(full.read_bytes()[: FILE_HEADER_SIZE + CHUNK_SIZE + CHUNK_HEADER_SIZE + 20_000])
    _, _, summary = _import(cut)
    # the records of the cut chunk cannot be read, but the loss is recorded, not silent
    assert summary.quarantined >= 1


def test_corrupt_record_is_quarantined_and_its_neighbours_kept(day_evtx: Path) -> None:
    data = bytearray(day_evtx.read_bytes())
    # record 2 (alice's logon) starts right after record 1; break its first Binary XML token
    first_size = int(struct.unpack_from("<I", data, FILE_HEADER_SIZE + CHUNK_HEADER_SIZE + 4)[0])
    second = FILE_HEADER_SIZE + CHUNK_HEADER_SIZE + first_size
    assert data[second : second + 4] == b"**\0\0"
    data[second + 24] = 0xEE  # not a token
    day_evtx.write_bytes(bytes(data))

    db, _, summary = _import(day_evtx)
    assert (summary.events_read, summary.quarantined) == (9, 1)
    [q] = db.query("select file, line, reason from quarantine")
    assert q["file"] == str(day_evtx.resolve()) and q["line"] == 2
    assert q["reason"].startswith("unreadable evtx record:")
    # without its logon, alice's session starts at her first surviving event, the lock
    alice = next(db.query("select * from sessions where user = 'corp\\alice'"))
    assert (alice["start_ts"], alice["end_reason"]) == (_ts("10:30:00"), "logoff")
