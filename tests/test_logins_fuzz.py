"""Hypothesis over every login format and shape: encodings, injected junk lines, truncation, random bytes.

Whatever the input: never a traceback (at most a short LoginFormatError for a file that is not
the format asked for), every good row next to a broken one still stored, and the import's counts
add up (read = new + already stored + skipped + quarantined, and the store agrees).
"""

from __future__ import annotations

import codecs
import json
import string
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from commsignal.ingest import Ingestor
from commsignal.privacy import Pseudonymizer
from commsignal.sources.logins import LoginImportOptions, import_login_files
from commsignal.store import open_db
from connectors.logins import LoginFormatError

Record = tuple[str, int]  # (user, epoch seconds)


def _iso(ts: int) -> str:
    return datetime.fromtimestamp(ts, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _generic_csv(recs: list[Record]) -> tuple[str, list[str]]:
    return "user,timestamp,event,ip\n", [f"{u},{_iso(t)},logon,10.0.0.1\n" for u, t in recs]


def _entra_csv(recs: list[Record]) -> tuple[str, list[str]]:
    head = "Date (UTC),Request ID,User,Username,IP address,Location,Status\n"
    return head, [
        f'{_iso(t)},r-{i}-{t},"{u}, X",{u},198.51.100.{i % 250},"Pune, MH, IN",Success\n'
        for i, (u, t) in enumerate(recs)
    ]


def _okta_csv(recs: list[Record]) -> tuple[str, list[str]]:
    head = "uuid,published,eventType,actor.alternateId,client.ipAddress,outcome.result\n"
    return head, [
        f"u-{i}-{t},{_iso(t)},user.authentication.sso,{u},192.0.2.1,SUCCESS\n"
        for i, (u, t) in enumerate(recs)
    ]


def _json_lines(make: Callable[[int, str, int], dict[str, object]]) -> Callable[..., object]:
    def write(recs: list[Record]) -> tuple[str, list[str]]:
        return "", [json.dumps(make(i, u, t)) + "\n" for i, (u, t) in enumerate(recs)]

    return write


_okta = _json_lines(
    lambda i, u, t: {
        "uuid": f"u{i}-{t}",
        "published": _iso(t),
        "eventType": "user.session.start",
        "actor": {"alternateId": u},
        "outcome": {"result": "SUCCESS"},
    }
)
_entra = _json_lines(
    lambda i, u, t: {"id": f"e{i}-{t}", "userPrincipalName": u, "createdDateTime": _iso(t)}
)
_slack = _json_lines(
    lambda i, u, t: {
        "id": f"a{i}-{t}",
        "action": "user_login",
        "date_create": t,
        "actor": {"user": {"id": f"W{i}", "email": u}},
        "context": {"ip_address": "203.0.113.9"},
    }
)
_nxlog = _json_lines(
    lambda i, u, t: {
        "EventID": 4624,
        "Hostname": "PC-1",
        "RecordNumber": 1000 + i,
        "EventTime": _iso(t),
        "TargetUserName": u.split("@")[0],
        "TargetLogonId": f"0x{i:x}",
        "LogonType": "2",
    }
)


def _wevtutil(recs: list[Record]) -> tuple[str, list[str]]:
    return "", [
        "<Event xmlns='http://schemas.microsoft.com/win/2004/08/events/event'><System>"
        f"<EventID>4624</EventID><TimeCreated SystemTime='{_iso(t)}'/>"
        f"<EventRecordID>{1000 + i}</EventRecordID><Computer>PC-1</Computer></System><EventData>"
        f"<Data Name='TargetUserName'>{u.split('@')[0]}</Data>"
        f"<Data Name='TargetLogonId'>0x{i:x}</Data><Data Name='LogonType'>2</Data>"
        "</EventData></Event>\n"
        for i, (u, t) in enumerate(recs)
    ]


def _get_winevent(recs: list[Record]) -> tuple[str, list[str]]:
    # a pretty-printed JSON array; the closing bracket is the last "record" so truncation cuts it
    items = []
    for i, (u, t) in enumerate(recs):
        props = [{"Value": v} for v in ("S-1-5-18", "PC$", "D", "0x3e7", "S-1-5-21-1")]
        props += [{"Value": u.split("@")[0]}, {"Value": "D"}, {"Value": f"0x{i:x}"}, {"Value": 2}]
        rec = {
            "Id": 4624,
            "RecordId": 1000 + i,
            "MachineName": "PC-1",
            "TimeCreated": f"/Date({t * 1000})/",
            "Properties": props,
        }
        items.append(("    " if not i else ",\n    ") + json.dumps(rec).replace("/Date", "\\/Date"))
    return "[\n", items


def _export_csv(recs: list[Record]) -> tuple[str, list[str]]:
    # Export-Csv: every cell quoted, the Message cell spans lines, ISO times (PowerShell 7 style)
    head = '#TYPE System.Diagnostics.Eventing.Reader.EventLogRecord\n"Message","Id","RecordId",'
    head += '"MachineName","TimeCreated"\n'
    return head, [
        f'"An account was successfully logged on.\r\n\r\nNew Logon:\r\n\tAccount Name:\t\t'
        f"{u.split('@')[0]}\r\n\tLogon ID:\t\t0x{i:x}\r\n\r\nLogon Information:\r\n"
        f'\tLogon Type:\t\t2","4624","{1000 + i}","PC-1","{_iso(t)}"\n'
        for i, (u, t) in enumerate(recs)
    ]


# (format, writer, which user name a stored event carries: the address (None) or its local part
# after this domain prefix, junk lines keep neighbours)
SHAPES: dict[str, tuple[str, Callable[..., object], str | None, bool]] = {
    "csv": ("csv", _generic_csv, None, True),
    "entra-csv": ("entra", _entra_csv, None, True),
    "okta-csv": ("okta", _okta_csv, None, True),
    "okta-ndjson": ("okta", _okta, None, True),
    "entra-ndjson": ("entra", _entra, None, True),
    "slack-audit": ("slack-audit", _slack, None, True),
    "windows-nxlog": ("windows", _nxlog, "", True),
    "windows-xml": ("windows", _wevtutil, "", True),
    "windows-get-winevent": ("windows", _get_winevent, "d\\", False),  # TargetDomainName "D"
    "windows-export-csv": ("windows", _export_csv, "", False),
}
ENCODINGS = ("utf-8", "utf-8-sig", "utf-16", "utf-16-be-bom")

# "null" is a placeholder many logs write for "no value", so it is not a user name here, and
# Windows' own "system" account is skipped by design (SYSTEM_ACCOUNTS), so no shape may expect it
_users = (
    st.text(string.ascii_lowercase, min_size=1, max_size=6)
    .filter(lambda u: u not in ("null", "system"))
    .map(lambda u: u + "@corp.example")
)
_records = st.lists(
    st.tuples(_users, st.integers(1_600_000_000, 1_900_000_000)), min_size=1, max_size=12
)
_junk = st.text(
    alphabet=st.characters(blacklist_categories=["Cs"], blacklist_characters="\n\r\x00"),
    min_size=1,
    max_size=50,
)


def _encode(text: str, encoding: str) -> bytes:
    if encoding == "utf-16-be-bom":
        return codecs.BOM_UTF16_BE + text.encode("utf-16-be")
    return text.encode(encoding)


def _import(path: Path, fmt: str) -> tuple[object, int, int, set[tuple[str, float]]]:
    db = open_db(None)
    ingestor = Ingestor(db, Pseudonymizer(b"k"), None)
    summary = import_login_files(db, ingestor, fmt, [path], LoginImportOptions(timezone="UTC"))
    assert summary.adds_up(), summary.as_dict()
    stored = {(r["user"], r["ts"]) for r in db.query("select user, ts from login_events")}
    assert db["login_events"].count == summary.new_events
    assert db["quarantine"].count == summary.new_quarantined == summary.quarantined
    return summary, summary.rows_read, summary.quarantined, stored


def _expected(recs: list[Record], short_user: str | None) -> set[tuple[str, float]]:
    return {(u if short_user is None else short_user + u.split("@")[0], float(t)) for u, t in recs}


@pytest.mark.parametrize("shape", sorted(SHAPES))
@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    recs=_records,
    junk=st.lists(st.tuples(st.integers(0, 20), _junk), max_size=4),
    encoding=st.sampled_from(ENCODINGS),
)
def test_junk_lines_never_cost_a_good_row(
    tmp_path: Path, shape: str, recs: list[Record], junk: list[tuple[int, str]], encoding: str
) -> None:
    fmt, writer, short_user, keeps_neighbours = SHAPES[shape]
    # In CSV an odd number of quotes opens a field that runs over line ends until the next quote
    # (Export-Csv writes multi-line Message fields that way), so such a junk line may rightly
    # swallow the rows after it: by CSV's own grammar that is not junk beside a row.
    assume(not ("csv" in shape and any(t.count('"') % 2 for _, t in junk)))
    head, lines = writer(recs)  # type: ignore[misc]
    if keeps_neighbours:
        for pos, text in junk:
            lines.insert(pos % (len(lines) + 1), text + "\n")
    footer = "\n]\n" if shape == "windows-get-winevent" else ""
    path = tmp_path / f"{shape}.log"
    path.write_bytes(_encode(head + "".join(lines) + footer, encoding))
    _summary, _read, _bad, stored = _import(path, fmt)
    assert _expected(recs, short_user) <= stored


