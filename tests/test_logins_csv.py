"""Generic login CSV and JSON lines: mappings, quarantine, and garbage never costing a good row."""

from __future__ import annotations

import json
import string
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from commsignal.models import LoginEvent, Quarantined
from connectors.logins import LoginFormatError, NaiveTimestampError, ParseOptions, parse_file

HEADER = "user,timestamp,event,ip,device,client_app,session_id\n"
EVENTS = ["logon", "logoff", "lock", "unlock", "disconnect", "reconnect", "signin"]


def test_generic_csv_and_quarantine(tmp_path: Path) -> None:
    path = tmp_path / "logins.csv"
    path.write_text(
        HEADER
        + "ann@corp.com,2024-05-01T08:00:00+02:00,logon,10.0.0.1,PC1,rdp,s1\n"
        + "\n"
        + "ann@corp.com,yesterday,logoff,,,,\n"
        + ",2024-05-01T09:00:00Z,logoff,,,,\n"
        + "ann@corp.com,2024-05-01T09:00:00Z,teleport,,,,\n"
        + "too,few\n"
        + "ann@corp.com,2024-05-01T16:00:00Z,logoff,10.0.0.1,PC1,rdp"
    )
    out = list(parse_file("csv", path))
    good = [e for e in out if isinstance(e, LoginEvent)]
    bad = [q for q in out if isinstance(q, Quarantined)]
    assert len(good) == 1 and good[0].ts == datetime(2024, 5, 1, 6, tzinfo=UTC).timestamp()
    assert (good[0].session_key, good[0].device, good[0].client_app) == ("s1", "PC1", "rdp")
    assert [(q.file, q.line, q.reason) for q in bad] == [
        (str(path), 4, "bad timestamp 'yesterday'"),
        (str(path), 5, "missing user"),
        (str(path), 6, "unknown event 'teleport'"),
        (str(path), 7, "expected 7 columns, got 2"),
        (str(path), 8, "truncated last line"),
    ]


def test_column_and_event_maps(tmp_path: Path) -> None:
    path = tmp_path / "vpn.csv"
    path.write_text(
        'Time,Username,Action,Source IP\n2024-05-01 08:00:00,"Ann, B",Connected,1.2.3.4\n'
    )
    opts = ParseOptions(
        timezone="Europe/Berlin",
        column_map={"user": "Username", "timestamp": "Time", "event": "Action", "ip": "Source IP"},
        event_map={"connected": "logon"},
    )
    [ev] = parse_file("csv", path, opts)
    assert isinstance(ev, LoginEvent)
    assert (ev.user, ev.event, ev.ip) == ("Ann, B", "logon", "1.2.3.4")
    assert ev.ts == datetime(2024, 5, 1, 6, tzinfo=UTC).timestamp()
    odd = tmp_path / "odd.csv"
    odd.write_text("Who,When,What\nann,2024-05-01T08:00:00Z,logon\n")
    with pytest.raises(LoginFormatError, match="--column user=HEADER"):
        list(parse_file("csv", odd))


def test_naive_csv_timestamp_without_zone_names_the_option(tmp_path: Path) -> None:
    path = tmp_path / "naive.csv"
    path.write_text(HEADER + "ann,2024-05-01 08:00:00,logon,,,,\n")
    with pytest.raises(NaiveTimestampError) as info:
        list(parse_file("csv", path))
    assert str(path) in str(info.value) and "--timezone" in str(info.value)


def test_same_event_in_two_files_has_one_id(tmp_path: Path) -> None:
    a, b = tmp_path / "a.csv", tmp_path / "b.csv"
    a.write_text(HEADER + "ann,2024-05-01T08:00:00Z,logon,1.1.1.1,PC,,s\n")
    b.write_text(HEADER + "ann,2024-05-01T10:00:00+02:00,logon,1.1.1.1,PC,,s\n")
    [ea], [eb] = list(parse_file("csv", a)), list(parse_file("csv", b))
    assert isinstance(ea, LoginEvent) and isinstance(eb, LoginEvent)
    assert ea.event_id == eb.event_id and ea.event_id.startswith("csv:")


_users = st.text(string.ascii_lowercase, min_size=1, max_size=8).map(lambda u: u + "@corp.com")
_good = st.tuples(_users, st.integers(1_500_000_000, 1_900_000_000), st.sampled_from(EVENTS))
_garbage = st.text(
    alphabet=st.characters(blacklist_categories=["Cs"], blacklist_characters="\n\r"), max_size=60
)
_rows = st.lists(st.one_of(_good, _garbage), min_size=1, max_size=40)


def _iso(ts: int) -> str:
    return datetime.fromtimestamp(ts, UTC).isoformat()


def _check(
    out: list[LoginEvent | Quarantined],
    good: dict[int, tuple[str, int, str]],
    garbage: dict[int, str],
) -> None:
    events = [e for e in out if isinstance(e, LoginEvent)]
    bad = [q for q in out if isinstance(q, Quarantined)]
    nonblank = {n for n, g in garbage.items() if g.strip()}
    # every good row comes out as its event, every non-blank garbage line as exactly one output
    got = {(e.user, e.ts, e.event) for e in events}
    assert {(u, float(t), ev) for u, t, ev in good.values()} <= got
    assert {q.line for q in bad} <= nonblank
    assert len(events) + len(bad) == len(good) + len(nonblank)
    assert all(q.reason and q.file for q in bad)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(rows=_rows)
def test_csv_garbage_never_costs_a_good_row(tmp_path: Path, rows: list[object]) -> None:
    lines = [HEADER.rstrip("\n")]
    good: dict[int, tuple[str, int, str]] = {}
    garbage: dict[int, str] = {}
    for row in rows:
        n = len(lines) + 1
        if isinstance(row, tuple):
            user, ts, event = row
            lines.append(f"{user},{_iso(ts)},{event},10.0.0.1,PC,,")
            good[n] = row
        else:
            lines.append(str(row))
            garbage[n] = str(row)
    path = tmp_path / "fuzz.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    _check(list(parse_file("csv", path, ParseOptions(timezone="UTC"))), good, garbage)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(rows=_rows)
def test_json_lines_garbage_never_costs_a_good_row(tmp_path: Path, rows: list[object]) -> None:
    lines: list[str] = []
    good: dict[int, tuple[str, int, str]] = {}
    garbage: dict[int, str] = {}
    for row in rows:
        n = len(lines) + 1
        if isinstance(row, tuple):
            user, ts, _ = row
            rec = {"id": f"{n}-{user}", "userPrincipalName": user, "createdDateTime": _iso(ts)}
            lines.append(json.dumps(rec))
            good[n] = (user, ts, "signin")
        else:
            lines.append(str(row))
            garbage[n] = str(row)
    path = tmp_path / "fuzz.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    _check(list(parse_file("entra", path, ParseOptions(timezone="UTC"))), good, garbage)
