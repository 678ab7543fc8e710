"""The analyst's loop over four simulated weeks: benign verdicts expire or give way to new evidence,
confirmed cases stay on top, allowlists act per team, and nothing is suppressed silently."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from sqlite_utils import Database

from commsignal.config import Config, load_config
from commsignal.detect import detect_week, load_rules
from commsignal.detect.rules import Rule
from commsignal.pipeline import DigestResult, digest_from_ranking
from commsignal.privacy import Pseudonymizer
from commsignal.store import open_db
from commsignal.triage import TriageError, record_verdict

WEEKS = ["2026-W10", "2026-W11", "2026-W12", "2026-W13"]
NIGHT, VDI, CONF, LOUD = "p-night0000001", "p-vdi00000002", "p-conf0000003", "p-loud0000004"
HELP, DEV = "p-help0000005", "p-dev00000006"
TEAMS = {
    NIGHT: "SRE",
    VDI: "Engineering",
    CONF: "Sales",
    LOUD: "Operations",
    HELP: "Help Desk",
    DEV: "Engineering",
}


def _marathon(hours: float, devices: list[str], ips: list[str]) -> dict[str, Any]:
    """Features of a person whose longest session ran `hours` with no logoff or lock."""
    return {
        "max_session_h": hours,
        "longest_session": {
            "start": "2026-03-02T08:00:00+00:00",
            "end": None,
            "last_seen": "2026-03-05T08:00:00+00:00",
            "end_reason": "open",
            "devices": devices,
            "ips": ips,
        },
    }


def _store(tmp_path: Path) -> Database:
    db = open_db(tmp_path / "triage.db")
    db.table("people").insert_all(
        {"person_id": pid, "email": f"{pid}@example.com", "team": team}
        for pid, team in TEAMS.items()
    )
    return db


def _config(tmp_path: Path, extra: str = "") -> Config:
    path = tmp_path / "c.toml"
    path.write_text('[digest]\ntimezone = "UTC"\n' + extra)
    return load_config(path)


def _run_week(
    db: Database,
    config: Config,
    rules: list[Rule],
    week: str,
    features: dict[str, dict[str, Any]],
    out: Path,
) -> DigestResult:
    """One week as the pipeline runs it after feature extraction: detect, triage, digest."""
    db.table("person_weeks").insert_all(
        (
            {"person_id": pid, "week": week, "features": json.dumps(f)}
            for pid, f in features.items()
        ),
        replace=True,
    )
    ranked = detect_week(db, week, features, rules)
    return digest_from_ranking(
        db,
        config,
        week,
        ranked,
        rules,
        Pseudonymizer(b"k"),
        out,
        ["json", "md", "html", "ocsf"],
    )


def _people(result: DigestResult) -> dict[str, dict[str, Any]]:
    return {p["person"]: p for p in result.digest["people"]}


def _suppressed(result: DigestResult) -> dict[str, dict[str, Any]]:
    return {s["person"]: s for s in result.digest["suppressed"]}


def test_four_weeks_of_verdicts(tmp_path: Path) -> None:
    db, config, rules = _store(tmp_path), _config(tmp_path), load_rules()
    out = tmp_path / "out"
    night = _marathon(72, ["WS-NIGHT-1"], ["10.1.2.3"])
    vdi = _marathon(72, ["VDI-07"], ["10.9.9.9"])
    loud = {"regular_hours": 22, "activity_events": 400, **_marathon(30, ["WS-9"], ["10.7.0.1"])}
    conf = {"remote_tools": ["anydesk"]}

    def week(n: int, **over: dict[str, Any]) -> DigestResult:
        features = {NIGHT: night, VDI: vdi, CONF: conf, LOUD: loud, **over}
        return _run_week(db, config, rules, WEEKS[n], features, out)

    # week 1: everyone is new; night and vdi are high
    w1 = week(0)
    p1 = _people(w1)
    assert p1[NIGHT]["level"] == "high" and p1[VDI]["level"] == "high"
    assert {p["state"] for p in p1.values()} == {"new"}
    assert w1.digest["suppressed"] == [] and w1.digest["left"] == []
    assert p1[CONF]["risk"] < p1[NIGHT]["risk"]
    # the analyst decides on week 1
    record_verdict(
        db, NIGHT, WEEKS[0], "benign", "night-shift SRE, rota checked",
        detector="marathon_session", until=date(2026, 3, 15),
    )  # fmt: skip
    record_verdict(db, VDI, WEEKS[0], "benign", "pooled VDI desktop, confirmed with IT")
    record_verdict(db, CONF, WEEKS[0], "confirmed", "matches HR red flags", assignee="dana")

    # week 2: both benign people leave `high`, are listed as suppressed, and left for a verdict
    w2 = week(1)
    p2, s2 = _people(w2), _suppressed(w2)
    assert NIGHT not in p2 and VDI not in p2
    assert s2[NIGHT]["by"] == "verdict" and s2[NIGHT]["until"] == "2026-03-15"
    assert "night-shift SRE" in s2[NIGHT]["reason"]
    assert s2[VDI]["until"] == "2026-04-05"  # default: the four weeks after the verdict's week
    left = {entry["person"]: entry for entry in w2.digest["left"]}
    assert left[NIGHT]["reason"] == "verdict" and left[VDI]["reason"] == "verdict"
    assert w2.digest["summary"]["high"] == 1  # only the loud one
    # the confirmed person stays on top although their risk is lower, marked confirmed
    first = w2.digest["people"][0]
    assert first["person"] == CONF and first["case"]["verdict"] == "confirmed"
    assert first["case"]["assignee"] == "dana" and first["risk"] < p2[LOUD]["risk"]
    assert p2[CONF]["state"] == "persisting" and p2[CONF]["weeks_listed"] == 2
    md = (out / "commsignal-digest-2026-W11.md").read_text()
    assert "## Suppressed this week" in md and "night-shift SRE" in md and "2026-03-15" in md

    # week 3: night's verdict expired and they return; vdi returns early on a new device
    w3 = week(2, **{VDI: _marathon(72, ["VDI-07", "HOME-PC-3"], ["10.9.9.9"])})
    p3 = _people(w3)
    assert p3[NIGHT]["level"] == "high" and p3[NIGHT]["state"] == "returning"
    assert "expired on 2026-03-15" in p3[NIGHT]["findings"][0]["note"]
    vdi_finding = p3[VDI]["findings"][0]
    assert vdi_finding["returned"] is True
    assert vdi_finding["note"].startswith("returned despite a benign verdict")
    assert "pooled VDI desktop" in vdi_finding["note"] and "HOME-PC-3" in vdi_finding["note"]
    assert _suppressed(w3) == {}
    assert w3.digest["people"][0]["person"] == CONF
    history = [h["risk"] for h in p3[NIGHT]["risk_history"]]
    assert history[-3:] == [75, 75, 75] and history[0] is None  # measured risk, before triage

    # week 4: the confirmed person stays on top; night persists two weeks
    w4 = week(3)
    assert w4.digest["people"][0]["person"] == CONF
    assert _people(w4)[NIGHT]["state"] == "persisting"
    assert _people(w4)[NIGHT]["weeks_listed"] == 2


def test_score_rise_brings_a_finding_back_before_expiry(tmp_path: Path) -> None:
    db, config, rules = _store(tmp_path), _config(tmp_path), load_rules()
    _run_week(db, config, rules, WEEKS[0], {NIGHT: _marathon(40, ["WS-1"], [])}, tmp_path)
    record_verdict(db, NIGHT, WEEKS[0], "benign", "release week, expected")
    small = _run_week(db, config, rules, WEEKS[1], {NIGHT: _marathon(44, ["WS-1"], [])}, tmp_path)
    assert NIGHT in _suppressed(small)  # +0.03: not material
    big = _run_week(db, config, rules, WEEKS[2], {NIGHT: _marathon(96, ["WS-1"], [])}, tmp_path)
    note = _people(big)[NIGHT]["findings"][0]["note"]
    assert "returned despite a benign verdict" in note and "score rose from" in note


def test_a_rule_that_had_not_fired_is_not_covered_by_a_benign_verdict(tmp_path: Path) -> None:
    db, config, rules = _store(tmp_path), _config(tmp_path), load_rules()
    _run_week(db, config, rules, WEEKS[0], {NIGHT: _marathon(72, ["WS-1"], [])}, tmp_path)
    record_verdict(db, NIGHT, WEEKS[0], "benign", "night shift, checked")
    features = {NIGHT: {**_marathon(72, ["WS-1"], []), "remote_tools": ["anydesk"]}}
    w2 = _run_week(db, config, rules, WEEKS[1], features, tmp_path)
    assert [f["detector"] for f in _people(w2)[NIGHT]["findings"]] == ["remote_access_tool"]
    assert _suppressed(w2)[NIGHT]["detector"] == "marathon_session"


def test_benign_needs_a_finding_and_until_needs_benign(tmp_path: Path) -> None:
    db = _store(tmp_path)
    with pytest.raises(TriageError, match="no finding"):
        record_verdict(db, NIGHT, WEEKS[0], "benign", "looks fine to me")
    with pytest.raises(TriageError, match="benign verdicts only"):
        record_verdict(db, NIGHT, WEEKS[0], "confirmed", "bad actor", until=date(2026, 5, 1))
    assert db.execute("select count(*) from triage_verdicts").fetchone()[0] == 0


def test_allowlisted_tool_for_one_team_only(tmp_path: Path) -> None:
    config = _config(
        tmp_path,
        '[[allow]]\nrules = ["remote_access_tool"]\ntools = ["TeamViewer"]\nteams = ["Help Desk"]\n'
        'reason = "sanctioned remote support, ticket IT-4411"\nexpires = 2026-12-31\n'
        '[[allow]]\nrules = ["*"]\npeople = ["p-dev00000006"]\n'
        'reason = "old pilot exemption"\nexpires = 2026-01-31\n',
    )
    db, rules = _store(tmp_path), load_rules()
    tv = {"remote_tools": ["teamviewer"]}
    result = _run_week(db, config, rules, WEEKS[0], {HELP: tv, DEV: tv}, tmp_path)
    assert list(_people(result)) == [DEV]
    held = _suppressed(result)[HELP]
    assert held["by"] == "allowlist" and held["detector"] == "remote_access_tool"
    assert held["entries"][0]["id"] == "config#1" and held["until"] == "2026-12-31"
    assert "IT-4411" in held["reason"]
    # the expired entry is reported, not applied
    assert [e["id"] for e in result.digest["allow_expired"]] == ["config#2"]
    assert any("config#2" in n for n in result.digest["notes"])
    assert "expired on 2026-01-31" in _people(result)[DEV]["findings"][0]["note"]
    html = (tmp_path / "commsignal-digest-2026-W10.html").read_text()
    assert "Suppressed this week" in html and "IT-4411" in html and "config#2" in html


def test_allowlist_never_hides_an_uncovered_tool(tmp_path: Path) -> None:
    config = _config(
        tmp_path,
        '[[allow]]\nrules = ["remote_access_tool"]\ntools = ["teamviewer"]\n'
        'reason = "sanctioned everywhere"\nexpires = 2026-12-31\n',
    )
    db, rules = _store(tmp_path), load_rules()
    features = {HELP: {"remote_tools": ["teamviewer", "anydesk"]}}
    result = _run_week(db, config, rules, WEEKS[0], features, tmp_path)
    assert HELP in _people(result) and result.digest["suppressed"] == []


def test_left_the_list_says_why(tmp_path: Path) -> None:
    db, config, rules = _store(tmp_path), _config(tmp_path), load_rules()
    loud = {"regular_hours": 22, "activity_events": 400}
    _run_week(db, config, rules, WEEKS[0], {LOUD: loud, NIGHT: loud}, tmp_path)
    w2 = _run_week(db, config, rules, WEEKS[1], {LOUD: {"regular_hours": 3}}, tmp_path)
    left = {entry["person"]: entry for entry in w2.digest["left"]}
    assert left[LOUD]["reason"] == "below-threshold" and "no rule fired" in left[LOUD]["detail"]
    assert left[NIGHT]["reason"] == "no-data"
    assert left[LOUD]["last_risk"] == 80


def test_triage_sections_are_escaped_under_autoescape(tmp_path: Path) -> None:
    """Analyst text reaches the HTML only as escaped data (the template never marks it safe)."""
    from jinja2 import Environment, PackageLoader

    db, config, rules = _store(tmp_path), _config(tmp_path), load_rules()
    _run_week(db, config, rules, WEEKS[0], {NIGHT: _marathon(72, ["WS-1"], [])}, tmp_path)
    record_verdict(db, NIGHT, WEEKS[0], "benign", "<script>alert(1)</script> rota")
    result = _run_week(db, config, rules, WEEKS[1], {NIGHT: _marathon(72, ["WS-1"], [])}, tmp_path)
    env = Environment(loader=PackageLoader("commsignal.digest", "templates"), autoescape=True)
    html = env.get_template("digest.html.j2").render(d=result.digest)
    assert "&lt;script&gt;alert(1)&lt;/script&gt; rota" in html and "<script>" not in html
    assert "Suppressed this week" in html