@pytest.mark.parametrize("shape", sorted(SHAPES))
@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(recs=_records, cut=st.floats(0.0, 1.0), encoding=st.sampled_from(ENCODINGS))
def test_truncation_keeps_every_complete_record(
    tmp_path: Path, shape: str, recs: list[Record], cut: float, encoding: str
) -> None:
    fmt, writer, short_user, _ = SHAPES[shape]
    head, lines = writer(recs)  # type: ignore[misc]
    data = _encode(head + "".join(lines), encoding)
    n = int(len(data) * cut)
    path = tmp_path / f"{shape}.log"
    path.write_bytes(data[:n])
    complete = [
        r for i, r in enumerate(recs) if len(_encode(head + "".join(lines[: i + 1]), encoding)) <= n
    ]
    try:
        _summary, _read, _bad, stored = _import(path, fmt)
    except LoginFormatError as exc:
        # only a cut inside the header may make the file unrecognisable, and the message is short
        assert not complete and len(str(exc)) < 500
        return
    assert _expected(complete, short_user) <= stored


@pytest.mark.parametrize("fmt", ["csv", "entra", "okta", "slack-audit", "windows"])
@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.binary(max_size=400), encoding=st.sampled_from(("raw", "utf-16")))
def test_random_bytes_never_a_traceback(
    tmp_path: Path, fmt: str, data: bytes, encoding: str
) -> None:
    if encoding == "utf-16":
        data = codecs.BOM_UTF16_LE + data.decode("latin-1").encode("utf-16-le")
    path = tmp_path / "junk.bin"
    path.write_bytes(data)
    try:
        _summary, read, bad, stored = _import(path, fmt)
    except LoginFormatError as exc:
        assert len(str(exc)) < 500
        return
    assert bad <= read


