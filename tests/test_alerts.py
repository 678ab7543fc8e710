"""Manager alerts: opt-in only, own direct reports only, engagement only, never risk."""

from __future__ import annotations

import json

from commsignal.config import AlertsConfig
from commsignal.deliver.alerts import manager_alerts, write_alerts
from commsignal.detect import load_rules
from commsignal.store import open_db


def _store():  # type: ignore[no-untyped-def]
    db = open_db(None)
    db.table("people").insert_all(
        [{"person_id": "p-boss", "email": "boss@example.com", "display_name": "Bo Boss"}]
        + [
            {
                "person_id": f"p-r{i}",
                "email": f"r{i}@example.com",
                "display_name": f"Report {i}",
                "manager_person_id": "p-boss",
            }
            for i in range(4)
        ]
        + [
            {
                "person_id": "p-other",
                "email": "o@example.com",
                "display_name": "Other",
                "manager_person_id": "p-x",
            }
        ]
    )
    weeks = {"2026-W44": 40, "2026-W45": 42, "2026-W46": 38, "2026-W47": 40}
    for week, n in weeks.items():
        for i in range(4):
            quiet = i == 0 and week == "2026-W47"
            features = {
                "messages": 5 if quiet else n,
                "distinct_contacts": 8,
                "meeting_minutes_attended": 300,
                "max_session_h": 150,
            }
            db.table("person_weeks").insert(
                {"person_id": f"p-r{i}", "week": week, "features": json.dumps(features)}
            )
    return db


def test_only_the_quieter_report_is_named_and_no_risk_words(tmp_path) -> None:  # type: ignore[no-untyped-def]
    db = _store()
    config = AlertsConfig(enabled=True, opt_in=["Boss@Example.com"], min_reports=3)
    alerts = manager_alerts(db, "2026-W47", ["2026-W46", "2026-W45", "2026-W44"], config)
    assert len(alerts) == 1 and alerts[0].team_size == 4
    assert [r.name for r in alerts[0].reports] == ["Report 0"]
    assert "messages sent: 5 this week, usually about 40" in alerts[0].reports[0].changes[0]
    text = write_alerts(alerts, tmp_path)[0].read_text()
    assert "Report 0" in text and "Other" not in text
    for rule in load_rules():
        assert rule.id not in text and rule.name.lower() not in text.lower()
    assert "session" not in text.lower() and "risk" not in text.lower()


def test_no_alerts_without_opt_in_or_for_small_teams() -> None:
    db = _store()
    assert (
        manager_alerts(db, "2026-W47", ["2026-W46", "2026-W45"], AlertsConfig(enabled=True)) == []
    )
    assert (
        manager_alerts(
            db, "2026-W47", ["2026-W46"], AlertsConfig(enabled=False, opt_in=["boss@example.com"])
        )
        == []
    )
    small = AlertsConfig(enabled=True, opt_in=["boss@example.com"], min_reports=5)
    assert manager_alerts(db, "2026-W47", ["2026-W46", "2026-W45"], small) == []


def test_a_report_with_no_data_this_week_is_away_not_quieter() -> None:
    db = _store()
    # Report 1 is on leave (no person-week at all); Report 2 only shows up in login data
    db.execute("delete from person_weeks where person_id = 'p-r1' and week = '2026-W47'")
    db.execute(
        "update person_weeks set features = ? where person_id = 'p-r2' and week = '2026-W47'",
        [json.dumps({"max_session_h": 9})],
    )
    config = AlertsConfig(enabled=True, opt_in=["boss@example.com"], min_reports=3)
    alerts = manager_alerts(db, "2026-W47", ["2026-W46", "2026-W45", "2026-W44"], config)
    assert [r.name for r in alerts[0].reports] == ["Report 0"]
