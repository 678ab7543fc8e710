"""Ordinary behaviour stays quiet: locks, VDI, lab PCs, households, labels, private addresses, weeks."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlite_utils import Database

from commsignal.analysis.attended import longest_attended
from commsignal.analysis.features import compute_week
from commsignal.analysis.infra import device_identity, is_egress
from commsignal.analysis.session_store import rebuild_sessions_in_db
from commsignal.cli.main import cli
from commsignal.config import DetectConfig
from commsignal.detect import detect_week, load_rules
from commsignal.detect.evaluate import evaluate_week
from commsignal.ingest import Ingestor
from commsignal.pipeline import latest_complete_week, partial_note
from commsignal.privacy import Pseudonymizer
from commsignal.sources.logins import LoginImportOptions, import_login_files
from commsignal.store import open_db
from commsignal.store.migrations import login_event_key

WEEK = "2026-W47"  # Monday 2026-11-16 .. Sunday 2026-11-22
H = 3600.0


def ts(day: int, hour: float) -> float:
    return datetime(2026, 11, day, tzinfo=UTC).timestamp() + hour * H


def _person(db: Database, pid: str, tz: str = "UTC") -> None:
    db.table("people").insert(
        {"person_id": pid, "email": f"{pid}@example.com", "team": "T", "tz": tz, "country": "US"}
    )


def _ev(db: Database, pid: str, when: float, event: str, **extra: object) -> None:
    event_id = f"{pid}:{when}:{event}:{extra.get('device')}:{extra.get('ip')}"
    row: dict[str, object] = {
        "event_id": event_id,
        "event_key": login_event_key(event_id),
        "source": "csv",
        "user": pid,
        "person_id": pid,
        "ts": when,
        "event": event,
        "success": 1,
    }
    row.update(extra)
    db.table("login_events").insert(row)


def _msg(db: Database, pid: str, when: float) -> None:
    db.table("messages").insert(
        {
            "source": "slack",
            "message_id": f"{pid}:{when}",
            "conversation_id": "C1",
            "account_id": pid,
            "person_id": pid,
            "ts": when,
            "n_tokens": 8,
            "small_talk": 0.1,
            "is_small_talk": 0,
            "is_pleasantry": 0,
            "is_question": 0,
            "mentions": "[]",
            "cues": "[]",
        }
    )


def _detectors(db: Database) -> dict[str, set[str]]:
    features = compute_week(db, WEEK, DetectConfig(hosting_cidrs=["45.86.200.0/22"]), store=True)
    ranked = detect_week(db, WEEK, features, load_rules())
    return {r.person_id: {f.detector for f in r.findings} for r in ranked}


# --- attended time -------------------------------------------------------------------------


def test_weekend_lock_is_not_attended() -> None:
    # logon Friday 09:00, lock 17:30, unlock Monday 09:00, logoff Monday 17:00: 80 h logged on
    start, stop = ts(20, 9), ts(23, 17)
    spans = [(start, ts(20, 17.5)), (ts(23, 9), stop)]
    evidence = [ts(20, h) for h in (10, 12, 15, 17)] + [ts(23, h) for h in (10, 13, 16)]
    att = longest_attended(start, stop, spans, evidence)
    assert att.seconds / H == pytest.approx(8.5)
    assert att.locked_events == 0


def test_logon_logoff_days_apart_without_evidence_is_not_attended() -> None:
    att = longest_attended(ts(16, 9), ts(19, 17), [(ts(16, 9), ts(19, 17))], [])
    assert att.seconds == 0


def test_activity_through_the_nights_is_attended() -> None:
    start, stop = ts(16, 0), ts(19, 0)
    evidence = [ts(16, 0) + k * 2.5 * H for k in range(29)]
    att = longest_attended(start, stop, [(start, stop)], evidence)
    assert att.seconds / H >= 70


def test_activity_while_locked_bridges_the_lock_and_is_counted() -> None:
    start, stop = ts(16, 8), ts(18, 20)
    spans = [(start, ts(16, 18))]  # locked at 18:00 Monday, never unlocked before the logoff
    evidence = [ts(16, 18) + k * H for k in range(1, 51)]
    att = longest_attended(start, stop, spans, evidence)
    assert att.seconds / H >= 50 and att.locked_events >= 40 and att.locked_seconds > 40 * H


def test_phone_messages_in_the_evening_do_not_bridge_a_night_lock() -> None:
    start, stop = ts(16, 9), ts(17, 17)
    spans = [(start, ts(16, 17.5)), (ts(17, 9), stop)]
    evidence = [ts(16, 12), ts(16, 20), ts(16, 22.5), ts(17, 10)]
    assert longest_attended(start, stop, spans, evidence).seconds / H < 14


def test_lockers_and_vdi_disconnects_are_no_marathon_but_shifts_are() -> None:
    db = open_db(None)
    for pid in ("p-locker", "p-vdi", "p-shift"):
        _person(db, pid)
    # the locker: logon Friday of the week before, lock every evening, never a logoff
    _ev(db, "p-locker", ts(13, 9), "logon", session_key="L1", device="WS-1")
    for day in (13, 16, 17, 18, 19, 20):
        if day != 13:
            _ev(db, "p-locker", ts(day, 9), "unlock", session_key="L1", device="WS-1")
        for h in (10, 12, 14, 16):
            _msg(db, "p-locker", ts(day, h))
        _ev(db, "p-locker", ts(day, 17.5), "lock", session_key="L1", device="WS-1")
    # the VDI user: one RDP session disconnected every evening and reconnected every morning
    _ev(db, "p-vdi", ts(16, 8), "logon", session_key="V1", device="VDI-POOL-01")
    for day in (16, 17, 18, 19):
        if day != 16:
            _ev(db, "p-vdi", ts(day, 8), "reconnect", session_key="V1", device="VDI-POOL-01")
        for h in (9, 11, 13, 15):
            _msg(db, "p-vdi", ts(day, h))
        _ev(db, "p-vdi", ts(day, 17), "disconnect", session_key="V1", device="VDI-POOL-01")
    _ev(db, "p-vdi", ts(20, 9), "logoff", session_key="V1", device="VDI-POOL-01")
    # the shift account: one logon, no lock, activity every two hours for four days
    _ev(db, "p-shift", ts(16, 0), "logon", session_key="S1", device="WS-9")
    for k in range(48):
        _msg(db, "p-shift", ts(16, 1) + k * 2 * H)
    rebuild_sessions_in_db(db)
    found = _detectors(db)
    assert "marathon_session" not in found.get("p-locker", set())
    assert "marathon_session" not in found.get("p-vdi", set())
    assert "marathon_session" in found["p-shift"]
    stored = db.execute(
        "select summary from findings where person_id = 'p-shift' and detector = 'marathon_session'"
    ).fetchone()[0]
    assert "Attended for" in stored


# --- devices and egress ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("source", "device", "host", "device_id", "expected"),
    [
        ("entra", "Windows 10 / Chrome 133.0", None, None, None),
        ("m365", "Linux / Firefox 133.0", None, None, None),
        ("okta", "Computer", None, None, None),
        ("csv", "Mobile", None, None, None),
        ("csv", "Ios 17.6.1", None, None, None),
        ("csv", "WS-7f2a", None, None, "WS-7f2a"),
        ("windows", "robertos-mbp", "WORKSTATION5", None, "WORKSTATION5"),
        (
            "entra",
            "Windows 10 / Edge",
            None,
            "6e1f9a2c-0000-4c1e-9d1e-1b2c3d4e5f60",
            "id:6e1f9a2c-0000-4c1e-9d1e-1b2c3d4e5f60",
        ),
        ("entra", "Windows 10 / Edge", None, "00000000-0000-0000-0000-000000000000", None),
    ],
)
def test_device_identity(
    source: str, device: str, host: str | None, device_id: str | None, expected: str | None
) -> None:
    assert device_identity(source, device, host, device_id) == expected


@pytest.mark.parametrize(
    ("ip", "egress"),
    [
        ("10.0.0.5", False),
        ("192.168.1.10", False),
        ("172.20.3.4", False),
        ("100.64.3.2", False),
        ("169.254.10.1", False),
        ("127.0.0.1", False),
        ("::1", False),
        ("fe80::1", False),
        ("not-an-ip", False),
        ("81.2.69.160", True),
        ("172.56.10.20", True),
        ("2a02:c7f:1234::1", True),
    ],
)
def test_egress(ip: str, egress: bool) -> None:
    assert is_egress(ip) is egress


def _day_session(
    db: Database, pid: str, day: int, start_h: float, end_h: float, device: str, ip: str, key: str
) -> None:
    _ev(db, pid, ts(day, start_h), "logon", session_key=key, device=device, ip=ip)
    _ev(db, pid, ts(day, end_h), "logoff", session_key=key, device=device, ip=ip)


def test_ordinary_sharing_is_not_shared_infrastructure() -> None:
    db = open_db(None)
    people = ["p-h1", "p-h2", "p-lab1", "p-lab2", "p-lab3", "p-vdi1", "p-vdi2", "p-lbl1", "p-lbl2"]
    for pid in people:
        _person(db, pid)
    for day in range(16, 21):
        # a household: two laptops, one home address, the same hours
        _day_session(db, "p-h1", day, 9, 17.5, "WS-h1", "81.2.69.160", f"h1{day}")
        _day_session(db, "p-h2", day, 8.5, 17, "WS-h2", "81.2.69.160", f"h2{day}")
        # three people with laptops of their own who take turns on a lab PC
        for k, pid in enumerate(("p-lab1", "p-lab2", "p-lab3")):
            _day_session(db, pid, day, 8, 12, f"WS-lab{k}", f"10.1.0.{k + 2}", f"own{pid}{day}")
            _day_session(db, pid, day, 12 + k, 12.9 + k, "LAB-PC-01", "10.1.0.99", f"lab{pid}{day}")
        # VDI users roaming pooled hosts, disconnecting and reconnecting
        for k, pid in enumerate(("p-vdi1", "p-vdi2")):
            host = f"VDI-POOL-0{(day + k) % 3}"
            _day_session(db, pid, day, 9, 17, host, "10.9.0.4", f"vdi{pid}{day}")
        # two strangers whose sign-in logs carry the same versioned browser label and a
        # private address from the office DHCP pool
        for pid in ("p-lbl1", "p-lbl2"):
            _ev(
                db,
                pid,
                ts(day, 10),
                "signin",
                source="entra",
                device="Linux / Firefox 133.0",
                ip="10.0.0.5",
            )
    rebuild_sessions_in_db(db)
    found = _detectors(db)
    for pid in people:
        assert "shared_infrastructure" not in found.get(pid, set()), pid
        assert "laptop_farm" not in found.get(pid, set()), pid


def test_one_device_handed_over_is_shared_infrastructure() -> None:
    db = open_db(None)
    for pid in ("p-x", "p-y"):
        _person(db, pid)
    for day in range(16, 21):
        _day_session(db, "p-x", day, 6, 10, "WS-farm", "81.2.69.161", f"x{day}")
        _day_session(db, "p-y", day, 10.05, 14, "WS-farm", "81.2.69.161", f"y{day}")
    rebuild_sessions_in_db(db)
    found = _detectors(db)
    assert "shared_infrastructure" in found["p-x"] and "shared_infrastructure" in found["p-y"]


def test_laptop_farm_and_concurrent_account() -> None:
    db = open_db(None)
    farm = ["p-f1", "p-f2", "p-f3"]
    for pid in farm + ["p-c", "p-office1", "p-office2", "p-office3"]:
        _person(db, pid)
    for day in range(16, 21):
        for k, pid in enumerate(farm):
            _day_session(db, pid, day, 1, 9, f"WS-f{k}", f"192.168.1.{20 + k}", f"{pid}{day}")
            _ev(
                db,
                pid,
                ts(day, 2),
                "signin",
                source="entra",
                ip="73.41.200.17",
                client_app="AnyDesk",
            )
        # a small office: three own laptops behind one address, ordinary browsers
        for k, pid in enumerate(("p-office1", "p-office2", "p-office3")):
            _day_session(db, pid, day, 9, 17, f"WS-o{k}", "10.2.0.9", f"{pid}{day}")
            _ev(
                db, pid, ts(day, 10), "signin", source="entra", ip="70.26.8.9", client_app="Browser"
            )
        # one account in the US and China within two hours, every day
        for h, ip, country in (
            (14, "24.1.2.3", "US"),
            (14.5, "123.184.9.9", "CN"),
            (15.5, "24.1.2.3", "US"),
        ):
            _ev(db, "p-c", ts(day, h), "signin", source="entra", ip=ip, country=country)
    rebuild_sessions_in_db(db)
    found = _detectors(db)
    for pid in farm:
        assert "laptop_farm" in found[pid]
    for pid in ("p-office1", "p-office2", "p-office3"):
        assert "laptop_farm" not in found.get(pid, set())
    assert "concurrent_account" in found["p-c"]


# --- evidence across weeks ------------------------------------------------------------------


def test_one_on_call_week_after_ordinary_weeks_stays_low() -> None:
    rules = {r.id: r for r in load_rules()}
    from commsignal.detect import evaluate_rule
    from commsignal.detect.scoring import Weighted, composite

    base = {"regular_hours": 19, "activity_events": 300}
    fresh = evaluate_rule(rules["round_the_clock"], base)
    odd = evaluate_rule(
        rules["round_the_clock"], {**base, "history_weeks": 3, "history_rtc_weeks": 0}
    )
    assert fresh is not None and odd is not None and odd.score < fresh.score
    assert composite([Weighted(odd.score, rules["round_the_clock"].weight, True)]) < 40
    assert "earlier weeks" in odd.summary


def test_off_timezone_says_what_would_raise_or_lower_it() -> None:
    rules = {r.id: r for r in load_rules()}
    from commsignal.detect import evaluate_rule

    f = {
        "offset_diff_h": 10.0,
        "fit_offset_h": 8,
        "fit_share": 0.9,
        "declared_share": 0.1,
        "declared_tz": "America/Chicago",
        "declared_offset_h": -6.0,
        "activity_events": 200,
    }
    steady = evaluate_rule(rules["off_timezone"], {**f, "history_weeks": 3, "history_off_weeks": 3})
    odd = evaluate_rule(rules["off_timezone"], {**f, "history_weeks": 3, "history_off_weeks": 0})
    assert steady is not None and odd is not None and odd.score < steady.score
    assert "would raise" in steady.summary and "would lower" in steady.summary


# --- which week a digest covers -------------------------------------------------------------


def test_latest_complete_week() -> None:
    db = open_db(None)
    _person(db, "p-1")
    _msg(db, "p-1", ts(23, 6))  # Monday 06:00 of W48: a few hours of the new week
    monday_morning = ts(23, 7)
    assert latest_complete_week(db, "UTC", now=monday_morning) == WEEK
    # data that stops earlier: its own (complete) week
    assert latest_complete_week(db, "UTC", now=ts(23, 7) + 30 * 86400) == "2026-W48"
    old = open_db(None)
    _msg(old, "p-1", ts(4, 12))
    assert latest_complete_week(old, "UTC", now=monday_morning) == "2026-W45"
    assert partial_note("2026-W48", "UTC", now=monday_morning) is not None
    assert partial_note(WEEK, "UTC", now=monday_morning) is None


# --- evaluate -------------------------------------------------------------------------------


def _finding(db: Database, pid: str, detector: str, score: float) -> None:
    db.table("findings").insert(
        {
            "week": WEEK,
            "person_id": pid,
            "detector": detector,
            "rule_version": 1,
            "strength": "strong",
            "score": score,
            "summary": "x.",
            "evidence": "{}",
            "created_at": 0.0,
        }
    )


def test_evaluate_counts_planted_confounders_and_ordinary(tmp_path: Path) -> None:
    db_path = tmp_path / "e.db"
    db = open_db(db_path)
    for i in range(10):
        _person(db, f"p-{i}")
        db.table("person_weeks").insert({"person_id": f"p-{i}", "week": WEEK, "features": "{}"})
    _finding(db, "p-0", "marathon_session", 1.0)  # planted: 90, high
    _finding(db, "p-1", "off_timezone", 1.0)  # confounder: 55, medium
    _finding(db, "p-2", "shared_infrastructure", 0.6)  # ordinary: 51, medium
    truth = {
        "planted": {"p-0@example.com": "shift_account"},
        "confounders": {"p-1@example.com": "night_sre"},
        "may_be_medium": ["p-1@example.com"],
    }
    ev = evaluate_week(db, truth, WEEK, load_rules())
    assert ev.planted[0]["rank"] == 1 and ev.planted[0]["level"] == "high"
    assert ev.precision_at_k == 1.0
    assert ev.ordinary == 8 and len(ev.ordinary_flagged) == 1
    assert ev.checks["planted_above_confounders"] and not ev.checks["ordinary_share_ok"]
    assert ev.checks["confounders_medium_only_if_allowed"]
    truth_file = tmp_path / "truth.json"
    truth_file.write_text(json.dumps(truth))
    res = CliRunner().invoke(
        cli,
        ["--db", str(db_path), "evaluate", "--truth", str(truth_file), "--week", WEEK, "--json"],
    )
    assert res.exit_code == 0, res.output
    out = json.loads(res.output)
    assert out["ordinary_at_medium_or_above"] == 1 and out["ok"] is False
    table = CliRunner().invoke(
        cli, ["--db", str(db_path), "evaluate", "--truth", str(truth_file), "--week", WEEK]
    )
    assert "precision@1: 1.00" in table.output and "FAIL  ordinary_share_ok" in table.output
    missing = CliRunner().invoke(
        cli, ["--db", str(db_path), "evaluate", "--truth", str(truth_file), "--week", "2026-W40"]
    )
    assert missing.exit_code != 0 and "commsignal digest --week 2026-W40" in missing.output


# --- real logs ------------------------------------------------------------------------------


def test_real_logs_give_no_marathon_or_shared_finding(shared_data: Path) -> None:
    db = open_db(None)
    ingestor = Ingestor(db, Pseudonymizer(b"test"), None)
    logins = shared_data / "logins"
    opts = LoginImportOptions(timezone="UTC")
    import_login_files(
        db,
        ingestor,
        "windows",
        [logins / "otrf_windows_logon_lock_events.jsonl"],
        LoginImportOptions(),
    )
    import_login_files(db, ingestor, "okta", [logins / "panther_session_fixtures.json"], opts)
    import_login_files(db, ingestor, "entra", [logins / "panther_session_fixtures.json"], opts)
    import_login_files(db, ingestor, "entra", [shared_data / "msgraph" / "signins_list.json"], opts)
    rebuild_sessions_in_db(db)
    weeks = sorted(
        {
            datetime.fromtimestamp(r[0], UTC).strftime("%G-W%V")
            for r in db.execute("select ts from login_events").fetchall()
        }
    )
    assert len(weeks) >= 2
    rules = load_rules()
    fired: set[str] = set()
    for week in weeks:
        features = compute_week(db, week, DetectConfig(), store=False)
        for r in detect_week(db, week, features, rules, store=False):
            fired |= {f.detector for f in r.findings}
    assert not fired & {"marathon_session", "shared_infrastructure", "laptop_farm"}


def test_overlapping_sessions_in_two_countries_and_the_traveller() -> None:
    db = open_db(None)
    for pid in ("p-two", "p-trav"):
        _person(db, pid)
    for day in range(16, 20):
        # Okta-style sessions: opened and closed in the US, and at the same hours in Korea
        _ev(
            db,
            "p-two",
            ts(day, 13),
            "logon",
            source="okta",
            session_key=f"us{day}",
            country="US",
            ip="24.1.2.3",
        )
        _ev(
            db,
            "p-two",
            ts(day, 21),
            "logoff",
            source="okta",
            session_key=f"us{day}",
            country="US",
            ip="24.1.2.3",
        )
        _ev(
            db,
            "p-two",
            ts(day, 14),
            "logon",
            source="okta",
            session_key=f"kr{day}",
            country="KR",
            ip="211.234.5.6",
        )
        _ev(
            db,
            "p-two",
            ts(day, 20),
            "logoff",
            source="okta",
            session_key=f"kr{day}",
            country="KR",
            ip="211.234.5.6",
        )
    # a traveller: desktop session left open at home on Monday, then a week of work in London
    _ev(db, "p-trav", ts(16, 9), "logon", session_key="home", device="WS-t", ip="10.0.0.7")
    _ev(db, "p-trav", ts(16, 9.5), "signin", source="entra", country="US", ip="24.9.9.9")
    for day in range(17, 21):
        _ev(db, "p-trav", ts(day, 9), "logon", session_key=f"gb{day}", device="LT-t", ip="10.1.1.1")
        _ev(db, "p-trav", ts(day, 10), "signin", source="entra", country="GB", ip="81.2.69.5")
        _ev(
            db,
            "p-trav",
            ts(day, 17),
            "logoff",
            session_key=f"gb{day}",
            device="LT-t",
            ip="10.1.1.1",
        )
    rebuild_sessions_in_db(db)
    found = _detectors(db)
    assert "concurrent_account" in found["p-two"]
    assert "concurrent_account" not in found.get("p-trav", set())


def test_pooled_host_met_now_and_then_and_household_on_shifts_stay_below_medium() -> None:
    db = open_db(None)
    for pid in ("p-v1", "p-v2", "p-day", "p-eve"):
        _person(db, pid)
    # two people with no other machine in the logs who got the same pooled host on two days
    for day in (16, 17):
        _day_session(db, "p-v1", day, 8, 12, "VDI-POOL-05", "10.9.0.4", f"v1{day}")
        _day_session(db, "p-v2", day, 12.2, 17, "VDI-POOL-05", "10.9.0.5", f"v2{day}")
    for day in (18, 19, 20):
        _day_session(db, "p-v1", day, 8, 12, f"VDI-POOL-0{day - 17}", "10.9.0.4", f"v1{day}")
        _day_session(db, "p-v2", day, 12.2, 17, "VDI-POOL-09", "10.9.0.5", f"v2{day}")
    # a couple on day and evening shifts: own laptops, one home address, taking turns
    for day in range(16, 21):
        _day_session(db, "p-day", day, 8, 16, "WS-day", "81.2.69.170", f"d{day}")
        _day_session(db, "p-eve", day, 16.3, 23, "WS-eve", "81.2.69.170", f"e{day}")
    rebuild_sessions_in_db(db)
    features = compute_week(db, WEEK, DetectConfig(), store=False)
    ranked = {r.person_id: r for r in detect_week(db, WEEK, features, load_rules(), store=False)}
    for pid in ("p-v1", "p-v2"):
        assert pid not in ranked or "shared_infrastructure" not in {
            f.detector for f in ranked[pid].findings
        }
    for pid in ("p-day", "p-eve"):
        assert features[pid]["shared_ip_own_devices"] is True
        assert pid not in ranked or ranked[pid].level == "low"


def test_off_timezone_from_day_one_outweighs_a_long_standing_pattern() -> None:
    from commsignal.detect import evaluate_rule

    rule = {r.id: r for r in load_rules()}["off_timezone"]
    f = {
        "offset_diff_h": 9.0,
        "fit_offset_h": 3,
        "fit_share": 0.9,
        "declared_share": 0.1,
        "declared_tz": "America/Chicago",
        "declared_offset_h": -6.0,
        "activity_events": 160,
        "history_weeks": 4,
        "history_off_weeks": 4,
    }
    new = evaluate_rule(rule, {**f, "start_date": "2026-10-01", "declared_recently": True})
    old = evaluate_rule(rule, {**f, "start_date": "2019-03-01", "declared_recently": False})
    assert new is not None and old is not None and old.score < new.score
    assert "never fitted" in new.summary and "2019-03-01" in old.summary


def test_digest_defaults_to_the_last_complete_week_and_partial_says_so(tmp_path: Path) -> None:
    import time as _time

    from commsignal.weeks import week_bounds, week_of

    db_path = tmp_path / "d.db"
    db = open_db(db_path)
    _person(db, "p-1")
    now = _time.time()
    _msg(db, "p-1", now - 60)
    this_week = week_of(now, "UTC")
    last_week = week_of(week_bounds(this_week, "UTC")[0] - 1, "UTC")
    runner = CliRunner()
    base = ["--db", str(db_path), "digest", "--format", "json", "--no-deliver"]
    full = runner.invoke(cli, [*base, "--out", str(tmp_path / "full")])
    assert full.exit_code == 0, full.output
    [path] = list((tmp_path / "full").glob("*.json"))
    digest = json.loads(path.read_text())
    assert digest["week"] == last_week
    assert not any("Partial week" in n for n in digest.get("notes", []))
    part = runner.invoke(cli, [*base, "--partial", "--out", str(tmp_path / "part")])
    assert part.exit_code == 0, part.output
    [path] = list((tmp_path / "part").glob("*.json"))
    digest = json.loads(path.read_text())
    assert digest["week"] == this_week
    assert any("Partial week" in n for n in digest["notes"])
