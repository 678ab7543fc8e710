"""OCSF export: every event carries what OCSF 1.x requires of a Detection Finding (class 2004), and the
create/update/close activities and the Suppressed status follow the week over week."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from click.testing import CliRunner

from commsignal.cli import cli
from commsignal.config import load_config
from commsignal.detect import detect_week, load_rules
from commsignal.pipeline import digest_from_ranking
from commsignal.privacy import Pseudonymizer
from commsignal.store import open_db
from commsignal.triage import record_verdict

# Written from the OCSF schema (github.com/ocsf/ocsf-schema, v1.5.0): attributes whose requirement
# is "required" in events/base_event.json, events/findings/finding.json (which detection_finding
# extends) and the objects they hold; `product` and `user` extend _entity/user with an
# "at least one of" constraint instead.
REQUIRED_EVENT = (
    "activity_id",
    "category_uid",
    "class_uid",
    "metadata",
    "severity_id",
    "time",
    "type_uid",
    "finding_info",
)
REQUIRED_METADATA = ("product", "version")
REQUIRED_FINDING_INFO = ("uid",)
REQUIRED_ANALYTIC = ("type_id",)
AT_LEAST_ONE = {"product": ("name", "uid"), "user": ("account", "name", "uid")}
ACTIVITY_IDS = {0, 1, 2, 3, 99}  # Unknown, Create, Update, Close, Other
SEVERITY_IDS = {0, 1, 2, 3, 4, 5, 6, 99}
STATUS_IDS = {0, 1, 2, 3, 4, 5, 99}  # ... 3 Suppressed, 4 Resolved

LOUD, NIGHT, QUIET = "p-loud0000001", "p-night000002", "p-quiet000003"


def _check_required(event: dict[str, Any]) -> None:
    for key in REQUIRED_EVENT:
        assert event.get(key) is not None, key
    assert event["class_uid"] == 2004 and event["category_uid"] == 2
    assert event["activity_id"] in ACTIVITY_IDS
    assert event["type_uid"] == event["class_uid"] * 100 + event["activity_id"]
    assert event["severity_id"] in SEVERITY_IDS and event["status_id"] in STATUS_IDS
    assert isinstance(event["time"], int) and event["time"] > 1_600_000_000_000  # epoch ms
    for key in REQUIRED_METADATA:
        assert event["metadata"].get(key), key
    assert event["metadata"]["version"].startswith("1.")
    assert any(event["metadata"]["product"].get(k) for k in AT_LEAST_ONE["product"])
    for key in REQUIRED_FINDING_INFO:
        assert event["finding_info"].get(key), key
    analytic = event["finding_info"]["analytic"]
    for key in REQUIRED_ANALYTIC:
        assert analytic.get(key) is not None, key
    assert analytic["uid"] and analytic["version"]  # the rule id and its version
    user = event["evidences"][0]["user"]
    assert any(user.get(k) for k in AT_LEAST_ONE["user"])
    assert user["uid"].startswith("p-")  # pseudonymous


def _week(
    tmp_path: Path, db: Any, week: str, features: dict[str, dict[str, Any]]
) -> list[dict[str, Any]]:
    config, rules = load_config(None), load_rules()
    for pid, f in features.items():
        db.table("person_weeks").insert(
            {"person_id": pid, "week": week, "features": json.dumps(f)}, replace=True
        )
    ranked = detect_week(db, week, features, rules)
    result = digest_from_ranking(
        db, config, week, ranked, rules, Pseudonymizer(b"k"), tmp_path, ["ocsf"]
    )
    assert result.paths == [tmp_path / f"commsignal-digest-{week}.ocsf.jsonl"]
    lines = result.paths[0].read_text().splitlines()
    return [json.loads(line) for line in lines]


def test_ocsf_events_follow_the_week_over_week(tmp_path: Path) -> None:
    db = open_db(tmp_path / "o.db")
    db.table("people").insert_all(
        {"person_id": p, "email": f"{p}@example.com", "display_name": "Real Name " + p}
        for p in (LOUD, NIGHT, QUIET)
    )
    marathon = {"max_session_h": 72, "longest_session": {"devices": ["WS-1"], "ips": []}}
    loud = {"regular_hours": 22, "activity_events": 400, "remote_tools": ["anydesk"]}
    first = _week(tmp_path, db, "2026-W10", {LOUD: loud, NIGHT: marathon})
    assert len(first) == 3
    for e in first:
        _check_required(e)
    assert {e["activity_id"] for e in first} == {1} and {e["status_id"] for e in first} == {1}
    uids = {
        (e["evidences"][0]["user"]["uid"], e["finding_info"]["analytic"]["uid"]): e["finding_info"][
            "uid"
        ]
        for e in first
    }
    assert len(set(uids.values())) == 3

    record_verdict(db, NIGHT, "2026-W10", "benign", "night shift, rota checked")
    second = _week(
        tmp_path,
        db,
        "2026-W11",
        {LOUD: {"remote_tools": ["anydesk"]}, NIGHT: marathon, QUIET: loud},
    )
    for e in second:
        _check_required(e)
    by_key = {
        (e["evidences"][0]["user"]["uid"], e["finding_info"]["analytic"]["uid"]): e for e in second
    }
    # carried over: an update of the same finding
    kept = by_key[(LOUD, "remote_access_tool")]
    assert (
        kept["activity_id"] == 2
        and kept["finding_info"]["uid"] == uids[(LOUD, "remote_access_tool")]
    )
    # stopped firing: a close of last week's finding
    closed = by_key[(LOUD, "round_the_clock")]
    assert closed["activity_id"] == 3 and closed["type_uid"] == 200403
    assert closed["finding_info"]["uid"] == uids[(LOUD, "round_the_clock")]
    # suppressed by a benign verdict: kept, status Suppressed, same finding id
    held = by_key[(NIGHT, "marathon_session")]
    assert held["status_id"] == 3 and held["status"] == "Suppressed" and held["is_alert"] is False
    assert held["finding_info"]["uid"] == uids[(NIGHT, "marathon_session")]
    assert "night shift" in held["status_detail"]
    # new person: create
    assert by_key[(QUIET, "round_the_clock")]["activity_id"] == 1
    text = json.dumps(second)
    assert "Real Name" not in text and "@example.com" not in text


def test_digest_cli_accepts_ocsf(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        cli,
        ["--db", str(tmp_path / "c.db"), "digest", "--week", "2026-W10", "--format", "json,ocsf",
         "--out", str(tmp_path), "--no-deliver"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert (tmp_path / "commsignal-digest-2026-W10.ocsf.jsonl").exists()
    digest = json.loads((tmp_path / "commsignal-digest-2026-W10.json").read_text())
    assert digest["suppressed"] == [] and digest["left"] == [] and digest["people"] == []
    bad = CliRunner().invoke(cli, ["--db", str(tmp_path / "c.db"), "digest", "--format", "xml"])
    assert bad.exit_code != 0 and "ocsf" in bad.output