@pytest.mark.parametrize("shape", sorted(SHAPES))
def test_a_huge_line_is_quarantined_and_its_neighbours_kept(tmp_path: Path, shape: str) -> None:
    fmt, writer, short_user, keeps_neighbours = SHAPES[shape]
    recs = [("ann@corp.example", 1_800_000_000), ("bob@corp.example", 1_800_000_600)]
    head, lines = writer(recs)  # type: ignore[misc]
    if not keeps_neighbours:
        pytest.skip("one JSON document: a huge record is a huge document, tested by truncation")
    lines.insert(1, "x" * (1 << 20) + "y" * 1000 + "\n")
    path = tmp_path / f"{shape}.log"
    path.write_text(head + "".join(lines), encoding="utf-8")
    summary, _read, bad, stored = _import(path, fmt)
    assert bad == 1 and _expected(recs, short_user) <= stored
    assert all(len(e) < 400 for e in summary.quarantine_examples)  # type: ignore[attr-defined]


KEYS = [
    "eventType",
    "actor",
    "alternateId",
    "published",
    "client",
    "outcome",
    "result",
    "uuid",
    "authenticationContext",
    "externalSessionId",
    "geographicalContext",
    "userAgent",
    "winlog",
    "event_data",
    "event_id",
    "computer_name",
    "record_id",
    "@timestamp",
    "EventID",
    "Event",
    "System",
    "EventData",
    "TimeCreated",
    "#attributes",
    "SystemTime",
    "Computer",
    "Properties",
    "Value",
    "Id",
    "RecordId",
    "MachineName",
    "Message",
    "TargetUserName",
    "TargetLogonId",
    "LogonType",
    "AccountName",
    "LogonID",
    "EventTime",
    "EventReceivedTime",
    "properties",
    "category",
    "createdDateTime",
    "userPrincipalName",
    "id",
    "status",
    "errorCode",
    "location",
    "deviceDetail",
    "signInEventTypes",
    "isInteractive",
    "time",
    "action",
    "date_create",
    "context",
    "user",
    "email",
    "date_first",
    "date_last",
    "ip",
    "value",
    "entries",
    "log",
    "test",
]
_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(2**63), 2**63),
    st.floats(allow_nan=True),
    st.text(max_size=12),
    st.sampled_from(
        ["4624", "4800", "user.session.start", "user_login", "SignInLogs", "/Date(1)/"]
    ),
)
_json = st.recursive(
    _scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.dictionaries(st.sampled_from(KEYS), inner, max_size=6)
    ),
    max_leaves=25,
)


@pytest.mark.parametrize("fmt", ["entra", "okta", "slack-audit", "windows"])
@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(records=st.lists(st.dictionaries(st.sampled_from(KEYS), _json, max_size=8), max_size=6))
def test_any_json_structure_never_a_traceback(
    tmp_path: Path, fmt: str, records: list[dict[str, object]]
) -> None:
    path = tmp_path / "odd.json"
    path.write_text("\n".join(json.dumps(r) for r in records) + "\n")
    try:
        _import(path, fmt)
    except LoginFormatError as exc:
        assert len(str(exc)) < 500
    path.write_text(json.dumps(records))  # the same as one document
    try:
        _import(path, fmt)
    except LoginFormatError as exc:
        assert len(str(exc)) < 500
